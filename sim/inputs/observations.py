"""Public observations with provenance: the figures the model is fitted to and checked against.

``sim/data/observations.yaml`` records each published figure with its publisher, report,
date, URL, the sentence it comes from, its definition and its period. Figures for periods
ending after ``FIT_WINDOW_END`` are the holdout: they are loaded (``durand evidence`` lists
them) but ``fitting_target`` refuses them, so no fit can ever be tuned against them.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from sim.inputs.errors import Problem, ScenarioError, UsageError
from sim.inputs.yamlio import SourceMap, format_path, load_mapping

FIT_WINDOW_END = dt.date(2024, 12, 31)  # the model is fitted to data through 2024 only
MAX_BYTES = 2_000_000  # the shipped file is ~150 kB

Text = Annotated[str, Field(min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Period(_Strict):
    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end < self.start:
            raise ValueError(f"period ends ({self.end}) before it starts ({self.start})")
        return self

    @property
    def label(self) -> str:
        s, e = self.start, self.end
        if (s.month, s.day, e.month, e.day) == (1, 1, 12, 31) and s.year == e.year:
            return str(s.year)
        return f"{s.isoformat()} to {e.isoformat()}"


class Source(_Strict):
    publisher: Text
    title: Text
    date: str  # publication date: YYYY-MM or YYYY-MM-DD
    url: Text
    reported_by: str | None = None

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, v: Any) -> str:
        v = v.isoformat() if isinstance(v, dt.date) else v
        if not isinstance(v, str) or not re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", v):
            raise ValueError("expected a publication date like 2025-03 or 2025-03-05")
        return v

    @field_validator("url")
    @classmethod
    def _url(cls, v: str) -> str:
        if not re.match(r"https?://\S+$", v):
            raise ValueError("expected an http(s) URL")
        return v


class Observation(_Strict):
    """One published figure, as the source states it."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9_]+$")]
    quantity: Text
    geography: Text
    group: Text
    period: Period
    value: float | tuple[float, float]  # a pair is a published range
    unit: Text
    definition: Text
    source: Source
    quote: Annotated[str, Field(min_length=20)]
    holdout: bool
    notes: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> Observation:
        if self.holdout != (self.period.end > FIT_WINDOW_END):
            want = "true" if self.period.end > FIT_WINDOW_END else "false"
            raise ValueError(
                f"holdout must be {want}: the period ends {self.period.end}, and every "
                f"observation of a period ending after {FIT_WINDOW_END} is held out"
            )
        if self.source.date[:7] < self.period.start.isoformat()[:7]:
            raise ValueError(f"published {self.source.date}, before its period begins")
        return self

    @property
    def is_range(self) -> bool:
        return isinstance(self.value, tuple)

    @property
    def is_lower_bound(self) -> bool:
        """The source says 'more than', 'over', 'at least'."""
        return "lower bound" in self.unit


class Definition(_Strict):
    """Which published definition the model's output follows for a kind of quantity."""

    quantities: tuple[Text, ...]
    model_output: Text
    follows: Text
    why: Text
    alternatives: str = ""


class ObservationFile(_Strict):
    definitions: dict[str, Definition]
    observations: tuple[Observation, ...]

    @model_validator(mode="after")
    def _covered(self) -> ObservationFile:
        owner: dict[str, str] = {}
        for name, d in self.definitions.items():
            for q in d.quantities:
                if q in owner:
                    raise ValueError(f"quantity {q} is defined twice ({owner[q]} and {name})")
                owner[q] = name
        seen: set[str] = set()
        for i, o in enumerate(self.observations):
            if o.id in seen:
                raise ValueError(f"observations[{i}]: duplicate id {o.id}")
            seen.add(o.id)
            if o.quantity not in owner:
                raise ValueError(
                    f"observations[{i}] ({o.id}): quantity {o.quantity} has no entry "
                    "under definitions (say which definition the model follows)"
                )
        return self


class HoldoutRefused(UsageError):
    """A holdout observation was named as a fitting target."""


class Observations:
    """The loaded file: observations by id, and the definition the model follows for each."""

    def __init__(self, parsed: ObservationFile, path: Path):
        self.path = path
        self.definitions = parsed.definitions
        self.by_id = {o.id: o for o in parsed.observations}

    def __iter__(self):
        return iter(self.by_id.values())

    def __len__(self) -> int:
        return len(self.by_id)

    def get(self, obs_id: str) -> Observation:
        try:
            return self.by_id[obs_id]
        except KeyError:
            import difflib

            near = difflib.get_close_matches(obs_id, list(self.by_id), n=3, cutoff=0.6)
            hint = f" (did you mean {', '.join(near)}?)" if near else ""
            raise UsageError(f"no observation '{obs_id}' in {self.path}{hint}") from None

    def definition_of(self, obs: Observation) -> tuple[str, Definition]:
        for name, d in self.definitions.items():
            if obs.quantity in d.quantities:
                return name, d
        raise AssertionError(obs.quantity)  # ObservationFile checked coverage

    def fitting_target(self, obs_id: str) -> Observation:
        """The observation ``obs_id``, refused if it is held out."""
        obs = self.get(obs_id)
        if obs.holdout:
            raise HoldoutRefused(
                f"observation '{obs_id}' ({obs.period.label}) is a holdout figure: its period "
                f"ends after {FIT_WINDOW_END}, and aggregate figures from 2025 on are never "
                "fitted or tuned against"
            )
        return obs

    def in_window(self) -> list[Observation]:
        return [o for o in self if not o.holdout]


def default_path() -> Path:
    return Path(str(resources.files("sim").joinpath("data/observations.yaml")))


def _check_file(path: Path) -> None:
    if not path.exists():
        raise ScenarioError([Problem(str(path), None, "", "file not found")])
    if not path.is_file():
        raise ScenarioError([Problem(str(path), None, "", "not a regular file")])
    size = path.stat().st_size
    if size > MAX_BYTES:
        msg = f"the file is {size:,} bytes; observation files are at most {MAX_BYTES:,}"
        raise ScenarioError([Problem(str(path), None, "", msg)])


def _problems(exc: ValidationError, smap: SourceMap, name: str, data: dict) -> list[Problem]:
    out = []
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function")))
        key = _name_loc(loc, data)
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown key"
        elif err["type"] == "missing":
            msg = "required key is missing"
        file, line = smap.locate(loc, name)
        out.append(Problem(file, line, format_path(key), msg))
    return out


def _name_loc(loc: tuple, data: dict) -> tuple:
    """Show an observation's id beside its index, so the message names the record."""
    if len(loc) >= 2 and loc[0] == "observations" and isinstance(loc[1], int):
        try:
            obs_id = data["observations"][loc[1]]["id"]
            return ("observations", loc[1], f"<{obs_id}>", *loc[2:])
        except (KeyError, IndexError, TypeError):
            pass
    return loc


def _check_ids(data: dict, smap: SourceMap, name: str) -> None:
    """Duplicate ids, reported at the line of the second record."""
    seen: dict[str, int] = {}
    records = data.get("observations")
    for i, rec in enumerate(records if isinstance(records, list) else []):
        obs_id = rec.get("id") if isinstance(rec, dict) else None
        if not isinstance(obs_id, str):
            continue
        if obs_id in seen:
            msg = f"duplicate id {obs_id} (first at observations[{seen[obs_id]}])"
            raise ScenarioError([smap.problem(("observations", i, "id"), msg, name)])
        seen[obs_id] = i


def load_observations(path: str | Path | None = None) -> Observations:
    """Read and validate an observation file; errors name the file, line and key path."""
    path = Path(path) if path is not None else default_path()
    _check_file(path)
    data, smap = load_mapping(path)
    _check_ids(data, smap, str(path))
    try:
        parsed = ObservationFile.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(_problems(exc, smap, str(path), data)) from None
    return Observations(parsed, path)


@cache
def observations() -> Observations:
    """The shipped observations (cached)."""
    return load_observations()
