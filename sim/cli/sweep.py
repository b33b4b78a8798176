"""CLI commands for sweeps: ``sweep``, ``analyze sensitivity|discover`` and ``replay``.

Thin wrappers over sim.sweep's library functions; heavy imports happen inside commands.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sim.cli.common import console, limited

analyze_app = typer.Typer(
    help="Analyse a finished sweep from its result tables.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


def sweep(
    spec: Annotated[
        Path, typer.Argument(help="Sweep spec YAML (e.g. scenarios/sweeps/smoke.yaml).")
    ],
    out: Annotated[Path, typer.Option(help="Output folder for points, runs and manifest.")],
    workers: Annotated[
        int | None,
        limited("cores", "--workers", help="Worker processes (default: the spec's executor)."),
    ] = None,
    executor: Annotated[
        str | None, typer.Option(help="local or dask (default: the spec's executor).")
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler address; without it, a LocalCluster.")
    ] = None,
    resume: Annotated[bool, typer.Option(help="Complete an interrupted sweep in --out.")] = False,
    force: Annotated[bool, typer.Option(help="Overwrite a non-empty --out.")] = False,
    chunk_points: Annotated[
        int | None, typer.Option(min=1, help="Design points per chunk (default: automatic).")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress, no summary.")] = False,
) -> None:
    """Run a sweep: many design points x replicates, streamed to Parquet, resumable."""
    from sim.sweep.engine import run_sweep

    if quiet:
        report = run_sweep(
            spec, out, workers=workers, executor=executor, scheduler=scheduler,
            resume=resume, force=force, chunk_points=chunk_points,
        )  # fmt: skip
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("chunks · {task.fields[points]} points ·"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("sweep", total=None, points=0)

        def progress(done: int, total: int, points: int) -> None:
            bar.update(task, completed=done, total=total, points=points)

        report = run_sweep(
            spec, out, workers=workers, executor=executor, scheduler=scheduler,
            resume=resume, force=force, chunk_points=chunk_points, progress=progress,
        )  # fmt: skip
    _print_report(report)


def _print_report(report) -> None:
    import pandas as pd
    from rich.table import Table

    con = console()
    sw = report.sweep
    runs = report.points * sw.replicates
    months = sw.base.months
    rate = report.seconds / max(1, runs * months / report.chunks * report.ran_chunks) * 1e6
    con.print(
        f"{sw.spec.title or sw.path}: {report.points:,} points x {sw.replicates} replicates = "
        f"{runs:,} runs of {months} months ({sw.spec.sampler} design)"
    )
    if report.skipped_chunks:
        con.print(f"resumed: {report.skipped_chunks} of {report.chunks} chunks were already done")
    con.print(
        f"ran {report.ran_chunks} chunks in {report.seconds:.1f} s with {report.workers} "
        f"worker(s), {report.executor} executor"
        + (f" ({rate:.1f} µs per replicate-month)" if report.ran_chunks else "")
    )
    data = pd.read_parquet(report.out / "runs.parquet")
    table = Table(title="Outcomes over all runs (median and 90% interval)")
    for col in ("outcome", "what", "median", "5%", "95%"):
        table.add_column(col, justify="left" if col in ("outcome", "what") else "right")
    for o in sw.outcomes:
        q = data[o.name].quantile([0.5, 0.05, 0.95]).to_numpy()
        table.add_row(o.name, o.describe(), *(f"{v:,.4g}" for v in q))
    con.print(table)
    con.print(f"Wrote points.parquet, runs.parquet/, manifest.json to {report.out}/")


@analyze_app.command("sensitivity")
def analyze_sensitivity(
    sweep_dir: Annotated[Path, typer.Argument(help="A sweep's output folder.")],
    outcome: Annotated[str, typer.Option(help="Outcome column of runs.parquet.")],
    png: Annotated[Path | None, typer.Option(help="Tornado chart path.")] = None,
) -> None:
    """Which factors drive an outcome: Sobol' S1/ST or Morris mu*/sigma by design; for
    other designs (lhs, mc, grid) RBD-FAST S1 and PAWN."""
    from rich.table import Table

    from sim.sweep.analysis import sensitivity

    s = sensitivity(sweep_dir, outcome, png=png)
    con = console()
    table = Table(title=f"Sensitivity of {outcome} ({s.method}), most influential first")
    table.add_column("factor")
    for col in s.table.columns[1:]:
        table.add_column(col.replace("mu_star", "μ*").replace("_conf", " ±"), justify="right")
    for _, row in s.table.iterrows():
        table.add_row(row["factor"], *(f"{row[c]:.3g}" for c in s.table.columns[1:]))
    con.print(table)
    con.print(s.note)
    con.print(f"Wrote {s.png} and {s.csv}")


@analyze_app.command("discover")
def analyze_discover(
    sweep_dir: Annotated[Path, typer.Argument(help="A sweep's output folder.")],
    outcome: Annotated[str, typer.Option(help="Outcome column of runs.parquet.")],
    above: Annotated[float | None, typer.Option(help="Runs of interest: outcome > X.")] = None,
    below: Annotated[float | None, typer.Option(help="Runs of interest: outcome < X.")] = None,
    density: Annotated[float, typer.Option(help="Density a box must reach.")] = 0.8,
    png: Annotated[Path | None, typer.Option(help="Trade-off chart path.")] = None,
) -> None:
    """Scenario discovery with PRIM: the factor ranges where an outcome crosses a line."""
    from sim.sweep.analysis import discover

    d = discover(sweep_dir, outcome, above=above, below=below, density=density, png=png)
    con = console()
    con.print(
        f"{d.of_interest:,} of {d.cases:,} runs have {d.condition} ({d.of_interest / d.cases:.0%})."
    )
    con.print(d.sentence())
    for line in d.rule_lines():
        con.print(f"  {line}")
    con.print(
        f"  coverage {d.coverage:.0%} (of those runs, the share inside the box), "
        f"density {d.density:.0%} (of the box's runs, the share with {d.condition}), "
        f"mass {d.mass:.0%} (of all runs, the share inside the box); box {d.box_index} of "
        f"{len(d.trajectory)} on the peeling trajectory"
    )
    con.print(f"Wrote {d.png}")


def replay(
    sweep_dir: Annotated[Path, typer.Argument(help="A sweep's output folder.")],
    point: Annotated[int, typer.Option(help="Design point id.")],
    replicate: Annotated[int, typer.Option(help="Replicate index.")],
    out: Annotated[Path | None, typer.Option(help="Folder for the scenario file.")] = None,
) -> None:
    """Rebuild one run of a sweep as a scenario file + seed + replicate, and check it."""
    from sim.inputs.errors import DurandError
    from sim.sweep.replay import replay as do_replay

    info = do_replay(sweep_dir, point, replicate, out)
    con = console()
    con.print(f"Scenario: {info['scenario']} (seed {info['seed']}, replicate {replicate})")
    for k, v in info["outcomes_in_sweep"].items():
        con.print(f"  {k}: sweep {v!r}, replayed {info['outcomes_replayed'][k]!r}")
    if not info["identical"]:
        raise DurandError("the replayed run differs from the sweep's row (this is a bug)")
    con.print("Identical to the sweep's row. Run it with:")
    con.print(f"  {info['run_command']}")


def register(app: typer.Typer) -> None:
    """Add the sweep commands to the main ``durand`` app."""
    app.command("sweep")(sweep)
    app.add_typer(analyze_app, name="analyze")
    app.command("replay")(replay)
