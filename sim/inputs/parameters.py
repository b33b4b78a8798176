"""The parameter registry: every numeric default, with unit, range and provenance.

Defaults live in ``sim/data/parameters.yaml``; code never carries a magic number. A
scenario's ``parameters:`` and ``levers:`` sections are validated against this registry.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import Any

from sim.inputs.yamlio import load_packaged

SPEND_UNIT = "USD million per year"


@dataclass(frozen=True)
class Quote:
    seed: str
    quote: str
    about: tuple[str, ...] = ()  # actors or groups the sentence is about (empty: all)


@dataclass(frozen=True)
class Plausible:
    """What we do not know about an assumed number: the range of values we find plausible.

    A scalar gives ``low``/``high``. A table gives ``scale`` (every number multiplied by one
    factor in [a, b], clipped to the entry's admissible range) or, for tables whose rows sum
    to one, ``toward`` (an alternative table: the plausible tables are the blends between the
    default and it). ``reason`` says why this range.
    """

    reason: str
    low: float | None = None
    high: float | None = None
    scale: tuple[float, float] | None = None
    toward: dict | None = None


@dataclass(frozen=True)
class ParamSpec:
    """One parameter (a scalar or a table keyed by actor/region ids) and its evidence."""

    path: str
    value: Any
    unit: str
    low: float | None
    high: float | None
    sources: tuple[Quote, ...]
    assumption: str | None
    alternatives: str | None
    plausible: Plausible | None = None

    @property
    def is_assumption(self) -> bool:
        return self.assumption is not None

    @property
    def is_spending(self) -> bool:
        return self.unit.startswith(SPEND_UNIT)

    def sources_about(self, actor: str | None) -> tuple[Quote, ...]:
        """The quotes that speak to ``actor`` (those tagged with it or with no tag)."""
        if actor is None:
            return self.sources
        return tuple(q for q in self.sources if not q.about or actor in q.about)

    @property
    def kind(self) -> str:
        """Where the number comes from: 'document', 'public data' or 'assumption'."""
        if self.assumption:
            return "assumption"
        if any(not q.seed.endswith(".txt") for q in self.sources):
            return "public data"
        return "document"


def _plausible(raw: dict | None) -> Plausible | None:
    if raw is None:
        return None
    scale = raw.get("scale")
    return Plausible(
        reason=raw["reason"],
        low=raw.get("low"),
        high=raw.get("high"),
        scale=tuple(scale) if scale is not None else None,
        toward=raw.get("toward"),
    )


def _spec(path: str, entry: dict) -> ParamSpec:
    raw = entry.get("source") or []
    quotes = tuple(
        Quote(q["seed"], q["quote"], tuple(q.get("about", ())))
        for q in (raw if isinstance(raw, list) else [raw])
    )
    low, high = entry.get("range", [None, None])
    if not quotes and "assumption" not in entry:
        raise ValueError(f"parameter {path} has neither a source nor an assumption")
    return ParamSpec(
        path=path,
        value=entry["value"],
        unit=entry["unit"],
        low=low,
        high=high,
        sources=quotes,
        assumption=entry.get("assumption"),
        alternatives=entry.get("alternatives"),
        plausible=_plausible(entry.get("plausible")),
    )


def _walk(node: dict, prefix: str, out: dict[str, ParamSpec]) -> None:
    for key, child in node.items():
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(child, dict) and "value" in child:
            out[path] = _spec(path, child)
        else:
            _walk(child, path, out)


CALIBRATED = "data/calibrated.yaml"  # fitted values, written by `durand calibrate`


@cache
def registry() -> dict[str, ParamSpec]:
    """All parameter specs by dotted path (lever defaults under ``levers.<STATE>.<name>``).

    Fitted values in ``sim/data/calibrated.yaml`` (same tree shape, fitted leaves only)
    replace the defaults, so the history, the baseline and every scenario run on one
    parameter set; parameters.yaml itself is never rewritten.
    """
    text = resources.files("sim").joinpath("data/parameters.yaml").read_text(encoding="utf-8")
    out: dict[str, ParamSpec] = {}
    _walk(load_packaged(text), "", out)
    fitted = resources.files("sim").joinpath(CALIBRATED)
    if fitted.is_file():
        _overlay(load_packaged(fitted.read_text(encoding="utf-8")) or {}, "", out)
    return out


def _overlay(node: dict, prefix: str, out: dict[str, ParamSpec]) -> None:
    """Replace registry values by fitted ones (a table's fitted entries merge into it)."""
    for key, child in node.items():
        path = f"{prefix}.{key}" if prefix else key
        if path in out:
            spec = out[path]
            value = {**spec.value, **child} if isinstance(child, dict) else child
            out[path] = replace(spec, value=value)
        elif isinstance(child, dict):
            _overlay(child, path, out)
        else:
            raise ValueError(f"{CALIBRATED}: {path} is not a parameter")


def default_tree(section: str | None = None) -> dict[str, Any]:
    """Defaults as a nested dict of plain values (a fresh copy, safe to mutate)."""
    tree: dict[str, Any] = {}
    for path, spec in registry().items():
        parts = path.split(".")
        node = tree
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = copy.deepcopy(spec.value)
    return tree if section is None else tree[section]


def iter_numbers(value: Any, prefix: tuple[str, ...] = ()):
    """Yield (sub-path, number) for every number in a scalar or nested table value."""
    if isinstance(value, dict):
        for key, sub in value.items():
            yield from iter_numbers(sub, prefix + (key,))
    else:
        yield prefix, value
