"""Small array helpers whose exact arithmetic the model relies on."""

from __future__ import annotations

import contextlib
import mmap
import sys

import numpy as np

from sim.model import kernels

_MADV_POPULATE_WRITE = 23  # Linux 5.14+: map every page of a range in one call
_PREFAULT_FROM = 1 << 24  # bytes; smaller buffers fault in quickly enough


def weighted_sum(a: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """(R, K) x (K, M) -> (R, M) for real-valued ``a``, summed over K in a fixed order.

    A BLAS product may round differently for one row than for many, which would make a
    replicate run alone differ in the last bit from the same replicate in a batch. This
    sums over K the same way whatever R is. (Products of whole-number counts are exact,
    so they use ``@``.)
    """
    out = np.empty((a.shape[0], weights.shape[1]))
    kernels.weighted_sum(
        np.ascontiguousarray(a, dtype=np.float64),
        np.ascontiguousarray(weights, dtype=np.float64),
        out,
    )
    return out


def repeat_rows(a, n: int) -> np.ndarray:
    """A fresh (n, *a.shape) array with ``a`` in every row (np.broadcast_to(...).copy()
    costs several times more at R=1)."""
    a = np.asarray(a, dtype=np.float64)
    out = np.empty((n,) + a.shape)
    out[...] = a
    return out


def clip(x, low: float, high: float) -> np.ndarray:
    """np.clip without its Python wrapper (which costs more than the work at R=1)."""
    return np.minimum(np.maximum(x, low), high)


def shared_zeros(shape: tuple[int, ...], dtype) -> np.ndarray:
    """Zeros in anonymous shared memory: processes forked after this write into it and
    the parent sees their writes (no copying back). Pages are mapped as they are written."""
    dtype = np.dtype(dtype)
    nbytes = max(int(np.prod(shape)) * dtype.itemsize, 1)
    buffer = mmap.mmap(-1, nbytes, flags=mmap.MAP_SHARED | mmap.MAP_ANONYMOUS)
    return np.frombuffer(buffer, dtype=dtype, count=int(np.prod(shape))).reshape(shape)


def zeros_prefaulted(shape: tuple[int, ...], dtype) -> np.ndarray:
    """Like np.zeros, but with every page mapped up front where Linux allows it.

    Writing a fresh buffer faults its pages in one by one; on some virtual machines that
    costs ~10 us a page, so recording a 10,000-replicate, 120-month run (340 MB) spent a
    second in page faults. Populating the mapping in one call takes a tenth of that.
    Anywhere this is unsupported it is plain np.zeros.
    """
    dtype = np.dtype(dtype)
    nbytes = int(np.prod(shape)) * dtype.itemsize
    if nbytes < _PREFAULT_FROM or not sys.platform.startswith("linux"):
        return np.zeros(shape, dtype)
    try:
        buffer = mmap.mmap(-1, nbytes, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    except (OSError, ValueError, AttributeError):
        return np.zeros(shape, dtype)
    # On an older kernel this fails and pages fault in on first write, as with np.zeros.
    with contextlib.suppress(OSError, ValueError, AttributeError):
        buffer.madvise(_MADV_POPULATE_WRITE)
    return np.frombuffer(buffer, dtype=dtype).reshape(shape)
