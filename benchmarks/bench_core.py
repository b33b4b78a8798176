"""Core speed and memory: prints figures and ratios measured side by side in one run.

    .venv/bin/python benchmarks/bench_core.py [--repeats 5] [--skip-memory] [--skip-cli]

Targets (issue 2): <= 2 us per replicate-step at R=10,000; >= 100x cheaper per
replicate-step than R=1; one R=1 120-month run <= 50 ms; peak memory of
`durand run` at R=10,000 x 120 months <= 1.5 GiB. Medians over repeats; the machine is
shared, so read the ratios as well as the absolute figures.

End to end, as a user runs it (issue 14: the `durand` script in a fresh process, wall
time, medians, the cases interleaved so they share the machine's load alike):
`durand run` R=10,000 x 120 months <= 4 s with Parquet and <= 10 s with CSV on 2 cores;
R=1 x 120 months <= 0.8 s; `durand --help` <= 0.3 s. CPU seconds (user + system, all
processes of the command) and the load average are printed beside them, and a floor: the
time to import the libraries every run needs, which no change to Durand's own code removes.

Runs go through ``run_scenario``, the path `durand run` takes: at R=10,000 it splits the
replicates over the cores (sim/run/runner.py), so the single-core figure is printed beside it.
Memory is the peak over time of the summed proportional set size (PSS) of `durand run`
and its shard processes, so shared pages count once.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.inputs.scenario import load_scenario  # noqa: E402
from sim.run.runner import default_cores, run_scenario  # noqa: E402

MONTHS = 120
BASELINE = ROOT / "scenarios" / "baseline.yaml"


def time_run(scenario, replicates: int, cores: int | None = None, cached=False) -> float:
    """Seconds to build and run the model to 120 months (recording included).

    Every run starts in January 2023: the baseline first runs the 24 history months. Cold
    (the default), both history caches are off and every run pays for its history; with
    ``cached``, the history prefix comes from the cache, as in any run after the first
    with the same parameters, seed and replicates (sim/model/history_cache.py).
    """
    import os

    from sim.model import model

    if cached:
        os.environ.pop("DURAND_HISTORY_CACHE", None)
    else:
        os.environ["DURAND_HISTORY_CACHE"] = "0"
        model._PREFIXES.clear()
    start = time.perf_counter()
    run_scenario(scenario, replicates=replicates, cores=cores)
    return time.perf_counter() - start


def recording_share(scenario, replicates: int, repeats: int) -> tuple[float, float]:
    """(seconds per one-core run, seconds of it inside Recorder.record), medians: the
    recorder timed where it runs, so the split needs no second run to subtract from."""
    from sim.model.recorder import Recorder

    record = Recorder.record
    spent = [0.0]

    def timed(self, *args):
        start = time.perf_counter()
        record(self, *args)
        spent[0] += time.perf_counter() - start

    Recorder.record = timed
    try:
        totals, inside = [], []
        for _ in range(repeats):
            spent[0] = 0.0
            totals.append(time_run(scenario, replicates, cores=1))
            inside.append(spent[0])
        return statistics.median(totals), statistics.median(inside)
    finally:
        Recorder.record = record


def median_time(
    scenario, replicates: int, repeats: int, cores: int | None = None, cached=False
) -> float:
    time_run(scenario, replicates, cores, cached)  # warm caches and imports
    return statistics.median(time_run(scenario, replicates, cores, cached) for _ in range(repeats))


def _tree_pss_kib(pid: int) -> int:
    """Summed PSS of a process and its descendants (0 for any that have gone)."""
    total = 0
    for proc in _descendants(pid) + [pid]:
        try:
            for line in Path(f"/proc/{proc}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except (OSError, ValueError):
            pass
    return total


def _descendants(pid: int) -> list[int]:
    try:
        kids = [int(k) for k in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except (OSError, ValueError):
        return []
    return kids + [d for k in kids for d in _descendants(k)]


def peak_memory_of_cli(replicates: int) -> tuple[float, float]:
    """Peak memory (GiB, summed PSS of the process tree) and wall time (s) of `durand run`,
    sampled every 20 ms while it runs in a fresh process."""
    with tempfile.TemporaryDirectory() as out:
        cmd = [
            sys.executable,
            "-c",
            "from sim.cli.main import main; main()",
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
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT)
        peak = 0
        while proc.poll() is None:
            peak = max(peak, _tree_pss_kib(proc.pid))
            time.sleep(0.02)
        wall = time.perf_counter() - start
        if proc.returncode != 0:
            raise SystemExit(f"durand run failed with exit code {proc.returncode}")
    return peak / 2**20, wall


DURAND = Path(sys.executable).with_name("durand")
# What any `durand run` pays before the project's own work: Python and the libraries it
# is built on (numpy, Mesa, whose package imports pandas and scipy, numba, pyarrow,
# pydantic, typer), timed the same way to put the R=1 figure in proportion; numba's load
# of the cached kernels comes on top. No target: a floor under the R=1 one.
FLOOR = "import mesa, numba, pyarrow, pydantic, typer, sim.model.kernels"
CLI_CASES = {  # name -> (arguments, target seconds)
    "floor: library imports": (["-c", FLOOR], None),
    "durand --help": (["--help"], 0.3),
    "run R=1 x 120": (["--replicates", "1", "--format", "csv"], 0.8),
    "run R=10,000 x 120 parquet": (["--replicates", "10000", "--format", "parquet"], 4.0),
    "run R=10,000 x 120 csv": (["--replicates", "10000", "--format", "csv"], 10.0),
}


def end_to_end(repeats: int) -> None:
    """The CLI cases, interleaved, ``repeats`` times each after one warm-up round."""
    walls: dict[str, list[float]] = {name: [] for name in CLI_CASES}
    cpus: dict[str, list[float]] = {name: [] for name in CLI_CASES}
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        for round_ in range(repeats + 1):
            for name, (extra, _) in CLI_CASES.items():
                program = [str(DURAND)]
                if extra[0] == "-c":
                    program, cmd = [sys.executable, *extra], []
                elif extra == ["--help"]:
                    cmd = ["--help"]
                else:
                    out = str(Path(tmp) / "out")
                    cmd = ["run", str(BASELINE), "--months", str(MONTHS), "--out", out]
                    cmd += ["--quiet", "--force", *extra]
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                start = time.perf_counter()
                subprocess.run([*program, *cmd], check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
                wall = time.perf_counter() - start
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                if round_:  # the first round warms caches (numba, the page cache)
                    walls[name].append(wall)
                    cpus[name].append(
                        after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
                    )
    load = (load + os.getloadavg()[0]) / 2
    print(
        f"end to end, `durand` in a fresh process, medians of {repeats} interleaved runs "
        f"(load average {load:.1f} on {os.cpu_count()} cores)"
    )
    for name, (_, target) in CLI_CASES.items():
        wall, cpu = statistics.median(walls[name]), statistics.median(cpus[name])
        verdict = "" if target is None else "met" if wall <= target else "MISSED"
        print(
            f"  {name:<28} wall {wall:6.2f} s   CPU {cpu:6.2f} s   "
            + (f"[target <= {target:g} s: {verdict}]" if target is not None else "")
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--big", type=int, default=10_000, help="replicates for the large run")
    ap.add_argument("--skip-memory", action="store_true")
    ap.add_argument("--skip-cli", action="store_true", help="skip the end-to-end CLI figures")
    ap.add_argument("--cli-repeats", type=int, default=3)
    args = ap.parse_args()
    scenario = load_scenario(BASELINE).with_overrides(months=MONTHS)
    memory = None if args.skip_memory else peak_memory_of_cli(args.big)  # before big runs

    one = median_time(scenario, 1, max(args.repeats * 4, 20))
    one_cached = median_time(scenario, 1, max(args.repeats * 4, 20), cached=True)
    big = median_time(scenario, args.big, args.repeats)
    big_one_core = median_time(scenario, args.big, args.repeats, cores=1)
    per_one = one / MONTHS * 1e6
    per_big = big / (args.big * MONTHS) * 1e6
    per_big_one_core = big_one_core / (args.big * MONTHS) * 1e6
    cores = default_cores(args.big)
    print(f"baseline, {MONTHS} months, medians of repeated runs (build + run + record)")
    print(f"  R=1:      {one * 1e3:8.1f} ms per run   {per_one:9.2f} us per replicate-step")
    print(
        f"  R=1:      {one_cached * 1e3:8.1f} ms per run with the 2023-2024 history cached "
        "(any run after the first with the same parameters, seed and replicates)"
    )
    print(
        f"  R={args.big:,}: {big:8.2f} s per run    {per_big:9.3f} us per replicate-step"
        f"  ({cores} cores)"
    )
    print(
        f"  R={args.big:,}: {big_one_core:8.2f} s per run    {per_big_one_core:9.3f} us per "
        f"replicate-step  (1 core; {big_one_core / big:.2f}x the {cores}-core time)"
    )
    print(f"  ratio (per replicate-step, R=1 / R={args.big:,}): {per_one / per_big:,.0f}x")
    total, recording = recording_share(scenario, args.big, max(1, args.repeats // 2))
    print(
        f"  R={args.big:,} breakdown (1 core): recording {recording:.2f} s of {total:.2f} s "
        f"({recording / total:.0%}); stepping and the rest "
        f"{(total - recording) / (args.big * MONTHS) * 1e6:.2f} us per replicate-step"
    )
    print(
        f"  targets: <= 2 us at R=10,000 [{'met' if per_big <= 2 else 'MISSED'}]; "
        f">= 100x [{'met' if per_one / per_big >= 100 else 'MISSED'}]; "
        f"R=1 run <= 50 ms [{'met' if one <= 0.05 else 'MISSED'} cold, "
        f"{'met' if one_cached <= 0.05 else 'MISSED'} with the history cached]"
    )
    if memory is not None:
        gib, wall = memory
        print(
            f"  durand run R={args.big:,} x {MONTHS} months (parquet): peak memory {gib:.2f} GiB, "
            f"wall {wall:.1f} s  [target <= 1.5 GiB: {'met' if gib <= 1.5 else 'MISSED'}]"
        )

    if not args.skip_cli:
        end_to_end(args.cli_repeats)


if __name__ == "__main__":
    main()
