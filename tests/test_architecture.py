"""The layers of sim/ as code: imports only point down, and no package imports another
that imports it back (lazy imports inside functions count too).

    sim (constants) <- sim.inputs <- sim.model <- sim.run
        <- sim.analysis | sim.sweep | sim.game (which never import each other) <- sim.cli
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYERS = {
    "sim": 0,
    "sim.inputs": 1,
    "sim.model": 2,
    "sim.run": 3,
    "sim.analysis": 4,
    "sim.sweep": 4,
    "sim.game": 4,
    "sim.cli": 5,
}


def package_of(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 and ".".join(parts[:2]) in LAYERS else "sim"


def sim_imports() -> dict[tuple[str, str], list[str]]:
    """(importing package, imported package) -> where, for every import of sim code."""
    edges: dict[tuple[str, str], list[str]] = {}
    for path in sorted((ROOT / "sim").rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        module = ".".join(rel.parts[:-1] if rel.name == "__init__" else rel.parts)
        here = package_of(module)
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                continue
            for target in targets:
                if target == "sim" or target.startswith("sim."):
                    there = package_of(target)
                    if there != here:
                        edges.setdefault((here, there), []).append(f"{rel}.py:{node.lineno}")
    return edges


def test_every_package_is_a_known_layer():
    packages = {
        ".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "sim").rglob("__init__.py")
    }
    assert packages <= set(LAYERS), packages - set(LAYERS)


def test_imports_only_point_down_the_layers():
    upward = {
        f"{a} -> {b}": where[:3]
        for (a, b), where in sim_imports().items()
        if LAYERS[b] >= LAYERS[a] and b != "sim"
    }
    assert upward == {}, f"imports that point up or sideways: {upward}"


def test_no_package_imports_one_that_imports_it_back():
    edges = sim_imports()
    graph: dict[str, set[str]] = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in graph.get(start, ()):
            if nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})):
                return True
        return False

    cycles = sorted(a for a in graph if reaches(a, a, {a}))
    assert cycles == [], f"packages in an import cycle: {cycles}"


def test_every_python_package_ships_in_the_wheel():
    """pyproject lists packages explicitly (scenarios/ and docs/lessons/ are mapped in):
    a new subpackage must be listed there too, or installs would lack it."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    on_disk = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for top in ("sim", "viz")
        for p in (ROOT / top).rglob("__init__.py")
    }
    assert on_disk <= set(config["packages"]), on_disk - set(config["packages"])
    for package, folder in config["package-dir"].items():
        assert (ROOT / folder).is_dir() and package in config["packages"]
