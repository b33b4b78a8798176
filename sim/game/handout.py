"""Printable teacher handouts: one HTML page per lesson (print it, or save it as PDF from
the browser), with the briefing, every role's goals, a 50-minute timing plan and the
discussion questions. Generated from the lesson pack and the game's rules, so it never
drifts from what students play.

    python -m sim.game.handout            # writes docs/lessons/<name>/handout.html
"""

from __future__ import annotations

import html
import sys
from pathlib import Path

from sim.game import rules as R

CLASS_MINUTES = 50

CSS = """
body{font-family:Georgia,serif;max-width:46em;margin:1.5em auto;color:#111;line-height:1.35}
h1{font-size:1.5em;margin-bottom:0.2em}h2{font-size:1.15em;border-bottom:1px solid #999;
margin-top:1.2em}table{border-collapse:collapse;width:100%}td,th{border:1px solid #aaa;
padding:3px 6px;font-size:0.92em;vertical-align:top;text-align:left}th{background:#eee}
.meta{color:#444}.role{break-inside:avoid;margin:0.4em 0}.small{font-size:0.85em;color:#444}
@media print{body{margin:0;max-width:none;font-size:11pt}h2{break-after:avoid}
a{color:#000;text-decoration:none}.noprint{display:none}@page{size:A4;margin:16mm}}
"""


def timing_plan(turns: int, minutes: int = CLASS_MINUTES) -> list[tuple[int, int, str]]:
    """(start, length, activity) rows filling ``minutes``: set-up, a guided first turn, the
    other turns, and a debrief that keeps at least a quarter of the class."""
    fixed = [(5, "Introduction: the region, the four states, what a score of 50 means"),
             (5, "Teams read their briefing and goals; seats and devices ready"),
             (7, "Turn 1, guided: the teacher walks every team through one move")]  # fmt: skip
    debrief = max(minutes // 4, 10)
    left = minutes - sum(m for m, _ in fixed) - debrief
    rest = max(turns - 1, 0)
    per = max(left // rest, 1) if rest else 0
    rows, t = [], 0
    for length, what in fixed:
        rows.append((t, length, what))
        t += length
    if rest:
        rows.append((t, per * rest, f"Turns 2-{turns}: about {per} minutes a turn "
                                    "(the teacher may force a turn to end)"))  # fmt: skip
        t += per * rest
    rows.append((t, minutes - t, "Debrief: scores against the status quo, the causes, "
                                 "discussion questions"))  # fmt: skip
    return rows


def render(lesson) -> str:
    e = html.escape
    spec = lesson.spec
    people = spec.people or list(R.ROLES)
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>Teacher handout: {e(spec.title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{e(spec.title)}</h1>",
        f"<p class='meta'>{e(spec.level)} · {CLASS_MINUTES}-minute class · "
        f"{R.count(spec.turns, 'turn')} of {R.MONTHS_PER_TURN} months · seed "
        f"{spec.seed} · start: <code>durand play --lesson {e(lesson.name)}</code></p>",
        "<h2>Learning goals</h2><ul>",
        *[f"<li>{e(g)}</li>" for g in spec.learning_goals],
        "</ul><h2>Briefing (read aloud or hand out)</h2>",
        *[f"<p>{e(p.strip())}</p>" for p in spec.briefing.split("\n\n") if p.strip()],
        "<h2>The roles and their goals</h2>",
    ]
    for role in R.ROLES:
        goal = R.GOALS[role]
        who = "a team" if role in people else "a bot"
        comps = ", ".join(
            f"{c.label} ({c.better} is better, {c.weight:.0%})" for c in goal.components
        )
        prices = [f"{k.split('.', 1)[1]}: {v}" for k, v in R.PRICES.items()
                  if k.startswith(f"{role}.")]  # fmt: skip
        parts.append(
            f"<div class='role'><b>{e(R.ROLE_NAMES[role])} ({role})</b>, played by {who}. "
            f"{e(goal.summary)}<br><span class='small'>Scored on: {e(comps)}."
            + (f" Prices: {e('; '.join(prices))}." if prices else "")
            + "</span></div>"
        )
    parts.append(
        "<p class='small'>A score of 50 means 'as if nobody had changed course' (the same "
        "model runs with no one acting); scores are stretched so typical strategies spread "
        "over roughly 25-75.</p>"
    )
    parts.append("<h2>Timing plan (50 minutes)</h2><table><tr><th>minute</th><th>length</th>"
                 "<th>activity</th></tr>")  # fmt: skip
    for start, length, what in timing_plan(spec.turns):
        parts.append(f"<tr><td>{start}</td><td>{length} min</td><td>{e(what)}</td></tr>")
    parts.append("</table>")
    if spec.teacher_events:
        parts.append("<h2>Scheduled events</h2><ul>")
        for cue in spec.teacher_events:
            parts.append(f"<li>Turn {cue.turn}: {e(R.TEACHER_EVENTS[cue.event][1])} "
                         f"<span class='small'>({e(cue.note)})</span></li>")  # fmt: skip
        parts.append("</ul>")
    parts.append("<h2>What to look for</h2><ul>")
    parts += [f"<li>{e(x)}</li>" for x in spec.look_for]
    parts.append("</ul><h2>Discussion questions</h2><ol>")
    parts += [f"<li>{e(q)}</li>" for q in spec.discussion_questions]
    parts.append(
        "</ol><p class='small'>Durand is a teaching abstraction built from five news "
        "reports and op-eds (2023-2025), not a forecast. Every 'what to look for' statement "
        "is checked against the model by tests/test_lesson_claims.py.</p></body></html>"
    )
    return "\n".join(parts)


def write_all(folder: Path | None = None) -> list[Path]:
    from sim.game.lessons import LESSONS, available, load_lesson

    folder = folder or LESSONS
    out = []
    for name in available(folder):
        lesson = load_lesson(name, folder)
        path = lesson.folder / "handout.html"
        path.write_text(render(lesson), encoding="utf-8")
        out.append(path)
    return out


if __name__ == "__main__":
    for p in write_all():
        print(p, file=sys.stdout)
