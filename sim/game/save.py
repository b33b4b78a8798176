"""Saved games: a versioned JSON file holding the game's configuration and its commands.

Loading replays the commands, so a saved game is exact and small. A corrupt, truncated or
incompatible file is a ScenarioError naming the file, the line and the key (exit 2).
"""

from __future__ import annotations

import json
import math
import os
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sim.game.rules import ROLES
from sim.inputs.errors import DurandError, OutputError, Problem, ScenarioError
from sim.inputs.limits import MAX_REPLICATES, MAX_TURNS
from sim.inputs.reader import brief
from sim.inputs.resources import from_stored_form, stored_form

FORMAT = "durand-play-save"
VERSION = 1
# Shipped scenario, lesson and doctrine files are stored as the checkout spells them
# (scenarios/..., docs/lessons/..., sim/game/doctrines/...), so a save opens in any clone
# or installation; other files relative to the save's own folder, or, failing that,
# absolute. PACKAGE_HOME holds the installed sim package (the checkout, when editable).
PACKAGE_HOME = Path(str(files("sim"))).resolve().parent

# What each command in a save must hold: field -> (type check, what is expected).
_TEXT = (lambda v: isinstance(v, str), "text")
_INT = (lambda v: isinstance(v, int) and not isinstance(v, bool), "a whole number")
_BOOL = (lambda v: isinstance(v, bool), "true or false")
_NUMBER = (
    lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v),
    "a finite number",
)
COMMANDS: dict[str, dict[str, tuple]] = {
    "set": {"role": _TEXT, "lever": _TEXT, "value": _NUMBER, "reason": _TEXT, "by": _TEXT},
    "propose": {"role": _TEXT, "offer": _TEXT, "reason": _TEXT, "by": _TEXT},
    "answer": {"role": _TEXT, "offer_id": _INT, "accept": _BOOL, "reason": _TEXT, "by": _TEXT},
    "break": {"role": _TEXT, "offer_id": _INT, "reason": _TEXT, "by": _TEXT},
    "event": {"event": _TEXT, "reason": _TEXT},
    "seat": {"role": _TEXT, "seat": _TEXT},
    "end_turn": {},
    "end_game": {"reason": _TEXT},
}
OPTIONAL = {"reason", "by"}


def command_problems(command: Any) -> list[tuple[tuple, str]]:
    """(key path below the command, message) for each field of a saved command that is
    missing, unknown or of the wrong type."""
    if not isinstance(command, dict):
        return [((), f"a move must be a mapping, got {brief(command)}")]
    kind = command.get("kind")
    if not isinstance(kind, str) or kind not in COMMANDS:
        return [(("kind",), f"unknown kind of move {brief(kind)}; expected one of "
                            f"{', '.join(COMMANDS)}")]  # fmt: skip
    spec = COMMANDS[kind]
    out = []
    for key, value in command.items():
        if key == "kind":
            continue
        if key not in spec:
            out.append(((key,), f"a {kind} move has no field {brief(key)}"))
        elif not spec[key][0](value):
            out.append(((key,), f"expected {spec[key][1]}, got {brief(value)}"))
    for key in spec:
        if key not in command and key not in OPTIONAL:
            out.append(((key,), f"a {kind} move needs {key!r} ({spec[key][1]})"))
    return out


def portable(path: str | Path, save_dir: Path) -> tuple[str, str]:
    """(stored path, what it is relative to: project, save or absolute)."""
    path = Path(path).resolve()
    shipped = stored_form(path)
    if shipped is not None:
        return shipped, "project"
    if path.is_relative_to(PACKAGE_HOME):
        return path.relative_to(PACKAGE_HOME).as_posix(), "project"
    try:
        return Path(os.path.relpath(path, save_dir.resolve())).as_posix(), "save"
    except ValueError:  # another drive (Windows)
        return str(path), "absolute"


def located(stored: str, base: str, save_dir: Path) -> Path:
    """Where a stored path is now: beside the project, the save file or as written."""
    p = Path(stored)
    if p.is_absolute() or base == "absolute":
        return p
    if base == "save":
        return (save_dir / p).resolve()
    shipped = from_stored_form(stored)
    if shipped is not None and shipped.exists():
        return shipped
    for root in (PACKAGE_HOME, Path.cwd()):
        if (root / p).exists():
            return root / p
    return shipped or PACKAGE_HOME / p


Role = Literal["US", "PAK", "AFG", "CHN"]
Finite = Annotated[float, Field(allow_inf_nan=False)]


class Reveal(BaseModel):
    """What the teacher's last reveal showed: every seat's levers and score then."""

    model_config = ConfigDict(extra="forbid")

    turn: Annotated[int, Field(ge=1)]
    levers: dict[Role, dict[str, Finite]]
    scores: dict[Role, Finite]

    @model_validator(mode="after")
    def every_role(self) -> Reveal:
        for name in ("levers", "scores"):
            missing = [r for r in ROLES if r not in getattr(self, name)]
            if missing:
                raise ValueError(f"{name} needs every role; missing {', '.join(missing)}")
        return self


class Position(BaseModel):
    """Where in the turn a game was saved: the seats done, the last reveal, the mode."""

    model_config = ConfigDict(extra="forbid")

    mode: Literal["ordered", "simultaneous"] = "ordered"
    done: list[Role] = []
    revealed_at: Annotated[int, Field(ge=0)] | None = None
    reveal: Reveal | None = None
    autoplay: bool = False
    timer_seconds: Annotated[int, Field(ge=1, le=86_400)] | None = None


class SaveFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: Literal["durand-play-save"]
    version: int
    scenario: str
    scenario_hash: str
    seed: Annotated[int, Field(ge=0)]
    replicates: Annotated[int, Field(ge=1, le=MAX_REPLICATES)]
    turns: Annotated[int, Field(ge=1, le=MAX_TURNS)]
    seats: dict[Literal["US", "PAK", "AFG", "CHN"], Literal["bot", "person"]]
    scenario_base: Literal["project", "save", "absolute"] = "absolute"
    doctrines: dict[Literal["US", "PAK", "AFG", "CHN"], str | None] = {}
    doctrine_base: dict[
        Literal["US", "PAK", "AFG", "CHN"], Literal["project", "save", "absolute"]
    ] = {}
    lesson: str | None = None
    commands: list[dict[str, Any]]
    position: Position | None = None  # where in the turn it was saved (sim.game.flow)


def game_to_dict(
    game, save_dir: Path | None = None, position: dict[str, Any] | None = None
) -> dict[str, Any]:
    from sim.game.doctrine import DOCTRINES

    save_dir = Path.cwd() if save_dir is None else save_dir
    scenario, scenario_base = portable(game.scenario.path, save_dir)
    doctrines: dict[str, str | None] = {}
    doctrine_base: dict[str, str] = {}
    for r, d in game.doctrines.items():
        if Path(d.path).parent == DOCTRINES:
            doctrines[r] = None
        else:
            doctrines[r], doctrine_base[r] = portable(d.path, save_dir)
    out = {
        "format": FORMAT,
        "version": VERSION,
        "scenario": scenario,
        "scenario_base": scenario_base,
        "scenario_hash": game.scenario.with_overrides(
            seed=0, replicates=1, months=1
        ).content_hash(),
        "seed": game.seed,
        "replicates": game.replicates,
        "turns": game.turns,
        "seats": game.initial_seats,
        "doctrines": doctrines,
        "doctrine_base": doctrine_base,
        "lesson": getattr(game, "lesson", None),
        "commands": game.commands,
    }
    if position is not None:
        out["position"] = position
    return out


def save_game(game, path: str | Path, position: dict[str, Any] | None = None) -> Path:
    """Write the game atomically (a failure leaves no half-written file); ``position`` is
    where in the turn it stands (Table.position()), so a load resumes exactly there."""
    from sim.run.files import write_text_atomic

    path = Path(path)
    data = game_to_dict(game, path.parent, position)
    text = json.dumps(data, indent=1, ensure_ascii=False) + "\n"
    return write_text_atomic(path, text, "the game")


def check_writable(path: str | Path) -> Path:
    """Fail before any turn is played if the save file cannot be written (OutputError,
    exit 3): create its folder if need be and write and remove a scratch file beside it."""
    path = Path(path)
    if path.is_dir():
        raise OutputError(f"cannot save the game to {path}: it is a folder; give a file name")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        probe = path.with_name(f".{path.name}.{os.getpid()}.check")
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise OutputError(
            f"cannot save the game to {path}: {exc.strerror or exc}; choose another {{path:save}}",
            settings={"path": None},
        ) from None
    return path


def read_save(path: str | Path) -> SaveFile:
    """The save's fields, checked one by one (every rejection has a JSON pointer)."""
    from sim.game.save_format import read_save_data

    return read_save_data(path, SaveFile, FORMAT, VERSION)


def check_save(path: str | Path):
    """(save, scenario, doctrines by role): everything a save names, loaded and checked
    as strictly as on the command line, before any move is replayed."""
    from sim.game.doctrine import default_doctrine, load_doctrine_for
    from sim.inputs.reader import is_private, json_problem, redact
    from sim.inputs.scenario import load_scenario

    name = str(path)
    save_dir = Path(path).resolve().parent
    save = read_save(path)
    problems = [
        json_problem(name, ("commands", i, *key), msg)
        for i, command in enumerate(save.commands)
        for key, msg in command_problems(command)
    ]
    if save.position is not None and (save.position.revealed_at or 0) > len(save.commands):
        msg = (
            f"a reveal after move {save.position.revealed_at}, but the game has only "
            f"{len(save.commands)} moves"
        )
        problems.append(json_problem(name, ("position", "revealed_at"), msg))
    if problems:
        raise ScenarioError(problems)

    def cannot(at: tuple, what: str, where: Path, exc: DurandError) -> ScenarioError:
        here = json_problem(name, at, f"cannot load {what} {where}")
        if isinstance(exc, ScenarioError) and is_private(where, save_dir):
            # A file outside the user's folders is named, never quoted.
            return ScenarioError(redact(exc.problems, {p.file: here for p in exc.problems}))
        msg = f"{here.message}: {exc}"
        return ScenarioError([Problem(name, None, here.key_path, msg, here.pointer)])

    scenario_path = located(save.scenario, save.scenario_base, save_dir)
    try:
        scenario = load_scenario(scenario_path)
    except DurandError as exc:
        raise cannot(("scenario",), "the game's scenario", scenario_path, exc) from None
    now = scenario.with_overrides(seed=0, replicates=1, months=1).content_hash()
    if now != save.scenario_hash:
        msg = (
            f"the scenario {scenario_path} has changed since this game was saved, so the "
            "game cannot be replayed exactly"
        )
        raise ScenarioError([json_problem(name, ("scenario_hash",), msg)])
    doctrines = {}
    for r, p in ({r: None for r in ROLES} | save.doctrines).items():
        if p is None:
            doctrines[r] = default_doctrine(r)
            continue
        bases: dict[str, str] = {str(k): v for k, v in save.doctrine_base.items()}
        where = located(p, bases.get(r, "absolute"), save_dir)
        try:
            doctrines[r] = load_doctrine_for(r, where)
        except DurandError as exc:
            raise cannot(("doctrines", r), f"{r}'s doctrine", where, exc) from None
    if save.lesson:
        from sim.game.lessons import load_lesson

        try:
            load_lesson(save.lesson)
        except DurandError as exc:
            msg = f"cannot load the game's lesson: {exc}"
            raise ScenarioError([json_problem(name, ("lesson",), msg)]) from None
    return save, scenario, doctrines


def load_game(path: str | Path):
    """Rebuild a saved game by replaying its commands; every error names the save file."""
    from sim.game.engine import Game
    from sim.inputs.reader import json_problem

    name = str(path)
    save, scenario, doctrines = check_save(path)
    try:
        game = Game(
            scenario,
            seed=save.seed,
            turns=save.turns,
            replicates=save.replicates,
            seats={str(k): str(v) for k, v in save.seats.items()},
            doctrines=doctrines,
        )
    except DurandError as exc:
        raise ScenarioError([Problem(name, 1, "", str(exc))]) from None
    game.lesson = save.lesson
    game.saved_position = save.position.model_dump() if save.position is not None else None
    game.commands = []
    for i, command in enumerate(save.commands):
        try:
            game.do(command)
        except (DurandError, TypeError, ValueError, KeyError, ArithmeticError) as exc:
            msg = f"cannot replay this move: {brief(str(exc), 200)}"
            raise ScenarioError([json_problem(name, ("commands", i), msg)]) from None
    return game
