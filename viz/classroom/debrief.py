"""The class debrief: every table's own debrief (sim.game.debrief) plus one page that
compares the tables, with charts (matplotlib, Agg) and two CSV files for a spreadsheet."""

from __future__ import annotations

import csv
import html
import io
from pathlib import Path

import numpy as np

from sim.game import rules as R
from sim.game.debrief import COLORS, MARKERS, write_debrief
from sim.inputs.errors import OutputError
from sim.run.outputs import atomic_path, write_text_atomic


def scores_csv(tables: dict[int, object]) -> str:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["table", "turn", "quarter", "role", "player", "score"])
    for n, flow in tables.items():
        g = flow.game
        for r in g.results:
            for role in R.ROLES:
                w.writerow([n, r.turn, g.quarter(r.turn), role, g.seats[role], r.scores[role]])
    return out.getvalue()


def levers_csv(tables: dict[int, object]) -> str:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["table", "role", "lever", "value_now", "value_at_start", "unit"])
    for n, flow in tables.items():
        g = flow.game
        for role in R.ROLES:
            for name, value in g.levers_of(role).items():
                spec = R.role_levers(role)[name]
                w.writerow([n, role, name, round(value, 4), spec.default, spec.unit])
    return out.getvalue()


def _class_charts(tables: dict[int, object], folder: Path) -> list[tuple[str, str]]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    played = {n: f for n, f in tables.items() if f.game.played}
    out = []
    fig, axes = plt.subplots(1, 2, figsize=(11, 4), dpi=100, gridspec_kw={"width_ratios": [3, 2]})
    ax = axes[0]
    styles = ["-", "--", ":", "-."]
    for i, (n, flow) in enumerate(played.items()):
        g = flow.game
        x = np.arange(1, g.played + 1)
        for role in R.ROLES:
            ax.plot(x, [t.scores[role] for t in g.results], color=COLORS[role],
                    marker=MARKERS[role], ms=3, ls=styles[i % 4], lw=1.2,
                    label=f"table {n} {role}" if len(played) <= 4 else None)  # fmt: skip
    ax.axhline(50, color="grey", lw=1, ls="--")
    ax.set(xlabel="turn", ylabel="score (50 = status quo)", ylim=(0, 100),
           title="Every table's scores per turn")  # fmt: skip
    if len(played) <= 4:
        ax.legend(ncol=2, fontsize=6, loc="lower left")
    ax = axes[1]
    width = 0.8 / max(len(played), 1)
    for i, (n, flow) in enumerate(played.items()):
        final = flow.game.final_scores()
        xs = np.arange(len(R.ROLES)) + i * width - 0.4 + width / 2
        ax.bar(xs, [final[r] for r in R.ROLES], width=width * 0.9, label=f"table {n}",
               color=[COLORS[r] for r in R.ROLES], alpha=0.35 + 0.65 * (i + 1) / len(played),
               edgecolor="black", lw=0.5)  # fmt: skip
        for x, r in zip(xs, R.ROLES, strict=True):
            ax.text(x, final[r] + 1, str(n), ha="center", fontsize=6)
    ax.axhline(50, color="grey", lw=1, ls="--")
    ax.set_xticks(np.arange(len(R.ROLES)), list(R.ROLES))
    ax.set(ylim=(0, 100), title="Final score by table (number above each bar)")
    fig.tight_layout()
    with atomic_path(folder / "class_scores.png") as tmp:
        fig.savefig(tmp, format="png")
    plt.close(fig)
    out.append(("class_scores.png", "Scores of every role at every table against the status quo."))

    rows = [(role, name) for role in R.ROLES for name in R.role_levers(role)]
    grid = np.full((len(rows), len(played)), np.nan)
    for j, flow in enumerate(played.values()):
        for i, (role, name) in enumerate(rows):
            spec = R.role_levers(role)[name]
            grid[i, j] = (flow.game.lever(role, name) - spec.low) / ((spec.high - spec.low) or 1)
    fig, ax = plt.subplots(figsize=(2.5 + 0.7 * len(played), 7), dpi=100)
    im = ax.imshow(grid, aspect="auto", cmap="viridis", vmin=0, vmax=1)
    ax.set_yticks(range(len(rows)), [f"{r}.{n}" for r, n in rows], fontsize=7)
    ax.set_xticks(range(len(played)), [f"table {n}" for n in played], fontsize=8)
    for i in range(len(rows)):
        for j in range(len(played)):
            ax.text(j, i, f"{grid[i, j]:.2f}", ha="center", va="center", fontsize=6,
                    color="white" if grid[i, j] < 0.6 else "black")  # fmt: skip
    ax.set_title("Strategies: each lever now, as a share of its range", fontsize=9)
    fig.colorbar(im, ax=ax, fraction=0.04)
    fig.tight_layout()
    with atomic_path(folder / "class_levers.png") as tmp:
        fig.savefig(tmp, format="png")
    plt.close(fig)
    out.append(("class_levers.png", "Every table's levers now (0 = bottom of range, 1 = top)."))
    return out


def write_class_debrief(
    tables: dict[int, object], folder: Path, *, title: str, lesson=None
) -> Path:
    """index.html comparing the tables, each table's own debrief in table-N/, and CSVs."""
    folder = Path(folder)
    played = {n: f for n, f in tables.items() if f.game.played}
    if not played:
        raise OutputError("no table has played a turn yet, so there is nothing to debrief")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for n, flow in played.items():
            write_debrief(flow.game, folder / f"table-{n}", lesson=lesson)
        charts = _class_charts(played, folder)
    except OSError as exc:
        raise OutputError(f"cannot write the class debrief to {folder}: {exc}") from None
    write_text_atomic(folder / "class_scores.csv", scores_csv(tables), "the class scores")
    write_text_atomic(folder / "class_levers.csv", levers_csv(tables), "the class levers")
    e = html.escape
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>Class debrief: {e(title)}</title>",
        "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}"
        "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;"
        "padding:4px 8px}th{background:#eee}img{max-width:100%}</style></head><body>",
        f"<h1>Class debrief: {e(title)}</h1>",
        "<p>Every table played the same world (scenario, seed and model runs); the "
        "differences between tables are the teams' choices and the teacher's events. Scores "
        "compare each government's goals with the status quo (50). Durand is a teaching "
        "abstraction, not a forecast.</p>",
        "<table><tr><th>table</th><th>turns</th>"
        + "".join(f"<th>{r}</th>" for r in R.ROLES)
        + "<th>debrief</th></tr>",
    ]
    for n, flow in played.items():
        final = flow.game.final_scores()
        cells = "".join(
            f"<td>{final[r]:.1f} ({e(R.verdict(final[r]))}, {flow.game.seats[r]})</td>"
            for r in R.ROLES
        )
        parts.append(
            f"<tr><td>{n}</td><td>{flow.game.played}</td>{cells}"
            f"<td><a href='table-{n}/index.html'>table {n}</a></td></tr>"
        )
    parts.append("</table>")
    for name, caption in charts:
        parts.append(f"<figure><img src='{name}' alt='{e(caption)}'>"
                     f"<figcaption>{e(caption)}</figcaption></figure>")  # fmt: skip
    parts.append(
        "<p>Data: <a href='class_scores.csv'>class_scores.csv</a> (every score, every turn) "
        "and <a href='class_levers.csv'>class_levers.csv</a> (every lever now).</p>"
    )
    if lesson is not None:
        parts.append("<h2>Discussion questions</h2><ol>")
        parts += [f"<li>{e(q)}</li>" for q in lesson.spec.discussion_questions]
        parts.append("</ol>")
    parts.append("</body></html>")
    return write_text_atomic(folder / "index.html", "\n".join(parts), "the class debrief")
