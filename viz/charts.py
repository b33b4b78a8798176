"""Time-series charts as fans: median with 50% and 90% bands over replicates.

Quantiles are computed once per branch (``Branch.quantiles``) and the whole chart, bands,
axes and legend, is drawn once per size and branch set into a cached layer; each frame
only adds the current-month marker and its values.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pygame

from sim.run.timeline import Branch, date_label
from viz import theme
from viz.theme import Typography


@dataclass(frozen=True)
class Series:
    metric: str
    label: str
    colour: tuple[int, int, int]


@dataclass(frozen=True)
class ChartSpec:
    title: str
    series: tuple[Series, ...]
    fmt: str = "{:.0f}"
    floor_max: float = 1.0  # the y axis reaches at least this


def _groups(prefix: str) -> tuple[Series, ...]:
    return tuple(Series(f"{prefix}.{g}", g, c) for g, c in theme.GROUP_COLOURS.items())


CHARTS = (
    ChartSpec("Attacks by group", _groups("attacks")),
    ChartSpec(
        "Attacks inside Pakistan",
        (Series("attacks.PAK", "Pakistan", theme.GREEN),),
    ),
    ChartSpec("Group strength (2025 = 1)", _groups("strength"), "{:.2f}", 1.2),
    ChartSpec(
        "Trust",
        (
            Series("trust.US-PAK", "US-PAK", theme.SKY),
            Series("trust.PAK-US", "PAK-US", theme.GREEN),
            Series("trust.PAK-AFG", "PAK-AFG", theme.ORANGE),
        ),
        "{:.2f}",
        1.0,
    ),
)


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    exp = 10 ** np.floor(np.log10(value))
    for step in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if step * exp >= value:
            return float(step * exp)
    return float(10 * exp)


class Chart:
    """One chart: a cached layer per (size, branches, mode), a marker per frame."""

    def __init__(self, spec: ChartSpec, typo: Typography):
        self.spec = spec
        self.typo = typo
        self._layer: tuple | None = None  # (key, surface, plot rects, y max, label boxes)

    def clear(self) -> None:
        self._layer = None

    def _ymax(self, branches: list[Branch]) -> float:
        top = max(
            float(b.quantiles(s.metric)[:, 4].max()) for b in branches for s in self.spec.series
        )
        return _nice_max(max(top * 1.05, self.spec.floor_max if self.spec.floor_max else 0.0))

    def _legend_width(self, ymax: float) -> int:
        """The widest the current-value legend gets (values never exceed the axis top)."""
        font = self.typo.font(10, bold=True)
        widest = self.spec.fmt.format(ymax)
        return sum(font.size(f"{s.label} {widest}")[0] + 10 for s in self.spec.series)

    def legend_row(self, width: int, ymax: float) -> bool:
        """True when the legend has no room beside the title and gets a row of its own."""
        title_w = self.typo.font(12, bold=True).size(self.spec.title)[0]
        return 6 + title_w + 12 + self._legend_width(ymax) > width - 6

    def _plots(self, size, n: int, ymax: float) -> list[pygame.Rect]:
        w, h = size
        head = self.typo.line_height(12) + 4
        if self.legend_row(w, ymax):
            head += self.typo.line_height(10)
        left = self.typo.font(10).size(self.spec.fmt.format(ymax))[0] + 8
        bottom = self.typo.line_height(10) + 2
        half_label = self.typo.line_height(10) // 2
        plot = pygame.Rect(
            left,
            head + half_label,
            max(10, w - left - 8),
            max(10, h - head - half_label - bottom - 2),
        )
        if n == 1:
            return [plot]
        half = (plot.width - 10) // 2
        return [
            pygame.Rect(plot.left, plot.top, half, plot.height),
            pygame.Rect(plot.left + half + 10, plot.top, half, plot.height),
        ]

    def layer(self, size, original: Branch, compare: Branch | None, side_by_side: bool):
        key = (size, id(original), id(compare), side_by_side, self.typo.scale)
        if self._layer and self._layer[0] == key:
            return self._layer
        branches = [original] + ([compare] if compare is not None else [])
        ymax = self._ymax(branches)
        surf = pygame.Surface(size)
        surf.fill(theme.PANEL)
        panes = [[original], [compare]] if compare is not None and side_by_side else [branches]
        plots = self._plots(size, len(panes), ymax)
        notes: list[tuple[str, pygame.Rect]] = []
        for plot, shown in zip(plots, panes, strict=True):
            self._axes(surf, plot, original, ymax, plot is plots[0], notes)
            for i, branch in enumerate(shown):
                dashed = i > 0 or (branch is not original and len(panes) == 1)
                for s in self.spec.series:
                    self._fan(surf, plot, branch.quantiles(s.metric), ymax, s.colour, dashed)
                if branch.fork_month is not None:
                    x = self._x(plot, branch.fork_month, branch.months)
                    _dashed_v(surf, theme.BRANCH_COLOUR, x, plot.top, plot.bottom)
            if len(panes) > 1:
                name = self.typo.fit(shown[0].name, 10, plot.width - 8)
                tag = self.typo.render(name, 10, theme.MUTED)
                notes.append((name, surf.blit(tag, (plot.left + 4, plot.top + 1))))
        name = self.typo.fit(self.spec.title, 12, size[0] - 12, bold=True)
        notes.append((name, surf.blit(self.typo.render(name, 12, theme.TEXT, bold=True), (6, 2))))
        self._layer = (key, surf, plots, ymax, notes)
        return self._layer

    def _x(self, plot: pygame.Rect, month: float, months: int) -> int:
        return int(plot.left + (month + 0.5) / max(1, months) * plot.width)

    def _y(self, plot: pygame.Rect, value, ymax: float):
        return plot.bottom - np.clip(np.asarray(value) / ymax, 0, 1) * plot.height

    def _axes(self, surf, plot, branch, ymax, label_y, notes: list) -> None:
        """Grid and axis labels (0, half and top on y; years on x, each only where no other
        label is), their boxes added to ``notes``."""
        pygame.draw.rect(surf, theme.BACKGROUND, plot)
        for frac in (0.0, 0.5, 1.0):
            y = int(plot.bottom - frac * plot.height) - (1 if frac == 0.0 else 0)
            pygame.draw.line(surf, theme.GRID, (plot.left, y), (plot.right, y))
            if label_y:
                label = self.spec.fmt.format(frac * ymax)
                text = self.typo.render(label, 10, theme.MUTED)
                box = text.get_rect(midright=(plot.left - 4, y))
                notes.append((label, surf.blit(text, box)))
        start = branch.scenario.start
        months = branch.months
        per_year = plot.width / max(1, months) * 12
        every = 12 * max(1, int(np.ceil(36 / max(per_year, 1e-6))))  # labels >= 36 px apart
        for m in range(months):
            if (start[1] - 1 + m) % every == 0:
                x = self._x(plot, m, months)
                pygame.draw.line(surf, theme.GRID, (x, plot.top), (x, plot.bottom))
                year = date_label(start, m)[:4]
                text = self.typo.render(year, 10, theme.MUTED)
                box = text.get_rect(midtop=(x, plot.bottom + 1))
                if box.left < 0 or box.right > surf.get_width():
                    continue
                if any(box.colliderect(b) for _, b in notes):
                    continue
                notes.append((year, surf.blit(text, box)))

    def _fan(self, surf, plot, q: np.ndarray, ymax, colour, dashed: bool) -> None:
        months = q.shape[0]
        xs = np.array([self._x(plot, m, months) for m in range(months)])
        ys = [self._y(plot, q[:, j], ymax) for j in range(5)]
        band = pygame.Surface(plot.size, pygame.SRCALPHA)
        off = np.array(plot.topleft)
        if months > 1 and not np.allclose(q[:, 0], q[:, 4]):
            for lo, hi, alpha in ((0, 4, 38), (1, 3, 70)):
                pts = list(zip(xs, ys[hi], strict=True)) + list(
                    zip(xs[::-1], ys[lo][::-1], strict=True)
                )
                band.fill((0, 0, 0, 0))
                local = [(int(x - off[0]), int(y - off[1])) for x, y in pts]
                if dashed:
                    pygame.draw.lines(band, (*colour, alpha * 3), False, local[:months], 1)
                    pygame.draw.lines(band, (*colour, alpha * 3), False, local[months:], 1)
                else:
                    pygame.draw.polygon(band, (*colour, alpha), local)
                surf.blit(band, plot.topleft)
        line = [(int(x), int(y)) for x, y in zip(xs, ys[2], strict=True)]
        if len(line) == 1:
            pygame.draw.circle(surf, colour, line[0], 3)
        elif dashed:
            for i in range(0, len(line) - 1, 2):
                pygame.draw.line(surf, theme.BACKGROUND, line[i], line[i + 1], 5)
                pygame.draw.line(
                    surf, theme.mix(colour, theme.HIGHLIGHT, 0.35), line[i], line[i + 1], 3
                )
        elif len(line) > 1:
            pygame.draw.lines(surf, colour, False, line, 2)

    def draw(self, surface, rect, original, compare, side_by_side, month: int) -> None:
        key, layer, plots, ymax, notes = self.layer(rect.size, original, compare, side_by_side)
        surface.blit(layer, rect.topleft)
        for text, box in notes:
            self.typo.note(text, box, pygame.Rect((0, 0), rect.size), rect.topleft)
        shown = [original, compare] if len(plots) == 2 else [compare or original]
        for plot, branch in zip(plots, shown, strict=True):
            p = plot.move(rect.topleft)
            x = self._x(p, month, branch.months)
            pygame.draw.line(surface, theme.HIGHLIGHT, (x, p.top), (x, p.bottom), 1)
            for s in self.spec.series:
                v = branch.quantiles(s.metric)[month, 2]
                y = int(self._y(p, v, ymax))
                pygame.draw.circle(surface, theme.HIGHLIGHT, (x, y), 4)
                pygame.draw.circle(surface, s.colour, (x, y), 3)
        branch = compare or original
        values = [
            self.spec.fmt.format(branch.quantiles(s.metric)[month, 2]) for s in self.spec.series
        ]
        words = [f"{s.label} {v}" for s, v in zip(self.spec.series, values, strict=True)]
        if self._legend_width(ymax) > rect.width - 12:  # very narrow: colours name the series
            words = values
        texts = [
            self.typo.render(word, 10, s.colour, bold=True)
            for s, word in zip(self.spec.series, words, strict=True)
        ]
        y = rect.top + 4
        if self.legend_row(rect.width, ymax):  # no room beside the title: on its own row
            y = rect.top + 2 + self.typo.line_height(12)
        x = rect.right - 6
        for word, text in zip(reversed(words), reversed(texts), strict=True):
            x -= text.get_width()
            box = surface.blit(text, (x, y))
            self.typo.note(word, box, rect)
            x -= 10


def _dashed_v(surf, colour, x, top, bottom) -> None:
    for y in range(top, bottom, 8):
        pygame.draw.line(surf, colour, (x, y), (x, min(bottom, y + 4)), 2)
