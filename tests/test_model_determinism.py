"""Reproducibility: a replicate's run depends on (scenario, seed, replicate id) only."""

from __future__ import annotations

import copy
from functools import cache

import numpy as np
import pytest

from sim.inputs.scenario import AttackWave, EconomicShock, Scenario, load_scenario
from sim.model.model import BASELINE, DurandModel
from sim.model.recorder import INDEX, METRICS

SEED = 7
MONTHS = 36
ATTACK_COLS = [
    INDEX[m]
    for m in METRICS
    if m.startswith(("attacks.", "fatalities.")) or m == "cross_border_attacks"
]


@cache
def _baseline() -> Scenario:
    return load_scenario(BASELINE)


def _variant(**levers: float) -> Scenario:
    s = copy.deepcopy(_baseline())
    for key, value in levers.items():
        state, name = key.split("__")
        s.levers[state][name] = value
    return s


def _run(scenario=None, replicates=50, seed=SEED, months=MONTHS) -> np.ndarray:
    m = DurandModel(scenario or _baseline(), replicates=replicates, seed=seed, months=months)
    m.run()
    return m.recorder.data


@cache
def _batch50() -> np.ndarray:
    return _run(replicates=50)


@pytest.mark.parametrize("k", [0, 17, 49])
def test_replicate_alone_equals_its_column_in_a_batch(k):
    """Bit for bit: a 1-row run must not take a different arithmetic path (e.g. BLAS gemv
    for a 1-row matmul rounds differently from gemm) than the same row in a batch."""
    alone = _run(replicates=[k])
    assert np.array_equal(alone[:, 0], _batch50()[:, k])


def test_replicate_alone_equals_batch_under_events_and_shocks():
    """The same with lever changes and shocks during the run, and a longer horizon."""
    s = copy.deepcopy(_baseline())
    s.levers["US"]["drone_strikes"] = 0.7
    s.levers["CHN"]["cpec_investment"] = 2200.0
    shocks = [
        EconomicShock(type="economic_shock", country="AFG", change=-0.2),
        AttackWave(type="attack_wave", group="BLA", multiplier=2.5, months=6),
    ]

    def go(replicates):
        m = DurandModel(s, replicates=replicates, seed=SEED + 3, months=60)
        while m.running:
            if m.month == 5:
                m.apply_shock(shocks[0])
                m.set_lever("US.military_aid_pak", 0.0)
            if m.month == 20:
                m.apply_shock(shocks[1])
                m.set_lever("US.help_vs_ttp_bla", 1.0)
            m.step()
        return m.recorder.data

    batch = go(64)
    for k in (0, 31, 63):
        assert np.array_equal(go([k])[:, 0], batch[:, k]), k


def test_sub_batch_equals_slice_of_bigger_batch():
    small = _run(replicates=[3, 4, 5])
    ten = _run(replicates=10)
    assert np.array_equal(small, ten[:, 3:6])
    assert np.array_equal(ten, _batch50()[:, :10])


def test_replicate_order_and_gaps_do_not_matter():
    picked = _run(replicates=[40, 2, 11])
    assert np.array_equal(picked, _batch50()[:, [40, 2, 11]])


def test_same_seed_twice_is_identical():
    assert np.array_equal(_run(), _batch50())


def test_step_by_step_equals_run():
    m = DurandModel(_baseline(), replicates=50, seed=SEED, months=MONTHS)
    while m.running:
        m.step()
    assert m.month == MONTHS
    m.step()  # stepping past the horizon is a no-op
    assert m.month == MONTHS
    assert np.array_equal(m.recorder.data, _batch50())


def test_different_seed_differs():
    other = _run(seed=SEED + 1)
    assert not np.array_equal(other, _batch50())
    attacks = INDEX["attacks.PAK"]
    # different draws for (almost) every replicate already in the first month
    same = other[0, :, attacks] == _batch50()[0, :, attacks]
    assert same.mean() < 0.2


def test_different_replicates_differ():
    data = _batch50()
    attacks = data[:, :, INDEX["attacks.PAK"]]
    assert len({tuple(col) for col in attacks.T}) == 50


def test_scenario_seed_is_used_when_none_given():
    s = _baseline().with_overrides(seed=SEED)
    m = DurandModel(s, replicates=50, months=MONTHS)
    m.run()
    assert np.array_equal(m.recorder.data, _batch50())


# ---------------------------------------------------------------- common random numbers


def test_lever_without_month0_effect_gives_identical_month0_attacks():
    """do_more, joint ops, deportation, retrieval, reserves do not enter month-0 attack means.

    Under common random numbers each replicate must then draw exactly the same month-0
    attacks and fatalities, while the runs do diverge later.
    """
    other = _run(
        _variant(
            US__do_more=1.0,
            US__joint_ops=0.0,
            PAK__deportation=1.0,
            US__weapons_retrieval=1.0,
            US__reserves_release=0.5,
        )
    )
    base = _batch50()
    assert np.array_equal(other[0][:, ATTACK_COLS], base[0][:, ATTACK_COLS])
    assert not np.array_equal(other[-1], base[-1])


def test_mid_run_lever_change_leaves_earlier_months_identical():
    months_before = 12
    m = DurandModel(_baseline(), replicates=50, seed=SEED, months=MONTHS)
    while m.running:
        if m.month == months_before:
            m.set_lever("US.military_aid_pak", 0.0)
        m.step()
    data = m.recorder.data
    assert np.array_equal(data[:months_before], _batch50()[:months_before])
    assert not np.array_equal(data[months_before:], _batch50()[months_before:])


def test_higher_tempo_never_lowers_a_replicates_month0_attacks():
    """Inversion keeps draws monotone in the mean: same uniforms, higher lambda, >= count."""
    s = copy.deepcopy(_baseline())
    s.params["groups"]["tempo"]["TTP"] *= 1.3
    hi = _run(s, replicates=200, months=1)
    lo = _run(replicates=200, months=1)
    col = INDEX["attacks.TTP"]
    assert np.all(hi[0, :, col] >= lo[0, :, col])
    assert hi[0, :, col].mean() > lo[0, :, col].mean() * 1.2


def test_grand_bargain_joint_ops_superset_in_month0():
    """The joint-op draw is the same uniform: a higher probability only adds operations."""
    hi = _run(_variant(US__help_vs_ttp_bla=1.0, PAK__support_vs_iskp=1.0), replicates=400, months=1)
    lo = _run(replicates=400, months=1)
    col = INDEX["joint_ops"]
    assert np.all(hi[0, :, col] >= lo[0, :, col])
    assert hi[0, :, col].sum() > lo[0, :, col].sum()


@pytest.mark.parametrize("rows", [1, 3, 255, 256, 1000])
@pytest.mark.parametrize("k,m", [(9, 2), (9, 3), (26, 9), (26, 2)])
def test_weighted_sum_is_the_sequential_sum_for_any_batch(rows, k, m):
    """weighted_sum adds over K left to right, and a row alone gives the same bits."""
    from sim.model import arrays

    rng = np.random.default_rng(rows * 100 + k)
    a = rng.random((rows, k)) * rng.choice([1e-3, 1.0, 1e3], size=(rows, k))
    w = rng.random((k, m))
    sequential = (a[:, :, None] * w[None, :, :]).sum(axis=1)  # numpy adds slices in order
    together = arrays.weighted_sum(a, w)
    assert np.array_equal(together, sequential)
    alone = np.concatenate([arrays.weighted_sum(a[i : i + 1], w) for i in range(0, rows, 97)])
    assert np.array_equal(alone, together[::97])


def test_prefaulted_buffers_behave_like_zeros():
    from sim.model.arrays import zeros_prefaulted

    for shape in [(2, 3), (64, 71, 1000)]:  # below and above the pre-fault threshold
        a = zeros_prefaulted(shape, np.float32)
        assert a.shape == shape and a.dtype == np.float32 and a.flags.writeable
        assert not a.any()
        a[-1, ...] = 1.5
        assert a[-1].sum() == 1.5 * a[-1].size


def test_a_run_split_over_processes_is_bit_identical_to_one_process():
    """run_scenario's forked shards fill one buffer with exactly the one-batch numbers."""
    from sim.run.runner import run_scenario

    scenario = load_scenario(BASELINE).with_overrides(months=14)
    ids = np.array([0, 5, 17, 18, 300, 301, 9999])
    one = run_scenario(scenario, replicates=ids, cores=1)
    split = run_scenario(scenario, replicates=ids, cores=3)
    assert np.array_equal(split.data, one.data)
    assert np.array_equal(split.replicate_ids, ids)
    assert split.applied == one.applied


def test_a_failed_shard_process_is_reported_not_ignored(failing_shards):
    """A shard that dies must fail the run with a DurandError, never leave zeros behind."""
    from sim.inputs.errors import DurandError
    from sim.run import runner

    scenario = load_scenario(BASELINE).with_overrides(months=3)
    with pytest.raises(DurandError, match="cores=1"):
        runner.run_scenario(scenario, replicates=6, cores=2)


def test_a_daemonic_worker_runs_every_replicate_itself(monkeypatch):
    """Pool and Dask workers are daemonic and may not fork: the run stays in-process."""
    import multiprocessing

    from sim.run import runner

    monkeypatch.setattr(multiprocessing.current_process(), "daemon", True)
    assert runner.default_cores(100_000) == 1
    scenario = load_scenario(BASELINE).with_overrides(months=2)
    alone = runner.run_scenario(scenario, replicates=4, cores=2)
    assert alone.replicates == 4
