"""The game engine: turns, levers within budget, offers and deals, scores, bots, undo.

A game is its configuration plus a list of commands (set a lever, propose, answer, break,
inject an event, hand a seat over, end the turn). Every state of the game is rebuilt by
replaying commands from the start, so undo, load and replay are exact: the model draws
all its randomness from counter-based streams keyed by seed, replicate and month.

Front ends (text, pygame) call the public methods; nothing here prints.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.game import rules as R
from sim.game.doctrine import Context, Doctrine, default_doctrine, holds, reason
from sim.inputs.errors import UsageError
from sim.inputs.limits import OptionError, check
from sim.inputs.scenario import Scenario, add_months, load_scenario

SEATS = ("bot", "person")
_REVISIONS = itertools.count(1)  # every state of every game gets a distinct number


class GameError(UsageError):
    """A move the rules do not allow (exit 2 from the CLI; front ends show it and go on)."""


@dataclass
class Offer:
    id: int
    kind: str
    proposer: str
    recipient: str
    turn: int
    status: str = "pending"  # pending, accepted, refused, expired, broken
    broken_by: str | None = None
    accepted_turn: int | None = None

    @property
    def spec(self) -> R.OfferKind:
        return R.OFFERS[self.kind]


@dataclass
class Entry:
    """One thing that happened, for the log, the debrief and the hand-over screens."""

    turn: int
    role: str  # a role, "teacher" or "rules"
    by: str  # "bot", "person", "teacher", "rules"
    kind: str  # set, propose, accept, refuse, break, event, seat, deal_broken
    text: str
    reason: str
    public: bool  # seen by every role (offers, deals, events), or only by the role
    detail: dict = field(default_factory=dict)
    seq: int = -1  # the index of the command that made it (a reveal covers commands < N)


@dataclass
class TurnResult:
    turn: int
    observed: dict[str, float]  # medians of this quarter
    status_quo: dict[str, float]
    scores: dict[str, float]
    components: dict[str, dict[str, float]]  # role -> metric -> component score 0..1


@dataclass(frozen=True)
class GameSnapshot:
    """What a front end may draw: the played months (a RunResult) and the actors' cards."""

    played: int  # turns played
    result: Any  # sim.run.runner.RunResult of the months played
    cards: dict[str, dict]  # actor id -> card() at the end of the last turn played


class Game:
    """One game: a scenario played in quarterly turns by four seats (people or bots)."""

    def __init__(
        self,
        scenario: Scenario | str | Path,
        *,
        seed: int | None = None,
        turns: int = R.DEFAULT_TURNS,
        replicates: int = R.REPLICATES,
        seats: dict[str, str] | None = None,
        doctrines: dict[str, Doctrine] | None = None,
    ):
        if not isinstance(scenario, Scenario):
            scenario = load_scenario(scenario)
        check("turns", turns)
        check("replicates", replicates)
        self.scenario = scenario
        self.seed = scenario.seed if seed is None else seed
        self.turns = turns
        self.replicates = replicates
        self.initial_seats = {r: "bot" for r in R.ROLES} | dict(seats or {})
        self.doctrines = {r: (doctrines or {}).get(r) or default_doctrine(r) for r in R.ROLES}
        self.commands: list[dict[str, Any]] = []
        self.lesson: str | None = None  # the lesson pack's name, if one was started
        self._reset()

    # -------------------------------------------------------------- state

    def _reset(self) -> None:
        from sim.model.model import DurandModel

        months = self.turns * R.MONTHS_PER_TURN
        self.model = DurandModel(
            self.scenario, replicates=self.replicates, seed=self.seed, months=months
        )
        # The status quo: the same scenario, seed and runs with nobody changing course. It
        # steps with the game and receives the teacher's events too, so scores measure the
        # players' choices, not the events. Its first quarter is the opening outlook.
        self.status_quo = DurandModel(
            self.scenario, replicates=self.replicates, seed=self.seed, months=months
        )
        # Each state's trust in each other at the start: what a seat's first turns measure
        # the change in its partners' trust against.
        self.opening_trust = {(a, b): self.trust(a, b) for a in R.ROLES for b in R.ROLES if a != b}
        outlook = DurandModel(
            self.scenario, replicates=self.replicates, seed=self.seed, months=R.MONTHS_PER_TURN
        )
        outlook.run()
        self.outlook = quarter_medians(outlook, 1)
        self.turn = 1  # the turn being played
        self.seats = dict(self.initial_seats)
        self.offers: list[Offer] = []
        self.log: list[Entry] = []
        self.results: list[TurnResult] = []
        self.finished = False
        self.paused = False
        self.revealed = False
        self.revision = next(_REVISIONS)  # changes whenever the game's state does

    def extend(self, more_turns: int) -> None:
        """Plan more turns (a loaded game played on): rebuild with the longer horizon."""
        if more_turns < 1:
            raise OptionError("turns", f"must be at least 1, got {more_turns}")
        self.turns = self.turn - 1 + more_turns if self.finished else self.turns + more_turns
        # Playing on means the teacher's "end game" no longer holds.
        self._replay([c for c in self.commands if c["kind"] != "end_game"])

    @property
    def played(self) -> int:
        return len(self.results)

    def quarter(self, turn: int | None = None) -> str:
        """'2025 Jan-Mar' for a turn (default: the current one)."""
        t = (turn or self.turn) - 1
        y0, m0 = add_months(self.scenario.start, t * R.MONTHS_PER_TURN)
        y1, m1 = add_months(self.scenario.start, t * R.MONTHS_PER_TURN + R.MONTHS_PER_TURN - 1)
        names = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        end = names[m1 - 1] if y1 == y0 else f"{names[m1 - 1]} {y1}"
        return f"{y0} {names[m0 - 1]}-{end}"

    def lever(self, role: str, name: str) -> float:
        return float(np.median(self.model.levers[f"{role}.{name}"]))

    def levers_of(self, role: str) -> dict[str, float]:
        return {name: self.lever(role, name) for name in R.role_levers(role)}

    def spending(self, role: str, changes: dict[str, float] | None = None) -> float:
        values = self.levers_of(role) | (changes or {})
        return sum(v for k, v in values.items() if R.role_levers(role)[k].spending)

    def deals(self, role: str | None = None, status: str = "accepted") -> list[Offer]:
        return [
            o
            for o in self.offers
            if o.status == status and (role is None or role in (o.proposer, o.recipient))
        ]

    def pending_for(self, role: str) -> list[Offer]:
        return [o for o in self.offers if o.status == "pending" and o.recipient == role]

    def refused_recently(self, role: str) -> list[str]:
        """Offer kinds this role proposed and saw refused within the cooldown."""
        return [
            o.kind
            for o in self.offers
            if o.proposer == role and o.status == "refused"
            and self.turn - o.turn <= R.OFFER_COOLDOWN
        ]  # fmt: skip

    def commitments(self, role: str) -> list[tuple[R.Term, Offer]]:
        return [(t, o) for o in self.deals(role) for t in o.spec.terms_for(role)]

    # -------------------------------------------------------------- observing

    def observation(self, turn: int | None = None) -> tuple[dict[str, float], dict[str, float]]:
        """(observed, status quo) medians for a played turn; before the first turn, the
        status quo's first quarter stands for both (the outlook if nobody changes course)."""
        if turn is None:
            turn = self.played
        if turn == 0:
            return self.outlook, self.outlook
        r = self.results[turn - 1]
        return r.observed, r.status_quo

    def context(self, role: str) -> Context:
        observed, sq = self.observation()
        scores = {f"score.{r}": v for r, v in self.last_scores().items()}
        return Context(
            turn=self.turn,
            observed=observed | scores,
            status_quo=sq | {k: 50.0 for k in scores},
            active_deals=frozenset(o.kind for o in self.deals(role)),
            pending_offers=frozenset(o.kind for o in self.pending_for(role)),
            broken_by_me=frozenset(o.kind for o in self.offers if o.broken_by == role),
            refused_recently=frozenset(self.refused_recently(role)),
            history=tuple((r.observed, r.status_quo) for r in self.results),
        )

    def snapshot(self):
        """The turns played so far as a RunResult, and every actor's card now.

        Front ends draw from this copy and never read the model's internals; None before
        the first turn ends.
        """
        if self.played == 0:
            return None
        from sim import GROUPS, STATES
        from sim.run.runner import RunResult

        months = self.played * R.MONTHS_PER_TURN
        m = self.model
        result = RunResult(
            m.scenario, m.replicate_ids.copy(), m.recorder.data[:months].copy(), list(m.applied)
        )
        cards = {a: m.states[a].card() for a in STATES}
        cards.update({x: m.groups[x].card() for x in GROUPS})
        return GameSnapshot(self.played, result, cards)

    def last_scores(self) -> dict[str, float]:
        return self.results[-1].scores if self.results else {r: 50.0 for r in R.ROLES}

    def final_scores(self) -> dict[str, float]:
        if not self.results:
            return {r: 50.0 for r in R.ROLES}
        return {r: float(np.mean([t.scores[r] for t in self.results])) for r in R.ROLES}

    # -------------------------------------------------------------- commands

    def do(self, command: dict[str, Any]) -> None:
        """Apply one command and record it (raises GameError if the rules forbid it)."""
        if self.finished and command["kind"] not in ("seat",):
            raise GameError(
                "the game is over; load it with more {turns} to play on", settings={"turns": None}
            )
        handler = getattr(self, f"_cmd_{command['kind']}", None)
        if handler is None:
            raise GameError(f"unknown command {command['kind']!r}")
        start = len(self.log)
        handler(**{k: v for k, v in command.items() if k != "kind"})
        for entry in self.log[start:]:
            entry.seq = len(self.commands)
        self.commands.append(dict(command))
        self.revision = next(_REVISIONS)

    def set_lever(self, role, lever, value, reason="", by="person"):
        self.do(dict(kind="set", role=role, lever=lever, value=float(value), reason=reason, by=by))

    def propose(self, role, offer, reason="", by="person"):
        self.do(dict(kind="propose", role=role, offer=offer, reason=reason, by=by))

    def answer(self, role, offer_id, accept, reason="", by="person"):
        self.do(
            dict(kind="answer", role=role, offer_id=offer_id, accept=accept, reason=reason, by=by)
        )

    def break_deal(self, role, offer_id, reason="", by="person"):
        self.do(dict(kind="break", role=role, offer_id=offer_id, reason=reason, by=by))

    def inject(self, event, reason=""):
        self.do(dict(kind="event", event=event, reason=reason))

    def set_seat(self, role, seat):
        self.do(dict(kind="seat", role=role, seat=seat))

    def end_turn(self):
        self.do(dict(kind="end_turn"))

    def end_game(self, reason="the teacher ended the game"):
        self.do(dict(kind="end_game", reason=reason))

    def undo(self) -> str:
        """Take back the moves of the turn in progress, or else the last completed turn."""
        ends = [i for i, c in enumerate(self.commands) if c["kind"] in ("end_turn", "end_game")]
        last_end = ends[-1] if ends else -1
        if last_end < len(self.commands) - 1:
            keep = self.commands[: last_end + 1]
            what = f"the moves of turn {self.turn}"
        elif ends:
            keep = self.commands[: ends[-2] + 1] if len(ends) > 1 else []
            what = f"turn {self.played}"
        else:
            raise GameError("nothing to undo")
        self._replay(keep)
        return what

    def rebuild(self, commands: list[dict[str, Any]]) -> None:
        """Replay the game from its start with these commands (raises GameError, with the
        game rebuilt up to the failing command, if one is no longer allowed)."""
        self._replay(commands)

    def _replay(self, commands: list[dict[str, Any]]) -> None:
        self._reset()
        self.commands = []
        for c in commands:
            self.do(c)

    # -------------------------------------------------------------- handlers

    def _check_role(self, role: str) -> None:
        if role not in R.ROLES:
            raise GameError(
                f"unknown role {role!r}; expected one of {', '.join(R.ROLES)} "
                "(the militant groups are not playable)"
            )

    def _cmd_set(self, role, lever, value, reason="", by="person"):
        self._check_role(role)
        spec = R.role_levers(role).get(lever)
        if spec is None:
            raise GameError(
                f"{role} has no lever {lever!r}; its levers: {', '.join(R.role_levers(role))}"
            )
        if not spec.low <= value <= spec.high:
            raise GameError(
                f"{role}.{lever} must be from {spec.low:g} to {spec.high:g} ({spec.unit}), "
                f"got {value:g}"
            )
        if spec.spending:
            spend = self.spending(role, {lever: value})
            if spend > R.budget(role) + 1e-9:
                raise GameError(
                    f"{role} would spend {spend:g} USD million a year, over its budget of "
                    f"{R.budget(role):g}"
                )
        old = self.lever(role, lever)
        self.model.set_lever(f"{role}.{lever}", value, note=f"{role}: {reason}")
        broken = [o for t, o in self.commitments(role) if t.lever == lever and not t.holds(value)]
        warn = f" (this breaks the {broken[0].kind} deal unless restored)" if broken else ""
        self.log.append(
            Entry(
                self.turn, role, by, "set", f"{lever} {_num(old)} -> {_num(value)}{warn}",
                reason, False, {"lever": lever, "old": old, "new": value},
            )
        )  # fmt: skip

    def _cmd_propose(self, role, offer, reason="", by="person"):
        self._check_role(role)
        kind = R.OFFERS.get(offer)
        if kind is None:
            raise GameError(f"unknown offer {offer!r}; offers: {', '.join(R.OFFERS)}")
        if role not in kind.parties:
            raise GameError(f"{offer} is between {' and '.join(kind.parties)}, not {role}")
        other = kind.other(role)
        if any(o.kind == offer and o.status in ("pending", "accepted") for o in self.offers):
            raise GameError(f"{offer} is already on the table or in force")
        if offer in self.refused_recently(role):
            raise GameError(
                f"{other} refused {offer} recently; it may be offered again "
                f"{R.OFFER_COOLDOWN} turns after the refusal"
            )
        o = Offer(len(self.offers) + 1, offer, role, other, self.turn)
        self.offers.append(o)
        self.log.append(
            Entry(self.turn, role, by, "propose",
                  f"offers #{o.id} {offer} to {other}: {kind.title}",
                  reason, True, {"offer_id": o.id, "offer": offer, "to": other})
        )  # fmt: skip

    def _offer(self, offer_id) -> Offer:
        if not isinstance(offer_id, int) or not 1 <= offer_id <= len(self.offers):
            raise GameError(f"no offer #{offer_id}")
        return self.offers[offer_id - 1]

    def _cmd_answer(self, role, offer_id, accept, reason="", by="person"):
        o = self._offer(offer_id)
        if o.recipient != role or o.status != "pending":
            raise GameError(f"offer #{offer_id} is not waiting for {role}'s answer")
        if not accept:
            o.status = "refused"
            self.log.append(
                Entry(self.turn, role, by, "refuse", f"refuses #{o.id} {o.kind} from {o.proposer}",
                      reason, True, {"offer_id": o.id})
            )  # fmt: skip
            return
        # Both sides' levers move to honour the terms at once.
        for party in o.spec.parties:
            changes = {t.lever: t.value for t in o.spec.terms_for(party)
                       if not t.holds(self.lever(party, t.lever))}  # fmt: skip
            if self.spending(party, changes) > R.budget(party) + 1e-9:
                raise GameError(f"{party} cannot afford the terms of {o.kind} within its budget")
        o.status, o.accepted_turn = "accepted", self.turn
        self.log.append(
            Entry(self.turn, role, by, "accept", f"accepts #{o.id} {o.kind} from {o.proposer}",
                  reason, True, {"offer_id": o.id})
        )  # fmt: skip
        for t in o.spec.terms:
            if not t.holds(self.lever(t.role, t.lever)):
                self.model.set_lever(f"{t.role}.{t.lever}",
                                     t.value, note=f"deal {o.kind}")  # fmt: skip
                self.log.append(
                    Entry(self.turn, t.role, "rules", "set", f"{t.lever} -> {_num(t.value)}",
                          f"{o.proposer} and {o.recipient} agreed the {o.kind} deal, which "
                          f"holds {t.role}'s {t.lever} {t.op} {_num(t.value)}", False,
                          {"lever": t.lever, "new": t.value})
                )  # fmt: skip
        a, b = o.spec.parties
        self._trust(a, b, R.DEAL_TRUST_GAIN, f"deal {o.kind} struck")
        self._trust(b, a, R.DEAL_TRUST_GAIN, f"deal {o.kind} struck")

    def _cmd_break(self, role, offer_id, reason="", by="person"):
        o = self._offer(offer_id)
        if o.status != "accepted" or role not in (o.proposer, o.recipient):
            raise GameError(f"{role} has no deal #{offer_id} in force to break")
        self._broken(o, role, reason, by)

    def _broken(self, o: Offer, role: str, why: str, by: str) -> None:
        o.status, o.broken_by = "broken", role
        other = o.spec.other(role)
        before = self.trust(other, role)
        self._trust(other, role, -R.BREAK_TRUST_LOSS, f"{role} broke {o.kind}")
        after = self.trust(other, role)
        self.log.append(
            Entry(self.turn, role, by, "break",
                  f"breaks #{o.id} {o.kind} with {other}: {other}'s trust in {role} "
                  f"{before:.2f} -> {after:.2f}", why, True,
                  {"offer_id": o.id, "truster": other, "trust_before": before,
                   "trust_after": after})
        )  # fmt: skip

    def trust(self, source: str, target: str) -> float:
        """``source``'s trust in ``target`` now (median over the runs)."""
        from sim import STATES

        t = self.model.world.trust[:, STATES.index(source), STATES.index(target)]
        return float(np.median(t))

    def _trust(self, source: str, target: str, change: float, note: str) -> None:
        from sim.inputs.scenario import TrustShock

        shock = TrustShock(type="trust_shock", source=source, target=target, change=change)
        self.model.apply_shock(shock, note)

    def _cmd_event(self, event, reason=""):
        if event not in R.TEACHER_EVENTS:
            raise GameError(f"unknown event {event!r}; events: {', '.join(R.TEACHER_EVENTS)}")
        for model in (self.model, self.status_quo):
            model.apply_shock(R.teacher_shock(event), R.TEACHER_EVENTS[event][1])
        self.log.append(
            Entry(self.turn, "teacher", "teacher", "event", R.TEACHER_EVENTS[event][1],
                  reason or "injected by the teacher", True, {"event": event})
        )  # fmt: skip

    def _cmd_seat(self, role, seat):
        self._check_role(role)
        if seat not in SEATS:
            raise GameError(f"a seat is 'bot' or 'person', not {seat!r}")
        self.seats[role] = seat
        self.log.append(
            Entry(self.turn, role, "teacher", "seat", f"seat now played by a {seat}", "", True)
        )

    def _cmd_end_game(self, reason=""):
        self.finished = True
        self.log.append(Entry(self.turn, "teacher", "teacher", "end", "game ended", reason, True))

    def _cmd_end_turn(self):
        # Deals whose terms a party let slip are broken by that party.
        for o in self.deals():
            for t in o.spec.terms:
                if o.status == "accepted" and not t.holds(self.lever(t.role, t.lever)):
                    why = f"it let {t.role}.{t.lever} fall outside the terms ({t})"
                    self._broken(o, t.role, why, "rules")
        for _ in range(R.MONTHS_PER_TURN):
            self.model.step()
            self.status_quo.step()
        observed = quarter_medians(self.model, self.turn)
        sq = quarter_medians(self.status_quo, self.turn)
        scores, comps = score_turn(observed, sq)
        self.results.append(TurnResult(self.turn, observed, sq, scores, comps))
        for o in self.offers:  # an offer stays on the table for one answer
            if o.status == "pending" and o.turn < self.turn:
                o.status = "expired"
        self.turn += 1
        if self.turn > self.turns:
            self.finished = True

    # -------------------------------------------------------------- bots

    def play_bot(self, role: str) -> list[Entry]:
        """Let the role's doctrine answer its offers and make its moves; return the entries."""
        start = len(self.log)
        doctrine = self.doctrines[role]
        for o in self.pending_for(role):
            ctx = self.context(role)
            accept, why = False, "its doctrine has no rule that accepts this offer"
            for ans in doctrine.answers:
                if ans.offer not in ("any", o.kind):
                    continue
                ok, evidence = holds(ans.when, ctx)
                if ok:
                    accept, why = ans.accept, reason(ans.because, evidence)
                    break
            try:
                self.answer(role, o.id, accept, why, by="bot")
            except GameError as exc:
                self.answer(role, o.id, False, f"it cannot: {exc}", by="bot")
        ctx = self.context(role)
        touched: set[str] = set()
        locks = {t.lever: t for t, _ in self.commitments(role)}
        # Offers it has made and still waits on bind it too: it does not offer an open
        # border and close it in the same breath.
        promised = {t.lever: t for o in self.offers if o.proposer == role
                    and o.status == "pending" for t in o.spec.terms_for(role)}  # fmt: skip
        for rule in doctrine.rules:
            ok, evidence = holds(rule.when, ctx)
            if not ok:
                continue
            why = reason(rule.because, evidence)
            if rule.break_deal:
                for o in self.deals(role):
                    if o.kind == rule.break_deal:
                        self.break_deal(role, o.id, why, by="bot")
                        locks = {t.lever: t for t, _ in self.commitments(role)}
            targets = dict(rule.set)
            for lever, delta in rule.adjust.items():
                targets[lever] = self.lever(role, lever) + delta
            for lever, value in targets.items():
                if lever in touched:
                    continue
                value = self._bot_value(role, lever, value, locks.get(lever))
                if lever in promised and not promised[lever].holds(value):
                    continue
                if abs(value - self.lever(role, lever)) > 1e-9:
                    self.set_lever(role, lever, value, why, by="bot")
                touched.add(lever)
            if rule.propose:
                kind = R.OFFERS[rule.propose]
                busy = any(
                    o.kind == rule.propose and o.status in ("pending", "accepted")
                    for o in self.offers
                )
                against = any(
                    t.lever in touched and not t.holds(self.lever(role, t.lever))
                    for t in kind.terms_for(role)
                )
                cooling = rule.propose in self.refused_recently(role)
                if not (busy or against or cooling) and kind.other(role) in R.ROLES:
                    self.propose(role, rule.propose, why, by="bot")
                    promised |= {t.lever: t for t in kind.terms_for(role)}
        return self.log[start:]

    def _bot_value(self, role: str, lever: str, value: float, lock: R.Term | None) -> float:
        """Clip a bot's wish to the lever's range, its budget and the deals it keeps."""
        spec = R.role_levers(role)[lever]
        value = min(max(value, spec.low), spec.high)
        if lock is not None and not lock.holds(value):
            value = lock.value
        if spec.spending:
            room = R.budget(role) - self.spending(role, {lever: 0.0})
            value = min(value, max(room, 0.0))
        return round(value, 4)


# ------------------------------------------------------------------ metrics and scores


def quarter_medians(model, turn: int) -> dict[str, float]:
    """Medians over the runs for one turn's months: counts and aid summed over the
    quarter, stocks and rates at its last month, plus the game's derived metrics."""
    from sim.model.recorder import COUNT_METRICS, METRICS

    a = (turn - 1) * R.MONTHS_PER_TURN
    b = a + R.MONTHS_PER_TURN
    block = model.recorder.by_metric[a:b].astype(np.float64)  # (3, metrics, R)
    summed = np.array([n in COUNT_METRICS or n.startswith(("aid.", "harm.")) for n in METRICS])
    per = np.where(summed[:, None], block.sum(axis=0), block[-1])  # (metrics, R)
    medians = np.median(per, axis=1)
    out = {n: float(v) for n, v in zip(METRICS, medians, strict=True) if n != "joint_ops.target"}
    for name, parts in R.DERIVED.items():
        out[name] = float(np.mean([out[p] for p in parts]))
    keys = list(model.levers.keys())  # the levers held this quarter, for costs measured by them
    held = np.median(np.stack([np.asarray(model.levers[k], dtype=np.float64) for k in keys]), 1)
    out.update({f"lever.{k}": float(v) for k, v in zip(keys, held, strict=True)})
    return out


def component_score(
    value: float, base: float, better: str, floor: float, sensitivity: float = 1.0
) -> float:
    """0..1; 0.5 = as under the status quo, 1 = the difference is as large as the status
    quo value itself (or ``floor``) in the good direction, divided by ``sensitivity``."""
    scale = max(abs(base), floor)
    gain = (base - value) if better == "lower" else (value - base)
    return float(min(max(0.5 + 0.5 * sensitivity * gain / scale, 0.0), 1.0))


def score_turn(observed, sq) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    scores, comps = {}, {}
    for role, goal in R.GOALS.items():
        parts = {
            c.metric: component_score(
                observed[c.metric], sq[c.metric], c.better, c.floor, c.sensitivity
            )
            for c in goal.components
        }
        comps[role] = parts
        raw = 100 * sum(c.weight * parts[c.metric] for c in goal.components)
        scores[role] = round(min(max(50 + R.SCORE_STRETCH[role] * (raw - 50), 0.0), 100.0), 1)
    return scores, comps


def _num(x: float) -> str:
    return f"{x:g}" if abs(x) >= 10 else f"{x:.2f}"
