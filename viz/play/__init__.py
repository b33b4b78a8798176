"""``durand play`` in a window: pygame-ce scenes over the game engine (sim.game)."""

from viz.play.app import PlayApp, run_pygame

__all__ = ["PlayApp", "run_pygame"]
