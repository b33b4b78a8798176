"""One limit per quantity, for every command and library entry point (run, view, play,
sweep, compare, the game): what a scenario file, a flag or a function argument may ask for.

Library code raises ``OptionError`` in domain terms ("replicates must be ..."); the CLI
alone words it as a flag ("--replicates must be ...") through ``DurandError.worded``.
"""

from __future__ import annotations

from sim.inputs.errors import UsageError

MAX_MONTHS = 600  # 50 years: far beyond what the model's parameters speak to
MAX_REPLICATES = 100_000  # about 3.4 GB of results at 120 months (71 float32 metrics)
MAX_SEED = 2**63 - 1  # seeds are signed 64-bit integers in manifests and saves
MAX_CORES = 256
MAX_TURNS = MAX_MONTHS // 3  # a game turn is a quarter (sim/game/rules.py MONTHS_PER_TURN)
MIN_SPEED, MAX_SPEED = 0.25, 16.0  # the viewer's playback speeds (viz/playback.py SPEEDS)

LIMITS: dict[str, tuple[int, int]] = {
    "months": (1, MAX_MONTHS),
    "replicates": (1, MAX_REPLICATES),
    "seed": (0, MAX_SEED),
    "cores": (1, MAX_CORES),
    "turns": (1, MAX_TURNS),
}


class OptionError(UsageError):
    """A value given for a named setting is not allowed (exit 2): "replicates must be ...",
    which the CLI words "--replicates must be ...". ``option`` is the setting's name
    (a flag's dashes or a keyword's underscores)."""

    def __init__(self, option: str, problem: str):
        self.option = option.replace("-", "_")
        self.problem = problem
        super().__init__(f"{{{self.option}}} {problem}", settings={self.option: None})
        self.args = (option, problem)  # as the constructor takes them (pickling)


def check_between(option: str, value: int | None, low: int, high: int) -> None:
    """Raise OptionError if ``value`` (None: not given) is outside [low, high]: for a
    setting one command alone has (a class's tables, a port)."""
    if value is not None and not low <= value <= high:
        raise OptionError(option, f"must be between {low:,} and {high:,}, got {value:,}")


def check(quantity: str, value: int | None) -> None:
    """Raise OptionError if ``value`` (None: not given) is outside the quantity's limit."""
    low, high = LIMITS[quantity]
    if value is not None and not low <= value <= high:
        raise OptionError(quantity, f"must be between {low:,} and {high:,}, got {value:,}")
