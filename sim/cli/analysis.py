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
    scenario: Annotated[Path, typer.Argument(help="A scenario with a calibration spec.")],
    replicates: Annotated[
        int | None, typer.Option("--replicates", "-r", help="Replicates (default: the spec's).")
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
    from sim.run.outputs import atomic_path

    if replicates is not None and not 20 <= replicates <= 100_000:
        raise UsageError(f"--replicates must be between 20 and 100,000, got {replicates}")
    if not scenario.is_file():
        raise UsageError(f"no scenario file at {scenario}")
    err = _stderr()
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
    uncertainty: Annotated[
        int | None,
        typer.Option(
            help="Also run N plausible parameter sets (Latin hypercube over the assumptions' "
            "ranges) and report how robust each effect is; 40 replicates per set unless "
            "--replicates."
        ),
    ] = None,
    workers: Annotated[int, typer.Option(help="Processes for --uncertainty.")] = 1,
) -> None:
    """Compare scenarios replicate by replicate (common random numbers).

    Prints each scenario's median and 90% interval for the key outcomes and the mean
    paired difference from the first scenario with a bootstrap 95% CI; with --out, writes
    comparison.csv, a fan chart and a differences chart. With --uncertainty N, also the
    effect's median and 90% range across N plausible parameter sets, the share of sets in
    which its sign holds, and the assumptions it hinges on (robustness.csv with --out).
    """
    from sim.analysis.compare import compare as run_compare
    from sim.analysis.compare import render, write_outputs
    from sim.cli.uncertainty import check_request

    check_request(uncertainty, workers)
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
    console = _wide_console()
    render(cmp, console)
    robust = None
    if uncertainty is not None:
        robust = _robustness(cmp.scenarios, cmp.names, cmp.metrics, cmp.rows(), uncertainty,
                             replicates, workers, console)  # fmt: skip
    if out is not None:
        from sim.inputs.errors import OutputError

        try:
            written = write_outputs(cmp, out)
            if robust is not None:
                written.append(_write_robustness(robust, out))
        except OSError as exc:
            raise OutputError(f"cannot write to {out}: {exc}") from exc
        typer.echo(f"\nWrote {', '.join(p.name for p in written)} to {out}/")


def _robustness(scenarios, names, metrics, rows, sets, replicates, workers, console):
    """Run --uncertainty N and print the robustness table; returns the results."""
    from sim.analysis.robustness import render as render_robustness
    from sim.cli.uncertainty import default_effects, robustness

    with _stderr().status("running plausible parameter sets") as status:
        results, reps = robustness(
            scenarios,
            names,
            metrics,
            default_effects(rows),
            sets=sets,
            replicates=replicates,
            workers=workers,
            progress=lambda n, total: status.update(f"parameter set {n} of {total}"),
        )
    render_robustness(results, sets, reps, console)
    return results


def _write_robustness(results, out: Path) -> Path:
    import pandas as pd

    from sim.analysis.robustness import as_rows
    from sim.run.outputs import atomic_path

    path = out / "robustness.csv"
    with atomic_path(path) as tmp:
        pd.DataFrame(as_rows(results)).to_csv(tmp, index=False, float_format="%.6g")
    return path


def explain(
    scenario_a: Annotated[Path, typer.Argument(help="The reference scenario (A).")],
    scenario_b: Annotated[Path, typer.Argument(help="The scenario to explain (B).")],
    replicates: Annotated[
        int | None, typer.Option("--replicates", "-r", help="Replicates (default: A's).")
    ] = None,
    months: Annotated[int | None, typer.Option(help="Common horizon for both.")] = None,
    seed: Annotated[int | None, typer.Option(help="Common seed (default: A's).")] = None,
    country: Annotated[str, typer.Option(help="Explain attacks in PAK (default) or AFG.")] = "PAK",
    uncertainty: Annotated[
        int | None,
        typer.Option(
            help="Also test the conclusion over N plausible parameter sets (Latin hypercube "
            "over the assumptions' ranges; 40 replicates per set unless --replicates)."
        ),
    ] = None,
    workers: Annotated[int, typer.Option(help="Processes for --uncertainty.")] = 1,
) -> None:
    """Explain in plain language why attacks differ between two scenarios.

    Built from the model's own bookkeeping of the paired runs: each channel (recruitment
    and its drivers, sanctuary, counter-pressure and its sources, funding, joint
    operations, deterrence, border closure) with its mechanism and the seed sentence behind
    it.
    """
    from sim.analysis.explain import account
    from sim.analysis.explain import explain as run_explain
    from sim.cli.uncertainty import check_request

    check_request(uncertainty, workers)
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
    if uncertainty is not None:
        from sim.analysis.compare import bootstrap_ci
        from sim.analysis.explain import humane_outcomes

        metrics = [f"attacks.{country}", *humane_outcomes(ex)]
        rows = []
        for metric in metrics:
            d = ex.paired_outcome(metric)
            lo, hi = bootstrap_ci(d)
            rows.append(
                {
                    "vs": ex.names[0],
                    "scenario": ex.names[1],
                    "outcome": metric,
                    "diff_mean": float(d.mean()),
                    "diff_ci_low": lo,
                    "diff_ci_high": hi,
                }
            )
        scenarios = [ex.a.scenario, ex.b.scenario]
        _robustness(
            scenarios, list(ex.names), metrics, rows, uncertainty, replicates, workers,
            _wide_console(),
        )  # fmt: skip


def register(app: typer.Typer) -> None:
    app.command()(calibrate)
    app.command()(compare)
    app.command()(explain)
