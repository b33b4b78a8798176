"""Scenes of the graphical game, each with enter (build) / handle_event / update(dt) / draw.

HandOverScene hides everything private until the named role's player is at the screen
(it shows only the public news); TurnScene is one role's move (levers with plain names,
offers with their terms, teacher controls, the map) and shows that seat's own view;
GameOverScene shows the result and writes the debrief. Widgets turn clicks into commands
for the turn flow (sim.game.flow.Table). Every size is measured from the text it holds, so
the window can be resized and the large font never pushes one thing over another.
"""

from __future__ import annotations

import pygame
import pygame_gui
from pygame_gui.core import ObjectID
from pygame_gui.elements import (
    UIButton,
    UIDropDownMenu,
    UIHorizontalSlider,
    UILabel,
    UIScrollingContainer,
    UITextEntryLine,
)

from sim.game import rules as R
from sim.inputs.errors import DurandError
from viz import scene_manager, theme
from viz.play.feedback import Feedback
from viz.play.layout import GAP, PAD, turn_layout
from viz.widgets import rounded

PUBLIC = (
    ("attacks.PAK", "attacks in Pakistan", "{:.0f}"),
    ("attacks.AFG", "attacks in Afghanistan", "{:.0f}"),
    ("attacks.china_interests", "attacks on Chinese interests", "{:.0f}"),
    ("harm.drone_civilians", "civilians harmed by drone strikes", "{:.0f}"),
    ("harm.displaced", "deported/displaced (thousands)", "{:.0f}"),
    ("strength.TTP", "TTP strength", "{:.2f}"),
    ("strength.ISKP", "ISKP strength", "{:.2f}"),
    ("strength.BLA", "BLA strength", "{:.2f}"),
    ("joint_ops", "joint operations", "{:.0f}"),
    ("tension.PAK-AFG", "Pakistan-Taliban tension", "{:.2f}"),
    ("trust.PAK-US", "Pakistan's trust in the US", "{:.2f}"),
    ("economy.PAK", "Pakistan's economy", "{:.3f}"),
)
LEFT = ObjectID(class_id="@left")
TERMS = ObjectID(class_id="@terms")


def text_block(surface, typo, lines, x, y, width, size=13, colour=theme.TEXT, gap=2) -> int:
    """Draw wrapped lines; return the y below them (stops at the surface's bottom)."""
    lh = typo.line_height(size) + gap
    for line in lines:
        for part in typo.wrap(line, size, width) or [""]:
            if y > surface.get_height() - lh:
                return y
            surface.blit(typo.render(part, size, colour), (x, y))
            y += lh
    return y


def button_width(app, text: str, base: int = 13) -> int:
    """A button just wide enough for its text at the current font."""
    return app.typo.font(base).size(text)[0] + int(26 * app.typo.scale)


def term_text(term: R.Term) -> str:
    """'US: Joint operations with Pakistan at least 0.7' (plain words, not lever names)."""
    label = R.role_levers(term.role)[term.lever].label
    bound = "at least" if term.op == ">=" else "at most"
    return f"{term.role}: {label} {bound} {term.value:g}"


def lever_value(spec: R.LeverRule, value: float) -> str:
    """A slider's value as players read it: money in USD million a year, shares as they are."""
    return f"${value:g}M" if spec.spending else f"{value:g}"


def offer_terms(kind: R.OfferKind) -> str:
    return "; ".join(term_text(t) for t in kind.terms)


class Scene(scene_manager.Scene):
    """A game screen: ``build`` makes its widgets when it is entered."""

    def __init__(self, app):
        self.app = app

    def remake(self) -> Scene:
        """A fresh copy of this scene (its widgets are rebuilt for a new font or size)."""
        return type(self)(self.app)

    def enter(self) -> None:
        self.build()

    def build(self) -> None:
        pass


KEYS = (
    ("F1 or h", "this help"),
    ("F2 or t", "large font for a projector (on / off)"),
    ("F11 or f", "fullscreen (on / off)"),
    ("F12 or p", "save a screenshot (PNG) in the current folder"),
    ("Enter", "hand-over: show my seat; briefing: start; between bot turns: play the next"),
    ("Esc or q", "quit, on the game-over screen"),
)
NOTE = "Letter keys are off while you type a reason. Any key closes this help."


def seat_buttons(app, manager, rects=None) -> dict:
    """The teacher's seat switches (person / bot) across the top right."""
    g, w = app.game, app.size[0]
    texts = [f"{r}: {g.seats[r]}" for r in R.ROLES]
    if rects is None:
        widths = [button_width(app, t) for t in texts]
        x, row = w - PAD - sum(widths) - GAP * 3, int(30 * app.typo.scale)
        rects = []
        for width in widths:
            rects.append(pygame.Rect(x, PAD - 4, width, row))
            x += width + GAP
    buttons = {}
    tip = "Teacher: switch this seat between a person and a bot"
    for other, text, rect in zip(R.ROLES, texts, rects, strict=True):
        buttons[UIButton(rect, text, manager, tool_tip_text=tip)] = other
    return buttons


class BriefingScene(Scene):
    """Before the first move: the scenario, the lesson's briefing and learning goals."""

    def build(self) -> None:
        w, h = self.app.size
        text, row = "Start the game (Enter)", int(34 * self.app.typo.scale)
        rect = pygame.Rect(PAD, h - PAD - row, button_width(self.app, text), row)
        self.start = UIButton(rect, text, self.app.manager)

    def handle_event(self, event) -> bool:
        pressed = event.type == pygame_gui.UI_BUTTON_PRESSED and event.ui_element is self.start
        key = event.type == pygame.KEYDOWN and event.key == pygame.K_RETURN
        if pressed or key:
            self.app.briefed = True
            self.app.advance()
            return True
        return False

    def lines(self) -> tuple[str, list[tuple[str, list[str]]]]:
        g, lesson = self.app.game, self.app.lesson
        title = f"Lesson: {lesson.spec.title}" if lesson is not None else "Durand: the game"
        seats = ", ".join(f"{r} {s}" for r, s in g.seats.items())
        about = [
            f"Scenario: {g.scenario.title}. {R.count(g.turns, 'turn')} of "
            f"{R.MONTHS_PER_TURN} months from {g.quarter(1)}; seed {g.seed}; every figure is "
            f"the median of {R.count(g.replicates, 'run')}.",
            f"Seats: {seats}. Scores compare each role's goals with the status quo (50).",
        ]
        if g.played:
            about.append(f"Resuming after turn {g.played} ({g.quarter(g.played)}).")
        sections = [("The game", [R.NOTICE, *about])]
        if lesson is not None:
            sections.append(("Briefing", [p.strip() for p in lesson.spec.briefing.split("\n\n")]))
            sections.append(("Learning goals", [f"- {x}" for x in lesson.spec.learning_goals]))
        sections.append(("Goals", [f"{r}: {R.GOALS[r].summary}" for r in R.ROLES]))
        return title, sections

    def draw(self, surface) -> None:
        typo = self.app.typo
        w, h = surface.get_size()
        title, sections = self.lines()
        title = typo.fit(title, 24, w - 32, True)
        surface.blit(typo.render(title, 24, theme.TEXT, True), (16, 12))
        top = 16 + typo.line_height(24) + 8
        room = self.start.rect.top - GAP - top
        # the largest body text at which every section fits above the button
        for size in (13, 12, 11, 10, 9):
            lh = typo.line_height(size) + 2
            need = sum(typo.line_height(15) + 10 + lh * sum(len(typo.wrap(p, size, w - 32))
                       for p in body) for _, body in sections)  # fmt: skip
            if need <= room:
                break
        area = surface.subsurface(pygame.Rect(0, 0, w, self.start.rect.top - GAP))
        y = top
        for head, body in sections:
            area.blit(typo.render(head, 15, theme.SKY, True), (16, y))
            y = text_block(area, typo, body, 16, y + typo.line_height(15) + 2, w - 32, size)
            y += 8
        hint = "F1 help · F2 large font · F11 fullscreen · F12 screenshot"
        x = self.start.rect.right + 16
        hint = typo.fit(hint, 11, w - x - PAD)
        text = typo.render(hint, 11, theme.MUTED)
        surface.blit(text, text.get_rect(midleft=(x, self.start.rect.centery)))


class StepScene(Scene):
    """Between turns when every seat is a bot: the teacher plays the next turn (or all),
    gives a seat back to a person, or ends the game."""

    def build(self) -> None:
        m, g = self.app.manager, self.app.game
        w, h = self.app.size
        row, x = int(34 * self.app.typo.scale), PAD
        made = []
        for text in (f"Play turn {g.turn} (Enter)", "Play to the end", "End game"):
            width = button_width(self.app, text)
            made.append(UIButton(pygame.Rect(x, h - PAD - row, width, row), text, m))
            x += width + GAP
        self.play, self.to_end, self.end = made
        self.seats = seat_buttons(self.app, m)

    def handle_event(self, event) -> bool:
        if event.type == pygame.KEYDOWN and event.key == pygame.K_RETURN:
            self.app.teacher("step")
            return True
        if event.type != pygame_gui.UI_BUTTON_PRESSED:
            return False
        g = self.app.game
        if event.ui_element is self.play:
            self.app.teacher("step")
        elif event.ui_element is self.to_end:
            self.app.teacher("autoplay")
        elif event.ui_element is self.end:
            self.app.teacher("end_game")
        elif event.ui_element in self.seats:
            role = self.seats[event.ui_element]
            # A person at the table: the turn goes on with hand-overs.
            player = "person" if g.seats[role] == "bot" else "bot"
            self.app.teacher("seat", role=role, player=player)
        else:
            return False
        return True

    def draw(self, surface) -> None:
        typo, g = self.app.typo, self.app.game
        w, h = surface.get_size()
        seats_left = min(b.rect.left for b in self.seats)
        title = typo.fit(f"Turn {g.turn} of {g.turns} · {g.quarter()}", 22, seats_left - 32, True)
        surface.blit(typo.render(title, 22, theme.TEXT, True), (16, 12))
        lines = [
            "Every seat is played by a bot: the teacher steps the game. Play the next turn, "
            "play to the end, or give a seat to a person (top right).",
        ]
        if g.played:
            lines.append("Scores so far: " + " · ".join(
                f"{r} {v:.0f}" for r, v in g.last_scores().items()))  # fmt: skip
        y = text_block(surface, typo, lines, 16, 20 + typo.line_height(22), w - 32, 13)
        if self.app.status:
            y = text_block(surface, typo, [self.app.status], 16, y + 4, w - 32, 13, theme.SKY)
        area = surface.subsurface(pygame.Rect(0, 0, w, self.play.rect.top - GAP))
        text_block(area, typo, self.app.news[-24:], 16, y + 8, w - 32, 12, theme.MUTED)


class HandOverScene(Scene):
    """'Pass to Pakistan': nothing private shows until the player says they are ready."""

    def __init__(self, app, role: str):
        super().__init__(app)
        self.role = role

    def remake(self) -> Scene:
        return type(self)(self.app, self.role)

    def build(self) -> None:
        w, h = self.app.size
        text = f"I am {R.ROLE_NAMES[self.role]}: show my seat"
        width, row = button_width(self.app, text), int(40 * self.app.typo.scale)
        rect = pygame.Rect(w // 2 - width // 2, h // 2 + 30, width, row)
        self.ready = UIButton(rect, text, self.app.manager)

    def handle_event(self, event) -> bool:
        pressed = event.type == pygame_gui.UI_BUTTON_PRESSED and event.ui_element is self.ready
        key = event.type == pygame.KEYDOWN and event.key in (pygame.K_RETURN, pygame.K_SPACE)
        if pressed or key:
            self.app.set_scene(TurnScene(self.app, self.role))
            return True
        return False

    def draw(self, surface) -> None:
        typo, g = self.app.typo, self.app.game
        w, h = surface.get_size()
        colour = theme.STATE_COLOURS[self.role]
        title = typo.render(f"Pass to {R.ROLE_NAMES[self.role]} ({self.role})", 30, colour, True)
        surface.blit(title, title.get_rect(center=(w // 2, h // 2 - 60)))
        sub = typo.render(
            f"Turn {g.turn} of {g.turns} · {g.quarter()}. Everyone else, look away.", 16
        )
        surface.blit(sub, sub.get_rect(center=(w // 2, h // 2 - 15)))
        text_block(surface, typo, ["Public news:"] + self.app.news[-8:], 40, h // 2 + 110,
                   w - 80, 12, theme.MUTED)  # fmt: skip


class TurnScene(Scene):
    """One role's move: levers with a reason, offers and deals, teacher controls."""

    def __init__(self, app, role: str):
        super().__init__(app)
        self.role = role
        self.sliders: dict[str, UIHorizontalSlider] = {}
        self.values: dict[str, UILabel] = {}
        self.lever_labels: dict[str, UILabel] = {}
        self.buttons: dict[str, UIButton] = {}
        self.offer_buttons: dict[UIButton, tuple[str, object]] = {}
        self.term_labels: list[UILabel] = []
        self.seat_buttons: dict[UIButton, str] = {}
        self.moves: UIScrollingContainer | None = None
        self.layout = None
        self.feedback = Feedback(app.typo, role, theme.STATE_COLOURS[role])
        self.chart_rect: pygame.Rect | None = None  # where the score track was drawn

    def remake(self) -> Scene:
        return type(self)(self.app, self.role)

    def title(self) -> str:
        return f"{R.ROLE_NAMES[self.role]} ({self.role})"

    # ------------------------------------------------------------ what this seat sees
    # The widgets and the text read the game only through these, so they do not care where
    # the seat's view comes from.

    def view(self) -> dict:
        """This seat's view of the table (cached by the app until the table changes)."""
        return self.app.view(self.role)

    def seat_levers(self) -> dict[str, float]:
        return {name: lever["value"] for name, lever in self.view()["you"]["levers"].items()}

    def can_propose(self, kind: R.OfferKind) -> bool:
        return kind.name in self.view()["you"]["can_propose"]

    def offers_in(self) -> list[tuple[int, str, R.OfferKind]]:
        """(id, proposer, kind) of the offers waiting for this seat's answer."""
        return [
            (o["id"], o["proposer"], R.OFFERS[o["kind"]]) for o in self.view()["you"]["offers_in"]
        ]

    def deals_in_force(self) -> list[tuple[int, R.OfferKind]]:
        return [(o["id"], R.OFFERS[o["kind"]]) for o in self.view()["you"]["deals"]]

    def paused(self) -> bool:
        return self.view()["paused"]

    # ------------------------------------------------------------ widgets

    def build(self) -> None:
        app, m, g = self.app, self.app.manager, self.app.game
        typo = app.typo
        for held in (self.sliders, self.values, self.lever_labels, self.buttons,
                     self.offer_buttons):  # fmt: skip
            held.clear()
        self.term_labels.clear()
        player = [("done", "Done: hand over"), ("undo", "Undo"), ("bot", "Bot takes seat"),
                  ("save", "Save")]  # fmt: skip
        events = list(R.TEACHER_EVENTS)
        menu_w = max(typo.font(13).size(e)[0] for e in events) + int(56 * typo.scale)
        teacher = [("pause", "Resume" if self.paused() else "Pause"), ("reveal", "Reveal"),
                   ("event", ""), ("inject", "Inject"), ("end", "End game")]  # fmt: skip
        seat_texts = [f"{r}: {g.seats[r]}" for r in R.ROLES]
        lay = turn_layout(
            app.size,
            typo.scale,
            [button_width(app, t) for t in seat_texts],
            [button_width(app, t) for _, t in player],
            [menu_w if k == "event" else button_width(app, t) for k, t in teacher],
            typo.font(22, True).size(self.title())[0],
        )
        self.layout = lay
        for (key, text), rect in zip(player, lay.player_bar, strict=True):
            self.buttons[key] = UIButton(rect, text, m)
        for (key, text), rect in zip(teacher, lay.teacher_bar, strict=True):
            if key == "event":
                self.event_menu = UIDropDownMenu(events, events[0], rect, m)
            else:
                tip = "Teacher's control" if key != "pause" else "Teacher: pause the table"
                self.buttons[key] = UIButton(rect, text, m, tool_tip_text=tip)
        self.bar_top = lay.bar_top  # text above the bar stops here
        if self.paused():
            self.buttons["done"].disable()
        # Teacher: any seat passes between a person and a bot.
        self.seat_buttons = seat_buttons(app, m, lay.seats)
        self._build_moves(lay.moves)

    def _build_moves(self, box: pygame.Rect) -> None:
        """The player's column: levers (plain names), the reason, offers with their terms.
        It scrolls when the large font makes it taller than the window allows."""
        app, m, role = self.app, self.app.manager, self.role
        typo, k = app.typo, app.typo.scale
        self.moves = holder = UIScrollingContainer(box, m, allow_scroll_x=False)
        inner = box.width - int(22 * k)  # room for a scroll bar
        row = int(28 * k)
        specs = R.role_levers(role)
        label_w = max(typo.font(13).size(s.label)[0] for s in specs.values()) + 8
        widest = ["0.00"] + [lever_value(s, s.high) for s in specs.values()]
        value_w = max(typo.measure(t, 13)[0] for t in widest) + int(16 * k)
        inline = label_w + int(110 * k) + value_w + 8 <= inner
        y = 0
        UILabel(pygame.Rect(0, y, inner, row), "Your levers (apply with a reason)", m,
                container=holder, object_id=LEFT)  # fmt: skip
        y += row
        for name, value in self.seat_levers().items():
            spec = specs[name]
            if inline:
                label = pygame.Rect(0, y, label_w, row)
                slider = pygame.Rect(label_w + 4, y + 3, inner - label_w - value_w - 8, row - 6)
            else:  # the name on its own line, the slider under it
                label = pygame.Rect(0, y, inner, row)
                y += row
                slider = pygame.Rect(0, y + 3, inner - value_w - 4, row - 6)
            self.lever_labels[name] = UILabel(label, spec.label, m, container=holder,
                                              object_id=LEFT)  # fmt: skip
            step = 50.0 if spec.high > 10 else 0.05
            self.sliders[name] = UIHorizontalSlider(
                slider, value, (spec.low, spec.high), m, container=holder, click_increment=step
            )
            value_rect = pygame.Rect(inner - value_w, y, value_w, row)
            text = lever_value(spec, value)
            self.values[name] = UILabel(value_rect, text, m, container=holder)
            y += row + 2
        apply_w = button_width(app, "Apply")
        self.reason = UITextEntryLine(
            pygame.Rect(0, y + 4, inner - apply_w - GAP, row + 2), m, container=holder,
            placeholder_text="because... (your reason)",
        )  # fmt: skip
        self.buttons["apply"] = UIButton(
            pygame.Rect(inner - apply_w, y + 4, apply_w, row + 2), "Apply", m, container=holder
        )
        y += row + 16

        def terms(text: str) -> None:
            nonlocal y
            lh = typo.line_height(12)
            for line in typo.wrap(text, 12, inner - 12):
                rect = pygame.Rect(10, y, inner - 10, lh)
                self.term_labels.append(UILabel(rect, line, m, container=holder, object_id=TERMS))
                y += lh
            y += 6

        # Offers: propose those this role is party to; answer those made to it; break deals.
        for kind in R.OFFERS.values():
            if role not in kind.parties:
                continue
            busy = not self.can_propose(kind)
            other = kind.other(role)
            text = typo.fit(f"Propose to {R.ROLE_NAMES[other]}: {kind.title}", 13, inner - 20)
            b = UIButton(pygame.Rect(0, y, inner, row), text, m, container=holder,
                         tool_tip_text=f"{kind.title}. Terms: {offer_terms(kind)}")  # fmt: skip
            if busy:
                b.disable()
            self.offer_buttons[b] = ("propose", kind.name)
            y += row + 2
            terms(offer_terms(kind))
        half = (inner - GAP) // 2
        for offer_id, proposer, kind in self.offers_in():
            tip = f"{kind.title}. Terms: {offer_terms(kind)}"
            a = UIButton(pygame.Rect(0, y, half, row), f"Accept #{offer_id} from {proposer}", m,
                         container=holder, tool_tip_text=tip)  # fmt: skip
            r = UIButton(pygame.Rect(half + GAP, y, half, row), f"Refuse #{offer_id}", m,
                         container=holder, tool_tip_text=tip)  # fmt: skip
            self.offer_buttons[a] = ("accept", offer_id)
            self.offer_buttons[r] = ("refuse", offer_id)
            y += row + 2
            terms(f"{kind.title}: {offer_terms(kind)}")
        for deal_id, kind in self.deals_in_force():
            text = typo.fit(f"Break deal #{deal_id} with {kind.other(role)}: {kind.title}", 13,
                            inner - 20)  # fmt: skip
            b = UIButton(pygame.Rect(0, y, inner, row), text, m, container=holder,
                         tool_tip_text=f"Terms: {offer_terms(kind)}")  # fmt: skip
            self.offer_buttons[b] = ("break", deal_id)
            y += row + 2
        # What the score is made of (the info column shows it too when it has room).
        goal = R.GOALS[role]
        terms("Scored on: " + ", ".join(f"{c.label} ({c.better} better)" for c in goal.components))
        holder.set_scrollable_area_dimensions((inner, y))

    # ------------------------------------------------------------ events

    def handle_event(self, event) -> bool:
        if event.type == pygame_gui.UI_HORIZONTAL_SLIDER_MOVED:
            for name, slider in self.sliders.items():
                if event.ui_element is slider:
                    spec = R.role_levers(self.role)[name]
                    value = rounded(slider.get_current_value(), spec.high)
                    self.values[name].set_text(lever_value(spec, value))
            return False
        if event.type != pygame_gui.UI_BUTTON_PRESSED:
            return False
        if event.ui_element in self.seat_buttons:
            other = self.seat_buttons[event.ui_element]
            now = self.app.game.seats[other]
            self.app.teacher("seat", role=other, player="person" if now == "bot" else "bot")
            return True
        if event.ui_element in self.offer_buttons:
            self.offer(*self.offer_buttons[event.ui_element])
            return True
        for key, button in self.buttons.items():
            if event.ui_element is button:
                getattr(self, f"on_{key}")()
                return True
        return False

    def move(self, kind: str, **fields) -> bool:
        """Send one of this seat's moves, with the reason typed (if any)."""
        why = self.reason.get_text().strip()
        return self.app.send({"seat": self.role, "kind": kind, **fields, "reason": why})

    def on_apply(self) -> None:
        levers = self.app.view(self.role)["you"]["levers"]
        for name, slider in self.sliders.items():
            spec = R.role_levers(self.role)[name]
            value = rounded(slider.get_current_value(), spec.high)
            if abs(value - levers[name]["value"]) > 1e-9 and not self.move(
                "set", lever=name, value=value
            ):
                break  # the refusal stays on the status line

    def offer(self, what: str, arg) -> None:
        if what == "propose":
            self.move("propose", offer=arg)
        elif what in ("accept", "refuse"):
            self.move("answer", offer_id=arg, accept=what == "accept")
        else:
            self.move("break", offer_id=arg)

    def on_done(self) -> None:
        self.app.send({"seat": self.role, "kind": "done"})

    def on_undo(self) -> None:
        turn = self.app.game.turn
        if self.app.send({"seat": self.role, "kind": "undo"}):
            self.app.status = f"Undone: your moves of turn {turn}"

    def on_bot(self) -> None:
        self.app.send({"seat": self.role, "kind": "bot"})

    def on_save(self) -> None:
        self.app.save_now()

    def on_pause(self) -> None:
        paused = self.app.table.paused
        self.app.teacher("resume" if paused else "pause")
        if not paused:
            self.app.status = "Paused by the teacher"

    def on_reveal(self) -> None:
        self.app.teacher("reveal")

    def chosen_event(self) -> str:
        option = self.event_menu.selected_option  # (text, id) in pygame_gui >= 0.6.10
        return option[0] if isinstance(option, tuple) else option

    def on_inject(self) -> None:
        self.app.teacher("event", event=self.chosen_event())

    def on_end(self) -> None:
        self.app.teacher("end_game")

    # ------------------------------------------------------------ drawing

    def draw(self, surface) -> None:
        typo, g, role, lay = self.app.typo, self.app.game, self.role, self.layout
        w, _ = surface.get_size()
        colour = theme.STATE_COLOURS[role]
        surface.blit(typo.render(self.title(), 22, colour, True), (PAD, 6))
        you = self.view()["you"]
        spend = f"budget {you['budget']:g}, spending {you['spending']:g} USD M/yr"
        head = f"Turn {g.turn} of {g.turns} · {g.quarter()} · {spend}"
        seats_left = min(r.left for r in lay.seats)
        room = (seats_left if lay.seats[0].top < lay.header.bottom - 20 else w) - 2 * PAD
        head = typo.fit(head, 13, room)
        surface.blit(typo.render(head, 13, theme.MUTED), (PAD, 8 + typo.line_height(22)))
        self.draw_info(surface.subsurface(lay.info), lay.info.size)
        self.draw_map(surface, lay.map)

    def draw_info(self, area, size) -> None:
        """What the player knows: goal and score, last quarter, deals, news (clipped)."""
        typo, g, role = self.app.typo, self.app.game, self.role
        view = self.view()
        width, _ = size
        y = 0
        if self.paused():
            surface = typo.render("PAUSED by the teacher", 18, theme.ORANGE, True)
            area.blit(surface, (0, y))
            y += typo.line_height(18) + 4
        if self.app.status:  # warnings first, where they cannot be pushed off the screen
            y = text_block(area, typo, [self.app.status], 0, y, width, 13, theme.VERMILLION)
            y += 4
        goal = R.GOALS[role]
        y = text_block(area, typo, [f"Goal: {goal.summary}"], 0, y, width, 13)
        # The score track, its trend and the partners' trust in this seat; broken deals.
        drawn = self.feedback.draw(area, view, y + 4, width, self.layout.info.topleft)
        self.chart_rect = drawn.chart.move(self.layout.info.topleft)
        y = drawn.bottom
        observed, sq = g.observation()
        y += 6
        area.blit(typo.render("Last quarter (status quo)", 13, theme.MUTED, True), (0, y))
        y += typo.line_height(13) + 2
        num_w = typo.font(12).size("(00000)")[0]
        label_w = width - 2 * num_w - 8
        for key, label, fmt in PUBLIC:
            if y > area.get_height() - typo.line_height(12):
                break
            area.blit(typo.render(typo.fit(label, 12, label_w), 12), (0, y))
            value = typo.render(fmt.format(observed[key]), 12)
            area.blit(value, value.get_rect(topright=(width - num_w - 6, y)))
            status_quo = typo.render(f"({fmt.format(sq[key])})", 12, theme.MUTED)
            area.blit(status_quo, status_quo.get_rect(topright=(width, y)))
            y += typo.line_height(12)
        shown = view["revealed"]  # what the teacher revealed, as it stood at that moment
        if shown is not None:
            y += 6
            for other in R.ROLES:
                levers = ", ".join(
                    f"{R.role_levers(other)[k].label} {v:g}"
                    for k, v in shown["levers"][other].items()
                )
                line = f"{other} {shown['scores'][other]:.0f}: {levers}"
                y = text_block(area, typo, [line], 0, y, width, 11, theme.YELLOW)
        deals = [
            f"Offer #{offer_id} from {proposer}: {kind.title} ({offer_terms(kind)})"
            for offer_id, proposer, kind in self.offers_in()
        ] + [f"Deal in force: #{deal_id} {kind.title}" for deal_id, kind in self.deals_in_force()]
        y = text_block(area, typo, deals, 0, y + 6, width, 12, theme.SKY)
        # What the score is made of: whole if it fits, else one line (the briefing has it).
        scored = "Scored on: " + ", ".join(
            f"{c.label} ({c.better} better)" for c in goal.components
        )
        lh = typo.line_height(11) + 2
        if y + 4 + lh * len(typo.wrap(scored, 11, width)) > area.get_height():
            scored = typo.fit(scored, 11, width)
        y = text_block(area, typo, [scored], 0, y + 4, width, 11, theme.MUTED)
        news = self.app.news_for(role)[-10:]  # this seat's own view of the news
        text_block(area, typo, news, 0, y + 4, width, 11, theme.MUTED)

    def draw_map(self, surface, rect) -> None:
        """The viewer's map of the last month played (median strengths; one run's attacks)."""
        snap = self.app.map_snapshot()
        pygame.draw.rect(surface, theme.PANEL, rect, border_radius=6)
        if snap is None:
            note = self.app.typo.render("The map shows after the first quarter", 12, theme.MUTED)
            surface.blit(note, note.get_rect(center=rect.center))
            return
        branch, data = snap
        month = branch.months - 1
        self.app.map_view.draw(
            surface,
            rect,
            branch,
            data,
            month,
            0.0,
            False,
            0,
            f"End of {self.app.game.quarter(self.app.game.played)} · attacks of one run",
        )
        mouse = pygame.mouse.get_pos() if pygame.mouse.get_focused() else (-1, -1)
        region = self.app.map_view.region_at(rect, mouse)
        if region is not None:  # the region under the mouse, named and explained
            self.app.map_view.tooltip(surface, mouse, region, data, month, 0)


class GameOverScene(Scene):
    """Final scores, the causes of the main outcomes, and the debrief."""

    def build(self) -> None:
        from sim.game.explain import explain

        w, h = self.app.size
        self.lines = explain(self.app.game)
        row, x = int(34 * self.app.typo.scale), PAD
        made = []
        for text in ("Write debrief", "Quit"):
            width = button_width(self.app, text)
            made.append(UIButton(pygame.Rect(x, h - PAD - row, width, row), text, self.app.manager))
            x += width + GAP
        self.debrief_button, self.quit_button = made

    def handle_event(self, event) -> bool:
        if event.type == pygame.KEYDOWN and event.key in (pygame.K_ESCAPE, pygame.K_q):
            self.app.running = False
            return True
        if event.type != pygame_gui.UI_BUTTON_PRESSED:
            return False
        if event.ui_element is self.quit_button:
            self.app.running = False
            return True
        if event.ui_element is self.debrief_button:
            from pathlib import Path

            from sim.game.debrief import write_debrief

            folder = self.app.debrief_dir or Path("debrief")
            try:
                path = write_debrief(self.app.game, folder, lesson=self.app.lesson)
                self.app.status = f"Debrief written to {path}"
            except DurandError as exc:
                self.app.status = str(exc)
            return True
        return False

    def draw(self, surface) -> None:
        typo, g = self.app.typo, self.app.game
        w, _ = surface.get_size()
        title = "The game is over" if g.finished else "This session's turns are played"
        surface.blit(typo.render(title, 26, theme.TEXT, True), (16, 12))
        y = 20 + typo.line_height(26)
        final = g.final_scores()
        # Columns as wide as their widest entry, so no name runs into its score.
        names = [R.ROLE_NAMES[r] for r in R.ROLES]
        scores = [f"{final[r]:.1f}" for r in R.ROLES]
        verdicts = [R.verdict(final[r]) for r in R.ROLES]
        x_score = 16 + max(typo.font(16, True).size(t)[0] for t in names) + 24
        x_verdict = x_score + max(typo.font(16, True).size(t)[0] for t in scores) + 24
        x_goal = x_verdict + max(typo.font(16, True).size(t)[0] for t in verdicts) + 24
        self.columns = (16, x_score, x_verdict, x_goal)
        for role, name, score, verdict in zip(R.ROLES, names, scores, verdicts, strict=True):
            colour = theme.STATE_COLOURS[role]
            for x, text in ((16, name), (x_score, score), (x_verdict, verdict)):
                surface.blit(typo.render(text, 16, colour, True), (x, y))
            goal = typo.fit(R.GOALS[role].summary, 13, w - x_goal - 16)
            surface.blit(typo.render(goal, 13, colour), (x_goal, y + 3))
            y += typo.line_height(16) + 2
        y += 10
        lesson = self.app.lesson
        width = w - 32 if lesson is None else w // 2 - 24
        top = y
        area = surface.subsurface(pygame.Rect(0, 0, w, self.debrief_button.rect.top - GAP))
        head_h = typo.line_height(15) + 4
        area.blit(typo.render("What happened, and why", 15, theme.TEXT, True), (16, y))
        y = text_block(area, typo, self.lines, 16, y + head_h, width, 12)
        if self.app.status:
            text_block(area, typo, [self.app.status], 16, y + 8, width, 13, theme.GREEN)
        if lesson is not None:
            x, yy = w // 2 + 8, top
            for head, items in (
                ("Discussion questions", lesson.spec.discussion_questions),
                ("What to look for", lesson.spec.look_for),
            ):
                area.blit(typo.render(head, 15, theme.SKY, True), (x, yy))
                yy = text_block(area, typo, [f"- {q}" for q in items], x, yy + head_h, width, 12)
                yy += 10
