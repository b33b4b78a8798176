"""Humane outcomes, per-group evidence with its assumption, 'not a forecast' notices, and the
loud failure of provenance tests without the source documents."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sim.inputs.parameters import registry
from sim.inputs.scenario import load_scenario
from sim.model.recorder import HUMANE_METRICS, METRICS
from sim.run.runner import run_scenario

ROOT = Path(__file__).resolve().parent.parent
SC = ROOT / "scenarios"


def _totals(name: str, metric: str) -> np.ndarray:
    s = load_scenario(SC / f"{name}.yaml").with_overrides(replicates=8, months=12)
    return run_scenario(s).column(metric).astype(float).sum(axis=0)


def test_humane_metrics_are_appended_last_and_have_provenance():
    assert METRICS[-len(HUMANE_METRICS) :] == HUMANE_METRICS
    spec = registry()["harm.drone_civilian_casualties"]
    assert spec.sources and spec.assumption and spec.plausible is not None


def test_drone_strikes_harm_civilians_and_deportations_displace_people():
    assert np.all(_totals("baseline", "harm.drone_civilians") == 0)
    drones = _totals("drone_campaign", "harm.drone_civilians")
    rate = registry()["harm.drone_civilian_casualties"].value
    assert np.all(drones > 0) and np.all(drones <= rate * 0.6 * 12 * 2)
    base = _totals("baseline", "harm.displaced")
    assert np.all(base == _totals("baseline", "deportations"))
    assert np.all(_totals("mass_deportation", "harm.displaced") > base)


def test_humane_outcomes_are_in_summaries_compare_cards_and_the_game():
    from sim.analysis.compare import FLOW_METRICS, KEY_OUTCOMES
    from sim.game.text import PUBLIC_METRICS
    from sim.model.agents import HARM_BY_STATE
    from sim.run.summary import YEARLY

    for metric in HUMANE_METRICS:
        assert metric in KEY_OUTCOMES and metric in FLOW_METRICS and metric in YEARLY
        assert metric in {m for m, _, _ in PUBLIC_METRICS}
        assert metric in HARM_BY_STATE.values()


def test_state_cards_carry_the_harm_their_levers_cause():
    from sim.model.model import DurandModel

    model = DurandModel(load_scenario(SC / "drone_campaign.yaml"), replicates=4, months=2)
    model.step()
    cards = {a.actor_id: a.card() for a in model.agents if hasattr(a, "actor_id")}
    assert cards["US"]["harm"]["harm.drone_civilians"] > 0
    assert cards["PAK"]["harm"]["harm.displaced"] > 0
    assert "harm" in cards["AFG"] and not cards["AFG"]["harm"]


def test_event_evidence_shows_each_groups_sentences_and_the_assumption():
    from sim.run.timeline import evidence

    ev = evidence("groups.china_target_share", ["CHN", "BLA", "ISKP"])
    by_group = {g["group"]: g["quotes"] for g in ev["per_group"]}
    assert by_group["BLA"] == []  # no seed says BLA targets Chinese interests
    assert "hotel in Kabul" in by_group["ISKP"][0]["quote"]
    assert "assumption" in ev and "BLA" in ev["assumption"]
    plain = evidence("border.clash_rate")
    assert plain["quote"] and plain["assumption"] and plain["quotes"]


def test_the_ticker_draws_the_quote_and_the_assumption():
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    from sim.run.timeline import evidence
    from viz.ticker import evidence_lines

    lines = evidence_lines(evidence("groups.china_target_share", ["CHN", "BLA", "ISKP"]))
    assert any(line.startswith("BLA: no seed sentence") for line in lines)
    assert any(line.startswith("ISKP: “") for line in lines)
    assert lines[-1].startswith("Assumption (groups.china_target_share)")
    both = evidence_lines(evidence("border.clash_rate"))
    assert both[0].startswith("“") and both[-1].startswith("Assumption")


def test_explain_quotes_every_parameter_of_a_channel_with_its_assumption():
    from sim.analysis.explain import _quote

    text = _quote(
        ("levers.PAK.support_vs_iskp", "levers.CHN.security_pressure"),
        "BLA",
        ("levers.CHN.security_pressure",),
    )
    assert text.startswith("No seed gives this link (levers.CHN.security_pressure)")
    assert "Seed 003 (levers.PAK.support_vs_iskp)" in text and "Assumption:" in text
    iskp = _quote(("lethality.mass_rate",), "ISKP")
    quoted = iskp.split(" Assumption:")[0]
    assert "Kabul airport" in quoted and "Peshawar" not in quoted


def test_briefings_open_with_the_not_a_forecast_notice():
    import yaml

    from sim.game.rules import NOTICE

    assert "not a forecast" in NOTICE
    for lesson in (ROOT / "docs" / "lessons").glob("*/lesson.yaml"):
        briefing = yaml.safe_load(lesson.read_text())["briefing"]
        assert briefing.strip().splitlines()[0] == NOTICE, lesson
    assert "R.NOTICE" in (ROOT / "sim" / "game" / "text.py").read_text()
    assert "R.NOTICE" in (ROOT / "viz" / "play" / "scenes.py").read_text()


@pytest.mark.parametrize("ci", ["true", ""])
def test_provenance_tests_fail_in_ci_and_give_one_notice_otherwise(ci, tmp_path):
    env = dict(os.environ, CI=ci, DURAND_SEEDS=str(tmp_path / "absent"))
    res = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "tests/test_parameters.py::test_there_are_five_seeds_and_all_are_cited",
         "tests/test_parameters.py::test_every_quote_is_in_its_seed"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    if ci:
        assert res.returncode != 0 and "source documents are missing" in res.stdout
    else:
        assert res.returncode == 0, res.stdout
        assert res.stdout.count("NOTICE:") == 1 and "provenance tests did not run" in res.stdout


def test_evidence_summary_from_the_cli_matches_the_readme():
    from test_cli import durand

    res = durand("evidence", "--summary")
    assert res.returncode == 0, res.stderr
    assert "values stated in a source document" in res.stdout
    assert res.stdout.strip() in (ROOT / "README.md").read_text(encoding="utf-8")
