"""The viewer's scene (the help overlay is viz.scene_manager's), with enter / handle_event /
update(dt) / draw(surface).

The viewer scene holds what is shown (branch, month, followed replicate, modes) and turns
keys, clicks and widget events into commands on the playback clock and the timeline.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pygame
import pygame_gui

from sim.inputs.errors import DurandError
from sim.inputs.scenario import month_index, parse_year_month
from sim.run.timeline import Branch, Timeline, date_label
from viz import theme
from viz.cards import CardStrip
from viz.charts import CHARTS, Chart
from viz.layout import compute_layout
from viz.map_view import MapData, MapView
from viz.playback import Playback
from viz.scene_manager import Scene
from viz.ticker import Ticker
from viz.widgets import LeverPanel, TopBar, rounded

KEYS = (
    ("Space", "play / pause"),
    ("Left / Right", "step one month back / forward"),
    ("Home / End", "rewind to the start / jump to the end"),
    ("- / +", "slower / faster (0.25x to 16x)"),
    ("G", "jump to a date (type YYYY-MM, Enter)"),
    ("[ / ]", "follow the previous / next replicate (map and events)"),
    ("", "charts: median line, 50% and 90% bands over replicates"),
    ("", "trust US-PAK is the US's trust in Pakistan"),
    ("PgUp / PgDn", "select an event: its mechanism and seed sentence"),
    ("L", "what-if lever panel: change levers, fork a branch"),
    ("B", "show the next branch"),
    ("C", "branches overlaid or side by side"),
    ("F2 / T", "large text for projectors"),
    ("F11 / F", "fullscreen"),
    ("F12 / P", "screenshot to PNG"),
    ("F1 / H / ?", "this help"),
    ("Esc / Q", "close a panel / quit"),
)
NOTE = "A teaching abstraction, not a forecast. Map: Natural Earth. Any key closes this help."


class ViewerScene(Scene):
    def __init__(self, app, timeline: Timeline):
        self.app = app
        self.timeline = timeline
        self.playback = Playback(timeline.original.months)
        self.shown: Branch = timeline.original  # the branch on the map and the cards
        self.side_by_side = False
        self.replicate = 0  # position in the replicate axis followed on the map and ticker
        self.lever_state = "US"
        self.pending: dict[str, float] = {}
        self.levers_open = False
        self.status = ""
        self.status_until = 0.0
        self.map_view = MapView(app.typo)
        self.cards = CardStrip(app.typo)
        self.ticker = Ticker(app.typo)
        self.charts = [Chart(spec, app.typo) for spec in CHARTS]
        self._map_data: dict[int, MapData] = {}
        self.map_panes: list[pygame.Rect] = []  # where the map panes were last drawn
        self._events_key = None
        self._events: list[dict] = []
        self.bar: TopBar | None = None
        self.panels: dict[str, LeverPanel] = {}  # built on first use, hidden when closed
        self._panel_month = -1

    def enter(self) -> None:
        self.rebuild()

    # ------------------------------------------------------------ state

    @property
    def compare(self) -> Branch | None:
        return None if self.shown is self.timeline.original else self.shown

    @property
    def panel(self) -> LeverPanel | None:
        return self.panels.get(self.lever_state) if self.levers_open else None

    @property
    def month(self) -> int:
        return self.playback.month

    def map_data(self, branch: Branch) -> MapData:
        if id(branch) not in self._map_data:
            self._map_data[id(branch)] = MapData(branch)
        return self._map_data[id(branch)]

    def events(self) -> list[dict]:
        key = (id(self.shown), self.month, self.replicate)
        if key != self._events_key:
            self._events = self.ticker.visible_events(self.shown, self.month, self.replicate)
            self._events_key = key
        return self._events

    def say(self, text: str, seconds: float = 4.0) -> None:
        self.status = text
        self.status_until = time.monotonic() + seconds
        if self.panel is not None:
            self.panel.set_status(text)

    # ------------------------------------------------------------ widgets

    def rebuild(self) -> None:
        """(Re)create the widgets for the current window size and font scale."""
        self.layout = compute_layout(self.app.size, self.app.typo.scale)
        manager = self.app.manager
        manager.clear_and_reset()
        scale = self.app.typo.scale
        self.bar = TopBar(
            manager, self.layout.top_bar, self.playback.months, scale, int(250 * scale)
        )
        self.panels = {}
        self.sync_panel()

    def sync_panel(self) -> None:
        """Show the open state's lever panel with the levers in force next month."""
        for state, panel in self.panels.items():
            if state != self.lever_state or not self.levers_open:
                panel.hide()
        if not self.levers_open:
            return
        panel = self.panels.get(self.lever_state)
        if panel is None:
            panel = LeverPanel(
                self.app.manager, self.panel_rect(), self.app.typo.scale, self.lever_state
            )
            self.panels[self.lever_state] = panel
        panel.show()
        panel.refresh(
            self.shown.levers_at(min(self.month + 1, self.shown.months - 1)), self.pending
        )
        panel.set_status(self.status or self._fork_hint())
        self._panel_month = self.month

    def panel_rect(self) -> pygame.Rect:
        """The lever panel's place: over the cards, growing upward over the charts and map
        when the cards' strip is too short for every lever."""
        from viz.widgets import PanelPlan, lever_specs

        cards, scale = self.layout.cards, self.app.typo.scale
        levers = max(len(lever_specs(s)) for s in ("US", "PAK", "AFG", "CHN"))
        tallest = cards.bottom - self.layout.top_bar.bottom - 2
        for left in (cards.left, self.layout.ticker.left):
            plan = PanelPlan(cards.right - left, scale, levers)
            if plan.height <= cards.height:
                return pygame.Rect(left, cards.top, cards.right - left, cards.height)
            if plan.columns == 2 or left == self.layout.ticker.left:
                height = min(plan.height, tallest)
                return pygame.Rect(left, cards.bottom - height, cards.right - left, height)
        return cards

    def _fork_hint(self) -> str:
        nxt = self.month + 1
        if nxt >= self.shown.months:
            return "The run has ended: step back to fork."
        when = date_label(self.shown.scenario.start, nxt)
        return f"Changed levers act from {when}; the branch re-runs with the same seed."

    def clear_caches(self) -> None:
        self.map_view.clear()
        self.cards.clear()
        for chart in self.charts:
            chart.clear()

    # ------------------------------------------------------------ commands

    def toggle_levers(self) -> None:
        self.levers_open = not self.levers_open
        self.sync_panel()

    def next_branch(self, step: int = 1) -> None:
        branches = self.timeline.all
        i = branches.index(self.shown) if self.shown in branches else 0
        self.shown = branches[(i + step) % len(branches)]
        self._events_key = None
        self.ticker.selected = None
        self.say(f"Showing {self.shown.name}")
        self.sync_panel()

    def fork(self, name: str | None = None) -> Branch | None:
        if not self.pending:
            self.say("Move a lever first: nothing has changed.")
            return None
        month = self.month + 1
        try:
            branch = self.timeline.fork(
                month, dict(self.pending), name=name or None, parent=self.shown.name
            )
        except DurandError as exc:
            self.say(str(exc).splitlines()[-1].strip()[:160], 8)
            return None
        self.pending.clear()
        self.shown = branch
        self._events_key = None
        self.ticker.selected = None
        self.say(f"Forked '{branch.name}' from {date_label(branch.scenario.start, month)}.")
        self.sync_panel()
        return branch

    def rename(self, new: str) -> None:
        if self.compare is None:
            self.say("Show a branch first (B) to rename it.")
            return
        try:
            self.timeline.rename(self.shown.name, new)
            self.say(f"Renamed to '{new.strip()}'.")
        except DurandError as exc:
            self.say(str(exc))
        self.clear_caches()

    def remove(self) -> None:
        if self.compare is None:
            self.say("The original run cannot be removed.")
            return
        name = self.shown.name
        self.timeline.remove(name)
        self._map_data.pop(id(self.shown), None)
        self.shown = self.timeline.original
        self._events_key = None
        self.ticker.selected = None
        self.clear_caches()
        self.say(f"Removed '{name}'.")

    def export(self, folder: Path | None = None) -> Path | None:
        if self.compare is None:
            self.say("Show a branch first (B) to export it.")
            return None
        slug = re.sub(r"[^a-z0-9]+", "-", self.shown.name.lower()).strip("-") or "branch"
        path = (folder or self.app.output_dir) / f"what-if-{slug}.yaml"
        try:
            self.timeline.export(self.shown.name, path)
        except DurandError as exc:
            self.say(str(exc))
            return None
        self.say(f"Wrote {path} (durand run reproduces it).", 8)
        return path

    def jump_to(self, text: str) -> None:
        try:
            at = parse_year_month(text)
        except ValueError:
            self.say(f"'{text}' is not a date like 2026-03.")
            return
        month = month_index(self.shown.scenario.start, at)
        if not 0 <= month < self.playback.months:
            last = date_label(self.shown.scenario.start, self.playback.months - 1)
            self.say(f"The run covers {date_label(self.shown.scenario.start, 0)} to {last}.")
            return
        self.playback.playing = False
        self.playback.seek(month)

    def follow(self, step: int) -> None:
        self.replicate = (self.replicate + step) % self.shown.result.replicates
        self.ticker.selected = None

    # ------------------------------------------------------------ events

    def handle_event(self, event) -> bool:
        if event.type == pygame_gui.UI_BUTTON_PRESSED:
            return self._button(event.ui_element)
        if event.type == pygame_gui.UI_HORIZONTAL_SLIDER_MOVED:
            return self._slider(event.ui_element)
        if event.type == pygame_gui.UI_TEXT_ENTRY_FINISHED:
            if self.bar and event.ui_element is self.bar.date:
                self.jump_to(event.text)
            elif self.panel and event.ui_element is self.panel.name:
                self.rename(event.text)
            return True
        if event.type == pygame.MOUSEWHEEL and self.layout.ticker.collidepoint(
            pygame.mouse.get_pos()
        ):
            self.ticker.move_selection(self.events(), -int(event.y))
            return True
        if event.type == pygame.MOUSEBUTTONDOWN and event.button == 1:
            if self.panel is not None and self.panel.panel.rect.collidepoint(event.pos):
                return False  # the lever panel lies over the ticker
            if self.layout.ticker.collidepoint(event.pos):
                self.ticker.click(event.pos)
                return True
            return False
        if event.type == pygame.KEYDOWN and not self.app.typing():
            return self._key(event)
        return False

    def _key(self, event) -> bool:
        k, pb = event.key, self.playback
        actions = {
            pygame.K_SPACE: pb.toggle,
            pygame.K_RIGHT: lambda: pb.step(1),
            pygame.K_LEFT: lambda: pb.step(-1),
            pygame.K_HOME: lambda: (pb.seek(0), setattr(pb, "playing", False)),
            pygame.K_END: lambda: (pb.seek(pb.months - 1), setattr(pb, "playing", False)),
            pygame.K_MINUS: pb.slower,
            pygame.K_KP_MINUS: pb.slower,
            pygame.K_PLUS: pb.faster,
            pygame.K_EQUALS: pb.faster,
            pygame.K_KP_PLUS: pb.faster,
            pygame.K_LEFTBRACKET: lambda: self.follow(-1),
            pygame.K_RIGHTBRACKET: lambda: self.follow(1),
            pygame.K_PAGEUP: lambda: self.ticker.move_selection(self.events(), -1),
            pygame.K_PAGEDOWN: lambda: self.ticker.move_selection(self.events(), 1),
            pygame.K_l: self.toggle_levers,
            pygame.K_b: self.next_branch,
            pygame.K_c: self._toggle_compare,
            pygame.K_g: lambda: self.bar.date.focus(),
        }
        action = actions.get(k)
        if action is None:
            if k == pygame.K_ESCAPE and self.levers_open:
                self.toggle_levers()
                return True
            return False
        action()
        return True

    def _toggle_compare(self) -> None:
        self.side_by_side = not self.side_by_side
        if self.compare is None:
            self.say("Fork a branch (L) to compare it with the original.")

    def _button(self, element) -> bool:
        pb = self.playback
        bar = self.bar.buttons if self.bar else {}
        actions = {
            "rewind": lambda: (pb.seek(0), setattr(pb, "playing", False)),
            "back": lambda: pb.step(-1),
            "play": pb.toggle,
            "step": lambda: pb.step(1),
            "slower": pb.slower,
            "faster": pb.faster,
            "go": lambda: self.jump_to(self.bar.date.get_text()),
            "whatif": self.toggle_levers,
            "compare": self._toggle_compare,
            "help": self.app.show_help,
        }
        for key, button in bar.items():
            if element is button:
                actions[key]()
                return True
        if self.panel is None:
            return False
        for state, tab in self.panel.tabs.items():
            if element is tab:
                self.lever_state = state
                self.sync_panel()
                return True
        panel_actions = {
            "fork": lambda: self.fork(self.panel.name.get_text().strip() or None),
            "reset": lambda: (self.pending.clear(), self.sync_panel()),
            "close": self.toggle_levers,
            "rename": lambda: self.rename(self.panel.name.get_text()),
            "prev": lambda: self.next_branch(-1),
            "next": lambda: self.next_branch(1),
            "remove": self.remove,
            "export": self.export,
        }
        for key, button in self.panel.buttons.items():
            if element is button:
                panel_actions[key]()
                return True
        return False

    def _slider(self, element) -> bool:
        if self.bar and element is self.bar.timeline:
            self.playback.playing = False
            self.playback.seek(int(round(element.get_current_value())))
            return True
        if self.panel is None:
            return False
        key = self.panel.slider_key(element)
        if key is None:
            return False
        low, high = self.panel.ranges[key]
        value = rounded(self.panel.sliders[key].get_current_value(), high)
        current = self.shown.levers_at(min(self.month + 1, self.shown.months - 1)).get(key)
        if current is not None and abs(value - current) < 1e-9:
            self.pending.pop(key, None)
        else:
            self.pending[key] = value
        self.panel.show_value(key, value, key in self.pending)
        return True

    # ------------------------------------------------------------ frame

    def update(self, dt: float) -> None:
        self.playback.update(dt)
        if self.levers_open and self.month != self._panel_month:
            self.sync_panel()
        if self.bar:
            self.bar.sync(self.month, self.playback.playing, self.playback.speed, self.side_by_side)
        if self.status and time.monotonic() > self.status_until and not self.levers_open:
            self.status = ""

    def draw(self, surface) -> None:
        surface.fill(theme.BACKGROUND)
        lay = self.layout
        month, original, compare = self.month, self.timeline.original, self.compare
        self._header(surface)
        self._map(surface, lay.map, month)
        for chart, rect in zip(self.charts, lay.charts, strict=True):
            chart.draw(surface, rect, original, compare, self.side_by_side, month)
        rid = int(self.shown.result.replicate_ids[self.replicate])
        self.ticker.draw(surface, lay.ticker, self.events(), rid)
        if not self.levers_open:
            self.cards.draw(surface, lay.cards, self.shown, month)
        if self.status and not self.levers_open:
            typo = self.app.typo
            status = typo.fit(self.status, 13, lay.cards.width - 40, bold=True)
            text = typo.render(status, 13, theme.HIGHLIGHT, bold=True)
            box = text.get_rect(midbottom=(lay.cards.centerx, lay.cards.bottom - 8)).inflate(20, 10)
            pygame.draw.rect(surface, theme.BLUE, box, border_radius=6)
            surface.blit(text, text.get_rect(center=box.center))

    def _header(self, surface) -> None:
        """Date, scenario title and branch in the top bar's left corner (title and branch
        only when the bar leaves them room)."""
        typo = self.app.typo
        width = self.bar.header_width if self.bar else int(250 * typo.scale)
        pane = pygame.Rect(0, 0, width, self.layout.top_bar.height)
        start = self.shown.scenario.start
        date = typo.blit(
            surface, date_label(start, self.month), 20, theme.TEXT, (10, 4), pane, True
        )
        room = width - date.right - 14
        if room < 40:
            return
        r = self.shown.result.replicates
        info = f"{self.shown.name} · {r} replicate{'s' if r > 1 else ''}"
        x = date.right + 10
        title = typo.fit(self.timeline.original.scenario.title, 10, room)
        typo.blit(surface, title, 10, theme.MUTED, (x, 6), pane)
        typo.blit(
            surface, typo.fit(info, 10, room), 10, theme.MUTED, (x, 6 + typo.line_height(10)), pane
        )

    def _map(self, surface, rect, month) -> None:
        pygame.draw.rect(surface, theme.PANEL, rect, border_radius=4)
        pb = self.playback
        rid = int(self.shown.result.replicate_ids[self.replicate])
        legend_h = self._map_legend(surface, rect)
        area = pygame.Rect(rect.left, rect.top, rect.width, rect.height - legend_h)
        if self.compare is not None and self.side_by_side:
            half = (area.width - 4) // 2
            panes = [
                (pygame.Rect(area.left, area.top, half, area.height), self.timeline.original),
                (pygame.Rect(area.left + half + 4, area.top, half, area.height), self.compare),
            ]
        else:
            panes = [(area, self.shown)]
        for pane, branch in panes:
            label = f"{branch.name} · replicate {rid}"
            # Overlaid: the branch's map, its presence labelled with the change from the original.
            reference = None
            if len(panes) == 1 and branch is not self.timeline.original:
                reference = self.map_data(self.timeline.original)
                label += " (vs original)"
            self.map_view.draw(
                surface,
                pane,
                branch,
                self.map_data(branch),
                month,
                pb.phase,
                pb.playing,
                self.replicate,
                label,
                reference,
            )
        self.map_panes = [pane for pane, _ in panes]
        mouse = pygame.mouse.get_pos() if pygame.mouse.get_focused() else (-1, -1)
        for pane, branch in panes:
            region = self.map_view.region_at(pane, mouse)
            if region is not None:
                data = self.map_data(branch)
                self.map_view.tooltip(surface, mouse, region, data, month, self.replicate)

    def _map_legend(self, surface, rect) -> int:
        """The key under the map: group colours, then what the shading means (on a second
        line, or shorter, when one line has no room). Returns the height it takes."""
        typo = self.app.typo
        lh = typo.line_height(10)
        items = [("attacks:", theme.MUTED, False)] + [
            (g, c, True) for g, c in theme.GROUP_COLOURS.items()
        ]
        widths = [
            typo.font(10, bold).size(t)[0] + (0 if i == 0 else 11)
            for i, (t, _, bold) in enumerate(items)
        ]
        keys_w = sum(widths) + 6 + 20 * (len(items) - 1)
        room = rect.width - 16
        note = "shading: median militant presence by region"
        for candidate in (note, "shading: median presence", "shading: presence"):
            note = candidate
            if typo.font(10).size(note)[0] <= room:
                break
        note = typo.fit(note, 10, room)
        note_w = typo.font(10).size(note)[0]
        rows = 1 if keys_w + 16 + note_w <= room else 2
        y = rect.bottom - rows * lh - 4
        x = rect.left + 8
        for i, (text, colour, bold) in enumerate(items):
            if i:
                pygame.draw.circle(surface, colour, (x + 4, y + lh // 2), 4)
                x += 11
            x = typo.blit(surface, text, 10, colour, (x, y), rect, bold).right + (
                6 if i == 0 else 20
            )
        ny = y if rows == 1 else y + lh
        typo.blit(surface, note, 10, theme.MUTED, (rect.right - note_w - 8, ny), rect)
        return rows * lh + 6
