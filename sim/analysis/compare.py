"""Paired comparisons of scenarios under common random numbers.

Every scenario runs with the same seed and the same replicate indices, so replicate k
sees the same random draws under each policy and the difference between two scenarios is
measured replicate by replicate (a paired design): far less noise than independent runs.
Analysis reads only the result tables (``RunResult``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sim import GROUPS
from sim.inputs.errors import UsageError
from sim.inputs.limits import check
from sim.inputs.scenario import Scenario, load_scenario
from sim.model.recorder import COUNT_METRICS, HUMANE_METRICS, METRICS

if TYPE_CHECKING:
    from sim.run.runner import RunResult

KEY_OUTCOMES = (
    "attacks.PAK",
    "attacks.AFG",
    *(f"attacks.{g}" for g in GROUPS),
    "fatalities.PAK",
    *HUMANE_METRICS,  # what a policy costs people: never judge it on attacks alone
    "joint_ops",
    "border_clashes",
    *(f"strength.{g}" for g in GROUPS),
    "trust.US-PAK",
    "trust.PAK-US",
    "trust.PAK-AFG",
    "tension.PAK-AFG",
    "stability.PAK",
)
# Flows are summed over the run; everything else is a stock, read at the end.
FLOW_METRICS = (COUNT_METRICS - {"joint_ops.target"}) | {
    m
    for m in METRICS
    if m.startswith(("aid.", "recruitment.", "attrition.", "harm."))
    or m in ("deportations", "cross_border_attacks")
}
BOOTSTRAP_SEED = 20250301
BOOTSTRAP_RESAMPLES = 2000


def outcome_label(metric: str, months: int) -> str:
    if metric in FLOW_METRICS:
        return f"{metric} (total, {months} months)"
    return f"{metric} (end)"


def outcome_values(result: RunResult, metric: str) -> np.ndarray:
    """One number per replicate: the run's total for flows, the final value for stocks."""
    col = result.column(metric).astype(np.float64)
    return col.sum(axis=0) if metric in FLOW_METRICS else col[-1]


@dataclass
class Comparison:
    """Runs of two or more scenarios on the same replicates, and what differs."""

    scenarios: list[Scenario]
    results: list[RunResult]
    metrics: list[str]
    seed: int
    notes: list[str]
    _rows: list[dict] | None = None

    @property
    def names(self) -> list[str]:
        return [Path(s.path).stem for s in self.scenarios]

    def rows(self) -> list[dict]:
        """The comparison table: one row per outcome and scenario (computed once)."""
        if self._rows is None:
            self._rows = self._table()
        return self._rows

    def _table(self) -> list[dict]:
        out = []
        base = self.results[0]
        months = base.months
        for metric in self.metrics:
            a = outcome_values(base, metric)
            for name, res in zip(self.names, self.results, strict=True):
                x = outcome_values(res, metric)
                p05, med, p95 = np.percentile(x, [5, 50, 95])
                row = {
                    "outcome": metric,
                    "measure": outcome_label(metric, months),
                    "scenario": name,
                    "median": med,
                    "p05": p05,
                    "p95": p95,
                    "mean": x.mean(),
                }
                if res is not base:
                    d = x - a
                    lo, hi = bootstrap_ci(d)
                    row |= {
                        "vs": self.names[0],
                        "diff_mean": d.mean(),
                        "diff_ci_low": lo,
                        "diff_ci_high": hi,
                        "diff_relative": d.mean() / a.mean() if a.mean() else np.nan,
                        "share_higher": float((d > 0).mean()),
                        "share_lower": float((d < 0).mean()),
                    }
                out.append(row)
        return out


def bootstrap_ci(d: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """Bootstrap CI of the mean paired difference (BCa, fixed seed; exact if constant)."""
    from scipy.stats import bootstrap

    if np.ptp(d) == 0:
        return float(d[0]), float(d[0])
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    for method in ("BCa", "percentile"):
        with np.errstate(all="ignore"):
            res = bootstrap(
                (d,),
                np.mean,
                confidence_level=level,
                n_resamples=BOOTSTRAP_RESAMPLES,
                method=method,
                random_state=rng,
            )
        lo, hi = res.confidence_interval
        if np.isfinite(lo) and np.isfinite(hi):
            return float(lo), float(hi)
    return float("nan"), float("nan")


def check_metric(name: str) -> str:
    if name not in METRICS:
        import difflib

        near = difflib.get_close_matches(name, METRICS, n=3, cutoff=0.5)
        hint = f" (did you mean {', '.join(near)}?)" if near else ""
        raise UsageError(f"unknown metric '{name}'{hint}; see the columns of timeseries.csv")
    return name


def load_comparable(
    paths: list[Path],
    *,
    replicates: int | None = None,
    months: int | None = None,
    seed: int | None = None,
) -> tuple[list[Scenario], int, list[str]]:
    """Load scenarios and make them comparable, or say why they are not."""
    if len(paths) < 2:
        raise UsageError("give at least two scenario files to compare")
    for quantity, value in (("replicates", replicates), ("months", months), ("seed", seed)):
        check(quantity, value)
    scenarios = [load_scenario(p) for p in paths]
    first = scenarios[0]
    notes = []
    for p, s in zip(paths[1:], scenarios[1:], strict=True):
        if s.start != first.start:
            raise UsageError(
                f"{p} starts in {s.start[0]}-{s.start[1]:02d} but {paths[0]} starts in "
                f"{first.start[0]}-{first.start[1]:02d}: paired comparisons need the same "
                "start month"
            )
        if months is None and s.months != first.months:
            raise UsageError(
                f"{p} runs {s.months} months but {paths[0]} runs {first.months}: give "
                "{months} to compare them over a common horizon",
                settings={"months": "N"},
            )
    seed = first.seed if seed is None else seed
    if any(s.seed != seed for s in scenarios):
        notes.append(f"every scenario runs with seed {seed} (common random numbers)")
    reps = replicates or first.replicates
    horizon = months or first.months
    runs = [s.with_overrides(seed=seed, replicates=reps, months=horizon) for s in scenarios]
    return runs, seed, notes


def compare(
    paths: list[Path],
    *,
    replicates: int | None = None,
    months: int | None = None,
    seed: int | None = None,
    metrics: list[str] | None = None,
    progress=None,
) -> Comparison:
    from sim.run.runner import run_scenario

    metrics = [check_metric(m) for m in metrics] if metrics else list(KEY_OUTCOMES)
    scenarios, seed, notes = load_comparable(paths, replicates=replicates, months=months, seed=seed)
    results = []
    for s in scenarios:
        results.append(run_scenario(s))
        if progress is not None:
            progress(len(results))
    return Comparison(scenarios, results, metrics, seed, notes)


# ------------------------------------------------------------------ output


def _fmt(x: float) -> str:
    if not np.isfinite(x):
        return "n/a"
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.2f}" if abs(x) < 10 else f"{x:,.1f}"


def render(cmp: Comparison, console) -> None:
    from rich.table import Table

    base = cmp.scenarios[0]
    first = cmp.results[0]
    console.print(
        f"Paired comparison: {', '.join(cmp.names)}; {first.replicates} replicates, "
        f"{first.months} months from {base.start[0]}-{base.start[1]:02d}, seed {cmp.seed}."
    )
    for note in cmp.notes:
        console.print(f"Note: {note}.")
    console.print(
        "Each scenario: median [5th–95th percentile] over replicates. "
        f"Difference: mean paired difference from {cmp.names[0]} [bootstrap 95% CI].\n"
    )
    table = Table(show_edge=False, pad_edge=False)
    table.add_column("outcome")
    for name in cmp.names:
        table.add_column(name, justify="right")
    for name in cmp.names[1:]:
        table.add_column(f"{name} − {cmp.names[0]}", justify="right")
    rows = cmp.rows()
    per = len(cmp.names)
    for i in range(0, len(rows), per):
        group = rows[i : i + per]
        cells = [f"{_fmt(r['median'])} [{_fmt(r['p05'])}–{_fmt(r['p95'])}]" for r in group]
        diffs = [
            f"{r['diff_mean']:+,.{_digits(r['diff_mean'])}f} "
            f"[{r['diff_ci_low']:+,.{_digits(r['diff_mean'])}f}, "
            f"{r['diff_ci_high']:+,.{_digits(r['diff_mean'])}f}]"
            for r in group[1:]
        ]
        table.add_row(group[0]["measure"], *cells, *diffs)
    console.print(table)


def _digits(x: float) -> int:
    return 0 if abs(x) >= 10 else 2 if abs(x) < 1 else 1


def write_outputs(cmp: Comparison, out: Path) -> list[Path]:
    """comparison.csv, fan_<metric>.png and differences.png in ``out``."""
    import pandas as pd

    from sim.run.files import atomic_path

    out.mkdir(parents=True, exist_ok=True)
    written = []
    csv = out / "comparison.csv"
    with atomic_path(csv) as tmp:
        pd.DataFrame(cmp.rows()).to_csv(tmp, index=False, float_format="%.6g")
    written.append(csv)
    fan_metric = next((m for m in cmp.metrics if m in FLOW_METRICS), "attacks.PAK")
    fan = out / f"fan_{fan_metric}.png"
    with atomic_path(fan) as tmp:
        plot_fan(cmp, fan_metric, tmp)
    written.append(fan)
    diff = out / "differences.png"
    with atomic_path(diff) as tmp:
        plot_differences(cmp, fan_metric, tmp)
    written.append(diff)
    return written


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _dates(result: RunResult) -> np.ndarray:
    return np.array(result.dates(), dtype="datetime64[M]")


def plot_fan(cmp: Comparison, metric: str, path: Path) -> None:
    """Monthly values per scenario: median, 50% and 90% bands over replicates."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(10, 5.5), dpi=110)
    x = _dates(cmp.results[0])
    for i, (name, res) in enumerate(zip(cmp.names, cmp.results, strict=True)):
        color = f"C{i}"
        col = res.column(metric).astype(np.float64)
        p05, p25, p50, p75, p95 = np.percentile(col, [5, 25, 50, 75, 95], axis=1)
        ax.fill_between(x, p05, p95, color=color, alpha=0.12, linewidth=0)
        ax.fill_between(x, p25, p75, color=color, alpha=0.25, linewidth=0)
        ax.plot(x, p50, color=color, linewidth=1.8, label=name)
    ax.set_title(f"{metric} per month: median, 50% and 90% bands over replicates")
    ax.set_ylabel(metric)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", frameon=False)
    fig.tight_layout()
    fig.savefig(path, format="png")
    plt.close(fig)


def plot_differences(cmp: Comparison, metric: str, path: Path) -> None:
    """Left: cumulative paired difference over time; right: every outcome's difference."""
    plt = _pyplot()
    others = list(zip(cmp.names[1:], cmp.results[1:], strict=True))
    fig, (ax1, ax2) = plt.subplots(
        1, 2, figsize=(13, 0.28 * len(cmp.metrics) * len(others) + 4), dpi=110
    )
    x = _dates(cmp.results[0])
    base = cmp.results[0].column(metric).astype(np.float64).cumsum(axis=0)
    for i, (name, res) in enumerate(others, start=1):
        d = res.column(metric).astype(np.float64).cumsum(axis=0) - base  # (T, R)
        mean = d.mean(axis=1)
        half = 1.96 * d.std(axis=1, ddof=1) / np.sqrt(d.shape[1]) if d.shape[1] > 1 else 0 * mean
        p05, p95 = np.percentile(d, [5, 95], axis=1)
        ax1.fill_between(x, p05, p95, color=f"C{i}", alpha=0.12, linewidth=0)
        ax1.fill_between(x, mean - half, mean + half, color=f"C{i}", alpha=0.35, linewidth=0)
        ax1.plot(x, mean, color=f"C{i}", label=f"{name} − {cmp.names[0]}")
    ax1.axhline(0, color="black", linewidth=0.8)
    ax1.set_title(
        f"Cumulative paired difference in {metric}\n(mean, 95% CI of the mean, 5–95% of replicates)"
    )
    ax1.grid(alpha=0.3)
    ax1.legend(loc="upper left", frameon=False)
    base_mean = {r["outcome"]: r["mean"] for r in cmp.rows() if "vs" not in r}
    labels, centres, lows, highs, colors = [], [], [], [], []
    for r in (r for r in cmp.rows() if "vs" in r):
        a_mean = base_mean[r["outcome"]]
        scale = 100 / abs(a_mean) if a_mean else np.nan
        labels.append(f"{r['outcome']} · {r['scenario']}")
        centres.append(r["diff_mean"] * scale)
        lows.append(r["diff_ci_low"] * scale)
        highs.append(r["diff_ci_high"] * scale)
        colors.append(f"C{cmp.names.index(r['scenario'])}")
    y = np.arange(len(labels))[::-1]
    c = np.array(centres)
    err = np.vstack([c - np.array(lows), np.array(highs) - c])
    for yi, ci, e0, e1, col in zip(y, c, err[0], err[1], colors, strict=True):
        ax2.errorbar(ci, yi, xerr=[[e0], [e1]], fmt="o", color=col, capsize=3)
        if np.isfinite(ci):
            ax2.annotate(f"{ci:+.1f}%", (ci, yi), textcoords="offset points", xytext=(0, 5),
                         ha="center", fontsize=7, color=col)  # fmt: skip
    ax2.axvline(0, color="black", linewidth=0.8)
    # Linear within ±10%, logarithmic beyond: a +400% outcome does not flatten the rest.
    ax2.set_xscale("symlog", linthresh=10)
    ax2.set_yticks(y, labels, fontsize=8)
    ax2.margins(x=0.08)
    ax2.set_xlabel(f"mean paired difference, % of {cmp.names[0]}'s mean (bootstrap 95% CI)")
    ax2.set_title("Every outcome (scale linear within ±10%, logarithmic beyond)")
    ax2.grid(alpha=0.3, axis="x")
    fig.tight_layout()
    fig.savefig(path, format="png")
    plt.close(fig)
