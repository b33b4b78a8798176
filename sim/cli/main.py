"""The ``durand`` command: thin commands over sim's library functions.

Nothing heavy is imported at module level, so ``durand --help`` answers at once. Every
user-facing failure is a DurandError, printed without a traceback and mapped to its exit
code (2 for bad input or usage, 3 for output failures).
"""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from sim import __version__
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


def _err_console():
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def _out_console():
    from rich.console import Console

    return Console(highlight=False)


def _check_out(out: Path, force: bool) -> None:
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise UsageError(f"--out {out} already holds files; use --force to overwrite them")


@app.command()
def run(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    seed: Annotated[int | None, typer.Option(help="Override the scenario's seed.")] = None,
    replicates: Annotated[
        int | None, typer.Option("--replicates", "-r", help="Monte Carlo replicates.")
    ] = None,
    months: Annotated[int | None, typer.Option(help="Override the horizon in months.")] = None,
    out: Annotated[
        Path | None, typer.Option(help="Output folder (default runs/<scenario name>).")
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", help="Timeseries file format.")] = Format.csv,
    force: Annotated[bool, typer.Option(help="Overwrite files in a non-empty --out.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No summary, no progress.")] = False,
    cores: Annotated[
        int | None,
        typer.Option(
            help="Processes to split the replicates over (default: one per core "
            "for 2,048 replicates or more)."
        ),
    ] = None,
) -> None:
    """Run a scenario and write timeseries, events, summary and manifest to a folder."""
    from sim.run.api import run_to_folder

    out = out or Path("runs") / scenario.stem
    _check_out(out, force)
    summary, written = run_to_folder(
        scenario,
        out=out,
        fmt=fmt.value,
        seed=seed,
        replicates=replicates,
        months=months,
        cores=cores,
        progress_console=None if quiet else _err_console(),
        summary_console=None if quiet else _out_console(),
    )
    if not quiet:
        _out_console().print(f"\nWrote {', '.join(p.name for p in written)} to {out}/")


@app.command()
def validate(
    scenarios: Annotated[list[Path], typer.Argument(help="Scenario YAML files.")],
) -> None:
    """Check scenario files; report every problem with file, line and key path."""
    from sim.inputs.errors import ScenarioError
    from sim.inputs.scenario import load_scenario

    problems = []
    for path in scenarios:
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
    folder: Annotated[Path, typer.Option(help="Folder of scenario files.")] = Path("scenarios"),
    markdown: Annotated[
        bool, typer.Option(help="Markdown for docs/scenarios.md, with headline results.")
    ] = False,
    uncertainty: Annotated[
        int, typer.Option(help="With --markdown: parameter sets for robustness (0: none).")
    ] = 64,
) -> None:
    """List the shipped scenarios with their titles."""
    from sim.run.api import list_scenarios

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
    summary: Annotated[
        bool, typer.Option(help="Only the counts: documents, public data, assumptions.")
    ] = False,
) -> None:
    """Every parameter with its value and provenance (seed sentence or assumption)."""
    from sim.analysis.evidence import as_markdown, as_text, select

    specs = select(param)
    if summary:
        from sim.analysis.evidence import summary as split

        typer.echo(split(specs))
        return
    typer.echo(as_markdown(specs) if markdown else as_text(specs))


def _register_analysis() -> None:
    from sim.cli.analysis import register

    register(app)


_register_analysis()


def _register_plugins() -> None:
    """Commands other packages declare (the viewer's ``view``): see sim/cli/plugins.py."""
    from sim.cli.plugins import commands

    for name, command in commands().items():
        app.command(name=name)(command)


_register_plugins()


def _register_play() -> None:
    from sim.cli.play import play

    app.command(name="play")(play)


_register_play()


from sim.cli.sweep import register as _register_sweeps  # noqa: E402

_register_sweeps(app)


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


def main() -> None:
    """Console-script entry point: run the app and map errors to exit codes.

    Typer (standalone mode) handles usage errors and --help itself, exiting 2 and 0.
    """
    try:
        app()
    except DurandError as exc:
        print(str(exc), file=sys.stderr)
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
