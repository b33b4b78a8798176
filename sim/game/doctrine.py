"""Bot doctrines: per-role YAML rules (conditions -> actions), each with the reason it gives.

A doctrine is loaded like a scenario (safe YAML with line tracking) and every problem is
reported with file, line and key path (exit 2). A bot is deterministic: the same
observations give the same actions, so a game with every seat a bot replays exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.game.rules import DERIVED, OFFERS, ROLES, role_levers
from sim.inputs.errors import Problem, ScenarioError
from sim.inputs.reader import brief
from sim.inputs.resources import doctrines_folder
from sim.inputs.yamlio import SourceMap, load_mapping

DOCTRINES = doctrines_folder()
Number = Annotated[float, Field(allow_inf_nan=False)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Condition(_Strict):
    """One test on what the role can observe; every condition of a rule must hold."""

    metric: str | None = None
    above: Number | None = None
    below: Number | None = None
    vs_status_quo: bool = False  # compare the ratio to the status quo, not the value
    # Noise guards for small counts: the mean over the last N quarters played (the
    # condition fails until N were played), and, with vs_status_quo, a least excess over
    # the status quo in the metric's own units per quarter.
    quarters: Annotated[int, Field(ge=1, le=8)] = 1
    margin: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None
    turn_from: Annotated[int, Field(ge=1)] | None = None
    turn_to: Annotated[int, Field(ge=1)] | None = None
    deal: str | None = None
    active: bool = True
    pending_offer: str | None = None
    never_broke: str | None = None  # holds while the role has never broken this deal
    refused: str | None = None  # holds while the partner's refusal of this offer is recent

    @model_validator(mode="after")
    def _one_test(self):
        if self.metric is not None and self.above is None and self.below is None:
            raise ValueError("a metric condition needs 'above' or 'below'")
        if (self.above is not None or self.below is not None) and self.metric is None:
            raise ValueError("'above'/'below' need a 'metric'")
        if self.margin is not None and not self.vs_status_quo:
            raise ValueError("'margin' is the least excess over the status quo: it needs "
                             "'vs_status_quo: true'")  # fmt: skip
        if not any(
            v is not None
            for v in (
                self.metric, self.turn_from, self.turn_to, self.deal, self.pending_offer,
                self.never_broke,
                self.refused,
            )
        ):  # fmt: skip
            raise ValueError(
                "a condition needs metric, turn_from, turn_to, deal, pending_offer, "
                "never_broke or refused"
            )
        return self


class Rule(_Strict):
    name: str
    when: list[Condition] = []
    set: dict[str, Number] = {}
    adjust: dict[str, Number] = {}
    propose: str | None = None
    break_deal: str | None = Field(default=None, alias="break")
    because: Annotated[str, Field(min_length=3)]

    @model_validator(mode="after")
    def _some_action(self):
        if not (self.set or self.adjust or self.propose or self.break_deal):
            raise ValueError("a rule needs an action: set, adjust, propose or break")
        return self


class Answer(_Strict):
    offer: str
    when: list[Condition] = []
    accept: bool
    because: Annotated[str, Field(min_length=3)]


class DoctrineFile(_Strict):
    role: str
    title: str
    description: str = ""
    rules: list[Rule] = []
    answers: list[Answer] = []


@dataclass(frozen=True)
class Doctrine:
    role: str
    title: str
    path: str
    rules: tuple[Rule, ...]
    answers: tuple[Answer, ...]


def known_metrics() -> set[str]:
    from sim.model.recorder import METRICS

    return set(METRICS) | set(DERIVED) | {f"score.{r}" for r in ROLES}


def load_doctrine(path: str | Path) -> Doctrine:
    """Load and validate a doctrine file, or raise ScenarioError listing every problem."""
    from sim.inputs.scenario import _pydantic_problems

    path = Path(path)
    name = str(path)
    data, smap = load_mapping(path, what="doctrine")
    try:
        parsed = DoctrineFile.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(_pydantic_problems(exc, smap, name, DoctrineFile)) from None
    problems = _check_names(parsed, smap, name)
    problems += [] if problems else _check_coherence(parsed, smap, name)
    if problems:
        raise ScenarioError(problems)
    return Doctrine(parsed.role, parsed.title, name, tuple(parsed.rules), tuple(parsed.answers))


def load_doctrine_for(role: str, path: str | Path) -> Doctrine:
    """``load_doctrine``, refusing a doctrine written for another role (at its role line)."""
    d = load_doctrine(path)
    if d.role != role:
        _, smap = load_mapping(Path(path), what="doctrine")
        msg = f"this is a doctrine for {d.role}, not {role}"
        raise ScenarioError([smap.problem(("role",), msg, str(path))])
    return d


def default_doctrine(role: str) -> Doctrine:
    return load_doctrine(DOCTRINES / f"{role}.yaml")


def _check_names(d: DoctrineFile, smap: SourceMap, name: str) -> list[Problem]:
    """Names pydantic cannot check: the role, its levers and ranges, metrics, offers."""
    out: list[Problem] = []
    if d.role not in ROLES:
        msg = (
            f"unknown role {brief(d.role)}; expected one of {', '.join(ROLES)} "
            "(groups are not playable)"
        )
        return [smap.problem(("role",), msg, name)]
    levers = role_levers(d.role)
    metrics = known_metrics()
    mine = [o for o, k in OFFERS.items() if d.role in k.parties]

    def check_offer(value, where):
        if value is not None and value not in mine:
            msg = f"unknown offer {brief(value)} for {d.role}; expected one of {', '.join(mine)}"
            out.append(smap.problem(where, msg, name))

    def check_conditions(conds, at):
        for j, c in enumerate(conds):
            where = at + ("when", j)
            if c.metric is not None and c.metric not in metrics:
                hint = _close(c.metric, metrics)
                out.append(
                    smap.problem(
                        where + ("metric",), f"unknown metric {brief(c.metric)}{hint}", name
                    )
                )
            for key in ("deal", "pending_offer", "never_broke", "refused"):
                check_offer(getattr(c, key), where + (key,))

    for i, rule in enumerate(d.rules):
        at = ("rules", i)
        check_conditions(rule.when, at)
        for section in ("set", "adjust"):
            for lever, value in getattr(rule, section).items():
                where = at + (section, lever)
                spec = levers.get(lever)
                if spec is None:
                    msg = f"{d.role} has no lever {brief(lever)}{_close(lever, levers)}"
                    out.append(smap.problem(where, msg, name))
                elif section == "set" and not spec.low <= value <= spec.high:
                    msg = (
                        f"expected a value from {spec.low:g} to {spec.high:g} ({spec.unit}), "
                        f"got {brief(value)}"
                    )
                    out.append(smap.problem(where, msg, name))
        check_offer(rule.propose, at + ("propose",))
        check_offer(rule.break_deal, at + ("break",))
    for i, ans in enumerate(d.answers):
        at = ("answers", i)
        check_conditions(ans.when, at)
        if ans.offer != "any" and ans.offer not in mine:
            options = ", ".join(mine)
            msg = (
                f"unknown offer {brief(ans.offer)} for {d.role}; expected 'any' or one of {options}"
            )
            out.append(smap.problem(at + ("offer",), msg, name))
    return out


def _against(term, lever: str, section: str, value: float) -> bool:
    """Whether setting (or adjusting by) ``value`` moves ``lever`` against a deal's term."""
    if term.lever != lever:
        return False
    if section == "set":
        return not term.holds(value)
    return value > 0 if term.op == "<=" else value < 0


def exclusive(a: Rule, b: Rule, offer: str) -> bool:
    """Whether rules ``a`` (which proposes ``offer``) and ``b`` can never fire in the same
    turn: ``b`` waits for the offer's refusal (the cooldown bars a new offer) or for the
    deal in force (no new offer then), or their turn windows or metric ranges are disjoint."""
    for c in b.when:
        if c.refused == offer or (c.deal == offer and c.active):
            return True
    for ca in a.when:
        for cb in b.when:
            if ca.metric is not None and ca.metric == cb.metric and ca.quarters == cb.quarters \
                    and ca.vs_status_quo == cb.vs_status_quo:  # fmt: skip
                if ca.above is not None and cb.below is not None and cb.below <= ca.above:
                    return True
                if ca.below is not None and cb.above is not None and ca.below <= cb.above:
                    return True
            lo_a, hi_a = ca.turn_from or 1, ca.turn_to or 10**9
            lo_b, hi_b = cb.turn_from or 1, cb.turn_to or 10**9
            windows = (ca.turn_from or ca.turn_to) and (cb.turn_from or cb.turn_to)
            if windows and (hi_a < lo_b or hi_b < lo_a):
                return True
    return False


def _check_coherence(d: DoctrineFile, smap: SourceMap, name: str) -> list[Problem]:
    """A doctrine may not propose a deal and, in a turn where that rule can fire, move one
    of its own levers against the deal's terms (offer an open border and close it)."""
    out: list[Problem] = []
    for i, a in enumerate(d.rules):
        if a.propose is None:
            continue
        terms = OFFERS[a.propose].terms_for(d.role)
        for j, b in enumerate(d.rules):
            for section in ("set", "adjust"):
                for lever, value in getattr(b, section).items():
                    hit = next((t for t in terms if _against(t, lever, section, value)), None)
                    if hit is None or (i != j and exclusive(a, b, a.propose)):
                        continue
                    msg = (
                        f"rule {b.name!r} moves {lever} against the terms of "
                        f"{a.propose} ({hit}), which rule {a.name!r} offers in the same turn; "
                        f"add a condition such as {{refused: {a.propose}}} so they cannot "
                        "both fire"
                    )
                    out.append(smap.problem(("rules", j, section, lever), msg, name))
    return out


def _close(word: str, options) -> str:
    import difflib

    hits = difflib.get_close_matches(word, list(options), n=1)
    return f" (did you mean {hits[0]!r}?)" if hits else ""


# ------------------------------------------------------------------ deciding


@dataclass(frozen=True)
class Context:
    """What a role sees when it decides: public observations, its deals and offers."""

    turn: int  # the turn about to be played, from 1
    observed: dict[str, float]  # medians over the runs, last quarter (or the outlook)
    status_quo: dict[str, float]
    active_deals: frozenset[str]
    pending_offers: frozenset[str]  # offer kinds addressed to the role
    broken_by_me: frozenset[str] = frozenset()  # deal kinds the role has broken
    refused_recently: frozenset[str] = frozenset()  # its offers refused within the cooldown
    history: tuple[tuple[dict[str, float], dict[str, float]], ...] = ()  # (observed, sq) per turn


def _fmt(x: float) -> str:
    return f"{x:.3g}" if abs(x) < 1000 else f"{x:,.0f}"


def check(cond: Condition, ctx: Context) -> tuple[bool, str]:
    """Whether a condition holds, and the evidence in words."""
    if cond.metric is not None:
        n = cond.quarters
        if n > 1:
            if len(ctx.history) < n:
                return False, f"fewer than {n} quarters played"
            recent = ctx.history[-n:]
            value = sum(o[cond.metric] for o, _ in recent) / n
            base = sum(q.get(cond.metric, 0.0) for _, q in recent) / n
            over = f" over the last {n} quarters"
        else:
            value = ctx.observed[cond.metric]
            base = ctx.status_quo.get(cond.metric, 0.0)
            over = ""
        shown = f"{cond.metric} {_fmt(value)}{over}"
        ok = True
        if cond.vs_status_quo:
            ratio = value / base if base else 1.0
            shown = f"{cond.metric} at {ratio:.2f}x the status quo{over}"
            if cond.margin is not None:
                ok = value - base > cond.margin
                shown += f", {value - base:+.3g} a quarter"
            value = ratio
        ok = (
            ok
            and (cond.above is None or value > cond.above)
            and (cond.below is None or value < cond.below)
        )
        return ok, shown
    if cond.turn_from is not None or cond.turn_to is not None:
        ok = (cond.turn_from or 1) <= ctx.turn <= (cond.turn_to or 10**9)
        return ok, f"it is turn {ctx.turn}"
    if cond.deal is not None:
        on = cond.deal in ctx.active_deals
        return on == cond.active, f"the {cond.deal} deal is {'in force' if on else 'not in force'}"
    if cond.never_broke is not None:
        kept = cond.never_broke not in ctx.broken_by_me
        return kept, f"it has {'never' if kept else 'once'} broken the {cond.never_broke} deal"
    if cond.refused is not None:
        on = cond.refused in ctx.refused_recently
        return on, f"its {cond.refused} offer was {'recently refused' if on else 'not refused'}"
    on = cond.pending_offer in ctx.pending_offers
    return on, f"an offer of {cond.pending_offer} is on the table"


def holds(conds, ctx: Context) -> tuple[bool, list[str]]:
    """Whether every condition holds, and each one's evidence in words (all of them: a
    reason names every condition that fired)."""
    evidence = []
    for c in conds:
        ok, shown = check(c, ctx)
        if not ok:
            return False, []
        evidence.append(shown)
    return True, evidence


def _words(evidence: str) -> str:
    """'attacks.PAK at 1.20x the status quo' -> 'attacks in Pakistan at 1.20x the status quo'."""
    from sim.game.rules import metric_label

    head, _, rest = evidence.partition(" ")
    if "." in head or head in DERIVED or head in known_metrics():
        at = "at " if rest[:1].isdigit() else ""
        return f"{metric_label(head)} {at}{rest}".strip()
    return evidence


def reason(because: str, evidence: list[str]) -> str:
    """A clause to follow 'because': the doctrine's reason, then the conditions that fired
    ('... , as attacks in Pakistan at 1.20x the status quo and turn 3')."""
    text = because.strip().rstrip(".")
    if evidence:
        words = [_words(e) for e in evidence]
        last = words[-1] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
        text += ", as " + last
    return text


__all__ = ["Doctrine", "Context", "load_doctrine", "default_doctrine", "holds", "reason"]
