"""Issue 15's concrete reproductions, kept as regression tests.

Each hostile input goes through the ``durand`` command in-process and must end in exit 2
with the file and a location (a line, or a JSON pointer for a save) in the message: no
"internal error", no traceback, nothing of a refused file quoted back, no output folder.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from sim.cli.main import main
from sim.inputs.errors import ScenarioError
from sim.inputs.scenario import load_scenario, parse_year_month
from sim.sweep.outcomes import parse_expression

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
SMOKE = ROOT / "scenarios" / "sweeps" / "smoke.yaml"
DOCTRINES = ROOT / "sim" / "game" / "doctrines"
SECRET = "S3CRET-MARKER-7f3a"
LOCATED = re.compile(r"^(?P<file>\S.*?)(?::(?P<line>\d+)|#(?P<ptr>/\S*)): error")


def durand(monkeypatch, capsys, *args: str) -> tuple[int, str]:
    """Run the CLI entry point in this process; (exit code, stdout + stderr)."""
    monkeypatch.setattr(sys, "argv", ["durand", *map(str, args)])
    with pytest.raises(SystemExit) as exit_info:
        main()
    captured = capsys.readouterr()
    code = exit_info.value.code
    return (0 if code is None else code), captured.out + captured.err


def refused(code: int, output: str, file: Path | str, *, located: bool = True) -> None:
    """Exit 2, the file named, every problem located, no crash and no secret shown."""
    assert code == 2, output
    assert "internal error" not in output and "Traceback" not in output, output
    assert str(file) in output, output
    assert SECRET not in output, output
    if located:
        lines = [line for line in output.splitlines() if ": error" in line]
        assert lines, output
        for line in lines:
            m = LOCATED.match(line)
            assert m and (m["line"] or m["ptr"]), f"no location in: {line}"


def scenario(tmp_path: Path, body: str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(f"extends: {BASELINE}\n" + textwrap.dedent(body).lstrip("\n"))
    return path


# ------------------------------------------------------------------ 1: unbounded reads


def test_validate_dev_zero_is_refused_without_reading(monkeypatch, capsys):
    code, out = durand(monkeypatch, capsys, "validate", "/dev/zero")
    refused(code, out, "/dev/zero", located=False)
    assert "not a regular file" in out


def test_validate_a_fifo_does_not_block(monkeypatch, capsys, tmp_path):
    fifo = tmp_path / "f.yaml"
    os.mkfifo(fifo)
    started = time.monotonic()
    code, out = durand(monkeypatch, capsys, "validate", fifo)
    assert time.monotonic() - started < 5
    refused(code, out, fifo, located=False)


def test_sweep_of_dev_zero(monkeypatch, capsys, tmp_path):
    code, out = durand(monkeypatch, capsys, "sweep", "/dev/zero", "--out", tmp_path / "o")
    refused(code, out, "/dev/zero", located=False)
    assert not (tmp_path / "o").exists()


def test_doctrine_from_dev_zero(monkeypatch, capsys):
    code, out = durand(monkeypatch, capsys, "play", "--doctrine", "US=/dev/zero", "--all-bots")
    refused(code, out, "/dev/zero", located=False)


def test_a_too_large_file_is_refused_by_size(monkeypatch, capsys, tmp_path):
    events = "".join(
        "  - {at: 2025-03, shock: {type: tension_shock, change: 0.01}}\n" for _ in range(100_000)
    )
    path = scenario(tmp_path, "events:\n" + events)
    started = time.monotonic()
    code, out = durand(monkeypatch, capsys, "validate", path)
    assert time.monotonic() - started < 5
    refused(code, out, path, located=False)
    assert "more than the 512 KiB allowed" in out


def test_too_many_events_within_the_size_limit(monkeypatch, capsys, tmp_path):
    events = "".join(
        f"  - {{at: 2025-{1 + i % 12:02d}, set: {{US.do_more: 0.1}}}}\n" for i in range(2500)
    )
    path = scenario(tmp_path, "months: 600\nevents:\n" + events)
    code, out = durand(monkeypatch, capsys, "validate", path)
    refused(code, out, path)
    assert "more than the 2,000 a scenario may hold" in out


# ------------------------------------------------------------------ 3: nothing echoed


def _secret_file(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / "elsewhere"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(f"root: {SECRET}\n{SECRET}_user: x\nmonths: {SECRET}\n")
    return path


@pytest.mark.parametrize("name", ["shadow", "shadow.yaml"])
def test_extends_outside_the_users_folders_never_echoes(monkeypatch, capsys, tmp_path, name):
    _secret_file(tmp_path, name)
    mine = tmp_path / "mine"
    mine.mkdir()
    path = mine / "s.yaml"
    path.write_text(f"title: x\nextends: ../../{tmp_path.name}/elsewhere/{name}\n")
    code, out = durand(monkeypatch, capsys, "validate", path)
    refused(code, out, path)
    assert ":2:" in out  # located at the extends line


def test_sweep_base_outside_the_users_folders_never_echoes(monkeypatch, capsys, tmp_path):
    secret = _secret_file(tmp_path, "base.yaml")
    mine = tmp_path / "mine"
    mine.mkdir()
    spec = mine / "spec.yaml"
    spec.write_text(SMOKE.read_text().replace("base: ../baseline.yaml", f"base: {secret}"))
    code, out = durand(monkeypatch, capsys, "sweep", spec, "--out", tmp_path / "o", "--quiet")
    refused(code, out, spec)


# ------------------------------------------------------------------ 4: control characters


@pytest.mark.parametrize(
    ("body", "line"),
    [('title: "a\x01b"\n', 2), ("title: a\x00b\n", 2), ("months: 12\ndescription: \x1b[31m\n", 3)],
    ids=["x01", "nul", "escape"],
)
def test_control_characters_are_located(monkeypatch, capsys, tmp_path, body, line):
    path = scenario(tmp_path, body)
    code, out = durand(monkeypatch, capsys, "validate", path)
    refused(code, out, path)
    assert f"{path}:{line}:" in out


def test_extends_proc_environ_is_refused(monkeypatch, capsys, tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("extends: /proc/self/environ\n")
    code, out = durand(monkeypatch, capsys, "validate", path)
    refused(code, out, path)
    assert "PATH=" not in out


# ------------------------------------------------------------------ 5: deep nesting


@pytest.mark.parametrize(
    "body",
    [
        "sources: " + "[" * 500 + "]" * 500 + "\n",
        "parameters:\n"
        + "".join(" " * i + f"k{i}:\n" for i in range(1, 1000))
        + " " * 1000
        + "x: 1\n",
    ],
    ids=["flow-lists", "block-maps"],
)
def test_deep_yaml_is_refused_at_a_line(monkeypatch, capsys, tmp_path, body):
    path = scenario(tmp_path, body)
    code, out = durand(monkeypatch, capsys, "validate", path)
    refused(code, out, path)
    assert "nesting deeper than" in out


def test_deep_json_save_is_refused_at_a_line(monkeypatch, capsys, tmp_path):
    path = tmp_path / "g.json"
    path.write_text(
        '{"format": "durand-play-save", "commands": ' + "[" * 50_000 + "]" * 50_000 + "}"
    )
    code, out = durand(monkeypatch, capsys, "play", "--load", path, "--text")
    refused(code, out, path)
    assert "nesting deeper than" in out


def test_a_20000_term_expression_is_refused(tmp_path):
    with pytest.raises(ValueError, match="characters long"):
        parse_expression("+".join(["attacks.PAK"] * 20_000))


# ------------------------------------------------------------------ 6 and 7: tags, numbers


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("months: !!bool maybe\n", "true or false"),
        ("start: !!timestamp foo\n", "not a real date"),
        ("months: !!float ''\n", "not a number"),
        ("months: !!int abc\n", "not a whole number"),
        ("months: " + "9" * 100_000 + "\n", "out of range"),
        ("parameters:\n  states:\n    budget:\n      US: " + "7" * 401 + "\n", "out of range"),
        ("seed: " + "1" * 25 + "\n", "at most"),
        ("parameters:\n  states:\n    budget:\n      US: 1.0e+999\n", "out of range"),
    ],
    ids=["bool-maybe", "timestamp-foo", "float-empty", "int-abc", "100k-digits", "401-digits",
         "seed-25-digits", "float-overflow"],
)  # fmt: skip
def test_bad_values_under_tags_and_huge_numbers(monkeypatch, capsys, tmp_path, body, fragment):
    path = scenario(tmp_path, body)
    code, out = durand(monkeypatch, capsys, "validate", path)
    refused(code, out, path)
    assert fragment in out
    assert "9" * 200 not in out and "7" * 200 not in out  # never echoed in full


# ------------------------------------------------------------------ 8: sweep expressions


@pytest.mark.parametrize(
    ("expr", "fragment"),
    [
        ("where(attacks.PAK, 1)", "takes 3 arguments"),
        ("minimum(attacks.PAK)", "takes 2 arguments"),
        ("exp(attacks.PAK, 1)", "takes 1 argument"),
        ("maximum(attacks.PAK, 1, 2, 3)", "takes 2 arguments"),
        ("attacks.PAK > attacks.TTP > 1", "chained comparisons"),
        ("attacks.PAK + _m1", "reserved"),
        ("attacks.PAK + _m0", "reserved"),
        ("attacks.PAK * 1e309", "out of range"),
        ("attacks.PAK * 1" + "0" * 400, "out of range"),
        ("attacks.PAK + abs", "is a function"),
    ],
)
def test_sweep_expressions_fail_at_validation(monkeypatch, capsys, tmp_path, expr, fragment):
    spec = tmp_path / "spec.yaml"
    text = SMOKE.read_text().replace("base: ../baseline.yaml", f"base: {BASELINE}")
    text = text.replace("attacks.TTP / maximum(attacks.PAK, 1)", expr)
    spec.write_text(text)
    out_dir = tmp_path / "o"
    code, out = durand(monkeypatch, capsys, "sweep", spec, "--out", out_dir, "--quiet")
    refused(code, out, spec)
    assert fragment in out
    line = text.splitlines().index(next(x for x in text.splitlines() if expr in x)) + 1
    assert f"{spec}:{line}:" in out  # the expression's line
    assert not out_dir.exists()  # nothing to --resume that would crash again


def test_boolean_arithmetic_evaluates():
    """Comparisons are 0/1 numbers, so negating or subtracting them is fine."""
    import numpy as np

    from sim.sweep.outcomes import METRICS, Outcome, compute

    expr = parse_expression("-(attacks.PAK > 1) - (attacks.TTP < 2)")
    data = np.ones((3, len(METRICS), 2), dtype=np.float32)
    got = compute(Outcome("x", None, expr, "total", None, None), data)
    assert got.tolist() == [-3.0, -3.0]


# ------------------------------------------------------------------ 9: saves


@pytest.fixture(scope="module")
def save_text(tmp_path_factory) -> str:
    from sim.game.engine import Game
    from sim.game.save import save_game

    folder = tmp_path_factory.mktemp("save")
    game = Game(BASELINE, seed=1, turns=1, replicates=4)
    return save_game(game, folder / "g.json").read_text()


def _save(tmp_path: Path, text: str, **changes) -> Path:
    data = json.loads(text) | changes
    path = tmp_path / "g.json"
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize(
    ("changes", "pointer", "fragment"),
    [
        ({"doctrines": {"US": str(DOCTRINES / "PAK.yaml")}}, "/doctrines/US", "not US"),
        ({"commands": [{"kind": {}}]}, "/commands/0/kind", "unknown kind"),
        ({"commands": [{"kind": ["end_turn"]}]}, "/commands/0/kind", "unknown kind"),
        ({"version": True}, "/version", "format version"),
        ({"seed": 2**64}, "/seed", "out of range"),
        ({"seed": -1}, "/seed", "at least 0"),
        ({"turns": "3"}, "/turns", "whole number"),
        ({"replicates": 1.0}, "/replicates", "whole number"),
        ({"scenario": "/dev/zero"}, "/scenario", "not a regular file"),
        ({"scenario": "a\x00b.yaml"}, "/scenario", "NUL"),
        ({"scenario": "x" * 300 + ".yaml"}, "/scenario", "longer than 255"),
        ({"lesson": "no-such-lesson"}, "/lesson", "no lesson"),
        ({"seats": {"TTP": "bot"}}, "/seats/TTP", "expected one of"),
        ({"surprise": 1}, "/surprise", "unknown field"),
        ({"scenario": "\ud800.yaml"}, "/scenario", "not valid Unicode"),
        ({"commands": [{"kind": "end_game", "reason": "\udfff"}]}, "/commands/0/reason", "Unicode"),
    ],
)
def test_saves_are_checked_field_by_field(
    monkeypatch, capsys, tmp_path, save_text, changes, pointer, fragment
):
    path = _save(tmp_path, save_text, **changes)
    code, out = durand(monkeypatch, capsys, "play", "--load", path, "--text")
    refused(code, out, path)
    assert f"{path}#{pointer}" in out
    assert fragment in out


@pytest.mark.parametrize(
    ("raw", "pointer"),
    [
        ('"value": ' + "1" + "0" * 400, "/commands/0/value"),
        ('"value": ' + "9" * 5000, "/commands/0/value"),
        ('"value": 1e400', "/commands/0/value"),
        ('"value": NaN', "/commands/0/value"),
    ],
    ids=["10**400", "5000-digits", "1e400", "NaN"],
)
def test_huge_numbers_in_saves(monkeypatch, capsys, tmp_path, save_text, raw, pointer):
    data = json.loads(save_text)
    data["commands"] = [{"kind": "set", "role": "US", "lever": "do_more", "value": 0}]
    text = json.dumps(data).replace('"value": 0', raw)
    path = tmp_path / "g.json"
    path.write_text(text)
    code, out = durand(monkeypatch, capsys, "play", "--load", path, "--text")
    refused(code, out, path)
    assert f"{path}#{pointer}" in out
    assert "0" * 100 not in out and "9" * 100 not in out


def test_a_save_scenario_outside_the_users_folders_is_not_quoted(
    monkeypatch, capsys, tmp_path, save_text
):
    secret = _secret_file(tmp_path, "scenario.yaml")
    mine = tmp_path / "mine"
    mine.mkdir()
    path = _save(mine, save_text, scenario=str(secret), scenario_base="absolute")
    code, out = durand(monkeypatch, capsys, "play", "--load", path, "--text")
    refused(code, out, path)
    assert f"{path}#/scenario" in out


def test_doctrine_for_another_role_on_the_command_line(monkeypatch, capsys):
    code, out = durand(
        monkeypatch, capsys, "play", "--doctrine", f"US={DOCTRINES / 'PAK.yaml'}", "--all-bots"
    )
    refused(code, out, DOCTRINES / "PAK.yaml")
    assert "not US" in out


# ------------------------------------------------------------------ 10: dates and events


@pytest.mark.parametrize(
    ("body", "line", "fragment"),
    [
        ("events:\n  - at: 2031-01\n    shock: {type: tension_shock, change: 0.1}\n", 3, "after"),
        ("start: 9999-12-01\n", 2, "1900 to 2200"),
        ("start: 1850-01\n", 2, "1900 to 2200"),
        ("start: 2025-02-30\n", 2, "not a real date"),
        ('start: "2025-02-30"\n', 2, "not a real date"),
        ('start: "2025-03-99"\n', 2, "not a real date"),
        ('start: "2025-13"\n', 2, "does not exist"),
        ("start: ２０２５-０３\n", 2, "year and month"),
        ("events:\n  - shock: {type: tension_shock, change: 0.1}\n", 3, "missing required key"),
        ("extends: " + "a" * 300 + ".yaml\n", 2, "longer than 255"),
        ('extends: "a\\0b.yaml"\n', 2, "NUL"),
        ('title: "\\ud800"\n', 2, "not valid Unicode"),
    ],
    ids=["event-after-end", "yaml-date-9999", "year-1850", "yaml-feb-30", "text-feb-30",
         "text-day-99", "month-13", "full-width", "missing-at", "long-component", "nul-extends",
         "surrogate"],
)  # fmt: skip
def test_dates_events_and_paths(monkeypatch, capsys, tmp_path, body, line, fragment):
    path = scenario(tmp_path, body)
    if body.startswith("extends:"):
        path.write_text("title: x\n" + body)
    code, out = durand(monkeypatch, capsys, "validate", path)
    refused(code, out, path)
    assert fragment in out
    assert f"{path}:{line}:" in out


def test_missing_top_level_key_carries_the_line_of_its_mapping(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("# a scenario\n\ntitle: x\nmonths: 12\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    missing = [p for p in info.value.problems if "missing required key" in p.message]
    assert {p.key_path for p in missing} == {"start", "seed", "replicates"}
    assert all(p.line == 3 for p in missing)


def test_an_event_in_the_last_month_is_accepted(tmp_path):
    path = scenario(
        tmp_path,
        "start: 2025-01\nmonths: 12\n"
        "events:\n  - at: 2025-12\n    shock: {type: tension_shock, change: 0.1}\n",
    )
    assert load_scenario(path).events[0].month == 11


def test_every_way_of_writing_a_date_shares_one_range():
    import datetime as dt

    assert parse_year_month("2025-03") == parse_year_month(dt.date(2025, 3, 9)) == (2025, 3)
    assert parse_year_month("2200-12-31") == (2200, 12)
    for bad in (dt.date(9999, 12, 1), dt.datetime(1899, 1, 1), "2201-01", "2025-3-32", "٢٠٢٥-٠٣"):
        with pytest.raises(ValueError):
            parse_year_month(bad)


def test_a_sweep_shorter_than_its_base_events_is_refused(monkeypatch, capsys, tmp_path):
    base = scenario(
        tmp_path,
        "months: 60\nevents:\n  - at: 2027-01\n    shock: {type: tension_shock, change: 0.1}\n",
        name="base.yaml",
    )
    spec = tmp_path / "spec.yaml"
    spec.write_text(SMOKE.read_text().replace("../baseline.yaml", str(base)).replace(
        "months: 60", "months: 12"))  # fmt: skip
    code, out = durand(monkeypatch, capsys, "sweep", spec, "--out", tmp_path / "o", "--quiet")
    refused(code, out, spec)
    assert "never happen" in out


# ------------------------------------------------------------------ viewer and workers


def test_viewer_text_with_nul_draws(monkeypatch):
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    monkeypatch.setenv("SDL_AUDIODRIVER", "dummy")
    import pygame

    from viz.theme import Typography

    pygame.font.init()  # not quit afterwards: viz.theme caches fonts for the process
    typo = Typography()
    text = "shock: note with a \x00 NUL and a \x07 bell"
    assert typo.render(text, 14).get_width() > 0
    assert "\x00" not in typo.fit(text, 14, 80)
    assert typo.wrap(text, 14, 120)


ORPHAN_SCRIPT = """
import sys, time
from sim.sweep.execute import ProcessRunner

runner = ProcessRunner(2)
futures = [runner._pool.submit(time.sleep, 120) for _ in range(2)]
time.sleep(0.5)
deadline = time.time() + 60
while len(runner._pool._processes) < 2 and time.time() < deadline:
    time.sleep(0.1)
print(" ".join(str(p) for p in runner._pool._processes), flush=True)
time.sleep(120)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split()[2] == "Z")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc and SIGKILL semantics")
def test_sweep_workers_exit_when_their_parent_is_killed():
    parent = subprocess.Popen(
        [sys.executable, "-c", ORPHAN_SCRIPT],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
    )
    try:
        workers = [int(p) for p in parent.stdout.readline().split()]
        assert len(workers) == 2 and all(_alive(p) for p in workers)
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=10)
        deadline = time.monotonic() + 10
        while any(_alive(p) for p in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(p) for p in workers), "orphaned sweep workers still running"
    finally:
        parent.kill()
        parent.wait()
