"""The ``durand`` command: thin commands over sim's library functions.

Nothing heavy is imported at module level, so ``durand --help`` answers at once. Every
user-facing failure is a DurandError, printed without a traceback and mapped to its exit
code (2 for bad input or usage, 3 for output failures, 130 for Ctrl-C); the library words
errors in its own terms and this module alone turns them into --flag messages.
"""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from sim import __version__
from sim.cli import analysis, play, plugins, sweep
from sim.cli.common import Months, Replicates, Seed, check_out, console, limited, scenario_path
from sim.inputs.errors import DurandError, UsageError

app = typer.Typer(
    name="durand",
    help=(
        "Durand: an agent-based model of counterterrorism cooperation around the "
        "Afghanistan-Pakistan border (US, Pakistan, the Afghan Taliban, China; TTP, ISKP, "
        "BLA). A teaching and analysis abstraction, not a forecast."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class Format(StrEnum):
    csv = "csv"
    parquet = "parquet"


@app.command()
def run(
    ctx: typer.Context,
    scenario: Annotated[
        Path, typer.Argument(help="Scenario YAML file, or a shipped scenario's name (baseline).")
    ],
    seed: Seed = None,
    replicates: Replicates = None,
    months: Months = None,
    out: Annotated[
        Path | None, typer.Option(help="Output folder (default runs/<scenario name>).")
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", help="Table file format.")] = Format.csv,
    force: Annotated[bool, typer.Option(help="Replace the results in a non-empty --out.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No summary, no progress.")] = False,
    cores: Annotated[
        int | None,
        limited(
            "cores",
            "--cores",
            help="Processes to split the replicates over (default: one per core "
            "for 2,048 replicates or more).",
        ),
    ] = None,
) -> None:
    """Run a scenario and write timeseries, events, summary and manifest to a folder.

    The folder is replaced whole once every file is complete: an interrupted run leaves
    it as it was.
    """
    from sim.run.api import run_to_folder, scenario_for_run

    path = scenario_path(scenario)
    loaded = scenario_for_run(path, seed=seed, replicates=replicates, months=months)
    out = out or Path("runs") / path.stem
    check_out(out, force)
    had_results = out.is_dir() and any(out.iterdir())
    try:
        summary, written = run_to_folder(
            loaded,
            out=out,
            fmt=fmt.value,
            cores=cores,
            command=(ctx.obj or {}).get("command_line"),
            progress_console=None if quiet else console(stderr=True),
            summary_console=None if quiet else console(),
        )
    except KeyboardInterrupt:
        kept = f"{out}/ still holds the previous results" if had_results else "nothing"
        print(f"interrupted: no new results were written; kept: {kept}", file=sys.stderr)
        raise typer.Exit(130) from None
    if not quiet:
        console().print(f"\nWrote {', '.join(p.name for p in written)} to {out}/")


@app.command()
def validate(
    scenarios: Annotated[
        list[Path],
        typer.Argument(help="Scenario YAML files, or shipped scenarios' names (baseline)."),
    ],
) -> None:
    """Check scenario files; report every problem with file, line and key path."""
    from sim.inputs.errors import ScenarioError
    from sim.inputs.scenario import load_scenario

    problems = []
    for given in scenarios:
        path = scenario_path(given)
        try:
            s = load_scenario(path)
        except ScenarioError as exc:
            problems.extend(exc.problems)
            continue
        typer.echo(f"ok  {path}: {s.title} ({s.months} months from {s.start[0]}-{s.start[1]:02d})")
    if problems:
        raise ScenarioError(problems)


@app.command()
def scenarios(
    folder: Annotated[
        Path | None, typer.Option(help="Folder of scenario files (default: the shipped ones).")
    ] = None,
    markdown: Annotated[
        bool, typer.Option(help="Markdown for docs/scenarios.md, with headline results.")
    ] = False,
    copy: Annotated[
        Path | None,
        typer.Option(help="Copy the shipped scenarios into this folder, to edit them there."),
    ] = None,
    uncertainty: Annotated[
        int, typer.Option(help="With --markdown: parameter sets for robustness (0: none).")
    ] = 64,
) -> None:
    """List the shipped scenarios with their titles (or copy them to edit)."""
    from sim.inputs.resources import scenarios_folder
    from sim.run.api import copy_scenarios, list_scenarios

    if copy is not None:
        copied, kept = copy_scenarios(copy)
        typer.echo(f"Copied {len(copied)} scenario files to {copy}/")
        if kept:
            typer.echo(f"Left {len(kept)} files that were already there as they were.")
        return
    folder = folder or scenarios_folder()
    if markdown:
        from sim.analysis.library import as_markdown
        from sim.cli.uncertainty import for_library

        robustness = for_library(uncertainty) if uncertainty else None
        typer.echo(as_markdown(folder, robustness=robustness))
        return
    rows = list_scenarios(folder)
    if not rows:
        raise UsageError(f"no scenario files in {folder}/")
    width = max(len(name) for name, _ in rows)
    for name, title in rows:
        typer.echo(f"{name:<{width}}  {title}")


@app.command()
def evidence(
    param: Annotated[
        str | None, typer.Argument(help="A parameter path or prefix, e.g. groups.tempo.")
    ] = None,
    markdown: Annotated[bool, typer.Option(help="Markdown for docs/evidence.md.")] = False,
    observations: Annotated[
        bool,
        typer.Option(
            "--observations", help="The public observations (sim/data/observations.yaml)."
        ),
    ] = False,
    summary: Annotated[
        bool, typer.Option(help="Only the counts: documents, public data, assumptions.")
    ] = False,
) -> None:
    """Every parameter with its value and provenance (seed sentence or assumption), and the
    public observations the model is fitted to and checked against."""
    from sim.analysis import observations as obs
    from sim.analysis.evidence import as_markdown, as_text, select

    if observations:
        if param:
            raise UsageError("--observations lists every observation; give no parameter")
        typer.echo(obs.as_markdown() if markdown else obs.as_text())
        return
    specs = select(param)
    if summary:
        from sim.analysis.evidence import summary as split

        typer.echo(split(specs))
        return
    if markdown:
        # docs/evidence.md: the parameters, then (for the whole registry) the observations
        typer.echo(as_markdown(specs) + ("" if param else "\n" + obs.as_markdown()))
        return
    typer.echo(as_text(specs))


# Every other command module registers itself the same way (plugins: those viz declares).
for module in (analysis, sweep, play, plugins):
    module.register(app)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"durand {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show version.")
    ] = False,
) -> None:
    """Durand command line."""


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: run the app (on ``argv``, default the command line) and
    map errors to exit codes. Typer handles usage errors and --help itself (2 and 0)."""
    args = sys.argv[1:] if argv is None else list(argv)
    try:
        app(args=args, prog_name="durand", obj={"command_line": ["durand", *args]})
    except DurandError as exc:
        print(exc.worded(flags=True), file=sys.stderr)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    except Exception as exc:  # a bug: say so plainly, traceback only on request
        if os.environ.get("DURAND_DEBUG"):
            raise
        print(
            f"internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in durand. Rerun with DURAND_DEBUG=1 for the traceback and report it.",
            file=sys.stderr,
        )
        sys.exit(1)


if __name__ == "__main__":
    main()
