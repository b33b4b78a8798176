"""Per-audience views of the class: the flow's own view of a table (which already holds
only what that audience may see) plus what the pages draw around it: the table number,
the turn clock, who has joined, and the map's figures (public: attacks per region)."""

from __future__ import annotations

from sim.game import rules as R


def presence(params) -> dict[str, dict[str, float]]:
    """Where each militant group is based (share of its presence per region)."""
    from sim import GROUPS
    from sim.model.geography import REGIONS

    return {
        g: {
            r: round(float(x), 3)
            for r, x in zip(REGIONS, params.groups.presence[i], strict=True)
            if x > 0
        }
        for i, g in enumerate(GROUPS)
    }


def map_figures(game) -> dict:
    """Attacks per region in the last quarter played (and under the status quo), or the
    opening outlook before the first turn; where each group is based."""
    from sim.model.geography import REGIONS

    observed, sq = game.observation()
    return {
        "quarter": game.quarter(game.played) if game.played else f"outlook {game.quarter(1)}",
        "attacks": {r: round(observed.get(f"attacks.{r}", 0.0), 1) for r in REGIONS},
        "status_quo": {r: round(sq.get(f"attacks.{r}", 0.0), 1) for r in REGIONS},
        "presence": presence(game.model.params),
    }


def _joined(room, n: int) -> dict[str, str]:
    return {s["role"]: s.get("name") or "joined" for s in room.seats.values() if s["table"] == n}


def _frame(room, t) -> dict:
    left = room.seconds_left(t)
    return {
        "table": t.number,
        "tables": len(room.tables),
        "started": room.started,
        "seconds_left": None if left is None else round(left, 1),
        "timer_seconds": room.timer_seconds,
        "joined": _joined(room, t.number),
        "map": map_figures(t.game),
        "title": room.title,
    }


def seat_view(room, t, role: str) -> dict:
    view = t.flow.view(role)
    view.update(_frame(room, t))
    over = t.flow.phase == "over"
    view["debrief"] = f"/debrief/{t.number}/" if over and t.game.played else None
    if over and room.lesson is not None:
        view["discussion"] = list(room.lesson.spec.discussion_questions)
        view["look_for"] = list(room.lesson.spec.look_for)
    return view


def teacher_view(room) -> dict:
    tables = []
    for t in room.tables.values():
        view = t.flow.view("teacher")
        view.update(_frame(room, t))
        tables.append(view)
    return {
        "audience": "teacher",
        "title": room.title,
        "started": room.started,
        "timer_seconds": room.timer_seconds,
        "tables": tables,
        "lesson": None
        if room.lesson is None
        else {
            "title": room.lesson.spec.title,
            "cues": [c.model_dump() for c in room.lesson.spec.teacher_events],
            "discussion": list(room.lesson.spec.discussion_questions),
        },
    }


def projector_view(room, which) -> dict:
    """One table's public view, or every table's side by side (scores only where the
    flow shows them to the room: after a reveal or the game's end)."""
    numbers = list(room.tables) if which == "all" else [which]
    tables = []
    for n in numbers:
        t = room.tables[n]
        view = t.flow.view("projector")
        view.update(_frame(room, t))
        tables.append(view)
    return {
        "join_url": room.join_url,
        "started": room.started,
        "audience": "projector",
        "which": which,
        "title": room.title,
        "tables": tables,
        "roles": list(R.ROLES),
    }
