"""The classroom under a full class: 8 tables x 4 seats of WebSocket clients, plus a
teacher and a projector, on loopback, all ending each turn together.

    .venv/bin/python benchmarks/bench_classroom.py [--tables 8] [--turns 3] [--moves 3]
                                                   [--replicates 50]

Targets (issue 12): a move acknowledged within 150 ms (p95); a turn resolved and pushed to
all 32 seats within 2 s (p95) at the game's default replicates (50); the server's memory
at most 1.5 GiB. A real `durand classroom` server runs in a subprocess; every move is
fsync'd to its table's log before it is acknowledged, as in class.

- move ack: round trip of a lever move, from send to its ack, every seat moving at once;
- turn pushed: from the moment every seat has sent "done" (they are released together)
  until each seat receives the view of the next turn (bots, the quarter's model runs for
  the game and the status quo, the lesson cues and every view push included);
- memory: the server's peak resident set (VmHWM) at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from websockets.asyncio.client import connect  # noqa: E402

from tests.classroom_harness import Server  # noqa: E402

ROLES = ("US", "PAK", "AFG", "CHN")
LEVER = {"US": "joint_ops", "PAK": "joint_ops", "AFG": "action_vs_iskp", "CHN": "ct_salience"}


class Seat:
    def __init__(self, port: int, hello: dict):
        self.port, self.hello = port, hello
        self.pending: dict[int, asyncio.Future] = {}
        self.turn_seen = asyncio.Event()
        self.turn = 0
        self.next_id = 0
        self.views = 0

    async def open(self) -> None:
        self.ws = await connect(f"ws://127.0.0.1:{self.port}/ws", max_size=None)
        await self.ws.send(json.dumps(self.hello))
        self.reader = asyncio.create_task(self.read())

    async def read(self) -> None:
        async for text in self.ws:
            msg = json.loads(text)
            if msg["type"] == "view":
                self.views += 1
                view = msg["view"]
                turn = view.get("turn") or (view.get("tables") or [{}])[0].get("turn", 0)
                if turn != self.turn:
                    self.turn = turn
                    self.turn_seen.set()
            elif msg["type"] in ("ack", "error") and msg.get("id") in self.pending:
                self.pending.pop(msg["id"]).set_result(msg)

    async def request(self, msg: dict) -> dict:
        self.next_id += 1
        fut = asyncio.get_running_loop().create_future()
        self.pending[self.next_id] = fut
        await self.ws.send(json.dumps({**msg, "id": self.next_id}))
        return await fut

    async def wait_turn(self, turn: int) -> float:
        while self.turn < turn:
            self.turn_seen.clear()
            await self.turn_seen.wait()
        return time.perf_counter()


def rss_peak_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def p95(xs: list[float]) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(0.95 * (len(xs) - 1))))]


async def run(args, server: Server) -> dict:
    port = server.port
    seats = [Seat(port, {"type": "join", "table": t, "role": r})
             for t in range(1, args.tables + 1) for r in ROLES]  # fmt: skip
    teacher = Seat(port, {"type": "hello", "as": "teacher", "token": server.teacher_token})
    projector = Seat(port, {"type": "hello", "as": "projector", "table": "all"})
    for s in [*seats, teacher, projector]:
        await s.open()
    await asyncio.sleep(1.0)
    ack = await teacher.request({"type": "teacher", "kind": "start"})
    assert ack["type"] == "ack", ack
    acks, pushes = [], []
    for turn in range(1, args.turns + 1):
        for s in seats:
            await s.wait_turn(turn)

        async def moves(s: Seat, role: str, turn: int = turn) -> None:
            for k in range(args.moves):
                t0 = time.perf_counter()
                reply = await s.request({"type": "move", "kind": "set", "lever": LEVER[role],
                                         "value": 0.5 + 0.1 * k, "turn": turn})  # fmt: skip
                assert reply["type"] == "ack", reply
                acks.append(time.perf_counter() - t0)

        await asyncio.gather(*(moves(s, ROLES[i % 4]) for i, s in enumerate(seats)))
        t0 = time.perf_counter()  # every seat ends the turn together
        await asyncio.gather(*(s.request({"type": "move", "kind": "done", "turn": turn})
                               for s in seats))  # fmt: skip
        arrivals = await asyncio.gather(*(s.wait_turn(turn + 1) for s in seats))
        pushes += [a - t0 for a in arrivals]
    return {
        "acks": acks,
        "pushes": pushes,
        "teacher_views": teacher.views,
        "projector_views": projector.views,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tables", type=int, default=8)
    ap.add_argument("--turns", type=int, default=3)
    ap.add_argument("--moves", type=int, default=3, help="lever moves per seat per turn")
    ap.add_argument("--replicates", type=int, default=50)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-classroom-"))
    scenario = ROOT / "scenarios" / "baseline.yaml"
    server = Server(tmp / "class", "--replicates", str(args.replicates),
                    "--turns", str(args.turns + 1), tables=args.tables)  # fmt: skip
    server.args[server.args.index("--lesson") : server.args.index("--lesson") + 2] = [str(scenario)]
    server.start()
    try:
        out = asyncio.run(run(args, server))
        memory = rss_peak_mib(server.proc.pid)
    finally:
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    acks, pushes = out["acks"], out["pushes"]
    seats = args.tables * 4
    print(f"classroom: {args.tables} tables x 4 seats ({seats} WebSocket seats) + teacher + "
          f"projector, {args.turns} turns, {args.moves} moves per seat per turn, "
          f"{args.replicates} replicates")  # fmt: skip
    print(
        f"  move ack          median {1000 * statistics.median(acks):7.1f} ms   "
        f"p95 {1000 * p95(acks):7.1f} ms   (target <= 150 ms: {150 / (1000 * p95(acks)):.2f}x)"
    )
    print(
        f"  turn pushed to {seats} median {statistics.median(pushes):6.2f} s    "
        f"p95 {p95(pushes):6.2f} s    (target <= 2 s: {2 / p95(pushes):.2f}x)"
    )
    print(
        f"  server memory     peak {memory:7.0f} MiB          (target <= 1536 MiB: "
        f"{1536 / memory:.2f}x)"
    )
    print(f"  views pushed: teacher {out['teacher_views']}, projector {out['projector_views']}")


if __name__ == "__main__":
    main()
