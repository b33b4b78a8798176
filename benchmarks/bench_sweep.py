"""Sweep speed and memory: a 1,000-point x 100-replicate x 120-month LHS sweep of the baseline.

Prints wall time with 1 and 2 workers and their ratio, the cost per replicate-month, peak
memory for the sweep and for one a tenth its size (the streamed design keeps it flat), and
the per-run cost of the same model through mesa.batch_run. Targets (issue 4): at most 30 s
with 2 workers, a speed-up of at least 1.6x, and a 10x larger sweep using at most 1.2x the
memory.

    .venv/bin/python benchmarks/bench_sweep.py            # the full benchmark (~2 minutes)
    .venv/bin/python benchmarks/bench_sweep.py --points 100 --repeat 3   # a quick look

Each sweep runs in a fresh process (so peak memory is its own) through the library's
``run_sweep``, with the timing taken around that call; the process pool's start-up is
included. The machine is shared: medians of ``--repeat`` runs, 1 and 2 workers interleaved.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.yaml"

SPEC = """\
title: benchmark sweep
base: {base}
sampler: lhs
points: {points}
seed: 11
replicates: {replicates}
months: {months}
factors:
  levers.US.military_aid_pak: {{range: [0, 800]}}
  levers.US.intel_sharing: {{range: [0, 1]}}
  levers.AFG.ttp_tolerance: {{range: [0.2, 1.0]}}
  levers.PAK.border_closure: {{range: [0, 1]}}
  levers.CHN.cpec_investment: {{range: [0, 1500]}}
outcomes:
  attacks_pak_2026: {{metric: attacks.PAK, stat: total, year: 2026}}
  ttp_final: {{metric: strength.TTP, stat: final}}
  trust_us_pak: {{metric: trust.US-PAK, stat: mean}}
"""


def child(spec: str, out: str, workers: int, chunk_points: int | None) -> None:
    """Run one sweep in this (fresh) process and print its figures as JSON."""
    from sim.sweep.engine import run_sweep

    def cpu() -> float:
        me = resource.getrusage(resource.RUSAGE_SELF)
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime

    cpu0, start = cpu(), time.perf_counter()
    run_sweep(Path(spec), Path(out), workers=workers, force=True, chunk_points=chunk_points)
    seconds, cpu_seconds = time.perf_counter() - start, cpu() - cpu0
    figures = {
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "parent_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "worker_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }
    print(json.dumps(figures))


def measure(spec: Path, out: Path, workers: int, chunk_points: int = 0) -> dict:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", str(spec), str(out), str(workers), str(chunk_points)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def write_spec(folder: Path, points: int, replicates: int, months: int) -> Path:
    path = folder / f"sweep-{points}.yaml"
    text = SPEC.format(base=BASELINE, points=points, replicates=replicates, months=months)
    path.write_text(text, encoding="utf-8")
    return path


def batch_run_per_run(runs: int, months: int) -> float:
    """Seconds per single-replicate run through mesa.batch_run (one process)."""
    import mesa

    from sim.model.model import DurandModel

    start = time.perf_counter()
    mesa.batch_run(
        DurandModel,
        parameters={
            "scenario": str(BASELINE),
            "replicates": 1,
            "months": months,
            "seed": 20250301,
            "levers": [{"US.military_aid_pak": 800.0 * i / (runs - 1)} for i in range(runs)],
        },
        iterations=1,
        max_steps=10_000,
        number_processes=1,
        data_collection_period=-1,
        display_progress=False,
    )
    return (time.perf_counter() - start) / runs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=1000)
    ap.add_argument("--replicates", type=int, default=100)
    ap.add_argument("--months", type=int, default=120)
    ap.add_argument("--repeat", type=int, default=1, help="runs of each worker count")
    ap.add_argument("--batch-runs", type=int, default=20, help="runs through mesa.batch_run")
    ap.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child[0], args.child[1], int(args.child[2]), int(args.child[3]) or None)
        return
    pts, reps, months = args.points, args.replicates, args.months
    rep_steps = pts * reps * months
    with tempfile.TemporaryDirectory(prefix="bench-sweep-") as tmp:
        tmp = Path(tmp)
        spec = write_spec(tmp, pts, reps, months)
        small = write_spec(tmp, max(1, pts // 10), reps, months)
        print(f"LHS sweep of the baseline: {pts:,} points x {reps} replicates x {months} months")
        print(f"= {pts * reps:,} runs, {rep_steps:,} replicate-months; 5 lever factors\n")
        runs: dict[int, list[dict]] = {1: [], 2: []}
        for i in range(args.repeat):
            for workers in (1, 2):
                r = measure(spec, tmp / f"out-{workers}", workers)
                runs[workers].append(r)
                # CPU time over wall time x workers: well below 1 means the workers did not
                # get whole cores (another program was running on the shared machine).
                share = r["cpu_seconds"] / (r["seconds"] * workers)
                print(
                    f"  run {i + 1}, {workers} worker(s): {r['seconds']:6.2f} s, CPU "
                    f"{r['cpu_seconds']:6.1f} s ({share:.0%} of {workers} core(s)); peak memory "
                    f"parent {r['parent_mb']:.0f} MB, largest worker {r['worker_mb']:.0f} MB",
                    flush=True,
                )
        t1 = statistics.median(r["seconds"] for r in runs[1])
        t2 = statistics.median(r["seconds"] for r in runs[2])
        print(f"\nwall time, 1 worker:   {t1:7.2f} s (median)")
        print(f"wall time, 2 workers:  {t2:7.2f} s (median)   target <= 30 s: "
              f"{'met' if t2 <= 30 else 'NOT met'}")  # fmt: skip
        print(f"speed-up 1 -> 2:       {t1 / t2:7.2f} x          target >= 1.6x: "
              f"{'met' if t1 / t2 >= 1.6 else 'NOT met'}")  # fmt: skip
        print(f"cost per replicate-month: {t1 / rep_steps * 1e6:.2f} µs (1 worker), "
              f"{t2 * 2 / rep_steps * 1e6:.2f} µs of worker time (2 workers)")  # fmt: skip
        cpu2 = statistics.median(r["cpu_seconds"] for r in runs[2])
        print(f"CPU time, 2 workers: {cpu2:.1f} s ({cpu2 / rep_steps * 1e6:.2f} µs per "
              f"replicate-month, workers' start-up included); if both cores were wholly the "
              f"sweep's, wall time would be about {cpu2 / 2:.1f} s")  # fmt: skip

        # Memory: this sweep against one a tenth its size, both with 2 workers and the same
        # chunks (a sweep smaller than 8 full chunks would otherwise get smaller ones).
        from sim.sweep.execute import auto_chunk_points

        r_small = measure(small, tmp / "out-small", 2, auto_chunk_points(pts, reps))
        big = max(runs[2], key=lambda r: r["parent_mb"] + r["worker_mb"])
        for label, r in ((f"{pts // 10:,} points", r_small), (f"{pts:,} points", big)):
            print(f"peak memory, {label:>13}: parent {r['parent_mb']:.0f} MB, "
                  f"largest worker {r['worker_mb']:.0f} MB")  # fmt: skip
        ratio = (big["parent_mb"] + big["worker_mb"]) / (
            r_small["parent_mb"] + r_small["worker_mb"]
        )
        print(f"memory ratio, 10x larger sweep: {ratio:.2f} x   target <= 1.2x: "
              f"{'met' if ratio <= 1.2 else 'NOT met'}")  # fmt: skip

    per_run_sweep = t1 / (pts * reps)
    per_run_batch = batch_run_per_run(args.batch_runs, months)
    print(f"\nmesa.batch_run, {args.batch_runs} single-replicate runs of {months} months: "
          f"{per_run_batch * 1e3:.1f} ms per run")  # fmt: skip
    print(f"durand sweep (1 worker):                     {per_run_sweep * 1e3:.2f} ms per run")
    print(f"per-run ratio, batch_run / sweep:            {per_run_batch / per_run_sweep:.0f} x")


if __name__ == "__main__":
    main()
