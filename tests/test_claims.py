"""Every claim the teaching text credits to a seed stands beside a verbatim quote from it.

A citation is "seed NNN" / "seeds NNN, MMM" / "Seed NNN:" in the README, docs/game.md,
docs/model.md, the lessons, the bot doctrines, the game rules, the scenario descriptions and
the parameter registry's assumption texts.
Each must either be followed (in the same passage) by a quotation that is verbatim in that
seed, or match an entry of sim/data/claims.yaml — a claim -> quote table reviewed by hand —
whose claim text is in the file next to the citation, whose quote is verbatim in the seed,
and whose topic words appear in both the claim and the quote. No exemptions.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from test_parameters import ROOT, SEEDS, SPECS, _normalise

from sim.inputs.parameters import registry

CLAIMS = yaml.safe_load((ROOT / "sim" / "data" / "claims.yaml").read_text(encoding="utf-8"))
FILES = sorted(
    [
        ROOT / "README.md",
        ROOT / "docs" / "game.md",
        ROOT / "docs" / "model.md",
        ROOT / "sim" / "game" / "rules.py",
        *(ROOT / "docs" / "lessons").rglob("*.yaml"),
        ROOT / "docs" / "lessons" / "README.md",
        *(ROOT / "sim" / "game" / "doctrines").glob("*.yaml"),
        *(ROOT / "scenarios").glob("*.yaml"),
    ]
)
CITATION = re.compile(r"\b[Ss]eeds? (\d{3}(?:(?:,| and|, and) \d{3})*)(?!\d)")
QUOTE = re.compile(r"[“\"]([^”\"]{12,}?)[”\"]|(?<![\w])'([^']{12,}?)'(?![\w])")
NEAR = 400  # characters: how far a claim or quote may stand from its citation


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _flat(text: str) -> str:
    """Text with line breaks, comment marks and indentation folded, for matching."""
    text = re.sub(r"\n\s*(#\s?)?", " ", text)
    return re.sub(r"\s+", " ", text.replace("’", "'").replace("‘", "'"))


def citations() -> list[tuple[str, int, str, str]]:
    """(file, offset, seed, flattened text) for every seed citation in the teaching text."""
    out = []
    for path in FILES:
        flat = _flat(path.read_text(encoding="utf-8"))
        for m in CITATION.finditer(flat):
            for seed in re.findall(r"\d{3}", m.group(1)):
                out.append((_rel(path), m.start(), seed, flat))
    return out


CITED = citations()


@pytest.fixture(scope="module")
def seeds() -> dict[str, str]:
    if not SEEDS.is_dir():  # tests/conftest.py turns this into a failure under CI
        pytest.skip("../shared/seeds is not beside the project")
    return {p.name[:3]: _normalise(p.read_text(encoding="utf-8")) for p in SEEDS.glob("*.txt")}


def _inline_quote(flat: str, at: int, seed: str, seeds: dict[str, str]) -> bool:
    """A verbatim quotation of ``seed`` stands right after the citation ("Seed 003: “…”") or
    right before it ("“…” (seed 003)"), with no other citation in between."""
    after = flat[at : at + NEAR]
    nxt = CITATION.search(after, 8)
    after = after[: nxt.start()] if nxt is not None else after
    before = flat[max(0, at - NEAR) : at]
    prev = list(CITATION.finditer(before))
    before = before[prev[-1].end() :] if prev else before
    quotes = [a or b for a, b in QUOTE.findall(after) + QUOTE.findall(before)[-1:]]
    return any(_normalise(q) in seeds[seed] for q in quotes)


def _curated(file: str, at: int, seed: str, flat: str) -> dict | None:
    for entry in CLAIMS:
        if entry["file"] != file or entry["seed"] != seed:
            continue
        claim = _flat(entry["claim"])
        for m in re.finditer(re.escape(claim), flat):
            if m.start() - NEAR <= at <= m.end() + NEAR:
                return entry
    return None


def test_the_teaching_text_cites_seeds():
    assert len(CITED) > 50, "the citation scan found too little: is the pattern broken?"


@pytest.mark.parametrize(
    "file,at,seed,flat", CITED, ids=[f"{f}@{a}:seed{s}" for f, a, s, _ in CITED]
)
def test_every_citation_stands_beside_a_verbatim_quote(file, at, seed, flat, seeds):
    if _inline_quote(flat, at, seed, seeds):
        return
    entry = _curated(file, at, seed, flat)
    context = flat[max(0, at - 120) : at + 160]
    assert entry is not None, (
        f"{file}: 'seed {seed}' has no verbatim quote beside it and no entry in "
        f"sim/data/claims.yaml: ...{context}..."
    )


@pytest.mark.parametrize("entry", CLAIMS, ids=[f"{e['file']}:{e['seed']}" for e in CLAIMS])
def test_every_curated_claim_is_in_its_file_and_quotes_its_seed(entry, seeds):
    flat = _flat((ROOT / entry["file"]).read_text(encoding="utf-8"))
    assert _flat(entry["claim"]) in flat, f"{entry['file']}: claim text not found (edited?)"
    assert _normalise(entry["quote"]) in seeds[entry["seed"]], (
        f"{entry['file']}: quote not verbatim in seed {entry['seed']}"
    )
    claim, quote = entry["claim"].lower(), _normalise(entry["quote"]).lower()
    words = entry["topic"]
    assert words, "name the topic words the claim and the quote share"
    for word in words:
        assert word.lower() in claim, f"topic word '{word}' not in the claim"
        assert word.lower() in quote, f"topic word '{word}' not in the quote"


def test_every_curated_claim_is_used():
    """An entry whose claim has no citation of its seed beside it is stale."""
    for entry in CLAIMS:
        flat = _flat((ROOT / entry["file"]).read_text(encoding="utf-8"))
        spots = [m.start() for m in re.finditer(re.escape(_flat(entry["claim"])), flat)]
        near = [
            a
            for f, a, s, _ in CITED
            if f == entry["file"] and s == entry["seed"] and any(abs(a - x) <= NEAR for x in spots)
        ]
        assert near, f"{entry['file']}: no 'seed {entry['seed']}' beside '{entry['claim']}'"


def test_game_rule_sources_are_verbatim(seeds):
    from sim.game.rules import GOALS, OFFERS

    for name, source in [(g, GOALS[g].source) for g in GOALS] + [
        (o, OFFERS[o].source) for o in OFFERS
    ]:
        seed, _, text = source.partition(": ")
        assert _normalise(text) in seeds[seed], f"{name}: source is not verbatim in seed {seed}"


def test_the_deal_table_quotes_its_seeds_verbatim(seeds):
    table = (ROOT / "docs" / "game.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `\w+` \|.*\| (\d{3}): \"(.+)\" \|$", table, flags=re.M)
    assert len(rows) == 5, "every deal row quotes a seed sentence"
    for seed, quote in rows:
        assert _normalise(quote) in seeds[seed], quote[:60]


# ------------------------------------------------------------------ the parameter registry

REGISTRY_TEXTS = [
    (spec.path, field, " ".join(text.split()))
    for spec in SPECS
    for field, text in (
        ("assumption", spec.assumption),
        ("alternatives", spec.alternatives),
        ("plausible", spec.plausible.reason if spec.plausible else None),
    )
    if text
]
REGISTRY_CITED = [
    (path, field, text, seed)
    for path, field, text in REGISTRY_TEXTS
    for m in CITATION.finditer(text)
    for seed in re.findall(r"\d{3}", m.group(1))
]


@pytest.mark.parametrize(
    "path,field,text,seed",
    REGISTRY_CITED,
    ids=[f"{p}.{f}:seed{s}" for p, f, _, s in REGISTRY_CITED],
)
def test_registry_texts_cite_seeds_the_entry_quotes(path, field, text, seed, seeds):
    """A seed named in an entry's assumption is quoted in that entry's sources, or the text
    quotes it verbatim ('...' or "...")."""
    spec = registry()[path]
    if any(q.seed.startswith(seed) for q in spec.sources):
        return
    quotes = [a or b for a, b in QUOTE.findall(text)]
    assert any(_normalise(q) in seeds[seed] for q in quotes), (
        f"{path} {field}: cites seed {seed} but neither its sources nor its text quote it"
    )
