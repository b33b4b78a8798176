"""Counter-based random streams (sim/model/rng.py): range, uniformity, batch invariance, Poisson."""

from __future__ import annotations

import numba
import numpy as np
import pytest
from scipy import stats

from sim.model.rng import POISSON_EXACT_BELOW, Streams, poisson_inverse

SEED = 20250301
GRID = 1_000_000  # points of the fine uniform grid used to measure the Poisson quantile


def _grid(n: int = GRID) -> np.ndarray:
    return (np.arange(n) + 0.5) / n


def _tv_to_poisson(lam: float, n: int = GRID) -> float:
    """Total-variation distance between poisson_inverse on a fine u grid and Poisson(lam)."""
    k = poisson_inverse(_grid(n), np.full(n, lam))
    emp = np.bincount(k) / n
    support = max(emp.size, int(lam + 20 * np.sqrt(lam) + 20))
    pmf = stats.poisson.pmf(np.arange(support), lam)
    padded = np.zeros(support)
    padded[: emp.size] = emp
    # mass of the exact pmf beyond the support we tabulated counts fully as a difference
    return 0.5 * np.abs(padded - pmf).sum() + 0.5 * stats.poisson.sf(support - 1, lam)


# ---------------------------------------------------------------- uniforms


def test_uniforms_strictly_inside_unit_interval():
    s = Streams(SEED, np.arange(2000))
    u = s.uniform("attacks", 0, 500)
    assert u.shape == (2000, 500)
    assert np.all(u > 0.0) and np.all(u < 1.0)
    assert np.isfinite(s.normal("attacks", 0, 500)).all()


def test_uniforms_are_roughly_uniform():
    s = Streams(SEED, np.arange(1000))
    u = np.concatenate([s.uniform("attacks", t, 40).ravel() for t in range(5)])  # 200k
    assert abs(u.mean() - 0.5) < 0.003
    assert abs(u.var() - 1 / 12) < 0.002
    assert stats.kstest(u, "uniform").pvalue > 1e-3
    counts = np.histogram(u, bins=50, range=(0, 1))[0]
    assert stats.chisquare(counts).pvalue > 1e-3


def test_uniforms_independent_across_neighbouring_keys():
    """Adjacent replicates, cells and steps must not be correlated (the hash avalanches)."""
    s = Streams(SEED, np.arange(5000))
    a = s.uniform("attacks", 3, 4)
    b = s.uniform("attacks", 4, 4)
    corr = np.corrcoef(np.stack([a[:, 0], a[:, 1], a[:, 2], b[:, 0], b[:, 1]]))
    off = corr[~np.eye(5, dtype=bool)]
    assert np.abs(off).max() < 0.05
    # neighbouring replicates
    assert abs(np.corrcoef(a[:-1, 0], a[1:, 0])[0, 1]) < 0.05


@pytest.mark.parametrize("step", [0, 1, 59, 1234])
def test_same_key_same_number_in_any_batch(step):
    ids = np.arange(1000)
    big = Streams(SEED, ids).uniform("joint_ops", step, 7)
    for k in (0, 1, 6, 499, 999):
        alone = Streams(SEED, [k]).uniform("joint_ops", step, 7)
        assert np.array_equal(alone[0], big[k])
    pick = np.array([3, 999, 0, 500, 17, 42, 8])  # seven ids, out of order
    batch7 = Streams(SEED, pick).uniform("joint_ops", step, 7)
    assert np.array_equal(batch7, big[pick])


def test_cells_prefix_stable():
    """Asking for more cells does not change the first ones (cell c is its own key)."""
    s = Streams(SEED, np.arange(50))
    assert np.array_equal(s.uniform("attacks", 5, 3), s.uniform("attacks", 5, 40)[:, :3])


def test_slots_fix_each_columns_position_in_the_stream():
    """With ``slots`` a column's draw depends on its slot, not on which others are drawn."""
    s = Streams(SEED, np.arange(40))
    full = s.uniform("attacks", 3, 10)
    slots = np.array([7, 2, 9])
    assert np.array_equal(s.uniform("attacks", 3, 3, slots), full[:, slots])
    lam = np.tile([0.5, 6.0, 30.0], (40, 1))
    assert np.array_equal(s.poisson("attacks", 3, lam, slots), poisson_inverse(full[:, slots], lam))


def test_draws_do_not_depend_on_call_history():
    ids = np.arange(20)
    fresh = Streams(SEED, ids).uniform("border_clash", 9)
    used = Streams(SEED, ids)
    for t in range(9):
        used.uniform("border_clash", t)
        used.uniform("attacks", t, 30)
    assert np.array_equal(used.uniform("border_clash", 9), fresh)


def test_different_seeds_streams_steps_differ():
    ids = np.arange(500)
    a = Streams(SEED, ids).uniform("attacks", 0, 10)
    b = Streams(SEED + 1, ids).uniform("attacks", 0, 10)
    c = Streams(SEED, ids).uniform("attacks_china", 0, 10)
    d = Streams(SEED, ids).uniform("attacks", 1, 10)
    for other in (b, c, d):
        assert np.mean(a == other) < 1e-3
        assert abs(np.corrcoef(a.ravel(), other.ravel())[0, 1]) < 0.05


def test_normal_is_the_inverse_cdf_of_the_uniform():
    s = Streams(SEED, np.arange(4000))
    u = s.uniform("x", 2, 3)
    z = s.normal("x", 2, 3)
    assert np.allclose(stats.norm.cdf(z), u, atol=1e-12)
    assert abs(z.mean()) < 0.05 and abs(z.std() - 1) < 0.05


def test_streams_poisson_is_inversion_of_the_stream_uniform():
    s = Streams(SEED, np.arange(300))
    lam = np.tile([0.5, 3.0, 7.0, 40.0], (300, 1))
    u = s.uniform("attacks", 4, 4)
    assert np.array_equal(s.poisson("attacks", 4, lam), poisson_inverse(u, lam))


# ---------------------------------------------------------------- Poisson by inversion


@pytest.mark.parametrize("lam", [0.3, 2.0, 4.99, 5.0, 8.0, 20.0, 60.0])
def test_poisson_inverse_close_to_poisson(lam):
    tv = _tv_to_poisson(lam)
    assert tv < 0.005, f"TV distance {tv:.5f} at lambda={lam}"
    if lam < POISSON_EXACT_BELOW:
        assert tv < 1e-3, f"sequential search should be exact below 5, TV {tv:.2e}"


@pytest.mark.parametrize("lam", [0.3, 2.0, 4.99, 5.0, 8.0, 20.0, 60.0, 500.0])
def test_poisson_inverse_monotone_in_u(lam):
    k = poisson_inverse(_grid(200_000), np.full(200_000, lam))
    assert np.all(np.diff(k) >= 0)
    assert k.min() >= 0


@pytest.mark.parametrize(
    "lams",
    [
        [0.0, 0.1, 1.0, 2.5, 4.9, 4.99, 4.999999],  # exact sequential search
        [5.0, 5.01, 6.0, 10.0, 30.0, 100.0, 1000.0],  # Cornish-Fisher
    ],
    ids=["exact", "cornish-fisher"],
)
def test_poisson_inverse_monotone_in_lambda(lams):
    """A higher mean never gives a lower count at the same u (the basis of paired runs)."""
    u = _grid(100_000)
    k = np.stack([poisson_inverse(u, np.full(u.size, lam)) for lam in lams])
    assert np.all(np.diff(k, axis=0) >= 0)


@pytest.mark.xfail(
    strict=True,
    reason="poisson_inverse switches from exact search to Cornish-Fisher at lambda=5 and the "
    "two quantile functions disagree there: for ~0.7% of u, Poisson(5-eps) gives a higher "
    "count than Poisson(5) (e.g. u=0.00725: 1 vs 0), so raising a mean across 5 can lower "
    "the paired draw, against the monotonicity sim/model/rng.py promises",
)
def test_poisson_inverse_monotone_in_lambda_across_the_switch():
    u = _grid(100_000)
    below = poisson_inverse(u, np.full(u.size, 4.999999))
    at = poisson_inverse(u, np.full(u.size, POISSON_EXACT_BELOW))
    assert np.all(at >= below), f"{np.mean(at < below):.4%} of u give a lower count at 5"


def test_poisson_inverse_mixed_lambdas_match_elementwise():
    u = _grid(5000)
    lam = np.resize([0.0, 0.3, 4.99, 5.0, 60.0], 5000)
    together = poisson_inverse(u, lam)
    for value in np.unique(lam):
        sel = lam == value
        assert np.array_equal(together[sel], poisson_inverse(u[sel], lam[sel]))


def test_poisson_lambda_zero_gives_zero():
    u = np.array([1e-16, 0.25, 0.5, 0.999999, 1 - 2**-53])
    assert np.array_equal(poisson_inverse(u, np.zeros(5)), np.zeros(5, dtype=np.int64))
    s = Streams(SEED, np.arange(100))
    assert not s.poisson("attacks", 0, np.zeros((100, 6))).any()


@pytest.mark.parametrize("lam", [0.05, 0.3, 1.0, 2.5, 4.999])
def test_small_means_are_the_exact_poisson_quantile(lam):
    """Below the switch the inversion is exact: scipy's Poisson quantile at the same u."""
    from scipy.stats import poisson

    u = np.random.default_rng(int(lam * 1000)).random(20_000)
    expected = poisson.ppf(u, lam).astype(np.int64)
    assert np.array_equal(poisson_inverse(u, np.full(u.size, lam)), expected)


def test_compiled_uniforms_match_the_numpy_hash():
    """The kernels hash stream keys themselves: same uniforms as Streams.uniform."""
    from sim.model import kernels

    s = Streams(SEED, np.array([0, 7, 123456]))
    slots = np.array([3, 40, 41])
    base, offsets = s.keys("attacks", 9, 3, slots)

    @numba.njit
    def uniforms(base, offsets):
        out = np.empty((base.size, offsets.size))
        for r in range(base.size):
            for c in range(offsets.size):
                out[r, c] = kernels.unit(kernels.mix64(base[r] + offsets[c]))
        return out

    assert np.array_equal(uniforms(base, offsets), s.uniform("attacks", 9, 3, slots))


def test_uniforms_never_reach_0_or_1_even_at_the_extreme_hash():
    """The top 52-bit bin maps strictly below 1, the bottom strictly above 0."""
    from sim.model import rng as rng_module

    top = np.array([np.iinfo(np.uint64).max], dtype=np.uint64)
    bottom = np.array([0], dtype=np.uint64)
    for z in (top, bottom):
        u = ((z >> rng_module._S12).astype(np.float64) + 0.5) * rng_module._TO_UNIT
        assert 0.0 < u[0] < 1.0
        counts = poisson_inverse(u, np.array([50.0]))
        assert counts[0] >= 0
