"""Every command transcript in the README reproduces byte for byte (common random numbers and
counter-based streams make the runs exact). ``make readme-examples`` rewrites them."""

from __future__ import annotations

import pytest
from readme_examples import README, run, transcripts

EXAMPLES = transcripts(README.read_text(encoding="utf-8"))


def test_the_readme_has_transcripts():
    assert len(EXAMPLES) >= 4


@pytest.mark.parametrize("t", EXAMPLES, ids=[t.command.splitlines()[0][:60] for t in EXAMPLES])
def test_readme_transcript_reproduces(t):
    assert run(t) == t.output, f"stale: run `make readme-examples` ({t.command.splitlines()[0]})"
