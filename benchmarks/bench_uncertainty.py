"""--uncertainty speed: prints figures and ratios measured side by side in one run.

    .venv/bin/python benchmarks/bench_uncertainty.py [--sets 64] [--repeats 3]

Target (issue 11): `durand compare scenarios/baseline.yaml scenarios/aid_cut.yaml
--uncertainty 64` prints its robustness table in under a minute on 2 cores. Measured: the
whole command (a subprocess, imports included), and in-process the parameter sets alone,
per set and against one plain paired comparison. Medians over repeats; the machine is
shared, so read the ratios as well as the absolute figures.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.analysis.compare import compare  # noqa: E402
from sim.cli.uncertainty import default_effects, robustness  # noqa: E402

PAIR = [ROOT / "scenarios" / "baseline.yaml", ROOT / "scenarios" / "aid_cut.yaml"]
DURAND = ROOT / ".venv" / "bin" / "durand"


def command_seconds(sets: int) -> float:
    cmd = [str(DURAND)] if DURAND.exists() else [sys.executable, "-m", "sim.cli"]
    start = time.perf_counter()
    subprocess.run(
        [*cmd, "compare", *map(str, PAIR), "--uncertainty", str(sets)],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sets", type=int, default=64)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()

    plain, sets_only = [], []
    for _ in range(args.repeats):
        start = time.perf_counter()
        cmp = compare(PAIR)
        plain.append(time.perf_counter() - start)
        start = time.perf_counter()
        robustness(
            cmp.scenarios,
            cmp.names,
            cmp.metrics,
            default_effects(cmp.rows()),
            sets=args.sets,
        )
        sets_only.append(time.perf_counter() - start)
    whole = [command_seconds(args.sets) for _ in range(args.repeats)]
    p, s, w = (statistics.median(x) for x in (plain, sets_only, whole))
    print(f"plain paired comparison (200 replicates, 2 scenarios): {p:6.2f} s")
    print(f"{args.sets} parameter sets (40 replicates each, 2 scenarios): {s:6.2f} s")
    per = 1000 * s / args.sets
    print(f"  per set: {per:6.1f} ms; ratio to one plain comparison: {s / p:5.1f}x")
    print(f"whole command `durand compare ... --uncertainty {args.sets}`: {w:6.2f} s")
    print(f"target: under 60 s -> {'met' if w < 60 else 'NOT met'} ({w / 60:.0%} of the budget)")


if __name__ == "__main__":
    main()
