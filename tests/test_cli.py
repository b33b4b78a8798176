"""The durand command as a user runs it: real entry point, real files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from cli_inprocess import invoke

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.yaml"
DURAND = Path(sys.executable).with_name("durand")
REQUIRED = [
    "replicate", "month", "date", "attacks.PAK", "attacks.AFG", "attacks.TTP", "attacks.ISKP",
    "attacks.BLA", "fatalities.PAK", "strength.TTP", "strength.ISKP", "strength.BLA",
    "trust.US-PAK", "trust.PAK-AFG", "trust.PAK-CHN", "aid.US-PAK", "joint_ops", "stability.PAK",
]  # fmt: skip


def durand(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """The command line, run in this process (tests/cli_inprocess.py)."""
    return invoke(*args, cwd=cwd)


def run(out: Path, *extra: str) -> subprocess.CompletedProcess:
    return durand("run", str(BASELINE), "--quiet", "--out", str(out), *extra)


@pytest.fixture(scope="module")
def small_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("run") / "a"
    res = run(out, "--seed", "11", "--replicates", "6", "--months", "18")
    assert res.returncode == 0, res.stderr
    return out


def test_help_answers_without_importing_the_model():
    code = (
        "import sys; sys.argv = ['durand', '--help']\n"
        "from sim.cli.main import main\n"
        "try:\n    main()\nexcept SystemExit as e:\n    assert e.code in (0, None)\n"
        "heavy = [m for m in ('mesa', 'numpy', 'pandas', 'sim.model.model') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert res.returncode == 0, res.stderr
    assert "Usage" in res.stdout and "HEAVY []" in res.stdout


def test_scenarios_lists_baseline_with_title():
    res = durand("scenarios")
    assert res.returncode == 0
    assert "baseline.yaml" in res.stdout and "Baseline" in res.stdout


def test_run_writes_tidy_files(small_run: Path):
    frame = pd.read_csv(small_run / "timeseries.csv")
    assert [c for c in REQUIRED if c not in frame.columns] == []
    assert len(frame) == 6 * 18
    assert sorted(frame["replicate"].unique()) == list(range(6))
    assert frame.loc[frame.replicate == 0, "month"].tolist() == list(range(1, 19))
    assert frame["date"].iloc[0] == "2025-01" and frame["date"].iloc[17] == "2026-06"
    assert frame["attacks.PAK"].dtype.kind == "i"
    assert (
        frame["attacks.PAK"]
        == frame[[f"attacks.{r}" for r in ("KP", "BAL", "PUN", "SIN", "ISB")]].sum(axis=1)
    ).all()
    manifest = json.loads((small_run / "manifest.json").read_text())
    assert manifest["seed"] == 11 and manifest["replicates"] == 6 and manifest["months"] == 18
    assert len(manifest["scenario_content_hash"]) == 64
    assert manifest["command_line"][-1] == "18" or "18" in manifest["command_line"]
    summary = json.loads((small_run / "summary.json").read_text())
    year = summary["yearly_totals"]["2025"]["attacks.PAK"]
    assert year["p05"] <= year["median"] <= year["p95"]
    assert "2026 (6 months)" in summary["yearly_totals"]
    for line in (small_run / "events.jsonl").read_text().splitlines():
        event = json.loads(line)
        assert {"replicate", "date", "type", "actors", "region", "explanation"} <= set(event)


def test_summary_is_printed_unless_quiet(tmp_path):
    res = durand("run", str(BASELINE), "-r", "3", "--months", "12", "--out", str(tmp_path / "o"))
    assert res.returncode == 0, res.stderr
    assert "Attacks per year" in res.stdout and "in Pakistan" in res.stdout
    assert "median" in res.stdout.lower() or "90%" in res.stdout
    quiet = run(tmp_path / "q", "-r", "3", "--months", "12")
    assert quiet.returncode == 0 and quiet.stdout == ""


def test_same_seed_same_bytes_and_batch_independence(tmp_path, small_run):
    again = tmp_path / "b"
    assert run(again, "--seed", "11", "--replicates", "6", "--months", "18").returncode == 0
    assert (again / "timeseries.csv").read_bytes() == (small_run / "timeseries.csv").read_bytes()
    fewer = tmp_path / "c"
    assert run(fewer, "--seed", "11", "--replicates", "2", "--months", "18").returncode == 0
    a = pd.read_csv(small_run / "timeseries.csv")
    c = pd.read_csv(fewer / "timeseries.csv")
    pd.testing.assert_frame_equal(a[a.replicate < 2].reset_index(drop=True), c, check_exact=True)


def test_parquet_equals_csv(tmp_path, small_run):
    out = tmp_path / "p"
    res = run(out, "--seed", "11", "--replicates", "6", "--months", "18", "--format", "parquet")
    assert res.returncode == 0, res.stderr
    p = pd.read_parquet(out / "timeseries.parquet")
    c = pd.read_csv(small_run / "timeseries.csv")
    assert list(p.columns) == list(c.columns)
    pd.testing.assert_frame_equal(
        p[["replicate", "month", "attacks.PAK"]],
        c[["replicate", "month", "attacks.PAK"]],
        check_dtype=False,
    )
    assert ((p["strength.TTP"] - c["strength.TTP"]).abs() < 1e-6).all()


def test_existing_output_is_not_overwritten_without_force(tmp_path):
    out = tmp_path / "busy"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    res = run(out, "-r", "2", "--months", "6")
    assert res.returncode == 2
    assert "--force" in res.stderr and "Traceback" not in res.stderr
    assert not (out / "timeseries.csv").exists()
    assert run(out, "-r", "2", "--months", "6", "--force").returncode == 0
    assert (out / "timeseries.csv").exists() and (out / "keep.txt").read_text() == "mine"


@pytest.mark.parametrize(
    "flag,value", [("--replicates", "0"), ("--months", "0"), ("--months", "601"), ("--seed", "-1")]
)
def test_out_of_range_flags_exit_2(tmp_path, flag, value):
    res = run(tmp_path / "o", flag, value)
    assert res.returncode == 2, res.stderr
    assert "Traceback" not in res.stderr


def test_bad_scenario_names_file_line_and_key(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"extends: {BASELINE}\nlevers:\n  US:\n    do_mor: 0.3\nmonths: 0\n")
    res = durand("run", str(bad), "--quiet", "--out", str(tmp_path / "o"))
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert f"{bad}:4" in res.stderr and "levers.US.do_mor" in res.stderr and "do_more" in res.stderr
    assert f"{bad}:5" in res.stderr and "at least 1" in res.stderr
    assert not (tmp_path / "o").exists()


def test_validate_reports_every_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"extends: {BASELINE}\nreplicats: 3\n")
    res = durand("validate", str(BASELINE), str(bad))
    assert res.returncode == 2
    assert "ok" in res.stdout and "baseline.yaml" in res.stdout
    assert "did you mean 'replicates'" in res.stderr


def test_evidence_lists_provenance_and_filters():
    res = durand("evidence")
    assert res.returncode == 0
    assert "004_e2bf07d51691ba8d.txt" in res.stdout and "assumption:" in res.stdout
    one = durand("evidence", "reference.attacks_pak_2024")
    assert "1099" in one.stdout and "517 in 2023 to 1,099 in 2024" in one.stdout
    assert "seeds disagree" in one.stdout
    miss = durand("evidence", "grups.tempo")
    assert miss.returncode == 2 and "groups.tempo" in miss.stderr


def test_evidence_doc_is_current():
    res = durand("evidence", "--markdown")
    assert res.returncode == 0
    doc = (ROOT / "docs" / "evidence.md").read_text()
    assert doc.strip() == res.stdout.strip(), "docs/evidence.md is stale: run `make evidence-doc`"


def test_write_failure_leaves_no_partial_file(tmp_path, monkeypatch):
    """A failure while writing says so, exits 3 and leaves no half-written file: the
    output folder appears only once every file in it is complete (all or nothing)."""
    from sim.cli import main as cli
    from sim.run import outputs

    def broken(events, folder, fmt):
        (folder / "events.jsonl").write_text("half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(outputs, "_write_events", broken)
    out = tmp_path / "o"
    monkeypatch.setattr(
        sys,
        "argv",
        ["durand", "run", str(BASELINE), "-q", "-r", "2", "--months", "3", "--out", str(out)],
    )
    with pytest.raises(SystemExit) as exit_info:
        cli.main()
    assert exit_info.value.code == 3
    assert not out.exists(), "nothing half-written under the final name"
    assert list(tmp_path.iterdir()) == [], "no staging folder left behind"


def test_internal_errors_are_reported_without_traceback(tmp_path, monkeypatch, capsys):
    from sim.cli import main as cli
    from sim.run import api

    def boom(*a, **k):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(api, "run_to_folder", boom)
    monkeypatch.setattr(sys, "argv", ["durand", "run", str(BASELINE), "--out", str(tmp_path / "x")])
    monkeypatch.delenv("DURAND_DEBUG", raising=False)
    with pytest.raises(SystemExit) as exit_info:
        cli.main()
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert "internal error" in err and "kaboom" in err and "Traceback" not in err


def test_scheduled_events_reach_events_file(tmp_path):
    scenario = tmp_path / "cut.yaml"
    scenario.write_text(
        f"extends: {BASELINE}\ntitle: cut\nevents:\n  - at: 2025-04\n"
        "    set: {US.military_aid_pak: 0}\n    note: sustainment ends\n"
    )
    res = durand(
        "run", str(scenario), "-q", "-r", "2", "--months", "6", "--out", str(tmp_path / "o")
    )
    assert res.returncode == 0, res.stderr
    first = json.loads((tmp_path / "o" / "events.jsonl").read_text().splitlines()[0])
    assert first["type"] == "policy" and first["date"] == "2025-04" and first["replicate"] is None
    assert "military_aid_pak" in first["explanation"] and "sustainment ends" in first["explanation"]
    frame = pd.read_csv(tmp_path / "o" / "timeseries.csv")
    aid = frame[frame.replicate == 0]["aid.US-PAK"].tolist()
    assert aid[2] > 0 and aid[3] == 0 and aid[5] == 0


def test_sim_never_imports_viz():
    """The viewer depends on the model, never the other way round: viz plugs into the
    command line through entry points (sim/cli/plugins.py)."""
    import ast

    root = Path(__file__).resolve().parent.parent / "sim"
    offenders = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] == "viz"]
    assert offenders == []


def test_the_viewer_command_is_found_as_a_plugin():
    from sim.cli.plugins import commands

    assert "view" in commands()


@pytest.mark.parametrize("option", [["--turns", "0"], ["--replicates", "0"], ["--seed", "-1"]])
def test_play_refuses_numbers_out_of_range(option):
    done = durand("play", "scenarios/baseline.yaml", "--text", "--all-bots", *option)
    assert done.returncode == 2
    assert option[0] in done.stderr and "Traceback" not in done.stderr
