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
MAX_MASS = 6  # mass-casualty attacks drawn per group, country and month (more are ordinary)
FATAL_SLOTS = 2 + MAX_MASS  # stream keys per group and country in the "fatalities" stream

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
def victims_of(n, mean_ordinary, mass_rate, mass_min, tail, mass_cap, base, offsets, first):
    """Victims of ``n`` attacks of one group in one country, and how many were mass-casualty.

    Ordinary attacks kill Poisson(n x mean_ordinary) in total. The number of mass-casualty
    attacks is Poisson(n x mass_rate) (at most n and at most MAX_MASS); each kills a
    Pareto(mass_min, tail) number, capped at mass_cap. Keys: ``first`` for the ordinary
    count, ``first + 1`` for the mass count, ``first + 2 + k`` for the k-th mass attack.
    """
    u = unit(mix64(base + offsets[first]))
    deaths = np.float64(poisson_quantile(u, n * mean_ordinary))
    u = unit(mix64(base + offsets[first + 1]))
    k_mass = min(poisson_quantile(u, n * mass_rate), MAX_MASS, int(n))
    for k in range(k_mass):
        u = unit(mix64(base + offsets[first + 2 + k]))
        deaths += min(np.float64(math.floor(mass_min * u ** (-1.0 / tail))), mass_cap)
    return deaths, np.float64(k_mass)


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
    ordinary,
    mass_rate,
    mass_min,
    tail,
    mass_cap,
    by_region,
    by_group,
    by_group_country,
    by_country,
    china_by_country,
    fatalities,
    victims_by_country,
    mass_attacks,
    cross_border,
):
    """One month's attack counts and victims, summed into the (zeroed) output arrays.

    ``by_group_country`` and ``fatalities`` are (R, 2G) with column 2 g + country;
    ``by_country``, ``victims_by_country`` and ``mass_attacks`` are (R, 2). Counts are
    whole numbers, so every sum of counts is exact in any order.
    """
    n_groups = by_group.shape[1]
    slots = FATAL_SLOTS
    for r in range(lam.shape[0]):
        for c in range(lam.shape[1]):
            u = unit(mix64(attack_base[r] + attack_offsets[c]))
            n = np.float64(poisson_quantile(u, lam[r, c]))
            g, country = cell_group[c], cell_country[c]
            by_region[r, cell_region[c]] += n
            by_group[r, g] += n
            by_group_country[r, 2 * g + country] += n
            by_country[r, country] += n
            if cell_china[c]:
                china_by_country[r, country] += n
        total = 0.0
        for j in range(2 * n_groups):
            if by_group_country[r, j] == 0.0:
                fatalities[r, j] = 0.0
                continue
            g = j // 2
            deaths, k_mass = victims_of(
                by_group_country[r, j],
                ordinary[g],
                mass_rate[g],
                mass_min,
                tail,
                mass_cap,
                fatal_base[r],
                fatal_offsets,
                j * slots,
            )
            fatalities[r, j] = deaths
            victims_by_country[r, j % 2] += deaths
            mass_attacks[r, j % 2] += k_mass
        for g in range(n_groups):
            total += by_group_country[r, 2 * g] * from_afg[r, g]
        cross_border[r] = total


@_jit
def momentum_step(base, offsets, momentum, persistence, volatility, mean_shift, out, factor):
    """Next month's log tempo deviations (an AR(1) with normal innovations keyed by
    base[r] + offsets[g]) and their exp, shifted to mean 1 by ``mean_shift``."""
    for r in range(momentum.shape[0]):
        for g in range(momentum.shape[1]):
            z = _ndtri(unit(mix64(base[r] + offsets[g])))
            m = persistence * momentum[r, g] + volatility * z
            out[r, g] = m
            factor[r, g] = math.exp(m - mean_shift)


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
    spread,
):
    """Expected attacks per (replicate, cell): the group's tempo spread over its cells.

    ``spread`` receives the part of each mean below the group's rate and the route:
    region share x deterrence x target split.

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
            spread[r, c] = cell_base[c] * deter_cell * target
