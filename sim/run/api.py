"""Library functions behind the CLI commands (usable from notebooks and tests too)."""

from __future__ import annotations

from pathlib import Path

from sim.inputs.limits import check
from sim.inputs.scenario import Scenario, load_scenario


def scenario_for_run(
    path: Path,
    *,
    seed: int | None = None,
    replicates: int | None = None,
    months: int | None = None,
) -> Scenario:
    """Load a scenario and apply overrides, each checked against its limit."""
    for quantity, value in (("seed", seed), ("replicates", replicates), ("months", months)):
        check(quantity, value)
    return load_scenario(path).with_overrides(seed=seed, replicates=replicates, months=months)


def run_to_folder(
    scenario: Scenario | Path,
    *,
    out: Path,
    fmt: str = "csv",
    seed: int | None = None,
    replicates: int | None = None,
    months: int | None = None,
    cores: int | None = None,
    command: list[str] | None = None,
    progress_console=None,
    summary_console=None,
):
    """Run a scenario (a loaded one, or a file with overrides), summarise it and write it
    to ``out``, all or nothing; return (summary, written paths)."""
    from sim.run.outputs import write_run
    from sim.run.runner import run_scenario
    from sim.run.summary import render, summarize

    check("cores", cores)
    if isinstance(scenario, Scenario):
        loaded = scenario
    else:
        loaded = scenario_for_run(Path(scenario), seed=seed, replicates=replicates, months=months)
    result = _with_progress(
        progress_console,
        f"{loaded.replicates:,} replicates",
        loaded.months,
        "months",
        lambda tick: run_scenario(loaded, cores=cores, progress=tick),
    )
    summary = summarize(result)
    if summary_console is not None:
        render(summary, summary_console)
    written = _with_write_progress(
        progress_console,
        lambda progress: write_run(result, out, fmt, summary, command, progress=progress),
    )
    return summary, written


_SHOW_WRITE_FROM = 200_000  # rows: below this, writing takes less than a blink


def _with_progress(console, label: str, total: int, unit: str, work):
    """Run ``work(tick)`` with a transient progress bar (none without a console)."""
    if console is None:
        return work(None)
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn(f"{{task.completed:,}}/{{task.total:,}} {unit}"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=total)
        return work(lambda done: bar.update(task, completed=done))


def _with_write_progress(console, write):
    """Call ``write(progress)``, showing one bar per long file being written."""
    if console is None:
        return write(None)
    from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn("writing {task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(what: str, done: int, total: int) -> None:
            if total < _SHOW_WRITE_FROM:
                return
            if what not in tasks:
                tasks[what] = bar.add_task(what, total=total)
            bar.update(tasks[what], completed=done)

        return write(progress)


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


def copy_scenarios(dest: Path) -> tuple[list[Path], list[Path]]:
    """Copy the shipped scenarios (with their subfolders) into ``dest`` to edit them there;
    files already in ``dest`` are left alone. Return (copied, left as they were)."""
    import shutil

    from sim.inputs.errors import OutputError
    from sim.inputs.resources import scenarios_folder

    source = scenarios_folder()
    copied, kept = [], []
    try:
        for src in sorted(source.rglob("*.yaml")):
            target = dest / src.relative_to(source)
            if target.exists():
                kept.append(target)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, target)
            copied.append(target)
    except OSError as exc:
        raise OutputError(f"cannot copy scenarios to {dest}: {exc.strerror or exc}") from None
    return copied, kept
