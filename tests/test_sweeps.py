"""Sweeps: spec validation, identical results whatever the chunking or runner, resume after
SIGKILL and Ctrl-C, replay, and analyses with a known answer."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cli_inprocess import invoke

from sim.inputs.errors import ScenarioError, UsageError
from sim.sweep.analysis import discover, load_results, sensitivity
from sim.sweep.engine import run_sweep
from sim.sweep.replay import replay
from sim.sweep.spec import load_sweep

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.yaml"
DURAND = Path(sys.executable).parent / "durand"

# Levers only: several points share one model. The TTP tempo parameter forces one model
# per point. parameters.reference.f16_fleet is context only: nothing in the model reads it.
SMALL = f"""\
title: test sweep
base: {BASELINE}
sampler: lhs
points: 10
seed: 3
replicates: 3
months: 14
factors:
  levers.US.military_aid_pak: {{range: [0, 800]}}
  levers.AFG.ttp_tolerance: {{values: [0.2, 0.5, 0.9]}}
outcomes:
  attacks_2026: {{metric: attacks.PAK, stat: total, year: 2026}}
  ttp_final: {{metric: strength.TTP, stat: final}}
  share: {{expr: "attacks.TTP / maximum(attacks.PAK, 1)", stat: mean}}
series: [attacks.PAK, trust.US-PAK]
"""


def write(tmp_path: Path, text: str, name: str = "spec.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def frames(out: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    res = load_results(out)
    return res.points, res.runs


def assert_same(a: Path, b: Path) -> None:
    pa, ra = frames(a)
    pb, rb = frames(b)
    pd.testing.assert_frame_equal(pa, pb, check_exact=True)
    pd.testing.assert_frame_equal(ra, rb, check_exact=True)
    if (a / "series.parquet").exists():
        sa, sb = (pd.read_parquet(d / "series.parquet") for d in (a, b))
        keys = ["point", "replicate", "month"]
        sa, sb = (x.sort_values(keys).reset_index(drop=True) for x in (sa, sb))
        pd.testing.assert_frame_equal(sa, sb, check_exact=True)


# ------------------------------------------------------------------ validation


def problems_of(tmp_path: Path, text: str) -> list:
    with pytest.raises(ScenarioError) as info:
        load_sweep(write(tmp_path, text))
    return info.value.problems


def test_bad_sampler_names_file_line_and_key(tmp_path):
    text = SMALL.replace("sampler: lhs", "sampler: hypercube")
    (p,) = problems_of(tmp_path, text)
    assert p.file.endswith("spec.yaml") and p.line == 3 and p.key_path == "sampler"
    assert "lhs" in p.message and "hypercube" in p.message


def test_every_resolution_problem_reported_at_once(tmp_path):
    text = SMALL.replace("levers.US.military_aid_pak", "levers.US.military_aid_pk")
    text = text.replace("metric: strength.TTP", "metric: strength.TPP")
    text = text.replace("year: 2026", "year: 2031")
    text = text.replace(
        "series:", "  bad_expr: {expr: 'attacks.PAK + __import__', stat: mean}\nseries:"
    )
    found = {(p.key_path, p.line): p.message for p in problems_of(tmp_path, text)}
    keys = {k for k, _ in found}
    assert "factors.levers.US.military_aid_pk" in keys
    assert "outcomes.ttp_final.metric" in keys
    assert "outcomes.attacks_2026.year" in keys
    assert "outcomes.bad_expr.expr" in keys
    msg = found[("factors.levers.US.military_aid_pk", 9)]
    assert "did you mean 'levers.US.military_aid_pak'" in msg
    assert all(line is not None for _, line in found)


def test_factor_checks(tmp_path):
    table = SMALL.replace(
        "  levers.AFG.ttp_tolerance: {values: [0.2, 0.5, 0.9]}",
        "  parameters.groups.tempo: {range: [1, 2]}\n"
        "  parameters.states.priorities.US.TTP: {range: [0, 1]}\n"
        "  levers.US.do_more: {range: [0, 3]}\n"
        "  levers.US.civil_aid_pak: {range: [0, 1400]}",
    )
    msgs = {p.key_path: p.message for p in problems_of(tmp_path, table)}
    assert (
        "name one cell, e.g. parameters.groups.tempo.TTP" in msgs["factors.parameters.groups.tempo"]
    )
    assert "must sum to 1" in msgs["factors.parameters.states.priorities.US.TTP"]
    assert "above the highest admissible 1" in msgs["factors.levers.US.do_more"]
    assert "over its budget" in msgs["factors.levers.US.military_aid_pak"]


def test_exactly_one_factor_kind_and_unknown_nested_key(tmp_path):
    text = SMALL.replace("{range: [0, 800]}", "{range: [0, 800], values: [1]}")
    text = text.replace("stat: final}", "stat: final, yaer: 2026}")
    msgs = {p.key_path: p.message for p in problems_of(tmp_path, text)}
    assert "exactly one of" in msgs["factors.levers.US.military_aid_pak"]
    assert "did you mean 'year'" in msgs["outcomes.ttp_final.yaer"]


def test_cli_bad_spec_exit_2_without_traceback(tmp_path):
    spec = write(tmp_path, "base: nowhere.yaml\nsampler: lhs\npoints: -1\n", "bad.yaml")
    proc = subprocess.run(
        [DURAND, "sweep", spec, "--out", tmp_path / "o"], capture_output=True, text=True
    )
    assert proc.returncode == 2
    assert "bad.yaml:3" in proc.stderr and "points" in proc.stderr
    assert "Traceback" not in proc.stderr


# ------------------------------------------------------------------ determinism


def test_identical_across_chunk_sizes_and_workers(tmp_path):
    spec = write(tmp_path, SMALL)
    run_sweep(spec, tmp_path / "c1", chunk_points=1)
    run_sweep(spec, tmp_path / "c4", chunk_points=4)
    run_sweep(spec, tmp_path / "w2", chunk_points=3, workers=2)
    assert_same(tmp_path / "c1", tmp_path / "c4")
    assert_same(tmp_path / "c1", tmp_path / "w2")
    runs = frames(tmp_path / "c1")[1]
    assert len(runs) == 30 and not runs.duplicated(["point", "replicate"]).any()
    assert runs["attacks_2026"].nunique() > 5  # the factors and replicates matter
    # The monthly series agree with the outcomes computed from them (2026 = months 13-14).
    series = pd.read_parquet(tmp_path / "c1" / "series.parquet")
    assert len(series) == 30 * 14
    in_2026 = series[series.month >= 13].groupby(["point", "replicate"])["attacks.PAK"].sum()
    assert np.array_equal(in_2026.to_numpy(), runs["attacks_2026"].to_numpy())


def test_parameter_factors_identical_across_chunk_sizes(tmp_path):
    text = SMALL.replace(
        "  levers.AFG.ttp_tolerance: {values: [0.2, 0.5, 0.9]}",
        "  parameters.groups.tempo.TTP: {distribution: {type: normal, mean: 70, sd: 8}}",
    )
    spec = write(tmp_path, text)
    run_sweep(spec, tmp_path / "a", chunk_points=1)
    run_sweep(spec, tmp_path / "b", chunk_points=10)
    assert_same(tmp_path / "a", tmp_path / "b")


def test_dask_local_cluster_equals_local(tmp_path):
    pytest.importorskip("distributed")
    spec = write(tmp_path, SMALL)
    run_sweep(spec, tmp_path / "local", chunk_points=2)
    run_sweep(spec, tmp_path / "dask", chunk_points=2, executor="dask", workers=1)
    assert_same(tmp_path / "local", tmp_path / "dask")


def test_dask_scheduler_address(tmp_path):
    """A running cluster, reached by its scheduler address (as a real cluster would be)."""
    import logging

    distributed = pytest.importorskip("distributed")
    spec = write(tmp_path, SMALL)
    run_sweep(spec, tmp_path / "local", chunk_points=4)
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        dashboard_address=None,
        silence_logs=logging.ERROR,
    ) as cluster:
        run_sweep(
            spec,
            tmp_path / "remote",
            chunk_points=4,
            executor="dask",
            scheduler=cluster.scheduler_address,
        )
    assert_same(tmp_path / "local", tmp_path / "remote")


def test_replay_is_bit_identical(tmp_path):
    text = SMALL.replace(
        "  levers.AFG.ttp_tolerance: {values: [0.2, 0.5, 0.9]}",
        "  parameters.groups.tempo.TTP: {range: [50, 90]}",
    )
    spec = write(tmp_path, text)
    run_sweep(spec, tmp_path / "s", chunk_points=5)
    info = replay(tmp_path / "s", point=7, replicate=2, out=tmp_path / "r")
    assert info["identical"]
    runs = frames(tmp_path / "s")[1]
    row = runs[(runs.point == 7) & (runs.replicate == 2)].iloc[0]
    assert info["outcomes_replayed"]["share"] == row["share"]
    # The written scenario runs with `durand run` as is.
    proc = subprocess.run(
        [DURAND, "validate", tmp_path / "r" / "scenario.yaml"], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr


# ------------------------------------------------------------------ resume


RESUMABLE = f"""\
base: {BASELINE}
sampler: mc
points: 40
replicates: 2
months: 120
factors:
  parameters.groups.tempo.TTP: {{range: [50, 90]}}
outcomes:
  attacks: {{metric: attacks.PAK, stat: total}}
executor: {{chunk_points: 1}}
"""


def _start(spec: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [DURAND, "sweep", spec, "--out", out, "--workers", "1", "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _wait_for_parts(proc: subprocess.Popen, out: Path, n: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if (out / "runs.parquet").is_dir() and len(list(out.glob("runs.parquet/part-*"))) >= n:
            return
        time.sleep(0.01)


def _parts(out: Path) -> dict[str, tuple[int, int]]:
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.glob("runs.parquet/*")}


def test_resume_after_sigkill(tmp_path):
    spec = write(tmp_path, RESUMABLE)
    out = tmp_path / "k"
    proc = _start(spec, out)
    _wait_for_parts(proc, out, 3)
    assert proc.poll() is None, "the sweep finished before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    before = _parts(out)
    assert 3 <= len(before) < 40
    report = run_sweep(spec, out, resume=True)
    assert report.skipped_chunks == len(before) and report.ran_chunks == 40 - len(before)
    after = _parts(out)
    assert {k: after[k] for k in before} == before  # finished chunks were not rewritten
    assert not [p for p in out.rglob(".*")], "temporary files left behind"
    run_sweep(spec, tmp_path / "clean")
    assert_same(out, tmp_path / "clean")
    runs = frames(out)[1]
    assert len(runs) == 80 and not runs.duplicated(["point", "replicate"]).any()


def test_ctrl_c_stops_cleanly_and_says_how_to_resume(tmp_path):
    spec = write(tmp_path, RESUMABLE)
    out = tmp_path / "i"
    proc = _start(spec, out)
    _wait_for_parts(proc, out, 2)
    assert proc.poll() is None
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "--resume" in err and "Traceback" not in err
    assert f"Resume with:  durand sweep {spec} --out {out} --resume" in err  # ready to paste
    assert run_sweep(spec, out, resume=True).skipped_chunks >= 2


def test_resume_refuses_a_different_spec_and_plain_rerun_refuses_overwrite(tmp_path):
    spec = write(tmp_path, SMALL)
    run_sweep(spec, tmp_path / "s")
    with pytest.raises(UsageError, match="already holds files"):
        run_sweep(spec, tmp_path / "s")
    other = write(tmp_path, SMALL.replace("seed: 3", "seed: 4"), "other.yaml")
    with pytest.raises(UsageError, match="different spec"):
        run_sweep(other, tmp_path / "s", resume=True)
    assert run_sweep(spec, tmp_path / "s", resume=True).ran_chunks == 0


# ------------------------------------------------------------------ analysis


KNOWN = f"""\
base: {BASELINE}
sampler: SAMPLER
points: POINTS
seed: 5
replicates: 2
months: 24
factors:
  parameters.groups.tempo.TTP: {{range: [30, 110]}}
  levers.AFG.ttp_tolerance: {{range: [0.2, 1.0]}}
  parameters.reference.f16_fleet: {{range: [50, 150]}}
outcomes:
  ttp_attacks: {{metric: attacks.TTP, stat: total}}
"""


@pytest.mark.parametrize(
    ("sampler", "points", "rank_by"), [("sobol", 16, "ST"), ("morris", 6, "mu_star")]
)
def test_sensitivity_ranks_an_unused_factor_last(tmp_path, sampler, points, rank_by):
    text = KNOWN.replace("SAMPLER", sampler).replace("POINTS", str(points))
    spec = write(tmp_path, text)
    run_sweep(spec, tmp_path / "s")
    s = sensitivity(tmp_path / "s", "ttp_attacks")
    assert s.method == sampler and s.rank_by == rank_by
    assert list(s.table["factor"])[0] == "parameters.groups.tempo.TTP"
    assert list(s.table["factor"])[-1] == "parameters.reference.f16_fleet"
    # Common random numbers: moving the unused factor changes no run at all.
    assert s.table.set_index("factor").loc["parameters.reference.f16_fleet", rank_by] == 0
    assert s.png.stat().st_size > 10_000 and s.csv.exists()


def test_given_data_sensitivity_and_discovery(tmp_path):
    text = KNOWN.replace("SAMPLER", "lhs").replace("POINTS", "60")
    spec = write(tmp_path, text)
    run_sweep(spec, tmp_path / "s")
    s = sensitivity(tmp_path / "s", "ttp_attacks")
    assert s.method == "rbd_fast" and "not a Sobol'" in s.note
    assert list(s.table["factor"])[0] == "parameters.groups.tempo.TTP"
    runs = load_results(tmp_path / "s").runs
    line = float(np.quantile(runs["ttp_attacks"], 0.75))
    d = discover(tmp_path / "s", "ttp_attacks", above=line)
    names = [r[0] for r in d.rules]
    assert "parameters.groups.tempo.TTP" in names
    tempo = d.rules[names.index("parameters.groups.tempo.TTP")]
    assert tempo[1] is not None and tempo[1] > 60  # high tempo, high attacks
    assert d.density > 0.5 and 0 < d.coverage <= 1 and d.png.stat().st_size > 10_000
    assert "ttp_attacks >" in d.sentence() and "when" in d.sentence()
    with pytest.raises(UsageError, match="no run has"):
        discover(tmp_path / "s", "ttp_attacks", above=1e12)
    with pytest.raises(UsageError, match="unknown outcome"):
        sensitivity(tmp_path / "s", "nope")


def test_grid_design_and_force(tmp_path):
    text = SMALL.replace("sampler: lhs\npoints: 10\n", "sampler: grid\n").replace(
        "{range: [0, 800]}", "{range: [0, 800], levels: 2}"
    )
    spec = write(tmp_path, text)
    run_sweep(spec, tmp_path / "g")
    points, runs = frames(tmp_path / "g")
    assert len(points) == 6 and len(runs) == 18
    assert sorted(set(points["levers.US.military_aid_pak"])) == [0.0, 800.0]
    assert sorted(set(points["levers.AFG.ttp_tolerance"])) == [0.2, 0.5, 0.9]
    (tmp_path / "g" / "notes.txt").write_text("mine")
    run_sweep(spec, tmp_path / "g", force=True, chunk_points=5)
    assert (tmp_path / "g" / "notes.txt").read_text() == "mine"
    assert sorted(p.name for p in (tmp_path / "g" / "runs.parquet").iterdir()) == [
        "part-000000.parquet",
        "part-000001.parquet",
    ]


def test_resume_restores_files_a_killed_start_did_not_write(tmp_path):
    spec = write(tmp_path, SMALL)
    run_sweep(spec, tmp_path / "s", chunk_points=4)
    (tmp_path / "s" / "points.parquet").unlink()
    parts = sorted((tmp_path / "s" / "runs.parquet").iterdir())
    parts[-1].unlink()
    report = run_sweep(spec, tmp_path / "s", resume=True)
    assert report.ran_chunks == 1 and report.skipped_chunks == len(parts) - 1
    run_sweep(spec, tmp_path / "clean", chunk_points=4)
    assert_same(tmp_path / "s", tmp_path / "clean")


def test_names_checked_even_when_the_schema_fails(tmp_path):
    text = SMALL.replace("stat: final", "stat: last").replace("strength.TTP", "strength.TPP")
    text = text.replace("levers.US.military_aid_pak", "levers.US.aid")
    msgs = {p.key_path: (p.line, p.message) for p in problems_of(tmp_path, text)}
    assert msgs["outcomes.ttp_final.stat"][1].startswith("expected one of")
    assert "did you mean 'strength.TTP'" in msgs["outcomes.ttp_final.metric"][1]
    assert msgs["factors.levers.US.aid"][0] == 9


def test_a_chunk_frees_its_models(tmp_path):
    """mesa 3.3 keeps every model alive through Agent._ids; a sweep worker must not."""
    import gc

    from sim.model.model import DurandModel
    from sim.sweep.execute import Plan, chunks, run_chunk
    from sim.sweep.sampling import design

    def alive() -> int:
        gc.collect()
        return sum(type(o) is DurandModel for o in gc.get_objects())  # proxies: no isinstance

    sweep = load_sweep(write(tmp_path, SMALL))
    plan = Plan(sweep, tuple(sweep.names))
    before = alive()
    for chunk in chunks(design(sweep), 3, set()):
        run_chunk(plan, chunk)
    assert alive() == before


# ------------------------------------------------------------------ analysis through the CLI


def _durand(*args) -> subprocess.CompletedProcess:
    """The command line, run in this process (tests/cli_inprocess.py)."""
    return invoke(*args)


def test_analyze_and_replay_through_the_command_line(tmp_path):
    """As a user runs them: tables and charts written, bad paths exit 3, bad input exit 2."""
    spec = write(tmp_path, SMALL)
    out = tmp_path / "s"
    assert _durand("sweep", spec, "--out", out, "--quiet").returncode == 0

    sens = _durand("analyze", "sensitivity", out, "--outcome", "attacks_2026")
    assert sens.returncode == 0, sens.stderr
    assert "levers.US.military_aid_pak" in sens.stdout and "levers.AFG.ttp_tolerance" in sens.stdout
    assert list(out.glob("*.png")), "no tornado chart written"

    runs = pd.read_parquet(out / "runs.parquet")
    line = float(np.quantile(runs["attacks_2026"], 0.7))
    disc = _durand("analyze", "discover", out, "--outcome", "attacks_2026", "--above", line)
    assert disc.returncode == 0, disc.stderr
    assert "coverage" in disc.stdout.lower() and "density" in disc.stdout.lower()

    rep = _durand("replay", out, "--point", 2, "--replicate", 1, "--out", tmp_path / "r")
    assert rep.returncode == 0, rep.stderr
    assert (tmp_path / "r" / "scenario.yaml").is_file()

    unwritable = Path("/proc/durand-cannot-write")
    for args in (
        ("analyze", "sensitivity", out, "--outcome", "attacks_2026", "--png", unwritable / "t.png"),
        ("analyze", "discover", out, "--outcome", "attacks_2026", "--above", line,
         "--png", unwritable / "p.png"),
        ("replay", out, "--point", 2, "--replicate", 1, "--out", unwritable),
    ):  # fmt: skip
        bad = _durand(*args)
        assert bad.returncode == 3, (args, bad.stderr)
        assert str(unwritable) in bad.stderr and "Traceback" not in bad.stderr

    for args in (
        ("analyze", "sensitivity", out, "--outcome", "nope"),
        ("replay", out, "--point", 999, "--replicate", 1),
        ("sweep", spec, "--out", tmp_path / "w0", "--workers", "0"),
    ):
        bad = _durand(*args)
        assert bad.returncode == 2, (args, bad.stderr)
        assert "Traceback" not in bad.stderr


def test_a_factor_the_base_scenario_overrides_is_refused(tmp_path):
    """aid_cut_restored sets US military aid at 2026-01: sweeping it would be silently undone."""
    text = SMALL.replace(str(BASELINE), str(ROOT / "scenarios" / "aid_cut_restored.yaml"))
    problems = problems_of(tmp_path, text)
    hits = [p for p in problems if p.key_path == "factors.levers.US.military_aid_pak"]
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "military_aid_pak" in t)
    assert hits and "2026-01" in hits[0].message and hits[0].line == line


def test_constant_arithmetic_in_an_expression_is_float64_and_cannot_hang():
    """9**9**9**9 in Python integers would run for ever; as float64 it is inf at once."""
    from sim.model.recorder import METRICS
    from sim.sweep.outcomes import Outcome, compute, parse_expression

    by_metric = np.ones((3, len(METRICS), 2), dtype=np.float32)
    huge = Outcome("x", None, parse_expression("attacks.PAK + 9**9**9**9"), "total", None, None)
    assert np.all(np.isinf(compute(huge, by_metric)))
    half = Outcome("y", None, parse_expression("attacks.PAK / 2"), "mean", None, None)
    assert np.array_equal(compute(half, by_metric), [0.5, 0.5])
