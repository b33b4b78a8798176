"""One timeline: the early-2025 baseline is the continuation of the 2023-2024 history."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from sim.inputs.scenario import TimedEvent, load_scenario
from sim.model.model import BASELINE, HISTORY, DurandModel
from sim.model.recorder import INDEX

REPLICATES = [0, 3, 11]
MONTHS_AFTER = 14
HISTORY_MONTHS = 24


def _continuous_run():
    """The history run on past 2024: at 2025-01 an event sets every baseline lever, and the
    baseline's own events follow on the same month axis."""
    baseline, history = load_scenario(BASELINE), load_scenario(HISTORY)
    handover = TimedEvent(
        HISTORY_MONTHS,
        {f"{s}.{k}": v for s, levers in baseline.levers.items() for k, v in levers.items()},
        None,
        "baseline levers",
    )
    later = [replace(e, month=e.month + HISTORY_MONTHS) for e in baseline.events]
    scenario = replace(
        history,
        seed=baseline.seed,
        months=HISTORY_MONTHS + MONTHS_AFTER,
        events=[*(e for e in history.events if e.month < HISTORY_MONTHS), handover, *later],
    )
    model = DurandModel(scenario, replicates=REPLICATES)
    model.run()
    return model


def test_history_then_baseline_is_one_continuous_run_bit_for_bit():
    continuous = _continuous_run()
    baseline = DurandModel(BASELINE, replicates=REPLICATES, months=MONTHS_AFTER)
    baseline.run()
    assert np.array_equal(continuous.recorder.data[HISTORY_MONTHS:], baseline.recorder.data)
    for name in ("strength", "tension", "trust", "economy", "momentum", "deportation_habit"):
        assert np.array_equal(getattr(continuous.world, name), getattr(baseline.world, name))


def test_the_history_scenario_is_the_baselines_prefix():
    history = DurandModel(HISTORY, replicates=REPLICATES)
    history.run()
    continuous = _continuous_run()
    assert np.array_equal(history.recorder.data, continuous.recorder.data[:HISTORY_MONTHS])


def test_the_baseline_starts_from_the_history_not_from_a_reset():
    """Strength, tension and trust in January 2025 differ by replicate (a distribution),
    and strength has grown from its January 2023 index of 1."""
    model = DurandModel(BASELINE, replicates=40, months=1)
    strength = model.world.strength  # before the first baseline month: end of 2024
    assert (strength.std(axis=0) > 0).all()
    assert np.median(strength[:, 0]) > 1.1
    assert model.world.tension.std() > 0
    assert model.month == 0 and model.offset == HISTORY_MONTHS
    model.run()
    assert model.recorder.data.shape[0] == 1  # only the scenario's own months are recorded


def test_a_later_start_runs_the_baseline_months_before_it():
    """A scenario starting in 2026-01 continues the baseline run at its month 12."""
    baseline = load_scenario(BASELINE)
    later = replace(baseline, start=(2026, 1), months=3, events=[])
    a = DurandModel(later, replicates=REPLICATES)
    a.run()
    b = DurandModel(replace(baseline, events=[]), replicates=REPLICATES, months=15)
    b.run()
    assert np.array_equal(a.recorder.data, b.recorder.data[12:])
    assert a.recorder.data[0, :, INDEX["attacks.PAK"]].sum() > 0


def test_a_cached_history_prefix_gives_the_same_run_as_running_it():
    from sim.model import model as model_module

    model_module._PREFIXES.clear()
    fresh = DurandModel(BASELINE, replicates=REPLICATES, months=6)
    assert len(model_module._PREFIXES) == 1
    fresh.run()
    cached = DurandModel(BASELINE, replicates=REPLICATES, months=6)
    cached.run()
    assert np.array_equal(fresh.recorder.data, cached.recorder.data)
    other_seed = DurandModel(BASELINE, replicates=REPLICATES, months=6, seed=1)
    assert len(model_module._PREFIXES) == 2
    same_seed = DurandModel(BASELINE, replicates=REPLICATES, months=6)
    assert not np.array_equal(other_seed.world.strength, same_seed.world.strength)


def test_a_history_prefix_stored_on_disk_gives_the_same_run(tmp_path, monkeypatch):
    """A later process loads the stored prefix instead of running it: same numbers."""
    from sim.model import model as model_module

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setenv("DURAND_HISTORY_CACHE", "1")
    model_module._PREFIXES.clear()
    ran = DurandModel(BASELINE, replicates=REPLICATES, months=6)
    stored = list((tmp_path / "durand" / "history").glob("*.npz"))
    assert len(stored) == 1
    ran.run()
    model_module._PREFIXES.clear()  # as in a new process
    loaded = DurandModel(BASELINE, replicates=REPLICATES, months=6)
    loaded.run()
    assert np.array_equal(ran.recorder.data, loaded.recorder.data)
    assert loaded.history_applied == ran.history_applied
    monkeypatch.setenv("DURAND_HISTORY_CACHE", "0")
    model_module._PREFIXES.clear()
    fresh = DurandModel(BASELINE, replicates=REPLICATES, months=6)
    fresh.run()
    assert np.array_equal(fresh.recorder.data, ran.recorder.data)
