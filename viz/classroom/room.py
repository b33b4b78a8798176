"""The class: its tables (one sim.game.flow.Table each), who holds which seat, the turn
timer, and the command logs that make every acknowledged move survive a crash.

Nothing here knows about HTTP: the server hands it commands already tied to a seat (from
the seat token) or to the teacher (from the teacher token) and pushes the views it
returns. A command is acknowledged only after the flow accepted it and its log line is on
disk; a refused command changes nothing and is not logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import math
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio

from sim.game import rules as R
from sim.game.flow import FlowError
from sim.game.flow import Table as FlowTable
from viz.classroom.store import ClassConfig, ClassStore

SEAT_KINDS = frozenset({"set", "propose", "answer", "break", "undo", "done", "bot"})
TABLE_TEACHER_KINDS = frozenset(
    {"event", "seat", "reveal", "pause", "resume", "end_turn", "step", "autoplay", "end_game"}
)
CLASS_TEACHER_KINDS = frozenset({"start", "timer", "free_seat"})
MAX_REASON = 500


class ClassError(Exception):
    """A request the class refuses: ``code`` for programs, the message for people."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass
class TableState:
    """One table of the class: its flow, its lock and its turn clock."""

    number: int
    flow: FlowTable
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    deadline: float | None = None  # wall-clock end of the open turn (None: no timer running)
    remaining: float | None = None  # seconds left when the clock was stopped (pause)
    turn_seen: int = 0
    changed: Callable[[], None] | None = None

    @property
    def game(self):
        return self.flow.game


def build_flow(config: ClassConfig) -> FlowTable:
    """A fresh table for the class: the lesson's seats are people (all four without a
    lesson); every move is simultaneous."""
    from sim.game.setup import start_game

    scenario = None if config.lesson else Path(config.scenario)
    game, lesson = start_game(
        scenario=scenario,
        lesson=config.lesson,
        turns=config.turns,
        seed=config.seed,
        replicates=config.replicates,
    )
    return FlowTable(game, mode="simultaneous", lesson=lesson, autoplay=False)


class ClassRoom:
    """Every table of a class, the seats' tokens and the teacher's controls."""

    def __init__(self, config: ClassConfig, store: ClassStore, *, resumed: bool):
        self.config = config
        self.store = store
        self.resumed = resumed
        self.seats: dict[str, dict[str, Any]] = store.load_seats()  # token -> {table, role}
        self.tables: dict[int, TableState] = {}
        self.on_change: Callable[[int], None] = lambda table: None
        self.join_url = "/"  # the students' address, as printed (set by the launcher)
        self.lesson = None
        if config.lesson:
            from sim.game.lessons import load_lesson

            self.lesson = load_lesson(config.lesson)
        control = store.load_control()
        self.started: bool = bool(control.get("started", False))
        self.timer_seconds: int | None = control.get("timer_seconds")
        for n in range(1, config.tables + 1):
            self.tables[n] = self._open_table(n)

    # ---------------------------------------------------------------- set-up

    def _open_table(self, n: int) -> TableState:
        fresh = build_flow(self.config)
        log = self.store.read_log(n)
        if log:
            try:
                flow = FlowTable.restore(fresh.config(), log)
            except FlowError as exc:
                from sim.inputs.errors import UsageError

                raise UsageError(
                    f"{self.store.log_path(n)}: the saved moves no longer replay ({exc}); "
                    "start the class in a new {state_dir}",
                    settings={"state_dir": None},
                ) from None
        else:
            flow = fresh
            # A new class waits for the teacher's Start: every table opens paused.
            if not self.started:
                self._submit_now(n, flow, {"seat": "teacher", "kind": "pause"})
            if self.timer_seconds:
                cmd = {"seat": "teacher", "kind": "timer", "seconds": self.timer_seconds}
                self._submit_now(n, flow, cmd)
        state = TableState(n, flow)
        state.turn_seen = flow.game.turn
        if self.timer_seconds and not flow.paused and flow.phase == "moving":
            state.deadline = time.time() + self.timer_seconds
        return state

    def _submit_now(self, n: int, flow: FlowTable, command: dict) -> dict:
        before = len(flow.log)
        out = flow.submit(command)
        for record in flow.log[before:]:
            self.store.append(n, record)
        return out

    # ---------------------------------------------------------------- seats

    def lobby(self) -> dict:
        """Which seats exist, who plays them and which are taken (no tokens)."""
        taken = {(s["table"], s["role"]) for s in self.seats.values()}
        tables = []
        for n, t in self.tables.items():
            seats = []
            for role in R.ROLES:
                seats.append(
                    {
                        "role": role,
                        "name": R.ROLE_NAMES[role],
                        "player": t.game.seats[role],
                        "taken": (n, role) in taken,
                    }
                )
            tables.append({"table": n, "seats": seats, "phase": t.flow.phase})
        return {"tables": tables, "started": self.started, "title": self.title}

    @property
    def title(self) -> str:
        if self.lesson is not None:
            return self.lesson.spec.title
        return next(iter(self.tables.values())).game.scenario.title

    def seat_of(self, token: Any) -> dict[str, Any] | None:
        """The seat a token holds (compared in constant time), or None."""
        if not isinstance(token, str) or not 8 <= len(token) <= 100:
            return None
        found = None
        for known, seat in self.seats.items():
            if hmac.compare_digest(known.encode(), token.encode()):
                found = seat
        return found

    def is_teacher(self, token: Any) -> bool:
        if not isinstance(token, str) or len(token) > 200:
            return False
        return hmac.compare_digest(token.encode(), self.config.teacher_token.encode())

    async def claim(self, table: Any, role: Any, name: str = "") -> tuple[str, dict]:
        """Sit a team at a free seat; returns its token (kept by the browser to rejoin)."""
        n = self._table_number(table)
        if role not in R.ROLES:
            raise ClassError(
                "bad_seat",
                f"choose one of {', '.join(R.ROLES)}; militant groups are never playable",
            )
        if any(s["table"] == n and s["role"] == role for s in self.seats.values()):
            raise ClassError(
                "seat_taken",
                f"{R.ROLE_NAMES[role]} at table {n} is already taken; ask the teacher to free it",
            )
        t = self.tables[n]
        if t.game.seats[role] == "bot" and t.flow.phase != "over":
            await self._submit(
                t, {"seat": "teacher", "kind": "seat", "role": role, "player": "person"}
            )
        token = secrets.token_urlsafe(18)
        seat = {"table": n, "role": role, "name": str(name)[:40], "joined": time.time()}
        self.seats[token] = seat
        self.store.save_seats(self.seats)
        self.on_change(n)
        return token, seat

    def free_seat(self, table: Any, role: Any) -> None:
        n = self._table_number(table)
        gone = [k for k, s in self.seats.items() if s["table"] == n and s["role"] == role]
        if not gone:
            raise ClassError("bad_seat", f"nobody holds {role} at table {n}")
        for k in gone:
            del self.seats[k]
        self.store.save_seats(self.seats)
        self.on_change(n)

    def _table_number(self, table: Any) -> int:
        if isinstance(table, bool) or not isinstance(table, int) or table not in self.tables:
            raise ClassError("bad_table", f"no table {table!r}; tables are 1 to {len(self.tables)}")
        return table

    # ---------------------------------------------------------------- commands

    async def seat_command(self, seat: dict[str, Any], message: dict[str, Any]) -> dict:
        """A move from a seat; the seat comes from its token, never from the message."""
        kind = message.get("kind")
        if kind not in SEAT_KINDS:
            raise ClassError(
                "bad_command", f"unknown move {kind!r}; moves: {', '.join(sorted(SEAT_KINDS))}"
            )
        if "seat" in message and message["seat"] != seat["role"]:
            raise ClassError("not_your_seat", "a team can only move for its own seat")
        if "table" in message and message["table"] != seat["table"]:
            raise ClassError("not_your_seat", "a team can only move at its own table")
        if not self.started:
            raise ClassError("not_started", "the teacher has not started the game yet")
        t = self.tables[seat["table"]]
        command = {
            k: v for k, v in message.items() if k not in ("type", "id", "turn", "table", "seat")
        }
        command["seat"] = seat["role"]
        return await self._submit(t, command, turn=message.get("turn"))

    async def teacher_command(self, message: dict[str, Any]) -> dict:
        """A teacher's command for one table (``table``: a number) or all (``"all"``)."""
        kind = message.get("kind")
        if kind == "start":
            return await self.start()
        if kind == "timer":
            return await self.set_timer(message.get("seconds"))
        if kind == "free_seat":
            self.free_seat(message.get("table"), message.get("role"))
            return {"ok": True}
        if kind not in TABLE_TEACHER_KINDS:
            every = sorted(TABLE_TEACHER_KINDS | CLASS_TEACHER_KINDS)
            raise ClassError(
                "bad_command", f"unknown teacher command {kind!r}; commands: {', '.join(every)}"
            )
        where = message.get("table")
        numbers = list(self.tables) if where == "all" else [self._table_number(where)]
        command = {k: v for k, v in message.items() if k not in ("type", "id", "table", "turn")}
        command["seat"] = "teacher"
        results, errors = [], []
        for n in numbers:
            try:
                results.append(await self._submit(self.tables[n], dict(command)))
            except ClassError as exc:
                if len(numbers) == 1:
                    raise
                errors.append(f"table {n}: {exc}")
        return {"ok": True, "tables": numbers, "skipped": errors}

    async def start(self) -> dict:
        self.started = True
        self.store.save_control(self._control())
        for t in self.tables.values():
            if t.flow.paused:
                await self._submit(t, {"seat": "teacher", "kind": "resume"})
        return {"ok": True}

    async def set_timer(self, seconds: Any) -> dict:
        if seconds is not None and (
            isinstance(seconds, bool)
            or not isinstance(seconds, int | float)
            or not math.isfinite(seconds)
            or not 0 <= seconds <= 3600
        ):
            raise ClassError("bad_command", "the turn timer is a number of seconds, 0 to 3600")
        value = int(seconds) if seconds else None
        self.timer_seconds = value
        self.store.save_control(self._control())
        for t in self.tables.values():
            if t.flow.phase == "over":
                continue
            await self._submit(t, {"seat": "teacher", "kind": "timer", "seconds": value})
            t.deadline = time.time() + value if value and self._clock_runs(t) else None
            t.remaining = None
        return {"ok": True}

    def _control(self) -> dict:
        return {"started": self.started, "timer_seconds": self.timer_seconds}

    async def _submit(self, t: TableState, command: dict, turn: Any = None) -> dict:
        """Apply a command to a table (in a worker thread: bots and the quarter's model run
        take a moment) and make it durable before answering."""
        async with t.lock:
            if turn is not None and turn != t.game.turn:
                raise ClassError(
                    "stale_turn",
                    f"that move was for turn {turn}, but table {t.number} is at turn "
                    f"{t.game.turn}; nothing was changed",
                )

            def apply() -> dict:
                before = len(t.flow.log)
                try:
                    out = t.flow.submit(command)
                except FlowError as exc:
                    raise ClassError(getattr(exc, "code", "rules"), str(exc)) from None
                for record in t.flow.log[before:]:
                    self.store.append(t.number, record)
                return out

            out = await anyio.to_thread.run_sync(apply)
            self._clock_after(t)
        self.on_change(t.number)
        return {"ok": True, "revision": out.get("revision"), "turn": t.game.turn}

    # ---------------------------------------------------------------- clock

    def _clock_runs(self, t: TableState) -> bool:
        return self.started and not t.flow.paused and t.flow.phase == "moving"

    def _clock_after(self, t: TableState) -> None:
        """Keep a table's turn clock in step with its flow after a command."""
        if not self.timer_seconds:
            t.deadline = t.remaining = None
            t.turn_seen = t.game.turn
            return
        if t.game.turn != t.turn_seen:  # a new turn opened: a full clock
            t.turn_seen = t.game.turn
            t.deadline, t.remaining = None, None
        if not self._clock_runs(t):
            if t.deadline is not None:
                t.remaining = max(t.deadline - time.time(), 0.0)
            t.deadline = None
        elif t.deadline is None:
            t.deadline = time.time() + (t.remaining or self.timer_seconds)
            t.remaining = None

    def seconds_left(self, t: TableState) -> float | None:
        if t.deadline is not None:
            return max(t.deadline - time.time(), 0.0)
        return t.remaining

    async def tick(self) -> None:
        """End every turn whose clock ran out (called about twice a second)."""
        now = time.time()
        for t in self.tables.values():
            if t.deadline is not None and now >= t.deadline and self._clock_runs(t):
                t.deadline = None
                with contextlib.suppress(ClassError):  # e.g. it ended by itself meanwhile
                    await self._submit(t, {"seat": "teacher", "kind": "end_turn"})

    # ---------------------------------------------------------------- views

    def seat_view(self, n: int, role: str) -> dict:
        from viz.classroom.views import seat_view

        return seat_view(self, self.tables[n], role)

    def teacher_view(self) -> dict:
        from viz.classroom.views import teacher_view

        return teacher_view(self)

    def projector_view(self, which: int | str) -> dict:
        from viz.classroom.views import projector_view

        return projector_view(self, which)

    # ---------------------------------------------------------------- debriefs

    @property
    def export_folder(self) -> Path:
        return self.store.folder / "debrief"

    async def export(self) -> dict:
        """Write the class debrief (HTML with charts, CSV) into the state folder."""
        from sim.inputs.errors import DurandError
        from viz.classroom.debrief import write_class_debrief

        flows = {}
        for n, t in self.tables.items():
            flows[n] = t.flow
        locks = [t.lock for t in self.tables.values()]
        for lock in locks:
            await lock.acquire()
        try:
            await anyio.to_thread.run_sync(
                lambda: write_class_debrief(
                    flows, self.export_folder, title=self.title, lesson=self.lesson
                )
            )
        except DurandError as exc:
            raise ClassError("export_failed", str(exc)) from None
        finally:
            for lock in locks:
                lock.release()
        return {"ok": True, "index": "index.html", "csv": ["class_scores.csv", "class_levers.csv"]}

    def export_file(self, name: str) -> Path | None:
        """A file of the exported class debrief, never one outside its folder."""
        root = self.export_folder.resolve()
        path = (root / name).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            return None
        return path

    async def table_debrief(self, n: int, name: str) -> Path | None:
        """A finished table's own debrief (written on first request after the game ends)."""
        t = self.tables.get(n)
        if t is None or t.flow.phase != "over" or not t.game.played:
            return None
        if name not in ("index.html", "scores.png", "outcomes.png"):
            return None
        from sim.game.debrief import write_debrief

        folder = self.store.folder / "tables" / f"table-{n}"
        stamp = folder / ".revision"
        async with t.lock:
            if not stamp.exists() or stamp.read_text() != str(len(t.flow.log)):
                await anyio.to_thread.run_sync(
                    lambda: write_debrief(t.game, folder, lesson=self.lesson)
                )
                stamp.write_text(str(len(t.flow.log)))
        return folder / name

    def seat_of_connection(self, who: dict[str, Any]) -> dict[str, Any]:
        """The seat a connection still holds (the teacher may have freed it)."""
        seat = self.seat_of(who.get("token"))
        if seat is None:
            raise ClassError("bad_token", "the teacher freed this seat; join again")
        return seat

    def close(self) -> None:
        self.store.close()
