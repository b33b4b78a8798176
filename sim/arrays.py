"""Small array helpers whose exact arithmetic the model relies on."""

from __future__ import annotations

import numpy as np


def weighted_sum(a: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """(R, K) x (K, M) -> (R, M) for real-valued ``a``, summed in a fixed order.

    A BLAS product may round differently for one row than for many, which would make a
    replicate run alone differ in the last bit from the same replicate in a batch. This
    sums over K the same way whatever R is. (Products of whole-number counts are exact,
    so they use ``@``.)
    """
    if a.shape[0] < _ACCUMULATE_FROM:
        return (a[:, :, None] * weights[None, :, :]).sum(axis=1)
    # Large batches: the same sequential sum, accumulated in place without the (R, K, M)
    # temporary. tests/test_model_determinism.py checks that both paths agree bit for bit.
    out = a[:, 0:1] * weights[0]
    for k in range(1, a.shape[1]):
        out += a[:, k : k + 1] * weights[k]
    return out


_ACCUMULATE_FROM = 256  # replicates from which weighted_sum accumulates in place


def clip(x, low: float, high: float) -> np.ndarray:
    """np.clip without its Python wrapper (which costs more than the work at R=1)."""
    return np.minimum(np.maximum(x, low), high)
