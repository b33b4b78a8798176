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

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_S30, _S27, _S31, _S12 = (np.uint64(s) for s in (30, 27, 31, 12))
# 52-bit uniforms centred in their bins: (k + 0.5) / 2**52 lies in [2**-53, 1 - 2**-53],
# exactly representable, so a draw is never 0 or 1 (53 bits would round the top bin to 1).
_TO_UNIT = 2.0**-52
MAX_CELLS = 1 << 16  # cells per stream and step
POISSON_EXACT_BELOW = 5.0
POISSON_MAX_SMALL = 40  # CDF terms searched for lam < 5; a count is at most 41 (P < 1e-25)
TABLE_CELLS = 4096  # below this many table cells, small draws use the CDF table
SMALL_BATCH = 64  # draws at or below which both inversions are computed and one kept


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
        flat = lam.reshape(lam.shape[0], -1)
        # Work cell by cell, (cells, R): most cells lie wholly on one side of the
        # exact/approximate boundary, so each contiguous row goes to one method at once.
        u_rows = self._uniform_rows(name, step, flat.shape[1], slots)
        counts = _poisson_rows(u_rows, np.ascontiguousarray(flat.T))
        return counts.T.reshape(lam.shape)

    def _uniform_rows(
        self, name: str, step: int, cells: int, slots: np.ndarray | None
    ) -> np.ndarray:
        """``uniform(...).T`` computed directly in (cells, R) order (same numbers)."""
        step_offset = np.uint64((step * MAX_CELLS * int(_GOLDEN)) % 2**64)
        z = mix64((_offsets(cells, slots) + step_offset)[:, None] + self._base(name)[:, 0])
        return ((z >> _S12).astype(np.float64) + 0.5) * _TO_UNIT


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


def _poisson_rows(u: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """``poisson_inverse`` for (cells, R) arrays, routing whole rows where it can.

    Every element still gets the method its own mean calls for, so the counts are
    exactly those of ``poisson_inverse``.
    """
    if u.size <= SMALL_BATCH:
        return _poisson_both(u, lam)
    out = np.zeros(u.shape, dtype=np.int64)
    lo, hi = lam.min(axis=1), lam.max(axis=1)
    big = np.flatnonzero(lo >= POISSON_EXACT_BELOW)
    if big.size:
        out[big] = _poisson_cornish_fisher(u[big], lam[big])
    small = np.flatnonzero((hi < POISSON_EXACT_BELOW) & (hi > 0))
    if small.size:
        uu, ll = u[small].ravel(), lam[small].ravel()
        search = _poisson_table if uu.size * POISSON_MAX_SMALL <= TABLE_CELLS else _poisson_search
        out[small] = search(uu, ll).reshape(small.size, -1)
    if big.size + small.size < len(lo):
        mixed = np.flatnonzero((lo < POISSON_EXACT_BELOW) & (hi >= POISSON_EXACT_BELOW))
        if mixed.size:
            out[mixed] = poisson_inverse(u[mixed], lam[mixed])
    return out


def _poisson_both(u: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """For a few draws: compute both inversions everywhere and keep the one each mean calls
    for. Fewer numpy calls than routing, and exactly the same counts."""
    big = lam >= POISSON_EXACT_BELOW
    approx = _poisson_cornish_fisher(u, np.maximum(lam, POISSON_EXACT_BELOW))
    exact = _poisson_table(u.ravel(), np.minimum(lam, POISSON_EXACT_BELOW).ravel())
    return np.where(big, approx, exact.reshape(u.shape))


def poisson_inverse(u: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """The Poisson(lam) quantile at u: exact below POISSON_EXACT_BELOW, else Cornish-Fisher.

    Small means use sequential search of the CDF (exact). Large means use the
    Cornish-Fisher expansion of the Poisson quantile to order 1/lam with a continuity
    correction, whose distribution is within a total-variation distance of 0.005 of
    the exact Poisson for lam >= 5 (tests/test_rng.py measures it).
    """
    u = np.asarray(u, dtype=np.float64)
    lam = np.broadcast_to(np.asarray(lam, dtype=np.float64), u.shape)
    shape = u.shape
    u, lam = u.ravel(), lam.ravel()
    out = np.zeros(u.size, dtype=np.int64)
    small = lam < POISSON_EXACT_BELOW
    idx = np.flatnonzero(small & (lam > 0))
    if idx.size:
        search = _poisson_table if idx.size * POISSON_MAX_SMALL <= TABLE_CELLS else _poisson_search
        out.put(idx, search(u.take(idx), lam.take(idx)))
    idx = np.flatnonzero(~small)
    if idx.size:
        out.put(idx, _poisson_cornish_fisher(u.take(idx), lam.take(idx)))
    return out.reshape(shape)


def _poisson_search(u: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """Sequential search of the CDF: k counts the CDF values still below u.

    The arrays are compacted only when half the draws are decided, so most iterations are
    a few whole-array operations with no fancy indexing.
    """
    k = np.zeros(u.shape, dtype=np.int64)
    p = np.exp(-lam)
    cdf = p.copy()
    idx = np.flatnonzero(u > cdf)
    u, lam, p, cdf = u[idx], lam[idx], p[idx], cdf[idx]
    steps = np.ones(idx.size, dtype=np.int64)
    n = 1
    while idx.size:
        p *= lam / n
        cdf += p
        above = u > cdf
        steps += above
        n += 1
        live = np.count_nonzero(above)
        if n > POISSON_MAX_SMALL:
            k[idx] = steps
            break
        if live * 2 <= idx.size:
            k[idx] = steps  # final for the decided ones; the rest are overwritten later
            keep = np.flatnonzero(above)
            idx, u, lam, p, cdf, steps = (a.take(keep) for a in (idx, u, lam, p, cdf, steps))
    return k


def _poisson_table(u: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """The same inversion as ``_poisson_search`` for a few draws at once.

    It performs the same floating-point operations in the same order (cumprod and cumsum
    run left to right), so it returns exactly the same counts: batch size, which picks
    the path, never changes a result.
    """
    factors = lam[:, None] / np.arange(1, POISSON_MAX_SMALL + 1)
    p = np.cumprod(np.concatenate([np.exp(-lam)[:, None], factors], axis=1), axis=1)
    cdf = np.cumsum(p, axis=1)
    return np.count_nonzero(u[:, None] > cdf, axis=1)


def _poisson_cornish_fisher(u: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """Cornish-Fisher quantile with continuity correction.

    x = lam + z sqrt(lam) + (z^2 - 1)/6 + [(z^3 - 3z)/24 - (2z^3 - 5z)/36] / sqrt(lam),
    where the bracket simplifies to z (1 - z^2) / 72.
    """
    z = ndtri(u)
    s = np.sqrt(lam)
    z2 = z * z
    x = lam + s * z + (z2 - 1.0) / 6.0 + z * (1.0 - z2) / (72.0 * s)
    return np.maximum(np.ceil(x - 0.5), 0).astype(np.int64)
