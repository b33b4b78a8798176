"""The viewer application: window, scene stack and the frame loop.

``run_viewer`` is what ``durand view`` calls. Headless runs use SDL's dummy drivers and a
fixed frame time, so the same command renders the same picture in CI and for the docs.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

DEFAULT_SIZE = (1280, 720)
HEADLESS_DT = 1.0 / 60.0


def _quiet_pygame() -> None:
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")


def require_display(hint: str) -> None:
    """Refuse to open a window nobody can see.

    Without a display SDL falls back to drawing off screen, and a window that cannot be
    seen or closed would run forever. Choosing the dummy driver on purpose is fine.
    """
    import pygame

    from sim.inputs.errors import UsageError

    pygame.display.init()
    invisible = pygame.display.get_driver() in ("offscreen", "dummy")
    if invisible and os.environ.get("SDL_VIDEODRIVER") not in ("offscreen", "dummy"):
        pygame.display.quit()
        raise UsageError(f"no display to open a window on; {hint}")


def _use_dummy_drivers() -> None:
    os.environ["SDL_VIDEODRIVER"] = "dummy"
    os.environ["SDL_AUDIODRIVER"] = "dummy"


class FrameLoop:
    """The frame loop shared by the viewer and the game window: ``frame(dt)`` until
    ``running`` goes false or ``frames`` have been drawn. ``fixed_dt`` (headless runs)
    makes every frame advance the same time, uncapped; otherwise 60 fps, dt at most 0.1 s."""

    running: bool
    fullscreen: bool
    windowed_size: tuple[int, int]
    resizable = True  # the window's flag when not fullscreen

    def frame(self, dt: float) -> None:
        raise NotImplementedError

    def toggle_fullscreen(self) -> None:
        """Fullscreen at the desktop's resolution, and back to the window's last size."""
        pygame = self._pygame
        self.fullscreen = not self.fullscreen
        if self.fullscreen:  # (0, 0): the desktop's resolution
            self.screen = pygame.display.set_mode((0, 0), pygame.FULLSCREEN)
        else:
            flags = pygame.RESIZABLE if self.resizable else 0
            self.screen = pygame.display.set_mode(self.windowed_size, flags)
        self.manager.set_window_resolution(self.size)

    def run(self, frames: int | None = None, fixed_dt: float | None = None) -> None:
        import pygame

        clock = pygame.time.Clock()
        n = 0
        while self.running and (frames is None or n < frames):
            dt = clock.tick(60 if fixed_dt is None else 0) / 1000.0
            self.frame(fixed_dt if fixed_dt is not None else min(dt, 0.1))
            n += 1


class ViewerApp(FrameLoop):
    """Owns the window and the pygame_gui manager; runs scenes frame by frame."""

    def __init__(
        self,
        timeline,
        *,
        size: tuple[int, int] = DEFAULT_SIZE,
        large_font: bool = False,
        output_dir: Path | None = None,
    ):
        _quiet_pygame()
        import pygame
        import pygame_gui

        from viz.scenes import HelpOverlay, ViewerScene
        from viz.theme import Typography
        from viz.widgets import theme_for

        self._pygame, self._gui, self._theme_for = pygame, pygame_gui, theme_for
        self._help_cls = HelpOverlay
        pygame.display.init()
        pygame.font.init()
        pygame.display.set_caption("Durand — viewer")
        pygame.key.set_repeat(350, 60)
        self.fullscreen = False
        self.windowed_size = size
        self.screen = pygame.display.set_mode(size, pygame.RESIZABLE)
        self.output_dir = Path(output_dir or Path.cwd())
        self.typo = Typography(1.4 if large_font else 1.0)
        self.manager = pygame_gui.UIManager(self.size, theme_for(self.typo.scale))
        self.running = True
        self.scenes = []
        self.viewer = ViewerScene(self, timeline)
        self.scenes.append(self.viewer)

    @property
    def size(self) -> tuple[int, int]:
        return self.screen.get_size()

    # ------------------------------------------------------------ scene stack

    def show_help(self) -> None:
        if not any(isinstance(s, self._help_cls) for s in self.scenes):
            self.scenes.append(self._help_cls(self))

    def pop_scene(self, scene) -> None:
        if scene in self.scenes and scene is not self.viewer:
            self.scenes.remove(scene)

    def typing(self) -> bool:
        """True while a text box has the keyboard (shortcuts are off)."""
        focused = self.manager.get_focus_set() or set()
        return any(isinstance(e, self._gui.elements.UITextEntryLine) for e in focused)

    # ------------------------------------------------------------ window

    def resize(self, size: tuple[int, int]) -> None:
        pygame = self._pygame
        from viz.layout import MIN_SIZE

        size = (max(MIN_SIZE[0], int(size[0])), max(MIN_SIZE[1], int(size[1])))
        if not self.fullscreen:
            self.windowed_size = size
            self.screen = pygame.display.set_mode(size, pygame.RESIZABLE)
        self.manager.set_window_resolution(self.size)
        self.viewer.clear_caches()
        self.viewer.rebuild()

    def toggle_fullscreen(self) -> None:
        super().toggle_fullscreen()
        self.viewer.clear_caches()
        self.viewer.rebuild()

    def toggle_large_font(self) -> None:
        self.typo.scale = 1.0 if self.typo.scale > 1.0 else 1.4
        self.typo.clear()
        self.manager = self._gui.UIManager(self.size, self._theme_for(self.typo.scale))
        self.viewer.clear_caches()
        self.viewer.rebuild()

    def screenshot(self, path: Path | None = None) -> Path:
        """Save the window as a PNG; raises OutputError (with the path) if it cannot."""
        from sim.inputs.errors import OutputError

        if path is None:
            stamp = time.strftime("%Y%m%d-%H%M%S")
            path = self.output_dir / f"durand-{stamp}.png"
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._pygame.image.save(self.screen, str(path))
        except (self._pygame.error, OSError) as exc:
            raise OutputError(f"cannot save the screenshot to {path}: {exc}") from exc
        return path

    # ------------------------------------------------------------ loop

    def handle(self, event) -> None:
        pygame = self._pygame
        if event.type == pygame.QUIT:
            self.running = False
            return
        if event.type == pygame.VIDEORESIZE and not self.fullscreen:
            self.resize(event.size)
            return
        consumed = self.manager.process_events(event)
        for scene in reversed(self.scenes):
            if scene.handle_event(event):
                return
        if consumed or event.type != pygame.KEYDOWN or self.typing():
            return
        key = event.key
        if key in (pygame.K_h, pygame.K_QUESTION, pygame.K_SLASH):
            self.show_help()
        elif key in (pygame.K_F11, pygame.K_f):
            self.toggle_fullscreen()
        elif key in (pygame.K_p, pygame.K_F12):
            from sim.inputs.errors import OutputError

            try:
                self.viewer.say(f"Saved {self.screenshot()}")
            except OutputError as exc:  # an unwritable folder is reported, not fatal
                self.viewer.say(str(exc), 8)
        elif key == pygame.K_t:
            self.toggle_large_font()
        elif key in (pygame.K_q, pygame.K_ESCAPE):
            self.running = False

    def frame(self, dt: float) -> None:
        for event in self._pygame.event.get():
            self.handle(event)
            if not self.running:
                return
        for scene in self.scenes:
            scene.update(dt)
        self.manager.update(dt)
        for scene in self.scenes[:1]:
            scene.draw(self.screen)
        self.manager.draw_ui(self.screen)
        for scene in self.scenes[1:]:
            scene.draw(self.screen)
        self._pygame.display.flip()

    def close(self) -> None:
        self._pygame.display.quit()


def run_viewer(
    scenario: Path,
    *,
    headless: bool = False,
    frames: int | None = None,
    screenshot: Path | None = None,
    seed: int | None = None,
    replicates: int | None = None,
    months: int | None = None,
    at: str | None = None,
    speed: float = 1.0,
    paused: bool = False,
    large_font: bool = False,
    size: tuple[int, int] = DEFAULT_SIZE,
) -> Path | None:
    """Open the viewer on a scenario (or render it headless); return the screenshot path."""
    from sim.inputs.limits import OptionError, check
    from sim.run.timeline import Timeline

    for quantity, value in (("seed", seed), ("replicates", replicates), ("months", months)):
        check(quantity, value)
    if frames is not None and frames < 1:
        raise OptionError("frames", "must be at least 1")
    if not 0.25 <= speed <= 16:
        raise OptionError("speed", f"must be between 0.25 and 16, got {speed:g}")
    _quiet_pygame()
    if headless:
        _use_dummy_drivers()
    else:
        require_display("render without one with --headless")
    timeline = Timeline(scenario, seed=seed, replicates=replicates, months=months)
    import pygame

    try:
        app = ViewerApp(timeline, size=size, large_font=large_font)
    except pygame.error as exc:
        from sim.inputs.errors import UsageError

        raise UsageError(
            f"cannot open a window ({exc}); without a display, use --headless"
        ) from exc
    try:
        viewer = app.viewer
        viewer.playback.set_speed(speed)
        if at:
            viewer.jump_to(at)
            if viewer.status:
                from sim.inputs.errors import UsageError

                raise UsageError(f"--at: {viewer.status}")
        viewer.playback.playing = not paused
        if headless:
            app.run(frames or 1, fixed_dt=HEADLESS_DT)
        else:
            app.run(frames)
        if screenshot is not None:
            return app.screenshot(screenshot)
        return None
    finally:
        app.close()
