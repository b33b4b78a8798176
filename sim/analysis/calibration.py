"""Calibration: fit a scenario's declared free parameters to published figures.

The spec (which parameters may move, within what range, toward which targets) and the
last fit live in ``sim/data/calibration.yaml``. ``calibrate`` searches the free
parameters with Nelder-Mead over log-multipliers of their registry defaults; the runs
share common random numbers, so the objective changes smoothly with the parameters and
the search is reproducible. The fitted values are written to the file the scenario
extends (so ``durand run`` uses them), to the spec's ``fit`` record (so ``durand
evidence`` shows them as fitted) and to ``docs/calibration.md``.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from sim.inputs.errors import Problem, ScenarioError, UsageError
from sim.inputs.parameters import registry
from sim.inputs.scenario import Scenario, add_months, load_scenario
from sim.inputs.yamlio import load_yaml

SPEC_FILE = "data/calibration.yaml"


@dataclass(frozen=True)
class Target:
    """A published yearly figure the median over replicates should match."""

    metric: str
    year: int
    reference: str  # registry path of the figure (its value and seed quote)
    tolerance: float  # relative band the median must fall in

    @property
    def value(self) -> float:
        return float(registry()[self.reference].value)

    @property
    def quote(self) -> tuple[str, str]:
        q = registry()[self.reference].sources[0]
        return q.seed, q.quote


@dataclass(frozen=True)
class FreeParameter:
    """A registry parameter the fit may scale: value = multiplier x registry default."""

    path: str
    low: float  # multiplier bounds
    high: float
    start: float
    why: str

    def value(self, multiplier: float) -> Any:
        default = registry()[self.path].value
        if isinstance(default, dict):
            return {k: _round(v * multiplier) for k, v in default.items()}
        return _round(default * multiplier)


@dataclass(frozen=True)
class CalibrationSpec:
    name: str
    fitted_file: str  # relative to the scenario's folder; the scenario extends it
    replicates: int
    max_evaluations: int
    targets: tuple[Target, ...]
    free: tuple[FreeParameter, ...]
    fit: dict | None


def _round(x: float) -> float:
    return float(f"{x:.5g}")


def spec_path() -> Path:
    return Path(str(resources.files("sim").joinpath(SPEC_FILE)))


def load_specs(path: Path | None = None) -> dict[str, dict]:
    path = path or spec_path()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise UsageError(f"cannot read calibration specs {path}: {exc}") from exc
    return data


def spec_for(name: str, path: Path | None = None) -> CalibrationSpec:
    """The calibration spec of the scenario named ``name`` (its file stem)."""
    specs = load_specs(path)
    if name not in specs:
        known = ", ".join(sorted(specs)) or "none"
        raise UsageError(
            f"no calibration spec for '{name}' in {path or spec_path()} (specs: {known})"
        )
    raw = specs[name]
    where = str(path or spec_path())
    try:
        reg = registry()
        free = tuple(
            FreeParameter(f["path"], *map(float, f["multiplier"]), float(f["start"]), f["why"])
            for f in raw["free"]
        )
        targets = tuple(
            Target(t["metric"], int(t["year"]), t["reference"], float(t["tolerance"]))
            for t in raw["targets"]
        )
        for f in free:
            if f.path not in reg:
                raise KeyError(f"unknown parameter {f.path}")
            if not f.low <= f.start <= f.high:
                raise ValueError(f"{f.path}: start {f.start} outside [{f.low}, {f.high}]")
        for t in targets:
            if t.reference not in reg:
                raise KeyError(f"unknown reference {t.reference}")
        return CalibrationSpec(
            name=name,
            fitted_file=raw["fitted_file"],
            replicates=int(raw["replicates"]),
            max_evaluations=int(raw.get("max_evaluations", 300)),
            targets=targets,
            free=free,
            fit=raw.get("fit"),
        )
    except (KeyError, TypeError, ValueError) as exc:
        msg = f"malformed calibration spec: {exc}"
        raise ScenarioError([Problem(where, None, name, msg)]) from exc


# ------------------------------------------------------------------ evaluation


def with_multipliers(scenario: Scenario, spec: CalibrationSpec, mult) -> Scenario:
    params = copy.deepcopy(scenario.params)
    for f, m in zip(spec.free, mult, strict=True):
        node = params
        *parents, leaf = f.path.split(".")
        for part in parents:
            node = node[part]
        node[leaf] = f.value(float(m))
    return replace(scenario, params=params)


def _year_slices(scenario: Scenario, months: int) -> dict[int, slice]:
    out: dict[int, list[int]] = {}
    for t in range(months):
        out.setdefault(add_months(scenario.start, t)[0], []).append(t)
    return {y: slice(ts[0], ts[-1] + 1) for y, ts in out.items() if len(ts) == 12}


def evaluate(scenario: Scenario, spec: CalibrationSpec) -> list[dict]:
    """Median and 90% interval of each target's yearly total under ``scenario``."""
    from sim.run.runner import run_scenario

    return target_rows(run_scenario(scenario), spec)


def target_rows(result, spec: CalibrationSpec) -> list[dict]:
    scenario = result.scenario
    years = _year_slices(scenario, result.months)
    rows = []
    for t in spec.targets:
        if t.year not in years:
            raise UsageError(
                f"target year {t.year} is not a full calendar year of the scenario "
                f"(it runs {result.months} months from {scenario.start[0]}-{scenario.start[1]:02d})"
            )
        totals = result.column(t.metric)[years[t.year]].sum(axis=0)
        p05, med, p95 = np.percentile(totals, [5, 50, 95])
        rows.append(
            {
                "metric": t.metric,
                "year": t.year,
                "target": t.value,
                "median": float(med),
                "p05": float(p05),
                "p95": float(p95),
                "error": float(med / t.value - 1),
                "within": bool(abs(med / t.value - 1) <= t.tolerance),
            }
        )
    return rows


def _objective(rows: list[dict]) -> float:
    return float(sum(np.log(max(r["median"], 0.5) / r["target"]) ** 2 for r in rows))


def check_not_shadowed(path: Path, spec: CalibrationSpec) -> None:
    """The scenario file itself must not set a fitted parameter (it would hide the fit)."""
    data, where = load_yaml(path)
    params = (data or {}).get("parameters") or {}
    for f in spec.free:
        node: Any = params
        for part in f.path.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if node is not None:
            key = ("parameters", *f.path.split("."))
            message = (
                f"{f.path} is fitted by `durand calibrate` and lives in "
                f"{spec.fitted_file}; remove it from this file"
            )
            raise ScenarioError([where.problem(key, message, str(path))])


def calibrate(
    scenario_path: Path,
    *,
    replicates: int | None = None,
    spec_file: Path | None = None,
    progress=None,
) -> dict:
    """Fit the free parameters; return the fit record (nothing is written here)."""
    from scipy.optimize import minimize

    scenario_path = Path(scenario_path)
    spec = spec_for(scenario_path.stem, spec_file)
    fitted_path = scenario_path.parent / spec.fitted_file
    if not fitted_path.is_file():
        raise UsageError(f"{scenario_path} must extend {spec.fitted_file}, which is missing")
    check_not_shadowed(scenario_path, spec)
    reps = replicates or spec.replicates
    scenario = load_scenario(scenario_path).with_overrides(replicates=reps)
    evaluations = []

    def f(u: np.ndarray) -> float:
        rows = evaluate(with_multipliers(scenario, spec, np.exp(u)), spec)
        value = _objective(rows)
        evaluations.append(value)
        if progress is not None:
            progress(len(evaluations), value)
        return value

    lo = np.log([p.low for p in spec.free])
    hi = np.log([p.high for p in spec.free])
    start = np.log([p.start for p in spec.free])
    res = minimize(
        f,
        start,
        method="Nelder-Mead",
        bounds=list(zip(lo, hi, strict=True)),
        options={
            "maxfev": spec.max_evaluations,
            "xatol": 1e-3,
            "fatol": 1e-6,
            "initial_simplex": np.vstack([start] + [start + 0.2 * e for e in np.eye(len(start))]),
        },
    )
    mult = [_round(float(m)) for m in np.exp(res.x)]
    from sim import GROUPS
    from sim.run.runner import run_scenario

    result = run_scenario(with_multipliers(scenario, spec, mult))
    rows = target_rows(result, spec)  # at the rounded values the file will hold
    end = "{:04d}-{:02d}".format(*add_months(scenario.start, result.months - 1))
    strength = {g: float(np.median(result.column(f"strength.{g}")[-1])) for g in GROUPS}
    return {
        "date": dt.date.today().isoformat(),
        "command": f"durand calibrate {scenario_path.as_posix()}"
        + (f" --replicates {reps}" if replicates else ""),
        "method": "Nelder-Mead (scipy.optimize) on log-multipliers, common random numbers",
        "replicates": reps,
        "seed": scenario.seed,
        "evaluations": len(evaluations),
        "objective": _objective(rows),
        "multipliers": {p.path: m for p, m in zip(spec.free, mult, strict=True)},
        "values": {p.path: p.value(m) for p, m in zip(spec.free, mult, strict=True)},
        "results": rows,
        "within_band": all(r["within"] for r in rows),
        "final_strength": {"month": end, **{g: round(v, 3) for g, v in strength.items()}},
    }


# ------------------------------------------------------------------ writing


def write_fit(scenario_path: Path, fit: dict, *, spec_file: Path | None = None) -> list[Path]:
    """Write the fitted values where the scenario reads them, and the fit record."""
    from sim.run.files import atomic_path

    scenario_path = Path(scenario_path)
    spec_file = spec_file or spec_path()
    spec = spec_for(scenario_path.stem, spec_file)
    fitted_path = scenario_path.parent / spec.fitted_file
    old = yaml.safe_load(fitted_path.read_text(encoding="utf-8")) or {}
    params: dict[str, Any] = {}
    for path, value in fit["values"].items():
        node = params
        *parents, leaf = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    header = (
        f"# Generated by `{fit['command']}` on {fit['date']}: do not edit by hand.\n"
        f"# The fitted parameters of {scenario_path.name}; the spec and the fit record are in\n"
        "# sim/data/calibration.yaml, the fit quality in docs/calibration.md.\n"
    )
    body = yaml.safe_dump(
        {"extends": old.get("extends", "../baseline.yaml"), "parameters": params},
        sort_keys=False,
        default_flow_style=None,
        allow_unicode=True,
    )
    with atomic_path(fitted_path) as tmp:
        tmp.write_text(header + body, encoding="utf-8")
    specs = load_specs(spec_file)
    specs[scenario_path.stem]["fit"] = fit
    with atomic_path(spec_file) as tmp:
        tmp.write_text(SPEC_HEADER + yaml.safe_dump(specs, sort_keys=False, allow_unicode=True))
    return [fitted_path, spec_file]


SPEC_HEADER = """\
# Calibration specs: for each calibrated scenario (by file stem), the parameters the fit
# may move (each a multiplier on its registry default, within bounds), the published
# figures it targets (registry paths under `reference`, which carry the seed quote), and
# under `fit` the last result of `durand calibrate`. The `fit` block is written by that
# command; edit the rest by hand.
"""


def fitted_parameters() -> dict[str, list[tuple[str, Any, dict]]]:
    """Registry path -> [(scenario, fitted value, fit record)] for `durand evidence`."""
    out: dict[str, list[tuple[str, Any, dict]]] = {}
    try:
        specs = load_specs()
    except UsageError:
        return out
    for name, raw in specs.items():
        fit = (raw or {}).get("fit")
        if not fit:
            continue
        for path, value in fit["values"].items():
            out.setdefault(path, []).append((name, value, fit))
    return out


def fit_summary(fit: dict) -> str:
    """One line: each target, its median and error."""
    parts = [
        f"{r['metric']} {r['year']}: median {r['median']:,.0f} vs {r['target']:,.0f} "
        f"({r['error']:+.1%})"
        for r in fit["results"]
    ]
    return "; ".join(parts)


def as_markdown(specs_path: Path | None = None) -> str:
    """docs/calibration.md, generated from the specs and their last fits."""
    specs = load_specs(specs_path)
    lines = [
        "# Calibration",
        "",
        "Generated by `durand calibrate` (or `make calibration-doc` from the stored fit);",
        "do not edit by hand. The specs are in `sim/data/calibration.yaml`.",
        "",
        "Every run starts from the early-2025 situation of the parameter registry, and a",
        "scenario's parameter overrides move that starting point. A calibrated scenario",
        "declares which parameters the fit may move, within what bounds, and which published",
        "figures it must reproduce; `durand calibrate SCENARIO` searches those parameters",
        "(Nelder-Mead from `scipy.optimize` over log-multipliers of the registry defaults,",
        "with common random numbers, so the same command gives the same fit) and writes the",
        "values to the file the scenario extends, the fit record to the spec, and this page.",
        "`durand evidence PARAMETER` shows a fitted parameter's values with its fit.",
        "",
    ]
    for name, raw in specs.items():
        spec = spec_for(name, specs_path)
        fit = raw.get("fit")
        lines += [f"## `{name}`", ""]
        lines += [
            f"Scenario: `scenarios/{name}.yaml`; fitted values in `scenarios/{spec.fitted_file}`.",
            "",
            "### Targets",
            "",
            "| metric | year | target | band | source |",
            "|---|---|---|---|---|",
        ]
        for t in spec.targets:
            seed, quote = t.quote
            lines.append(
                f"| `{t.metric}` (median over replicates) | {t.year} | {t.value:,.0f} | "
                f"±{t.tolerance:.0%} | {seed}: “{quote}” |"
            )
        lines += [
            "",
            "### Free parameters",
            "",
            "| parameter | registry default | multiplier bounds | why it may move |",
            "|---|---|---|---|",
        ]
        for f in spec.free:
            lines.append(
                f"| `{f.path}` | `{_fmt_value(registry()[f.path].value)}` | "
                f"[{f.low:g}, {f.high:g}] (start {f.start:g}) | {f.why} |"
            )
        lines.append("")
        if not fit:
            lines += ["Not fitted yet: run `durand calibrate scenarios/" + name + ".yaml`.", ""]
            continue
        lines += [
            "### Fit",
            "",
            f"`{fit['command']}` ({fit['date']}): {fit['method']}; {fit['replicates']} "
            f"replicates, seed {fit['seed']}, {fit['evaluations']} evaluations, objective "
            f"(sum of squared log errors) {fit['objective']:.2e}.",
            "",
            "| parameter | multiplier | fitted value |",
            "|---|---|---|",
        ]
        for path, value in fit["values"].items():
            lines.append(f"| `{path}` | {fit['multipliers'][path]:g} | `{_fmt_value(value)}` |")
        lines += [
            "",
            "| metric | year | target | median | 90% interval | error | within band |",
            "|---|---|---|---|---|---|---|",
        ]
        for r in fit["results"]:
            lines.append(
                f"| `{r['metric']}` | {r['year']} | {r['target']:,.0f} | {r['median']:,.0f} | "
                f"{r['p05']:,.0f}–{r['p95']:,.0f} | {r['error']:+.1%} | "
                f"{'yes' if r['within'] else 'NO'} |"
            )
        fs = fit.get("final_strength")
        if fs:
            shown = ", ".join(f"{g} {v:.2f}" for g, v in fs.items() if g != "month")
            lines += [
                "",
                f"Median group strength at the end of the run ({fs['month']}; 1 = the "
                f"early-2025 level of the baseline): {shown}.",
            ]
        lines += [
            "",
            "To reproduce: `" + fit["command"] + "` (add `--dry-run` to fit without writing).",
            "",
        ]
        note = raw.get("notes")
        if note:
            lines += ["### Notes", "", note.strip(), ""]
    return "\n".join(lines)


def _fmt_value(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v:g}" for k, v in value.items())
    return f"{value:g}"
