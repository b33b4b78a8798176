"""The ``durand play`` command: a thin layer over sim.game (imports the model lazily)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sim.inputs.errors import UsageError


def play(
    scenario: Annotated[
        Path | None, typer.Argument(help="Scenario YAML file (default: the baseline).")
    ] = None,
    text: Annotated[
        bool, typer.Option("--text", help="Play in the terminal (no display).")
    ] = False,
    all_bots: Annotated[bool, typer.Option("--all-bots", help="Bots play every seat.")] = False,
    role: Annotated[
        list[str] | None,
        typer.Option(
            "--role",
            help="A seat a person plays (US, PAK, AFG, CHN; repeat for hot-seat). "
            "Without --role or --all-bots, people play all four.",
        ),
    ] = None,
    turns: Annotated[
        int | None,
        typer.Option(
            help="Turns of 3 months. With --load: the turns to play in this session, "
            "counting the one in progress (a lesson keeps its length unless they go past it)."
        ),
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Seed (same seed, same game).")] = None,
    replicates: Annotated[
        int | None, typer.Option(help="Model runs behind each figure (medians shown; default 50).")
    ] = None,
    save: Annotated[
        Path | None,
        typer.Option(
            help="Save the game here after every turn (with --load: default the loaded file)."
        ),
    ] = None,
    load: Annotated[
        Path | None,
        typer.Option(help="Load a saved game and play on from where it was saved."),
    ] = None,
    replay: Annotated[
        bool, typer.Option(help="With --load: show the saved game turn by turn, no new moves.")
    ] = False,
    lesson: Annotated[
        str | None,
        typer.Option(
            "--lesson", help="Start a lesson pack from docs/lessons/ (e.g. middle-ground)."
        ),
    ] = None,
    debrief: Annotated[
        Path | None, typer.Option(help="Write the debrief report (HTML + PNG charts) here.")
    ] = None,
    doctrine: Annotated[
        list[str] | None, typer.Option(help="ROLE=FILE: a bot doctrine YAML for a role.")
    ] = None,
) -> None:
    """Play the strategy game: US, Pakistan, Afghan Taliban and China, in quarterly turns."""
    from sim.game.setup import start_session
    from sim.inputs.scenario import MAX_MONTHS, MAX_REPLICATES, MAX_SEED
    from sim.run.api import check_range

    check_range("turns", turns, 1, MAX_MONTHS // 3)  # a turn is a quarter
    check_range("replicates", replicates, 1, MAX_REPLICATES)
    check_range("seed", seed, 0, MAX_SEED)
    if load is not None and (scenario is not None or lesson is not None):
        raise UsageError("--load restores its own scenario and lesson; drop SCENARIO/--lesson")
    if load is not None and (seed is not None or replicates is not None or doctrine):
        raise UsageError("--load restores the saved seed, replicates and doctrines; drop them")
    if replay and load is None:
        raise UsageError("--replay needs --load FILE")
    game, the_lesson, until = start_session(
        scenario=scenario, lesson=lesson, load=load, turns=turns, seed=seed,
        replicates=replicates, all_bots=all_bots, roles=role or [], doctrines=doctrine or [],
    )  # fmt: skip
    if replay:
        from sim.game.text import replay_text

        replay_text(game, lesson=the_lesson, debrief_dir=debrief, window_asked=not text)
        return
    if load is not None and save is None:
        # A teacher who loads a game and plays on expects the new turns to be kept.
        save = load
        typer.echo(f"Playing on from {load}; it is saved there after every turn (or use --save).")
    if not text:
        from sim.cli.plugins import window

        open_window = window("play", "use --text to play in the terminal")
        open_window(game, lesson=the_lesson, save_path=save, debrief_dir=debrief, until_turn=until)
        return
    from sim.game.text import TextGame

    TextGame(game, save_path=save, lesson=the_lesson, debrief_dir=debrief, until_turn=until).run()
