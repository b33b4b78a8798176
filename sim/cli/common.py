"""What every durand command shares: the one Rich console helper and the flags whose
ranges come from sim/inputs/limits.py (Typer checks them, exit 2, before any work)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sim.inputs.errors import UsageError
from sim.inputs.limits import LIMITS


def console(*, stderr: bool = False, wide: bool = False, markup: bool = True):
    """A Rich console for output (``stderr`` for progress and messages). ``wide`` lets
    tables use at least 160 columns (comparison tables are wide)."""
    from rich.console import Console

    width = None
    if wide:
        import shutil

        width = max(shutil.get_terminal_size((160, 24)).columns, 160)
    return Console(stderr=stderr, highlight=False, width=width, markup=markup)


def limited(quantity: str, *names: str, help: str):
    """A ``typer.Option`` for an integer with the project-wide limit of ``quantity``."""
    low, high = LIMITS[quantity]
    return typer.Option(*names, min=low, max=high, help=help)


Seed = Annotated[int | None, limited("seed", "--seed", help="Override the scenario's seed.")]
Replicates = Annotated[
    int | None, limited("replicates", "--replicates", "-r", help="Monte Carlo replicates.")
]
Months = Annotated[int | None, limited("months", "--months", help="Override the horizon.")]


def scenario_path(given: Path) -> Path:
    """A scenario argument: a file, or else the name of a shipped scenario ("baseline")."""
    if given.exists():
        return given
    from sim.inputs.resources import shipped_scenario

    return shipped_scenario(str(given)) or given


def check_out(out: Path, force: bool) -> None:
    """Refuse an --out that is a file, or a folder holding files without --force."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} exists and is not a folder")
    if out.is_dir() and not force and any(out.iterdir()):
        raise UsageError(f"--out {out} already holds files; use --force to overwrite them")
