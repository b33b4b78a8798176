"""sim.run.timeline: the playback/fork API the viewer uses."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.inputs.errors import ScenarioError, UsageError
from sim.inputs.scenario import load_scenario
from sim.run.runner import run_scenario
from sim.run.timeline import Timeline

BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "baseline.yaml"


@pytest.fixture(scope="module")
def timeline():
    return Timeline(BASELINE, replicates=12, months=24)


def test_original_matches_a_plain_run(timeline):
    plain = run_scenario(load_scenario(BASELINE).with_overrides(replicates=12, months=24))
    assert np.array_equal(plain.data, timeline.original.result.data)
    assert len(timeline.original.cards) == 24
    assert set(timeline.original.cards[0]) == {"US", "PAK", "AFG", "CHN", "TTP", "ISKP", "BLA"}


def test_fork_agrees_before_the_fork_and_diverges_after(timeline):
    branch = timeline.fork(8, {"US.military_aid_pak": 0, "PAK.ct_effort": 0.2}, name="cut")
    try:
        a, b = timeline.original.result.data, branch.result.data
        assert np.array_equal(a[:8], b[:8])
        assert not np.array_equal(a[8:], b[8:])
        assert branch.fork_month == 8
        assert branch.levers_at(7)["US.military_aid_pak"] == 100
        assert branch.levers_at(8)["US.military_aid_pak"] == 0
        assert any(e["type"] == "policy" and e["index"] == 8 for e in branch.events)
    finally:
        timeline.remove("cut")


def test_exported_yaml_reproduces_the_branch_with_durand_run(timeline, tmp_path):
    branch = timeline.fork(5, {"AFG.ttp_tolerance": 0.1}, name="squeeze")
    try:
        path = timeline.export("squeeze", tmp_path / "sub" / "what-if.yaml")
        text = path.read_text(encoding="utf-8")
        assert "extends:" in text and "AFG.ttp_tolerance" in text and "2025-06" in text
        rerun = run_scenario(load_scenario(path))
        assert np.array_equal(rerun.data, branch.result.data)
    finally:
        timeline.remove("squeeze")


def test_nested_fork_keeps_the_parents_changes(timeline, tmp_path):
    first = timeline.fork(4, {"US.intel_sharing": 0.9}, name="a")
    second = timeline.fork(10, {"US.joint_ops": 1.0}, name="b", parent="a")
    try:
        assert np.array_equal(first.result.data[:10], second.result.data[:10])
        rerun = run_scenario(load_scenario(timeline.export("b", tmp_path / "b.yaml")))
        assert np.array_equal(rerun.data, second.result.data)
    finally:
        timeline.remove("a")
        timeline.remove("b")


def test_bad_forks_are_refused_with_the_scenario_messages(timeline):
    with pytest.raises(ScenarioError, match="unknown lever"):
        timeline.fork(3, {"US.nonsense": 1})
    with pytest.raises(ScenarioError, match="at most 1"):
        timeline.fork(3, {"US.do_more": 3})
    with pytest.raises(ScenarioError, match="budget"):
        timeline.fork(3, {"US.civil_aid_pak": 5000, "US.military_aid_pak": 5000})
    with pytest.raises(UsageError):
        timeline.fork(24, {"US.do_more": 0.5})
    with pytest.raises(UsageError):
        timeline.fork(3, {})
    assert timeline.branches == {}


def test_rename_and_remove(timeline):
    timeline.fork(2, {"CHN.cpec_investment": 0}, name="x")
    timeline.rename("x", "no CPEC")
    assert list(timeline.branches) == ["no CPEC"]
    with pytest.raises(UsageError):
        timeline.rename("no CPEC", "original")
    with pytest.raises(UsageError):
        timeline.remove("original")
    timeline.remove("no CPEC")
    with pytest.raises(UsageError):
        timeline.get("no CPEC")


def test_events_carry_their_evidence(timeline):
    kinds = {e["type"]: e for e in timeline.original.events}
    assert kinds, "a 24-month run has notable events"
    for event in kinds.values():
        assert event["evidence"] is None or event["evidence"]["parameter"]
    with_quote = [e for e in kinds.values() if e["evidence"] and e["evidence"]["quote"]]
    assert with_quote


def test_quantiles_are_ordered(timeline):
    q = timeline.original.quantiles("attacks.PAK")
    assert q.shape == (24, 5)
    assert np.all(np.diff(q, axis=1) >= 0)
