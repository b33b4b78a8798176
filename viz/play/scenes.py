"""Scenes of the graphical game, each with build / handle_event / update(dt) / draw(surface).

HandOverScene hides everything private until the named role's player is at the screen
(it shows only the public news); TurnScene is one role's move (levers, offers, teacher
controls) and shows that seat's own view; GameOverScene shows the result and writes the
debrief. Widgets turn clicks into commands for the turn flow (sim.game.flow.Table).
"""

from __future__ import annotations

import pygame
import pygame_gui
from pygame_gui.elements import (
    UIButton,
    UIDropDownMenu,
    UIHorizontalSlider,
    UILabel,
    UITextEntryLine,
)

from sim.game import rules as R
from sim.inputs.errors import DurandError
from viz import theme
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


def text_block(surface, typo, lines, x, y, width, size=13, colour=theme.TEXT, gap=2) -> int:
    """Draw wrapped lines; return the y below them."""
    lh = typo.line_height(size) + gap
    for line in lines:
        for part in typo.wrap(line, size, width) or [""]:
            if y > surface.get_height() - lh:
                return y
            surface.blit(typo.render(part, size, colour), (x, y))
            y += lh
    return y


class Scene:
    def __init__(self, app):
        self.app = app

    def remake(self) -> Scene:
        """A fresh copy of this scene (its widgets are rebuilt for a new font or size)."""
        return type(self)(self.app)

    def build(self) -> None:
        pass

    def handle_event(self, event) -> bool:
        return False

    def update(self, dt: float) -> None:
        pass

    def draw(self, surface) -> None:
        pass


KEYS = (
    ("F1 or h", "this help"),
    ("F2 or t", "large font for a projector (on / off)"),
    ("F11 or f", "fullscreen (on / off)"),
    ("F12 or p", "save a screenshot (PNG) in the current folder"),
    ("Enter", "hand-over: show my seat; briefing: start; between bot turns: play the next"),
    ("Esc or q", "quit, on the game-over screen"),
)


class HelpOverlay(Scene):
    """The keys of the game window, over the current scene; any key or click closes it."""

    def handle_event(self, event) -> bool:
        if event.type in (pygame.KEYDOWN, pygame.MOUSEBUTTONDOWN):
            self.app.overlay = None
            return True
        return event.type in (pygame.KEYUP, pygame.MOUSEBUTTONUP, pygame.MOUSEMOTION)

    def draw(self, surface) -> None:
        typo = self.app.typo
        shade = pygame.Surface(surface.get_size(), pygame.SRCALPHA)
        shade.fill((10, 12, 15, 215))
        surface.blit(shade, (0, 0))
        lh = typo.line_height(14) + 4
        box = pygame.Rect(0, 0, min(int(760 * typo.scale), surface.get_width() - 20),
                          lh * (len(KEYS) + 5))  # fmt: skip
        box.center = surface.get_rect().center
        pygame.draw.rect(surface, theme.PANEL, box, border_radius=8)
        pygame.draw.rect(surface, theme.PANEL_EDGE, box, 1, border_radius=8)
        y = box.top + 14
        surface.blit(typo.render("Keys", 16, theme.TEXT, bold=True), (box.left + 20, y))
        y += lh + 6
        for k, what in KEYS:
            surface.blit(typo.render(k, 14, theme.SKY, bold=True), (box.left + 20, y))
            surface.blit(typo.render(what, 14, theme.TEXT), (box.left + int(140 * typo.scale), y))
            y += lh
        note = "Letter keys are off while you type a reason. Any key closes this help."
        surface.blit(typo.render(note, 11, theme.MUTED), (box.left + 20, y + 4))


def seat_buttons(app, manager) -> dict:
    """The teacher's seat switches (person / bot) across the top right."""
    g, w = app.game, app.size[0]
    buttons = {}
    x = w - 4 * 112 - 10
    for other in R.ROLES:
        tip = "Teacher: switch this seat between a person and a bot"
        b = UIButton(pygame.Rect(x, 10, 108, 26), f"{other}: {g.seats[other]}", manager,
                     tool_tip_text=tip)  # fmt: skip
        buttons[b] = other
        x += 112
    return buttons


class BriefingScene(Scene):
    """Before the first move: the scenario, the lesson's briefing and learning goals."""

    def build(self) -> None:
        w, h = self.app.size
        self.start = UIButton(pygame.Rect(16, h - 48, 220, 36), "Start the game (Enter)",
                              self.app.manager)  # fmt: skip

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
        surface.blit(typo.render(title, 24, theme.TEXT, True), (16, 12))
        y = 16 + typo.line_height(24) + 8
        for head, body in sections:
            surface.blit(typo.render(head, 15, theme.SKY, True), (16, y))
            y = text_block(surface, typo, body, 16, y + typo.line_height(15) + 2, w - 32, 13)
            y += 8
        hint = "F1 help · F2 large font · F11 fullscreen · F12 screenshot"
        surface.blit(typo.render(hint, 11, theme.MUTED), (250, h - 38))


class StepScene(Scene):
    """Between turns when every seat is a bot: the teacher plays the next turn (or all),
    gives a seat back to a person, or ends the game."""

    def build(self) -> None:
        m, g = self.app.manager, self.app.game
        w, h = self.app.size
        self.play = UIButton(pygame.Rect(16, h - 48, 200, 36), f"Play turn {g.turn} (Enter)", m)
        self.to_end = UIButton(pygame.Rect(222, h - 48, 150, 36), "Play to the end", m)
        self.end = UIButton(pygame.Rect(378, h - 48, 110, 36), "End game", m)
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
        surface.blit(typo.render(f"Turn {g.turn} of {g.turns} · {g.quarter()}", 22, theme.TEXT,
                                 True), (16, 12))  # fmt: skip
        lines = [
            "Every seat is played by a bot: the teacher steps the game. Play the next turn, "
            "play to the end, or give a seat to a person (top right).",
        ]
        if g.played:
            lines.append("Scores so far: " + " · ".join(
                f"{r} {v:.0f}" for r, v in g.last_scores().items()))  # fmt: skip
        y = text_block(surface, typo, lines, 16, 48, w - 32, 13)
        if self.app.status:
            y = text_block(surface, typo, [self.app.status], 16, y + 4, w - 32, 13, theme.SKY)
        text_block(surface, typo, self.app.news[-24:], 16, y + 8, w - 32, 12, theme.MUTED)


class HandOverScene(Scene):
    """'Pass to Pakistan': nothing private shows until the player says they are ready."""

    def __init__(self, app, role: str):
        super().__init__(app)
        self.role = role

    def remake(self) -> Scene:
        return type(self)(self.app, self.role)

    def build(self) -> None:
        w, h = self.app.size
        self.ready = UIButton(
            pygame.Rect(w // 2 - 140, h // 2 + 40, 280, 44),
            f"I am {R.ROLE_NAMES[self.role]}: show my seat",
            self.app.manager,
        )

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
        self.buttons: dict[str, UIButton] = {}
        self.offer_buttons: dict[UIButton, tuple[str, object]] = {}

    def remake(self) -> Scene:
        return type(self)(self.app, self.role)

    # ------------------------------------------------------------ widgets

    def build(self) -> None:
        m, role = self.app.manager, self.role
        you = self.app.view(role)["you"]
        w, h = self.app.size
        k = self.app.typo.scale  # widths grow with the large font

        def S(v: float) -> int:
            return int(v * k)

        row = S(26)
        x0, y = 16, 70 + S(10) - 10
        for name, lever in you["levers"].items():
            value = lever["value"]
            spec = R.role_levers(role)[name]
            UILabel(pygame.Rect(x0, y, S(150), row), name, m)
            step = 50.0 if spec.high > 10 else 0.05
            self.sliders[name] = UIHorizontalSlider(
                pygame.Rect(x0 + S(152), y + 2, S(210), row - 4), value, (spec.low, spec.high), m,
                click_increment=step,
            )  # fmt: skip
            self.values[name] = UILabel(pygame.Rect(x0 + S(366), y, S(64), row), f"{value:g}", m)
            y += row + 2
        self.reason = UITextEntryLine(
            pygame.Rect(x0, y + 6, S(330), row + 4), m, placeholder_text="because... (your reason)"
        )
        self.buttons["apply"] = UIButton(
            pygame.Rect(x0 + S(336), y + 6, S(94), row + 4), "Apply", m
        )
        y += row + 20
        # Offers: propose those this role is party to; answer those made to it; break deals.
        for kind in R.OFFERS.values():
            if role not in kind.parties:
                continue
            busy = kind.name not in you["can_propose"]
            b = UIButton(pygame.Rect(x0, y, S(430), row), f"Propose {kind.name} to "
                         f"{kind.other(role)}", m, tool_tip_text=kind.title)  # fmt: skip
            if busy:
                b.disable()
            self.offer_buttons[b] = ("propose", kind.name)
            y += row + 2
        for o in you["offers_in"]:
            a = UIButton(pygame.Rect(x0, y, S(212), row), f"Accept #{o['id']} {o['kind']}", m,
                         tool_tip_text=o["title"])  # fmt: skip
            r = UIButton(pygame.Rect(x0 + S(218), y, S(212), row), f"Refuse #{o['id']}", m)
            self.offer_buttons[a] = ("accept", o["id"])
            self.offer_buttons[r] = ("refuse", o["id"])
            y += row + 2
        for o in you["deals"]:
            b = UIButton(pygame.Rect(x0, y, S(430), row), f"Break #{o['id']} {o['kind']}", m)
            self.offer_buttons[b] = ("break", o["id"])
            y += row + 2
        # The bottom bar: the player's own controls, then the teacher's; it wraps onto a
        # second row when the large font makes it wider than the window.
        bar_h = S(32)
        spot = {"x": 16, "y": h - bar_h - 12}

        def place(width: int) -> pygame.Rect:
            if spot["x"] + width > w - 16:
                spot["x"], spot["y"] = 16, spot["y"] - bar_h - 6
            rect = pygame.Rect(spot["x"], spot["y"], width, bar_h)
            spot["x"] += width + 6
            return rect

        for key, label, width in (
            ("done", "Done: hand over", 130), ("undo", "Undo", 60), ("bot", "Bot takes seat", 120),
            ("save", "Save", 60), ("pause", "Resume" if self.app.table.paused else "Pause", 74),
            ("reveal", "Reveal", 70),
        ):  # fmt: skip
            self.buttons[key] = UIButton(place(S(width)), label, m)
        self.event_menu = UIDropDownMenu(
            list(R.TEACHER_EVENTS), next(iter(R.TEACHER_EVENTS)), place(S(190)), m
        )
        self.buttons["inject"] = UIButton(place(S(70)), "Inject", m)
        self.buttons["end"] = UIButton(place(S(90)), "End game", m)
        self.bar_top = spot["y"]  # text above the bar stops here
        if self.app.table.paused:
            self.buttons["done"].disable()
        # Teacher: any seat passes between a person and a bot.
        self.seat_buttons: dict[UIButton, str] = seat_buttons(self.app, m)

    # ------------------------------------------------------------ events

    def handle_event(self, event) -> bool:
        if event.type == pygame_gui.UI_HORIZONTAL_SLIDER_MOVED:
            for name, slider in self.sliders.items():
                if event.ui_element is slider:
                    high = R.role_levers(self.role)[name].high
                    self.values[name].set_text(f"{rounded(slider.get_current_value(), high):g}")
            return False
        if event.type != pygame_gui.UI_BUTTON_PRESSED:
            return False
        if event.ui_element in getattr(self, "seat_buttons", {}):
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
        typo, g, role = self.app.typo, self.app.game, self.role
        view = self.app.view(role)
        w, h = surface.get_size()
        colour = theme.STATE_COLOURS[role]
        k = typo.scale

        def S(v: float) -> int:
            return int(v * k)

        surface.blit(typo.render(f"{R.ROLE_NAMES[role]} ({role})", 22, colour, True), (16, 8))
        spend = f"budget {R.budget(role):g}, spending {g.spending(role):g} USD M/yr"
        head = f"Turn {g.turn} of {g.turns} · {g.quarter()} · {spend}"
        surface.blit(typo.render(head, 13, theme.MUTED), (16, 12 + typo.line_height(22)))
        if view["paused"]:
            surface.blit(
                typo.render("PAUSED by the teacher", 18, theme.ORANGE, True), (w - 460, 40)
            )
        x, width = S(470), w - S(470) - 16
        # The map sits right of the figures; when the large font leaves no room, below them.
        map_rect = pygame.Rect(x + S(360), 140, w - x - S(376), 270)
        map_beside = map_rect.width >= 260
        if map_beside:
            self.draw_map(surface, map_rect)
        goal = R.GOALS[role]
        y = text_block(surface, typo, [
            f"Goal: {goal.summary}",
            f"Last score {view['you']['last_score']:.0f} (50 = as under the status quo). "
            "Scored on: "
            + ", ".join(f"{c.label} ({c.better} better)" for c in goal.components),
        ], x, 70, width, 13)  # fmt: skip
        observed, sq = g.observation()
        y += 8
        surface.blit(typo.render("Last quarter (status quo)", 13, theme.MUTED, True), (x, y))
        y += typo.line_height(13) + 2
        for key, label, fmt in PUBLIC:
            surface.blit(typo.render(label, 12), (x, y))
            surface.blit(typo.render(fmt.format(observed[key]), 12), (x + S(210), y))
            surface.blit(typo.render(f"({fmt.format(sq[key])})", 12, theme.MUTED), (x + S(270), y))
            y += typo.line_height(12)
        shown = view["revealed"]  # what the teacher revealed, as it stood at that moment
        if shown is not None:
            y += 6
            for other in R.ROLES:
                levers = ", ".join(f"{k} {v:g}" for k, v in shown["levers"][other].items())
                y = text_block(surface, typo, [f"{other} {shown['scores'][other]:.0f}: {levers}"],
                               x, y, width, 11, theme.YELLOW)  # fmt: skip
        if map_beside:
            y = max(y, map_rect.bottom) + 8
        else:
            map_rect = pygame.Rect(x, y + 8, width, max(0, min(220, h - y - 200)))
            if map_rect.height >= 120:
                self.draw_map(surface, map_rect)
                y = map_rect.bottom + 8
        you = view["you"]
        deals = [
            f"Offer #{o['id']} from {o['proposer']}: {o['title']} [{'; '.join(o['terms'])}]"
            for o in you["offers_in"]
        ] + [
            f"Deal in force: #{o['id']} {o['kind']} with "
            f"{o['recipient'] if o['proposer'] == role else o['proposer']}"
            for o in you["deals"]
        ]
        above_bar = getattr(self, "bar_top", h) - 6
        if y < above_bar:
            area = surface.subsurface(pygame.Rect(0, 0, w, above_bar))
            y = text_block(area, typo, deals, x, y, width, 12, theme.SKY)
            if self.app.status:
                y = text_block(area, typo, [self.app.status], x, y, width, 13, theme.VERMILLION)
            news = self.app.news_for(role)[-10:]  # this seat's own view of the news
            text_block(area, typo, news, x, y + 4, width, 11, theme.MUTED)

    def draw_map(self, surface, rect) -> None:
        """The viewer's map of the last month played (median strengths; one run's attacks)."""
        snap = self.app.map_snapshot()
        pygame.draw.rect(surface, theme.PANEL, rect, border_radius=6)
        if snap is None:
            note = self.app.typo.render("The map shows after the first quarter", 12, theme.MUTED)
            surface.blit(note, note.get_rect(center=rect.center))
            return
        from viz.map_view import MapView

        if not hasattr(self.app, "map_view"):
            self.app.map_view = MapView(self.app.typo)
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


class GameOverScene(Scene):
    """Final scores, the causes of the main outcomes, and the debrief."""

    def build(self) -> None:
        from sim.game.explain import explain

        w, h = self.app.size
        self.lines = explain(self.app.game)
        self.debrief_button = UIButton(pygame.Rect(16, h - 44, 160, 32), "Write debrief",
                                       self.app.manager)  # fmt: skip
        self.quit_button = UIButton(pygame.Rect(184, h - 44, 80, 32), "Quit", self.app.manager)

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
        y = 56
        final = g.final_scores()
        for role in R.ROLES:
            colour = theme.STATE_COLOURS[role]
            columns = (
                (16, R.ROLE_NAMES[role]),
                (170, f"{final[role]:.1f}"),
                (230, R.verdict(final[role])),
                (380, R.GOALS[role].summary),
            )
            for x, text in columns:
                surface.blit(typo.render(text, 16 if x < 380 else 13, colour, x < 380), (x, y))
            y += typo.line_height(16) + 2
        y += 10
        lesson = self.app.lesson
        width = w - 32 if lesson is None else w // 2 - 24
        top = y
        surface.blit(typo.render("What happened, and why", 15, theme.TEXT, True), (16, y))
        y = text_block(surface, typo, self.lines, 16, y + 26, width, 12)
        if self.app.status:
            text_block(surface, typo, [self.app.status], 16, y + 8, width, 13, theme.GREEN)
        if lesson is not None:
            x, yy = w // 2 + 8, top
            for head, items in (
                ("Discussion questions", lesson.spec.discussion_questions),
                ("What to look for", lesson.spec.look_for),
            ):
                surface.blit(typo.render(head, 15, theme.SKY, True), (x, yy))
                yy = text_block(surface, typo, [f"- {q}" for q in items], x, yy + 26, width, 12)
                yy += 10
