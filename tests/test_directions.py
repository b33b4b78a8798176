"""The table of expected directions (sim/data/directions.yaml), row by row.

Each "up"/"down" must hold as a paired effect over replicates (common random numbers: the
changed run and the baseline draw the same numbers) under the default parameters and under
every parameter set of a Latin-hypercube sample of the plausible ranges.
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from sim.analysis.directions import (
    DOWN,
    UP,
    holds,
    markdown,
    paired_effects,
    plausible_parameter_sets,
    sampled_parameters,
    table,
    with_parameters,
)
from sim.inputs.scenario import load_scenario
from sim.model.model import BASELINE

ROOT = Path(__file__).resolve().parent.parent
SEEDS = Path(os.environ.get("DURAND_SEEDS") or ROOT.parent / "shared" / "seeds")
REPLICATES = 12
MONTHS = 24
PARAMETER_SETS = 7  # plus the defaults
OUTCOMES, ROWS = table()


@cache
def _parameter_sets() -> tuple[dict[str, float], ...]:
    return ({}, *plausible_parameter_sets(PARAMETER_SETS, seed=1))


@cache
def _effects(row_id: str) -> list[dict[str, np.ndarray]]:
    row = next(r for r in ROWS if r.id == row_id)
    base = load_scenario(BASELINE)
    return [
        paired_effects(with_parameters(base, ps), row, REPLICATES, MONTHS)
        for ps in _parameter_sets()
    ]


@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_every_expected_direction_holds_across_plausible_parameter_sets(row):
    failures = []
    for i, effects in enumerate(_effects(row.id)):
        for metric, sign in row.expect.items():
            if not holds(effects[metric], sign):
                where = "defaults" if i == 0 else f"parameter set {i}"
                failures.append(f"{metric} not {sign} ({where}: {effects[metric].mean():+.4g})")
    assert not failures, f"{row.label}: " + "; ".join(failures)


def test_the_sample_covers_the_plausible_ranges():
    dims = sampled_parameters()
    assert len(dims) > 40
    for path in ("lethality.scale", "attacks.volatility", "border.returns_tension_gain"):
        assert path in dims
    sets = _parameter_sets()[1:]
    for path, (_, low, high) in dims.items():
        values = [s[path] for s in sets]
        assert all(low <= v <= high for v in values), path
    # Latin hypercube: each parameter's values fall in distinct strata of its range.
    low, high = dims["lethality.scale"][1:]
    strata = {int((s["lethality.scale"] - low) / (high - low) * len(sets)) for s in sets}
    assert len(strata) == len(sets)


def test_holds_needs_the_sign_and_a_clear_paired_effect():
    assert holds(np.array([1.0, 1.2, 0.8, 1.1]), UP)
    assert not holds(np.array([1.0, 1.2, 0.8, 1.1]), DOWN)
    assert not holds(np.array([1.0, -1.2, 0.8, -0.9]), UP)  # sign right, lost in the noise
    assert holds(np.array([-0.5, -0.5]), DOWN)  # no noise at all: the sign is enough


def test_every_row_names_its_evidence_or_why_it_is_ambiguous():
    for row in ROWS:
        assert row.expect, row.id
        assert row.source.get("quote") or row.source.get("study"), row.id
        for metric, reason in row.ambiguous.items():
            assert len(reason) > 30 and metric not in row.expect, (row.id, metric)


def test_quotes_are_verbatim_from_the_seeds():
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is not beside the project")

    def norm(text: str) -> str:
        for curly, plain in (("’", "'"), ("‘", "'"), ("“", '"'), ("”", '"')):
            text = text.replace(curly, plain)
        return re.sub(r"\s+", " ", text).strip()

    seeds = {p.name: norm(p.read_text(encoding="utf-8")) for p in SEEDS.glob("*.txt")}
    for row in ROWS:
        if "seed" in row.source:
            assert norm(row.source["quote"]) in seeds[row.source["seed"]], row.id


def test_docs_model_md_shows_the_table():
    doc = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    assert markdown() in doc, "regenerate: python -m sim.analysis.directions > table"


def test_mass_deportation_raises_tension_above_the_baseline():
    """The issue's first complaint, on the shipped scenario itself."""
    from sim.model.model import DurandModel

    base = DurandModel(BASELINE, replicates=20, months=24)
    base.run()
    v = DurandModel(ROOT / "scenarios" / "mass_deportation.yaml", replicates=20, months=24)
    v.run()
    d = v.recorder.column("tension.PAK-AFG").mean(axis=0)
    d = d - base.recorder.column("tension.PAK-AFG").mean(axis=0)
    assert d.mean() > 0.01 and (d > 0).mean() >= 0.9
