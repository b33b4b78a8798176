"""Starting a game from command-line choices: a scenario, a lesson or a saved game."""

from __future__ import annotations

from pathlib import Path

from sim.game import rules as R
from sim.inputs.errors import UsageError


def parse_doctrines(items: list[str]) -> dict:
    from sim.game.doctrine import load_doctrine_for

    out = {}
    for item in items:
        role, sep, path = item.partition("=")
        if not sep or role not in R.ROLES:
            raise UsageError(
                f"{{doctrines:doctrine}}: expected ROLE=FILE with ROLE in {', '.join(R.ROLES)}, "
                f"got {item!r}",
                settings={"doctrines": None},
            )
        out[role] = load_doctrine_for(role, Path(path))
    return out


def seats_for(all_bots: bool, roles: list[str], default_people: list[str] | None = None):
    for r in roles:
        if r not in R.ROLES:
            raise UsageError(
                f"{{roles:role}} {r!r}: expected one of {', '.join(R.ROLES)} "
                "(militant groups are never playable)",
                settings={"roles": None},
            )
    if all_bots and roles:
        raise UsageError(
            "{all_bots} and {roles:role} contradict each other",
            settings={"all_bots": True, "roles": None},
        )
    if all_bots:
        people: list[str] = []
    elif roles:
        people = roles
    elif default_people is not None:
        people = default_people
    else:
        people = list(R.ROLES)
    return {r: "person" if r in people else "bot" for r in R.ROLES}


def start_game(**choices):
    """(Game, Lesson or None) ready to play (see start_session)."""
    game, the_lesson, _ = start_session(**choices)
    return game, the_lesson


def play_on(game, more: int) -> int:
    """``--load F --turns N``: N more turns in this session, counting the turn in progress.

    Returns the last turn of the session. A finished game plays on N turns; an unfinished
    one keeps its horizon (a lesson is never lengthened) unless the N turns go past it.
    """
    if game.finished:
        game.extend(more)
        return game.turns
    last = game.turn + more - 1
    if last > game.turns:
        game.extend(last - game.turns)
    return last


def start_session(
    *, scenario=None, lesson=None, load=None, turns=None, seed=None, replicates=None,
    all_bots=False, roles=(), doctrines=(),
):  # fmt: skip
    """(Game, Lesson or None, last turn of this session or None) ready to play.

    ``turns`` is the game's length for a new game, and the turns to play in this session
    for a loaded one (play_on).
    """
    from sim.game.engine import Game
    from sim.game.lessons import load_lesson
    from sim.model.model import BASELINE

    if load is not None:
        from sim.game.save import load_game

        game = load_game(load)
        the_lesson = load_lesson(game.lesson) if game.lesson else None
        if all_bots or roles:
            for role, seat in seats_for(all_bots, list(roles)).items():
                if game.seats[role] != seat:
                    game.set_seat(role, seat)
        until = play_on(game, turns) if turns is not None else None
        return game, the_lesson, until
    the_lesson = load_lesson(lesson) if lesson else None
    if the_lesson is not None and scenario is None:
        scenario = the_lesson.scenario_path
    spec = the_lesson.spec if the_lesson else None
    game = Game(
        scenario or BASELINE,
        seed=seed if seed is not None else (spec.seed if spec else None),
        turns=turns or (spec.turns if spec else R.DEFAULT_TURNS),
        replicates=replicates or R.REPLICATES,
        seats=seats_for(all_bots, list(roles), spec.people if spec and spec.people else None),
        doctrines=parse_doctrines(list(doctrines)),
    )
    game.lesson = the_lesson.name if the_lesson else None
    return game, the_lesson, None
