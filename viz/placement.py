"""Label placement: each text box goes to the first candidate spot that is inside its pane
and clear of every box placed before it (greedy, in order of importance)."""

from __future__ import annotations

from collections.abc import Iterable

import pygame


class Placer:
    def __init__(self, bounds: pygame.Rect, taken: Iterable[pygame.Rect] = ()):
        self.bounds = pygame.Rect(bounds)
        self.taken: list[pygame.Rect] = [pygame.Rect(r) for r in taken]

    def fits(self, box: pygame.Rect) -> bool:
        return self.bounds.contains(box) and box.collidelist(self.taken) == -1

    def take(self, box: pygame.Rect) -> pygame.Rect:
        self.taken.append(pygame.Rect(box))
        return box

    def place(self, size, centres: Iterable[tuple[float, float]]) -> pygame.Rect | None:
        """The first box of ``size`` centred on one of ``centres`` that fits, taken; else None."""
        for cx, cy in centres:
            box = pygame.Rect(0, 0, *size)
            box.center = (int(cx), int(cy))
            if self.fits(box):
                return self.take(box)
        return None


def around(cx: float, cy: float, dx: float, dy: float, rings: int = 3):
    """Centres near (cx, cy): itself, then rings of eight neighbours ``dx``/``dy`` apart."""
    yield cx, cy
    for k in range(1, rings + 1):
        for ux, uy in ((0, 1), (0, -1), (1, 0), (-1, 0), (1, 1), (-1, 1), (1, -1), (-1, -1)):
            yield cx + ux * dx * k, cy + uy * dy * k
