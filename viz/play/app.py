"""The graphical game: window, the seat-by-seat flow of a turn, and the frame loop.

The app owns the order of play (bots move, a hand-over screen before each person, the
turn ends after the last seat) and swaps scenes; scenes turn clicks into calls on the
game engine (sim.game.engine.Game) and never touch the model.
"""

from __future__ import annotations

import os
from pathlib import Path

from sim.game.lessons import play_due_cues
from viz.app import DEFAULT_SIZE, FrameLoop


class PlayApp(FrameLoop):
    """The game window: hand-over, turn, between-turn and game-over scenes over one Game."""

    font_scales = (1.2, 1.55)  # readable at a desk; large for a projector
    screenshot_prefix = "durand-play"

    def __init__(
        self,
        game,
        *,
        lesson=None,
        save_path: Path | None = None,
        debrief_dir: Path | None = None,
        size: tuple[int, int] = DEFAULT_SIZE,
        large_font: bool = False,
        output_dir: Path | None = None,
    ):
        from viz.map_view import MapView
        from viz.play.layout import MIN_SIZE
        from viz.play.scenes import KEYS, NOTE

        self.min_size = MIN_SIZE
        self.help_keys, self.help_note = KEYS, NOTE
        self.open_window(size, "Durand — the game", large_font)
        self.output_dir = None if output_dir is None else Path(output_dir)
        self.map_view = MapView(self.typo)  # fonts follow the typography's scale
        self._map_key = None
        self._map = None
        self.game = game
        self.lesson = lesson
        self.save_path = save_path
        self.debrief_dir = debrief_dir
        self.seat = 0  # index into ROLES of the seat whose move it is
        self.news: list[str] = []  # what everyone may see: public moves and results
        self.status = ""
        self.briefed = False  # the briefing scene opens every game
        self.step_granted = False  # the teacher let the next all-bot turn be played
        self.autoplay = False  # the teacher chose to play every remaining turn
        if lesson is not None:
            self.news.append(f"Lesson: {lesson.spec.title}")
        self.advance()

    @property
    def scene(self):
        """The screen shown (the scene manager's base scene)."""
        return self.scenes.base

    @property
    def overlay(self):
        """The help, when it is open over the scene."""
        return self.scenes.top if len(self.scenes) > 1 else None

    # ------------------------------------------------------------ the order of play

    def map_snapshot(self):
        """(Branch, MapData) of the game so far, for the viewer's map (cached per turn)."""
        g = self.game
        if g.played == 0:
            return None
        key = g.revision
        if self._map_key != key:
            from sim.run.timeline import Branch
            from viz.map_view import MapData

            snap = g.snapshot()
            months = snap.result.months
            branch = Branch("game", g.scenario, snap.result, [snap.cards] * months)
            self._map = (branch, MapData(branch))
            self._map_key = key
        return self._map

    def teacher_steps(self) -> bool:
        """No person sits at the table: the teacher plays the game turn by turn."""
        return all(s == "bot" for s in self.game.seats.values())

    def play_next_turn(self, to_the_end: bool = False) -> None:
        self.step_granted = True
        self.autoplay = to_the_end
        self.advance()

    def open_table(self) -> bool:
        g = self.game
        return g.revealed or all(s == "bot" for s in g.seats.values())

    def tell(self, entry) -> None:
        if entry.public or self.open_table():
            who = entry.role if entry.role == "teacher" else f"{entry.role} ({entry.by})"
            why = f", because {entry.reason}" if entry.reason else ""
            self.news.append(f"T{entry.turn} {who}: {entry.text}{why}")

    def advance(self) -> None:
        """Let bots move until a person must, ending turns as they complete."""
        from sim.game.rules import ROLES

        g = self.game
        while not g.finished and not g.paused:
            if self.seat == 0:
                from viz.play.scenes import BriefingScene, StepScene

                if not self.briefed:
                    self.set_scene(BriefingScene(self))
                    return
                if self.teacher_steps() and not (self.step_granted or self.autoplay):
                    self.set_scene(StepScene(self))
                    return
                self._lesson_cues()
            if self.seat >= len(ROLES):
                g.end_turn()
                r = g.results[-1]
                for e in g.log:
                    if e.turn == r.turn and e.kind == "break" and e.by == "rules":
                        self.tell(e)
                self.news.append(
                    f"T{r.turn} results: attacks in Pakistan {r.observed['attacks.PAK']:.0f} "
                    f"(status quo {r.status_quo['attacks.PAK']:.0f}), ISKP strength "
                    f"{r.observed['strength.ISKP']:.2f} ({r.status_quo['strength.ISKP']:.2f})"
                )
                self.autosave()
                self.seat = 0
                self.step_granted = False
                continue
            role = ROLES[self.seat]
            if g.seats[role] == "bot":
                for e in g.play_bot(role):
                    self.tell(e)
                self.seat += 1
                continue
            from viz.play.scenes import HandOverScene

            self.set_scene(HandOverScene(self, role))
            return
        if g.finished:
            from viz.play.scenes import GameOverScene

            self.autosave()
            self.set_scene(GameOverScene(self))
        else:  # paused: the current scene stays, showing the banner
            self.set_scene(self.scene)

    def _lesson_cues(self) -> None:
        for entry in play_due_cues(self.game, self.lesson):
            self.tell(entry)

    def person_done(self) -> None:
        self.seat += 1
        self.advance()

    def restart_turn(self) -> None:
        """After an undo: replay the current turn's seats from the first."""
        self.seat = 0
        self.advance()

    def autosave(self) -> bool:
        """Save after a turn; a failed save is a warning on the status line, play goes on."""
        if self.save_path is None:
            return False
        from sim.game.save import save_game
        from sim.inputs.errors import DurandError

        try:
            save_game(self.game, self.save_path)
        except DurandError as exc:
            self.status = f"Warning: {exc}. The game goes on."
            return False
        return True

    # ------------------------------------------------------------ scenes and window

    def set_scene(self, scene) -> None:
        """Show ``scene`` (its widgets built afresh); the help stays over it if open."""
        self.manager.clear_and_reset()
        self.scenes.replace(scene)

    def rebuild(self) -> None:
        """Rebuild the scene's widgets (after a font or window size change)."""
        if self.scene is not None:
            self.set_scene(self.scene.remake())

    def relayout(self) -> None:
        self.map_view.clear()
        self.rebuild()

    def notify(self, text: str, seconds: float = 4.0) -> None:
        self.status = text


def run_pygame(game, *, lesson=None, save_path=None, debrief_dir=None, frames=None) -> None:
    """Open the game window (``durand play`` without --text)."""
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    import pygame

    from sim.inputs.errors import UsageError
    from viz.app import require_display

    require_display("play in the terminal with --text")
    if save_path is not None:
        from sim.game.save import check_writable

        check_writable(save_path)  # before the window opens (exit 3)
    try:
        app = PlayApp(game, lesson=lesson, save_path=save_path, debrief_dir=debrief_dir)
    except pygame.error as exc:
        raise UsageError(f"cannot open a window ({exc}); without a display, use --text") from exc
    try:
        app.run(frames)
    finally:
        app.close()
