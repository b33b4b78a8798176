"""The scenario library: provenance, structure, timed events, and directions from mechanisms.

Direction tests compare paired runs (common random numbers) and check the sign a mechanism
implies, never a tuned magnitude.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import numpy as np
import pytest
import yaml
from test_cli import ROOT, durand
from test_parameters import SEEDS, _normalise

from sim.analysis.library import as_markdown
from sim.inputs.scenario import load_scenario
from sim.run.runner import RunResult, run_scenario

SC = ROOT / "scenarios"
LIBRARY = sorted(p for p in SC.glob("*.yaml") if p.stem != "baseline")
REQUIRED = {
    "history_2023", "aid_cut", "joint_ops", "grand_bargain", "sanctuary_closed",
    "weapons_retrieval", "reserves_unfrozen", "cpec_expansion", "mass_deportation", "do_more",
    "us_disengagement",
}  # fmt: skip


def test_the_library_has_every_scenario_the_issue_names():
    assert {p.stem for p in LIBRARY} >= REQUIRED


def _extends_baseline(path: Path) -> bool:
    data = yaml.safe_load(path.read_text())
    parent = data.get("extends")
    if parent is None:
        return False
    target = (path.parent / parent).resolve()
    return target == (SC / "baseline.yaml").resolve() or _extends_baseline(target)


@pytest.mark.parametrize("path", LIBRARY, ids=[p.stem for p in LIBRARY])
def test_each_extends_the_baseline_and_quotes_its_seeds(path):
    assert _extends_baseline(path)
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is not beside the project")
    seeds = {p.name: _normalise(p.read_text(encoding="utf-8")) for p in SEEDS.glob("*.txt")}
    s = load_scenario(path)
    quotes = re.findall(r"“(.+?)”", s.description, flags=re.S)
    assert quotes, "the description quotes no seed passage"
    for q in quotes:
        assert any(_normalise(q) in text for text in seeds.values()), q[:80]
    assert s.sources and set(s.sources) <= set(seeds)
    cited = {int(n) for n in re.findall(r"[Ss]eed (\d{3})", s.description)}
    assert cited <= {int(src[:3]) for src in s.sources}, (cited, s.sources)


@cache
def _run(name: str, months: int = 36, replicates: int = 40) -> RunResult:
    scenario = load_scenario(SC / f"{name}.yaml").with_overrides(
        replicates=replicates, months=months
    )
    return run_scenario(scenario)


def _paired(name: str, metric: str, how: str = "total") -> np.ndarray:
    """Per-replicate difference from the baseline (same replicates, same streams)."""
    a, b = _run("baseline").column(metric), _run(name).column(metric)
    if how == "total":
        return b.sum(axis=0) - a.sum(axis=0)
    return b[-1] - a[-1]


def test_timed_events_cut_and_restore_aid():
    paid = np.median(_run("aid_cut_restored").column("aid.US-PAK"), axis=1) * 12
    base = np.median(_run("baseline").column("aid.US-PAK"), axis=1) * 12
    assert np.allclose(paid[:12], base[:12])  # 2025: F-16 sustainment continues
    assert np.all(paid[12:30] == 0)  # cut in month 12
    assert np.all(paid[30:] > base[30:])  # restored in month 30, with civil aid


@pytest.mark.parametrize(
    "name, metric, how, sign, mechanism",
    [
        ("aid_cut", "attacks.PAK", "total", +1, "M1: aid -> capacity -> counter-pressure"),
        ("aid_cut", "trust.PAK-US", "end", -1, "M1: cuts -> distrust"),
        ("do_more", "aid.US-PAK", "total", -1, "M1: conditionality withholds aid"),
        ("do_more", "trust.PAK-US", "end", -1, "M1: 'do more' -> distrust"),
        ("joint_ops", "joint_ops.success", "total", +1, "M2: willingness -> joint operations"),
        ("joint_ops", "strength.ISKP", "end", -1, "M2: ISKP is the shared target"),
        ("us_disengagement", "joint_ops", "total", -1, "M2: low salience -> few operations"),
        ("grand_bargain", "cooperation.overlap", "end", +1, "M2: the bargain widens overlap"),
        ("sanctuary_closed", "strength.TTP", "end", -1, "M3/M4: no sanctuary shield"),
        ("sanctuary_closed", "attacks.TTP", "total", -1, "M3/M4: fewer TTP attacks"),
        ("weapons_retrieval", "weapons.TTP", "end", -1, "M4: retrieval removes access"),
        ("weapons_retrieval", "strength.TTP", "end", -1, "M4: weapons -> recruitment"),
        ("drone_campaign", "grievance.PAK", "end", +1, "M3: drones -> grievance"),
        ("drone_campaign", "strength.ISKP", "end", -1, "M3: drones add pressure"),
        ("mass_deportation", "deportations", "total", +1, "M5: deportation"),
        ("mass_deportation", "trust.AFG-PAK", "end", -1, "M5: deportation -> distrust"),
        ("mass_deportation", "cross_border_attacks", "total", -1, "M5: closure"),
        ("reserves_unfrozen", "economy.AFG", "end", +1, "M1: reserves -> Afghan economy"),
        ("reserves_unfrozen", "trust.AFG-US", "end", +1, "M1: reserves -> Taliban trust"),
        ("cpec_expansion", "attacks.china_interests", "total", +1, "M6: exposure"),
        ("cpec_expansion", "economy.PAK", "end", +1, "M6: investment -> economy"),
        ("civil_aid_restored", "stability.PAK", "end", +1, "M1: civil aid -> stability"),
    ],
)
def test_policy_moves_outcomes_the_way_its_mechanism_says(name, metric, how, sign, mechanism):
    d = _paired(name, metric, how)
    assert np.sign(d.mean()) == sign, (mechanism, d.mean())


def test_scenarios_doc_is_generated_and_current(monkeypatch):
    monkeypatch.chdir(ROOT)  # `make scenarios-doc` runs from the project's root
    doc = (ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8")
    from sim.cli.uncertainty import for_library  # the robustness column, as the CLI makes it

    fresh = as_markdown(SC, robustness=for_library(64))
    assert doc.strip() == fresh.strip(), "run `make scenarios-doc`"
    assert "holds in" in doc
    assert "| [`aid_cut`](#aid_cut) |" in doc and "### history_2023" in doc


def test_scenarios_markdown_through_the_cli(tmp_path):
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "baseline.yaml").write_text((SC / "baseline.yaml").read_text())
    (folder / "cut.yaml").write_text(
        "extends: baseline.yaml\ntitle: Cut\ndescription: A cut.\nmonths: 12\n"
        "levers: {US: {military_aid_pak: 0}}\n"
    )
    res = durand("scenarios", "--folder", str(folder), "--markdown")
    assert res.returncode == 0, res.stderr
    assert "| [`cut`](#cut) |" not in res.stdout  # 12 months: not paired with a 60-month run
    assert "| [`baseline`](#baseline) |" in res.stdout
    assert "### cut" in res.stdout and "**Cut**" in res.stdout
    assert f"`{(folder / 'cut').as_posix()}.yaml`" in res.stdout  # its real path
    unpaired = res.stdout.split("another start month or horizon")[1].split("\n## ")[0]
    assert "- [`cut`](#cut)" in unpaired  # listed by calendar year instead
