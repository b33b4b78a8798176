"""The graphical game: window, scenes over the turn flow, and the frame loop.

The order of play (bots, the turn's end, autosave, lesson cues, undo) is the table's
(sim.game.flow.Table): scenes turn clicks into the table's seat-stamped commands, and the
app picks the scene the table's state calls for (briefing, hand-over, a seat's move, the
teacher's step between all-bot turns, game over). What a screen shows of the news is the
view of its audience: a seat's own, or the public one on shared screens.
"""

from __future__ import annotations

import os
from pathlib import Path

from sim.game.engine import GameError
from sim.game.flow import PROJECTOR, TEACHER, Table
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
        until_turn: int | None = None,
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
        self.notes: list[str] = []  # the window's own lines above the news (the lesson)
        self.status = ""
        self.briefed = False  # the briefing scene opens every game
        if lesson is not None:
            self.notes.append(f"Lesson: {lesson.spec.title}")
        # The table starts (cues, bots before the first person) once the briefing is read.
        self.table = Table(
            game,
            lesson=lesson,
            mode="ordered",  # hot-seat
            save_path=save_path,
            until_turn=until_turn,
            position=getattr(game, "saved_position", None),
            start=False,
        )
        self.table.listeners.append(self.hear)
        self._news_cache: dict = {}
        self._view_cache: dict = {}
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

    def send(self, command: dict) -> bool:
        """Send one command to the table; a refusal becomes the status line, never a
        crash. Then show the scene the table's state calls for."""
        self.status = ""
        try:
            self.table.submit(command)
        except GameError as exc:
            self.status = f"Not allowed: {exc}"
            return False
        finally:
            self.advance()
        return True

    def teacher(self, kind: str, **fields) -> bool:
        return self.send({"seat": TEACHER, "kind": kind, **fields})

    def hear(self, kind: str, data: dict) -> None:
        if kind == "autosave_failed":
            self.status = data["message"]

    def view(self, audience: str) -> dict:
        """The table's view for ``audience``, computed once per change (scenes draw it
        every frame)."""
        t = self.table
        key = ("view", audience, t.revision, len(t.log))
        if key not in self._view_cache:
            self._view_cache = {k: v for k, v in self._view_cache.items() if k[2:] == key[2:]}
            self._view_cache[key] = t.view(audience)
        return self._view_cache[key]

    def news_for(self, audience: str) -> list[str]:
        """The news lines ``audience`` may see (a seat's own, or the public ones), with each
        quarter's headline results, oldest first."""
        t = self.table
        key = (audience, t.revision, len(t.log))
        if key not in self._news_cache:
            view = self.view(audience)
            results = list(view["results"])
            lines = list(self.notes)
            for e in view["news"]:
                while results and results[0]["turn"] < e["turn"]:
                    lines.append(_results_line(results.pop(0)))
                who = e["role"] if e["role"] == TEACHER else f"{e['role']} ({e['by']})"
                if e["mine"]:
                    who = f"{e['role']} (you)"
                why = f", because {e['reason']}" if e["reason"] else ""
                lines.append(f"T{e['turn']} {who}: {e['text']}{why}")
            lines += [_results_line(r) for r in results]
            self._news_cache = {key: lines}
        return self._news_cache[key]

    @property
    def news(self) -> list[str]:
        """The public news, for screens every team can see (hand-over, teacher's step)."""
        return self.news_for(PROJECTOR)

    def advance(self) -> None:
        """Show the scene the table's state calls for."""
        from viz.play.scenes import (
            BriefingScene,
            GameOverScene,
            HandOverScene,
            StepScene,
            TurnScene,
        )

        t = self.table
        if not self.briefed:
            self.set_scene(BriefingScene(self))
            return
        t.start()
        if t.phase in ("over", "stopped"):
            if not isinstance(self.scene, GameOverScene):
                self.set_scene(GameOverScene(self))
        elif t.paused:
            self.set_scene(self.scene.remake() if self.scene is not None else None)
        elif t.phase == "waiting":
            self.set_scene(StepScene(self))
        else:
            role = t.to_move
            here = getattr(self.scene, "role", None) == role
            if here and isinstance(self.scene, TurnScene):
                self.set_scene(TurnScene(self, role))
            elif not (here and isinstance(self.scene, HandOverScene)):
                self.set_scene(HandOverScene(self, role))

    def save_now(self) -> bool:
        """The Save button: save where the turn stands (a failure is the status line)."""
        if self.save_path is None:
            self.status = "No save file: start with --save FILE"
            return False
        if self.table.autosave():
            self.status = f"Saved to {self.save_path}"
            return True
        self.status = self.table.warning
        return False

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

    def close(self) -> None:
        """Close the window; with a save file, the game is saved where the turn stands, so
        closing mid-turn loses no move."""
        if self.save_path is not None and self.table.started:
            self.table.autosave()
        super().close()


def _results_line(r: dict) -> str:
    o, sq = r["observed"], r["status_quo"]
    return (
        f"T{r['turn']} results: attacks in Pakistan {o['attacks.PAK']:.0f} "
        f"(status quo {sq['attacks.PAK']:.0f}), ISKP strength "
        f"{o['strength.ISKP']:.2f} ({sq['strength.ISKP']:.2f})"
    )


def run_pygame(
    game, *, lesson=None, save_path=None, debrief_dir=None, frames=None, until_turn=None
) -> None:
    """Open the game window (``durand play`` without --text)."""
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    import pygame

    from sim.inputs.errors import UsageError
    from viz.app import require_display

    require_display("play in the terminal with {text}", text=True)
    if save_path is not None:
        from sim.game.save import check_writable

        check_writable(save_path)  # before the window opens (exit 3)
    try:
        app = PlayApp(
            game,
            lesson=lesson,
            save_path=save_path,
            debrief_dir=debrief_dir,
            until_turn=until_turn,
        )
    except pygame.error as exc:
        raise UsageError(
            f"cannot open a window ({exc}); without a display, use {{text}}",
            settings={"text": True},
        ) from exc
    try:
        app.run(frames)
    finally:
        app.close()
