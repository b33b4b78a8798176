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
        int | None,
        typer.Option(
            "--replicates",
            "-r",
            min=20,  # fewer cannot resolve the targets' intervals
            max=MAX_REPLICATES,
            help="Replicates (default: the spec's).",
        ),
    ] = None,
    max_evaluations: Annotated[
        int | None,
        typer.Option(
            "--max-evaluations",
            min=1,
            max=5000,
            help="Cap on model evaluations (default: the spec's).",
        ),
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

    if check and (dry_run or replicates or max_evaluations):
        raise UsageError("--check re-runs the stored fit as recorded; it takes no other option")
    spec = cal.load_spec()
    if check:
        with console(stderr=True).status("re-running the stored fit"):
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
    with console(stderr=True).status("fitting") as status:
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
    from sim.run.files import atomic_path

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
    from sim.inputs.scenario import load_scenario

    for path in scenarios:  # the inputs are checked before the output folder
        load_scenario(path)
    from sim.cli.uncertainty import check_request

    check_request(uncertainty, workers)
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
    wide = console(wide=True, markup=False)
    render(cmp, wide)
    robust = None
    if uncertainty is not None:
        robust = _robustness(cmp.scenarios, cmp.names, cmp.metrics, cmp.rows(), uncertainty,
                             replicates, workers, wide)  # fmt: skip
    if out is not None:
        from sim.inputs.errors import OutputError

        try:
            written = write_outputs(cmp, out)
            if robust is not None:
                written.append(_write_robustness(robust, out))
        except OSError as exc:
            raise OutputError(f"cannot write to {out}: {exc}") from exc
        typer.echo(f"\nWrote {', '.join(p.name for p in written)} to {out}/")


def _robustness(scenarios, names, metrics, rows, sets, replicates, workers, shown_on):
    """Run --uncertainty N and print the robustness table; returns the results."""
    from sim.analysis.robustness import render as render_robustness
    from sim.cli.uncertainty import robustness_of_rows

    with console(stderr=True).status("running plausible parameter sets") as status:
        results, reps = robustness_of_rows(
            scenarios,
            names,
            metrics,
            rows,
            sets=sets,
            replicates=replicates,
            workers=workers,
            progress=lambda n, total: status.update(f"parameter set {n} of {total}"),
        )
    render_robustness(results, sets, reps, shown_on)
    return results


def _write_robustness(results, out: Path) -> Path:
    import pandas as pd

    from sim.analysis.robustness import as_rows
    from sim.run.files import atomic_path

    path = out / "robustness.csv"
    with atomic_path(path) as tmp:
        pd.DataFrame(as_rows(results)).to_csv(tmp, index=False, float_format="%.6g")
    return path


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
    with console(stderr=True).status("running both scenarios"):
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
            console(wide=True, markup=False),
        )  # fmt: skip


def register(app: typer.Typer) -> None:
    app.command()(calibrate)
    app.command()(compare)
    app.command()(explain)
