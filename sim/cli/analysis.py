"""CLI commands for calibration and paired comparisons: thin wrappers over library code.

Registered on the main app by ``register(app)`` in sim/cli/main.py; nothing heavy is imported
until a command runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sim.inputs.errors import UsageError


def _stderr():
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def calibrate(
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Write nothing: re-run the stored fit, print the target table, exit 1 if it "
            "no longer reproduces or too few targets fall inside the 90% interval.",
        ),
    ] = False,
    dry_run: Annotated[bool, typer.Option(help="Fit and print, write nothing.")] = False,
    replicates: Annotated[
        int | None, typer.Option("--replicates", "-r", help="Replicates (default: the spec's).")
    ] = None,
    max_evaluations: Annotated[
        int | None,
        typer.Option("--max-evaluations", help="Cap on model evaluations (default: the spec's)."),
    ] = None,
    docs: Annotated[Path, typer.Option(help="Folder for calibration.md and validation.md.")] = Path(
        "docs"
    ),
) -> None:
    """Fit the declared free parameters to the declared 2023-2024 targets.

    The spec is sim/data/calibration.yaml, the targets are observations in
    sim/data/observations.yaml (holdout figures, 2025 on, are refused). Prints every target
    with the model's median and 90% interval. Writes the fitted values to
    sim/data/calibrated.yaml, the record to sim/data/calibration_fit.yaml, and
    docs/calibration.md and docs/validation.md; hand-written files are never rewritten.
    """
    from sim.analysis import calibration as cal

    if replicates is not None and not 20 <= replicates <= 100_000:
        raise UsageError(f"--replicates must be between 20 and 100,000, got {replicates}")
    if max_evaluations is not None and not 1 <= max_evaluations <= 5000:
        raise UsageError(f"--max-evaluations must be between 1 and 5,000, got {max_evaluations}")
    if check and (dry_run or replicates or max_evaluations):
        raise UsageError("--check re-runs the stored fit as recorded; it takes no other option")
    spec = cal.load_spec()
    if check:
        with _stderr().status("re-running the stored fit"):
            result = cal.check(spec)
        typer.echo("\n".join(cal.table_lines(spec, result.rows)))
        if result.reproduces:
            typer.echo("The stored fit reproduces.")
        else:
            typer.echo("The stored fit does NOT reproduce (run `durand calibrate`):")
            for problem in result.problems:
                typer.echo(f"  - {problem}")
        if not result.meets_bar:
            typer.echo(
                f"Below the bar: the spec asks for {result.required:.0%} of the targets inside "
                "the model's 90% interval (docs/validation.md explains each miss)."
            )
        if not result.ok:
            raise typer.Exit(1)
        return  # --check only reports
    with _stderr().status("fitting") as status:
        fit = cal.calibrate(
            spec,
            replicates=replicates,
            max_evaluations=max_evaluations,
            progress=lambda n, v: status.update(f"fitting: evaluation {n}, objective {v:.2f}"),
        )
    for path, value in fit["values"].items():
        typer.echo(f"{path} = {value:g}")
    typer.echo("\n".join(cal.table_lines(spec, fit["results"])))
    typer.echo(f"{fit['evaluations']} evaluations, objective {fit['objective']:.2f}")
    for run in fit["sensitivity"]:
        shown = ", ".join(f"{k} = {v:g}" for k, v in run["values"].items())
        typer.echo(
            f"sensitivity {run['name']} (not used by the model): {shown}; "
            f"{run['inside']} of {run['targets']} inside"
        )
    if dry_run:
        return
    from sim.inputs.errors import OutputError
    from sim.run.outputs import atomic_path

    try:
        written = cal.write_fit(fit)
        for name, text in (
            ("calibration.md", cal.calibration_markdown(spec)),
            ("validation.md", cal.validation_markdown(spec, cal.as_stored(fit))),
        ):
            with atomic_path(docs / name) as tmp:
                tmp.write_text(text, encoding="utf-8")
            written.append(docs / name)
    except OSError as exc:
        raise OutputError(f"cannot write the fit: {exc}") from exc
    typer.echo("Wrote " + ", ".join(str(p) for p in written))


def _wide_console():
    import shutil

    from rich.console import Console

    width = max(shutil.get_terminal_size((160, 24)).columns, 160)
    return Console(highlight=False, width=width, markup=False)


def _check_out(out: Path, force: bool) -> None:
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise UsageError(f"--out {out} already holds files; use --force to overwrite them")


def compare(
    scenarios: Annotated[list[Path], typer.Argument(help="Two or more scenario files.")],
    replicates: Annotated[
        int | None, typer.Option("--replicates", "-r", help="Replicates (default: the first's).")
    ] = None,
    metric: Annotated[
        list[str] | None,
        typer.Option("--metric", "-m", help="Outcome metric (repeatable); default: key outcomes."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Folder for comparison.csv and the PNG plots.")
    ] = None,
    months: Annotated[int | None, typer.Option(help="Common horizon for every scenario.")] = None,
    seed: Annotated[int | None, typer.Option(help="Common seed (default: the first's).")] = None,
    force: Annotated[bool, typer.Option(help="Overwrite files in a non-empty --out.")] = False,
) -> None:
    """Compare scenarios replicate by replicate (common random numbers).

    Prints each scenario's median and 90% interval for the key outcomes and the mean
    paired difference from the first scenario with a bootstrap 95% CI; with --out, writes
    comparison.csv, a fan chart and a differences chart.
    """
    from sim.analysis.compare import compare as run_compare
    from sim.analysis.compare import render, write_outputs

    if out is not None:
        _check_out(out, force)
    with _stderr().status("running scenarios") as status:
        cmp = run_compare(
            scenarios,
            replicates=replicates,
            months=months,
            seed=seed,
            metrics=metric,
            progress=lambda n: status.update(f"ran {n} of {len(scenarios)} scenarios"),
        )
    render(cmp, _wide_console())
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
        int | None, typer.Option("--replicates", "-r", help="Replicates (default: A's).")
    ] = None,
    months: Annotated[int | None, typer.Option(help="Common horizon for both.")] = None,
    seed: Annotated[int | None, typer.Option(help="Common seed (default: A's).")] = None,
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
    with _stderr().status("running both scenarios"):
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
