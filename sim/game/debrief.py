"""The debrief: an HTML report with PNG charts (matplotlib, Agg) for after the game.

It shows each role's outcome against its goals, every decision with the reason its
player or bot gave, and the causal explanation built from the recorded metrics.
"""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np

from sim.game import rules as R
from sim.game.explain import causes, measure
from sim.inputs.errors import OutputError
from sim.model.recorder import COUNT_METRICS

# Okabe-Ito, the colour-blind-safe palette of viz/theme.py (blue for US's sky and black
# for China's grey, to read on white), with a marker each so lines differ without colour.
COLORS = {"US": "#0072B2", "PAK": "#009E73", "AFG": "#E69F00", "CHN": "#000000"}
MARKERS = {"US": "o", "PAK": "s", "AFG": "^", "CHN": "D"}


def component_totals(game, metric: str) -> tuple[float, float]:
    """(game, status quo) for a goal component over the turns played."""
    if metric in R.DERIVED:
        pairs = [component_totals(game, m) for m in R.DERIVED[metric]]
        return float(np.mean([p[0] for p in pairs])), float(np.mean([p[1] for p in pairs]))
    if metric.startswith("lever."):  # a lever held: its mean over the turns played
        return (float(np.mean([t.observed[metric] for t in game.results])),
                float(np.mean([t.status_quo[metric] for t in game.results])))  # fmt: skip
    how = "sum" if metric in COUNT_METRICS or metric.startswith("aid.") else "last"
    return measure(game, metric, how)


def quarterly(model, metric: str, turns: int) -> np.ndarray:
    """(turns, 3) 25th, 50th, 75th percentiles over the runs, per quarter."""
    from sim.model.recorder import INDEX

    block = model.recorder.by_metric[: turns * R.MONTHS_PER_TURN, INDEX[metric], :]
    q = block.astype(np.float64).reshape(turns, R.MONTHS_PER_TURN, -1)
    per = q.sum(axis=1) if metric in COUNT_METRICS else q[:, -1, :]
    return np.percentile(per, [25, 50, 75], axis=1).T


def _charts(game, folder: Path) -> list[tuple[str, str]]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sim.run.files import atomic_path

    turns = game.played
    x = np.arange(1, turns + 1)
    out = []

    fig, ax = plt.subplots(figsize=(7, 3.6), dpi=100)
    for role in R.ROLES:
        ax.plot(x, [t.scores[role] for t in game.results], marker=MARKERS[role], label=role,
                color=COLORS[role])  # fmt: skip
    ax.axhline(50, color="grey", lw=1, ls="--")
    lo, hi = score_limits([t.scores[r] for t in game.results for r in R.ROLES])
    ax.set(xlabel="turn", ylabel="score (50 = status quo)", ylim=(lo, hi),
           title="Scores per turn (the axis spans the scores played, not 0-100)")  # fmt: skip
    ax.set_xticks(x)
    ax.legend(ncol=4, fontsize=8, loc="lower left")
    fig.tight_layout()
    with atomic_path(folder / "scores.png") as tmp:
        fig.savefig(tmp, format="png")
    plt.close(fig)
    out.append(("scores.png", "Each role's score per turn against the status quo (dashed)."))

    panels = (
        ("attacks.PAK", "attacks in Pakistan", "attacks per quarter"),
        ("attacks.china_interests", "attacks on Chinese interests", "attacks per quarter"),
        ("strength.ISKP", "ISKP strength", "index (1 = January 2023)"),
        ("strength.TTP", "TTP strength", "index (1 = January 2023)"),
        ("tension.PAK-AFG", "Pakistan-Taliban tension", "0 (calm) to 1"),
        ("trust.PAK-US", "Pakistan's trust in the US", "0 to 1"),
    )
    fig, axes = plt.subplots(2, 3, figsize=(10, 5.4), dpi=100)
    for ax, (metric, title, unit) in zip(axes.flat, panels, strict=True):
        for model, label, color in ((game.status_quo, "status quo", "grey"),
                                    (game.model, "the game", COLORS["US"])):  # fmt: skip
            q = quarterly(model, metric, turns)
            ax.fill_between(x, q[:, 0], q[:, 2], color=color, alpha=0.2, lw=0)
            ax.plot(x, q[:, 1], color=color, marker="o", ms=3, label=label)
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("turn", fontsize=8)
        ax.set_ylabel(unit, fontsize=8)
        ax.set_xticks(x)
        ax.tick_params(labelsize=7)
    axes.flat[0].legend(fontsize=7)
    fig.suptitle(f"Medians and middle halves of {game.replicates} model runs, by turn", fontsize=9)
    fig.tight_layout()
    with atomic_path(folder / "outcomes.png") as tmp:
        fig.savefig(tmp, format="png")
    plt.close(fig)
    out.append(("outcomes.png", "Main outcomes in the game and under the status quo."))
    return out


def score_limits(values, least_span: float = 20.0) -> tuple[float, float]:
    """A score axis that spans the scores played (and 50), at least ``least_span`` wide,
    so differences of a few points show."""
    lo, hi = min([50.0, *values]), max([50.0, *values])
    pad = max(least_span - (hi - lo), 0.0) / 2 + 2
    return max(lo - pad, 0.0), min(hi + pad, 100.0)


def _num(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


def _table(rows: list[list[str]], head: list[str]) -> str:
    th = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><tr>{th}</tr>{body}</table>"


def render_html(game, charts, lesson=None) -> str:
    e = html.escape
    final = game.final_scores()
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>Debrief: {e(game.scenario.title)}</title>",
        "<style>body{font-family:sans-serif;max-width:980px;margin:2em auto;color:#222}"
        "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;"
        "padding:4px 8px;font-size:0.9em;vertical-align:top}th{background:#eee}"
        "img{max-width:100%}details summary{cursor:pointer}details p{color:#444;"
        "margin:0.3em 0 0.6em 1.2em;font-size:0.9em}.hint{color:#666;font-size:0.9em}"
        ".causes li{margin:0.3em 0}</style></head><body>",
        f"<h1>Debrief: {e(game.scenario.title)}</h1>",
        f"<p>{R.count(game.played, 'turn')} of {R.MONTHS_PER_TURN} months from "
        f"{e(game.quarter(1))}, seed {game.seed}. Every figure is the median of "
        f"{R.count(game.replicates, 'model run')}; the "
        "status quo is the same scenario, seed and runs with no one changing course. "
        "Durand is a teaching abstraction, not a forecast.</p>",
    ]
    if lesson is not None:
        parts.append(f"<h2>Lesson: {e(lesson.spec.title)}</h2>")
        parts.append(
            "<ul>" + "".join(f"<li>{e(g)}</li>" for g in lesson.spec.learning_goals) + "</ul>"
        )
    rows = []
    for role in R.ROLES:
        track = [t.scores[role] for t in game.results]
        trend = " → ".join(f"{x:.0f}" for x in track)
        rows.append([f"{R.ROLE_NAMES[role]} ({role})", game.seats[role], f"{final[role]:.1f}",
                     R.verdict(final[role]), trend])  # fmt: skip
    parts.append("<h2>Scores</h2>")
    parts.append(_table(rows, ["role", "seat", "score (mean)", "verdict", "per turn"]))
    parts.append("<p class='hint'>50 = as if nobody had changed course; see docs/game.md "
                 "for how scores are scaled.</p>")  # fmt: skip
    parts += [f"<figure><img src='{n}' alt='{e(c)}'><figcaption>{e(c)}</figcaption></figure>"
              for n, c in charts if n == "scores.png"]  # fmt: skip
    parts.append("<h2>What happened, and why</h2><p class='hint'>Click a line for the causes "
                 "behind it.</p><ul class='causes'>")  # fmt: skip
    parts += [
        f"<li><details><summary>{e(short)}</summary><p>{e(detail)}</p></details></li>"
        for short, detail in causes(game)
    ]
    parts.append("</ul>")
    parts += [f"<figure><img src='{n}' alt='{e(c)}'><figcaption>{e(c)}</figcaption></figure>"
              for n, c in charts if n != "scores.png"]  # fmt: skip
    parts.append("<h2>Outcomes per role, goal by goal</h2>")
    for role in R.ROLES:
        goal = R.GOALS[role]
        rows = []
        for c in goal.components:
            g, s = component_totals(game, c.metric)
            rows.append([c.label, _num(g), _num(s), f"{c.better} is better", f"{c.weight:.0%}"])
        seat = game.seats[role]
        parts.append(
            f"<h3>{e(R.ROLE_NAMES[role])} ({role}, {seat}): {final[role]:.1f}, "
            f"{e(R.verdict(final[role]))}</h3><p>Goal: {e(goal.summary)} "
            f"<small>(source {e(goal.source)})</small></p>"
        )
        parts.append(_table(rows, ["measure", "the game", "status quo", "", "weight"]))
    parts.append("<h2>Every decision, with its reason</h2>")
    rows = [
        [str(en.turn), en.role, en.by, en.text, en.reason]
        for en in game.log
        if en.kind in ("set", "propose", "accept", "refuse", "break", "event", "seat", "end")
    ]
    parts.append(_table(rows, ["turn", "who", "by", "decision", "reason given"]))
    if lesson is not None:
        parts.append("<h2>Discussion questions</h2><ol>")
        parts += [f"<li>{e(q)}</li>" for q in lesson.spec.discussion_questions]
        parts.append("</ol><h2>What to look for</h2><ul>")
        parts += [f"<li>{e(q)}</li>" for q in lesson.spec.look_for]
        parts.append("</ul>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write_debrief(game, folder: str | Path, lesson=None) -> Path:
    """Write index.html, scores.png and outcomes.png into ``folder``; return the HTML path."""
    from sim.run.files import atomic_path

    folder = Path(folder)
    if game.played == 0:
        raise OutputError("no turn has been played yet, so there is nothing to debrief")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        charts = _charts(game, folder)
        page = folder / "index.html"
        with atomic_path(page) as tmp:
            tmp.write_text(render_html(game, charts, lesson), encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"cannot write the debrief to {folder}: {exc}") from None
    return page
