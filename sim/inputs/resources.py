"""Where durand's shipped files are: scenarios, lesson packs and bot doctrines.

They are package data (``sim/scenarios``, ``sim/lessons``, ``sim/game/doctrines`` in an
installed wheel) read through ``importlib.resources``, so durand works from any folder.
In the checkout, scenarios/ and docs/lessons/ stay where people look for them; pyproject
maps them into the package, and an editable install (which cannot map a data-only folder
into a regular package) finds them beside the package instead.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from sim.inputs.errors import DurandError

# Shipped folder name -> where it lives in the checkout (relative to the repository root).
CHECKOUT = {"scenarios": "scenarios", "lessons": "docs/lessons"}


def _folder(name: str) -> Path:
    packaged = Path(str(files("sim") / name))
    if packaged.is_dir():
        return packaged
    checkout = packaged.parent.parent / CHECKOUT[name]  # an editable install
    if checkout.is_dir():
        return checkout
    raise DurandError(f"durand's shipped {name} are missing from {packaged}; reinstall durand")


def scenarios_folder() -> Path:
    """The shipped scenarios (read-only in an installation: see ``durand scenarios --copy``)."""
    return _folder("scenarios")


def lessons_folder() -> Path:
    """The shipped lesson packs, one folder each."""
    return _folder("lessons")


def doctrines_folder() -> Path:
    """The shipped bot doctrines, one YAML file per role."""
    return Path(str(files("sim.game") / "doctrines"))


def shipped_scenario(name: str) -> Path | None:
    """The shipped scenario called ``name`` ("baseline" or "baseline.yaml"), or None.
    Only a bare name qualifies: anything with a folder in it is a path."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        return None
    stem = name[:-5] if name.endswith(".yaml") else name
    path = scenarios_folder() / f"{stem}.yaml"
    return path if path.is_file() else None


def stored_form(path: Path) -> str | None:
    """A shipped file's path as the checkout spells it (``scenarios/x.yaml``,
    ``docs/lessons/y/scenario.yaml``), so saves open in any clone or installation;
    None for a file that is not shipped."""
    path = path.resolve()
    for name, rel in CHECKOUT.items():
        root = _folder(name).resolve()
        if path.is_relative_to(root):
            return f"{rel}/{path.relative_to(root).as_posix()}"
    return None


def from_stored_form(stored: str) -> Path | None:
    """The file a ``stored_form`` path names in this installation, or None."""
    for name, rel in CHECKOUT.items():
        if stored.startswith(rel + "/"):
            return _folder(name) / stored[len(rel) + 1 :]
    return None
