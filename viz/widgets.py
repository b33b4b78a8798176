"""pygame_gui widgets: the playback bar and the what-if lever panel.

Widgets only turn clicks into commands (method calls on the scene); they hold no model
state. They are rebuilt whenever the window size or the font scale changes.
"""

from __future__ import annotations

import pygame
from pygame_gui.elements import (
    UIButton,
    UIHorizontalSlider,
    UILabel,
    UIPanel,
    UIScrollingContainer,
    UITextEntryLine,
)

from sim import STATES
from sim.inputs.parameters import registry


def theme_for(scale: float) -> dict:
    size = str(max(10, int(round(13 * scale))))
    font = {"name": "noto_sans", "size": size}
    colours = {
        "normal_bg": "#2a3038",
        "hovered_bg": "#3a424d",
        "active_bg": "#0072b2",
        "normal_border": "#3a424d",
        "dark_bg": "#1f242b",
        "normal_text": "#e2e6eb",
    }
    block = {
        "font": font,
        "colours": colours,
        "misc": {"shape": "rounded_rectangle", "shape_corner_radius": "4"},
    }
    return {
        "button": block,
        "label": {"font": font, "colours": {"normal_text": "#e2e6eb", "dark_bg": "#00000000"}},
        "text_entry_line": {"font": font, "colours": colours},
        "horizontal_slider": {"colours": colours},
        "panel": {"colours": {"dark_bg": "#1f242b", "normal_border": "#3a424d"}},
        # left-aligned labels: the game's lever names and the terms under each offer
        "@left": {
            "font": font,
            "colours": {"normal_text": "#e2e6eb", "dark_bg": "#00000000"},
            "misc": {"text_horiz_alignment": "left"},
        },
        "@terms": {
            "font": {"name": "noto_sans", "size": str(max(10, int(round(12 * scale))))},
            "colours": {"normal_text": "#56b4e9", "dark_bg": "#00000000"},
            "misc": {"text_horiz_alignment": "left"},
        },
    }


class TopBar:
    """Play/pause, step, speed, a scrubbable timeline and jump-to-date.

    Laid out in flow: one row when everything fits beside the header with a usable
    timeline; otherwise two rows (always with large text), the timeline on the second,
    joined there by the date box and the panel buttons when the first row has no room.
    """

    CONTROLS = (
        ("rewind", "|<", 34, "Rewind to the start (Home)"),
        ("back", "<", 30, "Step back one month (Left)"),
        ("play", "Play", 58, "Play or pause (Space)"),
        ("step", ">", 30, "Step one month (Right)"),
        ("slower", "-", 26, "Slower (-)"),
        ("speed", "", 46, ""),
        ("faster", "+", 26, "Faster (+)"),
    )
    TOOLS = (
        ("date", "", 92, ""),
        ("go", "Go", 40, "Jump to the date (G focuses the box)"),
        ("whatif", "What-if", 78, "Lever panel: fork a branch (L)"),
        ("compare", "Side by side", 96, "Overlay or side by side (C)"),
        ("help", "?", 40, "Keys (H)"),
    )
    GAP = 4
    MIN_TIMELINE = 160

    def __init__(self, manager, rect: pygame.Rect, months: int, scale: float, header_w: int):
        from viz.layout import TOP_BAR_ONE_ROW, bar_row_height

        gap = self.GAP

        def width(items):
            return sum(int(w * scale) + gap for _, _, w, _ in items)

        controls_w, tools_w = width(self.CONTROLS), width(self.TOOLS)
        timeline_min = int(self.MIN_TIMELINE * scale)
        two_rows = scale > 1.0 or rect.width < TOP_BAR_ONE_ROW * scale
        # The header (date and title) shrinks to the date alone when the row is short.
        room = rect.width - 8
        full_header = header_w
        small_header = int(130 * scale)
        if not two_rows or full_header + controls_w + tools_w <= room:
            header = full_header
        else:
            header = full_header if full_header + controls_w <= room else small_header
        self.header_width = header
        tools_on_top = two_rows and header + controls_w + tools_w <= room
        h = bar_row_height(scale) if two_rows else rect.height - 12
        y1 = rect.top + 6
        y2 = y1 + h + 4
        self.buttons: dict[str, UIButton] = {}
        self.rows = 2 if two_rows else 1

        def place(items, x, y):
            for key, text, w, tip in items:
                r = pygame.Rect(x, y, int(w * scale), h)
                if key == "speed":
                    self.speed = UILabel(r, "1x", manager)
                elif key == "date":
                    self.date = UITextEntryLine(r, manager, placeholder_text="YYYY-MM")
                else:
                    self.buttons[key] = UIButton(r, text, manager, tool_tip_text=tip)
                x += r.width + gap
            return x

        x = place(self.CONTROLS, rect.left + header, y1)
        if not two_rows:
            slider_w = max(timeline_min // 2, rect.right - 8 - tools_w - x - 4)
            slider = pygame.Rect(x + 4, y1 + 2, slider_w, h - 4)
            place(self.TOOLS, slider.right + 8, y1)
        elif tools_on_top:
            place(self.TOOLS, rect.right - 8 - tools_w + gap, y1)
            slider = pygame.Rect(rect.left + 10, y2, rect.width - 20, h - 4)
        else:
            tools_x = rect.right - 8 - tools_w + gap
            slider = pygame.Rect(rect.left + 10, y2, max(40, tools_x - 8 - rect.left - 10), h - 4)
            place(self.TOOLS, tools_x, y2)
        self.timeline = UIHorizontalSlider(slider, 0, (0, max(1, months - 1)), manager)
        self.date.set_allowed_characters([*"0123456789-"])
        self.date.set_text_length_limit(7)
        self.buttons["compare"].set_text("Overlay")
        self._shown_month = -1

    def sync(self, month: int, playing: bool, speed: float, side_by_side: bool) -> None:
        if month != self._shown_month:
            self.timeline.set_current_value(month, warn=False)
            self._shown_month = month
        label = "Pause" if playing else "Play"
        if self.buttons["play"].text != label:
            self.buttons["play"].set_text(label)
        text = f"{speed:g}x"
        if self.speed.text != text:
            self.speed.set_text(text)
        mode = "Side by side" if side_by_side else "Overlay"
        if self.buttons["compare"].text != mode:
            self.buttons["compare"].set_text(mode)


def lever_specs(state: str) -> list[tuple[str, float, float, str]]:
    """(key, low, high, unit) for each lever of a state, from the parameter registry."""
    out = []
    for path, spec in registry().items():
        if path.startswith(f"levers.{state}."):
            key = path.removeprefix("levers.")
            out.append((key, float(spec.low or 0.0), float(spec.high or 1.0), spec.unit))
    return out


def rounded(value: float, high: float) -> float:
    return float(round(value)) if high > 10 else round(float(value), 2)


class PanelPlan:
    """Where the lever panel's widgets go for a width and font scale: button groups flow
    onto more rows when narrow, the levers take one column when two would squeeze the
    sliders, and lever rows shrink (down to the text's height) to fit ``max_height``."""

    PAD, GAP = 6, 4
    HEAD = (52, 52, 52, 52, 88, 56, 56)  # four state tabs, fork, reset, close
    BRANCH = (150, 70, 28, 28, 70, 66)  # name box, rename, <, >, remove, export

    def __init__(self, width: int, scale: float, levers: int, max_height: int | None = None):
        pad, gap = self.PAD, self.GAP
        self.row = row = int(26 * scale)
        self.inner_w = w = width - 2 * pad
        self.label_w, self.value_w = int(130 * scale), int(52 * scale)
        y = pad
        self.head, y = self._flow(self.HEAD, scale, y, w)
        self.branch, y = self._flow(self.BRANCH, scale, y + gap, w)
        self.status_y = y + 2
        self.levers_y = y + row + 6
        two = (w - 8) // 2 - self.label_w - self.value_w - 4 >= int(80 * scale)
        self.columns = 2 if two else 1
        self.col_w = (w - 8) // 2 if two else w
        rows = -(-levers // self.columns)
        self.lever_row = row + 2
        self.scrolls = False  # too many levers even at the smallest rows: a scrolling list
        if max_height is not None and rows:
            room = (max_height - self.levers_y - pad) // rows
            self.lever_row = max(int(20 * scale), min(self.lever_row, room))
            self.scrolls = room < self.lever_row
            if self.scrolls:  # the list gets a scroll bar: one column, full-height rows
                self.columns, self.col_w = 1, w - 24
                rows, self.lever_row = levers, row + 2
        self.levers_h = rows * self.lever_row
        self.height = self.levers_y + self.levers_h + pad

    def _flow(self, widths, scale, y, w):
        """Left to right, wrapping onto a new row; returns the rects and the y below them."""
        x, out = self.PAD, []
        for width in widths:
            width = int(width * scale)
            if x > self.PAD and x + width > self.PAD + w:
                x, y = self.PAD, y + self.row + self.GAP
            out.append(pygame.Rect(x, y, width, self.row))
            x += width + self.GAP
        return out, y + self.row

    def lever(self, i: int) -> tuple[int, int]:
        col, line = i % self.columns, i // self.columns
        return self.PAD + col * (self.col_w + 8), self.levers_y + line * self.lever_row


class LeverPanel:
    """Sliders for one state's levers, the fork button, and branch management."""

    def __init__(self, manager, rect: pygame.Rect, scale: float, state: str):
        self.panel = UIPanel(rect, starting_height=3, manager=manager)
        self.state = state
        specs = lever_specs(state)
        plan = PanelPlan(rect.width, scale, len(specs), rect.height)
        self.plan = plan
        self.tabs: dict[str, UIButton] = {}
        for s, r in zip(STATES, plan.head[:4], strict=True):
            self.tabs[s] = UIButton(r, s, manager, container=self.panel)
            if s == state:
                self.tabs[s].select()
        self.buttons: dict[str, UIButton] = {}

        def button(key, text, r, tip):
            self.buttons[key] = UIButton(r, text, manager, container=self.panel, tool_tip_text=tip)

        fork, reset, close = plan.head[4:]
        button(
            "fork", "Fork here", fork, "Apply the changed levers from next month and run a branch"
        )
        button("reset", "Reset", reset, "Forget changed levers")
        button("close", "Close", close, "Close the panel (L)")
        name, rename, prev, nxt, remove, export = plan.branch
        self.name = UITextEntryLine(
            name, manager, container=self.panel, placeholder_text="branch name"
        )
        button("rename", "Rename", rename, "Rename the shown branch")
        button("prev", "<", prev, "Previous branch (B)")
        button("next", ">", nxt, "Next branch (B)")
        button("remove", "Remove", remove, "Remove the shown branch")
        button("export", "Export", export, "Write the branch as a scenario YAML")
        pad, row = plan.PAD, plan.row
        self.status = UILabel(
            pygame.Rect(pad, plan.status_y, plan.inner_w, row), "", manager, container=self.panel
        )
        self.sliders: dict[str, UIHorizontalSlider] = {}
        self.values: dict[str, UILabel] = {}
        self.ranges: dict[str, tuple[float, float]] = {}
        col_w, label_w, value_w = plan.col_w, plan.label_w, plan.value_w
        h = plan.lever_row - 2
        holder, dy = self.panel, 0
        self.scroller: UIScrollingContainer | None = None
        if plan.scrolls:
            visible = pygame.Rect(0, plan.levers_y, rect.width - 6, rect.height - plan.levers_y - 6)
            self.scroller = holder = UIScrollingContainer(
                visible, manager, container=self.panel, allow_scroll_x=False
            )
            holder.set_scrollable_area_dimensions((col_w + 2 * pad, plan.levers_h))
            dy = -plan.levers_y
        for i, (key, low, high, _unit) in enumerate(specs):
            cx, cy = plan.lever(i)
            cy += dy
            name = key.split(".", 1)[1]
            UILabel(pygame.Rect(cx, cy, label_w, h), name, manager, container=holder)
            value = low
            step = 10.0 if high > 10 else 0.05
            slider = UIHorizontalSlider(
                pygame.Rect(cx + label_w, cy + 2, col_w - label_w - value_w - 4, h - 4),
                value,
                (low, high),
                manager,
                container=holder,
                click_increment=step,
            )
            self.sliders[key] = slider
            self.ranges[key] = (low, high)
            self.values[key] = UILabel(
                pygame.Rect(cx + col_w - value_w, cy, value_w, h),
                f"{value:g}",
                manager,
                container=holder,
            )

    def slider_key(self, element) -> str | None:
        for key, slider in self.sliders.items():
            if element is slider or element in (
                slider.sliding_button,
                slider.left_button,
                slider.right_button,
            ):
                return key
        return None

    def show_value(self, key: str, value: float, changed: bool) -> None:
        text = f"{value:g}{'*' if changed else ''}"
        if self.values[key].text != text:
            self.values[key].set_text(text)

    def set_status(self, text: str) -> None:
        if self.status.text != text:
            self.status.set_text(text)

    def refresh(self, values: dict[str, float], pending: dict[str, float]) -> None:
        """Put each slider at its pending value, else the value in force."""
        for key, slider in self.sliders.items():
            value = pending.get(key, values.get(key, self.ranges[key][0]))
            if abs(slider.get_current_value() - value) > 1e-9:
                slider.set_current_value(value, warn=False)
            self.show_value(key, value, key in pending)

    def show(self) -> None:
        self.panel.show()

    def hide(self) -> None:
        self.panel.hide()


__all__ = ["TopBar", "LeverPanel", "PanelPlan", "theme_for", "lever_specs", "rounded"]
