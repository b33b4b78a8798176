"""Colours (Okabe-Ito, safe for the common forms of colour blindness) and cached text."""

from __future__ import annotations

from functools import cache
from importlib import resources

import pygame

BACKGROUND = (22, 26, 31)
PANEL = (31, 36, 43)
PANEL_EDGE = (58, 66, 77)
GRID = (52, 59, 69)
TEXT = (226, 230, 235)
MUTED = (150, 158, 168)
FAINT = (98, 106, 116)
HIGHLIGHT = (255, 255, 255)

# Okabe & Ito (2008): distinguishable under deuteranopia, protanopia and tritanopia.
ORANGE, SKY, GREEN, YELLOW = (230, 159, 0), (86, 180, 233), (0, 158, 115), (240, 228, 66)
BLUE, VERMILLION, PURPLE = (0, 114, 178), (213, 94, 0), (204, 121, 167)

GROUP_COLOURS = {"TTP": VERMILLION, "ISKP": PURPLE, "BLA": YELLOW}
STATE_COLOURS = {"US": SKY, "PAK": GREEN, "AFG": ORANGE, "CHN": (205, 205, 205)}
STATE_NAMES = {"US": "United States", "PAK": "Pakistan", "AFG": "Afghan Taliban", "CHN": "China"}
BRANCH_COLOUR = SKY  # a compared branch is drawn in this colour, dashed

# Sequential ramp for militant presence on the map (dark slate -> amber), readable in grey.
PRESENCE_RAMP = ((44, 52, 62), (92, 78, 64), (160, 104, 52), (224, 150, 48))


def mix(a, b, t: float) -> tuple[int, int, int]:
    t = min(1.0, max(0.0, t))
    return tuple(int(round(a[i] + (b[i] - a[i]) * t)) for i in range(3))


def ramp(t: float) -> tuple[int, int, int]:
    """Colour for a presence level 0..1 on PRESENCE_RAMP."""
    t = min(1.0, max(0.0, t)) * (len(PRESENCE_RAMP) - 1)
    i = min(int(t), len(PRESENCE_RAMP) - 2)
    return mix(PRESENCE_RAMP[i], PRESENCE_RAMP[i + 1], t - i)


def _font_path(bold: bool) -> str:
    name = "NotoSans-Bold.ttf" if bold else "NotoSans-Regular.ttf"
    return str(resources.files("pygame_gui.data").joinpath(name))


class Typography:
    """Fonts at a scale (1 normally, larger on a projector) and a cache of rendered text."""

    def __init__(self, scale: float = 1.0):
        self.scale = scale
        self._rendered: dict[tuple, pygame.Surface] = {}
        self._fitted: dict[tuple, str] = {}
        self._sizes: dict[tuple, tuple[int, int]] = {}
        # While a list: every text box drawn, as (text, box, the pane it must stay inside),
        # in window coordinates. Tests turn it on to check that no label overlaps another.
        self.notes: list[tuple[str, pygame.Rect, pygame.Rect]] | None = None

    def note(self, text: str, box: pygame.Rect, pane: pygame.Rect, offset=(0, 0)) -> None:
        if self.notes is not None:
            self.notes.append((text, pygame.Rect(box).move(offset), pygame.Rect(pane).move(offset)))

    def blit(self, surface, text: str, base: int, colour, pos, pane, bold=False, offset=(0, 0)):
        """Draw ``text`` with its top-left at ``pos``, noting its box; returns the box."""
        box = surface.blit(self.render(text, base, colour, bold), pos)
        self.note(text, box, pane, offset)
        return box

    def clear(self) -> None:
        self._rendered.clear()
        self._fitted.clear()
        self._sizes.clear()

    def size(self, base: int) -> int:
        return max(8, int(round(base * self.scale)))

    def font(self, base: int, bold: bool = False) -> pygame.font.Font:
        return _font(self.size(base), bold)

    def render(self, text: str, base: int, colour=TEXT, bold: bool = False) -> pygame.Surface:
        text = drawable(text)
        key = (text, base, colour, bold)
        surf = self._rendered.get(key)
        if surf is None:
            if len(self._rendered) > 4000:
                self._rendered.clear()
            surf = self.font(base, bold).render(text, True, colour)
            self._rendered[key] = surf
        return surf

    def measure(self, text: str, base: int, bold: bool = False) -> tuple[int, int]:
        """The (width, height) ``text`` takes (cached: labels are placed every frame)."""
        key = (text, base, bold)
        size = self._sizes.get(key)
        if size is None:
            if len(self._sizes) > 4000:
                self._sizes.clear()
            size = self._sizes[key] = self.font(base, bold).size(text)
        return size

    def line_height(self, base: int) -> int:
        return self.font(base).get_linesize()

    def fit(self, text: str, base: int, width: int, bold: bool = False) -> str:
        """``text`` cut with an ellipsis to fit ``width`` pixels (cached)."""
        key = (text, base, width, bold)
        if key not in self._fitted:
            if len(self._fitted) > 4000:
                self._fitted.clear()
            self._fitted[key] = self._fit(text, base, width, bold)
        return self._fitted[key]

    def _fit(self, text: str, base: int, width: int, bold: bool = False) -> str:
        text = drawable(text)
        font = self.font(base, bold)
        if font.size(text)[0] <= width:
            return text
        while text and font.size(text + "…")[0] > width:
            text = text[:-1]
        return text + "…"

    def wrap(self, text: str, base: int, width: int, bold: bool = False) -> list[str]:
        """``text`` in lines no wider than ``width`` (a word too long alone is cut)."""
        font = self.font(base, bold)
        lines, line = [], ""
        for word in drawable(text).split():
            trial = f"{line} {word}".strip()
            if font.size(trial)[0] <= width or not line:
                line = trial
            else:
                lines.append(line)
                line = word
        if line:
            lines.append(line)
        return [self.fit(line, base, width, bold) for line in lines]


_UNDRAWABLE = dict.fromkeys(range(32), " ") | {0: None, 127: None}


def drawable(text: str) -> str:
    """``text`` without the control characters SDL_ttf refuses (a NUL raises) or draws as
    boxes: NUL and DEL dropped, other control characters (tabs, newlines) as spaces."""
    return text.translate(_UNDRAWABLE) if not text.isprintable() else text


@cache
def _font(size: int, bold: bool) -> pygame.font.Font:
    return pygame.font.Font(_font_path(bold), size)
