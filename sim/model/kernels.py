"""Compiled inner loops (numba) for the two places where numpy's per-call cost dominates.

Drawing a month's attacks touches every (replicate, cell): hashing the key, inverting the
Poisson CDF and adding the count into the totals by region, group and country. As numpy
expressions that is ~60 whole-array passes a month; here it is one pass, and one call.

Exactness: every kernel does the same floating-point operations, in the same order, for a
replicate whatever else is in the batch (no fast-math, so nothing is reassociated or fused;
loops with early exits are never vectorised, so ``exp`` is always the scalar libm one).
The normal quantile is scipy's own ``ndtri``, linked by name so compiled code is cached.
"""

from __future__ import annotations

import math

import llvmlite.binding as llvm
import numba
import numpy as np
from numba import types
from numba.extending import get_cython_function_address

llvm.add_symbol(
    "durand_ndtri", get_cython_function_address("scipy.special.cython_special", "ndtri")
)
_ndtri = types.ExternalFunction("durand_ndtri", types.float64(types.float64))

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S12 = (np.uint64(s) for s in (30, 27, 31, 12))
_TO_UNIT = 2.0**-52
POISSON_EXACT_BELOW = 5.0
POISSON_MAX_SMALL = 40  # CDF terms searched below the switch; a count is at most 41

_jit = numba.njit(cache=True, nogil=True)


@_jit
def mix64(z):
    """SplitMix64 finaliser on one uint64 (wrapping arithmetic), as ``rng.mix64``."""
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@_jit
def unit(z):
    """A hash to a uniform in (0, 1): 52 bits, centred in their bin."""
    return (np.float64(z >> _S12) + 0.5) * _TO_UNIT


@_jit
def poisson_quantile(u, lam):
    """The Poisson(lam) quantile at u: exact CDF search below 5, Cornish-Fisher above.

    Cornish-Fisher to order 1/lam with a continuity correction is within a total-variation
    distance of 0.005 of the exact Poisson for lam >= 5 (tests/test_rng.py measures it):
    x = lam + z sqrt(lam) + (z^2 - 1)/6 + z (1 - z^2) / (72 sqrt(lam)).
    """
    if lam < POISSON_EXACT_BELOW:
        if not lam > 0.0:
            return 0
        p = math.exp(-lam)
        cdf = p
        k = 0
        while u > cdf:
            k += 1
            if k > POISSON_MAX_SMALL:
                break
            p *= lam / k
            cdf += p
        return k
    z = _ndtri(u)
    s = math.sqrt(lam)
    z2 = z * z
    x = lam + s * z + (z2 - 1.0) / 6.0 + z * (1.0 - z2) / (72.0 * s)
    return max(math.ceil(x - 0.5), 0)


@_jit
def poisson_inverse_flat(u, lam, out):
    for i in range(u.size):
        out[i] = poisson_quantile(u[i], lam[i])


@_jit
def poisson_stream(base, offsets, lam, out):
    """Counts (R, C) for stream keys base[r] + offsets[c] (offsets include the step)."""
    for r in range(lam.shape[0]):
        for c in range(lam.shape[1]):
            out[r, c] = poisson_quantile(unit(mix64(base[r] + offsets[c])), lam[r, c])


@_jit
def draw_attacks(
    lam,
    from_afg,
    attack_base,
    attack_offsets,
    fatal_base,
    fatal_offsets,
    cell_group,
    cell_region,
    cell_country,
    cell_china,
    severity,
    by_region,
    by_group,
    by_country,
    china_by_country,
    fatalities,
    cross_border,
):
    """One month's attack and fatality counts, summed into the (zeroed) output arrays.

    Counts are whole numbers, so every sum of counts is exact in any order.
    """
    n_groups = by_group.shape[1]
    pak_by_group = np.zeros(n_groups)
    by_group_country = np.zeros(2 * n_groups)
    for r in range(lam.shape[0]):
        pak_by_group[:] = 0.0
        by_group_country[:] = 0.0
        for c in range(lam.shape[1]):
            u = unit(mix64(attack_base[r] + attack_offsets[c]))
            n = np.float64(poisson_quantile(u, lam[r, c]))
            g, country = cell_group[c], cell_country[c]
            by_region[r, cell_region[c]] += n
            by_group[r, g] += n
            by_country[r, country] += n
            by_group_country[2 * g + country] += n
            if country == 0:
                pak_by_group[g] += n
            if cell_china[c]:
                china_by_country[r, country] += n
        for j in range(2 * n_groups):
            mean = by_group_country[j] * severity[j // 2]
            u = unit(mix64(fatal_base[r] + fatal_offsets[j]))
            fatalities[r, j % 2] += np.float64(poisson_quantile(u, mean))
        total = 0.0
        for g in range(n_groups):
            total += pak_by_group[g] * from_afg[r, g]
        cross_border[r] = total


@_jit
def weighted_sum(a, weights, out):
    """out[r, m] = sum over k, in order, of a[r, k] * weights[k, m]."""
    for r in range(a.shape[0]):
        for m in range(weights.shape[1]):
            total = a[r, 0] * weights[0, m]
            for k in range(1, a.shape[1]):
                total += a[r, k] * weights[k, m]
            out[r, m] = total


@_jit
def cell_means(
    tempo,
    deter,
    through,
    exposure,
    cell_group,
    cell_region,
    cell_country,
    cell_pak,
    cell_china,
    cell_base,
    cell_china_share,
    hardened,
    lam,
):
    """Expected attacks per (replicate, cell): the group's tempo spread over its cells.

    Hardened targets are deterred by security presence, soft ones are not; attacks in
    Pakistan launched from Afghan bases pass the border at ``through``; a share of each
    cell's attacks is aimed at Chinese interests in proportion to their exposure.
    """
    for r in range(lam.shape[0]):
        for c in range(lam.shape[1]):
            g = cell_group[c]
            deter_cell = 1.0 - hardened[g] * (1.0 - deter[r, cell_region[c]])
            route = through[r, g] if cell_pak[c] else 1.0
            q = min(max(cell_china_share[c] * exposure[r, cell_country[c]], 0.0), 1.0)
            target = q if cell_china[c] else 1.0 - q
            lam[r, c] = tempo[r, g] * cell_base[c] * deter_cell * route * target
