"""Every number traces to a seed sentence or a declared assumption."""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pytest

from sim.inputs.parameters import default_tree, iter_numbers, registry
from sim.inputs.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
SEEDS = Path(os.environ.get("DURAND_SEEDS") or ROOT.parent / "shared" / "seeds")
SPECS = list(registry().values())


def _normalise(text: str) -> str:
    for curly, plain in (("’", "'"), ("‘", "'"), ("“", '"'), ("”", '"')):
        text = text.replace(curly, plain)
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def seeds() -> dict[str, str]:
    if not SEEDS.is_dir():  # tests/conftest.py turns this into a failure under CI
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


# ------------------------------------------------------------------ assumptions and ranges

ASSUMED = [s for s in SPECS if s.is_assumption]
BOILERPLATE = (
    "sweeps test sensitivity",
    "the number is ours",
    "the size is ours",
    "the rate is ours",
    "the levels are ours",
    "a moderate value chosen",
)


def _numbers_in(text: str) -> set[float]:
    """Numbers a sentence states, with '$7 Billion' read as 7000 (USD million)."""
    out = set()
    for m in re.finditer(r"(\d[\d,]*(?:\.\d+)?)\s*(billion|million)?", text, flags=re.I):
        x = float(m.group(1).replace(",", ""))
        out.add(x)
        if (m.group(2) or "").lower() == "billion":
            out.add(x * 1000)
    return out


@pytest.mark.parametrize("spec", [s for s in SPECS if not s.is_assumption], ids=str)
def test_a_value_without_an_assumption_is_literally_in_its_quote(spec):
    stated = set().union(*(_numbers_in(q.quote) for q in spec.sources))
    for sub, value in iter_numbers(spec.value):
        assert float(value) in stated, (
            f"{spec.path}{sub}: {value} is not in its quote; declare an assumption"
        )


@pytest.mark.parametrize("spec", ASSUMED, ids=[s.path for s in ASSUMED])
def test_every_assumption_has_a_specific_reason_and_a_plausible_range(spec):
    text = " ".join(spec.assumption.split())
    assert len(text) > 60, f"{spec.path}: say what the value means and why this size"
    for phrase in BOILERPLATE:
        assert phrase not in text.lower(), f"{spec.path}: boilerplate reason '{phrase}'"
    pl = spec.plausible
    assert pl is not None, f"{spec.path}: an assumption needs plausible low/high and a reason"
    assert len(pl.reason) > 20, spec.path
    if isinstance(spec.value, dict):
        assert (pl.scale is None) != (pl.toward is None), f"{spec.path}: scale or toward"
        if pl.scale is not None:
            lo, hi = pl.scale
            assert 0 <= lo <= 1 <= hi, f"{spec.path}: the default (x1) lies in the range"
        else:
            assert pl.toward.keys() == spec.value.keys(), spec.path
            for row, cells in pl.toward.items():
                assert cells.keys() == spec.value[row].keys(), (spec.path, row)
                assert np.isclose(sum(cells.values()), 1.0), (spec.path, row)
                assert all(0 <= v <= 1 for v in cells.values()), (spec.path, row)
    else:
        assert pl.low is not None and pl.high is not None, spec.path
        assert pl.low <= spec.value <= pl.high, (spec.path, spec.value, pl.low, pl.high)
        assert spec.low is None or pl.low >= spec.low, f"{spec.path}: outside the admissible range"
        assert spec.high is None or pl.high <= spec.high, f"{spec.path}: outside the range"


def test_no_two_parameters_share_one_reason():
    seen: dict[str, str] = {}
    for spec in ASSUMED:
        key = " ".join(spec.assumption.lower().split())
        assert key not in seen, f"{spec.path} repeats the reason of {seen[key]}"
        seen[key] = spec.path


def test_quotes_tagged_with_whom_they_are_about_name_real_actors():
    from sim import GROUPS, STATES

    for spec in SPECS:
        for q in spec.sources:
            assert set(q.about) <= set(GROUPS) | set(STATES), (spec.path, q.about)


def test_the_evidence_summary_counts_add_up():
    from sim.analysis.evidence import counts, summary

    c = counts()
    assert c["entries"] == len(SPECS)
    assert (
        c["from the documents"]
        + c["from public data"]
        + c["assumptions anchored on a document sentence"]
        + c["assumptions with no supporting sentence"]
        == c["entries"]
    )
    assert c["assumptions with a plausible range"] == len(ASSUMED)
    assert f"{c['entries']} parameter entries" in summary()


def test_the_readme_quotes_the_current_evidence_counts():
    from sim.analysis.evidence import summary

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert summary() in readme, "README's split is stale: paste `durand evidence --summary`"
