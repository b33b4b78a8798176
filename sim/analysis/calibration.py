"""Calibration: fit declared free parameters to many published 2023-2024 figures.

The spec (``sim/data/calibration.yaml``, hand-written, never rewritten) names the scenario
that replays 2023-2024, the free parameters (registry leaves, with bounds and a reason) and
the targets: observation ids from ``sim/data/observations.yaml`` with the model output each
is compared with and a tolerance that reflects how far the sources disagree. Holdout
observations (periods after 2024) are refused as targets by the loader.

``calibrate`` minimises the sum of squared standardised log errors of the medians over
replicates (every evaluation uses the same seed: common random numbers) with a seeded
Nelder-Mead from ``scipy.optimize``. It writes two generated files: the fitted leaves to
``sim/data/calibrated.yaml`` (which the parameter registry overlays, so every run uses
them) and the fit record to ``sim/data/calibration_fit.yaml``; docs/validation.md and
docs/calibration.md are generated from the spec and the record. ``check`` re-runs the
stored fit and reports whether it still reproduces.
"""

from __future__ import annotations

import calendar
import copy
import datetime as dt
import math
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.inputs.errors import Problem, ScenarioError, UsageError
from sim.inputs.observations import (
    FIT_WINDOW_END,
    HoldoutRefused,
    Observation,
    Observations,
    load_observations,
)
from sim.inputs.parameters import registry
from sim.inputs.scenario import Scenario, add_months, load_scenario
from sim.inputs.yamlio import load_mapping

SPEC_FILE = "data/calibration.yaml"
FITTED_FILE = "data/calibrated.yaml"  # generated: the fitted leaves the registry overlays
RECORD_FILE = "data/calibration_fit.yaml"  # generated: the last fit's record
REPRODUCE_RTOL = 1e-5  # --check: the record keeps 6 significant digits


def data_path(name: str) -> Path:
    return Path(str(resources.files("sim").joinpath(name)))


# ------------------------------------------------------------------ the spec


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FreeParameter(_Strict):
    """A registry leaf the fit may move, within bounds (searched on a log scale if asked)."""

    path: str
    bounds: tuple[float, float]
    start: float
    scale: Literal["log", "linear"] = "linear"
    why: Annotated[str, Field(min_length=10)]

    @model_validator(mode="after")
    def _check(self) -> FreeParameter:
        lo, hi = self.bounds
        if not lo < hi:
            raise ValueError(f"{self.path}: bounds {self.bounds} are not increasing")
        if not lo <= self.start <= hi:
            raise ValueError(f"{self.path}: start {self.start} outside {self.bounds}")
        if self.scale == "log" and lo <= 0:
            raise ValueError(f"{self.path}: a log scale needs a positive lower bound")
        return self

    def to_unit(self, value: float) -> float:
        lo, hi = self.bounds
        if self.scale == "log":
            return (math.log(value) - math.log(lo)) / (math.log(hi) - math.log(lo))
        return (value - lo) / (hi - lo)

    def from_unit(self, u: float) -> float:
        lo, hi = self.bounds
        u = min(max(u, 0.0), 1.0)
        if self.scale == "log":
            return _round(math.exp(math.log(lo) + u * (math.log(hi) - math.log(lo))))
        return _round(lo + u * (hi - lo))


class TargetSpec(_Strict):
    """One observation (or a share of two) and the model output it is compared with."""

    id: str  # the observation
    plus: tuple[str, ...] = ()  # further observations added to it (e.g. returns + deportations)
    per: str | None = None  # compare a share: id's value over this observation's value
    output: tuple[str, ...]  # model columns summed over the observation's period
    per_output: tuple[str, ...] = ()  # the share's denominator columns
    scale: float = 1.0  # model units -> observation units (e.g. 1000 for thousands of people)
    tolerance: Annotated[float, Field(gt=0, le=3)]  # s.d. of the log error it is allowed
    spread: bool = False  # a monthly figure: the model's own spread must account for its scatter
    why: str = ""

    @model_validator(mode="after")
    def _share(self) -> TargetSpec:
        if self.per is not None and not self.per_output:
            raise ValueError("a share over `per` needs the model's `per_output` columns")
        return self

    @property
    def is_share(self) -> bool:
        return bool(self.per_output)

    @property
    def name(self) -> str:
        return self.id if self.per is None else f"{self.id} / {self.per}"


class SensitivitySpec(_Strict):
    """A second fit with some targets swapped for another source's figures."""

    name: Annotated[str, Field(pattern=r"^[a-z0-9_]+$")]
    why: Annotated[str, Field(min_length=10)]
    swap: dict[str, str]  # target id -> the other source's observation id


class SpecFile(_Strict):
    scenario: str  # relative to the project root
    replicates: Annotated[int, Field(ge=20, le=100_000)]
    max_evaluations: Annotated[int, Field(ge=1, le=5000)]
    seed: int  # the optimiser's (the runs use the scenario's seed: common random numbers)
    min_inside: Annotated[float, Field(ge=0, le=1)]
    free: tuple[FreeParameter, ...]
    targets: tuple[TargetSpec, ...]
    explanations: dict[str, str] = {}
    sensitivity: tuple[SensitivitySpec, ...] = ()
    caveats: str = ""

    @model_validator(mode="after")
    def _enough(self) -> SpecFile:
        if len(self.targets) < 3 * len(self.free):
            raise ValueError(
                f"{len(self.targets)} targets for {len(self.free)} free parameters: a fit "
                "needs at least three targets per free parameter"
            )
        names = [t.name for t in self.targets]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"targets listed twice: {', '.join(dupes)}")
        paths = [f.path for f in self.free]
        if len(set(paths)) != len(paths):
            raise ValueError("a free parameter is listed twice")
        unknown = sorted(set(self.explanations) - set(names))
        if unknown:
            raise ValueError(f"explanations for unknown targets: {', '.join(unknown)}")
        for sens in self.sensitivity:
            missing = sorted(set(sens.swap) - {t.id for t in self.targets})
            if missing:
                raise ValueError(f"sensitivity {sens.name} swaps unknown targets: {missing}")
        return self


@dataclass(frozen=True)
class Target:
    """A resolved target: what is compared, with what, and the observations behind it."""

    spec: TargetSpec
    value: float  # in the observation's units (a share if ``spec.per``)
    at_least: bool  # the source says 'more than': only a shortfall counts
    period: tuple[dt.date, dt.date]
    per_period: tuple[dt.date, dt.date]  # the share's denominator's period
    observations: tuple[Observation, ...]  # id, plus, then per

    @property
    def name(self) -> str:
        return self.spec.name


@dataclass(frozen=True)
class Sensitivity:
    name: str
    why: str
    swap: dict[str, str]
    targets: tuple[Target, ...]


@dataclass(frozen=True)
class CalibrationSpec:
    path: Path
    scenario: str
    replicates: int
    max_evaluations: int
    seed: int
    min_inside: float
    free: tuple[FreeParameter, ...]
    targets: tuple[Target, ...]
    explanations: dict[str, str]
    caveats: str
    sensitivity: tuple[Sensitivity, ...] = ()

    def all_targets(self) -> tuple[Target, ...]:
        return self.targets + tuple(t for s in self.sensitivity for t in s.targets)


def _round(x: float) -> float:
    return float(f"{x:.4g}")


def registry_leaf(path: str) -> tuple[str, tuple[str, ...]]:
    """Split ``groups.recruit_rate.TTP`` into the registry path and the keys inside it."""
    reg = registry()
    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        head = ".".join(parts[:cut])
        if head in reg:
            node = reg[head].value
            for key in parts[cut:]:
                if not isinstance(node, dict) or key not in node:
                    raise KeyError(f"{path}: {head} has no entry {key}")
                node = node[key]
            if not isinstance(node, int | float) or isinstance(node, bool):
                raise KeyError(f"{path} is not a number (a table? name one entry)")
            return head, tuple(parts[cut:])
    raise KeyError(f"{path} is not a registry parameter")


def load_spec(path: Path | None = None, obs: Observations | None = None) -> CalibrationSpec:
    """Read and check the spec; every target must be an in-window observation."""
    path = Path(path) if path is not None else data_path(SPEC_FILE)
    data, smap = load_mapping(path)
    name = str(path)
    try:
        raw = SpecFile.model_validate(data)
    except ValidationError as exc:
        invalid: list[Problem] = []
        for err in exc.errors():
            loc = err["loc"]
            msg = err["msg"].removeprefix("Value error, ")
            invalid.append(smap.problem(loc, msg, name))
        raise ScenarioError(invalid) from None
    obs = obs if obs is not None else load_observations()
    problems: list[Problem] = []
    for i, f in enumerate(raw.free):
        try:
            registry_leaf(f.path)
        except KeyError as exc:
            problems.append(smap.problem(("free", i, "path"), str(exc.args[0]), name))
    targets = []
    for i, t in enumerate(raw.targets):
        try:
            targets.append(_resolve(t, obs))
        except (HoldoutRefused, UsageError, ValueError) as exc:
            problems.append(smap.problem(("targets", i, "id"), str(exc), name))
    sensitivity = []
    for i, sens in enumerate(raw.sensitivity):
        swapped = []
        for t in raw.targets:
            other = sens.swap.get(t.id)
            t2 = t if other is None else t.model_copy(update={"id": other})
            try:
                swapped.append(_resolve(t2, obs))
            except (HoldoutRefused, UsageError, ValueError) as exc:
                problems.append(smap.problem(("sensitivity", i, "swap", t.id), str(exc), name))
        sensitivity.append(Sensitivity(sens.name, sens.why, dict(sens.swap), tuple(swapped)))
    if problems:
        raise ScenarioError(problems)
    return CalibrationSpec(
        path=path,
        scenario=raw.scenario,
        replicates=raw.replicates,
        max_evaluations=raw.max_evaluations,
        seed=raw.seed,
        min_inside=raw.min_inside,
        free=raw.free,
        targets=tuple(targets),
        explanations=dict(raw.explanations),
        caveats=raw.caveats,
        sensitivity=tuple(sensitivity),
    )


def _resolve(t: TargetSpec, obs: Observations) -> Target:
    main = [obs.fitting_target(i) for i in (t.id, *t.plus)]
    per = obs.fitting_target(t.per) if t.per else None
    periods = {(o.period.start, o.period.end) for o in main}
    if len(periods) != 1:
        raise ValueError(f"target {t.name}: its observations cover different periods")
    period = periods.pop()
    per_period = (per.period.start, per.period.end) if per else period
    if any(o.is_range for o in main) or (per and per.is_range):
        raise ValueError(f"target {t.name}: a published range is not a target value")
    total = math.fsum(float(o.value) for o in main)
    value = total / float(per.value) if per else total
    at_least = any(o.is_lower_bound for o in main)
    if per and per.is_lower_bound:
        raise ValueError(f"target {t.name}: the share's denominator is only a lower bound")
    observations = tuple(main + ([per] if per else []))
    return Target(t, value, at_least, period, per_period, observations)


# ------------------------------------------------------------------ evaluation


def month_weights(scenario: Scenario, months: int, start: dt.date, end: dt.date) -> np.ndarray:
    """Fraction of each simulated month that falls inside [start, end] (partial months count
    by days), so a period like 15 September to 15 January sums the right share of each."""
    w = np.zeros(months)
    for t in range(months):
        y, m = add_months(scenario.start, t)
        first, last = dt.date(y, m, 1), dt.date(y, m, calendar.monthrange(y, m)[1])
        lo, hi = max(first, start), min(last, end)
        if lo <= hi:
            w[t] = ((hi - lo).days + 1) / ((last - first).days + 1)
    first = dt.date(*scenario.start, 1)
    y, m = add_months(scenario.start, months - 1)
    last = dt.date(y, m, calendar.monthrange(y, m)[1])
    if start < first or end > last:
        raise UsageError(f"the period {start} to {end} is not inside the run ({first} to {last})")
    return w


def target_values(result, target: Target) -> np.ndarray:
    """The model's value of one target, per replicate."""

    def total(columns: tuple[str, ...], period: tuple[dt.date, dt.date]) -> np.ndarray:
        w = month_weights(result.scenario, result.months, *period)
        return sum(w @ result.column(c) for c in columns)

    num = total(target.spec.output, target.period) * target.spec.scale
    if not target.spec.per_output:
        return num
    den = total(target.spec.per_output, target.per_period) * target.spec.scale
    return np.divide(num, den, out=np.full_like(num, np.nan), where=den > 0)


def target_rows(result, spec: CalibrationSpec, targets: tuple[Target, ...] = ()) -> list[dict]:
    """Each target with the model's median and 90% interval and whether it falls inside."""
    rows = []
    for t in targets or spec.targets:
        values = target_values(result, t)
        values = values[np.isfinite(values)]
        p05, med, p95 = (float(v) for v in np.percentile(values, [5, 50, 95]))
        spread = _log_spread(p05, p95, t)
        inside = (p95 >= t.value) if t.at_least else (p05 <= t.value <= p95)
        rows.append(
            {
                "target": t.name,
                "observed": t.value,
                "at_least": t.at_least,
                "median": med,
                "p05": p05,
                "p95": p95,
                "inside": bool(inside),
                "z": _z(med, t, spread),
                "spread": spread,
            }
        )
    return rows


Z90 = 1.6449  # the 95th percentile of a standard normal


def _log_spread(p05: float, p95: float, t: Target) -> float:
    """The model's run-to-run spread on the log scale (a s.d., from the 90% interval)."""
    floor = abs(t.value) * 1e-3 or 1e-9
    return (math.log(max(p95, floor)) - math.log(max(p05, floor))) / (2 * Z90)


def _z(median: float, t: Target, spread: float = 0.0) -> float:
    """Standardised log error of the median: log(model / observed) over the combined
    s.d. of the target's tolerance (the sources' disagreement) and the model's spread."""
    floor = abs(t.value) * 1e-3 or 1e-9
    scale = math.hypot(t.spec.tolerance, spread if t.spec.spread else 0.0)
    err = math.log(max(median, floor) / t.value) / scale
    return min(err, 0.0) if t.at_least else err  # 'more than': only a shortfall counts


def _penalty(row: dict, t: Target) -> float:
    """The normalising term of the log-normal likelihood: a wider model spread than the
    tolerance costs log((tol² + spread²) / tol²), so spread is not free."""
    return math.log(1 + (row["spread"] / t.spec.tolerance) ** 2)


def objective(rows: list[dict], spec: CalibrationSpec | None = None) -> float:
    """Minus twice the log-likelihood of the targets (up to a constant), each observation
    log-normal around the model's median with the tolerance and the model's spread."""
    targets = {t.name: t for t in (spec.all_targets() if spec else ())}
    total = 0.0
    for r in rows:
        total += r["z"] ** 2
        t = targets.get(r["target"])
        if t is not None and t.spec.spread:
            total += _penalty(r, t)
    return float(total)


def with_values(scenario: Scenario, values: dict[str, float]) -> Scenario:
    """``scenario`` with free leaves set (dotted paths, keys inside tables included)."""
    params = copy.deepcopy(scenario.params)
    for path, value in values.items():
        node = params
        *parents, leaf = path.split(".")
        for part in parents:
            node = node[part]
        node[leaf] = value
    return replace(scenario, params=params)


def scenario_for(spec: CalibrationSpec, root: Path | None = None) -> Scenario:
    """The scenario that replays 2023-2024; it must not set a free parameter itself (the
    fitted value would be shadowed in every run of it)."""
    path = (root or Path.cwd()) / spec.scenario
    if not path.is_file():
        raise UsageError(
            f"the calibration scenario {spec.scenario} is not under {root or Path.cwd()}; "
            "run `durand calibrate` from the project folder"
        )
    data, smap = load_mapping(path)
    params = data.get("parameters") or {}
    for f in spec.free:
        node: Any = params
        for part in f.path.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if node is not None:
            key = ("parameters", *f.path.split("."))
            msg = (
                f"{f.path} is fitted by `durand calibrate` (sim/data/calibrated.yaml); "
                "remove it from this file"
            )
            raise ScenarioError([smap.problem(key, msg, str(path))])
    scenario = load_scenario(path)
    for f in spec.free:  # nor may a file it extends
        head, keys = registry_leaf(f.path)
        default = registry()[head].value
        for k in keys:
            default = default[k]
        if current_values(spec, scenario)[f.path] != default:
            raise UsageError(
                f"{spec.scenario} (through a file it extends) sets {f.path}, which is fitted "
                "by `durand calibrate` (sim/data/calibrated.yaml); remove it there"
            )
    return scenario


def evaluate(scenario: Scenario, spec: CalibrationSpec, targets: tuple = ()) -> list[dict]:
    from sim.run.runner import run_scenario

    return target_rows(run_scenario(scenario), spec, targets)


def current_values(spec: CalibrationSpec, scenario: Scenario) -> dict[str, float]:
    out = {}
    for f in spec.free:
        node: Any = scenario.params
        for part in f.path.split("."):
            node = node[part]
        out[f.path] = float(node)
    return out


def calibrate(
    spec: CalibrationSpec,
    *,
    root: Path | None = None,
    replicates: int | None = None,
    max_evaluations: int | None = None,
    progress=None,
) -> dict:
    """Fit the free parameters; return the fit record (nothing is written here).

    Each sensitivity fit (other sources' figures swapped in) is run the same way and
    recorded beside the main fit; only the main fit's values are used by the model."""
    reps = replicates or spec.replicates
    scenario = scenario_for(spec, root).with_overrides(replicates=reps)
    budget = max_evaluations or spec.max_evaluations
    values, rows, evaluations = _search(scenario, spec, spec.targets, budget, progress)
    command = "durand calibrate" + (f" --replicates {reps}" if replicates else "")
    record = _record(spec, scenario, values, rows, command, evaluations)
    record["sensitivity"] = []
    for sens in spec.sensitivity:
        v, r, n = _search(scenario, spec, sens.targets, budget, progress)
        swapped = set(sens.swap.values())
        record["sensitivity"].append(
            {
                "name": sens.name,
                "evaluations": n,
                "objective": objective(r, spec),
                "values": v,
                "inside": int(sum(x["inside"] for x in r)),
                "targets": len(r),
                "swapped": [x for x in r if x["target"].split(" / ")[0] in swapped],
            }
        )
    return record


RESTARTS = ((0.2, 0.5), (0.08, 0.3), (0.03, 0.2))  # (simplex size, share of the budget)


def _search(scenario, spec, targets, budget, progress):
    """Seeded Nelder-Mead over the free parameters scaled to [0, 1]; common random numbers."""
    from scipy.optimize import minimize

    count = [0]

    def values_at(u: np.ndarray) -> dict[str, float]:
        return {f.path: f.from_unit(float(x)) for f, x in zip(spec.free, u, strict=True)}

    def f(u: np.ndarray) -> float:
        value = objective(evaluate(with_values(scenario, values_at(u)), spec, targets), spec)
        count[0] += 1
        if progress is not None:
            progress(count[0], value)
        return value

    x = np.array([p.to_unit(p.start) for p in spec.free])
    rng = np.random.default_rng(spec.seed)  # seeded, slightly irregular simplices
    for size, share in RESTARTS:  # restarts from the best point with a smaller simplex
        steps = size * (0.75 + 0.5 * rng.random(len(x)))
        simplex = [x] + [
            np.clip(x + np.where(x + s <= 1, s, -s) * e, 0, 1)
            for s, e in zip(steps, np.eye(len(x)), strict=True)
        ]
        res = minimize(
            f,
            x,
            method="Nelder-Mead",
            bounds=[(0.0, 1.0)] * len(x),
            options={
                "maxfev": max(1, int(budget * share)),
                "xatol": 2e-3,
                "fatol": 1e-3,
                "initial_simplex": np.vstack(simplex),
            },
        )
        x = res.x
    values = values_at(x)  # rounded: the record is what the files will hold
    return values, evaluate(with_values(scenario, values), spec, targets), count[0]


def _record(spec, scenario, values, rows, command, evaluations) -> dict:
    inside = sum(r["inside"] for r in rows)
    return {
        "date": dt.date.today().isoformat(),
        "command": command,
        "scenario": spec.scenario,
        "method": (
            "Nelder-Mead (scipy.optimize, seeded initial simplex) on the free parameters "
            "scaled to [0, 1] within their bounds, two restarts; objective: squared "
            "standardised log errors of the medians (for monthly figures a log-normal "
            "likelihood that includes the model's own spread); common random numbers (one "
            "seed for every evaluation)"
        ),
        "replicates": scenario.replicates,
        "seed": scenario.seed,
        "optimiser_seed": spec.seed,
        "evaluations": evaluations,
        "objective": objective(rows, spec),
        "values": values,
        "inside": int(inside),
        "targets": len(rows),
        "results": rows,
    }


def fitted_tree(values: dict[str, float]) -> dict:
    """Dotted leaves as the nested tree of parameters.yaml (what the registry overlays)."""
    tree: dict[str, Any] = {}
    for path, value in values.items():
        node = tree
        *parents, leaf = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return tree


def _leaves(tree: Any, prefix: str = "") -> dict[str, float]:
    if not isinstance(tree, dict):
        return {prefix: tree}
    out: dict[str, float] = {}
    for key, child in tree.items():
        out.update(_leaves(child, f"{prefix}.{key}" if prefix else key))
    return out


# ------------------------------------------------------------------ stored fit


def load_record(path: Path | None = None) -> dict | None:
    path = path or data_path(RECORD_FILE)
    if not path.is_file():
        return None
    data, _ = load_mapping(path)
    return data


def load_fitted(path: Path | None = None) -> dict[str, float]:
    path = path or data_path(FITTED_FILE)
    if not path.is_file():
        return {}
    data, _ = load_mapping(path)
    return _leaves(data)


@dataclass(frozen=True)
class Check:
    rows: list[dict]
    problems: list[str]  # why the stored fit does not reproduce (empty: it does)
    inside: int
    required: float  # the share of targets the spec asks to fall inside

    @property
    def reproduces(self) -> bool:
        return not self.problems

    @property
    def meets_bar(self) -> bool:
        return self.inside >= self.required * len(self.rows)

    @property
    def ok(self) -> bool:
        return self.reproduces and self.meets_bar


def check(spec: CalibrationSpec, *, root: Path | None = None, record: dict | None = None) -> Check:
    """Re-run the stored fit (what every run now uses) and compare with its record."""
    record = record if record is not None else load_record()
    if record is None:
        raise UsageError(f"no stored fit in {data_path(RECORD_FILE)}: run `durand calibrate`")
    scenario = scenario_for(spec, root).with_overrides(replicates=int(record["replicates"]))
    problems = []
    if scenario.seed != record["seed"]:
        problems.append(f"the scenario's seed is {scenario.seed}, the fit used {record['seed']}")
    fitted = load_fitted()
    if fitted != record["values"]:
        problems.append(f"{FITTED_FILE} does not hold the recorded values")
    used = current_values(spec, scenario)
    if used != record["values"]:
        problems.append(
            "the model does not run with the fitted values (registry overlay missing?): "
            + ", ".join(f"{k}={v:g}" for k, v in used.items())
        )
    rows = evaluate(scenario, spec)
    stored = {r["target"]: r for r in record["results"]}
    if set(stored) != {r["target"] for r in rows}:
        problems.append("the spec's targets changed since the fit")
    for r in rows:
        s = stored.get(r["target"])
        if s is None:
            continue
        for key in ("median", "p05", "p95"):
            if not math.isclose(s[key], r[key], rel_tol=REPRODUCE_RTOL, abs_tol=1e-9):
                problems.append(
                    f"{r['target']}: {key} is now {r[key]:.6g}, the fit recorded {s[key]:.6g}"
                )
                break
    return Check(rows, problems, sum(r["inside"] for r in rows), spec.min_inside)


def write_fit(record: dict) -> list[Path]:
    """Write the generated files: the fitted leaves and the fit record."""
    import yaml

    from sim.run.files import atomic_path

    fitted, rec = data_path(FITTED_FILE), data_path(RECORD_FILE)
    head = f"# Generated by `{record['command']}` on {record['date']}: do not edit by hand.\n"
    body = yaml.safe_dump(fitted_tree(record["values"]), sort_keys=False, allow_unicode=True)
    with atomic_path(fitted) as tmp:
        tmp.write_text(
            head + "# The fitted parameters, overlaid on sim/data/parameters.yaml by the "
            "registry;\n# the spec is sim/data/calibration.yaml, the fit docs/validation.md.\n"
            + body,
            encoding="utf-8",
        )
    with atomic_path(rec) as tmp:
        tmp.write_text(
            head
            + "# The record of the last fit (docs/validation.md is generated from it).\n"
            + yaml.safe_dump(_plain(record), sort_keys=False, allow_unicode=True, width=100),
            encoding="utf-8",
        )
    return [fitted, rec]


def as_stored(x: Any) -> Any:
    """The record as the file keeps it (6 significant digits)."""
    return _plain(x)


def _plain(x: Any) -> Any:
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_plain(v) for v in x]
    if isinstance(x, float):
        return float(f"{x:.6g}")
    return x


def fitted_parameters() -> dict[str, list[tuple[str, Any, dict]]]:
    """Registry path -> [(scenario, fitted value(s), fit record)] for `durand evidence`."""
    record = load_record()
    out: dict[str, list[tuple[str, Any, dict]]] = {}
    if not record:
        return out
    grouped: dict[str, dict] = {}
    for path, value in record["values"].items():
        head, keys = registry_leaf(path)
        grouped.setdefault(head, {})[".".join(keys)] = value
    for head, values in grouped.items():
        shown = values[""] if list(values) == [""] else values
        out[head] = [(Path(record["scenario"]).stem, shown, record)]
    return out


def fit_summary(fit: dict) -> str:
    """One line: how many targets fall inside the model's 90% interval."""
    return (
        f"{fit['inside']} of {fit['targets']} targets (2023-2024) inside the model's 90% "
        f"interval; see docs/validation.md"
    )


# ------------------------------------------------------------------ reports


def _fmt(x: float, share: bool) -> str:
    if share:
        return f"{x:.2f}" if x >= 0.1 else f"{x:.3f}"
    return f"{x:,.0f}" if abs(x) >= 10 else f"{x:.1f}"


def table_lines(spec: CalibrationSpec, rows: list[dict]) -> list[str]:
    """The target table as plain text (what `durand calibrate` prints)."""
    by_name = {t.name: t for t in spec.targets}
    width = max([len("target")] + [len(r["target"]) for r in rows])
    head = f"{'target':<{width}} {'observed':>10} {'median':>10} {'90% interval':>21}  inside"
    out = [head, "-" * len(head)]
    for r in rows:
        t = by_name[r["target"]]
        share = t.spec.is_share
        obs = (">=" if r["at_least"] else "") + _fmt(r["observed"], share)
        interval = f"{_fmt(r['p05'], share)}-{_fmt(r['p95'], share)}"
        out.append(
            f"{r['target']:<{width}} {obs:>10} {_fmt(r['median'], share):>10} {interval:>21}  "
            f"{'yes' if r['inside'] else 'NO'}"
        )
    inside = sum(r["inside"] for r in rows)
    out.append(f"{inside} of {len(rows)} targets inside the model's 90% interval")
    return out


def validation_markdown(spec: CalibrationSpec | None = None, record: dict | None = None) -> str:
    """docs/validation.md: the fit table, the fitted parameters, the definitions, caveats."""
    spec = spec or load_spec()
    record = record if record is not None else load_record()
    obs = load_observations()
    lines = [
        "# Validation: the fit to public data, 2023-2024",
        "",
        "Generated by `durand calibrate` (or `make calibration-doc`) from",
        "`sim/data/calibration.yaml` (the spec), `sim/data/calibration_fit.yaml` (the fit",
        "record) and `sim/data/observations.yaml` (the observations); do not edit by hand.",
        "",
        f"The model is fitted to public figures for periods ending by {FIT_WINDOW_END}.",
        "Figures from 2025 on are a holdout: never fitted, never tuned against, and not",
        "reported here (the loader refuses them as targets; they are checked independently).",
        "",
    ]
    if not record:
        return "\n".join(lines + ["Not fitted yet: run `durand calibrate`.", ""])
    lines += [
        "## Fit",
        "",
        f"`{record['command']}` ({record['date']}) on `{record['scenario']}`: "
        f"{record['method']}. {record['replicates']} replicates, run seed {record['seed']}, "
        f"optimiser seed {record['optimiser_seed']}, {record['evaluations']} evaluations, "
        f"objective {record['objective']:.2f} over {record['targets']} targets.",
        "",
        f"**{record['inside']} of {record['targets']} targets "
        f"({record['inside'] / record['targets']:.0%}) fall inside the model's 90% interval** "
        f"(the spec asks for at least {spec.min_inside:.0%}). `durand calibrate --check` "
        "re-runs the stored fit and prints this table.",
        "",
        "The interval is the 5th to 95th percentile over replicates of the model's value",
        "for the target's period (sums of monthly outputs; partial months count by days).",
        "It is the model's own run-to-run spread at the fitted values: it includes neither",
        "parameter uncertainty nor the sources' disagreement. A lower bound ('more than')",
        "is inside when the 95th percentile reaches it. z is the standardised log error of",
        "the median, log(median / observed) / tolerance; for a monthly figure the model's",
        "spread (the 90% interval's width on the log scale / 3.29) is added to the tolerance",
        "(see calibration.md).",
        "",
        "| target | observed | model median | 90% interval | inside | z | tolerance | "
        "model output | source |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    by_name = {t.name: t for t in spec.targets}
    for r in record["results"]:
        t = by_name.get(r["target"])
        if t is None:
            continue
        share = t.spec.is_share
        out = _output_formula(t.spec)
        src = "; ".join(
            dict.fromkeys(
                f"{o.source.publisher}, *{o.source.title}* ({o.source.date})"
                for o in t.observations
            )
        )
        lines.append(
            f"| `{r['target']}` ({t.observations[0].period.label}) | "
            f"{'≥ ' if r['at_least'] else ''}{_fmt(r['observed'], share)} | "
            f"{_fmt(r['median'], share)} | {_fmt(r['p05'], share)}–{_fmt(r['p95'], share)} | "
            f"{'yes' if r['inside'] else '**no**'} | {r['z']:+.2f} | {t.spec.tolerance:g} | "
            f"{out} | {src} |"
        )
    lines += [
        "",
        "## Free parameters",
        "",
        "| parameter | fitted value | bounds | start | scale | why it is free |",
        "|---|---|---|---|---|---|",
    ]
    for f in spec.free:
        v = record["values"].get(f.path)
        shown = "not fitted" if v is None else f"{v:g}"
        lines.append(
            f"| `{f.path}` | {shown} | [{f.bounds[0]:g}, {f.bounds[1]:g}] | {f.start:g} | "
            f"{f.scale} | {f.why} |"
        )
    misses = [r for r in record["results"] if not r["inside"]]
    lines += ["", "## Targets outside the interval", ""]
    if not misses:
        lines += ["None.", ""]
    for r in misses:
        why = spec.explanations.get(r["target"], "*Not explained yet.*")
        lines += [f"- `{r['target']}`: {why.strip()}"]
    sens = {x.name: x for x in spec.sensitivity}
    for run in record.get("sensitivity") or []:
        about = sens.get(run["name"])
        lines += [
            "",
            f"## Sensitivity: `{run['name']}`",
            "",
            (about.why.strip() if about else ""),
            "",
            "The same search with "
            + ", ".join(f"`{a}` → `{b}`" for a, b in (about.swap.items() if about else []))
            + f": objective {run['objective']:.2f}, {run['inside']} of {run['targets']} "
            "targets inside. These values are not used by the model.",
            "",
            "| parameter | main fit | this fit |",
            "|---|---|---|",
        ]
        for path, v in run["values"].items():
            lines.append(f"| `{path}` | {record['values'].get(path, float('nan')):g} | {v:g} |")
        lines += [
            "",
            "| swapped target | observed | model median | 90% interval | inside |",
            "|---|---|---|---|---|",
        ]
        for r in run["swapped"]:
            lines.append(
                f"| `{r['target']}` | {_fmt(r['observed'], False)} | "
                f"{_fmt(r['median'], False)} | {_fmt(r['p05'], False)}–"
                f"{_fmt(r['p95'], False)} | {'yes' if r['inside'] else '**no**'} |"
            )
    lines += ["", "## Which definition the model follows", ""]
    lines += [
        "The sources disagree (by up to a factor of two on attack counts); every figure is",
        "recorded in `sim/data/observations.yaml` and listed by `durand evidence",
        "--observations`. The model's outputs follow one definition per quantity:",
        "",
        "| quantity | model output | follows | why | alternatives recorded |",
        "|---|---|---|---|---|",
    ]
    for name, d in obs.definitions.items():
        lines.append(
            f"| {name} | {d.model_output} | {d.follows} | {d.why} | {d.alternatives or '–'} |"
        )
    if spec.caveats:
        lines += ["", "## Caveats", "", spec.caveats.strip()]
    lines.append("")
    return "\n".join(lines)


def calibration_markdown(spec: CalibrationSpec | None = None) -> str:
    """docs/calibration.md: the method and the declared target set (the fit is in
    docs/validation.md)."""
    spec = spec or load_spec()
    lines = [
        "# Calibration",
        "",
        "Generated by `durand calibrate` (or `make calibration-doc`) from",
        "`sim/data/calibration.yaml`; do not edit by hand. The fit itself (every target",
        "with the model's median and 90% interval, and the fitted values) is in",
        "[validation.md](validation.md).",
        "",
        "The model runs one parameter set on one timeline from January 2023. `durand",
        f"calibrate` replays 2023-2024 (`{spec.scenario}`) and searches the free parameters",
        "below to match the targets: published figures from `sim/data/observations.yaml`,",
        "each with its publisher, report, date, URL and the sentence it comes from. Only",
        f"figures for periods ending by {FIT_WINDOW_END} can be targets; the loader refuses",
        "a holdout observation (2025 on) as a target.",
        "",
        "**Objective.** For each target, z = log(model median / observed) / tolerance, where",
        "the tolerance (a standard deviation on the log scale) reflects how far the",
        "published sources disagree about that figure. Monthly figures (marked *spread*)",
        "measure surges and lulls, so for them the model's own run-to-run spread s (from",
        "its 90% interval) is part of the error: z = log(median / observed) /",
        "√(tolerance² + s²), plus a term log(1 + s² / tolerance²), as in a log-normal",
        "likelihood, so a wider model is not free. The fit minimises the sum of z² and",
        "those terms: the spread parameter (`attacks.volatility`) is fitted to how",
        "scattered the monthly figures are. Yearly and half-yearly targets share one",
        "realised history, so their spreads are not independent evidence and are left out.",
        "A target whose source says 'more than' only counts when the model falls short.",
        "",
        f"**Search.** Nelder-Mead (`scipy.optimize`), at most {spec.max_evaluations}",
        "evaluations, each free parameter scaled to [0, 1] within its bounds (on a log",
        f"scale where declared), a seeded initial simplex (seed {spec.seed}), and",
        f"{spec.replicates} replicates per evaluation with one seed for all of them (common",
        "random numbers), so the same command gives the same fit.",
        "",
        "**Files.** The spec (`sim/data/calibration.yaml`) and the observations are",
        "hand-written and never rewritten. The command writes `sim/data/calibrated.yaml`",
        "(the fitted leaves; the parameter registry overlays them on",
        "`sim/data/parameters.yaml`, so every run uses them), `sim/data/calibration_fit.yaml`",
        "(the record) and this page and validation.md. `durand calibrate --dry-run` fits",
        "and prints without writing; `durand calibrate --check` writes nothing, re-runs the",
        "stored fit and exits 1 if it no longer reproduces (the model, the spec, the",
        "scenario or the fitted file changed since the fit) or if fewer than",
        f"{spec.min_inside:.0%} of the targets fall inside the model's 90% interval.",
        "",
        f"## Free parameters ({len(spec.free)})",
        "",
        "| parameter | bounds | start | scale | why it is free |",
        "|---|---|---|---|---|",
    ]
    for f in spec.free:
        lines.append(
            f"| `{f.path}` | [{f.bounds[0]:g}, {f.bounds[1]:g}] | {f.start:g} | {f.scale} | "
            f"{f.why} |"
        )
    lines += [
        "",
        f"## Targets ({len(spec.targets)}, at least three per free parameter)",
        "",
        "| target | period | observed | tolerance | model output | definition and source | quote |",
        "|---|---|---|---|---|---|---|",
    ]
    for t in spec.targets:
        share = t.spec.is_share
        out = _output_formula(t.spec)
        o = t.observations[0]
        src = f"{o.source.publisher}, *{o.source.title}* ({o.source.date}), <{o.source.url}>"
        quotes = " / ".join(f"“{x.quote.strip()}”" for x in t.observations)
        why = f" {t.spec.why}" if t.spec.why else ""
        lines.append(
            f"| `{t.name}` | {o.period.label} | {'≥ ' if t.at_least else ''}"
            f"{_fmt(t.value, share)} | {t.spec.tolerance:g}{' + spread' if t.spec.spread else ''}"
            f" | {out} | {src}.{why} | {quotes} |"
        )
    lines.append("")
    return "\n".join(lines)


__all__ = [
    "CalibrationSpec",
    "Check",
    "FreeParameter",
    "Target",
    "TargetSpec",
    "calibrate",
    "calibration_markdown",
    "check",
    "fit_summary",
    "fitted_parameters",
    "load_record",
    "load_spec",
    "table_lines",
    "target_rows",
    "validation_markdown",
    "write_fit",
]


def _output_formula(target_spec) -> str:
    """The model output a target compares with, as Markdown (sums, share, scale)."""
    out = " + ".join(f"`{c}`" for c in target_spec.output)
    if target_spec.is_share:
        out += " ÷ " + " + ".join(f"`{c}`" for c in target_spec.per_output)
    if target_spec.scale != 1:
        out += f" × {target_spec.scale:g}"
    return out
