"""--uncertainty: parameter sets over the plausible ranges, robustness of policy effects."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from test_cli import durand

from sim.analysis.robustness import Robustness, effects_per_set, hinges, robustness
from sim.inputs.errors import UsageError
from sim.inputs.parameters import default_tree, registry
from sim.inputs.scenario import load_scenario
from sim.sweep.uncertainty import (
    NOT_SAMPLED,
    outcome_spec,
    parameter_sets,
    run_sets,
    scenario_at,
    uncertainties,
)

ROOT = Path(__file__).resolve().parent.parent
SC = ROOT / "scenarios"


def test_every_sampled_parameter_is_an_assumption_with_a_range():
    specs = uncertainties()
    assert len(specs) > 80
    for u in specs:
        assert u.spec.is_assumption and u.spec.plausible is not None, u.path
        assert not u.path.startswith(("levers.", "reporting.", "reference.")), u.path
        assert u.path not in NOT_SAMPLED


def test_the_design_is_a_latin_hypercube_and_reproducible():
    a, b = parameter_sets(16), parameter_sets(16)
    assert np.array_equal(a, b)
    assert a.shape == (16, len(uncertainties()))
    # Latin hypercube: every column has exactly one point in each of the 16 strata.
    strata = np.floor(a * 16).astype(int)
    assert all(sorted(col) == list(range(16)) for col in strata.T)
    with pytest.raises(UsageError, match="^uncertainty must be"):
        parameter_sets(1)


def test_a_parameter_set_lands_inside_the_plausible_ranges_and_keeps_shares_summing_to_one():
    base = load_scenario(SC / "baseline.yaml")
    for u_row in (np.zeros(len(uncertainties())), np.ones(len(uncertainties()))):
        s = scenario_at(base, u_row)
        for u in uncertainties():
            section, *rest = u.path.split(".")
            value = s.params[section]
            for part in rest:
                value = value[part]
            pl = u.spec.plausible
            if u.kind == "range":
                assert pl.low - 1e-12 <= value <= pl.high + 1e-12, u.path
        for key in ("priorities",):
            for row in s.params["states"][key].values():
                assert np.isclose(sum(row.values()), 1.0)
        for key in ("presence", "attack_region", "target_type"):
            for row in s.params["groups"][key].values():
                assert np.isclose(sum(row.values()), 1.0)
    # Coordinates at the bottom of every range differ from the defaults.
    low = scenario_at(base, np.zeros(len(uncertainties())))
    assert low.params["aid"]["capacity_gain"] == registry()["aid.capacity_gain"].plausible.low
    assert low.params != base.params


def test_a_parameter_the_scenario_sets_itself_is_left_alone(tmp_path):
    child = tmp_path / "s.yaml"
    child.write_text(
        f"extends: {SC / 'baseline.yaml'}\nparameters:\n  aid:\n    capacity_gain: 0.123\n"
    )
    s = scenario_at(load_scenario(child), np.ones(len(uncertainties())))
    assert s.params["aid"]["capacity_gain"] == 0.123
    assert s.params["aid"]["trust_gain"] != default_tree()["aid"]["trust_gain"]


def test_sets_run_every_scenario_on_common_random_numbers():
    base = load_scenario(SC / "baseline.yaml").with_overrides(replicates=6, months=12)
    outcomes = [outcome_spec("attacks.PAK", "attacks.PAK", "total")]
    design = parameter_sets(3)
    values = run_sets([base, base], outcomes, design)
    assert values.shape == (3, 2, 1, 6)
    # The same scenario twice: identical draws in every set, so every effect is exactly 0.
    assert np.array_equal(values[:, 0], values[:, 1])
    assert not np.array_equal(values[0, 0], values[1, 0])  # the sets differ
    assert np.all(effects_per_set(values) == 0)


def test_robustness_counts_the_sets_where_the_sign_holds_and_ranks_what_it_hinges_on():
    rng = np.random.default_rng(1)
    design = rng.random((200, 3))
    # The effect follows parameter 1 only and flips sign where it is below 0.25.
    effect = design[:, 1] - 0.25
    values = np.zeros((200, 2, 1, 4))
    values[:, 1, 0, :] = effect[:, None]
    (r,) = robustness(
        values, design, ["a", "b", "c"], ["x", "y", "z"], ["m"], ["A", "B"],
        {("B", "m"): (0.25, 0.2, 0.3)},
    )  # fmt: skip
    assert isinstance(r, Robustness)
    assert r.share_holding == pytest.approx((effect > 0).mean())
    assert 0.65 < r.share_holding < 0.85
    assert r.hinges[0].path == "b" and r.hinges[0].rho > 0.99
    assert r.hinges[0].holds_high == 1.0 and r.hinges[0].holds_low < 0.75
    assert r.verdict() == f"raises it in {r.share_holding:.0%} of plausible worlds"
    assert hinges(np.zeros(200), design, ["a", "b", "c"], ["x", "y", "z"], 1) == ()


def test_compare_prints_the_robustness_table(tmp_path):
    res = durand(
        "compare", str(SC / "baseline.yaml"), str(SC / "aid_cut.yaml"),
        "--months", "12", "-r", "10", "-m", "attacks.PAK", "-m", "harm.displaced",
        "--uncertainty", "8", "--out", str(tmp_path / "out"),
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    out = res.stdout
    assert "Robustness across 8 plausible parameter sets" in out
    assert "sign holds in" in out and "hinges on" in out
    assert "MC 95% CI" in out
    csv = (tmp_path / "out" / "robustness.csv").read_text()
    assert csv.splitlines()[0].startswith("outcome,scenario,effect_at_defaults")
    assert len(csv.splitlines()) == 3


def test_explain_with_uncertainty_and_bad_values():
    res = durand(
        "explain", str(SC / "baseline.yaml"), str(SC / "drone_campaign.yaml"),
        "--months", "12", "-r", "10", "--uncertainty", "4",
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert "civilians killed or injured by US drone strikes" in res.stdout
    assert "Robustness across 4 plausible parameter sets" in res.stdout
    bad = durand("compare", str(SC / "baseline.yaml"), str(SC / "aid_cut.yaml"),
                 "--months", "6", "-r", "5", "--uncertainty", "1")  # fmt: skip
    assert bad.returncode == 2 and "--uncertainty must be between" in bad.stderr
