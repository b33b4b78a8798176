"""The guided first turn: a few steps a newcomer reads before the first move, built from
the seat's goals, its strongest levers with their prices and the deals it can offer.
Front ends show them (text: hints at the prompt; window and browser: the view's 'guide')."""

from __future__ import annotations

from sim.game import rules as R


def guide(game, role: str) -> list[dict[str, str]] | None:
    """Steps for ``role``'s first turn (None once a turn has been played)."""
    if game.played > 0:
        return None
    goal = R.GOALS[role]
    top = sorted(goal.components, key=lambda c: -c.weight)[:2]
    priced = [k.split(".", 1)[1] for k in R.PRICES if k.startswith(f"{role}.")][:2]
    deals = [k for k in R.OFFERS.values() if role in k.parties]
    steps = [
        {
            "step": "goal",
            "text": f"Your goal: {goal.summary} Most of your score is "
            f"{top[0].label} ({top[0].better} is better) and {top[1].label}. 50 means "
            "'as if nobody had changed course'.",
        },
        {
            "step": "levers",
            "text": "Every strong lever has a price: "
            + "; ".join(f"{n}: {R.PRICES[f'{role}.{n}']}" for n in priced)
            + ". Try one change first, e.g. 'set "
            + priced[0]
            + " VALUE because ...'.",
        },
    ]
    if deals:
        d = deals[0]
        steps.append(
            {
                "step": "deal",
                "text": f"You can offer a deal, e.g. 'offer {d.name}' ({d.title}). A deal "
                "binds both sides' levers; breaking it costs the partner's trust in you, "
                "and both sides see it.",
            }
        )
    steps.append(
        {
            "step": "done",
            "text": "Type 'done' to end your move. After the quarter you see the results, "
            "your score with its trend, and your partners' trust in you.",
        }
    )
    return steps
