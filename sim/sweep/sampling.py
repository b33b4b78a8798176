"""Design points: a sampler draws unit coordinates, each factor maps them to its values.

SALib draws Sobol' (Saltelli), Morris and Latin-hypercube designs; ``mc`` is plain
uniform sampling and ``grid`` the full factorial. All are seeded from the spec, so the
design is a pure function of the spec.
"""

from __future__ import annotations

import itertools

import numpy as np
from scipy import stats

from sim.sweep.spec import Factor, Normal, Sweep

_EDGE = 1e-6  # unit coordinates kept off 0 and 1 where a distribution's tails are infinite


def _problem(n: int) -> dict:
    return {"num_vars": n, "names": [f"x{i}" for i in range(n)], "bounds": [[0.0, 1.0]] * n}


def unit_design(sweep: Sweep) -> np.ndarray:
    """(points, factors) coordinates in [0, 1] for every sampler but grid."""
    spec, d = sweep.spec, len(sweep.factors)
    if spec.sampler == "mc":
        return np.random.default_rng(spec.seed).random((spec.points, d))
    if spec.sampler == "lhs":
        from SALib.sample import latin

        return latin.sample(_problem(d), spec.points, seed=spec.seed)
    if spec.sampler == "sobol":
        import warnings

        from SALib.sample import sobol

        with warnings.catch_warnings():  # SALib warns when N is not a power of 2
            warnings.simplefilter("ignore")
            return sobol.sample(_problem(d), spec.points, calc_second_order=False, seed=spec.seed)
    if spec.sampler == "morris":
        from SALib.sample import morris

        return morris.sample(
            _problem(d), spec.points, num_levels=spec.morris_levels, seed=spec.seed
        )
    raise ValueError(f"no unit design for sampler {spec.sampler!r}")


def factor_values(f: Factor, u: np.ndarray) -> np.ndarray:
    """Map unit coordinates to the factor's values (monotone, so rankings carry over)."""
    s = f.spec
    if s.range is not None:
        lo, hi = s.range
        return lo + u * (hi - lo)
    if s.values is not None:
        vals = np.asarray(s.values, dtype=np.float64)
        return vals[np.minimum((u * len(vals)).astype(np.int64), len(vals) - 1)]
    d = s.distribution
    u = np.clip(u, _EDGE, 1 - _EDGE)
    if isinstance(d, Normal):
        x = stats.norm.ppf(u, loc=d.mean, scale=d.sd)
        return np.clip(x, -np.inf if f.low is None else f.low, np.inf if f.high is None else f.high)
    c = (d.mode - d.low) / (d.high - d.low)
    return stats.triang.ppf(u, c, loc=d.low, scale=d.high - d.low)


def _grid_levels(f: Factor) -> np.ndarray:
    s = f.spec
    if s.values is not None:
        return np.asarray(s.values, dtype=np.float64)
    n = s.levels or 3
    if s.range is not None:
        return np.linspace(s.range[0], s.range[1], n)
    return factor_values(f, (np.arange(n) + 0.5) / n)  # quantile midpoints


def design(sweep: Sweep) -> np.ndarray:
    """(points, factors) float64 factor values, in point order."""
    if sweep.spec.sampler == "grid":
        levels = [_grid_levels(f) for f in sweep.factors]
        return np.array(list(itertools.product(*levels)), dtype=np.float64).reshape(-1, len(levels))
    u = unit_design(sweep)
    return np.column_stack([factor_values(f, u[:, i]) for i, f in enumerate(sweep.factors)])
