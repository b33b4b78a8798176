"""Actor cards: the four states and the three militant groups, from ``Agent.card()``.

States show priorities, capacity, aid in and out and trust toward the others; groups show
strength, sanctuary, weapons access and funding. Values are medians over replicates. A card
set is drawn once per branch, month and size, then blitted.
"""

from __future__ import annotations

import pygame

from sim import GROUPS, STATES
from sim.timeline import Branch
from viz import theme
from viz.theme import Typography

SHORT_KIND = {
    "military aid (F-16 sustainment)": "military",
    "non-military aid": "civil",
    "release of frozen central-bank reserves": "reserves",
}


class CardStrip:
    def __init__(self, typo: Typography):
        self.typo = typo
        self._cache: dict[tuple, pygame.Surface] = {}

    def clear(self) -> None:
        self._cache.clear()

    def draw(self, surface, rect: pygame.Rect, branch: Branch, month: int) -> None:
        key = (id(branch), month, rect.size, self.typo.scale)
        surf = self._cache.get(key)
        if surf is None:
            if len(self._cache) > 200:
                self._cache.clear()
            surf = self._render(rect.size, branch.cards[month])
            self._cache[key] = surf
        surface.blit(surf, rect.topleft)

    def _render(self, size, cards: dict[str, dict]) -> pygame.Surface:
        surf = pygame.Surface(size)
        surf.fill(theme.BACKGROUND)
        actors = STATES + GROUPS
        width = size[0] // len(actors)
        for i, actor in enumerate(actors):
            box = pygame.Rect(i * width + 2, 0, width - 4, size[1])
            pygame.draw.rect(surf, theme.PANEL, box, border_radius=4)
            card = cards[actor]
            if actor in STATES:
                self._state(surf, box.inflate(-10, -8), card)
            else:
                self._group(surf, box.inflate(-10, -8), card)
        return surf

    # ------------------------------------------------------------ pieces

    def _header(self, surf, box, actor: str, name: str, colour) -> int:
        pygame.draw.rect(surf, colour, (box.left, box.top, box.width, 4))
        title = self.typo.render(actor, 13, colour, bold=True)
        surf.blit(title, (box.left, box.top + 6))
        sub = self.typo.render(self.typo.fit(name, 9, box.width), 9, theme.MUTED)
        y = box.top + 6 + title.get_height()
        surf.blit(sub, (box.left, y))
        return y + sub.get_height() + 2

    def _caption(self, surf, box, y: int, text: str) -> int:
        cap = self.typo.render(text, 9, theme.MUTED, bold=True)
        surf.blit(cap, (box.left, y))
        return y + cap.get_height()

    def _bar(self, surf, box, y, label, value, top, colour, fmt="{:.2f}") -> int:
        lh = self.typo.line_height(10)
        text = self.typo.render(label, 10, theme.TEXT)
        surf.blit(text, (box.left, y))
        val = self.typo.render(fmt.format(value), 10, theme.TEXT)
        surf.blit(val, (box.right - val.get_width(), y))
        left = box.left + max(text.get_width(), int(44 * self.typo.scale)) + 4
        track = pygame.Rect(left, y + lh // 2 - 3, box.right - val.get_width() - 4 - left, 6)
        if track.width < 16:  # no room (large text): the number says it
            return y + lh
        pygame.draw.rect(surf, theme.GRID, track, border_radius=3)
        fill = track.copy()
        fill.width = int(track.width * max(0.0, min(1.0, value / top)))
        if fill.width > 0:
            pygame.draw.rect(surf, colour, fill, border_radius=3)
        return y + lh

    def _line(self, surf, box, y, text, colour=theme.TEXT) -> int:
        rendered = self.typo.render(self.typo.fit(text, 10, box.width), 10, colour)
        surf.blit(rendered, (box.left, y))
        return y + self.typo.line_height(10)

    def _state(self, surf, box, card: dict) -> None:
        actor = card["id"]
        y = self._header(surf, box, actor, theme.STATE_NAMES[actor], theme.STATE_COLOURS[actor])
        if y > box.bottom:
            return
        if "capacity" in card:
            y = self._bar(surf, box, y, "capacity", card["capacity"], 1.5, theme.MUTED)
            y = self._caption(surf, box, y + 2, "CT priorities")
            for g in GROUPS:
                y = self._bar(surf, box, y, g, card["priorities"][g], 1.0, theme.GROUP_COLOURS[g])
        y = self._caption(surf, box, y + 2, "trust toward")
        for other, value in card["trust"].items():
            y = self._bar(surf, box, y, other, value, 1.0, theme.STATE_COLOURS[other])
        y = self._caption(surf, box, y + 2, "aid, USD M/yr paid")
        flows = [("to ", a["recipient"], a) for a in card["aid_out"]]
        flows += [("from ", a["donor"], a) for a in card["aid_in"]]
        shown = [
            (arrow, who, a) for arrow, who, a in flows if (a["paid_usd_m_per_year"] or 0) > 0.5
        ]
        for arrow, who, a in shown:
            if y + self.typo.line_height(10) > box.bottom:
                break
            kind = SHORT_KIND.get(a["kind"], a["kind"].split()[0])
            y = self._line(surf, box, y, f"{arrow}{who} {kind} {a['paid_usd_m_per_year']:.0f}")
        if not shown:
            self._line(surf, box, y, "none", theme.FAINT)

    def _group(self, surf, box, card: dict) -> None:
        actor = card["id"]
        colour = theme.GROUP_COLOURS[actor]
        y = self._header(surf, box, actor, card["name"], colour)
        y = self._bar(surf, box, y, "strength", card["strength"], 2.0, colour)
        if "sanctuary" in card:
            y = self._bar(surf, box, y, "sanctuary", card["sanctuary"], 1.0, theme.MUTED)
        y = self._bar(surf, box, y, "weapons", card["weapons"], 1.0, theme.MUTED)
        y = self._bar(surf, box, y, "funding", card["funding"], 2.0, theme.MUTED)
        y = self._caption(surf, box, y + 2, "shelters in")
        y = self._line(surf, box, y, theme.STATE_NAMES[card["sanctuary_host"]])
        y = self._caption(surf, box, y + 2, "based in")
        based = sorted(card["based_in"].items(), key=lambda kv: -kv[1])
        for region, share in based:
            if y + self.typo.line_height(10) > box.bottom:
                break
            y = self._line(surf, box, y, f"{region} {share:.0%}", theme.MUTED)
