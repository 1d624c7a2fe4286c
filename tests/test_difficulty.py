"""The difficulty weighting's math: weights at one effective sample size, smoothed losses.

Every figure is checked against an independent computation: a closed form, plain Python sums,
or a brute-force nearest-neighbour search in numpy.
"""

import math

import numpy as np
import pytest

from debias_estimators._difficulty import ess_share, smoothed_loss
from debias_estimators.resampling import difficulty_weights, weights_at_ess


def _ess_of_exponent(log_w, t):
    # Independently of the helper: unnormalised exp(t * l), ESS = (sum w)^2 / sum w^2.
    w = [math.exp(t * (v - max(log_w))) for v in log_w]
    return sum(w) ** 2 / sum(v * v for v in w)


def test_ess_share_is_the_direct_sum():
    w = [1.0, 2.0, 3.0, 4.0]
    assert ess_share(w) == pytest.approx(100 / 30 / 4)  # (1+2+3+4)^2 / (1+4+9+16) / 4
    assert ess_share(np.ones(7)) == pytest.approx(1.0)


def test_two_level_weights_match_the_closed_form():
    # m samples with log-weight 1, n - m with 0: with x = e^t the ESS is
    # (m x + n - m)^2 / (m x^2 + n - m); solve ESS = s n for x (the root above 1).
    n, m, share = 100, 10, 0.3
    target = share * n
    a, b, c = m * (target - m), -2 * m * (n - m), (n - m) * (target - (n - m))
    x = (-b + math.sqrt(b * b - 4 * a * c)) / (2 * a)
    weights, t, reached = weights_at_ess(np.r_[np.ones(m), np.zeros(n - m)], share)
    assert t == pytest.approx(math.log(x), rel=1e-9)
    assert reached == pytest.approx(share, rel=1e-9)
    assert weights.sum() == pytest.approx(1.0)
    assert weights[0] / weights[-1] == pytest.approx(x, rel=1e-9)


@pytest.mark.parametrize("scale", [0.05, 1.0, 20.0])
def test_flat_rules_are_sharpened_and_steep_ones_tempered(scale):
    log_w = list(np.random.default_rng(1).normal(size=300) * scale)
    weights, t, reached = weights_at_ess(log_w, 0.3)
    assert _ess_of_exponent(log_w, t) / len(log_w) == pytest.approx(0.3, rel=1e-8)
    assert reached == pytest.approx(0.3, rel=1e-8)
    # Sharpened (t > 1) when the rule keeps more than 30 %, tempered (t < 1) when less.
    assert (t > 1) == (_ess_of_exponent(log_w, 1.0) / len(log_w) > 0.3)
    expected = np.exp(t * (np.array(log_w) - max(log_w)))
    np.testing.assert_allclose(weights, expected / expected.sum(), rtol=1e-12)


def test_flat_and_unreachable_rules():
    weights, t, reached = weights_at_ess(np.full(5, 2.0), 0.3)
    np.testing.assert_array_equal(weights, np.full(5, 0.2))
    assert (t, reached) == (0.0, 1.0)
    # Half the samples share the top weight: no exponent brings the ESS below 50 %.
    weights, t, reached = weights_at_ess([1.0, 1.0, 0.0, 0.0], 0.3)
    np.testing.assert_array_equal(weights, [0.5, 0.5, 0.0, 0.0])
    assert (t, reached) == (math.inf, 0.5)
    with pytest.raises(ValueError, match="finite"):
        weights_at_ess([0.0, np.nan], 0.3)
    with pytest.raises(ValueError, match="share"):
        weights_at_ess([0.0, 1.0], 1.0)


def _brute_force(Z, loss, n_dims, k):
    # Standardise, rank the dimensions by |Pearson r| with np.corrcoef, then average the loss
    # over the k smallest distances from a full distance matrix.
    Z = np.asarray(Z, float)
    sd = Z.std(axis=0)
    Zs = (Z - Z.mean(axis=0)) / np.where(sd > 0, sd, 1)
    r = [abs(np.corrcoef(Zs[:, j], loss)[0, 1]) if sd[j] > 0 else 0.0 for j in range(Z.shape[1])]
    dims = sorted(range(Z.shape[1]), key=lambda j: (-r[j], j))[:n_dims]
    F = Zs[:, dims]
    dist = np.sqrt(((F[:, None, :] - F[None, :, :]) ** 2).sum(axis=2))
    nearest = np.argsort(dist, axis=1, kind="stable")[:, :k]
    return np.array([loss[row].mean() for row in nearest]), dims


def test_a_hand_computed_example():
    # Six faces on one informative dimension (0) and a constant one (1); the loss is high at
    # the two faces near 10. With 2 neighbours each face averages itself and its nearest face.
    Z = np.array([[0.0, 5], [1, 5], [2, 5], [3, 5], [10, 5], [11, 5]])
    loss = np.array([0.1, 0.2, 0.1, 0.2, 1.0, 2.0])
    smoothed, dims = smoothed_loss(Z, loss, n_dims=1, n_neighbors=2)
    assert list(dims) == [0]
    # Nearest other face: 0->1, 1->0 or 2 (tie; either averages 0.1 with 0.2), 2->1 or 3,
    # 3->2, 10->11, 11->10.
    np.testing.assert_allclose(smoothed, [0.15, 0.15, 0.15, 0.15, 1.5, 1.5])
    weights, t = difficulty_weights(Z, loss, n_dims=1, n_neighbors=2, ess=0.5)
    # Two levels, 4 faces at log 0.15 and 2 at log 1.5: the closed form of the ESS at 50 %.
    n, m, target = 6, 2, 3.0
    a, b, c = m * (target - m), -2 * m * (n - m), (n - m) * (target - (n - m))
    x = (-b + math.sqrt(b * b - 4 * a * c)) / (2 * a)
    assert weights[-1] / weights[0] == pytest.approx(x, rel=1e-9)
    assert t == pytest.approx(math.log(x) / math.log(1.5 / 0.15), rel=1e-9)
    assert 1 / np.sum(weights**2) == pytest.approx(3.0, rel=1e-9)


def test_matches_a_brute_force_search():
    rng = np.random.default_rng(3)
    Z = rng.normal(size=(60, 8))
    loss = np.exp(rng.normal(size=60) + 1.5 * Z[:, 2] - Z[:, 5])
    smoothed, dims = smoothed_loss(Z, loss, n_dims=3, n_neighbors=7)
    expected, expected_dims = _brute_force(Z, loss, 3, 7)
    assert list(dims) == expected_dims
    assert set(dims[:2]) == {2, 5}  # the dimensions the loss was made from
    np.testing.assert_allclose(smoothed, expected, rtol=1e-12)
    weights, t = difficulty_weights(Z, loss, n_dims=3, n_neighbors=7, ess=0.4)
    reference = np.exp(t * (np.log(expected) - np.log(expected).max()))
    np.testing.assert_allclose(weights, reference / reference.sum(), rtol=1e-9)
    assert _ess_of_exponent(list(np.log(expected)), t) / 60 == pytest.approx(0.4, rel=1e-8)
    # Higher smoothed loss, higher weight.
    order = np.argsort(expected)
    assert np.all(np.diff(weights[order]) >= 0)


def test_small_and_flat_cases():
    Z = np.random.default_rng(0).normal(size=(5, 3))
    # More neighbours than faces: every face averages all of them, so the weights are uniform.
    weights, t = difficulty_weights(Z, np.arange(1.0, 6.0), n_neighbors=100)
    np.testing.assert_allclose(weights, np.full(5, 0.2))
    assert t == 0.0
    weights, t = difficulty_weights(Z[:1], [0.5])
    assert list(weights) == [1.0]
    with pytest.raises(ValueError, match="positive"):
        difficulty_weights(Z, [0.0, 1, 1, 1, 1])
    with pytest.raises(ValueError, match="one row per loss"):
        difficulty_weights(Z, [1.0, 1.0])
