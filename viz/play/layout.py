"""Where the game window's parts go for a window size and font scale (pure geometry).

The turn screen has a header (the role, the turn; the teacher's seat switches on the
right), a bar of buttons at the bottom (the player's on the first row, the teacher's on a
second row when one row has no room), and between them three columns: the player's moves,
what they know, and the map. When the window is narrow or the text large, what they know
sits above the map in one column. Nothing is placed over anything else.
"""

from __future__ import annotations

from dataclasses import dataclass

import pygame

MIN_SIZE = (960, 600)
PAD = 12
GAP = 6


def flow_row(widths: list[int], left: int, y: int, height: int) -> list[pygame.Rect]:
    """Rects of ``widths`` side by side from ``left`` (the caller has checked they fit)."""
    rects, x = [], left
    for width in widths:
        rects.append(pygame.Rect(x, y, width, height))
        x += width + GAP
    return rects


def row_width(widths: list[int]) -> int:
    return sum(widths) + GAP * max(0, len(widths) - 1)


@dataclass(frozen=True)
class TurnLayout:
    header: pygame.Rect
    seats: tuple[pygame.Rect, ...]
    moves: pygame.Rect
    info: pygame.Rect
    map: pygame.Rect
    player_bar: tuple[pygame.Rect, ...]
    teacher_bar: tuple[pygame.Rect, ...]
    bar_top: int


def turn_layout(
    size: tuple[int, int],
    scale: float,
    seat_widths: list[int],
    player_widths: list[int],
    teacher_widths: list[int],
    title_width: int,
) -> TurnLayout:
    w, h = max(MIN_SIZE[0], size[0]), max(MIN_SIZE[1], size[1])
    row = int(30 * scale)
    # Header: the seat switches right-aligned on the first line, under the title if the
    # title leaves them no room.
    seats_w = row_width(seat_widths)
    seat_y = PAD - 4
    header_h = int(58 * scale)
    if PAD + title_width + 2 * GAP + seats_w > w - PAD:
        seat_y, header_h = header_h, header_h + row + GAP
    seats = flow_row(seat_widths, w - PAD - seats_w, seat_y, row)
    header = pygame.Rect(0, 0, w, header_h)
    # Bottom bar: one row if everything fits, else the teacher's controls on their own row.
    both = player_widths + teacher_widths
    if row_width(both) + 3 * GAP <= w - 2 * PAD:
        y = h - PAD - row
        player = flow_row(player_widths, PAD, y, row)
        teacher = flow_row(teacher_widths, w - PAD - row_width(teacher_widths), y, row)
    else:
        y = h - PAD - 2 * row - GAP
        player = flow_row(player_widths, PAD, y, row)
        teacher = flow_row(teacher_widths, PAD, y + row + GAP, row)
    bar_top = y - GAP
    top, bottom = header_h + GAP, bar_top - GAP
    moves_w = max(int(300 * scale), int(w * 0.33))
    moves = pygame.Rect(PAD, top, moves_w, bottom - top)
    rest_x = moves.right + 2 * GAP
    rest_w = w - PAD - rest_x
    if rest_w >= int(480 * scale):  # three columns
        info_w = int(rest_w * 0.45)
        info = pygame.Rect(rest_x, top, info_w, bottom - top)
        map_rect = pygame.Rect(info.right + 2 * GAP, top, w - PAD - info.right - 2 * GAP, info.h)
    else:  # what they know above the map
        info_h = int((bottom - top) * 0.38)
        info = pygame.Rect(rest_x, top, rest_w, info_h)
        map_rect = pygame.Rect(rest_x, info.bottom + GAP, rest_w, bottom - info.bottom - GAP)
    return TurnLayout(header, tuple(seats), moves, info, map_rect, tuple(player), tuple(teacher),
                      bar_top)  # fmt: skip
