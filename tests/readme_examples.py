"""The README's command transcripts: find them, run them, and check or rewrite their output.

A transcript is a ```text block whose first line is ``$ durand ...`` (continued with a
trailing backslash); everything after the command up to the closing fence is its output.
``python tests/readme_examples.py`` rewrites every transcript from a fresh run (``make
readme-examples``); tests/test_readme_examples.py checks that each one still reproduces
byte for byte.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
BLOCK = re.compile(r"```text\n(\$ durand .*?)\n```", re.S)


@dataclass(frozen=True)
class Transcript:
    command: str  # as typed, continuation lines included
    output: str
    span: tuple[int, int]  # of the block's inside in the README

    @property
    def argv(self) -> list[str]:
        return shlex.split(self.command.removeprefix("$ ").replace("\\\n", " "))


def transcripts(text: str) -> list[Transcript]:
    out = []
    for m in BLOCK.finditer(text):
        body = m.group(1)
        lines = body.split("\n")
        n = 1
        while lines[n - 1].endswith("\\"):
            n += 1
        out.append(Transcript("\n".join(lines[:n]), "\n".join(lines[n:]), m.span(1)))
    return out


def run(t: Transcript) -> str:
    """The command's standard output, as the README shows it (run from the project root)."""
    durand = Path(sys.executable).parent / "durand"
    argv = [str(durand), *t.argv[1:]]
    env = dict(os.environ, COLUMNS="160", NO_COLOR="1", TERM="dumb")
    res = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    if res.returncode != 0:
        raise RuntimeError(f"{t.command!r} exited {res.returncode}: {res.stderr[-500:]}")
    return res.stdout.rstrip("\n")


def rewrite() -> None:
    text = README.read_text(encoding="utf-8")
    for t in reversed(transcripts(text)):
        a, b = t.span
        text = text[:a] + t.command + "\n" + run(t) + text[b:]
        print(f"ran: {t.command.splitlines()[0]}")
    README.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    rewrite()
