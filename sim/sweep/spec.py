"""Sweep specs: typed, validated YAML naming a base scenario, factors, a sampler and outcomes.

A spec is checked to the same standard as a scenario: every problem names the file, the
line, the key path and what was expected, and all problems are reported at once (exit 2).
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.inputs.errors import Problem, ScenarioError
from sim.inputs.parameters import registry
from sim.inputs.reader import (
    YAML_SUFFIXES,
    brief,
    is_private,
    is_regular_file,
    path_problem,
    redact,
    safe_resolve,
)
from sim.inputs.scenario import (
    MAX_MONTHS,
    MAX_REPLICATES,
    MAX_SEED,
    Scenario,
    _pydantic_problems,
    _suggest,
    add_months,
    load_scenario,
)
from sim.inputs.yamlio import SourceMap, load_mapping
from sim.model.recorder import METRICS
from sim.sweep.outcomes import Outcome, parse_expression

SAMPLERS = ("grid", "lhs", "sobol", "morris", "mc")
MAX_POINTS = 10_000_000
# Tables whose rows must sum to one: a single swept cell would break the sum.
SHARE_TABLES = ("states.priorities", "groups.presence", "groups.attack_region")

Finite = Annotated[float, Field(allow_inf_nan=False)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Normal(_Strict):
    type: Literal["normal"]
    mean: Finite
    sd: Annotated[float, Field(gt=0, allow_inf_nan=False)]


class Triangular(_Strict):
    type: Literal["triangular"]
    low: Finite
    mode: Finite
    high: Finite

    @model_validator(mode="after")
    def _ordered(self):
        if not self.low <= self.mode <= self.high or self.low == self.high:
            raise ValueError("expected low <= mode <= high with low < high")
        return self


Distribution = Annotated[Normal | Triangular, Field(discriminator="type")]


class FactorFile(_Strict):
    """One factor: a uniform range, a list of values, or a distribution."""

    range: tuple[Finite, Finite] | None = None
    values: Annotated[list[Finite], Field(min_length=1)] | None = None
    distribution: Distribution | None = None
    levels: Annotated[int, Field(strict=True, ge=2, le=1000)] | None = None  # grid only

    @model_validator(mode="after")
    def _exactly_one(self):
        given = [k for k in ("range", "values", "distribution") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of 'range: [low, high]', 'values: [...]' or "
                "'distribution: {type: normal|triangular, ...}'"
            )
        if self.range is not None and not self.range[0] < self.range[1]:
            raise ValueError("a range needs low < high")
        return self


class OutcomeFile(_Strict):
    """A number per run: a statistic of a monthly metric (or expression), maybe in one year."""

    metric: str | None = None
    expr: str | None = None
    stat: Literal["total", "mean", "final", "max", "min"]
    year: Annotated[int, Field(strict=True, ge=1900, le=2300)] | None = None

    @model_validator(mode="after")
    def _one_source(self):
        if (self.metric is None) == (self.expr is None):
            raise ValueError("give exactly one of 'metric' (a monthly metric) or 'expr'")
        return self


class ExecutorFile(_Strict):
    kind: Literal["local", "dask"] = "local"
    workers: Annotated[int, Field(strict=True, ge=1, le=256)] = 1
    chunk_points: Annotated[int, Field(strict=True, ge=1, le=MAX_POINTS)] | None = None
    scheduler: str | None = None


class SweepFile(_Strict):
    """The schema of a sweep spec file."""

    title: str = ""
    description: str = ""
    base: str
    sampler: Literal["grid", "lhs", "sobol", "morris", "mc"]
    points: Annotated[int, Field(strict=True, ge=1, le=MAX_POINTS)] | None = None
    seed: Annotated[int, Field(strict=True, ge=0, le=2**32 - 1)] = 0
    model_seed: Annotated[int, Field(strict=True, ge=0, le=MAX_SEED)] | None = None
    replicates: Annotated[int, Field(strict=True, ge=1, le=MAX_REPLICATES)]
    months: Annotated[int, Field(strict=True, ge=1, le=MAX_MONTHS)] | None = None
    morris_levels: Annotated[int, Field(strict=True, ge=2, le=100)] = 4
    factors: Annotated[dict[str, FactorFile], Field(min_length=1)]
    outcomes: Annotated[dict[str, OutcomeFile], Field(min_length=1)]
    series: list[str] = []  # monthly metrics to keep for every run (series.parquet)
    executor: ExecutorFile = ExecutorFile()


@dataclass(frozen=True)
class Factor:
    """A resolved factor: where its value goes, and how a unit coordinate maps to a value."""

    path: str  # as written, e.g. levers.US.military_aid_pak
    target: str  # "lever" or "param"
    key: tuple[str, ...]  # lever 'US.military_aid_pak' as one item, or the parameter key path
    spec: FactorFile
    low: float | None  # the registry's admissible range
    high: float | None

    @property
    def lever(self) -> str:
        return self.key[0]


@dataclass(frozen=True)
class Sweep:
    """A validated sweep: what the engine runs and what the manifest records."""

    path: str
    spec: SweepFile
    base: Scenario  # with the sweep's months and model seed applied
    factors: tuple[Factor, ...]
    outcomes: tuple[Outcome, ...]

    @property
    def replicates(self) -> int:
        return self.spec.replicates

    @property
    def names(self) -> list[str]:
        return [f.path for f in self.factors]

    def content(self) -> dict[str, Any]:
        """What determines the results (not the executor): hashed for --resume."""
        spec = self.spec.model_dump(mode="json", exclude={"executor", "title", "description"})
        spec.pop("base")
        return {"spec": spec, "base_scenario": self.base.content_hash()}

    def content_hash(self) -> str:
        blob = json.dumps(self.content(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()


def load_sweep(path: str | Path, base: str | Path | None = None) -> Sweep:
    """Load and validate a sweep spec, or raise ScenarioError listing every problem.

    ``base`` replaces the spec's base scenario path (replay uses the copy in the sweep's
    folder, so it works wherever the folder is moved).
    """
    path = Path(path)
    name = str(path)
    data, smap = load_mapping(path, what="sweep spec")
    try:
        spec = SweepFile.model_validate(data)
    except ValidationError as exc:
        problems = _problems(exc, smap, name) + _name_problems(data, path, smap, name)
        problems.sort(key=lambda p: p.line or 0)
        raise ScenarioError(problems) from None
    problems: list[Problem] = []
    base = _load_base(spec, path, smap, name, problems, base)
    factors = _resolve_factors(spec, smap, name, problems)
    outcomes = _resolve_outcomes(spec, base, smap, name, problems)
    for i, metric in enumerate(spec.series):
        if metric not in METRICS:
            msg = f"unknown metric {brief(metric)}{_suggest(metric, list(METRICS))}"
            problems.append(smap.problem(("series", i), msg, name))
    for fpath, f in spec.factors.items():
        if f.levels is not None and spec.sampler != "grid":
            msg = f"'levels' applies to the grid sampler only (this one is {spec.sampler})"
            problems.append(smap.problem(("factors", fpath, "levels"), msg, name))
    if spec.sampler == "grid" and spec.points is not None:
        msg = "a grid takes its size from the factors ('levels', or their 'values'); drop 'points'"
        problems.append(smap.problem(("points",), msg, name))
    if spec.sampler != "grid" and spec.points is None:
        problems.append(smap.problem(("points",), "missing required key 'points'", name))
    if spec.sampler == "grid":
        size = 1
        for f in factors:
            size *= len(f.spec.values) if f.spec.values is not None else (f.spec.levels or 3)
        if size > MAX_POINTS:
            msg = f"the grid has {size:,} points, more than {MAX_POINTS:,}"
            problems.append(smap.problem(("factors",), msg, name))
    if base is not None and factors:
        _check_budget(spec, base, factors, smap, name, problems)
        _check_events(base, factors, smap, name, problems)
    if problems:
        raise ScenarioError(problems)
    return Sweep(name, spec, base, tuple(factors), tuple(outcomes))


def _name_problems(data: dict, path: Path, smap, name) -> list[Problem]:
    """Where the schema check failed, still check the names it could not reach, so one
    run reports every problem: factor paths, metric names, expressions, the base file."""
    from types import SimpleNamespace

    problems: list[Problem] = []
    factors = data.get("factors")
    if isinstance(factors, dict):
        _resolve_factors(SimpleNamespace(factors=dict.fromkeys(factors)), smap, name, problems)
    outcomes = data.get("outcomes")
    for oname, o in outcomes.items() if isinstance(outcomes, dict) else ():
        if not isinstance(o, dict):
            continue
        metric, expr = o.get("metric"), o.get("expr")
        if isinstance(metric, str) and metric not in METRICS:
            msg = f"unknown metric {brief(metric)}{_suggest(metric, list(METRICS))}"
            problems.append(smap.problem(("outcomes", oname, "metric"), msg, name))
        if isinstance(expr, str):
            try:
                parse_expression(expr)
            except ValueError as exc:
                problems.append(smap.problem(("outcomes", oname, "expr"), str(exc), name))
    base = data.get("base")
    if isinstance(base, str):
        try:
            _find_base(base, path)
        except ValueError as exc:
            problems.append(smap.problem(("base",), str(exc), name))
    return problems


def _find_base(base: str, spec_path: Path) -> Path:
    """The base scenario a spec names (beside the spec, else from the current folder), or
    ValueError saying why there is none."""
    bad = path_problem(base)
    if bad is not None:
        raise ValueError(f"{bad}; expected the path of a scenario file")
    shown = brief(base, 200)
    candidates = [spec_path.parent / base, Path(base)]
    found = next((c for c in candidates if is_regular_file(c)), None)
    if found is None:
        raise ValueError(
            f"no scenario file at {shown} (looked beside the spec and in the current folder)"
        )
    if found.suffix.lower() not in YAML_SUFFIXES:
        raise ValueError(f"{shown} is not a scenario file (expected a name ending in .yaml)")
    return found


def _problems(exc: ValidationError, smap: SourceMap, name: str) -> list[Problem]:
    out = []
    for p in _pydantic_problems(exc, smap, name, SweepFile):
        if "unknown key" in p.message and "." in p.key_path:
            # _pydantic_problems suggests only top-level names; nested ones get theirs here.
            parent = p.key_path.rsplit(".", 1)[0].split(".")[0]
            nested = {"executor": ExecutorFile, "outcomes": OutcomeFile, "factors": FactorFile}
            model = nested.get(parent)
            if model is not None:
                key = p.message.split("'")[1]
                msg = f"unknown key {brief(key)}{_suggest(key, list(model.model_fields))}"
                p = Problem(p.file, p.line, p.key_path, msg)
        out.append(p)
    return out


def _load_base(spec, path, smap, name, problems, override=None) -> Scenario | None:
    try:
        found = Path(override) if override else _find_base(spec.base, path)
    except ValueError as exc:
        problems.append(smap.problem(("base",), str(exc), name))
        return None
    try:
        base = load_scenario(found)
    except ScenarioError as exc:
        if override is None and is_private(found, safe_resolve(path).parent):
            # Never quote a file outside the user's folders: say where it is, not what is in it.
            at = smap.problem(("base",), "", name)
            problems.extend(redact(exc.problems, {p.file: at for p in exc.problems}))
        else:
            problems.extend(exc.problems)
        return None
    if spec.months is not None:
        late = [e for e in base.events if e.month >= spec.months]
        if late:
            year, month = add_months(base.start, late[0].month)
            msg = (
                f"the base scenario has an event at {year:04d}-{month:02d}, after the sweep's "
                f"{spec.months} months end; it would never happen. Lengthen 'months' or sweep "
                "a base without that event"
            )
            problems.append(smap.problem(("months",), msg, name))
    return base.with_overrides(months=spec.months, seed=spec.model_seed, replicates=1)


def _resolve_factors(spec, smap, name, problems) -> list[Factor]:
    specs = registry()
    levers = sorted(p for p in specs if p.startswith("levers."))
    out = []
    for path, fspec in spec.factors.items():
        where = ("factors", path)
        parts = path.split(".")
        factor = None
        if parts[0] == "levers" and path in specs:
            s = specs[path]
            factor = Factor(path, "lever", (".".join(parts[1:]),), fspec, s.low, s.high)
        elif parts[0] == "parameters" and len(parts) >= 3:
            factor = _param_factor(path, parts[1:], fspec, specs, smap, name, problems)
            if factor is None:
                continue
        else:
            options = levers if parts[0] == "levers" else [*levers, "parameters.<section>.<name>"]
            msg = (
                f"unknown factor {brief(path)}{_suggest(path, options)}; a factor is a lever path "
                "like levers.US.military_aid_pak or a parameter path like "
                "parameters.groups.tempo.TTP"
            )
            problems.append(smap.problem(where, msg, name))
            continue
        if fspec is not None:
            _check_factor_range(factor, smap, name, problems)
        out.append(factor)
    return out


def _param_factor(path, parts, fspec, specs, smap, name, problems) -> Factor | None:
    where = ("factors", path)
    for cut in range(len(parts), 0, -1):
        entry = ".".join(parts[:cut])
        if entry in specs:
            break
    else:
        options = [f"parameters.{p}" for p in specs if not p.startswith("levers.")]
        msg = f"unknown parameter {brief(path)}{_suggest(path, options)}"
        problems.append(smap.problem(where, msg, name))
        return None
    s = specs[entry]
    value = s.value
    for part in parts[cut:]:
        if not isinstance(value, dict) or part not in value:
            keys = ", ".join(value) if isinstance(value, dict) else "none (it is a single number)"
            msg = f"{brief(part)} is not a cell of parameters.{entry}; its keys are: {keys}"
            problems.append(smap.problem(where, msg, name))
            return None
        value = value[part]
    if isinstance(value, dict):
        example = f"{path}.{next(iter(value))}"
        keys = ", ".join(value)
        msg = f"parameters.{entry} is a table keyed by {keys}; name one cell, e.g. {example}"
        problems.append(smap.problem(where, msg, name))
        return None
    if isinstance(value, bool):
        problems.append(
            smap.problem(where, f"{brief(path)} is a flag, not a number to sweep", name)
        )
        return None
    if entry in SHARE_TABLES:
        msg = f"the rows of parameters.{entry} must sum to 1, so a single cell cannot be swept"
        problems.append(smap.problem(where, msg, name))
        return None
    return Factor(path, "param", tuple(parts), fspec, s.low, s.high)


def _check_factor_range(factor: Factor, smap, name, problems) -> None:
    f = factor.spec
    if f.range is not None:
        lo, hi = f.range
    elif f.values is not None:
        lo, hi = min(f.values), max(f.values)
    elif isinstance(f.distribution, Triangular):
        lo, hi = f.distribution.low, f.distribution.high
    else:  # a normal distribution is clipped to the admissible range
        return
    if factor.low is not None and lo < factor.low:
        msg = f"values reach {lo:g}, below the lowest admissible {factor.low:g}"
        problems.append(smap.problem(("factors", factor.path), msg, name))
    if factor.high is not None and hi > factor.high:
        msg = f"values reach {hi:g}, above the highest admissible {factor.high:g}"
        problems.append(smap.problem(("factors", factor.path), msg, name))


def _resolve_outcomes(spec, base, smap, name, problems) -> list[Outcome]:
    out = []
    for oname, ofile in spec.outcomes.items():
        where = ("outcomes", oname)
        if oname in ("point", "replicate"):
            problems.append(
                smap.problem(where, f"{brief(oname)} is reserved; choose another name", name)
            )
            continue
        expr = None
        if ofile.metric is not None and ofile.metric not in METRICS:
            msg = f"unknown metric {brief(ofile.metric)}{_suggest(ofile.metric, list(METRICS))}"
            problems.append(smap.problem(where + ("metric",), msg, name))
            continue
        if ofile.expr is not None:
            try:
                expr = parse_expression(ofile.expr)
            except ValueError as exc:
                problems.append(smap.problem(where + ("expr",), str(exc), name))
                continue
        months = None
        if ofile.year is not None and base is not None:
            months = [t for t in range(base.months) if add_months(base.start, t)[0] == ofile.year]
            if not months:
                first = add_months(base.start, 0)[0]
                last = add_months(base.start, base.months - 1)[0]
                msg = f"the sweep runs {first}–{last}; {ofile.year} is outside it"
                problems.append(smap.problem(where + ("year",), msg, name))
                continue
        out.append(Outcome(oname, ofile.metric, expr, ofile.stat, ofile.year, months))
    return out


def _check_events(base, factors, smap, name, problems) -> None:
    """A lever the base scenario's timed events set would silently override the factor."""
    for f in factors:
        if f.target != "lever":
            continue
        for event in base.events:
            if f.lever in event.set:
                year, month = add_months(base.start, event.month)
                msg = (
                    f"the base scenario sets {f.lever} at {year:04d}-{month:02d} (its events), "
                    "which would override this factor from then on in every point; sweep a "
                    "base without that event"
                )
                problems.append(smap.problem(("factors", f.path), msg, name))
                break


def _check_budget(spec, base, factors, smap, name, problems) -> None:
    """The worst case of the swept spending levers must fit each state's lowest budget."""
    specs = registry()
    for state, levers in base.levers.items():
        spend, swept = 0.0, []
        for lever, value in levers.items():
            if not specs[f"levers.{state}.{lever}"].is_spending:
                continue
            f = next((f for f in factors if f.path == f"levers.{state}.{lever}"), None)
            spend += value if f is None else upper(f)
            if f is not None:
                swept.append(f.path)
        budget = base.params["states"]["budget"][state]
        bf = next((f for f in factors if f.path == f"parameters.states.budget.{state}"), None)
        if bf is not None:
            budget = lower(bf)
        if swept and spend > budget + 1e-9:
            msg = (
                f"{state} could spend up to {spend:g} USD million a year with these factors, "
                f"over its budget of {budget:g} (parameters.states.budget.{state})"
            )
            problems.append(smap.problem(("factors", swept[0]), msg, name))


def upper(f: Factor) -> float:
    s = f.spec
    if s.range is not None:
        return s.range[1]
    if s.values is not None:
        return max(s.values)
    return s.distribution.high if isinstance(s.distribution, Triangular) else (f.high or 0.0)


def lower(f: Factor) -> float:
    s = f.spec
    if s.range is not None:
        return s.range[0]
    if s.values is not None:
        return min(s.values)
    return s.distribution.low if isinstance(s.distribution, Triangular) else (f.low or 0.0)


def point_scenario(sweep: Sweep, values: dict[str, float]) -> Scenario:
    """The base scenario with one point's factor values written in (levers and parameters)."""
    params = copy.deepcopy(sweep.base.params)
    levers = copy.deepcopy(sweep.base.levers)
    for f in sweep.factors:
        v = float(values[f.path])
        if f.target == "lever":
            state, lever = f.lever.split(".", 1)
            levers[state][lever] = v
        else:
            node = params
            for part in f.key[:-1]:
                node = node[part]
            node[f.key[-1]] = v
    return replace(sweep.base, params=params, levers=levers)
