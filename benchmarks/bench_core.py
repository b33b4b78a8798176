"""Core speed and memory: prints figures and ratios measured side by side in one run.

    .venv/bin/python benchmarks/bench_core.py [--repeats 5] [--skip-memory]

Targets (issue 2): <= 2 us per replicate-step at R=10,000; >= 100x cheaper per
replicate-step than R=1; one R=1 120-month run <= 50 ms; peak memory of
`durand run` at R=10,000 x 120 months <= 1.5 GiB. Medians over repeats; the machine is
shared, so read the ratios as well as the absolute figures.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.model import DurandModel  # noqa: E402
from sim.scenario import load_scenario  # noqa: E402

MONTHS = 120
BASELINE = ROOT / "scenarios" / "baseline.yaml"


def time_run(scenario, replicates: int) -> float:
    """Seconds to build and run the model to 120 months (recording included)."""
    start = time.perf_counter()
    model = DurandModel(scenario, replicates=replicates, months=MONTHS)
    model.run()
    return time.perf_counter() - start


def stepping_share(scenario, replicates: int, repeats: int) -> float:
    """Seconds of a run spent outside recording (the recorder swapped for a no-op)."""
    from sim.recorder import Recorder

    record = Recorder.record
    Recorder.record = lambda self, *args: None
    try:
        return median_time(scenario, replicates, repeats)
    finally:
        Recorder.record = record


def median_time(scenario, replicates: int, repeats: int) -> float:
    time_run(scenario, replicates)  # warm caches and imports
    return statistics.median(time_run(scenario, replicates) for _ in range(repeats))


def peak_memory_of_cli(replicates: int) -> tuple[float, float]:
    """Peak resident memory (GiB) and wall time (s) of `durand run` in a fresh process.

    Measured from a small intermediate interpreter: a child forked from this process would
    count the pages it inherits from the benchmark's own large runs.
    """
    with tempfile.TemporaryDirectory() as out:
        cmd = [
            sys.executable,
            "-c",
            "from sim.cli import main; main()",
            "run",
            str(BASELINE),
            "--replicates",
            str(replicates),
            "--months",
            str(MONTHS),
            "--out",
            out,
            "--format",
            "parquet",
            "--quiet",
            "--force",
        ]
        probe = (
            "import resource, subprocess, sys, time\n"
            "t = time.perf_counter()\n"
            "subprocess.run(sys.argv[1:], check=True)\n"
            "wall = time.perf_counter() - t\n"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, wall)\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", probe, *cmd],
            check=True,
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
    peak_kib, wall = done.stdout.split()
    return int(peak_kib) / 2**20, float(wall)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--big", type=int, default=10_000, help="replicates for the large run")
    ap.add_argument("--skip-memory", action="store_true")
    args = ap.parse_args()
    scenario = load_scenario(BASELINE)
    memory = None if args.skip_memory else peak_memory_of_cli(args.big)  # before big runs

    one = median_time(scenario, 1, max(args.repeats * 4, 20))
    big = median_time(scenario, args.big, args.repeats)
    per_one = one / MONTHS * 1e6
    per_big = big / (args.big * MONTHS) * 1e6
    print(f"baseline, {MONTHS} months, medians of repeated runs (build + run + record)")
    print(f"  R=1:      {one * 1e3:8.1f} ms per run   {per_one:9.2f} us per replicate-step")
    print(f"  R={args.big:,}: {big:8.2f} s per run    {per_big:9.3f} us per replicate-step")
    print(f"  ratio (per replicate-step, R=1 / R={args.big:,}): {per_one / per_big:,.0f}x")
    stepping = stepping_share(scenario, args.big, max(1, args.repeats // 2))
    print(
        f"  R={args.big:,} breakdown: stepping {stepping:.2f} s "
        f"({stepping / (args.big * MONTHS) * 1e6:.2f} us per replicate-step), "
        f"recording {max(big - stepping, 0):.2f} s"
    )
    print(
        f"  targets: <= 2 us at R=10,000 [{'met' if per_big <= 2 else 'MISSED'}]; "
        f">= 100x [{'met' if per_one / per_big >= 100 else 'MISSED'}]; "
        f"R=1 run <= 50 ms [{'met' if one <= 0.05 else 'MISSED'}]"
    )
    if memory is not None:
        gib, wall = memory
        print(
            f"  durand run R={args.big:,} x {MONTHS} months (parquet): peak RSS {gib:.2f} GiB, "
            f"wall {wall:.1f} s  [target <= 1.5 GiB: {'met' if gib <= 1.5 else 'MISSED'}]"
        )


if __name__ == "__main__":
    main()
