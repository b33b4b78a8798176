"""The window both front ends share (FrameLoop: the frame loop, one scene manager, help,
fullscreen, resizing, large text, screenshots) and the viewer built on it.

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


def require_display(hint: str, **settings) -> None:
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
        raise UsageError(f"no display to open a window on; {hint}", settings=settings)


def _use_dummy_drivers() -> None:
    os.environ["SDL_VIDEODRIVER"] = "dummy"
    os.environ["SDL_AUDIODRIVER"] = "dummy"


class FrameLoop:
    """The window shared by the viewer and the game window.

    It owns the screen, the pygame_gui manager, the typography and one scene manager, and
    does what both windows do alike: the frame loop, help, fullscreen, resizing, large text
    and screenshots (a failed one is a warning on screen, never a crash). ``frame(dt)`` runs
    until ``running`` goes false or ``frames`` have been drawn; ``fixed_dt`` (headless runs)
    makes every frame advance the same time, uncapped; otherwise 60 fps, dt at most 0.1 s.
    Subclasses say how to ``relayout`` (rebuild widgets after a size or font change) and how
    to ``notify`` the user.
    """

    min_size: tuple[int, int] = (640, 400)
    font_scales: tuple[float, float] = (1.0, 1.4)  # normal and large text
    screenshot_prefix = "durand"
    quit_keys: tuple[int, ...] = ()
    output_dir: Path | None = None  # where screenshots go; None: the current folder
    clear_screen = True  # False when the base scene paints every pixel itself
    help_keys: tuple[tuple[str, str], ...] = ()
    help_note = ""

    def open_window(self, size: tuple[int, int], caption: str, large_font: bool = False) -> None:
        _quiet_pygame()
        import pygame
        import pygame_gui

        from viz.scene_manager import SceneManager
        from viz.theme import Typography
        from viz.widgets import theme_for

        self._pygame, self._gui, self._theme_for = pygame, pygame_gui, theme_for
        pygame.display.init()
        pygame.font.init()
        pygame.display.set_caption(caption)
        pygame.key.set_repeat(350, 60)
        size = self.clamp(size)
        self.fullscreen = False
        self.windowed_size = size
        self.screen = pygame.display.set_mode(size, pygame.RESIZABLE)
        self.typo = Typography(self.font_scales[1 if large_font else 0])
        self.manager = pygame_gui.UIManager(size, theme_for(self.typo.scale))
        self.scenes = SceneManager()
        self.running = True

    @property
    def size(self) -> tuple[int, int]:
        return self.screen.get_size()

    @property
    def large_font(self) -> bool:
        return self.typo.scale > self.font_scales[0]

    def clamp(self, size) -> tuple[int, int]:
        return max(self.min_size[0], int(size[0])), max(self.min_size[1], int(size[1]))

    # ------------------------------------------------------------ what subclasses say

    def relayout(self) -> None:
        """Rebuild the widgets for the window's size and font scale."""
        raise NotImplementedError

    def notify(self, text: str, seconds: float = 4.0) -> None:
        raise NotImplementedError

    # ------------------------------------------------------------ window commands

    def typing(self) -> bool:
        """True while a text box has the keyboard (letter shortcuts are off)."""
        focused = self.manager.get_focus_set() or set()
        return any(isinstance(e, self._gui.elements.UITextEntryLine) for e in focused)

    def show_help(self) -> None:
        from viz.scene_manager import HelpOverlay

        if not self.scenes.has(HelpOverlay):
            self.scenes.push(HelpOverlay(self, self.help_keys, self.help_note))

    def resize(self, size: tuple[int, int]) -> None:
        size = self.clamp(size)
        if not self.fullscreen:
            self.windowed_size = size
            self.screen = self._pygame.display.set_mode(size, self._pygame.RESIZABLE)
        self.manager.set_window_resolution(self.size)
        self.relayout()

    def toggle_fullscreen(self) -> None:
        """Fullscreen at the desktop's resolution, and back to the window's last size."""
        pygame = self._pygame
        self.fullscreen = not self.fullscreen
        if self.fullscreen:  # (0, 0): the desktop's resolution
            self.screen = pygame.display.set_mode((0, 0), pygame.FULLSCREEN)
        else:
            self.screen = pygame.display.set_mode(self.windowed_size, pygame.RESIZABLE)
        self.manager.set_window_resolution(self.size)
        self.relayout()

    def toggle_large_font(self) -> None:
        normal, large = self.font_scales
        self.typo.scale = normal if self.large_font else large
        self.typo.clear()
        self.manager = self._gui.UIManager(self.size, self._theme_for(self.typo.scale))
        self.relayout()

    def screenshot(self, path: Path | None = None) -> Path:
        """Save the window as a PNG; raises OutputError (with the path) if it cannot."""
        from sim.inputs.errors import OutputError

        if path is None:
            stamp = time.strftime("%Y%m%d-%H%M%S")
            folder = self.output_dir if self.output_dir is not None else Path.cwd()
            path = folder / f"{self.screenshot_prefix}-{stamp}.png"
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._pygame.image.save(self.screen, str(path))
        except (self._pygame.error, OSError) as exc:
            raise OutputError(f"cannot save the screenshot to {path}: {exc}") from exc
        return path

    def save_screenshot(self) -> Path | None:
        """The screenshot key: saved, or a warning on screen (an unwritable folder)."""
        from sim.inputs.errors import OutputError

        try:
            path = self.screenshot()
        except OutputError as exc:
            self.notify(f"Warning: {exc}", 8)
            return None
        self.notify(f"Screenshot saved to {path}")
        return path

    # ------------------------------------------------------------ loop

    def shortcut(self, event, consumed: bool) -> bool:
        """Window keys: F1/h/? help, F2/t large text, F11/f fullscreen, F12/p screenshot
        (letters only when no widget took the key and no text box has the keyboard)."""
        pygame = self._pygame
        if event.type != pygame.KEYDOWN:
            return False
        k = event.key
        letters = not consumed and not self.typing()
        if k == pygame.K_F1 or (letters and k in (pygame.K_h, pygame.K_QUESTION, pygame.K_SLASH)):
            self.show_help()
        elif k == pygame.K_F2 or (letters and k == pygame.K_t):
            self.toggle_large_font()
        elif k == pygame.K_F11 or (letters and k == pygame.K_f):
            self.toggle_fullscreen()
        elif k == pygame.K_F12 or (letters and k == pygame.K_p):
            self.save_screenshot()
        elif letters and k in self.quit_keys:
            self.running = False
        else:
            return False
        return True

    def handle(self, event) -> None:
        pygame = self._pygame
        if event.type == pygame.QUIT:
            self.running = False
            return
        if event.type == pygame.VIDEORESIZE:
            if not self.fullscreen:
                self.resize(event.size)
            return
        if self.scenes.handle_overlay_event(event):
            return
        consumed = self.manager.process_events(event)
        if self.scenes.handle_event(event):
            return
        self.shortcut(event, consumed)

    def frame(self, dt: float) -> None:
        from viz import theme

        for event in self._pygame.event.get():
            self.handle(event)
            if not self.running:
                return
        self.scenes.update(dt)
        self.manager.update(dt)
        if self.clear_screen:
            self.screen.fill(theme.BACKGROUND)
        self.scenes.draw(self.screen, self.manager.draw_ui)
        self._pygame.display.flip()

    def run(self, frames: int | None = None, fixed_dt: float | None = None) -> None:
        import pygame

        clock = pygame.time.Clock()
        n = 0
        while self.running and (frames is None or n < frames):
            dt = clock.tick(60 if fixed_dt is None else 0) / 1000.0
            self.frame(fixed_dt if fixed_dt is not None else min(dt, 0.1))
            n += 1

    def close(self) -> None:
        self._pygame.display.quit()


class ViewerApp(FrameLoop):
    """The viewer's window: one ViewerScene, the help pushed over it."""

    clear_screen = False  # the viewer scene fills the window itself

    def __init__(
        self,
        timeline,
        *,
        size: tuple[int, int] = DEFAULT_SIZE,
        large_font: bool = False,
        output_dir: Path | None = None,
    ):
        from viz.layout import MIN_SIZE
        from viz.scenes import KEYS, NOTE, ViewerScene

        self.min_size = MIN_SIZE
        self.help_keys, self.help_note = KEYS, NOTE
        self.quit_keys = ()
        self.open_window(size, "Durand — viewer", large_font)
        self.quit_keys = (self._pygame.K_q, self._pygame.K_ESCAPE)
        self.output_dir = Path(output_dir or Path.cwd())
        self.viewer = ViewerScene(self, timeline)
        self.scenes.replace(self.viewer)

    def relayout(self) -> None:
        self.viewer.clear_caches()
        self.viewer.rebuild()

    def notify(self, text: str, seconds: float = 4.0) -> None:
        self.viewer.say(text, seconds)


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
    from sim.inputs.limits import MAX_SPEED, MIN_SPEED, OptionError, check
    from sim.run.timeline import Timeline

    for quantity, value in (("seed", seed), ("replicates", replicates), ("months", months)):
        check(quantity, value)
    if frames is not None and frames < 1:
        raise OptionError("frames", "must be at least 1")
    if not MIN_SPEED <= speed <= MAX_SPEED:
        raise OptionError(
            "speed", f"must be between {MIN_SPEED:g} and {MAX_SPEED:g}, got {speed:g}"
        )
    _quiet_pygame()
    if headless:
        _use_dummy_drivers()
    else:
        require_display("render without one with {headless}", headless=True)
    timeline = Timeline(scenario, seed=seed, replicates=replicates, months=months)
    import pygame

    try:
        app = ViewerApp(timeline, size=size, large_font=large_font)
    except pygame.error as exc:
        from sim.inputs.errors import UsageError

        raise UsageError(
            f"cannot open a window ({exc}); without a display, use {{headless}}",
            settings={"headless": True},
        ) from exc
    try:
        viewer = app.viewer
        viewer.playback.set_speed(speed)
        if at:
            viewer.jump_to(at)
            if viewer.status:
                from sim.inputs.errors import UsageError

                raise UsageError(f"{{at}}: {viewer.status}", settings={"at": None})
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
