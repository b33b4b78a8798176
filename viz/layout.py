"""Where each pane goes for a window size and font scale (pure geometry, easy to test)."""

from __future__ import annotations

from dataclasses import dataclass

import pygame

MIN_SIZE = (640, 400)
TOP_BAR_ONE_ROW = 1100  # narrower windows (in pixels at font scale 1) wrap the top bar


def bar_row_height(scale: float) -> int:
    """One row of the top bar's buttons when it wraps onto two rows."""
    return int(27 * max(1.0, scale))


@dataclass(frozen=True)
class Layout:
    size: tuple[int, int]
    top_bar: pygame.Rect
    map: pygame.Rect
    charts: tuple[pygame.Rect, ...]
    ticker: pygame.Rect
    cards: pygame.Rect


def compute_layout(size: tuple[int, int], scale: float = 1.0) -> Layout:
    w, h = max(MIN_SIZE[0], size[0]), max(MIN_SIZE[1], size[1])
    two_rows = scale > 1.0 or w < TOP_BAR_ONE_ROW * scale
    bar_h = int(40 * scale) + 8 if not two_rows else 2 * bar_row_height(scale) + 16
    bottom_h = int(h * (0.36 if scale <= 1.0 else 0.42))
    mid_top, mid_h = bar_h, h - bar_h - bottom_h
    map_w = int(w * 0.42)
    map_rect = pygame.Rect(4, mid_top + 2, map_w - 6, mid_h - 4)
    cx, cw = map_rect.right + 4, w - map_rect.right - 8
    ch = (mid_h - 8) // 2
    half = (cw - 4) // 2
    charts = tuple(
        pygame.Rect(cx + col * (half + 4), mid_top + 2 + row * (ch + 4), half, ch)
        for row in range(2)
        for col in range(2)
    )
    bottom = mid_top + mid_h
    ticker_w = int(w * 0.33)
    ticker = pygame.Rect(4, bottom, ticker_w - 6, bottom_h - 4)
    cards = pygame.Rect(ticker.right + 4, bottom, w - ticker.right - 8, bottom_h - 4)
    return Layout((w, h), pygame.Rect(0, 0, w, bar_h), map_rect, charts, ticker, cards)
