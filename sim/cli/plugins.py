"""Front ends that plug into sim without sim importing them.

``sim`` is the model and its command line; the pygame viewer and game window live in
``viz``, which depends on ``sim`` and never the other way round. ``viz`` declares its
commands and windows as entry points (pyproject.toml), and the command line finds them
here at run time, so ``sim`` still works, with a clear message, where ``viz`` is absent.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import entry_points

from sim.inputs.errors import UsageError

COMMANDS = "durand.commands"  # name -> a typer command function
WINDOWS = "durand.windows"  # name -> a function that opens a window


def commands() -> dict[str, Callable]:
    """Extra CLI commands by name (loading them imports only their thin command module)."""
    return {ep.name: ep.load() for ep in entry_points(group=COMMANDS)}


def register(app) -> None:
    """Add the commands other packages declare (the viewer's ``view``) to ``app``."""
    for name, command in commands().items():
        app.command(name=name)(command)


def window(name: str, fallback: str) -> Callable:
    """The function that opens the named window; ``fallback`` says what to do without it."""
    found = [ep for ep in entry_points(group=WINDOWS) if ep.name == name]
    if not found:
        raise UsageError(f"no window front end is installed for {name!r}; {fallback}")
    try:
        return found[0].load()
    except ImportError as exc:
        raise UsageError(f"the {name} window cannot start ({exc}); {fallback}") from None
