"""The model is fitted to many public 2023-2024 figures, reproducibly, and never to the holdout."""

from __future__ import annotations

import shutil

import pytest
import yaml
from test_cli import ROOT, durand

from sim.analysis import calibration as cal
from sim.inputs.errors import ScenarioError, UsageError
from sim.inputs.observations import FIT_WINDOW_END, observations
from sim.inputs.parameters import registry
from sim.run.runner import run_scenario

SPEC = cal.load_spec()
RECORD = cal.load_record()
GENERATED = [ROOT / "sim" / "data" / n for n in ("calibrated.yaml", "calibration_fit.yaml")]
HAND_WRITTEN = [
    ROOT / "sim" / "data" / n for n in ("calibration.yaml", "observations.yaml", "parameters.yaml")
]


def test_the_spec_has_at_least_three_in_window_targets_per_free_parameter():
    assert len(SPEC.free) >= 5 and len(SPEC.targets) >= 3 * len(SPEC.free)
    for t in SPEC.targets:
        assert t.period[1] <= FIT_WINDOW_END and t.per_period[1] <= FIT_WINDOW_END, t.name
        assert not any(o.holdout for o in t.observations), t.name
    kinds = {o.quantity for t in SPEC.targets for o in t.observations}
    assert {"attacks", "deaths", "militants_killed", "returns"} <= kinds
    columns = {c for t in SPEC.targets for c in t.spec.output}
    assert {"attacks.PAK", "attacks.KP", "attacks.BAL", "attacks.AFG"} <= columns
    assert {"attacks.PAK.TTP", "fatalities.PAK", "militants_killed.PAK"} <= columns
    for f in SPEC.free:  # bounds inside the registry's own range
        head, _ = cal.registry_leaf(f.path)
        spec = registry()[head]
        assert spec.low is None or f.bounds[0] >= spec.low, f.path
        assert spec.high is None or f.bounds[1] <= spec.high, f.path


def test_every_miss_is_explained():
    assert RECORD is not None, "run `durand calibrate`"
    assert RECORD["targets"] == len(SPEC.targets)
    for r in RECORD["results"]:
        if not r["inside"]:
            assert r["target"] in SPEC.explanations, f"explain {r['target']} in the spec"


def test_the_stored_fit_meets_the_bar():
    assert SPEC.min_inside >= 0.8
    assert RECORD["inside"] >= SPEC.min_inside * RECORD["targets"]


def test_every_run_uses_the_fitted_values():
    """The registry overlays sim/data/calibrated.yaml: history and baseline alike."""
    fitted = cal.load_fitted()
    assert fitted == RECORD["values"]
    history = cal.scenario_for(SPEC, ROOT)
    assert cal.current_values(SPEC, history) == RECORD["values"]
    raw = yaml.safe_load((ROOT / "sim" / "data" / "parameters.yaml").read_text())
    moved = 0
    for path, value in fitted.items():
        node = raw
        head, keys = cal.registry_leaf(path)
        for part in head.split("."):
            node = node[part]
        default = node["value"]
        for k in keys:
            default = default[k]
        moved += value != default
    assert moved, "the fit moved none of the free parameters"


def test_the_fit_holds_beyond_the_fitted_replicates():
    """R = 500 (not the fit's): the yearly attack and death targets stay inside."""
    scenario = cal.scenario_for(SPEC, ROOT).with_overrides(replicates=500)
    rows = {r["target"]: r for r in cal.target_rows(run_scenario(scenario), SPEC)}
    for name in ("picss_pak_attacks_2023", "picss_pak_attacks_2024", "gti2025_pak_deaths_2024"):
        assert rows[name]["inside"], rows[name]
        assert abs(rows[name]["z"]) < 2, rows[name]


def test_calibrate_check_prints_every_target_and_reproduces():
    res = durand("calibrate", "--check")
    for t in SPEC.targets:
        assert t.name in res.stdout
    assert "The stored fit reproduces." in res.stdout, res.stdout + res.stderr
    assert f"{RECORD['inside']} of {RECORD['targets']} targets inside" in res.stdout
    meets = RECORD["inside"] >= SPEC.min_inside * RECORD["targets"]
    assert res.returncode == (0 if meets else 1), res.stderr  # below the bar fails the check
    assert ("Below the bar" in res.stdout) != meets
    assert "Wrote" not in res.stdout and "evaluations" not in res.stdout  # only reports


def test_check_fails_when_the_stored_fit_no_longer_reproduces():
    stale = yaml.safe_load(yaml.safe_dump(RECORD))
    stale["results"][0]["median"] *= 1.5
    result = cal.check(SPEC, root=ROOT, record=stale)
    assert not result.ok and not result.reproduces
    assert any(SPEC.targets[0].name in p for p in result.problems)
    other = yaml.safe_load(yaml.safe_dump(RECORD))
    first = next(iter(other["values"]))
    other["values"][first] *= 1.1
    assert any("calibrated.yaml" in p for p in cal.check(SPEC, root=ROOT, record=other).problems)


def test_a_short_fit_is_deterministic_and_writes_nothing():
    before = {p: p.read_bytes() for p in GENERATED + HAND_WRITTEN}
    args = ("calibrate", "--dry-run", "--replicates", "20", "--max-evaluations", "12")
    a, b = durand(*args), durand(*args)
    assert a.returncode == 0, a.stderr
    assert a.stdout == b.stdout  # common random numbers and a seeded simplex
    assert "targets inside the model's 90% interval" in a.stdout
    assert {p: p.read_bytes() for p in before} == before


def test_writing_a_fit_touches_only_generated_files(tmp_path, monkeypatch):
    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.setattr(cal, "data_path", lambda name: tmp_path / name)
    hand = {p: p.read_bytes() for p in HAND_WRITTEN}
    written = cal.write_fit(RECORD)
    assert sorted(p.name for p in written) == ["calibrated.yaml", "calibration_fit.yaml"]
    for p in written:
        assert p.read_text().startswith("# Generated by `durand calibrate")
    tree = yaml.safe_load((data / "calibrated.yaml").read_text())
    assert cal._leaves(tree) == RECORD["values"]
    assert {p: p.read_bytes() for p in hand} == hand


def test_the_docs_are_current():
    for name, text in (
        ("calibration.md", cal.calibration_markdown()),
        ("validation.md", cal.validation_markdown()),
    ):
        doc = (ROOT / "docs" / name).read_text(encoding="utf-8")
        assert doc.strip() == text.strip(), f"docs/{name} is stale: run `make calibration-doc`"


def test_the_fit_report_never_shows_a_holdout_figure():
    doc = (ROOT / "docs" / "validation.md").read_text(encoding="utf-8")
    for o in observations():
        if o.holdout:
            assert o.id not in doc
    assert all(r["target"] in {t.name for t in SPEC.targets} for r in RECORD["results"])
    assert "Not explained yet" not in doc


def test_evidence_shows_fitted_parameters():
    res = durand("evidence", "groups.recruit_rate")
    assert res.returncode == 0
    assert "fitted for scenario history_2023" in res.stdout
    assert "targets (2023-2024) inside the model's 90% interval" in res.stdout


def test_calibrate_refuses_a_shadowed_fit_and_bad_options(tmp_path):
    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    path = tmp_path / SPEC.scenario
    text = path.read_text()
    text = text.replace(
        "months: 24\n", "months: 24\nparameters:\n  lethality:\n    scale: 1.3\n", 1
    )
    path.write_text(text)
    with pytest.raises(ScenarioError) as err:
        cal.scenario_for(SPEC, tmp_path)
    line = text.splitlines().index("    scale: 1.3") + 1
    assert f"history_2023.yaml:{line}" in str(err.value) and "fitted" in str(err.value)
    shutil.copy(ROOT / SPEC.scenario, path)  # the same override in the file it extends
    base = tmp_path / "scenarios" / "baseline.yaml"
    base.write_text(
        base.read_text().replace("parameters: {}\n", "parameters:\n  lethality: {scale: 1.3}\n")
    )
    with pytest.raises(UsageError, match="through a file it extends"):
        cal.scenario_for(SPEC, tmp_path)
    res = durand("calibrate", "--check", "--replicates", "50")
    assert res.returncode == 2 and "Traceback" not in res.stderr
    res = durand("calibrate", "--check", cwd=tmp_path)  # not the project folder
    assert res.returncode == 2 and "Traceback" not in res.stderr


def test_partial_months_count_by_days_and_lower_bounds_penalise_only_a_shortfall():
    import datetime as dt

    history = cal.scenario_for(SPEC, ROOT)
    w = cal.month_weights(history, 24, dt.date(2023, 9, 15), dt.date(2024, 1, 15))
    assert w[8] == pytest.approx(16 / 30) and w[9:12].tolist() == [1, 1, 1]
    assert w[12] == pytest.approx(15 / 31) and w.sum() == pytest.approx(4 + 16 / 30 + 15 / 31 - 1)
    with pytest.raises(Exception, match="not inside the run"):
        cal.month_weights(history, 24, dt.date(2024, 12, 1), dt.date(2025, 1, 31))
    bound = next(t for t in SPEC.targets if t.at_least)
    assert cal._z(bound.value * 2, bound) == 0  # more than 'more than' is fine
    assert cal._z(bound.value / 2, bound) < 0  # a shortfall counts
    point = next(t for t in SPEC.targets if not t.at_least)
    assert cal._z(point.value * 2, point) > 0 > cal._z(point.value / 2, point)
