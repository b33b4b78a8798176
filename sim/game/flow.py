"""The one turn flow: a table of four seats playing a Game, driven by commands.

Front ends (the text game, the game window, the browser classroom) never run turns
themselves: they send commands stamped with the seat that sent them and draw the view of
one audience. The table decides whose move it is, lets bots move, resolves the turn when
every seat is done (or the teacher forces it), opens the next turn with the lesson's
cues, autosaves, and hides every seat's private moves and reasons from the others until
the teacher reveals them.

Commands are JSON objects with ``seat`` (a role, or ``teacher``) and ``kind``:
a role sends ``set`` (lever, value), ``propose`` (offer), ``answer`` (offer_id, accept),
``break`` (offer_id) — each with an optional ``reason`` — and ``undo`` (its own moves of
this turn), ``done``, ``bot``; the teacher sends ``event`` (event), ``seat`` (role,
player), ``reveal``, ``pause``, ``resume``, ``end_turn`` (force), ``step``, ``autoplay``,
``timer`` (seconds) and ``end_game``. A refused command raises FlowError with a ``code``
(bad_command, not_your_seat, not_your_turn, already_done, paused, game_over, not_waiting,
nothing_to_undo, undo_blocked, rules) and changes nothing. ``view(audience)`` is plain
JSON for a role, ``teacher`` or ``projector``.

Every accepted command is kept in ``Table.log``; ``Table.restore(config, log)`` replays
them into the same table (bots and cues are deterministic), so a server that stores the
log move by move loses nothing when it is killed. Nothing here prints.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sim.game import rules as R
from sim.game.engine import Entry, Game, GameError

TEACHER = "teacher"
PROJECTOR = "projector"
AUDIENCES = (*R.ROLES, TEACHER, PROJECTOR)
MODES = ("ordered", "simultaneous")
MAX_REASON = 500
MOVES = ("set", "propose", "answer", "break")  # engine commands a seat makes

# The figures every audience sees each quarter (the public news of the model).
PUBLIC_METRICS = (
    ("attacks.PAK", "attacks in Pakistan", "{:.0f}"),
    ("attacks.AFG", "attacks in Afghanistan", "{:.0f}"),
    ("attacks.china_interests", "attacks on Chinese interests", "{:.0f}"),
    ("fatalities.PAK", "deaths in Pakistan", "{:.0f}"),
    ("harm.drone_civilians", "civilians harmed by US drone strikes", "{:.0f}"),
    ("harm.displaced", "people deported or displaced (thousands)", "{:.0f}"),
    ("strength.TTP", "TTP strength", "{:.2f}"),
    ("strength.ISKP", "ISKP strength", "{:.2f}"),
    ("strength.BLA", "BLA strength", "{:.2f}"),
    ("joint_ops", "joint US-Pakistan operations", "{:.0f}"),
    ("tension.PAK-AFG", "Pakistan-Taliban tension", "{:.2f}"),
    ("trust.PAK-US", "Pakistan's trust in the US", "{:.2f}"),
    ("economy.PAK", "Pakistan's economy", "{:.3f}"),
    ("stability.AFG", "Taliban regime stability", "{:.3f}"),
)


class FlowError(GameError):
    """A command the table refuses; ``code`` says why (see docs/game.md). Nothing changed."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


# ------------------------------------------------------------------ command shapes

_REASON = ("reason", str, False)
_ROLE_COMMANDS: dict[str, tuple] = {
    "set": (("lever", str, True), ("value", float, True), _REASON),
    "propose": (("offer", str, True), _REASON),
    "answer": (("offer_id", int, True), ("accept", bool, True), _REASON),
    "break": (("offer_id", int, True), _REASON),
    "undo": (),
    "done": (),
    "bot": (),
}
_TEACHER_COMMANDS: dict[str, tuple] = {
    "event": (("event", str, True), _REASON),
    "seat": (("role", str, True), ("player", str, True)),
    "reveal": (),
    "pause": (),
    "resume": (),
    "end_turn": (),
    "step": (),
    "autoplay": (),
    "timer": (("seconds", "seconds", True),),
    "end_game": (_REASON,),
}


def _typed(value: Any, kind) -> bool:
    if kind is bool:
        return isinstance(value, bool)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind is float:
        return (
            isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
        )
    if kind == "seconds":
        return value is None or (
            isinstance(value, int) and not isinstance(value, bool) and 0 < value <= 24 * 3600
        )
    return isinstance(value, kind)


def check_command(command: Any) -> dict[str, Any]:
    """The command, normalised; FlowError (bad_command / not_your_seat) if malformed."""
    if not isinstance(command, dict):
        raise FlowError("bad_command", "a command must be a JSON object")
    seat, kind = command.get("seat"), command.get("kind")
    if not isinstance(seat, str) or not isinstance(kind, str):
        raise FlowError("bad_command", "a command needs a 'seat' and a 'kind' (text)")
    if seat not in (*R.ROLES, TEACHER, PROJECTOR):
        raise FlowError(
            "not_your_seat",
            f"unknown seat {seat!r}; expected one of {', '.join(R.ROLES)} or {TEACHER}",
        )
    if seat == PROJECTOR:
        raise FlowError("not_your_seat", "the projector shows the game; it sends no commands")
    table = _TEACHER_COMMANDS if seat == TEACHER else _ROLE_COMMANDS
    if kind not in table:
        other = _ROLE_COMMANDS if seat == TEACHER else _TEACHER_COMMANDS
        if kind in other:
            who = "a team's seat" if seat == TEACHER else "the teacher"
            raise FlowError("not_your_seat", f"{kind!r} is a command for {who}, not {seat}")
        raise FlowError(
            "bad_command", f"unknown command {kind!r}; expected one of {', '.join(table)}"
        )
    fields = table[kind]
    allowed = {"seat", "kind"} | {name for name, _, _ in fields}
    if seat != TEACHER:
        role = command.get("role", seat)
        if role != seat:
            raise FlowError("not_your_seat", f"the {seat} seat cannot act for {role!r}")
        allowed.add("role")
    extra = sorted(set(command) - allowed)
    if extra:
        raise FlowError("bad_command", f"a {kind} command has no field {extra[0]!r}")
    out: dict[str, Any] = {"seat": seat, "kind": kind}
    for name, typ, required in fields:
        if name not in command:
            if required:
                raise FlowError("bad_command", f"a {kind} command needs {name!r}")
            continue
        value = command[name]
        if not _typed(value, typ):
            raise FlowError("bad_command", f"{kind}: {name!r} has the wrong type: {value!r}")
        if name == "reason" and len(value) > MAX_REASON:
            raise FlowError("bad_command", f"a reason is at most {MAX_REASON} characters")
        out[name] = float(value) if typ is float else value
    return out


# ------------------------------------------------------------------ the table


class Table:
    """One game at one table: seats, the order of moves, bots, reveal, undo, autosave."""

    def __init__(
        self,
        game: Game,
        *,
        mode: str | None = None,
        lesson=None,
        autoplay: bool = False,
        save_path: str | Path | None = None,
        until_turn: int | None = None,
        position: dict[str, Any] | None = None,
        listeners: list[Callable[[str, dict], None]] | None = None,
        start: bool = True,
    ):
        if mode is not None and mode not in MODES:
            raise GameError(f"a table's mode is {' or '.join(MODES)}, not {mode!r}")
        self.game = game
        # A front end may ask for a mode (hot-seat is ordered); otherwise a saved game keeps
        # the one it was saved in, and a new one is ordered.
        self.mode = mode or (position or {}).get("mode") or "ordered"
        self.lesson = lesson
        self.autoplay = autoplay
        self._base_autoplay = autoplay
        self.save_path = Path(save_path) if save_path is not None else None
        self.until_turn = until_turn
        self.log: list[dict[str, Any]] = []
        self.listeners: list[Callable[[str, dict], None]] = list(listeners or [])
        self.warning = ""
        self.paused = False
        self.timer_seconds: int | None = None
        self.done: set[str] = set()
        self.revealed_at: int | None = None  # engine commands [0, N) are revealed
        self.reveal: dict[str, Any] | None = None  # levers and scores at the reveal
        self._step = False  # this turn may be played without people (teacher's step)
        self._base = {"commands": [dict(c) for c in game.commands], "position": position}
        if position is not None:
            self._resume(position)
        else:
            self._infer_position()
        self._sync_game_flags()
        self.started = False
        if start:
            self.start()

    def start(self) -> None:
        """Open the turn and let bots play until a person must act (once; the constructor
        does it unless ``start=False``, for a front end that must hold ``table`` first)."""
        if not self.started:
            self.started = True
            self._open_turn()
            self._settle()

    # -------------------------------------------------------------- position

    def _resume(self, position: dict[str, Any]) -> None:
        self.done = {r for r in position.get("done", []) if r in R.ROLES}
        self.revealed_at = position.get("revealed_at")
        self.reveal = position.get("reveal")
        self.autoplay = bool(position.get("autoplay", self.autoplay))
        self.timer_seconds = position.get("timer_seconds")

    def _infer_position(self) -> None:
        """An old save without a position: in order, every seat up to the last seat that
        moved this turn is done (they moved, or held their course)."""
        g = self.game
        moved = [e.role for e in g.log if e.turn == g.turn and e.kind in ("set", "propose",
                 "accept", "refuse", "break") and e.by != "rules"]  # fmt: skip
        if moved and self.mode == "ordered":
            last = max(R.ROLES.index(r) for r in moved)
            self.done = set(R.ROLES[: last + 1])

    def position(self) -> dict[str, Any]:
        """Where in the turn the game is (stored in saves)."""
        return {
            "mode": self.mode,
            "done": [r for r in R.ROLES if r in self.done],
            "revealed_at": self.revealed_at,
            "reveal": self.reveal,
            "autoplay": self.autoplay,
            "timer_seconds": self.timer_seconds,
        }

    def config(self) -> dict[str, Any]:
        """JSON that, with ``log``, rebuilds this table exactly (Table.restore)."""
        from sim.game.doctrine import DOCTRINES

        g = self.game
        return {
            "scenario": str(Path(g.scenario.path).resolve()),
            "seed": g.seed,
            "turns": g.turns,
            "replicates": g.replicates,
            "seats": dict(g.initial_seats),
            "doctrines": {
                r: None if Path(d.path).parent == DOCTRINES else str(Path(d.path).resolve())
                for r, d in g.doctrines.items()
            },
            "lesson": str(self.lesson.folder) if self.lesson is not None else None,
            "lesson_name": getattr(g, "lesson", None),
            "mode": self.mode,
            "autoplay": self._base_autoplay,
            "until_turn": self.until_turn,
            "commands": self._base["commands"],
            "position": self._base["position"],
        }

    @classmethod
    def restore(cls, config: dict[str, Any], log: list[dict[str, Any]], **kw) -> Table:
        """Rebuild a table from its config and command log (e.g. after a server restart)."""
        from sim.game.doctrine import load_doctrine
        from sim.game.lessons import load_lesson

        doctrines = {r: load_doctrine(Path(p)) for r, p in config["doctrines"].items() if p}
        game = Game(
            config["scenario"],
            seed=config["seed"],
            turns=config["turns"],
            replicates=config["replicates"],
            seats=config["seats"],
            doctrines=doctrines,
        )
        game.lesson = config.get("lesson_name")
        for command in config.get("commands", []):
            game.do(command)
        lesson = load_lesson(config["lesson"]) if config.get("lesson") else None
        kw.pop("start", None)
        table = cls(
            game,
            mode=config["mode"],
            lesson=lesson,
            autoplay=bool(config.get("autoplay")),
            until_turn=config.get("until_turn"),
            position=config.get("position"),
            start=False,
            **kw,
        )
        # Replayed quietly: no notices, no autosaves, until the table is where it was.
        listeners, table.listeners = table.listeners, []
        save_path, table.save_path = table.save_path, None
        table.start()
        for command in log:
            table.submit(command)
        table.listeners, table.save_path = listeners, save_path
        return table

    # -------------------------------------------------------------- state

    @property
    def revision(self) -> int:
        return self.game.revision

    @property
    def phase(self) -> str:
        g = self.game
        if g.finished:
            return "over"
        if self.until_turn is not None and g.turn > self.until_turn:
            return "stopped"
        if self._waiting():
            return "waiting"
        return "moving"

    def people(self) -> list[str]:
        return [r for r in R.ROLES if self.game.seats[r] == "person"]

    def _waiting(self) -> bool:
        """No person at the table, nobody has moved yet, and the teacher steps turns."""
        return not (self.people() or self.autoplay or self._step or self.done)

    @property
    def to_move(self) -> str | None:
        """Ordered mode: the seat whose move it is (None in simultaneous mode)."""
        if self.mode != "ordered" or self.phase != "moving":
            return None
        return next((r for r in R.ROLES if r not in self.done), None)

    def can_act(self, role: str) -> bool:
        return self._refusal(role) is None

    def _refusal(self, role: str) -> FlowError | None:
        phase = self.phase
        if phase in ("over", "stopped"):
            what = "the game is over" if phase == "over" else "this session's turns are played"
            return FlowError("game_over", f"{what}; load it with more turns to play on")
        if self.paused:
            return FlowError("paused", "the teacher has paused the game")
        if phase == "waiting":
            return FlowError("not_your_turn", "the teacher steps the game (no person seated)")
        if self.game.seats[role] != "person":
            return FlowError("not_your_turn", f"a bot plays {role} now")
        if role in self.done:
            return FlowError("already_done", f"{role} has finished its move for this turn")
        if self.mode == "ordered" and self.to_move != role:
            return FlowError("not_your_turn", f"it is {self.to_move}'s move, not {role}'s")
        return None

    def moves_this_turn(self, role: str) -> list[int]:
        """Indices of the engine commands that are ``role``'s moves in the current turn."""
        cmds = self.game.commands
        ends = [i for i, c in enumerate(cmds) if c["kind"] == "end_turn"]
        first = ends[-1] + 1 if ends else 0
        return [
            i
            for i in range(first, len(cmds))
            if cmds[i]["kind"] in MOVES and cmds[i].get("role") == role
        ]

    # -------------------------------------------------------------- commands

    def submit(self, command: Any) -> dict[str, Any]:
        """Apply one command (FlowError, and no change, if refused); then let the turn run
        on: bots move, the turn resolves when every seat is done, the next one opens."""
        cmd = check_command(command)
        self.start()
        seat, kind = cmd["seat"], cmd["kind"]
        start = len(self.game.log)
        if seat == TEACHER:
            self._teacher(cmd)
        else:
            self._seat(seat, cmd)
        self.log.append(cmd)
        audience = seat
        entries = [
            self.entry_dict(i, e, audience)
            for i, e in enumerate(self.game.log[start:], start)
            if self.visible(e, audience)
        ]
        self._sync_game_flags()
        self._notify("changed", {"command": kind})
        self._settle()
        return {"ok": True, "revision": self.revision, "entries": entries}

    def _engine(self, fn, *args, **kw) -> None:
        try:
            fn(*args, **kw)
        except FlowError:
            raise
        except GameError as exc:
            raise FlowError("rules", str(exc)) from None

    def _seat(self, role: str, cmd: dict[str, Any]) -> None:
        kind, g = cmd["kind"], self.game
        why = cmd.get("reason", "")
        if kind == "bot":  # a person hands the seat over; allowed whenever the game runs
            if self.phase in ("over", "stopped"):
                raise self._refusal(role)
            if g.seats[role] != "person":
                raise FlowError("not_your_turn", f"a bot already plays {role}")
            g.set_seat(role, "bot")
            return
        refusal = self._refusal(role)
        if refusal is not None:
            raise refusal
        if kind == "done":
            self.done.add(role)
        elif kind == "undo":
            self._undo(role)
        elif kind == "set":
            self._engine(g.set_lever, role, cmd["lever"], cmd["value"], why)
        elif kind == "propose":
            self._engine(g.propose, role, cmd["offer"], why)
        elif kind == "answer":
            self._engine(g.answer, role, cmd["offer_id"], cmd["accept"], why)
        elif kind == "break":
            self._engine(g.break_deal, role, cmd["offer_id"], why)

    def _undo(self, role: str) -> None:
        """Take back this seat's moves of the current turn, and nobody else's."""
        g = self.game
        mine = set(self.moves_this_turn(role))
        if not mine:
            raise FlowError("nothing_to_undo", f"{role} has no move to take back this turn")
        before = list(g.commands)
        blocker = self._undo_blocker(role, mine)
        if blocker:
            raise FlowError(
                "undo_blocked",
                f"{blocker} has already acted on {role}'s offers or deals this turn; "
                "nothing was taken back",
            )
        keep = [c for i, c in enumerate(before) if i not in mine]
        try:
            g.rebuild(keep)
        except GameError as exc:
            g.rebuild(before)
            raise FlowError(
                "undo_blocked",
                f"another seat has already acted on {role}'s moves this turn ({exc}); "
                "nothing was taken back",
            ) from None
        if self.revealed_at is not None:
            self.revealed_at -= sum(1 for i in mine if i < self.revealed_at)

    def _undo_blocker(self, role: str, mine: set[int]) -> str | None:
        """The seat whose later move refers to an offer this undo would take away (or
        renumber), if any: such an undo would change another seat's moves."""
        g = self.game
        touched = {g.commands[i]["offer_id"] for i in mine if "offer_id" in g.commands[i]}
        proposed = [e.detail["offer_id"] for e in g.log if e.kind == "propose" and e.seq in mine]
        for i in range(min(mine), len(g.commands)):
            c = g.commands[i]
            if i in mine or "offer_id" not in c:
                continue
            if c["offer_id"] in touched or any(c["offer_id"] >= p for p in proposed):
                return c.get("role", "another seat")
        return None

    def _teacher(self, cmd: dict[str, Any]) -> None:
        kind, g = cmd["kind"], self.game
        phase = self.phase
        if phase in ("over", "stopped") and kind not in ("seat", "reveal"):
            raise self._refusal(R.ROLES[0])
        if kind == "event":
            self._engine(g.inject, cmd["event"], cmd.get("reason", ""))
        elif kind == "seat":
            if cmd["role"] not in R.ROLES:
                raise FlowError(
                    "bad_command",
                    f"unknown role {cmd['role']!r}; expected one of {', '.join(R.ROLES)} "
                    "(the militant groups are not playable)",
                )
            if cmd["player"] not in ("bot", "person"):
                raise FlowError(
                    "bad_command", f"a seat is 'bot' or 'person', not {cmd['player']!r}"
                )
            self._engine(g.set_seat, cmd["role"], cmd["player"])
        elif kind == "reveal":
            self.revealed_at = len(g.commands)
            self.reveal = {
                "turn": g.turn,
                "levers": {r: g.levers_of(r) for r in R.ROLES},
                "scores": dict(g.last_scores()),
            }
        elif kind == "pause":
            self.paused = True
        elif kind == "resume":
            self.paused = False
        elif kind == "end_turn":
            if self.paused:
                raise FlowError("paused", "resume the game before ending the turn")
            if phase == "waiting":
                self._step = True
            self._resolve(forced=True)
            return
        elif kind in ("step", "autoplay"):
            if phase != "waiting":
                raise FlowError("not_waiting", "the turn is played by people; nothing to step")
            if kind == "step":
                self._step = True
            else:
                self.autoplay = True
        elif kind == "timer":
            self.timer_seconds = cmd["seconds"]
        elif kind == "end_game":
            self._engine(g.end_game, cmd.get("reason") or "the teacher ended the game")
            self.autosave()
            self._notify("game_over", {})

    # -------------------------------------------------------------- running the turn

    def _settle(self) -> None:
        """Let bots move and turns resolve until a person must act (or the game waits)."""
        g = self.game
        while True:
            if self.people():
                self._step = True  # a turn begun with people finishes if they all leave
            if self.phase != "moving" or self.paused:
                return
            if self.mode == "ordered":
                role = self.to_move
                if role is None:
                    self._resolve()
                    continue
                if g.seats[role] == "bot":
                    self._bot(role)
                    continue
                return
            if all(r in self.done for r in self.people()):
                self._resolve()
                continue
            return

    def _bot(self, role: str) -> None:
        start = len(self.game.log)
        self.game.play_bot(role)
        self.done.add(role)
        self._notify(
            "bot_moved", {"role": role, "first": start, "moves": len(self.game.log) - start}
        )

    def _resolve(self, forced: bool = False) -> None:
        """Every seat is done (or the teacher says so): bots left move, the quarter runs."""
        g = self.game
        for role in R.ROLES:
            if role not in self.done and g.seats[role] == "bot":
                self._bot(role)
        self.done = set(R.ROLES)
        turn = g.turn
        g.end_turn()
        self.done = set()
        self._step = False
        self._sync_game_flags()
        self.autosave()
        self._notify("turn_resolved", {"turn": turn, "forced": forced})
        self._open_turn()

    def _open_turn(self) -> None:
        from sim.game.lessons import play_due_cues

        if self.phase in ("over",):
            self._notify("game_over", {})
            return
        if self.phase == "stopped":
            return
        self._notify("turn_opened", {"turn": self.game.turn})
        start = len(self.game.log)
        if play_due_cues(self.game, self.lesson):
            self._notify("cues", {"first": start})

    def _sync_game_flags(self) -> None:
        """Keep the engine's paused/revealed flags for older readers (debrief, tests)."""
        self.game.paused = self.paused
        self.game.revealed = self.revealed_at is not None

    def _notify(self, kind: str, data: dict) -> None:
        for fn in list(self.listeners):
            fn(kind, data)

    # -------------------------------------------------------------- saving

    def save(self, path: str | Path | None = None) -> Path:
        from sim.game.save import save_game

        path = Path(path) if path is not None else self.save_path
        if path is None:
            raise GameError(
                "save where? no save file was given ({save_path:save})",
                settings={"save_path": "FILE"},
            )
        return save_game(self.game, path, position=self.position())

    def autosave(self) -> bool:
        """Save after a turn; a failure is a warning (``warning``) and play goes on."""
        if self.save_path is None:
            return False
        from sim.inputs.errors import DurandError

        try:
            self.save(self.save_path)
        except DurandError as exc:
            self.warning = f"Warning: {exc}. The game goes on."
            self._notify("autosave_failed", {"message": self.warning})
            return False
        self.warning = ""
        return True

    @classmethod
    def load(cls, path: str | Path, **kw) -> Table:
        """A saved game, resumed exactly where it was saved (the seats already done)."""
        from sim.game.save import load_game

        game = load_game(path)
        position = getattr(game, "saved_position", None)
        return cls(game, position=position, **kw)

    # -------------------------------------------------------------- what each audience sees

    def open_table(self) -> bool:
        """Nothing is hidden any more: the game is over, or no person has ever sat at the
        table (a game of bots). Seats handed to bots later keep their people's secrets."""
        g = self.game
        if g.finished:
            return True
        people_sat = any(s == "person" for s in g.initial_seats.values()) or any(
            c["kind"] == "seat" and c["seat"] == "person" for c in g.commands
        )
        return not people_sat

    def visible(self, e: Entry, audience: str) -> bool:
        if audience == TEACHER or e.public or e.role == audience or self.open_table():
            return True
        return self.revealed_at is not None and 0 <= e.seq < self.revealed_at

    def reason_visible(self, e: Entry, audience: str) -> bool:
        if audience == TEACHER or e.role in (audience, TEACHER) or self.open_table():
            return True
        return self.revealed_at is not None and 0 <= e.seq < self.revealed_at

    def entry_dict(self, index: int, e: Entry, audience: str) -> dict[str, Any]:
        out = entry_json(e, index)
        out["reason"] = e.reason if self.reason_visible(e, audience) else ""
        out["mine"] = e.role == audience
        return out

    def news(self, audience: str, since: int = 0) -> list[dict[str, Any]]:
        """The log entries (from index ``since``) this audience may see."""
        _check_audience(audience)
        return [
            self.entry_dict(i, e, audience)
            for i, e in enumerate(self.game.log[since:], since)
            if self.visible(e, audience)
        ]

    def offer_dict(self, o) -> dict[str, Any]:
        return {
            "id": o.id,
            "kind": o.kind,
            "title": o.spec.title,
            "proposer": o.proposer,
            "recipient": o.recipient,
            "turn": o.turn,
            "status": o.status,
            "terms": [str(t) for t in o.spec.terms],
        }

    def view(self, audience: str) -> dict[str, Any]:
        """Everything ``audience`` may see, as plain JSON (no state changes)."""
        _check_audience(audience)
        g = self.game
        everything = audience == TEACHER or self.open_table()
        keys = [k for k, _, _ in PUBLIC_METRICS]
        view: dict[str, Any] = {
            "audience": audience,
            "revision": self.revision,
            "scenario": g.scenario.title,
            "seed": g.seed,
            "replicates": g.replicates,
            "lesson": getattr(g, "lesson", None),
            "turn": g.turn,
            "turns": g.turns,
            "quarter": g.quarter(),
            "played": g.played,
            "mode": self.mode,
            "phase": self.phase,
            "paused": self.paused,
            "timer_seconds": self.timer_seconds,
            "order": list(R.ROLES),
            "to_move": self.to_move,
            "seats": {r: {"player": g.seats[r], "done": r in self.done} for r in R.ROLES},
            "can_act": audience in R.ROLES and self.can_act(audience),
            "news": self.news(audience),
            "outlook": {k: g.outlook[k] for k in keys},
            "results": [
                {
                    "turn": r.turn,
                    "quarter": g.quarter(r.turn),
                    "observed": {k: r.observed[k] for k in keys},
                    "status_quo": {k: r.status_quo[k] for k in keys},
                }
                for r in g.results
            ],
            "offers": [self.offer_dict(o) for o in g.offers],
            "revealed": self.reveal if (self.reveal is not None and audience != TEACHER) else None,
            "final": None,
        }
        roles = list(R.ROLES) if everything else ([audience] if audience in R.ROLES else [])
        view["scores"] = {r: [t.scores[r] for t in g.results] for r in roles}
        if everything:
            view["all_levers"] = {r: g.levers_of(r) for r in R.ROLES}
        if audience == TEACHER:
            view["warning"] = self.warning
            view["reveal"] = self.reveal
        if g.finished:
            final = g.final_scores()
            view["final"] = {r: round(final[r], 1) for r in R.ROLES}
            view["verdicts"] = {r: R.verdict(final[r]) for r in R.ROLES}
        if audience in R.ROLES:
            from sim.game.guide import guide

            view["you"] = self._seat_view(audience)
            view["guide"] = guide(g, audience)
        return view

    def _seat_view(self, role: str) -> dict[str, Any]:
        g = self.game
        goal = R.GOALS[role]
        locks = {t.lever: f"{o.kind}: {t}" for t, o in g.commitments(role)}
        levers = {}
        for name, value in g.levers_of(role).items():
            spec = R.role_levers(role)[name]
            levers[name] = {
                "value": value,
                "low": spec.low,
                "high": spec.high,
                "unit": spec.unit,
                "spending": spec.spending,
                "locked_by": locks.get(name),
                "price": R.PRICES.get(f"{role}.{name}"),
            }
        busy = {o.kind for o in g.offers if o.status in ("pending", "accepted")}
        busy |= set(g.refused_recently(role))
        return {
            "role": role,
            "name": R.ROLE_NAMES[role],
            "goal": goal.summary,
            "components": [
                {"label": c.label, "better": c.better, "weight": c.weight} for c in goal.components
            ],
            "budget": R.budget(role),
            "spending": g.spending(role),
            "last_score": g.last_scores()[role],
            "score_track": score_track(g, role),
            "trust_in_you": trust_in(g, role),
            "deals_broken": deals_broken(g, role),
            "levers": levers,
            "offers_in": [self.offer_dict(o) for o in g.pending_for(role)],
            "offers_out": [
                self.offer_dict(o) for o in g.offers if o.proposer == role and o.status == "pending"
            ],
            "deals": [self.offer_dict(o) for o in g.deals(role)],
            "can_propose": [
                k.name for k in R.OFFERS.values() if role in k.parties and k.name not in busy
            ],
            "moves_this_turn": len(self.moves_this_turn(role)),
            "cooling": {k: R.OFFER_COOLDOWN for k in g.refused_recently(role)},
        }


def score_track(game, role: str) -> dict[str, Any]:
    """The seat's score per turn played, its last change and the trend in words."""
    track = [t.scores[role] for t in game.results]
    change = track[-1] - track[-2] if len(track) > 1 else (track[-1] - 50 if track else 0.0)
    trend = "rising" if change > 1 else ("falling" if change < -1 else "steady")
    return {
        "scores": track,
        "change": round(change, 1),
        "trend": trend,
        "verdict": R.verdict(track[-1]) if track else None,
    }


def trust_in(game, role: str) -> dict[str, dict[str, float]]:
    """Each partner's trust in the seat now, and its change over the last quarter played
    and this turn's moves so far (a broken deal shows at once); before the second turn,
    the change since the game began."""
    out = {}
    for other in R.ROLES:
        if other == role:
            continue
        now = game.trust(other, role)
        key = f"trust.{other}-{role}"
        if len(game.results) > 1:
            before = game.results[-2].observed[key]
        else:
            before = game.opening_trust[(other, role)]
        out[other] = {"now": round(now, 3), "change": round(now - before, 3)}
    return out


def deals_broken(game, role: str) -> list[dict[str, Any]]:
    """The seat's deals broken this turn or in the last turn played (by either party, or by
    the rules when a party let its terms slip), with the trust the breaker lost: public
    news, which both parties' screens show where they cannot miss it."""
    out = []
    for e in game.log:
        if e.kind != "break" or e.turn < game.turn - 1:
            continue
        o = game.offers[e.detail["offer_id"] - 1]
        if role not in o.spec.parties:
            continue
        out.append(
            {
                "id": o.id,
                "kind": o.kind,
                "title": o.spec.title,
                "turn": e.turn,
                "broken_by": e.role,
                "by": e.by,
                "truster": e.detail["truster"],
                "trust_before": round(e.detail["trust_before"], 3),
                "trust_after": round(e.detail["trust_after"], 3),
            }
        )
    return out


def entry_json(e: Entry, index: int = -1) -> dict[str, Any]:
    """One log entry as JSON, whole (for audiences allowed to see all of it)."""
    return {
        "id": index,
        "turn": e.turn,
        "role": e.role,
        "by": e.by,
        "kind": e.kind,
        "text": e.text,
        "reason": e.reason,
        "public": e.public,
        "mine": False,
    }


def _check_audience(audience: str) -> None:
    if audience not in AUDIENCES:
        raise FlowError(
            "not_your_seat",
            f"unknown audience {audience!r}; expected one of {', '.join(AUDIENCES)}",
        )
