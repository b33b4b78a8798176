"""The real map: Afghanistan and Pakistan from Natural Earth (viz/data/afpak_map.json),
the model's nine regions as their provinces, projected onto a pane.

The projection is equirectangular with longitudes shrunk by cos(mid-latitude), which keeps
shapes true enough at this size (the map spans 15 degrees of latitude) and needs no library.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

MAX_BYTES = 2_000_000  # the shipped file is about 78 KB

Ring = np.ndarray  # (k, 2) lon, lat


@dataclass(frozen=True)
class Atlas:
    """Lon/lat outlines, every region listed in the model's region order."""

    ids: tuple[str, ...]
    regions: tuple[tuple[Ring, ...], ...]  # outer rings of each region's parts
    labels: np.ndarray  # (N, 2) a point well inside each region's largest part
    other: tuple[Ring, ...]  # Gilgit-Baltistan and Azad Kashmir: drawn grey
    countries: dict[str, tuple[Ring, ...]]
    durand_line: Ring
    bbox: tuple[float, float, float, float]  # lon_min, lat_min, lon_max, lat_max
    credit: str


def _outer_rings(polygons) -> tuple[Ring, ...]:
    return tuple(np.asarray(polygon[0], dtype=np.float64) for polygon in polygons)


@cache
def atlas() -> Atlas:
    """The shipped map, its regions ordered as sim's geography orders them."""
    from sim.model.geography import geography

    source = resources.files("viz").joinpath("data", "afpak_map.json")
    raw = source.read_bytes()
    if len(raw) > MAX_BYTES:  # package data, but a reader is bounded all the same
        raise ValueError(f"viz/data/afpak_map.json is larger than {MAX_BYTES} bytes")
    data = json.loads(raw)
    ids = geography().ids
    return Atlas(
        ids=ids,
        regions=tuple(_outer_rings(data["regions"][rid]["polygons"]) for rid in ids),
        labels=np.array([data["labels"][rid] for rid in ids], dtype=np.float64),
        other=tuple(r for area in data["other"] for r in _outer_rings(area["polygons"])),
        countries={k: _outer_rings(v) for k, v in data["countries"].items()},
        durand_line=np.asarray(data["durand_line"], dtype=np.float64),
        bbox=tuple(data["bbox"]),
        credit=data["source"]["citation"],
    )


class Projection:
    """Lon/lat to pane pixels: the atlas' box fitted (aspect kept) and centred in ``size``."""

    def __init__(self, size: tuple[int, int], bbox, margin: int = 4):
        lon0, lat0, lon1, lat1 = bbox
        self.k = math.cos(math.radians((lat0 + lat1) / 2))
        self.lon0, self.lat1 = lon0, lat1
        w, h = size
        span_x, span_y = (lon1 - lon0) * self.k, lat1 - lat0
        self.scale = max(1e-6, min((w - 2 * margin) / span_x, (h - 2 * margin) / span_y))
        self.ox = (w - span_x * self.scale) / 2
        self.oy = (h - span_y * self.scale) / 2

    @property
    def px_per_degree(self) -> float:
        """Pixels per degree of latitude."""
        return self.scale

    def __call__(self, lonlat) -> np.ndarray:
        """(k, 2) lon/lat to (k, 2) float pixels."""
        p = np.asarray(lonlat, dtype=np.float64)
        x = self.ox + (p[..., 0] - self.lon0) * self.k * self.scale
        y = self.oy + (self.lat1 - p[..., 1]) * self.scale
        return np.stack([x, y], axis=-1)

    def point(self, lon: float, lat: float) -> tuple[int, int]:
        """One point, in plain arithmetic (labels ask for a few every frame)."""
        x = self.ox + (lon - self.lon0) * self.k * self.scale
        y = self.oy + (self.lat1 - lat) * self.scale
        return int(round(x)), int(round(y))


def pixel_ring(projection: Projection, ring: Ring) -> list[tuple[int, int]]:
    """A ring in whole pixels, repeated points dropped (small panes need few)."""
    pts = np.rint(projection(ring)).astype(np.int32)
    keep = np.ones(len(pts), dtype=bool)
    keep[1:] = (pts[1:] != pts[:-1]).any(axis=1)
    return [(int(x), int(y)) for x, y in pts[keep]]
