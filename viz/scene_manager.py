"""One scene manager for the viewer and the game window.

A scene follows the pygame_gui/Tuxemon protocol: ``enter()`` when it becomes active (it
builds its widgets), ``exit()`` when it leaves, ``handle_event(event) -> bool`` (True:
consumed), ``update(dt)`` and ``draw(surface)``. The manager keeps a stack: one base scene
(the viewer, or the game's current screen) with overlays such as the help pushed over it.
Overlays see events first and are drawn over the widgets; base scenes are drawn under them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import pygame

from viz import theme


class Scene:
    """The protocol every scene follows; ``overlay`` scenes lie over the widgets."""

    overlay = False

    def enter(self) -> None:
        pass

    def exit(self) -> None:
        pass

    def handle_event(self, event: pygame.event.Event) -> bool:
        return False

    def update(self, dt: float) -> None:
        pass

    def draw(self, surface: pygame.Surface) -> None:
        pass


class SceneManager:
    """A stack of scenes: ``replace`` swaps the base, ``push``/``pop`` add and remove overlays."""

    def __init__(self) -> None:
        self._stack: list[Scene] = []

    def __len__(self) -> int:
        return len(self._stack)

    def __iter__(self) -> Iterator[Scene]:
        return iter(list(self._stack))

    @property
    def base(self) -> Scene | None:
        return self._stack[0] if self._stack else None

    @property
    def top(self) -> Scene | None:
        return self._stack[-1] if self._stack else None

    def overlays(self) -> list[Scene]:
        return self._stack[1:]

    def replace(self, scene: Scene | None) -> None:
        """A new base scene (the old one exits); overlays stay on top."""
        old = self.base
        if old is not None:
            self._stack.pop(0)
            old.exit()
        if scene is not None:
            self._stack.insert(0, scene)
            scene.enter()

    def push(self, scene: Scene) -> None:
        self._stack.append(scene)
        scene.enter()

    def pop(self, scene: Scene | None = None) -> Scene | None:
        """Remove ``scene`` (default: the top overlay); the base scene is never popped."""
        scene = scene or self.top
        if scene is None or scene is self.base or scene not in self._stack:
            return None
        self._stack.remove(scene)
        scene.exit()
        return scene

    def has(self, kind: type) -> bool:
        return any(isinstance(s, kind) for s in self._stack)

    def handle_overlay_event(self, event) -> bool:
        """Overlays first, top down: an open help swallows the key that closes it."""
        return any(scene.handle_event(event) for scene in reversed(self.overlays()))

    def handle_event(self, event) -> bool:
        base = self.base
        return base is not None and base.handle_event(event)

    def update(self, dt: float) -> None:
        for scene in list(self._stack):
            scene.update(dt)

    def draw(self, surface: pygame.Surface, widgets: Callable[[pygame.Surface], None]) -> None:
        """The base scene, then the widgets, then the overlays."""
        if self.base is not None:
            self.base.draw(surface)
        widgets(surface)
        for scene in self.overlays():
            scene.draw(surface)


class HelpOverlay(Scene):
    """The window's keys over a dimmed screen, at the largest text that fits; any key or click
    closes it (and does nothing else)."""

    overlay = True

    def __init__(self, app, keys: Sequence[tuple[str, str]], note: str):
        self.app, self.keys, self.note = app, tuple(keys), note

    def handle_event(self, event) -> bool:
        if event.type in (pygame.KEYDOWN, pygame.MOUSEBUTTONDOWN):
            self.app.scenes.pop(self)
            return True
        return event.type in (pygame.KEYUP, pygame.MOUSEBUTTONUP, pygame.MOUSEMOTION)

    def fit(self, size: tuple[int, int]) -> tuple[int, int, int, pygame.Rect]:
        """The largest text size (base, key column width, line height, box) that fits."""
        typo = self.app.typo
        for base in (14, 13, 12, 11, 10, 9, 8, 7):
            lh = typo.line_height(base) + (4 if base >= 12 else 1)
            key_w = max(typo.font(base, True).size(k)[0] for k, _ in self.keys) + 16
            what_w = max(typo.font(base).size(w)[0] for _, w in self.keys)
            note_w = typo.font(max(8, base - 3)).size(self.note)[0]
            width = 40 + max(key_w + what_w, note_w)
            height = (
                28
                + typo.line_height(base + 2)
                + 6
                + lh * len(self.keys)
                + typo.line_height(max(8, base - 3))
                + 4
            )
            if width <= size[0] - 16 and height <= size[1] - 16:
                break
        box = pygame.Rect(0, 0, width, height)
        box.center = (size[0] // 2, size[1] // 2)
        return base, key_w, lh, box

    def draw(self, surface) -> None:
        typo = self.app.typo
        shade = pygame.Surface(surface.get_size(), pygame.SRCALPHA)
        shade.fill((10, 12, 15, 215))
        surface.blit(shade, (0, 0))
        base, key_w, lh, box = self.fit(surface.get_size())
        pygame.draw.rect(surface, theme.PANEL, box, border_radius=8)
        pygame.draw.rect(surface, theme.PANEL_EDGE, box, 1, border_radius=8)
        y = box.top + 14
        typo.blit(surface, "Keys", base + 2, theme.TEXT, (box.left + 20, y), box, bold=True)
        y += typo.line_height(base + 2) + 6
        for key, what in self.keys:
            if key:
                typo.blit(surface, key, base, theme.SKY, (box.left + 20, y), box, bold=True)
            typo.blit(surface, what, base, theme.TEXT, (box.left + 20 + key_w, y), box)
            y += lh
        typo.blit(surface, self.note, max(8, base - 3), theme.MUTED, (box.left + 20, y + 4), box)
