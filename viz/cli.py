"""The ``durand view`` command, declared to sim's command line as an entry point.

Kept free of heavy imports: ``durand --help`` loads this module to list the command.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sim.cli.common import Months, Replicates, Seed, scenario_path
from sim.inputs.limits import MAX_SPEED, MIN_SPEED


def view(
    scenario: Annotated[
        Path, typer.Argument(help="Scenario YAML file, or a shipped scenario's name (baseline).")
    ],
    headless: Annotated[
        bool, typer.Option(help="Render without a window (SDL dummy driver), for CI and docs.")
    ] = False,
    frames: Annotated[
        int | None, typer.Option(min=1, help="Stop after this many frames (headless default 1).")
    ] = None,
    screenshot: Annotated[
        Path | None, typer.Option(help="Save the last frame to this PNG file.")
    ] = None,
    seed: Seed = None,
    replicates: Replicates = None,
    months: Months = None,
    at: Annotated[str | None, typer.Option(help="Start at this month (YYYY-MM).")] = None,
    speed: Annotated[
        float,
        typer.Option(
            min=MIN_SPEED, max=MAX_SPEED, help=f"Playback speed, {MIN_SPEED:g} to {MAX_SPEED:g}."
        ),
    ] = 1.0,
    paused: Annotated[bool, typer.Option(help="Start paused.")] = False,
    large_font: Annotated[
        bool, typer.Option("--large-font", help="Large text for projectors (key T).")
    ] = False,
) -> None:
    """Watch a run in a window: map, charts, actor cards, events; fork what-if branches."""
    from viz.app import run_viewer

    saved = run_viewer(
        scenario_path(scenario),
        headless=headless,
        frames=frames,
        screenshot=screenshot,
        seed=seed,
        replicates=replicates,
        months=months,
        at=at,
        speed=speed,
        paused=paused,
        large_font=large_font,
    )
    if saved is not None:
        typer.echo(f"Saved {saved}")
