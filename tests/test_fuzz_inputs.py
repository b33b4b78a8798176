"""Property tests: malformed scenarios, sweep specs, doctrines and saves never crash.

Hypothesis builds inputs from valid ones (a hostile value at a known or new key, then
maybe raw text damage) and feeds them to the ``durand`` command in-process. Whatever it
builds, the command exits 0 or 2; on 2 every problem names the file and a line or JSON
pointer, nothing says "internal error", and a refused sweep leaves no output folder.
Example counts are bounded so the file runs in well under a minute; the large campaign
is ``benchmarks/fuzz_campaign.py``.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import sys
import tempfile
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.cli.main import main

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
SMOKE = ROOT / "scenarios" / "sweeps" / "smoke.yaml"
DOCTRINES = ROOT / "sim" / "game" / "doctrines"
LOCATED = re.compile(r"^(?P<file>\S.*?)(?::(?P<line>\d+)|#(?P<ptr>/\S*)): error")
FUZZ = settings(
    max_examples=80,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


class Validated(BaseException):
    """Raised where the command would start the (slow) model: the input was accepted.
    (Not an Exception, so no handler on the way mistakes it for a failure.)"""


def _stop(*args, **kwargs):
    raise Validated("valid")


@pytest.fixture(autouse=True)
def _validation_only(monkeypatch):
    """Inputs are validated exactly as on the command line; the model never runs."""
    import sim.game.engine
    import sim.sweep.engine

    monkeypatch.setattr(sim.game.engine, "Game", _stop)
    monkeypatch.setattr(sim.sweep.engine, "make_runner", _stop)


def durand(*args) -> tuple[int, str]:
    out = io.StringIO()
    argv = sys.argv
    sys.argv = ["durand", *map(str, args)]
    try:
        with redirect_stdout(out), redirect_stderr(out):
            try:
                main()
                code = 0
            except SystemExit as exc:
                code = 0 if exc.code is None else exc.code
            except Validated:
                code = 0
    finally:
        sys.argv = argv
    return code, out.getvalue()


def check(code: int, output: str, file: Path) -> None:
    assert code in (0, 2), output
    assert "internal error" not in output and "Traceback" not in output, output
    if code == 2:
        errors = [line for line in output.splitlines() if ": error" in line]
        assert errors, output
        for line in errors:
            m = LOCATED.match(line)
            assert m and (m["line"] or m["ptr"]), f"unlocated: {line}"
        assert str(file) in output


# ------------------------------------------------------------------ strategies

HOSTILE_TEXT = [
    "2025-02-30", "2025-03-99", "9999-12-01", "２０２５-０３", "1850-01", "2025-13", "",
    "/dev/zero", "/proc/self/environ", "a\x00b", "x" * 300 + ".yaml", "../" * 12 + "etc/shadow",
    "!!python/object/apply:os.system", "where(attacks.PAK, 1)", "attacks.PAK > attacks.TTP > 1",
    "attacks.PAK + _m0", "exp(attacks.PAK, 1)", "1" + "0" * 400, "nan", ".inf", "US", "TTP",
    "\ud800", "a\udfffb.yaml",
]  # fmt: skip
hostile_scalar = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([10**400, -(10**30), 2**63, 2**64, 0, -1]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.dates(min_value=dt.date(1, 1, 1)),
    st.sampled_from(HOSTILE_TEXT),
    st.text(st.characters(codec="utf-8"), max_size=12),
)
hostile_value = st.one_of(
    hostile_scalar,
    st.lists(hostile_scalar, max_size=3),
    st.dictionaries(st.text(max_size=6), hostile_scalar, max_size=3),
)
RAW_DAMAGE = ["\x00", "\x01", "\x1b", "\t", "\n", ":", "[", "{", "&a", "*a", "!!int ", "'", '"',
              "- ", "  ", "\ufeff", "\u2028", "#", "%YAML 1.1\n", "---\n"]  # fmt: skip
raw_damage = st.lists(
    st.tuples(st.floats(0, 1), st.sampled_from(RAW_DAMAGE) | st.text(max_size=4)), max_size=3
)
truncate = st.one_of(st.none(), st.floats(0, 1))


def damaged(text: str, edits, cut) -> str:
    for where, piece in edits:
        i = int(where * len(text))
        text = text[:i] + piece + text[i:]
    if cut is not None:
        text = text[: int(cut * len(text))]
    return text


def set_path(doc, path: tuple, value):
    node = doc
    for key in path[:-1]:
        if isinstance(node, dict):
            node = node.setdefault(key, {})
        elif isinstance(node, list) and isinstance(key, int) and key < len(node):
            node = node[key]
        else:
            return doc
    if (
        isinstance(node, dict)
        or isinstance(node, list)
        and isinstance(path[-1], int)
        and path[-1] < len(node)
    ):
        node[path[-1]] = value
    return doc


def dump(doc) -> str:
    try:
        return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
    except (yaml.YAMLError, ValueError, OverflowError):
        return json.dumps(doc, default=str)


def write(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    return path


# ------------------------------------------------------------------ scenarios

SCENARIO_PATHS = [
    ("title",), ("start",), ("months",), ("seed",), ("replicates",), ("extends",), ("sources",),
    ("levers", "US", "do_more"), ("levers", "PAK"), ("parameters", "states", "budget", "US"),
    ("parameters", "groups", "tempo", "TTP"), ("events",), ("events", 0, "at"),
    ("events", 0, "set"), ("events", 0, "shock", "type"), ("events", 0, "shock", "change"),
    ("events", 0, "shock"), ("surprise",),
]  # fmt: skip


def scenario_doc() -> dict:
    return {
        "extends": str(BASELINE),
        "title": "Fuzzed",
        "months": 24,
        "events": [{"at": "2025-06", "shock": {"type": "tension_shock", "change": 0.1}}],
    }


@FUZZ
@given(st.sampled_from(SCENARIO_PATHS), hostile_value, raw_damage, truncate)
def test_fuzzed_scenarios(tmp_path, path, value, edits, cut):
    text = damaged(dump(set_path(scenario_doc(), path, value)), edits, cut)
    file = write(tmp_path / "fuzzed.yaml", text)
    check(*durand("validate", file), file)


# ------------------------------------------------------------------ sweep specs

SWEEP_PATHS = [
    ("base",), ("sampler",), ("points",), ("seed",), ("replicates",), ("months",),
    ("factors",), ("factors", "levers.US.military_aid_pak", "range"),
    ("factors", "levers.US.military_aid_pak"), ("factors", "nonsense.path"),
    ("outcomes", "x", "expr"), ("outcomes", "x", "stat"), ("outcomes", "x", "year"),
    ("outcomes", "x"), ("series",), ("executor", "workers"), ("executor", "kind"),
]  # fmt: skip


def sweep_doc() -> dict:
    doc = yaml.safe_load(SMOKE.read_text())
    doc["base"] = str(BASELINE)
    doc["outcomes"]["x"] = {"expr": "attacks.TTP - attacks.BLA", "stat": "mean"}
    return doc


@FUZZ
@given(st.sampled_from(SWEEP_PATHS), hostile_value, raw_damage, truncate)
def test_fuzzed_sweep_specs(tmp_path, path, value, edits, cut):
    text = damaged(dump(set_path(sweep_doc(), path, value)), edits, cut)
    file = write(tmp_path / "spec.yaml", text)
    out = Path(tempfile.mkdtemp(dir=tmp_path)) / "out"  # fresh for every example
    code, output = durand("sweep", file, "--out", out, "--quiet")
    check(code, output, file)
    if code == 2:
        assert not out.exists(), "a refused sweep left an output folder"


# ------------------------------------------------------------------ doctrines

DOCTRINE_PATHS = [
    ("role",), ("title",), ("rules",), ("rules", 0, "when"), ("rules", 0, "set"),
    ("rules", 0, "when", 0, "metric"), ("rules", 0, "when", 0, "above"),
    ("rules", 0, "because"), ("rules", 0, "propose"), ("answers", 0, "offer"),
    ("answers", 0, "accept"), ("rules", 0, "when", 0, "turn_to"), ("surprise",),
]  # fmt: skip


@FUZZ
@given(
    st.sampled_from(["US", "PAK", "AFG", "CHN"]),
    st.sampled_from(DOCTRINE_PATHS),
    hostile_value,
    raw_damage,
    truncate,
)
def test_fuzzed_doctrines(tmp_path, role, path, value, edits, cut):
    doc = yaml.safe_load((DOCTRINES / f"{role}.yaml").read_text())
    text = damaged(dump(set_path(doc, path, value)), edits, cut)
    file = write(tmp_path / "doctrine.yaml", text)
    check(*durand("play", "--doctrine", f"{role}={file}", "--all-bots", "--text"), file)


# ------------------------------------------------------------------ saves

SAVE_PATHS = [
    ("format",), ("version",), ("scenario",), ("scenario_hash",), ("seed",), ("replicates",),
    ("turns",), ("seats",), ("seats", "US"), ("scenario_base",), ("doctrines",),
    ("doctrines", "US"), ("doctrine_base", "US"), ("lesson",), ("commands",),
    ("commands", 0), ("commands", 0, "kind"), ("commands", 0, "value"), ("commands", 0, "role"),
    ("position", "mode"), ("position", "done"), ("position", "revealed_at"), ("position", "reveal"),
    ("surprise",),
]  # fmt: skip


@pytest.fixture(scope="module")
def save_doc() -> dict:
    from sim.game.save import FORMAT, VERSION, portable

    scenario, base = portable(BASELINE, ROOT)
    from sim.inputs.scenario import load_scenario

    digest = load_scenario(BASELINE).with_overrides(seed=0, replicates=1, months=1).content_hash()
    return {
        "format": FORMAT,
        "version": VERSION,
        "scenario": scenario,
        "scenario_base": base,
        "scenario_hash": digest,
        "seed": 1,
        "replicates": 4,
        "turns": 2,
        "seats": {"US": "bot", "PAK": "bot", "AFG": "bot", "CHN": "bot"},
        "doctrines": {},
        "doctrine_base": {},
        "lesson": None,
        "commands": [
            {"kind": "set", "role": "US", "lever": "do_more", "value": 0.5, "reason": "r"},
            {"kind": "end_turn"},
        ],
        "position": {"mode": "ordered", "done": ["US"], "revealed_at": 0, "reveal": None},
    }


def json_text(doc) -> str:
    try:
        return json.dumps(doc, default=str)
    except (ValueError, TypeError):
        return "{}"


@FUZZ
@given(st.sampled_from(SAVE_PATHS), hostile_value, raw_damage, truncate)
def test_fuzzed_saves(tmp_path, save_doc, path, value, edits, cut):
    doc = json.loads(json.dumps(save_doc))
    text = damaged(json_text(set_path(doc, path, value)), edits, cut)
    file = write(tmp_path / "g.json", text)
    check(*durand("play", "--load", file, "--text"), file)


def test_the_unfuzzed_inputs_are_accepted(tmp_path, save_doc):
    """The starting points pass, so the properties above test the damage, not the seeds."""
    scen = write(tmp_path / "s.yaml", dump(scenario_doc()))
    assert durand("validate", scen)[0] == 0
    spec = write(tmp_path / "spec.yaml", dump(sweep_doc()))
    assert durand("sweep", spec, "--out", tmp_path / "o", "--quiet")[0] == 0
    doctrine = write(tmp_path / "d.yaml", (DOCTRINES / "US.yaml").read_text())
    assert durand("play", "--doctrine", f"US={doctrine}", "--all-bots", "--text")[0] == 0
    save = write(tmp_path / "g.json", json.dumps(save_doc))
    assert durand("play", "--load", save, "--text")[0] == 0
