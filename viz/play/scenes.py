"""Scenes of the graphical game, each with build / handle_event / update(dt) / draw(surface).

HandOverScene hides everything private until the named role's player is at the screen;
TurnScene is one role's move (levers, offers, teacher controls); GameOverScene shows the
result and writes the debrief. Widgets turn clicks into calls on the game engine.
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

from sim.errors import DurandError
from sim.game import rules as R
from viz import theme
from viz.widgets import rounded

PUBLIC = (
    ("attacks.PAK", "attacks in Pakistan", "{:.0f}"),
    ("attacks.AFG", "attacks in Afghanistan", "{:.0f}"),
    ("attacks.china_interests", "attacks on Chinese interests", "{:.0f}"),
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

    def build(self) -> None:
        pass

    def handle_event(self, event) -> bool:
        return False

    def update(self, dt: float) -> None:
        pass

    def draw(self, surface) -> None:
        pass


class HandOverScene(Scene):
    """'Pass to Pakistan': nothing private shows until the player says they are ready."""

    def __init__(self, app, role: str):
        super().__init__(app)
        self.role = role

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

    # ------------------------------------------------------------ widgets

    def build(self) -> None:
        m, g, role = self.app.manager, self.app.game, self.role
        w, h = self.app.size
        row = 26
        x0, y = 16, 70
        for name, value in g.levers_of(role).items():
            spec = R.role_levers(role)[name]
            UILabel(pygame.Rect(x0, y, 150, row), name, m)
            step = 50.0 if spec.high > 10 else 0.05
            self.sliders[name] = UIHorizontalSlider(
                pygame.Rect(x0 + 152, y + 2, 210, row - 4), value, (spec.low, spec.high), m,
                click_increment=step,
            )  # fmt: skip
            self.values[name] = UILabel(pygame.Rect(x0 + 366, y, 64, row), f"{value:g}", m)
            y += row + 2
        self.reason = UITextEntryLine(
            pygame.Rect(x0, y + 6, 330, row + 4), m, placeholder_text="because... (your reason)"
        )
        self.buttons["apply"] = UIButton(pygame.Rect(x0 + 336, y + 6, 94, row + 4), "Apply", m)
        y += row + 20
        # Offers: propose those this role is party to; answer those made to it; break deals.
        for kind in R.OFFERS.values():
            if role not in kind.parties:
                continue
            busy = any(o.kind == kind.name and o.status in ("pending", "accepted")
                       for o in g.offers)  # fmt: skip
            b = UIButton(pygame.Rect(x0, y, 430, row), f"Propose {kind.name} to "
                         f"{kind.other(role)}", m, tool_tip_text=kind.title)  # fmt: skip
            if busy:
                b.disable()
            self.offer_buttons[b] = ("propose", kind.name)
            y += row + 2
        for o in g.pending_for(role):
            a = UIButton(pygame.Rect(x0, y, 212, row), f"Accept #{o.id} {o.kind}", m,
                         tool_tip_text=o.spec.title)  # fmt: skip
            r = UIButton(pygame.Rect(x0 + 218, y, 212, row), f"Refuse #{o.id}", m)
            self.offer_buttons[a] = ("accept", o.id)
            self.offer_buttons[r] = ("refuse", o.id)
            y += row + 2
        for o in g.deals(role):
            b = UIButton(pygame.Rect(x0, y, 430, row), f"Break #{o.id} {o.kind}", m)
            self.offer_buttons[b] = ("break", o.id)
            y += row + 2
        # The bottom bar: the player's own controls, then the teacher's.
        by = h - 44
        x = 16
        for key, label, width in (
            ("done", "Done: hand over", 130), ("undo", "Undo", 60), ("bot", "Bot takes seat", 120),
            ("save", "Save", 60), ("pause", "Resume" if g.paused else "Pause", 74),
            ("reveal", "Reveal", 70),
        ):  # fmt: skip
            self.buttons[key] = UIButton(pygame.Rect(x, by, width, 32), label, m)
            x += width + 6
        self.event_menu = UIDropDownMenu(
            list(R.TEACHER_EVENTS), next(iter(R.TEACHER_EVENTS)), pygame.Rect(x, by, 190, 32), m
        )
        x += 196
        self.buttons["inject"] = UIButton(pygame.Rect(x, by, 70, 32), "Inject", m)
        x += 76
        self.buttons["end"] = UIButton(pygame.Rect(x, by, 90, 32), "End game", m)
        if g.paused:
            self.buttons["done"].disable()
        # Teacher: any seat passes between a person and a bot.
        self.seat_buttons: dict[UIButton, str] = {}
        x = w - 4 * 112 - 10
        for other in R.ROLES:
            tip = "Teacher: switch this seat between a person and a bot"
            b = UIButton(
                pygame.Rect(x, 10, 108, 26), f"{other}: {g.seats[other]}", m, tool_tip_text=tip
            )
            self.seat_buttons[b] = other
            x += 112

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
            g = self.app.game
            g.set_seat(other, "person" if g.seats[other] == "bot" else "bot")
            if other == self.role and g.seats[other] == "bot":
                self.on_bot_moves()
            else:
                self.app.set_scene(TurnScene(self.app, self.role))
            return True
        if event.ui_element in self.offer_buttons:
            self.offer(*self.offer_buttons[event.ui_element])
            return True
        for key, button in self.buttons.items():
            if event.ui_element is button:
                getattr(self, f"on_{key}")()
                return True
        return False

    def act(self, fn, *args) -> bool:
        """Call the engine; a refused move becomes the status line, never a crash."""
        start = len(self.app.game.log)
        try:
            fn(*args)
        except DurandError as exc:
            self.app.status = f"Not allowed: {exc}"
            return False
        for e in self.app.game.log[start:]:
            if e.public:
                self.app.tell(e)
            else:
                why = f", because {e.reason}" if e.reason else ""
                self.app.news.append(f"T{e.turn} {e.role} (you): {e.text}{why}")
        self.app.status = ""
        return True

    def on_apply(self) -> None:
        g, why = self.app.game, self.reason.get_text().strip()
        for name, slider in self.sliders.items():
            spec = R.role_levers(self.role)[name]
            value = rounded(slider.get_current_value(), spec.high)
            if abs(value - g.lever(self.role, name)) > 1e-9:
                self.act(g.set_lever, self.role, name, value, why)
        self.app.set_scene(TurnScene(self.app, self.role))

    def offer(self, what: str, arg) -> None:
        g, why = self.app.game, self.reason.get_text().strip()
        if what == "propose":
            self.act(g.propose, self.role, arg, why)
        elif what in ("accept", "refuse"):
            self.act(g.answer, self.role, arg, what == "accept", why)
        else:
            self.act(g.break_deal, self.role, arg, why)
        self.app.set_scene(TurnScene(self.app, self.role))

    def on_done(self) -> None:
        self.app.person_done()

    def on_undo(self) -> None:
        try:
            what = self.app.game.undo()
        except DurandError as exc:
            self.app.status = f"Not allowed: {exc}"
            return
        self.app.news.append(f"Undone: {what}")
        self.app.restart_turn()

    def on_bot(self) -> None:
        self.app.game.set_seat(self.role, "bot")
        self.on_bot_moves()

    def on_bot_moves(self) -> None:
        g = self.app.game
        for e in g.play_bot(self.role):
            self.app.tell(e)
        self.app.person_done()

    def on_save(self) -> None:
        if self.app.save_path is None:
            self.app.status = "No save file: start with --save FILE"
        else:
            self.app.autosave()
            self.app.status = f"Saved to {self.app.save_path}"

    def on_pause(self) -> None:
        g = self.app.game
        g.paused = not g.paused
        self.app.status = "Paused by the teacher" if g.paused else ""
        self.app.set_scene(TurnScene(self.app, self.role))

    def on_reveal(self) -> None:
        self.app.game.revealed = True
        for e in self.app.game.log:
            if not e.public:
                self.app.tell(e)

    def chosen_event(self) -> str:
        option = self.event_menu.selected_option  # (text, id) in pygame_gui >= 0.6.10
        return option[0] if isinstance(option, tuple) else option

    def on_inject(self) -> None:
        self.act(self.app.game.inject, self.chosen_event())

    def on_end(self) -> None:
        self.app.game.end_game()
        self.app.advance()

    # ------------------------------------------------------------ drawing

    def draw(self, surface) -> None:
        typo, g, role = self.app.typo, self.app.game, self.role
        w, h = surface.get_size()
        colour = theme.STATE_COLOURS[role]
        surface.blit(typo.render(f"{R.ROLE_NAMES[role]} ({role})", 22, colour, True), (16, 12))
        spend = f"budget {R.budget(role):g}, spending {g.spending(role):g} USD M/yr"
        head = f"Turn {g.turn} of {g.turns} · {g.quarter()} · {spend}"
        surface.blit(typo.render(head, 13, theme.MUTED), (16, 44))
        if g.paused:
            surface.blit(
                typo.render("PAUSED by the teacher", 18, theme.ORANGE, True), (w - 460, 40)
            )
        x, width = 470, w - 486
        map_rect = pygame.Rect(x + 360, 140, w - x - 376, 270)
        self.draw_map(surface, map_rect)
        goal = R.GOALS[role]
        y = text_block(surface, typo, [
            f"Goal: {goal.summary}",
            f"Last score {g.last_scores()[role]:.0f} (50 = as under the status quo). Scored on: "
            + ", ".join(f"{c.label} ({c.better} better)" for c in goal.components),
        ], x, 70, width, 13)  # fmt: skip
        observed, sq = g.observation()
        y += 8
        surface.blit(typo.render("Last quarter (status quo)", 13, theme.MUTED, True), (x, y))
        y += typo.line_height(13) + 2
        for key, label, fmt in PUBLIC:
            surface.blit(typo.render(label, 12), (x, y))
            surface.blit(typo.render(fmt.format(observed[key]), 12), (x + 210, y))
            surface.blit(typo.render(f"({fmt.format(sq[key])})", 12, theme.MUTED), (x + 270, y))
            y += typo.line_height(12)
        if g.revealed:
            y += 6
            for other in R.ROLES:
                levers = ", ".join(f"{k} {v:g}" for k, v in g.levers_of(other).items())
                y = text_block(surface, typo, [f"{other} {g.last_scores()[other]:.0f}: {levers}"],
                               x, y, width, 11, theme.YELLOW)  # fmt: skip
        y = max(y, map_rect.bottom) + 8
        deals = [
            f"Offer #{o.id} from {o.proposer}: {o.spec.title} "
            f"[{'; '.join(str(t) for t in o.spec.terms)}]"
            for o in g.pending_for(role)
        ] + [f"Deal in force: #{o.id} {o.kind} with {o.spec.other(role)}" for o in g.deals(role)]
        y = text_block(surface, typo, deals, x, y, width, 12, theme.SKY)
        if self.app.status:
            y = text_block(surface, typo, [self.app.status], x, y, width, 13, theme.VERMILLION)
        text_block(surface, typo, self.app.news[-10:], x, y + 4, width, 11, theme.MUTED)

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
        surface.blit(typo.render("The game is over", 26, theme.TEXT, True), (16, 12))
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
        surface.blit(typo.render("What happened, and why", 15, theme.TEXT, True), (16, y))
        y = text_block(surface, typo, self.lines, 16, y + 26, w - 32, 12)
        if self.app.status:
            text_block(surface, typo, [self.app.status], 16, y + 8, w - 32, 13, theme.GREEN)
