"""Counter-based random streams, keyed by (seed, stream, replicate, step, cell).

Why not numpy's Generators: a replicate must draw the same numbers whether it runs alone,
in a batch of any size or in another process, and the same replicate index under two
scenarios must see the same draws (common random numbers). numpy has no generator that is
vectorised over independent keys, so we hash the key with SplitMix64's finaliser (the
counter-based generator behind Java's SplittableRandom and numpy's seeding) and turn the
hash into a uniform. Every draw is a pure function of its key: nothing is carried between
steps, so batching, chunking and process boundaries cannot change a single number.

Counts are drawn by inversion (one uniform per count), so a policy that raises an expected
count raises the drawn count in the same replicate, and paired differences between
scenarios have little noise. (This holds within each of the two inversion regimes below;
where a mean crosses 5 the two quantile functions differ for about 1.5% of uniforms, and
for about 0.7% the count just above 5 is lower than just below.)
"""

from __future__ import annotations

import zlib

import numpy as np
from scipy.special import ndtri

from sim.model import kernels
from sim.model.kernels import POISSON_EXACT_BELOW, POISSON_MAX_SMALL  # noqa: F401 (re-exported)

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_S30, _S27, _S31, _S12 = (np.uint64(s) for s in (30, 27, 31, 12))
# 52-bit uniforms centred in their bins: (k + 0.5) / 2**52 lies in [2**-53, 1 - 2**-53],
# exactly representable, so a draw is never 0 or 1 (53 bits would round the top bin to 1).
_TO_UNIT = 2.0**-52
MAX_CELLS = 1 << 16  # cells per stream and step


def mix64(z: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser: a bijective avalanche on uint64 (wrapping arithmetic)."""
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


def stream_key(seed: int, name: str) -> np.uint64:
    """A 64-bit key for a named stream under a seed."""
    with np.errstate(over="ignore"):
        salt = np.uint64(zlib.crc32(name.encode()))
        return mix64(np.array([np.uint64(seed) ^ (salt * _GOLDEN)], dtype=np.uint64))[0]


class Streams:
    """Uniform, normal and Poisson draws for a set of replicate indices."""

    def __init__(self, seed: int, replicate_ids: np.ndarray):
        self.seed = int(seed)
        self.replicate_ids = np.asarray(replicate_ids, dtype=np.uint64)
        self._bases: dict[str, np.ndarray] = {}

    def _base(self, name: str) -> np.ndarray:
        base = self._bases.get(name)
        if base is None:
            key = stream_key(self.seed, name)
            base = mix64(key + (self.replicate_ids + np.uint64(1)) * _GOLDEN)  # arrays wrap
            self._bases[name] = base[:, None]
        return self._bases[name]

    def uniform(
        self, name: str, step: int, cells: int = 1, slots: np.ndarray | None = None
    ) -> np.ndarray:
        """Uniforms in (0, 1), shape (R, cells), one independent number per key.

        With ``slots``, the columns are those fixed positions of the stream instead of
        0..cells-1, so a column's numbers do not depend on which others are drawn.
        """
        step_offset = np.uint64((step * MAX_CELLS * int(_GOLDEN)) % 2**64)
        z = mix64(self._base(name) + (_offsets(cells, slots) + step_offset))
        return ((z >> _S12).astype(np.float64) + 0.5) * _TO_UNIT

    def normal(self, name: str, step: int, cells: int = 1) -> np.ndarray:
        return ndtri(self.uniform(name, step, cells))

    def poisson(
        self, name: str, step: int, lam: np.ndarray, slots: np.ndarray | None = None
    ) -> np.ndarray:
        """One Poisson count per element of ``lam`` (shape (R, ...)), by inversion.

        ``slots`` gives each column of a 2-D ``lam`` a fixed position in the stream, so
        a column's draws do not depend on which other columns are present.
        """
        lam = np.asarray(lam, dtype=np.float64)
        flat = np.ascontiguousarray(lam.reshape(lam.shape[0], -1))
        base, offsets = self.keys(name, step, flat.shape[1], slots)
        out = np.empty(flat.shape, dtype=np.int64)
        kernels.poisson_stream(base, offsets, flat, out)
        return out.reshape(lam.shape)

    def keys(
        self, name: str, step: int, cells: int, slots: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """The stream's keys as base (R,) + offset (cells,), for compiled kernels that
        hash them themselves: ``uniform`` is ``unit(mix64(base[r] + offset[c]))``."""
        step_offset = np.uint64((step * MAX_CELLS * int(_GOLDEN)) % 2**64)
        return self._base(name)[:, 0], _offsets(cells, slots) + step_offset


_OFFSETS: dict[int | bytes, np.ndarray] = {}


def _offsets(cells: int, slots: np.ndarray | None) -> np.ndarray:
    """(position + 1) * golden for each column, cached: the per-call cost matters at R=1."""
    key = cells if slots is None else slots.tobytes()
    out = _OFFSETS.get(key)
    if out is None:
        positions = np.arange(cells) if slots is None else np.asarray(slots)
        if positions.size and positions.max() >= MAX_CELLS:
            raise ValueError(f"at most {MAX_CELLS} cells per stream and step")
        out = (positions.astype(np.uint64) + np.uint64(1)) * _GOLDEN
        _OFFSETS[key] = out
    return out


def poisson_inverse(u: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """The Poisson(lam) quantile at u, elementwise: exact below POISSON_EXACT_BELOW, else
    Cornish-Fisher (``kernels.poisson_quantile``, the one inversion every draw uses)."""
    u = np.asarray(u, dtype=np.float64)
    lam = np.broadcast_to(np.asarray(lam, dtype=np.float64), u.shape)
    out = np.empty(u.size, dtype=np.int64)
    kernels.poisson_inverse_flat(
        np.ascontiguousarray(u).ravel(), np.ascontiguousarray(lam).ravel(), out
    )
    return out.reshape(u.shape)
