"""The history run is calibrated to the GTI figures of seed 004, reproducibly."""

from __future__ import annotations

import re
import shutil

import numpy as np
import pytest
import yaml
from test_cli import ROOT, durand

from sim.analysis.calibration import as_markdown, load_specs, spec_for
from sim.inputs.parameters import registry
from sim.inputs.scenario import load_scenario
from sim.run.runner import run_scenario

HISTORY = ROOT / "scenarios" / "history_2023.yaml"


def test_history_run_reproduces_both_years_within_ten_percent():
    """R = 400 (not the 200 the fit used), so the band holds beyond the fitted replicates."""
    scenario = load_scenario(HISTORY).with_overrides(replicates=400)
    assert scenario.start == (2023, 1) and scenario.months == 24
    attacks = run_scenario(scenario).column("attacks.PAK")
    reg = registry()
    for year, months in ((2023, slice(0, 12)), (2024, slice(12, 24))):
        target = reg[f"reference.attacks_pak_{year}"].value
        median = np.median(attacks[months].sum(axis=0))
        assert abs(median / target - 1) <= 0.10, (year, median, target)


def test_the_scenario_runs_with_the_recorded_fit():
    spec = spec_for("history_2023")
    fitted = yaml.safe_load((HISTORY.parent / spec.fitted_file).read_text())["parameters"]
    params = load_scenario(HISTORY).params
    for path, value in spec.fit["values"].items():
        section, name = path.split(".")
        assert fitted[section][name] == value
        assert params[section][name] == value
        assert value != registry()[path].value  # the fit moved it
    assert spec.fit["within_band"]


def test_calibration_doc_is_current():
    doc = (ROOT / "docs" / "calibration.md").read_text(encoding="utf-8")
    assert doc.strip() == as_markdown().strip(), "run `make calibration-doc`"


def test_calibrate_reproduces_the_stored_fit():
    res = durand("calibrate", str(HISTORY), "--dry-run")
    assert res.returncode == 0, res.stderr
    found = dict(re.findall(r"^(\S+): x([0-9.eE+-]+) ->", res.stdout, flags=re.M))
    stored = spec_for("history_2023").fit["multipliers"]
    assert set(found) == set(stored)
    for path, mult in stored.items():  # the same fit, up to the optimiser's tolerance
        assert float(found[path]) == pytest.approx(mult, rel=0.01), path
    assert "every target within its band" in res.stdout


def test_evidence_shows_fitted_parameters():
    res = durand("evidence", "groups.recruit_rate")
    assert res.returncode == 0
    assert "fitted for scenario history_2023" in res.stdout
    assert "attacks.PAK 2024" in res.stdout


def test_calibrate_refuses_a_scenario_without_spec_or_with_a_shadowed_fit(tmp_path):
    res = durand("calibrate", str(ROOT / "scenarios" / "aid_cut.yaml"), "--dry-run")
    assert res.returncode == 2 and "no calibration spec for 'aid_cut'" in res.stderr
    assert "Traceback" not in res.stderr
    folder = tmp_path / "scenarios"
    shutil.copytree(ROOT / "scenarios", folder)
    text = (folder / "history_2023.yaml").read_text()
    text = text.replace("parameters:\n", "parameters:\n  groups:\n    strength0: {TTP: 0.5}\n", 1)
    (folder / "history_2023.yaml").write_text(text)
    res = durand("calibrate", str(folder / "history_2023.yaml"), "--dry-run")
    assert res.returncode == 2, res.stderr
    assert "parameters.groups.strength0" in res.stderr and "fitted" in res.stderr
    line = text.splitlines().index("    strength0: {TTP: 0.5}") + 1
    assert f"history_2023.yaml:{line}:" in res.stderr  # file and line of the offending key


@pytest.mark.parametrize("name", sorted(load_specs()))
def test_every_spec_is_well_formed(name):
    spec = spec_for(name)
    assert spec.targets and spec.free
    assert (ROOT / "scenarios" / f"{name}.yaml").is_file()
