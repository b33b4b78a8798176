"""The event ticker: notable events of the followed replicate, newest first, one line each.

Selecting an event shows its mechanism, its explanation and the seed sentence (or declared
assumption) behind it.
"""

from __future__ import annotations

import pygame

from sim.run.timeline import Branch
from viz import theme
from viz.theme import Typography

TYPE_LABEL = {
    "policy": ("policy", theme.SKY),
    "shock": ("shock", theme.ORANGE),
    "joint_operation": ("joint op", theme.SKY),
    "border_clash": ("clash", theme.VERMILLION),
    "attacks_on_chinese_interests": ("China", (205, 205, 205)),
    "attack_surge": ("surge", theme.VERMILLION),
    "group_weakened": ("weakened", theme.GREEN),
    "group_resurgent": ("resurgent", theme.PURPLE),
    "relations_breakdown": ("breakdown", theme.ORANGE),
}


def evidence_lines(evidence: dict | None) -> list[str]:
    """The source sentences (per group, when the event names groups) AND the assumption."""
    if not evidence:
        return []
    param = evidence["parameter"]
    out = []
    if evidence.get("per_group"):
        for entry in evidence["per_group"]:
            quotes = entry["quotes"]
            if not quotes:
                out.append(f"{entry['group']}: no seed sentence — an assumption (below).")
            out += [f"{entry['group']}: “{q['quote']}” — {q['seed'][:3]}" for q in quotes]
    else:
        quotes = evidence.get("quotes") or []
        if not quotes and evidence.get("quote"):
            quotes = [{"seed": evidence["seed"], "quote": evidence["quote"]}]
        out += [f"“{q['quote']}” — {q['seed'][:3]} ({param})" for q in quotes[:2]]
    if evidence.get("assumption"):
        out.append(f"Assumption ({param}): {evidence['assumption']}")
    return out


class Ticker:
    def __init__(self, typo: Typography):
        self.typo = typo
        self.selected: dict | None = None
        self._rows: list[tuple[pygame.Rect, dict]] = []
        self.detail_lines: list[tuple[str, pygame.Rect, pygame.Rect]] = []  # (text, box, pane)

    def visible_events(self, branch: Branch, month: int, replicate: int) -> list[dict]:
        events = [e for e in branch.events_of(replicate) if e["index"] <= month]
        events.sort(key=lambda e: (e["index"], e["replicate"] is not None))
        return events[::-1]

    def click(self, pos) -> bool:
        for rect, event in self._rows:
            if rect.collidepoint(pos):
                self.selected = None if self.selected is event else event
                return True
        return False

    def move_selection(self, events: list[dict], step: int) -> None:
        if not events:
            self.selected = None
            return
        try:
            i = events.index(self.selected) + step
        except ValueError:
            i = 0
        self.selected = events[max(0, min(len(events) - 1, i))]

    def draw(self, surface, rect: pygame.Rect, events: list[dict], replicate_id: int) -> None:
        pygame.draw.rect(surface, theme.PANEL, rect, border_radius=4)
        inner = rect.inflate(-12, -8)
        typo = self.typo
        heading = typo.fit(f"Events — replicate {replicate_id}", 12, inner.width, bold=True)
        title = typo.blit(surface, heading, 12, theme.TEXT, inner.topleft, rect, bold=True)
        for hint in ("click or PgUp/PgDn to explain", "PgUp/PgDn"):
            hint_w = typo.font(9).size(hint)[0]
            if title.right + 12 + hint_w <= inner.right:
                typo.blit(
                    surface, hint, 9, theme.FAINT, (inner.right - hint_w, inner.top + 3), rect
                )
                break
        y = inner.top + title.height + 2
        detail_h = int(inner.height * 0.45) if self.selected else 0
        list_bottom = inner.bottom - detail_h
        lh = self.typo.line_height(10) + 1
        self._rows = []
        if not events:
            msg = self.typo.render("No notable events yet.", 10, theme.FAINT)
            surface.blit(msg, (inner.left, y))
        tag_w = int(62 * self.typo.scale)
        date_w = int(50 * self.typo.scale)
        room = max(1, (list_bottom - y) // lh)
        start = 0
        if self.selected is not None and self.selected in events:
            start = max(0, events.index(self.selected) - room + 1)  # keep it in view
        for event in events[start:]:
            if y + lh > list_bottom:
                break
            row = pygame.Rect(inner.left, y, inner.width, lh)
            if event is self.selected:
                pygame.draw.rect(surface, theme.GRID, row)
            label, colour = TYPE_LABEL.get(event["type"], (event["type"], theme.MUTED))
            typo.blit(surface, event["date"], 10, theme.MUTED, (row.left, y), rect)
            label = typo.fit(label, 10, tag_w - 4, bold=True)
            typo.blit(surface, label, 10, colour, (row.left + date_w, y), rect, bold=True)
            text = typo.fit(event["explanation"], 10, row.width - date_w - tag_w)
            typo.blit(surface, text, 10, theme.TEXT, (row.left + date_w + tag_w, y), rect)
            self._rows.append((row, event))
            y += lh
        if self.selected:
            self._detail(surface, pygame.Rect(inner.left, list_bottom, inner.width, detail_h))

    def _detail(self, surface, box: pygame.Rect) -> None:
        ev = self.selected
        pygame.draw.line(surface, theme.PANEL_EDGE, box.topleft, box.topright)
        y = box.top + 3
        head = f"{ev['date']} · mechanism: {ev['mechanism']}"
        lines = [(t, 10, theme.SKY, True) for t in self.typo.wrap(head, 10, box.width, True)]
        lines += [
            (t, 10, theme.TEXT, False) for t in self.typo.wrap(ev["explanation"], 10, box.width)
        ]
        for text in evidence_lines(ev.get("evidence")):
            lines += [(t, 10, theme.MUTED, False) for t in self.typo.wrap(text, 10, box.width)]
        self.detail_lines = []
        for text, size, colour, bold in lines:
            if y + self.typo.line_height(size) > box.bottom:
                break
            rendered = self.typo.render(text, size, colour, bold)
            drawn = surface.blit(rendered, (box.left, y))
            self.detail_lines.append((text, drawn, box))
            self.typo.note(text, drawn, box)
            y += self.typo.line_height(size)
