"""Reading a saved game's file: bounded, and checked field by field before anything uses it.

Every rejection names the save file and a JSON pointer to the field (``g.json#/seed``),
so a corrupt, truncated, hand-edited or hostile save is an input error (exit 2), never a
crash. The schema itself (``SaveFile``) lives beside the writer in ``sim.game.save``;
here it is applied strictly: ``true`` is not the number 1, ``1.0`` is not a whole number.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from sim.inputs.errors import Problem, ScenarioError
from sim.inputs.reader import MAX_JSON_BYTES, brief, json_problem, load_json, path_problem

_EXPECT = {
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "string_type": "expected text",
    "list_type": "expected a list",
    "dict_type": "expected a mapping of keys",
    "bool_type": "expected true or false",
    "missing": "missing required field",
    "extra_forbidden": "unknown field",
}
PATH_FIELDS = ("scenario", "lesson")


def read_save_data(path: str | Path, model: type[BaseModel], fmt: str, version: int) -> Any:
    """Parse and validate a save against ``model`` (strict), or raise a ScenarioError in
    which every problem has a JSON pointer (or, for broken JSON, a line)."""
    name = str(path)
    data = load_json(path, what="saved game", limit=MAX_JSON_BYTES)
    if not isinstance(data, dict):
        msg = f'not a durand saved game: expected a JSON object with "format": "{fmt}"'
        raise ScenarioError([Problem(name, 1, "", msg)])
    if data.get("format") != fmt:
        msg = f'not a durand saved game (expected "format": "{fmt}")'
        raise ScenarioError([json_problem(name, ("format",), msg)])
    got = data.get("version")
    if type(got) is not int or got != version:
        msg = (
            f"saved in format version {brief(got)}; this durand reads version {version}. "
            "Open it with the durand that saved it."
        )
        raise ScenarioError([json_problem(name, ("version",), msg)])
    try:
        save = model.model_validate(data, strict=True)
    except ValidationError as exc:
        raise ScenarioError(_problems(exc, name)) from None
    problems = [
        json_problem(name, at, f"{bad}; expected the path of a file")
        for at, value in _paths(save)
        if (bad := path_problem(value)) is not None
    ]
    if problems:
        raise ScenarioError(problems)
    return save


def _paths(save) -> list[tuple[tuple, str]]:
    out: list[tuple[tuple, Any]] = [((key,), getattr(save, key, None)) for key in PATH_FIELDS]
    out += [(("doctrines", role), p) for role, p in (getattr(save, "doctrines", {}) or {}).items()]
    return [(at, v) for at, v in out if isinstance(v, str)]


def _problems(exc: ValidationError, name: str) -> list[Problem]:
    out = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        kind = err["type"]
        got = err.get("input")
        if kind == "missing":
            msg = f"missing required field '{loc[-1]}'"
        elif kind == "extra_forbidden":
            msg = f"unknown field {brief(str(loc[-1]))}"
        elif kind == "literal_error":
            msg = f"expected one of {err['ctx']['expected']}, got {brief(got)}"
        elif kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
            bound = next(iter(err["ctx"].values()))
            side = "at least" if kind.startswith("greater") else "at most"
            msg = f"expected a value of {side} {bound}, got {brief(got)}"
        else:
            msg = f"{_EXPECT.get(kind, err['msg'])}, got {brief(got)}"
        # pydantic names a bad dict key with a '[key]' suffix segment; the pointer is the key's.
        loc = tuple(p for p in loc if p != "[key]")
        out.append(json_problem(name, loc, msg))
    return out


__all__ = ["read_save_data"]
