"""The ``durand classroom`` command, declared to sim's command line as an entry point.

Kept free of heavy imports: ``durand --help`` loads this module to list the command.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def classroom(
    scenario: Annotated[
        Path | None,
        typer.Argument(help="Scenario YAML file (instead of --lesson; default: the baseline)."),
    ] = None,
    lesson: Annotated[
        str | None,
        typer.Option("--lesson", help="A lesson pack from docs/lessons/ (e.g. middle-ground)."),
    ] = None,
    tables: Annotated[
        int, typer.Option("--tables", help="Tables (games) in the class, 1 to 32; four seats each.")
    ] = 4,
    host: Annotated[
        str,
        typer.Option(
            help="Address to listen on: 0.0.0.0 lets phones on the classroom network join; "
            "127.0.0.1 keeps the class on this computer."
        ),
    ] = "0.0.0.0",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8765,
    state_dir: Annotated[
        Path | None,
        typer.Option(
            "--state-dir",
            help="Folder holding the class (every table's moves, saved as they are made); "
            "default ./classroom-<lesson or scenario>. The same command restarted resumes it.",
        ),
    ] = None,
    turns: Annotated[
        int | None, typer.Option(help="Turns of 3 months (default: the lesson's).")
    ] = None,
    seed: Annotated[
        int | None, typer.Option(help="Seed (every table plays the same world).")
    ] = None,
    replicates: Annotated[
        int | None, typer.Option(help="Model runs behind each figure (default 50).")
    ] = None,
    timer: Annotated[
        int, typer.Option(help="Seconds per turn before it ends by itself (0: no timer).")
    ] = 0,
    qr: Annotated[bool, typer.Option(help="Print a QR code of the join address.")] = True,
) -> None:
    """Run a class: every team plays a state on its own browser; a teacher console; a
    projector view. Prints the students' join address and the teacher's private address."""
    from viz.classroom.launch import serve

    serve(
        scenario=scenario,
        lesson=lesson,
        tables=tables,
        host=host,
        port=port,
        state_dir=state_dir,
        turns=turns,
        seed=seed,
        replicates=replicates,
        timer=timer,
        qr=qr,
    )
