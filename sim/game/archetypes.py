"""Archetype strategies: simple, fixed ways to play a seat, for the balance benchmark,
the lessons' reference strategies and ``durand play --tournament``.

An archetype is a named plan per role: the levers it sets at the start (and holds), the
deals it proposes, whether it accepts offers, and whether it breaks a deal once its
partner has delivered. Archetypes drive the engine directly (no front end), through the
same commands a person would send, so they obey budgets, ranges and deal terms.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

from sim.game import rules as R

ARCHETYPES = (
    "nothing",
    "hawk",
    "deal_keeper",
    "deal_breaker",
    "hard_border",
    "economy_first",
    "free_rider",
)
ARCHETYPE_TEXT = {
    "nothing": "changes nothing and refuses every offer",
    "hawk": "maximum force: every military lever up",
    "deal_keeper": "proposes and accepts its deals, and keeps them",
    "deal_breaker": "strikes deals, then breaks them once the partner has delivered",
    "hard_border": "coercion: border, deportations, aid cuts, conditionality",
    "economy_first": "money and the economy before force",
    "free_rider": "cuts its own costs and lets others carry the fight",
}


@dataclass(frozen=True)
class Plan:
    levers: dict[str, float] = field(default_factory=dict)
    propose: tuple[str, ...] = ()
    accept: bool | tuple[str, ...] = False  # every offer, none, or these kinds only
    breaks: bool = False  # break every deal one turn after it was struck


_DEALS = {r: tuple(k for k, o in R.OFFERS.items() if r in o.parties) for r in R.ROLES}

PLANS: dict[str, dict[str, Plan]] = {
    "nothing": {r: Plan() for r in R.ROLES},
    "hawk": {
        "US": Plan({"drone_strikes": 1.0, "joint_ops": 1.0, "intel_sharing": 1.0,
                    "ct_salience": 1.0, "weapons_retrieval": 1.0}),
        "PAK": Plan({"ct_effort": 1.0, "ct_salience": 1.0, "joint_ops": 1.0}),
        "AFG": Plan({"action_vs_iskp": 1.0, "ct_salience": 1.0}),
        "CHN": Plan({"security_pressure": 1.0, "ct_salience": 1.0}),
    },
    "deal_keeper": {r: Plan(propose=_DEALS[r], accept=True) for r in R.ROLES},
    "deal_breaker": {r: Plan(propose=_DEALS[r], accept=True, breaks=True) for r in R.ROLES},
    "hard_border": {
        "US": Plan({"military_aid_pak": 0.0, "do_more": 1.0, "drone_strikes": 0.6}),
        "PAK": Plan({"deportation": 1.0, "border_closure": 1.0, "ct_effort": 1.0}),
        "AFG": Plan({"ttp_tolerance": 1.0, "cooperation_pak": 0.0}),
        "CHN": Plan({"security_pressure": 1.0, "cpec_investment": 300.0}),
    },
    "economy_first": {
        # Twice the reference aid as civil aid, military aid kept at the reference (100
        # USD M/yr since the one-off $400M pledge is spread over four years).
        "US": Plan({"civil_aid_pak": 200.0, "military_aid_pak": 100.0,
                    "reserves_release": 0.5, "do_more": 0.0}),
        "PAK": Plan({"deportation": 0.0, "border_closure": 0.0, "ct_effort": 0.6}),
        "AFG": Plan({"cooperation_pak": 1.0, "ttp_tolerance": 0.3, "action_vs_iskp": 0.8}),
        "CHN": Plan({"cpec_investment": 2400.0, "afghan_mining": 600.0,
                     "security_pressure": 0.3}),
    },
    "free_rider": {
        "US": Plan({"military_aid_pak": 0.0, "civil_aid_pak": 0.0, "joint_ops": 0.0,
                    "intel_sharing": 0.0, "ct_salience": 0.0}),
        "PAK": Plan({"ct_effort": 0.3, "joint_ops": 0.0, "support_vs_iskp": 0.0}),
        "AFG": Plan({"action_vs_iskp": 0.0, "ttp_tolerance": 1.0, "cooperation_pak": 0.0}),
        "CHN": Plan({"cpec_investment": 0.0, "afghan_mining": 0.0, "security_pressure": 0.0}),
    },
}  # fmt: skip


def _set(game, role: str, lever: str, value: float, why: str) -> None:
    """Set a lever within its range and the role's budget (skipped if the rules refuse)."""
    from sim.game.engine import GameError

    spec = R.role_levers(role)[lever]
    value = min(max(value, spec.low), spec.high)
    if spec.spending:
        room = R.budget(role) - game.spending(role, {lever: 0.0})
        value = min(value, max(room, 0.0))
    if abs(value - game.lever(role, lever)) > 1e-9:
        with contextlib.suppress(GameError):
            game.set_lever(role, lever, value, why, by="bot")


def play(game, role: str, archetype: str | Plan) -> None:
    """Make one turn's moves for ``role`` as ``archetype`` (a name, or a Plan of its own):
    answers first, then deals broken, levers held, deals proposed."""
    from sim.game.engine import GameError

    if isinstance(archetype, Plan):
        plan, why = archetype, "its reference plan"
    else:
        plan = PLANS[archetype][role]
        why = f"it plays the {archetype.replace('_', ' ')} plan ({ARCHETYPE_TEXT[archetype]})"
    for o in game.pending_for(role):
        yes = plan.accept if isinstance(plan.accept, bool) else o.kind in plan.accept
        try:
            game.answer(role, o.id, yes, why, by="bot")
        except GameError:
            game.answer(role, o.id, False, why, by="bot")
    if plan.breaks:
        for o in game.deals(role):
            if o.accepted_turn is not None and o.accepted_turn < game.turn:
                game.break_deal(role, o.id, why, by="bot")
                # and stop honouring its own terms: back to the scenario's levers
                start = game.scenario.levers[role]
                for t in o.spec.terms_for(role):
                    _set(game, role, t.lever, start[t.lever], why)
    locked = {t.lever for t, _ in game.commitments(role)}
    for lever, value in plan.levers.items():
        if lever not in locked:
            _set(game, role, lever, value, why)
    broken_by_me = {o.kind for o in game.offers if o.broken_by == role}
    broken_on_me = {o.kind for o in game.offers if o.broken_by not in (None, role)
                    and role in o.spec.parties}  # fmt: skip
    for kind in plan.propose:
        if (kind in broken_by_me and plan.breaks) or kind in broken_on_me:
            continue  # a breaker moves on; nobody re-offers a deal its partner broke
        with contextlib.suppress(GameError):
            game.propose(role, kind, why, by="bot")


def play_game(game, plans: dict[str, str | Plan | None], lesson=None) -> dict[str, float]:
    """Play a whole game: each role by its archetype, or by its bot doctrine when None.
    Returns the final (mean) scores."""
    from sim.game.lessons import play_due_cues

    while not game.finished:
        play_due_cues(game, lesson)
        for role in R.ROLES:
            plan = plans.get(role)
            if plan is None:
                game.play_bot(role)
            else:
                play(game, role, plan)
        game.end_turn()
    return game.final_scores()
