"""Saved games: a versioned JSON file holding the game's configuration and its commands.

Loading replays the commands, so a saved game is exact and small. A corrupt, truncated or
incompatible file is a ScenarioError naming the file, the line and the key (exit 2).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sim.errors import DurandError, OutputError, Problem, ScenarioError
from sim.game.rules import ROLES
from sim.yamlio import format_path

FORMAT = "durand-play-save"
VERSION = 1


class SaveFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: Literal["durand-play-save"]
    version: int
    scenario: str
    scenario_hash: str
    seed: Annotated[int, Field(ge=0)]
    replicates: Annotated[int, Field(ge=1, le=10_000)]
    turns: Annotated[int, Field(ge=1, le=200)]
    seats: dict[Literal["US", "PAK", "AFG", "CHN"], Literal["bot", "person"]]
    doctrines: dict[Literal["US", "PAK", "AFG", "CHN"], str | None] = {}
    lesson: str | None = None
    commands: list[dict[str, Any]]


def game_to_dict(game) -> dict[str, Any]:
    from sim.game.doctrine import DOCTRINES

    return {
        "format": FORMAT,
        "version": VERSION,
        "scenario": str(Path(game.scenario.path).resolve()),
        "scenario_hash": game.scenario.with_overrides(
            seed=0, replicates=1, months=1
        ).content_hash(),
        "seed": game.seed,
        "replicates": game.replicates,
        "turns": game.turns,
        "seats": game.initial_seats,
        "doctrines": {
            r: None if Path(d.path).parent == DOCTRINES else str(Path(d.path).resolve())
            for r, d in game.doctrines.items()
        },
        "lesson": getattr(game, "lesson", None),
        "commands": game.commands,
    }


def save_game(game, path: str | Path) -> Path:
    """Write the game atomically (a failure leaves no half-written file)."""
    from sim.outputs import atomic_path

    path = Path(path)
    text = json.dumps(game_to_dict(game), indent=1, ensure_ascii=False) + "\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(path) as tmp:
            tmp.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"cannot save the game to {path}: {exc}") from None
    return path


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
            f"cannot save the game to {path}: {exc.strerror or exc}; choose another --save"
        ) from None
    return path


def read_save(path: str | Path) -> SaveFile:
    path = Path(path)
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError([Problem(name, None, "", "saved game not found")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(
            [Problem(name, None, "", f"cannot read the saved game: {exc}")]
        ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        msg = (
            f"not a valid saved game: {exc.msg} at column {exc.colno} "
            "(the file may be truncated or edited by hand)"
        )
        raise ScenarioError([Problem(name, exc.lineno, "", msg)]) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        msg = f'not a durand saved game (expected "format": "{FORMAT}")'
        raise ScenarioError([Problem(name, None, "format", msg)])
    if data.get("version") != VERSION:
        msg = (
            f"saved in format version {data.get('version')!r}; this durand reads version "
            f"{VERSION}. Open it with the durand that saved it."
        )
        raise ScenarioError([Problem(name, None, "version", msg)])
    try:
        return SaveFile.model_validate(data)
    except ValidationError as exc:
        problems = [
            Problem(name, None, format_path(tuple(e["loc"])), f"{e['msg']}, got {e.get('input')!r}")
            for e in exc.errors()
        ]
        raise ScenarioError(problems) from None


def load_game(path: str | Path):
    """Rebuild a saved game by replaying its commands."""
    from sim.game.doctrine import default_doctrine, load_doctrine
    from sim.game.engine import Game
    from sim.scenario import load_scenario

    name = str(path)
    save = read_save(path)
    scenario = load_scenario(save.scenario)
    now = scenario.with_overrides(seed=0, replicates=1, months=1).content_hash()
    if now != save.scenario_hash:
        msg = (
            f"the scenario {save.scenario} has changed since this game was saved, so the "
            "game cannot be replayed exactly"
        )
        raise ScenarioError([Problem(name, None, "scenario_hash", msg)])
    doctrines = {
        r: load_doctrine(p) if p else default_doctrine(r)
        for r, p in ({r: None for r in ROLES} | save.doctrines).items()
    }
    game = Game(
        scenario,
        seed=save.seed,
        turns=save.turns,
        replicates=save.replicates,
        seats=dict(save.seats),
        doctrines=doctrines,
    )
    game.lesson = save.lesson
    game.commands = []
    for i, command in enumerate(save.commands):
        try:
            if not isinstance(command.get("kind"), str):
                raise DurandError("a command needs a 'kind'")
            game.do(command)
        except (DurandError, TypeError, ValueError, KeyError) as exc:
            where = format_path(("commands", i))
            raise ScenarioError(
                [Problem(name, None, where, f"cannot replay this move: {exc}")]
            ) from None
    return game
