"""``durand play --text``: the game in a terminal, hot-seat, with teacher commands.

Reads commands line by line from ``inp`` and writes to ``out``, so tests drive it with
strings. The turn flow is sim.game.flow.Table's: this front end turns typed lines into the
table's commands and prints the views and notices the table gives it. With every seat a
bot it reads nothing and prints the whole game, every move with its reason. With people
at the table, other roles' private moves and reasons stay hidden behind a hand-over prompt
until the teacher reveals them or the game ends.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from sim.game import rules as R
from sim.game.engine import Game, GameError
from sim.game.flow import PROJECTOR, PUBLIC_METRICS, TEACHER, Table, entry_json
from sim.inputs.errors import DurandError

HELP = """\
Your moves (one per line; add 'because ...' to give your reason):
  show                       your levers, budget, goal, score, deals and offers
  set LEVER VALUE            e.g.  set joint_ops 0.8 because ISKP is growing
  offer NAME                 propose a deal (see 'offers' for the list)
  offers                     the deals your role can propose, with their terms
  accept ID | refuse ID      answer an offer made to you
  break ID                   break a deal in force (costs trust)
  done                       end your move and hand over
  bot                        let a bot play this seat from now on
  undo                       take back your own moves of this turn
  save FILE                  save the game
  quit                       stop here (the game is saved if --save was given)
Teacher (type at any prompt, the hand-over prompt too; 'teacher' may be left out where
no role is moving, e.g. when every seat has become a bot and the game waits before a turn):
  teacher pause | resume     hold the game (no turn ends while paused)
  teacher reveal             show every role's hidden moves, levers and scores
  teacher events             list the events a teacher can inject
  teacher event NAME         inject an event now
  teacher seat ROLE bot|person
  teacher end                end the game now
"""


class _Stop(Exception):
    """Quit, or the input ended."""


class TextGame:
    """The hot-seat game in a terminal over one Table (ordered turns)."""

    def __init__(
        self,
        game: Game,
        *,
        inp: TextIO | None = None,
        out: TextIO | None = None,
        save_path: Path | None = None,
        lesson=None,
        debrief_dir: Path | None = None,
        until_turn: int | None = None,
    ):
        self.game = game
        self.inp = inp or sys.stdin
        self.out = out or sys.stdout
        self.save_path = save_path
        self.lesson = lesson
        self.debrief_dir = debrief_dir
        self.until_turn = until_turn
        self.table: Table | None = None
        self._cleared = False

    # -------------------------------------------------------------- output

    def say(self, text: str = "") -> None:
        print(text, file=self.out)
        self._cleared = False

    def show_entry(self, e: dict, with_turn: bool = False) -> None:
        """One news entry (a view's JSON entry)."""
        who = e["role"] if e["role"] == "teacher" else f"{e['role']} ({e['by']})"
        why = f", because {e['reason']}" if e["reason"] else ""
        when = f"turn {e['turn']} · " if with_turn else ""
        self.say(f"  {when}{who}: {e['text']}{why}")

    def ask(self, prompt: str) -> str:
        self.out.write(prompt)
        self.out.flush()
        line = self.inp.readline()
        if not line:
            raise _Stop("input ended")
        if not (hasattr(self.inp, "isatty") and self.inp.isatty()):
            self.say(line.rstrip("\n"))  # echo scripted input so the transcript reads well
        return line.strip()

    def clear(self) -> None:
        """Hide what the last player saw (a rule across the transcript when not a terminal)."""
        if self._cleared:
            return
        if hasattr(self.out, "isatty") and self.out.isatty():
            self.out.write("\033[2J\033[H")
        else:
            self.say("\n" + "=" * 72)
        self._cleared = True

    # -------------------------------------------------------------- the table's notices

    def hear(self, kind: str, data: dict) -> None:
        """What the table reports (bots' moves, results, new turns), as the room sees it."""
        t, g = self.table, self.game
        if kind == "turn_opened":
            self.say(f"\n--- Turn {g.turn} of {g.turns} · {g.quarter()} ---")
        elif kind == "cues":
            for e in t.news(PROJECTOR, since=data["first"]):
                self.show_entry(e)
        elif kind == "bot_moved":
            role, first, moves = data["role"], data["first"], data["moves"]
            shown = [e for e in t.news(PROJECTOR, since=first) if e["id"] < first + moves]
            for e in shown:
                self.show_entry(e)
            if not moves:
                self.say(
                    f"  {role} (bot): holds its course, because its doctrine sees no reason "
                    "to change"
                )
            elif len(shown) < moves:
                self.say(f"  {role} (bot) has made its moves.")
        elif kind == "turn_resolved":
            self.turn_report(data["turn"])
        elif kind == "autosave_failed":
            self.say(f"{data['message'].removesuffix(' The game goes on.')} The game goes on; "
                     "try 'save FILE' elsewhere.")  # fmt: skip

    def turn_report(self, turn: int) -> None:
        t, g = self.table, self.game
        view = t.view(PROJECTOR)
        for e in view["news"]:
            if e["turn"] == turn and e["kind"] == "break" and e["by"] == "rules":
                self.show_entry(e)
        r = view["results"][turn - 1]
        self.say(f"Results for {g.quarter(turn)} (status quo in brackets):")
        self.show_metrics(r["observed"], r["status_quo"])
        if len(view["scores"]) == len(R.ROLES):  # an open table: every score may show
            self.say(
                "Scores this turn: "
                + " · ".join(f"{k} {v[turn - 1]:.0f}" for k, v in view["scores"].items())
            )

    # -------------------------------------------------------------- the game

    def run(self) -> Game:
        g = self.game
        if self.save_path is not None:
            from sim.game.save import check_writable

            check_writable(self.save_path)  # before any turn is played (exit 3)
        self.intro()
        self.table = Table(
            g,
            lesson=self.lesson,
            mode="ordered",  # hot-seat
            autoplay=all(s == "bot" for s in g.initial_seats.values()),
            save_path=self.save_path,
            until_turn=self.until_turn,
            position=getattr(g, "saved_position", None),
            start=False,
        )
        t = self.table
        t.listeners.append(self.hear)
        try:
            t.start()
            while t.phase in ("moving", "waiting"):
                if t.paused:
                    self.teacher_prompt()
                elif t.phase == "waiting":
                    self.between_turns()
                else:
                    self.person_moves(t.to_move)
        except _Stop as stop:
            self.say(f"\nThe game stops at turn {g.turn} ({stop}).")
            self.save_quietly()
            return g
        self.save_quietly()
        if t.phase == "stopped":
            where = f"; it is saved in {self.save_path}" if self.save_path else ""
            self.say(
                f"\nThis session's turns are played (turn {g.turn - 1} of {g.turns}){where}. "
                "Load it to play on."
            )
            return g
        self.finale()
        return g

    def save_quietly(self) -> None:
        """Save where the game stands (mid-turn included); a failure is a warning."""
        if self.save_path is not None and self.table is not None:
            self.table.autosave()

    def intro(self) -> None:
        g = self.game
        self.say(R.NOTICE)
        self.say(f"Durand: the game. Scenario: {g.scenario.title}.")
        self.say(
            f"{R.count(g.turns, 'turn')} of {R.MONTHS_PER_TURN} months from {g.quarter(1)}; "
            f"seed {g.seed}; "
            f"every figure is the median of {R.count(g.replicates, 'model run')}."
        )
        if self.lesson is not None:
            spec = self.lesson.spec
            self.say(f"\nLesson: {spec.title}\n")
            self.say(spec.briefing.strip())
            self.say("\nLearning goals:")
            for goal in spec.learning_goals:
                self.say(f"  - {goal}")
        seats = ", ".join(f"{r} {s}" for r, s in g.seats.items())
        self.say(f"\nSeats: {seats}. Scores compare each role's goals with the status quo (50).")
        if g.played:
            self.say(f"Resuming after turn {g.played} ({g.quarter(g.played)}).")
        else:
            observed, _ = g.observation(0)
            self.say(f"\nOutlook for {g.quarter(1)} if nobody changes course:")
            self.show_metrics(observed, None)
        if self.until_turn is not None and not g.finished:
            self.say(f"This session plays up to turn {self.until_turn} of {g.turns}.")

    def between_turns(self) -> None:
        """No person sits at the table: wait for the teacher (Enter plays the next turn)."""
        g = self.game
        line = self.ask(
            f"Every seat is now a bot. Enter plays turn {g.turn}; or a teacher command "
            "(e.g. 'teacher seat US person', 'teacher end'): "
        )
        if not line:
            self.send(None, {"seat": TEACHER, "kind": "step"})
        else:
            self.teacher_line(line)

    def teacher_line(self, line: str) -> None:
        """A line typed where no role moves: a teacher command ('teacher' may be left out)."""
        first = line.split()[0].lower()
        if first not in ("teacher", "help", "quit", "save", "undo"):
            line = f"teacher {line}"
        self.command(None, line)

    def send(self, role: str | None, command: dict) -> dict | None:
        """Send one command to the table; a refusal is shown, never raised."""
        try:
            return self.table.submit(command)
        except GameError as exc:
            self.say(f"Not allowed: {exc.worded(flags=True)}")
            return None

    def finale(self) -> None:
        from sim.game.explain import explain

        g = self.game
        self.say("\n=== The game is over ===")
        final = g.final_scores()
        for role in R.ROLES:
            goal = R.GOALS[role]
            self.say(f"  {role:<4} {final[role]:5.1f}  {R.verdict(final[role]):<14} {goal.summary}")
        self.say("\nWhat happened, and why:")
        for line in explain(g):
            self.say(f"  - {line}")
        if not all(s == "bot" for s in g.initial_seats.values()):
            self.say("\nEvery move, with its reason:")
            for e in g.log:
                if e.kind in ("set", "propose", "accept", "refuse", "break", "event"):
                    self.say(f"  turn {e.turn}")
                    self.show_entry(entry_json(e))
        if self.lesson is not None:
            self.say("\nDiscussion questions:")
            for q in self.lesson.spec.discussion_questions:
                self.say(f"  - {q}")
            self.say("What to look for:")
            for q in self.lesson.spec.look_for:
                self.say(f"  - {q}")
        if self.debrief_dir is not None:
            from sim.game.debrief import write_debrief

            path = write_debrief(g, self.debrief_dir, lesson=self.lesson)
            self.say(f"\nDebrief report: {path}")

    # -------------------------------------------------------------- people

    def handover(self, role: str) -> bool:
        """Wait for the role's player; a teacher command typed here is carried out.
        True when the player is at the keyboard and it is still their move."""
        t = self.table
        self.clear()
        while True:
            line = self.ask(
                f"Pass the keyboard to {R.ROLE_NAMES[role]} ({role}); everyone else, look away. "
                "Press Enter when ready: "
            )
            if not line:
                return t.to_move == role and not t.paused
            self.teacher_line(line)
            if t.to_move != role:
                return False

    def person_moves(self, role: str) -> None:
        t = self.table
        if not self.handover(role):
            return
        self.show_role(role)
        while t.to_move == role and not t.paused:
            line = self.ask(f"{role}> ")
            if not line:
                continue
            if line in ("done", "end", "pass"):
                self.clear()  # before the bots' moves and the results that may follow
                self.send(role, {"seat": role, "kind": "done"})
                return
            if line == "bot":
                self.say(f"A bot now plays {role}.")
                self.clear()
                self.send(role, {"seat": role, "kind": "bot"})
                return
            self.command(role, line)

    def command(self, role: str | None, line: str) -> None:
        g = self.game
        text, _, why = line.partition(" because ")
        words = text.split()
        if not words:
            self.say("Unknown command; type 'help'.")
            return
        verb, args = words[0].lower(), words[1:]
        why = why.strip()
        move = None
        try:
            if verb == "help":
                self.say(HELP)
            elif verb == "teacher":
                self.teacher(args)
            elif verb == "quit":
                raise _Stop("quit")
            elif verb == "save":
                path = Path(args[0]) if args else self.save_path
                if path is None:
                    raise GameError("save where? e.g. save game.json")
                self.table.save(path)
                self.say(f"Saved to {path}.")
            elif role is None:
                raise GameError("only teacher commands now (try 'teacher resume')")
            elif verb == "undo":
                turn = g.turn
                if self.send(role, {"seat": role, "kind": "undo"}) is not None:
                    self.say(f"Undone: {role}'s moves of turn {turn}.")
            elif verb == "show":
                self.show_role(role)
            elif verb == "offers":
                self.show_offer_kinds(role)
            elif verb == "set" and len(args) == 2:
                move = {"kind": "set", "lever": args[0], "value": _number(args[1])}
            elif verb == "offer" and len(args) == 1:
                move = {"kind": "propose", "offer": args[0]}
            elif verb in ("accept", "refuse") and len(args) == 1:
                move = {"kind": "answer", "offer_id": _offer_id(args[0]),
                        "accept": verb == "accept"}  # fmt: skip
            elif verb == "break" and len(args) == 1:
                move = {"kind": "break", "offer_id": _offer_id(args[0])}
            else:
                self.say("Unknown command; type 'help'.")
        except (GameError, DurandError) as exc:
            self.say(f"Not allowed: {exc.worded(flags=True)}")
        if move is not None:
            done = self.send(role, {"seat": role, **move, "reason": why})
            for e in done["entries"] if done else []:
                self.show_entry(e)

    def show_role(self, role: str) -> None:
        view = self.table.view(role)
        you = view["you"]
        goal = R.GOALS[role]
        self.say(f"{you['name']} ({role}), turn {view['turn']} · {view['quarter']}")
        track = you["score_track"]
        if track["scores"]:
            line = " -> ".join(f"{x:.0f}" for x in track["scores"][-6:])
            self.say(f"Goal: {you['goal']}")
            self.say(f"Your score by turn: {line} ({track['trend']}, {track['change']:+.1f}; "
                     f"50 = status quo, {track['verdict']})")  # fmt: skip
        else:
            self.say(f"Goal: {you['goal']}  Score: 50 until a quarter is played (status quo)")
        self.say(
            "Trust in you: "
            + " · ".join(
                f"{o} {t['now']:.2f} ({t['change']:+.2f})" for o, t in you["trust_in_you"].items()
            )
        )
        self.say(
            "Scored on: " + ", ".join(f"{c.label} ({c.better} is better)" for c in goal.components)
        )
        last = view["results"][-1] if view["results"] else None
        self.say("Last quarter (status quo in brackets):")
        if last is None:
            self.show_metrics(view["outlook"], view["outlook"])
        else:
            self.show_metrics(last["observed"], last["status_quo"])
        self.say(
            f"Your levers (budget {you['budget']:g} USD million a year, "
            f"spending {you['spending']:g}):"
        )
        for name, lever in you["levers"].items():
            lock = f"  [deal: {lever['locked_by'].split(': ', 1)[1]}]" if lever["locked_by"] else ""
            self.say(
                f"  {name:<20} {lever['value']:>8g}   {lever['low']:g}..{lever['high']:g}  "
                f"{lever['unit']}{lock}"
            )
            if lever["price"]:
                self.say(f"  {'':<20} price: {lever['price']}")
        for o in you["deals"]:
            other = o["recipient"] if o["proposer"] == role else o["proposer"]
            self.say(f"Deal in force: #{o['id']} {o['kind']} with {other}")
        for o in you["offers_in"]:
            self.say(
                f"Offer #{o['id']} from {o['proposer']}: {o['title']} [{'; '.join(o['terms'])}] "
                f"-> accept {o['id']} / refuse {o['id']}"
            )
        for step in view.get("guide") or []:
            self.say(f"Hint ({step['step']}): {step['text']}")
        self.say("Type 'help' for commands, 'done' to end your move.")

    def show_offer_kinds(self, role: str) -> None:
        for kind in R.OFFERS.values():
            if role in kind.parties:
                terms = "; ".join(str(t) for t in kind.terms)
                self.say(f"  {kind.name}: {kind.title} [{terms}]\n      source {kind.source}")

    def show_metrics(self, observed, sq) -> None:
        for key, label, fmt in PUBLIC_METRICS:
            value = fmt.format(observed[key])
            base = f" ({fmt.format(sq[key])})" if sq is not None else ""
            self.say(f"  {label:<30} {value}{base}")

    # -------------------------------------------------------------- teacher

    def teacher_prompt(self) -> None:
        line = self.ask("teacher (paused)> ")
        if line:
            self.teacher_line(line)

    def teacher(self, args: list[str]) -> None:
        what = args[0] if args else ""

        def send(kind: str, **kw) -> bool:
            return self.send(None, {"seat": TEACHER, "kind": kind, **kw}) is not None

        if what == "pause":
            if send("pause"):
                self.say("Paused. Type 'resume' to go on.")
        elif what == "resume":
            if send("resume"):
                self.say("Resumed.")
        elif what == "reveal":
            if send("reveal"):
                self.reveal()
        elif what == "events":
            for name, (_, note) in R.TEACHER_EVENTS.items():
                self.say(f"  {name:<22} {note}")
        elif what == "event" and len(args) == 2:
            first = len(self.game.log)
            if send("event", event=args[1]):
                for e in self.table.news(PROJECTOR, since=first):
                    self.show_entry(e)
        elif what == "seat" and len(args) == 3:
            if send("seat", role=args[1], player=args[2]):
                self.say(f"{args[1]} is now played by a {args[2]}.")
        elif what == "end":
            if send("end_game"):
                self.say("The teacher has ended the game.")
        else:
            self.say(
                "Teacher commands: pause, resume, reveal, events, event NAME, "
                "seat ROLE bot|person, end"
            )

    def reveal(self) -> None:
        view = self.table.view(PROJECTOR)
        self.say("Hidden information, revealed by the teacher:")
        shown = view["revealed"]
        for role in R.ROLES:
            levers = ", ".join(f"{k} {v:g}" for k, v in shown["levers"][role].items())
            self.say(f"  {role} score {shown['scores'][role]:.0f}; levers: {levers}")
        for e in view["news"]:
            if not e["public"]:
                self.show_entry(e, with_turn=True)


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise GameError(f"{text!r} is not a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise GameError(f"{text!r} is not a finite number")
    return value


def _offer_id(text: str) -> int:
    try:
        return int(text.lstrip("#"))
    except ValueError:
        raise GameError(f"{text!r} is not an offer number") from None


def replay_text(
    game: Game, *, lesson=None, out: TextIO | None = None, debrief_dir=None, window_asked=False
) -> None:
    """Show a saved game turn by turn: every move with its reason, then the results.
    The replay is text only; without --text the user is told so rather than left waiting
    for a window."""
    view = TextGame(game, out=out, lesson=lesson, debrief_dir=debrief_dir)
    if window_asked:
        view.say("--replay shows a saved game as text in the terminal (there is no window replay).")
    view.say(f"Replay of a saved game: {game.scenario.title}, seed {game.seed}.")
    for r in game.results:
        view.say(f"\n--- Turn {r.turn} · {game.quarter(r.turn)} ---")
        for e in game.log:
            if e.turn == r.turn and e.kind != "seat":
                view.show_entry(entry_json(e))
        view.say(f"Results for {game.quarter(r.turn)} (status quo in brackets):")
        view.show_metrics(r.observed, r.status_quo)
        view.say("Scores this turn: " + " · ".join(f"{k} {v:.0f}" for k, v in r.scores.items()))
    view.finale()
