"""A seat's feedback in the game window: its score track (a small chart zoomed around the
scores, the status quo's 50 dashed), the last change and the trend in words, each
partner's trust in the seat, and the deals broken this turn or last with the trust they
cost. It reads only the seat's view (``view['you']`` of sim.game.flow), never the model.

Every text goes through ``Typography.blit``, so tests can read what was laid out and check
that nothing is drawn over anything else. The font has no arrow glyphs: the up and down
marks are drawn as triangles.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pygame

from sim.game.debrief import score_limits
from viz import theme

STATUS_QUO = 50.0
MIN_SPAN = 4.0  # the chart's y-range covers at least this many score points
STEPS = (0.5, 1, 2, 5, 10, 20, 25, 50)
SCORE_STEADY = 0.05  # a change that rounds to +0.0 has no direction
TRUST_STEADY = 0.005  # likewise at two decimals


def score_range(scores: list[float], max_ticks: int = 4) -> tuple[float, float, list[float]]:
    """The chart's y-range and its labelled ticks: zoomed around the scores and 50 (so a
    change of a point or two shows), at least MIN_SPAN wide, inside 0..100."""
    lo, hi = score_limits(scores, least_span=MIN_SPAN)  # the debrief chart's axis rule
    step = next((s for s in STEPS if (hi - lo) / s < max(2, max_ticks)), STEPS[-1])
    ticks = [k * step for k in range(math.ceil(lo / step), math.floor(hi / step) + 1)]
    return lo, hi, ticks


def direction(change: float, steady: float) -> int:
    return 0 if abs(change) < steady else (1 if change > 0 else -1)


def change_colour(sign: int) -> tuple[int, int, int]:
    return theme.GREEN if sign > 0 else theme.VERMILLION if sign < 0 else theme.MUTED


def trend_text(track: dict) -> str | None:
    """'+2.1 since last turn · rising' (None before the first turn)."""
    scores = track["scores"]
    if not scores:
        return None
    since = "since last turn" if len(scores) > 1 else "on the status quo (50)"
    change = track["change"]
    number = f"{change:+.1f}" if direction(change, SCORE_STEADY) else "±0.0"
    return f"{number} {since} · {track['trend']}"


def trust_change_text(change: float) -> str:
    return f"{change:+.2f}" if direction(change, TRUST_STEADY) else "±0.00"


def broken_deal_text(deal: dict, role: str, turn: int) -> str:
    """One broken deal as the seat reads it: who broke it and whose trust it cost."""
    when = "this turn" if deal["turn"] == turn else f"in turn {deal['turn']}"
    breaker, truster = deal["broken_by"], deal["truster"]
    fell = f"{deal['trust_before']:.2f} to {deal['trust_after']:.2f}"
    what = f"deal #{deal['id']} ({deal['title']})"
    if breaker == role:
        head = (
            f"Deal #{deal['id']} ({deal['title']}) broke {when}: you let its terms slip"
            if deal["by"] == "rules"
            else f"You broke {what} {when}"
        )
        return f"{head}. {truster}'s trust in you fell {fell}."
    head = (
        f"Deal #{deal['id']} ({deal['title']}) broke {when}: {breaker} let its terms slip"
        if deal["by"] == "rules"
        else f"{breaker} broke {what} {when}"
    )
    whose = "your trust" if truster == role else f"{truster}'s trust"
    return f"{head}. {whose[0].upper()}{whose[1:]} in {breaker} fell {fell}."


def draw_mark(surface, sign: int, box: pygame.Rect, colour) -> None:
    """▲ / ▼ (a triangle) or a short bar for no change, centred in ``box``."""
    cx, cy, r = box.centerx, box.centery, max(3, box.height // 3)
    if sign > 0:
        points = [(cx - r, cy + r * 0.7), (cx + r, cy + r * 0.7), (cx, cy - r)]
    elif sign < 0:
        points = [(cx - r, cy - r * 0.7), (cx + r, cy - r * 0.7), (cx, cy + r)]
    else:
        pygame.draw.line(surface, colour, (cx - r, cy), (cx + r, cy), 2)
        return
    pygame.draw.polygon(surface, colour, points)


@dataclass
class Drawn:
    """Where the feedback went (area coordinates): the caller continues below ``bottom``."""

    bottom: int
    chart: pygame.Rect


class Feedback:
    """The score block of one seat: draws into an area (a subsurface of the window whose
    top-left is ``offset`` in window coordinates)."""

    def __init__(self, typo, role: str, colour):
        self.typo, self.role, self.colour = typo, role, colour

    # ------------------------------------------------------------ text lines

    def score_rows(self, view: dict) -> list[tuple]:
        """(kind, parts...): the last score and its verdict, the change and the trend."""
        you = view["you"]
        track = you["score_track"]
        if not track["scores"]:
            return [("head", "Score 50 until a turn is played", "(50 = as under the status quo)")]
        head = (f"Last score {you['last_score']:.0f} · {track['verdict']}", "(50 = status quo)")
        sign = {"rising": 1, "falling": -1}.get(track["trend"], 0)  # as the words say
        return [("head", *head), ("trend", sign, trend_text(track))]

    def trust_rows(self, view: dict) -> list[tuple]:
        """(kind, parts...): each partner's trust in the seat and its change."""
        rows: list[tuple] = [("label", "Trust in you")]
        for partner, t in view["you"]["trust_in_you"].items():
            sign = direction(t["change"], TRUST_STEADY)
            rows.append(("trust", partner, f"{t['now']:.2f}", sign, trust_change_text(t["change"])))
        return rows

    def _sizes(self):
        return {"head": (13, True), "trend": (12, False), "label": (12, True),
                "trust": (12, False)}  # fmt: skip

    def text_width(self, rows) -> int:
        typo, sizes = self.typo, self._sizes()
        mark = typo.line_height(12)
        widths = []
        name_w = self.name_width(rows)
        for row in rows:
            size, bold = sizes[row[0]]
            if row[0] == "trend":
                widths.append(mark + 4 + typo.measure(row[2], size)[0])
            elif row[0] == "trust":
                value_w = typo.measure("0.00", size)[0]
                widths.append(
                    name_w + 10 + value_w + 10 + mark + 4 + typo.measure("+0.00", size)[0]
                )
            else:
                widths.append(typo.measure(" ".join(row[1:]), size, bold)[0])
        return max(widths)

    def name_width(self, rows) -> int:
        names = [r[1] for r in rows if r[0] == "trust"]
        return max((self.typo.measure(n, 12, True)[0] for n in names), default=0)

    def text_height(self, rows) -> int:
        sizes = self._sizes()
        return sum(self.typo.line_height(sizes[r[0]][0]) for r in rows)

    # ------------------------------------------------------------ drawing

    def draw(self, area, view: dict, y: int, width: int, offset=(0, 0)) -> Drawn:
        """The score and trend in words, the chart, the partners' trust, then the broken
        deals; returns where they end. In a wide column the partners' trust stands right
        of the words and the chart; in a narrower one, right of the chart under the
        words; in a narrow one, under the chart. The chart shrinks to the room left (an
        area too short for it shows the words only)."""
        typo = self.typo
        pane, room = area.get_rect(), area.get_height()
        score, trust = self.score_rows(view), self.trust_rows(view)
        trust_w, trust_h = self.text_width(trust), self.text_height(trust)
        chart_min = int(150 * typo.scale)
        left_w = width - trust_w - 16
        if left_w >= max(self.text_width(score), chart_min):  # wide
            rows = self.wrapped(score, left_w)
            self.text(area, rows, 0, y, offset, pane)
            top = y + self.text_height(rows) + 4
            chart = pygame.Rect(0, top, left_w, self.chart_height(trust_h - (top - y), room - top))
            self.text(area, trust, left_w + 16, y, offset, pane)
            y = max(chart.bottom, y + trust_h)
        else:
            rows = self.wrapped(score, width)
            self.text(area, rows, 0, y, offset, pane)
            y += self.text_height(rows) + 4
            if left_w >= chart_min:  # the partners' trust right of the chart
                chart = pygame.Rect(0, y, left_w, self.chart_height(trust_h, room - y))
                middle = y + max(0, (chart.h - trust_h) // 2)
                self.text(area, trust, chart.right + 16, middle, offset, pane)
                y = max(chart.bottom, y + trust_h)
            else:  # under the chart
                chart = pygame.Rect(0, y, width, self.chart_height(0, room - y - trust_h - 4))
                self.text(area, trust, 0, chart.bottom + 4, offset, pane)
                y = chart.bottom + 4 + trust_h
        if chart.bottom <= room:
            self.chart(area, chart, view["you"]["score_track"]["scores"], view["turns"], offset)
        y += 4
        for deal in view["you"].get("deals_broken", []):
            text = broken_deal_text(deal, self.role, view["turn"])
            for part in typo.wrap(text, 12, width):
                if y + typo.line_height(12) > room:
                    break
                typo.blit(area, part, 12, theme.VERMILLION, (0, y), pane, offset=offset)
                y += typo.line_height(12)
        return Drawn(y, chart)

    def wrapped(self, rows, width: int) -> list[tuple]:
        """The rows with the head wrapped to ``width``, its parts kept whole where they
        fit (the trend line is short)."""
        out = []
        for row in rows:
            if row[0] != "head":
                out.append(row)
                continue
            line = ""
            for part in row[1:]:
                joined = f"{line} {part}".strip()
                if line and self.typo.measure(joined, 13, True)[0] > width:
                    out += [("head", p) for p in self.typo.wrap(line, 13, width, True)]
                    joined = part
                line = joined
            out += [("head", p) for p in self.typo.wrap(line, 13, width, True)]
        return out

    def chart_height(self, beside: int, room: int) -> int:
        """As tall as what stands beside it (at least 76 px at scale 1), shrunk to the
        room left but never under 48."""
        scale = self.typo.scale
        return max(int(48 * scale), min(max(beside, int(76 * scale)), room))

    def text(self, area, rows, x, y, offset, pane) -> None:
        """Draw the rows from (x, y); the partners' trust shows whole or not at all."""
        typo, sizes = self.typo, self._sizes()
        name_w = self.name_width(rows)
        if rows[0][0] == "label" and y + self.text_height(rows) > area.get_height():
            return
        for row in rows:
            kind = row[0]
            size, bold = sizes[kind]
            lh = typo.line_height(size)
            if y + lh > area.get_height():  # never half a line at the bottom
                return
            if kind == "trend":
                _, sign, words = row
                colour = change_colour(sign)
                draw_mark(area, sign, pygame.Rect(x, y, lh, lh), colour)
                typo.blit(area, words, size, colour, (x + lh + 4, y), pane, offset=offset)
            elif kind == "trust":
                _, partner, value, sign, change = row
                colour = change_colour(sign)
                typo.blit(area, partner, size, theme.STATE_COLOURS[partner], (x, y), pane,
                          True, offset)  # fmt: skip
                vx = x + name_w + 10
                box = typo.blit(area, value, size, theme.TEXT, (vx, y), pane, offset=offset)
                mark = pygame.Rect(max(box.right, vx + typo.measure("0.00", size)[0]) + 10, y,
                                   lh, lh)  # fmt: skip
                draw_mark(area, sign, mark, colour)
                typo.blit(area, change, size, colour, (mark.right + 4, y), pane, offset=offset)
            else:
                colour = theme.TEXT if kind == "head" else theme.MUTED
                typo.blit(area, row[1], size, colour, (x, y), pane, bold, offset)
            y += lh

    def chart(self, area, rect: pygame.Rect, scores: list[float], turns: int, offset) -> None:
        """The score per turn played on a y-range zoomed around the scores and 50."""
        typo = self.typo
        pygame.draw.rect(area, theme.PANEL, rect, border_radius=4)
        pane = rect
        if not scores:
            text = typo.render("no turn played yet", 11, theme.MUTED)
            box = text.get_rect(center=rect.center)
            typo.blit(area, "no turn played yet", 11, theme.MUTED, box.topleft, pane,
                      offset=offset)  # fmt: skip
            return
        lh = typo.line_height(10)
        top, bottom = rect.top + lh // 2 + 3, rect.bottom - lh - 3
        lo, hi, ticks = score_range(scores, max(2, (bottom - top) // (lh + 2)))
        labels = [f"{t:g}" for t in ticks]
        label_w = max(typo.measure(t, 10)[0] for t in labels)
        plot = pygame.Rect(rect.left + label_w + 8, top, 0, bottom - top)
        plot.width = rect.right - 8 - plot.left
        n = max(2, turns)

        def x_at(i: int) -> int:  # the i-th turn (from 0)
            return round(plot.left + i / (n - 1) * plot.width)

        def y_at(v: float) -> int:
            return round(plot.bottom - (v - lo) / (hi - lo) * plot.height)

        boxes = []
        for tick, label in zip(ticks, labels, strict=True):
            y = y_at(tick)
            if tick == STATUS_QUO:  # the status quo, dashed
                for x in range(plot.left, plot.right, 8):
                    pygame.draw.line(area, theme.MUTED, (x, y), (min(x + 4, plot.right), y), 1)
            else:
                pygame.draw.line(area, theme.GRID, (plot.left, y), (plot.right, y), 1)
            text = typo.render(label, 10, theme.MUTED)
            box = text.get_rect(midright=(plot.left - 4, y))
            boxes.append(typo.blit(area, label, 10, theme.MUTED, box.topleft, pane, offset=offset))
        # turn numbers under the plot, as many as have room
        widest = typo.measure(str(n), 10)[0] + 6
        every = max(1, math.ceil(widest / max(1, plot.width / (n - 1))))
        for i in range(0, n, every):
            text = typo.render(str(i + 1), 10, theme.MUTED)
            box = text.get_rect(midtop=(x_at(i), plot.bottom + 2))
            if box.collidelist(boxes) != -1 or box.right > rect.right:
                continue
            typo.blit(area, str(i + 1), 10, theme.MUTED, box.topleft, pane, offset=offset)
        points = [(x_at(i), y_at(v)) for i, v in enumerate(scores)]
        if len(points) > 1:
            pygame.draw.lines(area, self.colour, False, points, 2)
        for point in points:
            pygame.draw.circle(area, self.colour, point, 3)
        pygame.draw.circle(area, theme.HIGHLIGHT, points[-1], 4, 1)
