"""Every shipped scenario validates and runs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.inputs.scenario import load_scenario
from sim.run.runner import run_scenario

SCENARIOS = sorted((Path(__file__).resolve().parent.parent / "scenarios").glob("*.yaml"))


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario_validates_and_runs(path):
    scenario = load_scenario(path).with_overrides(replicates=4, months=14)
    result = run_scenario(scenario)
    assert result.data.shape[:2] == (14, 4)
    assert np.isfinite(result.data).all()
    assert result.column("attacks.PAK").sum() > 0
    assert scenario.title and scenario.description


def test_baseline_reproduces_the_2024_attack_level():
    """The baseline starts at the 2024 rate of attacks in Pakistan (seed 004: 1,099)."""
    scenario = load_scenario(SCENARIOS[0].parent / "baseline.yaml").with_overrides(
        replicates=300, months=12
    )
    yearly = run_scenario(scenario).column("attacks.PAK").sum(axis=0)
    assert 0.9 * 1099 <= np.median(yearly) <= 1.1 * 1099
