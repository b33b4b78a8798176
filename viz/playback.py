"""The playback clock: simulated months advance with wall time, not with frames.

``position`` is a float in months (month index + phase within the month); the frame rate
only decides how often it is sampled, so animations run at the same pace at 30 or 300 fps.
"""

from __future__ import annotations

from dataclasses import dataclass

SPEEDS = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0)
MONTHS_PER_SECOND_AT_1X = 1.0


@dataclass
class Playback:
    months: int
    position: float = 0.0
    playing: bool = False
    speed: float = 1.0  # any value in SPEEDS' range; - and + step between SPEEDS

    @property
    def month(self) -> int:
        """The month whose results are shown (0-based)."""
        return min(self.months - 1, int(self.position))

    @property
    def phase(self) -> float:
        """How far into the shown month the animation is, 0..1."""
        return self.position - int(self.position)

    @property
    def at_end(self) -> bool:
        return self.position >= self.months - 1e-9

    def update(self, dt: float) -> None:
        if not self.playing:
            return
        self.position += max(0.0, dt) * self.speed * MONTHS_PER_SECOND_AT_1X
        if self.position >= self.months:
            self.position = float(self.months) - 1e-6
            self.playing = False

    def toggle(self) -> None:
        if not self.playing and self.at_end:
            self.position = 0.0
        self.playing = not self.playing

    def step(self, months: int = 1) -> None:
        self.playing = False
        self.seek(self.month + months)

    def seek(self, month: float) -> None:
        """Jump to the start of a month (clamped to the run)."""
        self.position = float(min(max(0.0, month), self.months - 1))

    def faster(self) -> None:
        self.speed = min([s for s in SPEEDS if s > self.speed + 1e-9] or [SPEEDS[-1]])

    def slower(self) -> None:
        self.speed = max([s for s in SPEEDS if s < self.speed - 1e-9] or [SPEEDS[0]])

    def set_speed(self, speed: float) -> None:
        """Play at exactly ``speed`` (a --speed of 3 plays at 3x, not a rounded step)."""
        if not SPEEDS[0] <= speed <= SPEEDS[-1]:
            raise ValueError(f"speed must be between {SPEEDS[0]:g} and {SPEEDS[-1]:g}")
        self.speed = float(speed)
