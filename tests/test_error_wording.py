"""Issue 14: the library words the settings its errors point to as keyword arguments
(``cores=1``), the CLI alone as flags (``--cores 1``), through one method of DurandError."""

from __future__ import annotations

import ast
import pickle
import re
from pathlib import Path

import pytest
from cli_inprocess import invoke

from sim.inputs.errors import DurandError, OutputError, UsageError
from sim.inputs.limits import LIMITS, MAX_SPEED, OptionError

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.yaml"
FLAG = re.compile(r"--[a-z]")

SMALL_SPEC = f"""\
title: wording sweep
base: {BASELINE}
sampler: lhs
points: 2
seed: 3
replicates: 2
months: 3
factors:
  levers.US.military_aid_pak: {{range: [0, 800]}}
outcomes:
  attacks: {{metric: attacks.PAK, stat: total}}
"""


# ------------------------------------------------------------------ the mechanism


def test_settings_are_worded_as_keywords_or_as_flags():
    exc = UsageError(
        "{out} holds files; use {resume}, {chunk_points}, fewer {workers} or give {months}",
        settings={
            "out": Path("/tmp/x"),
            "resume": True,
            "chunk_points": 4,
            "workers": None,
            "months": "N",
        },
    )
    assert str(exc) == (
        "out=/tmp/x holds files; use resume=True, chunk_points=4, fewer workers or give months=N"
    )
    assert exc.worded(flags=True) == (
        "--out /tmp/x holds files; use --resume, --chunk-points 4, fewer --workers "
        "or give --months N"
    )
    assert exc.worded() == str(exc) and exc.exit_code == 2


def test_a_flag_spelled_unlike_its_keyword():
    exc = UsageError(
        "{all_bots} and {roles:role} contradict; choose another {path:save}",
        settings={"all_bots": True, "roles": None, "path": None},
    )
    assert str(exc) == "all_bots=True and roles contradict; choose another path"
    assert exc.worded(flags=True) == "--all-bots and --role contradict; choose another --save"


def test_other_braces_are_left_alone():
    plain = DurandError("a {literal} brace and {another")
    assert str(plain) == plain.worded(flags=True) == "a {literal} brace and {another"
    some = OutputError("{out} and {unknown}", settings={"out": "o"})
    assert str(some) == "out=o and {unknown}"
    assert some.worded(flags=True) == "--out o and {unknown}" and some.exit_code == 3


def test_option_error_is_a_case_of_the_same_mechanism():
    exc = OptionError("chunk-points", "must be at least 1, got 0")
    assert str(exc) == "chunk_points must be at least 1, got 0"
    assert exc.worded(flags=True) == "--chunk-points must be at least 1, got 0"
    assert not hasattr(exc, "as_flag")
    again = pickle.loads(pickle.dumps(exc))  # errors cross process boundaries
    assert again.worded(flags=True) == exc.worded(flags=True) and str(again) == str(exc)
    carried = pickle.loads(pickle.dumps(UsageError("use {resume}", settings={"resume": True})))
    assert carried.worded(flags=True) == "use --resume"


# ------------------------------------------------------------------ library errors


def _raised(fn) -> DurandError:
    with pytest.raises(DurandError) as info:
        fn()
    return info.value


def _library_cases(tmp_path: Path):
    """(what, a call that raises a converted error, the keyword and the flag its message
    must name)."""
    from sim.game.save import check_writable
    from sim.game.setup import parse_doctrines, seats_for
    from sim.run.files import _swap_in
    from sim.sweep.analysis import discover
    from sim.sweep.uncertainty import parameter_sets

    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    stage = tmp_path / "stage"
    stage.mkdir()
    return [
        ("two seat choices", lambda: seats_for(True, ["US"]), "all_bots", "--all-bots"),
        ("unknown role", lambda: seats_for(False, ["TTP"]), "roles", "--role"),
        ("bad doctrine", lambda: parse_doctrines(["US"]), "doctrines", "--doctrine"),
        ("above/below", lambda: discover(tmp_path, "x"), "above", "--above X"),
        ("uncertainty sets", lambda: parameter_sets(1), "uncertainty", "--uncertainty"),
        ("out is a file", lambda: _swap_in(stage, blocker), "out", f"--out {blocker}"),
        ("unwritable save", lambda: check_writable(blocker / "g.json"), "path", "--save"),
    ]


def test_library_errors_word_settings_as_keywords_and_the_cli_as_flags(tmp_path):
    for what, fn, keyword, flag in _library_cases(tmp_path):
        exc = _raised(fn)
        library, cli = str(exc), exc.worded(flags=True)
        assert not FLAG.search(library), (what, library)
        assert re.search(rf"\b{keyword}\b", library), (what, library)
        assert flag in cli and f"{keyword}=" not in cli, (what, cli)


def test_a_full_sweep_folder_library_and_cli_wording(tmp_path):
    from sim.sweep.engine import run_sweep

    spec = tmp_path / "spec.yaml"
    spec.write_text(SMALL_SPEC)
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("mine")
    exc = _raised(lambda: run_sweep(spec, busy))
    assert str(exc) == (
        f"out={busy} already holds files; use resume=True to complete a sweep there, "
        "force=True to overwrite it, or choose another folder"
    )
    res = invoke("sweep", spec, "--out", busy, "--quiet")
    assert res.returncode == 2, res.stderr
    assert res.stderr.strip() == (  # the CLI's words, as before the library stopped using them
        f"--out {busy} already holds files; use --resume to complete a sweep there, "
        "--force to overwrite it, or choose another folder"
    )
    assert (busy / "notes.txt").read_text() == "mine"


def test_a_failed_shard_is_worded_with_the_cores_flag_by_the_cli(tmp_path, failing_shards):
    out = tmp_path / "run"
    args = ("run", "baseline", "--cores", "2", "--replicates", "6", "--months", "3")
    res = invoke(*args, "--out", out, "--quiet")
    assert res.returncode == 1, res.stderr
    assert "rerun with --cores 1 to run every replicate in one process" in res.stderr
    assert "Traceback" not in res.stderr and not out.exists()


# ------------------------------------------------------------------ regressions


def _message_literals(node: ast.AST):
    for sub in ast.walk(node):
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            yield sub.value


def test_no_library_raise_words_a_flag():
    """Raise statements outside the CLI modules never spell ``--flag`` in their message:
    they name the setting as a ``{placeholder}`` in ``settings`` instead."""
    files = [p for p in sorted((ROOT / "sim").rglob("*.py")) if "cli" not in p.parts]
    files += [p for p in sorted((ROOT / "viz").rglob("*.py")) if not p.name.endswith("cli.py")]
    offenders = []
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Raise) or node.exc is None:
                continue
            if any(FLAG.search(text) for text in _message_literals(node.exc)):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert len(files) > 50
    assert offenders == []


def test_the_scan_would_catch_a_flag_in_a_raise():
    tree = ast.parse('raise UsageError(f"bad {x}; rerun with --cores 1")')
    raise_node = tree.body[0]
    assert any(FLAG.search(t) for t in _message_literals(raise_node.exc))


# ------------------------------------------------------------------ CLI ranges and names


def test_validate_accepts_a_shipped_scenario_name():
    res = invoke("validate", "baseline")
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("ok  ") and "baseline.yaml" in res.stdout


def _typer_error(res) -> str:
    assert res.returncode == 2 and "Traceback" not in res.stderr, res.stderr
    (line,) = [x for x in res.stderr.splitlines() if x.startswith("Error: Invalid value for")]
    return line


@pytest.mark.parametrize(
    ("flag", "value"),
    [
        ("--replicates", "0"),
        ("--replicates", str(LIMITS["replicates"][1] + 1)),
        ("--months", str(LIMITS["months"][1] + 1)),
        ("--seed", "-1"),
    ],
)
def test_view_ranges_are_typers_with_the_run_limits(flag, value):
    """The same Typer message, before any work, as ``durand run`` gives."""
    view = _typer_error(invoke("view", "baseline", "--headless", flag, value))
    assert view == _typer_error(invoke("run", "baseline", flag, value))
    assert flag in view


def test_view_speed_and_frames_are_checked_by_typer():
    res = invoke("view", "baseline", "--headless", "--speed", str(MAX_SPEED * 2))
    assert "'--speed'" in _typer_error(res)
    res = invoke("view", "baseline", "--headless", "--frames", "0")
    assert "'--frames'" in _typer_error(res)


def test_view_accepts_a_shipped_scenario_name(tmp_path, monkeypatch):
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    monkeypatch.setenv("SDL_AUDIODRIVER", "dummy")
    shot = tmp_path / "view.png"
    args = ("--headless", "--frames", "2", "-r", "2", "--months", "3", "--screenshot", shot)
    res = invoke("view", "baseline", *args)
    assert res.returncode == 0, res.stderr
    assert shot.is_file() and shot.stat().st_size > 0


def test_the_viewer_speed_steps_span_the_speed_limit():
    from sim.inputs.limits import MIN_SPEED
    from viz.playback import SPEEDS

    assert (SPEEDS[0], SPEEDS[-1]) == (MIN_SPEED, MAX_SPEED)


def test_a_stopped_sweep_says_how_to_resume_in_each_audiences_terms(tmp_path):
    from sim.sweep.engine import SweepInterrupted

    exc = SweepInterrupted("Stopped: 2 of 5 chunks are saved.", spec=Path("s.yaml"), out=tmp_path)
    assert str(exc).endswith("Resume the sweep of s.yaml there with resume=True")
    assert "--" not in str(exc)
    assert exc.worded(flags=True).endswith(
        f"Resume with:  durand sweep s.yaml --out {tmp_path} --resume"
    )
