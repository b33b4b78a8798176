"""The everyday path: `durand run` end to end (all-or-nothing output folders, Ctrl-C,
events as tables), shipped scenarios found by name, one limit per quantity, and the
newcomer traps of issue 14 (80-column summary, atomic doc targets, check order)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

import pytest

from sim.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
DURAND = Path(sys.executable).with_name("durand")


def cli(capsys, *args: str) -> tuple[int, str, str]:
    """Run the durand command line in this process: (exit code, stdout, stderr)."""
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    out, err = capsys.readouterr()
    return code, out, err


def digest(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


# ------------------------------------------------------------------ events


def test_event_table_and_json_lines_agree_and_escape_user_text(tmp_path):
    from sim.inputs.scenario import load_scenario
    from sim.run.events import event_table
    from sim.run.runner import run_scenario

    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        "extends: baseline\nevents:\n  - at: 2025-03\n    set: {US.military_aid_pak: 0}\n"
        '    note: "a \\"quoted\\" note\\nwith a line break and a \\\\ backslash"\n'
    )
    result = run_scenario(load_scenario(scenario).with_overrides(replicates=30, months=36))
    table = event_table(result)
    rows = list(table.rows())
    parsed = [json.loads(line) for line in table.json_lines().splitlines()]
    assert parsed == rows and len(rows) > 30
    assert '"quoted"' in rows[0]["explanation"] and "\n" in rows[0]["explanation"]
    assert rows[0]["replicate"] is None and rows[1]["replicate"] is not None
    keys = [(r["replicate"], r["month"]) for r in rows[1:]]
    assert keys == sorted(keys), "per-replicate events come by replicate, then month"
    arrow = table.to_arrow()
    assert arrow.num_rows == len(rows)
    assert arrow.column("actors").to_pylist() == [r["actors"] for r in rows]


def test_parquet_runs_write_the_same_events_as_a_table(tmp_path, capsys):
    import pandas as pd

    args = ["run", "baseline", "-q", "-r", "4", "--months", "24"]
    for name, fmt in (("p", "parquet"), ("c", "csv")):
        code, _, err = cli(capsys, *args, "--out", str(tmp_path / name), "--format", fmt)
        assert code == 0, err
    assert not (tmp_path / "p" / "events.jsonl").exists()
    events = pd.read_parquet(tmp_path / "p" / "events.parquet")
    rows = [json.loads(x) for x in (tmp_path / "c" / "events.jsonl").read_text().splitlines()]
    assert len(events) == len(rows) > 0
    assert list(events["explanation"]) == [row["explanation"] for row in rows]
    assert [list(a) for a in events["actors"]] == [row["actors"] for row in rows]
    assert list(events["month"]) == [row["month"] for row in rows]


# ------------------------------------------------------------------ output folders


def test_events_written_in_a_forked_child_are_the_events_written_here(tmp_path, monkeypatch):
    import pandas as pd

    from sim.run import outputs
    from sim.run.api import run_to_folder

    for name, apart in (("here", 10**12), ("forked", 0)):
        monkeypatch.setattr(outputs, "_EVENTS_APART_FROM", apart)
        for fmt in ("parquet", "csv"):
            run_to_folder(Path("scenarios/baseline.yaml"), out=tmp_path / f"{name}-{fmt}",
                          fmt=fmt, replicates=3, months=24, command=["test"])  # fmt: skip
    here = pd.read_parquet(tmp_path / "here-parquet" / "events.parquet")
    forked = pd.read_parquet(tmp_path / "forked-parquet" / "events.parquet")
    assert len(here) > 0
    pd.testing.assert_frame_equal(here, forked)
    text = [(tmp_path / f"{n}-csv" / "events.jsonl").read_text() for n in ("here", "forked")]
    assert text[0] == text[1] and text[0]


def test_force_replaces_results_whole_and_keeps_the_users_own_files(tmp_path, capsys):
    out = tmp_path / "o"
    assert (
        cli(capsys, "run", "baseline", "-q", "-r", "2", "--months", "6", "--out", str(out))[0] == 0
    )
    (out / "notes.txt").write_text("mine")
    args = ["run", "baseline", "-q", "-r", "2", "--months", "6", "--out", str(out)]
    assert cli(capsys, *args, "--format", "parquet", "--force")[0] == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(
        ["events.parquet", "manifest.json", "notes.txt", "summary.json", "timeseries.parquet"]
    ), "the old CSV table must not survive beside the new Parquet one"  # fmt: skip
    assert (out / "notes.txt").read_text() == "mine"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".o.durand-")]


@pytest.mark.parametrize("events_apart", [False, True], ids=["events-here", "events-forked"])
def test_a_failed_write_leaves_the_old_results_untouched(
    tmp_path, monkeypatch, capsys, events_apart
):
    """A write error is reported whole and changes nothing, whether the events are written
    in this process or (as for large runs) in a forked child."""
    from sim.run import outputs

    if events_apart:
        monkeypatch.setattr(outputs, "_EVENTS_APART_FROM", 0)
    out = tmp_path / "o"
    assert (
        cli(capsys, "run", "baseline", "-q", "-r", "2", "--months", "6", "--out", str(out))[0] == 0
    )
    before = digest(out)

    def broken(events, folder, fmt):
        (folder / "events.jsonl").write_text("half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(outputs, "_write_events", broken)
    code, _, err = cli(
        capsys, "run", "baseline", "-q", "-r", "3", "--months", "6", "--out", str(out), "--force"
    )
    assert code == 3 and "No space left" in err and "Traceback" not in err
    assert digest(out) == before
    assert not [p for p in tmp_path.iterdir() if p.name != "o"], "staging folder left behind"


def test_ctrl_c_says_what_was_kept_and_exits_130(tmp_path, monkeypatch, capsys):
    from sim.run import outputs

    out = tmp_path / "o"
    assert (
        cli(capsys, "run", "baseline", "-q", "-r", "2", "--months", "6", "--out", str(out))[0] == 0
    )
    before = digest(out)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(outputs, "_write_events", interrupted)
    code, _, err = cli(
        capsys, "run", "baseline", "-q", "-r", "3", "--months", "6", "--out", str(out), "--force"
    )
    assert code == 130
    assert "interrupted" in err and "previous results" in err and str(out) in err
    assert digest(out) == before
    code, _, err = cli(capsys, "run", "baseline", "-q", "-r", "3", "--out", str(tmp_path / "new"))
    assert code == 130 and "kept: nothing" in err and not (tmp_path / "new").exists()


def _wait_for_staging(parent: Path, name: str, proc: subprocess.Popen, timeout: float = 120):
    start = time.monotonic()
    while time.monotonic() - start < timeout and proc.poll() is None:
        if any(p.name.startswith(f".{name}.durand-staging-") for p in parent.iterdir()):
            return True
        time.sleep(0.005)
    return False


def _is_whole_run(out: Path, seed: int, rows: int) -> bool:
    manifest = json.loads((out / "manifest.json").read_text())
    data = (out / "timeseries.csv").read_bytes()
    events = (out / "events.jsonl").read_text()
    json.loads((out / "summary.json").read_text())
    for line in events.splitlines():
        json.loads(line)
    return manifest["seed"] == seed and data.endswith(b"\n") and data.count(b"\n") == rows + 1


@pytest.mark.skipif(not DURAND.exists(), reason="needs the installed durand script")
def test_sigkill_mid_write_leaves_the_folder_wholly_old_or_wholly_new(tmp_path):
    """`durand run --force` killed at random moments while it writes: the folder always
    holds one complete run, old or new, and the next run cleans up what was left."""
    out = tmp_path / "res"
    args = [str(DURAND), "run", "baseline", "-q", "--months", "120", "--out", str(out)]
    subprocess.run([*args, "-r", "50", "--seed", "1"], check=True, cwd=tmp_path)
    old = digest(out)
    outcomes = []
    for delay in (0.0, 0.05, 0.15, 0.3, 0.6):
        proc = subprocess.Popen(
            [*args, "-r", "1500", "--seed", "2", "--force"], cwd=tmp_path, start_new_session=True
        )
        writing = _wait_for_staging(tmp_path, "res", proc)
        time.sleep(delay)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        assert out.is_dir()
        if digest(out) == old:
            outcomes.append("old")
        else:
            assert _is_whole_run(out, 2, 1500 * 120), "a half-written run under the final name"
            outcomes.append("new")
            subprocess.run([*args, "-r", "50", "--seed", "1", "--force"], check=True, cwd=tmp_path)
            assert digest(out) == old
        assert writing or outcomes[-1] == "new"
    assert "old" in outcomes, f"no kill landed mid-write: {outcomes}"
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".res.durand-")]
    subprocess.run([*args, "-r", "2", "--months", "6", "--force"], check=True, cwd=tmp_path)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".res.durand-")], leftovers
    assert json.loads((out / "manifest.json").read_text())["months"] == 6


# ------------------------------------------------------------------ installs anywhere


def test_shipped_scenarios_by_name_from_any_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine.yaml").write_text("extends: baseline.yaml\ntitle: Mine\nmonths: 6\n")
    (tmp_path / "mine2.yaml").write_text("extends: baseline\ntitle: Mine too\nmonths: 6\n")
    for name in ("mine.yaml", "mine2.yaml", "baseline"):
        code, _, err = cli(capsys, "run", name, "-q", "-r", "2", "--months", "6")
        assert code == 0, err
    assert sorted(p.name for p in (tmp_path / "runs").iterdir()) == [
        "baseline",
        "mine",
        "mine2",
    ]
    (tmp_path / "bad.yaml").write_text("extends: no_such_scenario\n")
    code, _, err = cli(capsys, "run", "bad.yaml", "-q")
    assert code == 2 and "bad.yaml:1" in err and "no_such_scenario" in err


def test_scenarios_copy_gives_editable_copies(tmp_path, capsys):
    from sim.inputs.resources import scenarios_folder

    dest = tmp_path / "my-scenarios"
    code, out, _ = cli(capsys, "scenarios", "--copy", str(dest))
    assert code == 0 and "Copied" in out
    shipped = sorted(p.relative_to(scenarios_folder()) for p in scenarios_folder().rglob("*.yaml"))
    assert sorted(p.relative_to(dest) for p in dest.rglob("*.yaml")) == shipped
    (dest / "baseline.yaml").write_text((dest / "baseline.yaml").read_text() + "\n# edited\n")
    code, out, _ = cli(capsys, "scenarios", "--copy", str(dest))
    assert code == 0 and "already there" in out
    assert (dest / "baseline.yaml").read_text().endswith("# edited\n")
    code, out, err = cli(capsys, "validate", *map(str, sorted(dest.glob("*.yaml"))))
    assert code == 0, err


def test_lessons_and_doctrines_are_read_from_the_package():
    from sim.game.doctrine import DOCTRINES
    from sim.game.lessons import LESSONS, available, load_lesson
    from sim.inputs.resources import doctrines_folder, lessons_folder

    assert lessons_folder() == LESSONS and doctrines_folder() == DOCTRINES
    assert available()
    for name in available():
        assert load_lesson(name).scenario_path.is_file()
    assert sorted(p.stem for p in DOCTRINES.glob("*.yaml")) == ["AFG", "CHN", "PAK", "US"]


# ------------------------------------------------------------------ CLI structure


def test_input_is_checked_before_the_output_folder(tmp_path, capsys):
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "x.txt").write_text("x")
    code, _, err = cli(capsys, "run", str(tmp_path / "missing.yaml"), "--out", str(busy))
    assert code == 2 and "file not found" in err and "--force" not in err
    code, _, err = cli(capsys, "run", "baseline", "--out", str(busy))
    assert code == 2 and "--force" in err


def test_one_limit_per_quantity_across_commands(capsys):
    from sim.game.engine import Game
    from sim.game.rules import MONTHS_PER_TURN
    from sim.inputs.limits import MAX_MONTHS, MAX_REPLICATES, MAX_TURNS, OptionError
    from sim.model.model import BASELINE

    assert MAX_TURNS * MONTHS_PER_TURN == MAX_MONTHS
    too_many = str(MAX_REPLICATES + 1)
    for command in (["run", "baseline"], ["play", "--text"], ["compare", "a", "b"]):
        code, _, err = cli(capsys, *command, "--replicates", too_many)
        assert code == 2 and "--replicates" in err and "Traceback" not in err, command
    code, _, err = cli(capsys, "play", "--text", "--turns", str(MAX_TURNS + 1))
    assert code == 2 and "--turns" in err
    with pytest.raises(OptionError) as info:
        Game(BASELINE, replicates=MAX_REPLICATES + 1)
    assert str(info.value).startswith("replicates must be between")  # domain words, no flag
    assert info.value.worded(flags=True).startswith("--replicates must be between")


def test_library_errors_never_word_flags():
    """Only sim/cli words errors as --flags; the library raises OptionError instead."""
    import re

    offenders = []
    for path in sorted((ROOT / "sim").rglob("*.py")):
        if path.parts[-2] == "cli":
            continue
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if re.search(r"Error\(f?\"--(turns|replicates|months|seed|cores|workers)\b", line):
                offenders.append(f"{path.relative_to(ROOT)}:{n}")
    assert offenders == []


# ------------------------------------------------------------------ newcomer traps


def test_summary_fits_80_columns_without_cutting_numbers():
    from rich.console import Console

    from sim.inputs.scenario import load_scenario
    from sim.run.runner import run_scenario
    from sim.run.summary import render, summarize

    result = run_scenario(load_scenario(ROOT / "scenarios" / "baseline.yaml").with_overrides(
        replicates=20, months=72
    ))  # fmt: skip
    summary = summarize(result)
    buffer = StringIO()
    render(summary, Console(file=buffer, width=80, highlight=False))
    text = buffer.getvalue()
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "…" not in text
    for year in summary["yearly_totals"]:
        assert year in text
    pak = summary["yearly_totals"]["2025"]["attacks.PAK"]
    assert f"{pak['p95']:,.0f}]" in text


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
@pytest.mark.parametrize(
    "target,doc", [("evidence-doc", "evidence.md"), ("scenarios-doc", "scenarios.md")]
)
def test_doc_targets_never_empty_a_tracked_doc(tmp_path, target, doc):
    for name in ("Makefile", "pyproject.toml", "constraints.txt"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / doc).write_text("the tracked document\n")
    bin_dir = tmp_path / "venv" / "bin"
    bin_dir.mkdir(parents=True)
    fake = bin_dir / "durand"
    fake.write_text("#!/bin/sh\necho 'half a document'\nexit 1\n")
    fake.chmod(0o755)
    (tmp_path / "venv" / ".installed").touch()
    res = subprocess.run(
        ["make", "-s", target, "VENV=venv"], cwd=tmp_path, capture_output=True, text=True
    )
    assert res.returncode != 0
    assert (tmp_path / "docs" / doc).read_text() == "the tracked document\n"
    assert [p.name for p in (tmp_path / "docs").iterdir()] == [doc], "temporary file left"
    fake.write_text("#!/bin/sh\necho 'the new document'\n")
    res = subprocess.run(["make", "-s", target, "VENV=venv"], cwd=tmp_path, capture_output=True)
    assert res.returncode == 0
    assert (tmp_path / "docs" / doc).read_text() == "the new document\n"


def test_readme_invokes_durand_one_way_and_says_how_to_activate():
    readme = (ROOT / "README.md").read_text()
    assert "source .venv/bin/activate" in readme
    assert ".venv/bin/durand" not in readme, "one way to invoke durand: activate, then durand"
