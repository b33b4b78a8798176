"""The regions of the model as a small graph, with the Durand Line border."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

from sim.inputs.yamlio import load_packaged


@dataclass(frozen=True)
class Region:
    id: str
    name: str
    country: str
    x: float
    y: float


@dataclass(frozen=True)
class Geography:
    regions: tuple[Region, ...]
    adjacent: tuple[tuple[str, str], ...]
    durand_line: tuple[tuple[str, str], ...]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(r.id for r in self.regions)

    def index(self, region_id: str) -> int:
        return self.ids.index(region_id)

    def in_country(self, country: str) -> np.ndarray:
        """Boolean mask over regions."""
        return np.array([r.country == country for r in self.regions])

    def on_border(self) -> np.ndarray:
        """Regions touching the Durand Line (boolean mask)."""
        touching = {rid for pair in self.durand_line for rid in pair}
        return np.array([r.id in touching for r in self.regions])

    def neighbours(self, region_id: str) -> list[str]:
        out = []
        for a, b in self.adjacent + self.durand_line:
            if region_id in (a, b):
                out.append(b if a == region_id else a)
        return out


@cache
def geography() -> Geography:
    text = resources.files("sim").joinpath("data/geography.yaml").read_text(encoding="utf-8")
    raw = load_packaged(text)
    regions = tuple(Region(**r) for r in raw["regions"])
    ids = {r.id for r in regions}
    pairs = [tuple(p) for p in raw["adjacent"] + raw["durand_line"]]
    unknown = {rid for p in pairs for rid in p} - ids
    if unknown:
        raise ValueError(f"geography.yaml names unknown regions: {sorted(unknown)}")
    return Geography(
        regions=regions,
        adjacent=tuple(tuple(p) for p in raw["adjacent"]),
        durand_line=tuple(tuple(p) for p in raw["durand_line"]),
    )


@cache
def actors() -> dict:
    """Names and sanctuary hosts of the actors (sim/data/actors.yaml)."""
    text = resources.files("sim").joinpath("data/actors.yaml").read_text(encoding="utf-8")
    return load_packaged(text)


REGIONS = geography().ids
