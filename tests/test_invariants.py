"""Property tests: whatever the levers (within range and budget), the state stays sane."""

from __future__ import annotations

import copy
import os
from functools import cache

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.inputs.parameters import registry
from sim.inputs.scenario import (
    AttackWave,
    EconomicShock,
    Scenario,
    StrengthLoss,
    TensionShock,
    TrustShock,
    load_scenario,
)
from sim.model.model import BASELINE, DurandModel
from sim.model.recorder import COUNT_METRICS, INDEX, METRICS

R = 8
MONTHS = 24
# DURAND_EXAMPLES=500 for a deeper search than the quick default.
SETTINGS = settings(max_examples=int(os.environ.get("DURAND_EXAMPLES", "25")), deadline=None)

LEVER_SPECS = {
    path.removeprefix("levers."): spec
    for path, spec in registry().items()
    if path.startswith("levers.")
}
BUDGET = registry()["states.budget"].value  # {US: 1500, ..., CHN: 3000}


def _cols(*prefixes: str, names: tuple[str, ...] = ()) -> list[int]:
    return [INDEX[m] for m in METRICS if m.startswith(prefixes) or m in names]


NON_NEGATIVE = _cols(
    "strength.",
    "aid.",
    "attacks.",
    "fatalities.",
    "recruitment.",
    "attrition.",
    "pressure.",
    "funding.",
    "capacity.",
    "economy.",
    names=(
        "cross_border_attacks",
        "joint_ops",
        "joint_ops.success",
        "border_clashes",
        "deportations",
    ),
)
UNIT_INTERVAL = _cols(
    "trust.",
    "stability.",
    "sanctuary.",
    "weapons.",
    "grievance.",
    names=(
        "tension.PAK-AFG",
        "cooperation.overlap",
        "joint_ops",
        "joint_ops.success",
        "border_clashes",
    ),
)
COUNTS = [INDEX[m] for m in METRICS if m in COUNT_METRICS]


@cache
def _baseline() -> Scenario:
    return load_scenario(BASELINE)


def within_budget(values: dict[str, float]) -> dict[str, float]:
    """Scale each state's spending levers down to its budget, as a scenario must be."""
    values = dict(values)
    for state, budget in BUDGET.items():
        spend = [k for k, s in LEVER_SPECS.items() if k.startswith(f"{state}.") and s.is_spending]
        total = sum(values[k] for k in spend)
        if total > budget:
            for k in spend:
                values[k] = values[k] * budget / total
    return values


@st.composite
def lever_settings(draw) -> dict[str, float]:
    """Every lever drawn within its registry range; spending scaled into the state's budget."""
    values: dict[str, float] = {}
    for key, spec in LEVER_SPECS.items():
        values[key] = draw(
            st.floats(spec.low, spec.high, allow_nan=False, allow_infinity=False), label=key
        )
    return within_budget(values)


def _within_budget(values: dict[str, float]) -> bool:
    for state, budget in BUDGET.items():
        spend = sum(
            v for k, v in values.items() if k.startswith(f"{state}.") and LEVER_SPECS[k].is_spending
        )
        if spend > budget + 1e-6:
            return False
    return True


SEEDS = st.integers(min_value=0, max_value=2**63 - 1)
GROUP = st.sampled_from(["TTP", "ISKP", "BLA"])
CHANGE = st.floats(-1.0, 1.0, allow_nan=False)
SHOCKS = st.one_of(
    st.builds(StrengthLoss, type=st.just("strength_loss"), group=GROUP, fraction=st.floats(0, 1)),
    st.builds(
        AttackWave,
        type=st.just("attack_wave"),
        group=GROUP,
        multiplier=st.floats(0, 10),
        months=st.integers(1, 30),
    ),
    st.builds(
        EconomicShock,
        type=st.just("economic_shock"),
        country=st.sampled_from(["PAK", "AFG"]),
        change=CHANGE,
    ),
    st.tuples(st.permutations(["US", "PAK", "AFG", "CHN"]), CHANGE).map(
        lambda pc: TrustShock(type="trust_shock", source=pc[0][0], target=pc[0][1], change=pc[1])
    ),
    st.builds(TensionShock, type=st.just("tension_shock"), change=CHANGE),
)


def _scenario(levers: dict[str, float]) -> Scenario:
    s = copy.deepcopy(_baseline())
    for key, value in levers.items():
        state, name = key.split(".")
        s.levers[state][name] = value
    return s


def _check(data: np.ndarray) -> None:
    assert data.shape == (MONTHS, R, len(METRICS))
    bad = ~np.isfinite(data)
    assert not bad.any(), f"non-finite values in {sorted({METRICS[i] for i in np.nonzero(bad)[2]})}"
    neg = data[:, :, NON_NEGATIVE] < 0
    assert not neg.any(), (
        f"negative: {sorted({METRICS[NON_NEGATIVE[i]] for i in np.nonzero(neg)[2]})}"
    )
    sub = data[:, :, UNIT_INTERVAL]
    out = (sub < 0) | (sub > 1)
    assert not out.any(), (
        f"outside [0, 1]: {sorted({METRICS[UNIT_INTERVAL[i]] for i in np.nonzero(out)[2]})}"
    )
    assert np.all(data[:, :, _cols("economy.")] <= 2.0)
    counts = data[:, :, COUNTS]
    assert np.array_equal(counts, np.round(counts)), "counts must be whole numbers"
    assert np.all(data[:, :, INDEX["joint_ops.success"]] <= data[:, :, INDEX["joint_ops"]])
    confidence = data[:, :, INDEX["china_confidence"]]
    assert np.all((confidence >= 0) & (confidence <= 1.5 + 1e-6)), "china_confidence out of range"
    china = data[:, :, INDEX["attacks.china_interests"]]
    assert np.all(china <= data[:, :, INDEX["attacks.PAK"]] + data[:, :, INDEX["attacks.AFG"]])


def _check_world(m: DurandModel) -> None:
    w = m.world
    assert np.all(w.strength >= 0) and np.all(w.funding >= 0)
    for name in ("weapons", "grievance", "trust", "tension", "stability"):
        a = getattr(w, name)
        assert np.all((a >= 0) & (a <= 1)), name
    ceiling = m.params.china.confidence_max
    assert np.all((w.china_confidence >= 0) & (w.china_confidence <= ceiling))
    assert np.all(np.diagonal(w.trust, axis1=1, axis2=2) == 1.0)
    assert np.all((w.economy >= 0) & (w.economy <= 2))
    assert np.all(w.aid_effect >= 0)


@SETTINGS
@given(levers=lever_settings(), seed=SEEDS)
def test_random_levers_keep_state_in_bounds(levers, seed):
    assert _within_budget(levers)
    m = DurandModel(_scenario(levers), replicates=R, seed=seed, months=MONTHS)
    m.run()
    _check(m.recorder.data)
    _check_world(m)


@SETTINGS
@given(
    start=lever_settings(),
    later=lever_settings(),
    month=st.integers(0, MONTHS - 1),
    shock=SHOCKS,
    shock_month=st.integers(0, MONTHS - 1),
    seed=SEEDS,
)
def test_lever_changes_and_shocks_mid_run_keep_state_in_bounds(
    start, later, month, shock, shock_month, seed
):
    """Policy changes during the run (aid cuts, reversals) and any shock stay in bounds."""
    m = DurandModel(_scenario(start), replicates=R, seed=seed, months=MONTHS)
    while m.running:
        if m.month == month:
            for key, value in later.items():
                m.set_lever(key, value)
        if m.month == shock_month:
            m.apply_shock(shock)
        m.step()
    _check(m.recorder.data)
    _check_world(m)


@SETTINGS
@given(levers=lever_settings())
def test_extreme_corners_of_the_lever_box(levers):
    """Each lever pushed to whichever end of its range it is nearer (budgets respected)."""
    corner = {}
    for key, value in levers.items():
        spec = LEVER_SPECS[key]
        corner[key] = spec.high if value - spec.low > spec.high - value else spec.low
    corner = within_budget(corner)
    m = DurandModel(_scenario(corner), replicates=R, seed=1, months=MONTHS)
    m.run()
    _check(m.recorder.data)
    _check_world(m)
