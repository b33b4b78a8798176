"""What never changes during a class, sent once to every page: lever cards in plain
language (meaning, range, cost, the source sentence), goals, deals with their full terms,
the teacher's events and the regions on the map. All of it comes from sim.game.rules and
the model's parameter registry; only the short lever titles are written here."""

from __future__ import annotations

from functools import cache

from sim.game import rules as R

# Short titles for the lever cards (the registry's unit text says what each one means).
LEVER_TITLES = {
    "military_aid_pak": "Military aid to Pakistan",
    "civil_aid_pak": "Civilian aid to Pakistan",
    "do_more": "'Do more' conditions on aid",
    "ct_salience": "Priority given to counterterrorism",
    "intel_sharing": "Intelligence sharing with Pakistan",
    "joint_ops": "Joint operations",
    "help_vs_ttp_bla": "Help Pakistan against TTP and BLA",
    "drone_strikes": "Drone strikes in the border regions",
    "weapons_retrieval": "Retrieve weapons left in Afghanistan",
    "reserves_release": "Release frozen Afghan reserves",
    "ct_effort": "Forces committed to counterterrorism",
    "support_vs_iskp": "Support the US against ISKP",
    "deportation": "Deport undocumented Afghans",
    "border_closure": "Close the border",
    "ttp_tolerance": "Tolerate TTP on Afghan soil",
    "action_vs_iskp": "Act against ISKP",
    "cooperation_pak": "Cooperate with Pakistan",
    "cpec_investment": "Invest in CPEC (Pakistan)",
    "afghan_mining": "Invest in Afghan mining",
    "security_pressure": "Press Pakistan to protect CPEC",
}

# The public outcome figures every page may show (label, number format digits).
OUTCOMES = (
    ("attacks.PAK", "Attacks in Pakistan", 0),
    ("attacks.AFG", "Attacks in Afghanistan", 0),
    ("attacks.china_interests", "Attacks on Chinese interests", 0),
    ("fatalities.PAK", "Deaths in Pakistan", 0),
    ("strength.TTP", "TTP strength", 2),
    ("strength.ISKP", "ISKP strength", 2),
    ("strength.BLA", "BLA strength", 2),
    ("joint_ops", "Joint US-Pakistan operations", 0),
    ("tension.PAK-AFG", "Pakistan-Taliban tension", 2),
    ("trust.PAK-US", "Pakistan's trust in the US", 2),
    ("economy.PAK", "Pakistan's economy", 3),
    ("stability.AFG", "Taliban regime stability", 3),
)


def _seed_name(seed: str) -> str:
    return seed.split("_", 1)[0]


def lever_cards(role: str) -> list[dict]:
    from sim.inputs.parameters import registry

    specs = registry()
    cards = []
    for name, lever in R.role_levers(role).items():
        spec = specs[f"levers.{role}.{name}"]
        cards.append(
            {
                "name": name,
                "title": LEVER_TITLES.get(name, name.replace("_", " ").capitalize()),
                "meaning": lever.unit,
                "low": lever.low,
                "high": lever.high,
                "default": lever.default,
                "spending": lever.spending,
                "step": 10.0 if lever.high > 100 else 0.05,
                "sources": [{"seed": _seed_name(q.seed), "quote": q.quote} for q in spec.sources],
                "assumption": spec.assumption or "",
            }
        )
    return cards


def offer_kinds() -> list[dict]:
    return [
        {
            "name": k.name,
            "title": k.title,
            "parties": list(k.parties),
            "terms": [
                {
                    "role": t.role,
                    "lever": t.lever,
                    "op": t.op,
                    "value": t.value,
                    "title": LEVER_TITLES.get(t.lever, t.lever),
                }
                for t in k.terms
            ],  # fmt: skip
            "source": k.source,
        }
        for k in R.OFFERS.values()
    ]


@cache
def catalog() -> dict:
    """Everything static a page needs, as one JSON-ready mapping."""
    from sim.model.geography import geography

    roles = {}
    for role in R.ROLES:
        goal = R.GOALS[role]
        roles[role] = {
            "name": R.ROLE_NAMES[role],
            "budget": R.budget(role),
            "goal": goal.summary,
            "goal_source": goal.source,
            "components": [
                {"metric": c.metric, "label": c.label, "better": c.better, "weight": c.weight}
                for c in goal.components
            ],
            "levers": lever_cards(role),
        }
    return {
        "roles": roles,
        "order": list(R.ROLES),
        "offers": offer_kinds(),
        "events": [{"name": k, "text": v[1]} for k, v in R.TEACHER_EVENTS.items()],
        "outcomes": [{"metric": m, "label": label, "digits": d} for m, label, d in OUTCOMES],
        "regions": [
            {"id": r.id, "name": r.name, "country": r.country} for r in geography().regions
        ],
        "months_per_turn": R.MONTHS_PER_TURN,
    }
