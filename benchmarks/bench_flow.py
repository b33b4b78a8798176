"""The turn flow's costs at the game's default replicates: prints medians and ratios.

    .venv/bin/python benchmarks/bench_flow.py [--repeats 5] [--turns 8]

What a front end or the classroom server pays per command (sim.game.flow.Table): a move
acknowledged (submit of one lever change), one audience's view (built after every change
for every connected seat), a turn resolved (bots move, the quarter runs), a per-seat undo
(the game replays from its start), and restoring a table from its command log after a
restart (every turn replayed). Medians over repeats; the machine is shared, so read the
ratios as well as the absolute figures.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.game import rules as R  # noqa: E402
from sim.game.engine import Game  # noqa: E402
from sim.game.flow import AUDIENCES, Table  # noqa: E402

BASELINE = ROOT / "scenarios" / "baseline.yaml"
PEOPLE = {r: "person" for r in R.ROLES}


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def played_table(turns: int, played: int) -> Table:
    """A simultaneous table of four people after ``played`` turns of small moves."""
    t = Table(Game(BASELINE, seed=1, turns=turns, replicates=R.REPLICATES, seats=PEOPLE),
              mode="simultaneous")  # fmt: skip
    for turn in range(played):
        t.submit({"seat": "US", "kind": "set", "lever": "joint_ops", "value": 0.5 + turn / 40})
        for role in R.ROLES:
            t.submit({"seat": role, "kind": "done"})
    return t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--turns", type=int, default=8)
    args = ap.parse_args()
    n, turns = args.repeats, args.turns
    late = turns - 1
    t = played_table(turns, late)
    value = iter(0.1 + 0.8 * i / (4 * n) for i in range(4 * n))
    move = [timed(lambda: t.submit({"seat": "US", "kind": "set", "lever": "intel_sharing",
                                    "value": next(value)})) for _ in range(n)]  # fmt: skip
    views = {a: statistics.median(timed(lambda a=a: json.dumps(t.view(a))) for _ in range(n))
             for a in AUDIENCES}  # fmt: skip
    undo = []
    for _ in range(n):
        t.submit({"seat": "PAK", "kind": "set", "lever": "deportation", "value": 0.2})
        undo.append(timed(lambda: t.submit({"seat": "PAK", "kind": "undo"})))
    resolve = []
    for _ in range(n):
        fresh = played_table(turns, 0)
        for role in R.ROLES[:-1]:
            fresh.submit({"seat": role, "kind": "done"})
        resolve.append(timed(lambda f=fresh: f.submit({"seat": "CHN", "kind": "done"})))
    config, log = json.loads(json.dumps(t.config())), json.loads(json.dumps(t.log))
    restore = [timed(lambda: Table.restore(config, log)) for _ in range(max(1, n // 2))]
    m = statistics.median
    print(f"turn flow at {R.REPLICATES} replicates, {turns}-turn game, "
          f"figures after {late} turns played ({len(log)} commands in the log)")  # fmt: skip
    print(f"  move acknowledged (submit set)      {m(move) * 1e3:8.2f} ms")
    for audience, sec in views.items():
        print(f"  view({audience:<9}) + JSON           {sec * 1e3:8.2f} ms")
    print(f"  per-seat undo (replay from start)   {m(undo) * 1e3:8.1f} ms")
    print(f"  turn resolved (bots + quarter)      {m(resolve) * 1e3:8.1f} ms")
    print(f"  restore table from its log          {m(restore) * 1e3:8.1f} ms")
    print(f"  ratio undo / move                   {m(undo) / m(move):8.1f} x")
    print(f"  ratio restore / turn resolved       {m(restore) / m(resolve):8.1f} x")


if __name__ == "__main__":
    main()
