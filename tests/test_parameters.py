"""Every number traces to a seed sentence or a declared assumption."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from sim.inputs.parameters import default_tree, iter_numbers, registry
from sim.inputs.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
SPECS = list(registry().values())


def _normalise(text: str) -> str:
    for curly, plain in (("’", "'"), ("‘", "'"), ("“", '"'), ("”", '"')):
        text = text.replace(curly, plain)
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def seeds() -> dict[str, str]:
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is not beside the project")
    return {p.name: _normalise(p.read_text(encoding="utf-8")) for p in SEEDS.glob("*.txt")}


def test_there_are_five_seeds_and_all_are_cited(seeds):
    assert len(seeds) == 5
    cited = {q.seed for s in SPECS for q in s.sources}
    assert cited == set(seeds), f"seeds never cited: {set(seeds) - cited}"


@pytest.mark.parametrize("spec", SPECS, ids=[s.path for s in SPECS])
def test_every_quote_is_in_its_seed(spec, seeds):
    for quote in spec.sources:
        assert quote.seed in seeds, f"{spec.path} cites unknown seed {quote.seed}"
        assert _normalise(quote.quote) in seeds[quote.seed], (
            f"{spec.path}: quote not in {quote.seed}"
        )


@pytest.mark.parametrize("spec", SPECS, ids=[s.path for s in SPECS])
def test_every_parameter_has_provenance_unit_and_a_value_in_range(spec):
    assert spec.sources or (spec.assumption and len(spec.assumption) > 20), spec.path
    assert spec.unit
    for sub, value in iter_numbers(spec.value):
        assert isinstance(value, int | float) and not isinstance(value, bool), (spec.path, sub)
        assert spec.low is None or value >= spec.low, (spec.path, sub, value)
        assert spec.high is None or value <= spec.high, (spec.path, sub, value)


def test_disagreements_between_seeds_are_recorded():
    reg = registry()
    kabul = reg["reference.kabul_airport_afghan_deaths"]
    assert {"003_c0010bc86aaa074f.txt", "004_e2bf07d51691ba8d.txt"} <= {
        q.seed for q in kabul.sources
    }
    assert "170" in kabul.alternatives and "160" in kabul.alternatives
    attacks = reg["reference.attacks_pak_2023"]
    assert "45%" in attacks.alternatives and "counts" in attacks.alternatives
    assert "Thomas West" in reg["states.priorities"].alternatives


def test_shares_sum_to_one():
    tree = default_tree()
    for section, key in (
        ("states", "priorities"),
        ("groups", "presence"),
        ("groups", "attack_region"),
    ):
        for row, values in tree[section][key].items():
            assert np.isclose(sum(values.values()), 1.0), (section, key, row)


def test_no_numeric_literals_in_the_mechanisms_beyond_structure():
    """Model numbers live in data: the submodels may only use 0, 1, 2 and unit scales."""
    source = (ROOT / "sim" / "model" / "mechanisms.py").read_text()
    code = "\n".join(line.split("#")[0] for line in source.splitlines())
    code = re.sub(r'"""[\s\S]*?"""', "", code)
    literals = set(re.findall(r"(?<![\w.])(\d+\.\d+|\d+)(?![\w.])", code))
    allowed = {"0", "1", "2", "0.0", "1.0", "2.0", "12", "100.0", "1000.0", "1e-12"}
    assert literals <= allowed, (
        f"magic numbers in sim/model/mechanisms.py: {sorted(literals - allowed)}"
    )


def test_scenario_overrides_reach_the_model_parameters(tmp_path):
    child = tmp_path / "s.yaml"
    child.write_text(
        f"extends: {ROOT / 'scenarios' / 'baseline.yaml'}\n"
        "parameters:\n  groups:\n    tempo: {TTP: 80}\n"
    )
    s = load_scenario(child)
    assert s.params["groups"]["tempo"]["TTP"] == 80
    assert s.params["groups"]["tempo"]["BLA"] == registry()["groups.tempo"].value["BLA"]
