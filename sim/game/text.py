"""``durand play --text``: the game in a terminal, hot-seat, with teacher commands.

Reads commands line by line from ``inp`` and writes to ``out``, so tests drive it with
strings. With every seat a bot it reads nothing and prints the whole game, every move with
its reason. With people at the table, other roles' private moves stay hidden behind a
hand-over prompt until the teacher reveals them or the game ends.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from sim.game import rules as R
from sim.game.engine import Entry, Game, GameError
from sim.game.lessons import play_due_cues
from sim.inputs.errors import DurandError

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
  undo                       take back this turn's moves (or the last turn)
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


class _Restart(Exception):
    """The turn was undone: play it again from the rebuilt state."""


class _Stop(Exception):
    """Quit, or the input ended."""


class TextGame:
    def __init__(
        self,
        game: Game,
        *,
        inp: TextIO | None = None,
        out: TextIO | None = None,
        save_path: Path | None = None,
        lesson=None,
        debrief_dir: Path | None = None,
    ):
        self.game = game
        self.inp = inp or sys.stdin
        self.out = out or sys.stdout
        self.save_path = save_path
        self.lesson = lesson
        self.debrief_dir = debrief_dir

    # -------------------------------------------------------------- output

    def say(self, text: str = "") -> None:
        print(text, file=self.out)
        self._cleared = False

    @property
    def open_table(self) -> bool:
        """Everything can be shown when no person sits at the table (or on reveal)."""
        return self.game.revealed or all(s == "bot" for s in self.game.seats.values())

    def show_entry(self, e: Entry, with_turn: bool = False) -> None:
        who = e.role if e.role in ("teacher",) else f"{e.role} ({e.by})"
        why = f", because {e.reason}" if e.reason else ""
        when = f"turn {e.turn} · " if with_turn else ""
        self.say(f"  {when}{who}: {e.text}{why}")

    def show_new(self, start: int) -> None:
        for e in self.game.log[start:]:
            self.show_entry(e)

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
        if getattr(self, "_cleared", False):
            return
        if hasattr(self.out, "isatty") and self.out.isatty():
            self.out.write("\033[2J\033[H")
        else:
            self.say("\n" + "=" * 72)
        self._cleared = True

    # -------------------------------------------------------------- the game

    def run(self) -> Game:
        g = self.game
        if self.save_path is not None:
            from sim.game.save import check_writable

            check_writable(self.save_path)  # before any turn is played (exit 3)
        self.intro()
        try:
            while not g.finished:
                try:
                    self.between_turns()
                    if g.finished:
                        break
                    self.play_turn()
                except _Restart:
                    continue
                self.autosave()
        except _Stop as stop:
            self.say(f"\nThe game stops at turn {g.turn} ({stop}).")
            self.autosave()
            return g
        self.autosave()
        self.finale()
        return g

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

    def bots_took_over(self) -> bool:
        """People started the game but every seat is now a bot: the teacher steps turns."""
        g = self.game
        started_with_people = any(s == "person" for s in g.initial_seats.values())
        return started_with_people and all(s == "bot" for s in g.seats.values())

    def between_turns(self) -> None:
        """Before a turn in which no person sits, wait for the teacher (Enter plays it)."""
        g = self.game
        while not g.finished and self.bots_took_over():
            line = self.ask(
                f"Every seat is now a bot. Enter plays turn {g.turn}; or a teacher command "
                "(e.g. 'teacher seat US person', 'teacher end'): "
            )
            if not line:
                return
            self.teacher_line(line)

    def teacher_line(self, line: str) -> None:
        """A line typed where no role moves: a teacher command ('teacher' may be left out)."""
        first = line.split()[0].lower()
        if first not in ("teacher", "help", "quit", "save", "undo"):
            line = f"teacher {line}"
        self.command(None, line)

    def play_turn(self) -> None:
        g = self.game
        self.say(f"\n--- Turn {g.turn} of {g.turns} · {g.quarter()} ---")
        self.teacher_cues()
        for role in R.ROLES:
            while g.paused:
                self.teacher_prompt()
            if g.finished:
                return
            if any(e.turn == g.turn and e.role == role and e.by != "rules" and e.kind != "seat"
                   for e in g.log):  # fmt: skip
                continue  # this role already moved this turn (a resumed turn)
            if g.seats[role] == "bot":
                self.bot_moves(role)
            else:
                self.person_moves(role)
        if g.finished:
            return
        while g.paused:
            self.teacher_prompt()
        g.end_turn()
        self.turn_report()

    def teacher_cues(self) -> None:
        for entry in play_due_cues(self.game, self.lesson):
            self.show_entry(entry)

    def bot_moves(self, role: str) -> None:
        entries = self.game.play_bot(role)
        shown = [e for e in entries if self.open_table or e.public]
        for e in shown:
            self.show_entry(e)
        if not entries:
            self.say(
                f"  {role} (bot): holds its course, because its doctrine sees no reason to change"
            )
        elif len(shown) < len(entries):
            self.say(f"  {role} (bot) has made its moves.")

    def turn_report(self) -> None:
        g = self.game
        r = g.results[-1]
        for e in g.log:
            if e.turn == r.turn and e.kind == "break" and e.by == "rules":
                self.show_entry(e)
        self.say(f"Results for {g.quarter(r.turn)} (status quo in brackets):")
        self.show_metrics(r.observed, r.status_quo)
        if self.open_table:
            self.say("Scores this turn: " + " · ".join(f"{k} {v:.0f}" for k, v in r.scores.items()))

    def show_metrics(self, observed, sq) -> None:
        for key, label, fmt in PUBLIC_METRICS:
            value = fmt.format(observed[key])
            base = f" ({fmt.format(sq[key])})" if sq is not None else ""
            self.say(f"  {label:<30} {value}{base}")

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
                    self.say(
                        f"  turn {e.turn}",
                    )
                    self.show_entry(e)
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

    def autosave(self) -> None:
        """Save after a turn; a failed save is a warning and the game goes on."""
        if self.save_path is not None:
            from sim.game.save import save_game

            try:
                save_game(self.game, self.save_path)
            except DurandError as exc:
                self.say(f"Warning: {exc}. The game goes on; try 'save FILE' elsewhere.")

    # -------------------------------------------------------------- people

    def handover(self, role: str) -> None:
        """Wait for the role's player; a teacher command typed here is carried out."""
        g = self.game
        self.clear()
        while True:
            line = self.ask(
                f"Pass the keyboard to {R.ROLE_NAMES[role]} ({role}); everyone else, look away. "
                "Press Enter when ready: "
            )
            if not line:
                return
            self.teacher_line(line)
            if g.finished or g.seats[role] != "person":
                return

    def person_moves(self, role: str) -> None:
        g = self.game
        self.handover(role)
        while g.paused:
            self.teacher_prompt()
        if g.finished:
            return
        if g.seats[role] == "bot":  # the teacher gave the seat to a bot at the hand-over
            self.bot_moves(role)
            return
        self.show_role(role)
        while True:
            line = self.ask(f"{role}> ")
            if not line:
                continue
            if line in ("done", "end", "pass"):
                self.clear()
                return
            if line == "bot":
                g.set_seat(role, "bot")
                self.say(f"A bot now plays {role}.")
                entries = g.play_bot(role)
                for e in entries:
                    self.show_entry(e)
                self.clear()
                return
            self.command(role, line)
            if g.finished:
                return

    def command(self, role: str | None, line: str) -> None:
        g = self.game
        text, _, why = line.partition(" because ")
        words = text.split()
        if not words:
            self.say("Unknown command; type 'help'.")
            return
        verb, args = words[0].lower(), words[1:]
        start = len(g.log)
        try:
            if verb == "help":
                self.say(HELP)
            elif verb == "teacher":
                self.teacher(args)
            elif verb == "quit":
                raise _Stop("quit")
            elif verb == "save":
                from sim.game.save import save_game

                path = Path(args[0]) if args else self.save_path
                if path is None:
                    raise GameError("save where? e.g. save game.json")
                save_game(g, path)
                self.say(f"Saved to {path}.")
            elif verb == "undo":
                what = g.undo()
                self.say(f"Undone: {what}. Replaying from turn {g.turn}.")
                raise _Restart
            elif role is None:
                raise GameError("only teacher commands now (try 'teacher resume')")
            elif verb == "show":
                self.show_role(role)
            elif verb == "offers":
                self.show_offer_kinds(role)
            elif verb == "set" and len(args) == 2:
                g.set_lever(role, args[0], _number(args[1]), why.strip())
                self.show_new(start)
            elif verb == "offer" and len(args) == 1:
                g.propose(role, args[0], why.strip())
                self.show_new(start)
            elif verb in ("accept", "refuse") and len(args) == 1:
                g.answer(role, _offer_id(args[0]), verb == "accept", why.strip())
                self.show_new(start)
            elif verb == "break" and len(args) == 1:
                g.break_deal(role, _offer_id(args[0]), why.strip())
                self.show_new(start)
            else:
                self.say("Unknown command; type 'help'.")
        except (GameError, DurandError) as exc:
            self.say(f"Not allowed: {exc}")

    def show_role(self, role: str) -> None:
        g = self.game
        goal = R.GOALS[role]
        self.say(f"{R.ROLE_NAMES[role]} ({role}), turn {g.turn} · {g.quarter()}")
        self.say(f"Goal: {goal.summary}  Last score: {g.last_scores()[role]:.0f} (50 = status quo)")
        self.say(
            "Scored on: " + ", ".join(f"{c.label} ({c.better} is better)" for c in goal.components)
        )
        observed, sq = g.observation()
        self.say("Last quarter (status quo in brackets):")
        self.show_metrics(observed, sq)
        self.say(
            f"Your levers (budget {R.budget(role):g} USD million a year, "
            f"spending {g.spending(role):g}):"
        )
        locks = {t.lever: t for t, _ in g.commitments(role)}
        for name, value in g.levers_of(role).items():
            spec = R.role_levers(role)[name]
            lock = f"  [deal: {locks[name]}]" if name in locks else ""
            self.say(f"  {name:<20} {value:>8g}   {spec.low:g}..{spec.high:g}  {spec.unit}{lock}")
        for o in g.deals(role):
            self.say(f"Deal in force: #{o.id} {o.kind} with {o.spec.other(role)}")
        for o in g.pending_for(role):
            terms = "; ".join(str(t) for t in o.spec.terms)
            self.say(
                f"Offer #{o.id} from {o.proposer}: {o.spec.title} [{terms}] "
                f"-> accept {o.id} / refuse {o.id}"
            )
        self.say("Type 'help' for commands, 'done' to end your move.")

    def show_offer_kinds(self, role: str) -> None:
        for kind in R.OFFERS.values():
            if role in kind.parties:
                terms = "; ".join(str(t) for t in kind.terms)
                self.say(f"  {kind.name}: {kind.title} [{terms}]\n      source {kind.source}")

    # -------------------------------------------------------------- teacher

    def teacher_prompt(self) -> None:
        line = self.ask("teacher (paused)> ")
        if line:
            self.teacher_line(line)

    def teacher(self, args: list[str]) -> None:
        g = self.game
        what = args[0] if args else ""
        if what == "pause":
            g.paused = True
            self.say("Paused. Type 'resume' to go on.")
        elif what == "resume":
            g.paused = False
            self.say("Resumed.")
        elif what == "reveal":
            g.revealed = True
            self.reveal()
        elif what == "events":
            for name, (_, note) in R.TEACHER_EVENTS.items():
                self.say(f"  {name:<22} {note}")
        elif what == "event" and len(args) == 2:
            g.inject(args[1])
            self.show_entry(g.log[-1])
        elif what == "seat" and len(args) == 3:
            g.set_seat(args[1], args[2])
            self.say(f"{args[1]} is now played by a {args[2]}.")
        elif what == "end":
            g.end_game()
            self.say("The teacher has ended the game.")
        else:
            self.say(
                "Teacher commands: pause, resume, reveal, events, event NAME, "
                "seat ROLE bot|person, end"
            )

    def reveal(self) -> None:
        g = self.game
        self.say("Hidden information, revealed by the teacher:")
        for role in R.ROLES:
            levers = ", ".join(f"{k} {v:g}" for k, v in g.levers_of(role).items())
            self.say(f"  {role} score {g.last_scores()[role]:.0f}; levers: {levers}")
        for e in g.log:
            if not e.public:
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
    game.revealed = True
    if window_asked:
        view.say("--replay shows a saved game as text in the terminal (there is no window replay).")
    view.say(f"Replay of a saved game: {game.scenario.title}, seed {game.seed}.")
    for r in game.results:
        view.say(f"\n--- Turn {r.turn} · {game.quarter(r.turn)} ---")
        for e in game.log:
            if e.turn == r.turn and e.kind != "seat":
                view.show_entry(e)
        view.say(f"Results for {game.quarter(r.turn)} (status quo in brackets):")
        view.show_metrics(r.observed, r.status_quo)
        view.say("Scores this turn: " + " · ".join(f"{k} {v:.0f}" for k, v in r.scores.items()))
    view.finale()
