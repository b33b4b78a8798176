"""CLI commands for calibration and paired comparisons: thin wrappers over library code.

Registered on the main app by ``register(app)`` in sim/cli/main.py; nothing heavy is imported
until a command runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sim.cli.common import Months, Seed, check_out, console
from sim.inputs.errors import UsageError
from sim.inputs.limits import MAX_REPLICATES


def calibrate(
    scenario: Annotated[Path, typer.Argument(help="A scenario with a calibration spec.")],
    replicates: Annotated[
        int | None,
        typer.Option(
            "--replicates",
            "-r",
            min=20,  # fewer cannot resolve the targets' intervals
            max=MAX_REPLICATES,
            help="Replicates (default: the spec's).",
        ),
    ] = None,
    dry_run: Annotated[bool, typer.Option(help="Fit and print, write nothing.")] = False,
    doc: Annotated[Path, typer.Option(help="Where to write the Markdown report.")] = Path(
        "docs/calibration.md"
    ),
) -> None:
    """Fit a scenario's declared free parameters to its published targets.

    Writes the fitted values to the file the scenario extends, the fit record to
    sim/data/calibration.yaml and the report to docs/calibration.md.
    """
    from sim.analysis.calibration import as_markdown, calibrate, fit_summary, write_fit
    from sim.run.files import atomic_path

    if not scenario.is_file():
        raise UsageError(f"no scenario file at {scenario}")
    err = console(stderr=True)
    with err.status("fitting") as status:
        fit = calibrate(
            scenario,
            replicates=replicates,
            progress=lambda n, v: status.update(f"fitting: evaluation {n}, objective {v:.2e}"),
        )
    for path, mult in fit["multipliers"].items():
        typer.echo(f"{path}: x{mult:g} -> {fit['values'][path]}")
    typer.echo(fit_summary(fit))
    typer.echo(
        f"{fit['evaluations']} evaluations, {fit['replicates']} replicates; "
        + ("every target within its band" if fit["within_band"] else "NOT within the band")
    )
    if dry_run:
        return
    from sim.inputs.errors import OutputError

    try:
        written = write_fit(scenario, fit)
        with atomic_path(doc) as tmp:
            tmp.write_text(as_markdown() + "\n", encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"cannot write the fit: {exc}") from exc
    typer.echo("Wrote " + ", ".join(str(p) for p in [*written, doc]))
    if not fit["within_band"]:
        raise typer.Exit(1)


def compare(
    scenarios: Annotated[list[Path], typer.Argument(help="Two or more scenario files.")],
    replicates: Annotated[
        int | None,
        typer.Option(
            "--replicates",
            "-r",
            min=1,
            max=MAX_REPLICATES,
            help="Replicates (default: the first's).",
        ),
    ] = None,
    metric: Annotated[
        list[str] | None,
        typer.Option("--metric", "-m", help="Outcome metric (repeatable); default: key outcomes."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Folder for comparison.csv and the PNG plots.")
    ] = None,
    months: Months = None,
    seed: Seed = None,
    force: Annotated[bool, typer.Option(help="Overwrite files in a non-empty --out.")] = False,
) -> None:
    """Compare scenarios replicate by replicate (common random numbers).

    Prints each scenario's median and 90% interval for the key outcomes and the mean
    paired difference from the first scenario with a bootstrap 95% CI; with --out, writes
    comparison.csv, a fan chart and a differences chart.
    """
    from sim.analysis.compare import compare as run_compare
    from sim.analysis.compare import render, write_outputs
    from sim.inputs.scenario import load_scenario

    for path in scenarios:  # the inputs are checked before the output folder
        load_scenario(path)
    if out is not None:
        check_out(out, force)
    with console(stderr=True).status("running scenarios") as status:
        cmp = run_compare(
            scenarios,
            replicates=replicates,
            months=months,
            seed=seed,
            metrics=metric,
            progress=lambda n: status.update(f"ran {n} of {len(scenarios)} scenarios"),
        )
    render(cmp, console(wide=True, markup=False))
    if out is not None:
        from sim.inputs.errors import OutputError

        try:
            written = write_outputs(cmp, out)
        except OSError as exc:
            raise OutputError(f"cannot write to {out}: {exc}") from exc
        typer.echo(f"\nWrote {', '.join(p.name for p in written)} to {out}/")


def explain(
    scenario_a: Annotated[Path, typer.Argument(help="The reference scenario (A).")],
    scenario_b: Annotated[Path, typer.Argument(help="The scenario to explain (B).")],
    replicates: Annotated[
        int | None,
        typer.Option(
            "--replicates", "-r", min=1, max=MAX_REPLICATES, help="Replicates (default: A's)."
        ),
    ] = None,
    months: Months = None,
    seed: Seed = None,
    country: Annotated[str, typer.Option(help="Explain attacks in PAK (default) or AFG.")] = "PAK",
) -> None:
    """Explain in plain language why attacks differ between two scenarios.

    Built from the model's own bookkeeping of the paired runs: each channel (recruitment
    and its drivers, sanctuary, counter-pressure and its sources, funding, joint
    operations, deterrence, border closure) with its mechanism and the seed sentence behind
    it.
    """
    from sim.analysis.explain import account
    from sim.analysis.explain import explain as run_explain

    country = country.upper()
    if country not in ("PAK", "AFG"):
        raise UsageError(f"--country must be PAK or AFG, got {country}")
    with console(stderr=True).status("running both scenarios"):
        ex = run_explain(
            [scenario_a, scenario_b],
            replicates=replicates,
            months=months,
            seed=seed,
            country=country,
        )
    typer.echo(account(ex))


def register(app: typer.Typer) -> None:
    app.command()(calibrate)
    app.command()(compare)
    app.command()(explain)
