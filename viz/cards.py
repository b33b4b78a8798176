"""Actor cards: the four states and the three militant groups, from ``Agent.card()``.

States show priorities, capacity, aid in and out and trust toward the others; groups show
strength, sanctuary, weapons access and funding. Values are medians over replicates. A card
set is drawn once per branch, month and size, then blitted.

Cards are laid out for the room they get: every line is cut to the card's width and nothing
is drawn below its bottom. Narrow cards (large text) put each bar under its label, shorten
captions and list the bases on wrapped lines; short cards drop the full name first.
"""

from __future__ import annotations

import pygame

from sim import GROUPS, STATES
from sim.run.timeline import Branch
from viz import theme
from viz.theme import Typography

SHORT_KIND = {
    "military aid (F-16 sustainment)": "military",
    "non-military aid": "civil",
    "release of frozen central-bank reserves": "reserves",
}
SHORT_LABEL = {"capacity": "cap", "strength": "str", "sanctuary": "sanct", "weapons": "arms"}
SHORT_LABEL |= {"funding": "funds"}
TINY_KIND = {"military": "mil", "civil": "civ", "reserves": "res", "mining": "mine"}


# Humane outcomes on the state cards (per month, medians): label, compact label, unit.
HARM_LABEL = {
    "harm.drone_civilians": ("civilians harmed by drones/mo", "drone harm/mo", ""),
    "harm.displaced": ("deported/displaced per month", "deported/mo", "k"),
}


class CardWriter:
    """Writes one card top to bottom; a row that would cross the bottom is not drawn."""

    def __init__(self, typo: Typography, surf, box: pygame.Rect, compact: bool, named: bool):
        self.typo, self.surf, self.box = typo, surf, box
        self.compact, self.named = compact, named
        self.y = box.top
        self.cut = False  # a row had no room
        self.notes: list[tuple[str, pygame.Rect, pygame.Rect]] = []

    def room(self, height: int) -> bool:
        if self.y + height > self.box.bottom:
            self.cut = True
            return False
        return True

    def text(self, text, base, colour, x, bold=False, width=None) -> pygame.Rect:
        text = self.typo.fit(text, base, width or self.box.right - x, bold)
        box = self.surf.blit(self.typo.render(text, base, colour, bold), (x, self.y))
        self.notes.append((text, box, self.box))
        return box

    def header(self, actor: str, name: str, colour) -> None:
        box = self.box
        pygame.draw.rect(self.surf, colour, (box.left, box.top, box.width, 4))
        self.y += 5
        title = self.text(actor, 13, colour, box.left, bold=True)
        self.y += title.height
        if self.named and self.room(self.typo.line_height(9)):
            self.y += self.text(name, 9, theme.MUTED, box.left).height
        self.y += 2

    def caption(self, text: str) -> bool:
        lh = self.typo.line_height(9)
        if not self.room(lh + 2):
            return False
        self.y += 2
        self.text(text, 9, theme.MUTED, self.box.left, bold=True)
        self.y += lh
        return True

    def line(self, text: str, colour=theme.TEXT) -> bool:
        lh = self.typo.line_height(10)
        if not self.room(lh):
            return False
        self.text(text, 10, colour, self.box.left)
        self.y += lh
        return True

    def pair(self, label: str, value: str, colour=theme.TEXT) -> bool:
        """A label cut to fit on the left and a whole number on the right."""
        lh = self.typo.line_height(10)
        if not self.room(lh):
            return False
        val_w = self.typo.font(10).size(value)[0]
        box = self.box
        drawn = self.surf.blit(self.typo.render(value, 10, colour), (box.right - val_w, self.y))
        self.notes.append((value, drawn, box))
        self.text(label, 10, colour, box.left, width=box.width - val_w - 6)
        self.y += lh
        return True

    def bar(self, label, value, top, colour, fmt="{:.2f}") -> bool:
        """Label, value and a bar: beside them when there is room, else a thin bar under."""
        typo, box = self.typo, self.box
        lh = typo.line_height(10)
        if not self.room(lh):
            return False
        val_text = fmt.format(value)
        val_w = typo.font(10).size(val_text)[0]
        val = self.surf.blit(typo.render(val_text, 10, theme.TEXT), (box.right - val_w, self.y))
        self.notes.append((val_text, val, box))
        label_w = box.width - val_w - 4
        if typo.font(10).size(label)[0] > label_w:
            label = SHORT_LABEL.get(label, label)
        text = self.text(label, 10, theme.TEXT, box.left, width=label_w)
        if self.compact:
            track = pygame.Rect(box.left, self.y + lh - 2, box.width, 2)
        else:
            left = box.left + max(text.width, int(44 * typo.scale)) + 4
            track = pygame.Rect(left, self.y + lh // 2 - 3, box.right - val_w - 4 - left, 6)
        if track.width >= 16:
            pygame.draw.rect(self.surf, theme.GRID, track, border_radius=2)
            fill = track.copy()
            fill.width = int(track.width * max(0.0, min(1.0, value / top)))
            if fill.width > 0:
                pygame.draw.rect(self.surf, colour, fill, border_radius=2)
        self.y += lh
        return True

    def words(self, items: list[str], colour) -> None:
        """Items on as few wrapped lines as fit; the last line says how many are left out."""
        # "_" holds each item together while wrapping (a bit wider than the space it stands for)
        joined = "  ".join(i.replace(" ", "_") for i in items)
        lines = self.typo.wrap(joined, 10, self.box.width)
        lh = self.typo.line_height(10)
        room = max(0, (self.box.bottom - self.y) // lh)
        if len(lines) > room:
            self.cut = True
            lines = lines[:room]
            if lines:
                shown = sum(len(line.split()) for line in lines[:-1])
                lines[-1] = f"+{len(items) - shown} more"
        for line in lines:
            self.line(line.replace("_", " "), colour)


class CardStrip:
    def __init__(self, typo: Typography):
        self.typo = typo
        self._cache: dict[tuple, tuple] = {}

    def clear(self) -> None:
        self._cache.clear()

    def draw(self, surface, rect: pygame.Rect, branch: Branch, month: int) -> None:
        key = (id(branch), month, rect.size, self.typo.scale)
        cached = self._cache.get(key)
        if cached is None:
            if len(self._cache) > 200:
                self._cache.clear()
            cached = self._render(rect.size, branch.cards[month])
            self._cache[key] = cached
        surf, notes = cached
        surface.blit(surf, rect.topleft)
        for text, box, pane in notes:
            self.typo.note(text, box, pane, rect.topleft)

    def _render(self, size, cards: dict[str, dict]):
        surf = pygame.Surface(size)
        surf.fill(theme.BACKGROUND)
        actors = STATES + GROUPS
        width = size[0] // len(actors)
        notes = []
        for i, actor in enumerate(actors):
            box = pygame.Rect(i * width + 2, 0, width - 4, size[1])
            inner = box.inflate(-10, -8)
            compact = inner.width < self._bar_room()
            for named in (True, False):  # short of height: drop the full name first
                pygame.draw.rect(surf, theme.PANEL, box, border_radius=4)
                writer = CardWriter(self.typo, surf, inner, compact, named)
                (self._state if actor in STATES else self._group)(writer, cards[actor])
                if not writer.cut:
                    break
            notes += writer.notes
        return surf, notes

    def _bar_room(self) -> int:
        """The width a label, a value and a readable bar need side by side."""
        font = self.typo.font(10)
        return font.size("sanctuary")[0] + font.size("0.00")[0] + 40

    # ------------------------------------------------------------ cards

    def _state(self, w: CardWriter, card: dict) -> None:
        actor = card["id"]
        w.header(actor, theme.STATE_NAMES[actor], theme.STATE_COLOURS[actor])
        for metric, value in card.get("harm", {}).items():
            if value > 0.05:  # what the policy costs people, before anything else
                label, short, unit = HARM_LABEL[metric]
                w.pair(short if w.compact else label, f"{value:,.0f}{unit}", theme.VERMILLION)
        if "capacity" in card:
            w.bar("capacity", card["capacity"], 1.5, theme.MUTED)
            if w.caption("CT priorities"):
                for g in GROUPS:
                    w.bar(g, card["priorities"][g], 1.0, theme.GROUP_COLOURS[g])
        if w.caption("trust in" if w.compact else "trust toward"):
            for other, value in card["trust"].items():
                w.bar(other, value, 1.0, theme.STATE_COLOURS[other])
        if not w.caption("aid $M/yr" if w.compact else "aid, USD M/yr paid"):
            return
        flows = [("to ", a["recipient"], a) for a in card["aid_out"]]
        flows += [("from ", a["donor"], a) for a in card["aid_in"]]
        shown = [f for f in flows if (f[2]["paid_usd_m_per_year"] or 0) > 0.5]
        for n, (arrow, who, a) in enumerate(shown):
            kind = SHORT_KIND.get(a["kind"], a["kind"].split()[0])
            if w.compact:
                kind = TINY_KIND.get(kind, kind)
            left = len(shown) - n
            if left > 1 and w.y + 2 * self.typo.line_height(10) > w.box.bottom:
                w.line(f"+{left} more flows", theme.MUTED)
                w.cut = True
                break
            w.pair(f"{arrow}{who} {kind}", f"{a['paid_usd_m_per_year']:.0f}")
        if not shown:
            w.line("none", theme.FAINT)

    def _group(self, w: CardWriter, card: dict) -> None:
        actor = card["id"]
        colour = theme.GROUP_COLOURS[actor]
        w.header(actor, card["name"], colour)
        w.bar("strength", card["strength"], 2.0, colour)
        if "sanctuary" in card:
            w.bar("sanctuary", card["sanctuary"], 1.0, theme.MUTED)
        w.bar("weapons", card["weapons"], 1.0, theme.MUTED)
        w.bar("funding", card["funding"], 2.0, theme.MUTED)
        host = card["sanctuary_host"]
        if w.compact:
            w.pair("shelters in", host)
        elif w.caption("shelters in"):
            w.line(theme.STATE_NAMES[host])
        based = sorted(card["based_in"].items(), key=lambda kv: -kv[1])
        items = [f"{region} {share:.0%}" for region, share in based]
        if w.caption("based in"):
            if w.compact:
                w.words(items, theme.MUTED)
            else:
                for n, item in enumerate(items):
                    left = len(items) - n
                    if left > 1 and w.y + 2 * self.typo.line_height(10) > w.box.bottom:
                        w.line(f"+{left} more", theme.MUTED)
                        w.cut = True
                        break
                    w.line(item, theme.MUTED)
