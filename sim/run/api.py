"""Library functions behind the CLI commands (usable from notebooks and tests too)."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from sim.inputs.errors import UsageError
from sim.inputs.scenario import MAX_MONTHS, MAX_REPLICATES, MAX_SEED, load_scenario

MAX_CORES = 256


def check_range(name: str, value: int | None, low: int, high: int) -> None:
    """A command-line number out of its range is a usage error (exit 2), not a crash."""
    if value is not None and not low <= value <= high:
        raise UsageError(f"--{name} must be between {low} and {high:,}, got {value}")


def run_to_folder(
    scenario_path: Path,
    *,
    out: Path,
    fmt: str = "csv",
    seed: int | None = None,
    replicates: int | None = None,
    months: int | None = None,
    cores: int | None = None,
    progress_console=None,
    summary_console=None,
):
    """Load, run, summarise and write a scenario; return (summary, written paths)."""
    from sim.run.outputs import write_run
    from sim.run.runner import run_scenario
    from sim.run.summary import render, summarize

    check_range("seed", seed, 0, MAX_SEED)
    check_range("replicates", replicates, 1, MAX_REPLICATES)
    check_range("months", months, 1, MAX_MONTHS)
    check_range("cores", cores, 1, MAX_CORES)
    scenario = load_scenario(scenario_path).with_overrides(
        seed=seed, replicates=replicates, months=months
    )
    run = partial(run_scenario, cores=cores)
    result = _run_with_progress(scenario, run, progress_console)
    summary = summarize(result)
    if summary_console is not None:
        render(summary, summary_console)
    return summary, write_run(result, out, fmt, summary)


def _run_with_progress(scenario, run_scenario, console):
    if console is None:
        return run_scenario(scenario)
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} months"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(f"{scenario.replicates} replicates", total=scenario.months)
        return run_scenario(scenario, progress=lambda m: bar.update(task, completed=m))


def list_scenarios(folder: Path) -> list[tuple[str, str]]:
    """(file name, title) of every scenario in ``folder``; a broken file says so."""
    from sim.inputs.errors import ScenarioError

    rows = []
    for path in sorted(folder.glob("*.yaml")):
        try:
            title = load_scenario(path).title
        except ScenarioError as exc:
            title = f"(invalid: {exc.problems[0].message})"
        rows.append((path.name, title))
    return rows
