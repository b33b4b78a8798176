"""Scenario files: strict, safe loading with ``extends:``, and errors that point at the line.

A scenario is YAML a person writes by hand. Every problem is reported with the file, the
line, the key path and what was expected; nothing is ever half-accepted.
"""

from __future__ import annotations

import calendar
import difflib
import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from sim import GROUPS, STATES
from sim.inputs.errors import Problem, ScenarioError
from sim.inputs.limits import MAX_MONTHS, MAX_REPLICATES, MAX_SEED
from sim.inputs.parameters import default_tree, iter_numbers, registry
from sim.inputs.reader import (
    YAML_SUFFIXES,
    brief,
    is_private,
    is_regular_file,
    path_problem,
    redact,
    safe_resolve,
)
from sim.inputs.yamlio import KeyPath, SourceMap, format_path, load_yaml

FIRST_YEAR, LAST_YEAR = 1900, 2200  # one range for every way a date may be written
MAX_EVENTS = 2_000  # a scenario's timed events (one a month for 600 months is 600)
_YEAR_MONTH = re.compile(r"([0-9]{4})-([0-9]{1,2})(?:-([0-9]{1,2}))?", re.ASCII)


def parse_year_month(value: Any) -> tuple[int, int]:
    """'2025-03', '2025-03-14' or a YAML date (a real calendar day) -> (2025, 3).

    ASCII digits only, a real day when one is given, and the same 1900-2200 range whether
    the date was written as text or as a YAML date."""
    if isinstance(value, date):
        year, month = value.year, value.month
    elif isinstance(value, str) and (m := _YEAR_MONTH.fullmatch(value.strip())):
        year, month = int(m.group(1)), int(m.group(2))
        if not 1 <= month <= 12:
            raise ValueError(
                f"month {month} does not exist; expected a year and month like 2025-03"
            )
        if m.group(3) is not None:
            day = int(m.group(3))
            if not 1 <= day <= calendar.monthrange(year, month)[1]:
                raise ValueError(
                    f"{value.strip()} is not a real date; expected a date like 2025-03"
                )
    else:
        raise ValueError("expected a year and month like 2025-03")
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"expected a year from {FIRST_YEAR} to {LAST_YEAR}")
    return year, month


def month_index(start: tuple[int, int], at: tuple[int, int]) -> int:
    """Months from ``start`` to ``at`` (0 = the first simulated month)."""
    return (at[0] - start[0]) * 12 + (at[1] - start[1])


def add_months(start: tuple[int, int], n: int) -> tuple[int, int]:
    total = start[0] * 12 + (start[1] - 1) + n
    return total // 12, total % 12 + 1


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StrengthLoss(_Strict):
    """A blow to a group outside the modelled operations (e.g. a leader captured)."""

    type: Literal["strength_loss"]
    group: Literal["TTP", "ISKP", "BLA"]
    fraction: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]


class AttackWave(_Strict):
    """A group's attack tempo multiplied for some months (e.g. a declared offensive)."""

    type: Literal["attack_wave"]
    group: Literal["TTP", "ISKP", "BLA"]
    multiplier: Annotated[float, Field(ge=0, le=10, allow_inf_nan=False)]
    months: Annotated[int, Field(strict=True, ge=1, le=MAX_MONTHS)]


class EconomicShock(_Strict):
    """A jump in a country's economic activity (e.g. an IMF programme, a bank collapse)."""

    type: Literal["economic_shock"]
    country: Literal["PAK", "AFG"]
    change: Annotated[float, Field(ge=-1, le=1, allow_inf_nan=False)]


class TrustShock(_Strict):
    """A jump in one state's trust toward another (e.g. a public rebuke)."""

    type: Literal["trust_shock"]
    source: Literal["US", "PAK", "AFG", "CHN"]
    target: Literal["US", "PAK", "AFG", "CHN"]
    change: Annotated[float, Field(ge=-1, le=1, allow_inf_nan=False)]

    @field_validator("target")
    @classmethod
    def _another_state(cls, v: str, info) -> str:
        if v == info.data.get("source"):
            raise ValueError(
                "the target must differ from the source (trust in itself is not modelled)"
            )
        return v


class TensionShock(_Strict):
    """A jump in Pakistan-Afghan Taliban tension (e.g. a major border incident)."""

    type: Literal["tension_shock"]
    change: Annotated[float, Field(ge=-1, le=1, allow_inf_nan=False)]


Shock = Annotated[
    StrengthLoss | AttackWave | EconomicShock | TrustShock | TensionShock,
    Field(discriminator="type"),
]


class Event(_Strict):
    """At a month: set levers and/or apply a shock."""

    at: Any
    set: dict[str, Any] = {}  # lever values are checked against the registry
    shock: Shock | None = None
    note: str = ""

    @field_validator("at", mode="before")
    @classmethod
    def _month(cls, v: Any) -> tuple[int, int]:
        return parse_year_month(v)


class ScenarioFile(_Strict):
    """The schema of a scenario file once ``extends:`` has been merged in."""

    title: str
    description: str = ""
    sources: list[str] = []
    start: Any
    months: Annotated[int, Field(strict=True, ge=1, le=MAX_MONTHS)]
    seed: Annotated[int, Field(strict=True, ge=0, le=MAX_SEED)]
    replicates: Annotated[int, Field(strict=True, ge=1, le=MAX_REPLICATES)]
    parameters: dict[str, Any] = {}
    levers: dict[str, Any] = {}
    events: list[Event] = []

    @field_validator("start", mode="before")
    @classmethod
    def _start(cls, v: Any) -> tuple[int, int]:
        return parse_year_month(v)


@dataclass(frozen=True)
class TimedEvent:
    """An event placed on the model's month axis (0 = first simulated month)."""

    month: int
    set: dict[str, float]
    shock: Any
    note: str
    index: int = 0  # position in the merged file's events list, for error messages


@dataclass
class Scenario:
    """A validated, fully resolved scenario: what the model runs."""

    path: str
    title: str
    description: str
    sources: list[str]
    start: tuple[int, int]
    months: int
    seed: int
    replicates: int
    params: dict[str, Any]
    levers: dict[str, dict[str, float]]
    events: list[TimedEvent] = field(default_factory=list)

    def with_overrides(
        self, *, seed: int | None = None, replicates: int | None = None, months: int | None = None
    ) -> Scenario:
        return replace(
            self,
            seed=self.seed if seed is None else seed,
            replicates=self.replicates if replicates is None else replicates,
            months=self.months if months is None else months,
        )

    def content(self) -> dict[str, Any]:
        """Everything that determines the run, as plain JSON-able data."""
        return {
            "title": self.title,
            "start": f"{self.start[0]:04d}-{self.start[1]:02d}",
            "months": self.months,
            "seed": self.seed,
            "replicates": self.replicates,
            "params": self.params,
            "levers": self.levers,
            "events": [
                {"month": e.month, "set": e.set, "shock": _dump(e.shock), "note": e.note}
                for e in self.events
            ],
        }

    def content_hash(self) -> str:
        blob = json.dumps(self.content(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()


def _dump(shock: Any) -> Any:
    return None if shock is None else shock.model_dump()


# ---------------------------------------------------------------- loading


def load_scenario(path: str | Path) -> Scenario:
    """Load, merge, validate and resolve a scenario file, or raise ScenarioError."""
    path = Path(path)
    hidden: dict[str, Problem] = {}
    try:
        return _load_scenario(path, hidden)
    except ScenarioError as exc:
        raise ScenarioError(redact(exc.problems, hidden)) from None


def _load_scenario(path: Path, hidden: dict[str, Problem]) -> Scenario:
    data, smap = _load_merged(path, (), hidden)
    name = str(path)
    if not isinstance(data, dict):
        raise ScenarioError([Problem(name, 1, "", "expected a mapping of keys at the top level")])
    events = data.get("events")
    if isinstance(events, list) and len(events) > MAX_EVENTS:
        msg = f"{len(events):,} events, more than the {MAX_EVENTS:,} a scenario may hold"
        raise ScenarioError([smap.problem(("events",), msg, name)])
    problems: list[Problem] = []
    try:
        parsed = ScenarioFile.model_validate(data)
    except ValidationError as exc:
        parsed = None
        problems.extend(_pydantic_problems(exc, smap, name, ScenarioFile))
    # The parameter and lever sections are checked even when the rest failed, so one
    # run of `durand validate` reports every problem it can find.
    params = _apply_overrides(
        default_tree(), data.get("parameters") or {}, ("parameters",), "", smap, name, problems
    )
    params.pop("levers", None)
    levers = _apply_overrides(
        default_tree("levers"),
        data.get("levers") or {},
        ("levers",),
        "levers",
        smap,
        name,
        problems,
    )
    if parsed is None:
        raise ScenarioError(problems)
    events = _resolve_events(parsed, levers, smap, name, problems)
    _check_tables(params, smap, name, problems)
    _check_budgets(params, levers, events, smap, name, problems)
    if problems:
        raise ScenarioError(problems)
    return Scenario(
        path=name,
        title=parsed.title,
        description=parsed.description,
        sources=list(parsed.sources),
        start=parsed.start,
        months=parsed.months,
        seed=parsed.seed,
        replicates=parsed.replicates,
        params=params,
        levers=levers,
        events=events,
    )


def resolve_extends(path: Path, ref: str) -> Path:
    """The file ``extends: ref`` in ``path`` names: a path relative to ``path``'s folder,
    or else, for a bare name (``baseline``, ``baseline.yaml``), the shipped scenario."""
    from sim.inputs.resources import shipped_scenario

    beside = safe_resolve(path.parent / ref)
    if is_regular_file(beside):
        return beside
    shipped = shipped_scenario(ref.strip())
    return safe_resolve(shipped) if shipped is not None else beside


def _load_merged(
    path: Path, chain: tuple[Path, ...], hidden: dict[str, Problem]
) -> tuple[Any, SourceMap]:
    data, smap = load_yaml(path, what="scenario file")
    if not isinstance(data, dict) or "extends" not in data:
        return data, smap
    parent_ref = data.pop("extends")
    file, line = smap.locate(("extends",), str(path))

    def refuse(msg: str) -> ScenarioError:
        return ScenarioError([Problem(file, line, "extends", msg)])

    if not isinstance(parent_ref, str) or not parent_ref.strip():
        raise refuse("expected the path of a scenario file")
    bad = path_problem(parent_ref)
    if bad is not None:
        raise refuse(f"{bad}; expected the path of a scenario file")
    shown = brief(parent_ref, 200)
    parent = resolve_extends(path, parent_ref)
    here = safe_resolve(path)
    if parent in chain or parent == here:
        cycle = ", ".join(map(str, chain))
        raise refuse(f"{shown} extends itself (cycle through {cycle})")
    if parent.suffix.lower() not in YAML_SUFFIXES:
        raise refuse(f"{shown} is not a scenario file (expected a name ending in .yaml or .yml)")
    if not is_regular_file(parent):
        raise refuse(f"no scenario file at {shown} (nor a shipped scenario of that name)")
    # What a file outside the user's folders holds is never quoted back: its problems
    # (and those of whatever it extends) are reported at the first `extends:` reaching it.
    if str(path) in hidden:
        hidden[str(parent)] = hidden[str(path)]
    elif is_private(parent, here.parent):
        hidden[str(parent)] = Problem(file, line, "extends", "")
    base, base_map = _load_merged(parent, chain + (here,), hidden)
    if not isinstance(base, dict):
        raise refuse(f"{shown} does not hold a mapping of keys")
    n_base_events = len(base.get("events") or []) if isinstance(base.get("events"), list) else 0
    merged = _deep_merge(base, data)
    merged_map = SourceMap()
    merged_map.update(base_map)
    shifted = SourceMap()
    for key_path, where in smap.items():
        if len(key_path) >= 2 and key_path[0] == "events" and isinstance(key_path[1], int):
            key_path = ("events", key_path[1] + n_base_events) + key_path[2:]
        shifted.record(key_path, *where)
    merged_map.update(shifted)
    return merged, merged_map


def _deep_merge(base: dict, override: dict) -> dict:
    """Mappings merge key by key; ``events`` lists concatenate; other values replace."""
    out = dict(base)
    for key, value in override.items():
        if key == "events" and isinstance(value, list) and isinstance(out.get(key), list):
            out[key] = out[key] + value
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _suggest(key: str, options: list[str]) -> str:
    near = difflib.get_close_matches(key, options, n=1, cutoff=0.6)
    if near:
        return f" (did you mean '{near[0]}'?)"
    shown = ", ".join(sorted(options)[:12])
    return f"; expected one of: {shown}" if options else ""


_EXPECT = {
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number",
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "string_type": "expected text",
    "list_type": "expected a list",
    "dict_type": "expected a mapping of keys",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "model_type": "expected a mapping of keys",
    "model_attributes_type": "expected a mapping of keys",
    "finite_number": "expected a finite number",
}


def _pydantic_problems(
    exc: ValidationError, smap: SourceMap, name: str, model: type[BaseModel]
) -> list[Problem]:
    problems = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        kind = err["type"]
        got = err.get("input")
        if kind == "extra_forbidden":
            options = list(_fields_at(model, loc[:-1]))
            msg = f"unknown key {brief(str(loc[-1]))}{_suggest(str(loc[-1]), options)}"
        elif kind == "missing":
            msg = f"missing required key '{loc[-1]}'"
        elif kind in ("greater_than_equal", "greater_than"):
            bound = err["ctx"].get("ge", err["ctx"].get("gt"))
            msg = f"expected a value of at least {bound}, got {brief(got)}"
        elif kind in ("less_than_equal", "less_than"):
            bound = err["ctx"].get("le", err["ctx"].get("lt"))
            msg = f"expected a value of at most {bound}, got {brief(got)}"
        elif kind == "literal_error":
            msg = f"expected one of {err['ctx']['expected']}, got {brief(got)}"
        elif kind == "union_tag_invalid":
            tags = err["ctx"]["expected_tags"]
            msg = f"unknown shock type {brief(err['ctx']['tag'])}; expected one of {tags}"
        elif kind == "union_tag_not_found":
            msg = f"a shock needs a 'type', one of: {', '.join(_SHOCK_MODELS)}"
        elif kind == "value_error":
            msg = f"{err['ctx']['error']}, got {brief(got)}"
        else:
            expected = _EXPECT.get(kind, err["msg"])
            msg = f"{expected}, got {brief(got)}"
        # Drop pydantic's discriminator tag segment (e.g. 'strength_loss') from the path.
        path = tuple(p for p in loc if not (isinstance(p, str) and p in _SHOCK_MODELS))
        problems.append(smap.problem(path, msg, name))
    return problems


_SHOCK_MODELS = {
    "strength_loss": StrengthLoss,
    "attack_wave": AttackWave,
    "economic_shock": EconomicShock,
    "trust_shock": TrustShock,
    "tension_shock": TensionShock,
}
_NESTED = {"events": Event}


def _fields_at(model: type[BaseModel], loc: tuple) -> list[str]:
    """Field names of the (nested) model at ``loc``, for did-you-mean suggestions."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        current = _SHOCK_MODELS.get(part) or _NESTED.get(part)
    return list(getattr(current, "model_fields", {}))


def _apply_overrides(
    tree: dict[str, Any],
    overrides: Any,
    at: KeyPath,
    registry_prefix: str,
    smap: SourceMap,
    name: str,
    problems: list[Problem],
) -> dict[str, Any]:
    """Merge user overrides into default values, checking keys, types and ranges."""
    specs = registry()

    def spec_for(keys: tuple[str, ...]):
        dotted = ".".join(((registry_prefix,) if registry_prefix else ()) + keys)
        return specs.get(dotted)

    def visit(node: dict, over: Any, keys: tuple[str, ...]):
        path = at + keys
        if not isinstance(over, dict):
            problems.append(
                smap.problem(path, f"expected a mapping of keys, got {brief(over)}", name)
            )
            return
        for key, value in over.items():
            if key not in node or (not registry_prefix and not keys and key == "levers"):
                options = [k for k in node if registry_prefix or keys or k != "levers"]
                hint = " (levers go in the top-level 'levers:' section)" if key == "levers" else ""
                problems.append(
                    smap.problem(
                        path + (key,), f"unknown key '{key}'{_suggest(key, options)}{hint}", name
                    )
                )
                continue
            spec = spec_for(keys + (key,))
            if spec is None:
                visit(node[key], value, keys + (key,))
            else:
                node[key] = _merge_value(
                    node[key], value, spec, path + (key,), smap, name, problems
                )

    visit(tree, overrides, ())
    return tree


def _merge_value(default, value, spec, path, smap, name, problems):
    if isinstance(default, dict):
        if not isinstance(value, dict):
            msg = f"expected a table keyed by {', '.join(default)}, got {brief(value)}"
            problems.append(smap.problem(path, msg, name))
            return default
        merged = dict(default)
        for key, sub in value.items():
            if key not in default:
                msg = f"unknown key '{key}'{_suggest(str(key), list(default))}"
                problems.append(smap.problem(path + (key,), msg, name))
                continue
            merged[key] = _merge_value(default[key], sub, spec, path + (key,), smap, name, problems)
        return merged
    return _check_number(value, spec, path, smap, name, problems, default)


def _check_number(value, spec, path, smap, name, problems, default=None):
    if isinstance(default, bool):
        if not isinstance(value, bool):
            problems.append(smap.problem(path, f"expected true or false, got {brief(value)}", name))
            return default
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        problems.append(
            smap.problem(path, f"expected a number ({spec.unit}), got {brief(value)}", name)
        )
        return default
    if value != value or value in (float("inf"), float("-inf")):
        problems.append(smap.problem(path, f"expected a finite number, got {brief(value)}", name))
        return default
    if spec.low is not None and value < spec.low:
        msg = f"expected a value of at least {spec.low} ({spec.unit}), got {brief(value)}"
        problems.append(smap.problem(path, msg, name))
        return default
    if spec.high is not None and value > spec.high:
        msg = f"expected a value of at most {spec.high} ({spec.unit}), got {brief(value)}"
        problems.append(smap.problem(path, msg, name))
        return default
    return value


def _resolve_events(parsed, levers, smap, name, problems) -> list[TimedEvent]:
    specs = registry()
    out = []
    for i, ev in enumerate(parsed.events):
        month = month_index(parsed.start, ev.at)
        when = f"{ev.at[0]:04d}-{ev.at[1]:02d}"
        if month < 0:
            start = f"{parsed.start[0]:04d}-{parsed.start[1]:02d}"
            msg = f"event date {when} is before the scenario's start {start}"
            problems.append(smap.problem(("events", i, "at"), msg, name))
        elif month >= parsed.months:
            last = "{:04d}-{:02d}".format(*add_months(parsed.start, parsed.months - 1))
            msg = (
                f"event date {when} is after the scenario's last month {last} (start plus "
                f"{parsed.months} months): it would never happen; drop it or lengthen 'months'"
            )
            problems.append(smap.problem(("events", i, "at"), msg, name))
        settings = {}
        for key, value in ev.set.items():
            spec = specs.get(f"levers.{key}")
            where = ("events", i, "set", key)
            if spec is None:
                options = [p.removeprefix("levers.") for p in specs if p.startswith("levers.")]
                problems.append(
                    smap.problem(where, f"unknown lever '{key}'{_suggest(key, options)}", name)
                )
                continue
            state, lever = key.split(".", 1)
            settings[key] = _check_number(
                value, spec, where, smap, name, problems, levers[state][lever]
            )
        if ev.shock is None and not ev.set:
            problems.append(smap.problem(("events", i), "an event needs 'set' or 'shock'", name))
        out.append(TimedEvent(month, settings, ev.shock, ev.note, index=i))
    return sorted(out, key=lambda e: e.month)


def _check_tables(params, smap, name, problems) -> None:
    """Shares that must sum to one (rows of priorities, presence, attack regions)."""
    checks = [
        ("states", "priorities", STATES),
        ("groups", "presence", GROUPS),
        ("groups", "attack_region", GROUPS),
    ]
    for section, key, rows in checks:
        table = params[section][key]
        for row in rows:
            total = sum(v for _, v in iter_numbers(table[row]))
            if abs(total - 1.0) > 1e-6:
                path = ("parameters", section, key, row)
                msg = f"the shares of '{row}' must sum to 1, they sum to {total:.4g}"
                problems.append(smap.problem(path, msg, name))


def _check_budgets(params, levers, events, smap, name, problems) -> None:
    """A state's spending levers may not exceed its budget, at the start or after any event."""
    specs = registry()
    budgets = params["states"]["budget"]
    current = {s: dict(v) for s, v in levers.items()}
    checkpoints = [(None, current)]
    for ev in events:
        for key, value in ev.set.items():
            state, lever = key.split(".", 1)
            current[state][lever] = value
        checkpoints.append((ev.index, {s: dict(v) for s, v in current.items()}))
    for i, snapshot in checkpoints:
        for state, values in snapshot.items():
            spend = sum(v for k, v in values.items() if specs[f"levers.{state}.{k}"].is_spending)
            if spend > budgets[state] + 1e-9:
                path = ("levers", state) if i is None else ("events", i, "set")
                msg = (
                    f"{state} would spend {spend:g} USD million a year, over its budget of "
                    f"{budgets[state]:g} (parameters.states.budget.{state})"
                )
                problems.append(smap.problem(path, msg, name))


__all__ = [
    "Scenario",
    "TimedEvent",
    "load_scenario",
    "parse_year_month",
    "month_index",
    "add_months",
    "format_path",
]
