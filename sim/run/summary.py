"""The run summary: medians and 90% intervals over replicates, by calendar year."""

from __future__ import annotations

import numpy as np

from sim import GROUPS
from sim.inputs.scenario import add_months
from sim.model.geography import REGIONS
from sim.model.recorder import HUMANE_METRICS, TRUST_PAIRS
from sim.run.runner import RunResult

YEARLY = (
    ["attacks.PAK", "attacks.AFG"]
    + [f"attacks.{g}" for g in GROUPS]
    + [f"attacks.{r}" for r in REGIONS]
    + ["fatalities.PAK", "fatalities.AFG", "joint_ops", "border_clashes", "aid.US-PAK"]
    + list(HUMANE_METRICS)
)
FINAL = (
    [f"strength.{g}" for g in GROUPS]
    + [f"trust.{a}-{b}" for a, b in TRUST_PAIRS]
    + ["tension.PAK-AFG", "stability.PAK", "stability.AFG", "china_confidence"]
)


def interval(values: np.ndarray) -> dict[str, float]:
    """Median and the 5th-95th percentile band over replicates."""
    p05, med, p95 = np.percentile(values, [5, 50, 95])
    return {"median": float(med), "p05": float(p05), "p95": float(p95)}


def calendar_years(result: RunResult) -> list[tuple[str, slice]]:
    """(label, month slice) per calendar year; partial years say how many months they hold."""
    out, t = [], 0
    while t < result.months:
        year, month = add_months(result.scenario.start, t)
        length = min(13 - month, result.months - t)
        label = str(year) if length == 12 else f"{year} ({length} months)"
        out.append((label, slice(t, t + length)))
        t += length
    return out


def summarize(result: RunResult) -> dict:
    s = result.scenario
    yearly = {
        label: {m: interval(result.column(m)[months].sum(axis=0)) for m in YEARLY}
        for label, months in calendar_years(result)
    }
    final = {m: interval(result.column(m)[-1]) for m in FINAL}
    return {
        "scenario": s.title,
        "path": s.path,
        "start": "{:04d}-{:02d}".format(*s.start),
        "end": "{:04d}-{:02d}".format(*add_months(s.start, result.months - 1)),
        "months": result.months,
        "replicates": result.replicates,
        "seed": s.seed,
        "interval": "median and 5th-95th percentiles over replicates",
        "yearly_totals": yearly,
        "final": final,
    }


def _fmt(x: dict, digits: int = 0) -> str:
    f = f"{{:,.{digits}f}}"
    return f"{f.format(x['median'])}  [{f.format(x['p05'])}–{f.format(x['p95'])}]"


def render(summary: dict, console) -> None:
    """Print the summary as rich tables (plain text when not on a terminal)."""
    from rich.table import Table

    console.print(
        f"[bold]{summary['scenario']}[/bold]  {summary['start']} to {summary['end']}, "
        f"{summary['replicates']} replicates, seed {summary['seed']}"
    )
    console.print("Values are medians with 90% intervals [5th–95th percentile] over replicates.\n")
    years = list(summary["yearly_totals"])
    rows = [("in Pakistan", "attacks.PAK"), ("in Afghanistan", "attacks.AFG")]
    rows += [(f"by {g}", f"attacks.{g}") for g in GROUPS]
    rows += [(f"in {r}", f"attacks.{r}") for r in REGIONS]
    rows += [("deaths in Pakistan", "fatalities.PAK"), ("deaths in Afghanistan", "fatalities.AFG")]
    rows += [("civilians harmed by US drones", "harm.drone_civilians")]
    rows += [("deported/displaced, thousands", "harm.displaced")]
    rows += [("joint US-PAK operations", "joint_ops"), ("border clashes", "border_clashes")]
    cells = {y: [_fmt(summary["yearly_totals"][y][key]) for _, key in rows] for y in years}
    # As many years side by side as fit the console (80 columns when piped); the rest
    # in further tables below, so no figure is ever cut short.
    label_width = max(len(label) for label, _ in rows) + 3
    widths = [max(len(y), *(len(c) for c in cells[y])) + 3 for y in years]
    per_table = max(1, (console.width - 1 - label_width) // max(widths))
    for first in range(0, len(years), per_table):
        group = years[first : first + per_table]
        title = "Attacks per year" + (" (continued)" if first else "")
        table = Table(title=title, title_justify="left")
        table.add_column("", no_wrap=True)
        for y in group:
            table.add_column(y, justify="right", no_wrap=True)
        for i, (label, _) in enumerate(rows):
            table.add_row(label, *(cells[y][i] for y in group))
        console.print(table)
    final = Table(title=f"At the end ({summary['end']})", title_justify="left")
    final.add_column("")
    final.add_column("value", justify="right")
    for g in GROUPS:
        final.add_row(f"{g} strength (1 = early 2025)", _fmt(summary["final"][f"strength.{g}"], 2))
    for a, b in (
        ("US", "PAK"),
        ("PAK", "US"),
        ("PAK", "AFG"),
        ("AFG", "PAK"),
        ("PAK", "CHN"),
        ("CHN", "PAK"),
    ):
        final.add_row(f"trust {a} → {b}", _fmt(summary["final"][f"trust.{a}-{b}"], 2))
    final.add_row("tension PAK–AFG", _fmt(summary["final"]["tension.PAK-AFG"], 2))
    final.add_row("stability of Pakistan", _fmt(summary["final"]["stability.PAK"], 2))
    console.print(final)
