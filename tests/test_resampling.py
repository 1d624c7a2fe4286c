import numpy as np
import pytest

from debias_estimators import LatentDensityResampler, ResamplingCollapseWarning
from debias_estimators.resampling import tempered_weights


def _two_clusters(n_common=900, n_rare=100, dims=1, seed=0):
    rng = np.random.default_rng(seed)
    common = rng.normal(0, 1, size=(n_common, dims))
    rare = rng.normal(8, 1, size=(n_rare, dims))
    return np.vstack([common, rare])


def test_rare_cluster_weighted_by_about_the_density_ratio():
    Z = _two_clusters()
    r = LatentDensityResampler(bins=2, alpha=1e-6).fit(Z)
    w = r.sample_weight_
    assert w.shape == (1000,)
    np.testing.assert_allclose(w.sum(), 1.0)
    assert (w >= 0).all()
    # Two bins separate the clusters: densities 0.9 and 0.1, ratio 9.
    ratio = w[900:].mean() / w[:900].mean()
    assert ratio == pytest.approx(9.0, rel=1e-3)
    # Both clusters then hold half the mass.
    assert w[900:].sum() == pytest.approx(0.5, rel=1e-3)


def test_weights_match_an_independent_histogram_computation():
    rng = np.random.default_rng(1)
    Z = rng.normal(size=(300, 3))
    bins, alpha = 5, 1e-2
    r = LatentDensityResampler(bins=bins, alpha=alpha, combine="max").fit(Z)
    per_dim = []
    for j in range(3):
        counts, edges = np.histogram(Z[:, j], bins=bins)
        density = counts / len(Z)
        idx = np.clip(np.digitize(Z[:, j], edges) - 1, 0, bins - 1)
        p = 1 / (density[idx] + alpha)
        per_dim.append(p / p.sum())
    expected = np.max(per_dim, axis=0)
    np.testing.assert_allclose(r.sample_weight_, expected / expected.sum())
    prod = np.prod(per_dim, axis=0)
    r = LatentDensityResampler(bins=bins, alpha=alpha, combine="product").fit(Z)
    np.testing.assert_allclose(r.sample_weight_, prod / prod.sum())
    geo = np.prod(per_dim, axis=0) ** (1 / 3)
    r = LatentDensityResampler(bins=bins, alpha=alpha, combine="geometric").fit(Z)
    np.testing.assert_allclose(r.sample_weight_, geo / geo.sum())


def test_product_in_100_dims_is_finite_normalised_and_warns_of_collapse():
    rng = np.random.default_rng(0)
    Z = rng.normal(size=(2000, 100))
    with pytest.warns(ResamplingCollapseWarning, match="effective sample size"):
        r = LatentDensityResampler(combine="product").fit(Z)
    assert np.isfinite(r.sample_weight_).all()
    np.testing.assert_allclose(r.sample_weight_.sum(), 1.0)
    assert r.effective_sample_size_ < 20


@pytest.mark.parametrize("combine", ["max", "geometric"])
def test_max_and_geometric_keep_a_rare_cluster_upweighted_without_collapse(combine):
    Z = _two_clusters(n_common=1800, n_rare=200, dims=100)
    r = LatentDensityResampler(combine=combine).fit(Z)
    w = r.sample_weight_
    assert w[1800:].mean() / w[:1800].mean() > 3
    assert r.effective_sample_size_ > 0.1 * len(Z)


def test_outer_bins_are_open_for_new_points():
    Z = np.linspace(0, 1, 100)[:, None]
    r = LatentDensityResampler(bins=4).fit(Z)
    scores = r.score_samples(np.array([[-5.0], [0.1], [0.9], [7.0]]))
    assert np.isfinite(scores).all()
    assert scores[0] == pytest.approx(scores[1])
    assert scores[3] == pytest.approx(scores[2])


def test_uniform_latents_give_full_effective_sample_size():
    Z = np.repeat(np.arange(10.0), 10)[:, None]
    r = LatentDensityResampler(bins=10).fit(Z)
    assert r.effective_sample_size_ == pytest.approx(100.0)


def test_sample_draws_rare_points_more_often():
    Z = _two_clusters()
    r = LatentDensityResampler(bins=2).fit(Z)
    idx = r.sample(5000, random_state=0)
    assert idx.shape == (5000,)
    assert 0.4 < np.mean(idx >= 900) < 0.6
    np.testing.assert_array_equal(idx, r.sample(5000, random_state=0))


@pytest.mark.parametrize(
    "params, match",
    [
        ({"bins": 0}, "bins"),
        ({"alpha": 0}, "alpha"),
        ({"combine": "sum"}, "combine"),
    ],
)
def test_bad_parameters_raise(params, match):
    with pytest.raises(ValueError, match=match):
        LatentDensityResampler(**params).fit(np.zeros((5, 2)))


def test_nan_latents_raise():
    with pytest.raises(ValueError, match="NaN"):
        LatentDensityResampler().fit(np.array([[0.0], [np.nan]]))


def test_score_samples_checks_dimensions():
    r = LatentDensityResampler().fit(np.zeros((5, 2)))
    with pytest.raises(ValueError, match="dimensions"):
        r.score_samples(np.zeros((3, 3)))


def _ess(w):
    return 1.0 / np.sum(w**2)


def test_ess_floor_tempers_a_collapsing_product_to_the_floor():
    rng = np.random.default_rng(3)
    Z = rng.normal(size=(500, 40))
    raw = LatentDensityResampler(combine="product", min_ess_fraction=0).fit(Z)
    assert raw.exponent_ == 1.0 and raw.effective_sample_size_ < 0.05 * 500
    floored = LatentDensityResampler(combine="product", ess_floor=0.5).fit(Z)
    assert 0 < floored.exponent_ < 1
    # The floor holds, and the exponent is the largest that keeps it (within the bisection).
    assert floored.effective_sample_size_ >= 0.5 * 500 - 1e-6
    assert floored.effective_sample_size_ < 0.5 * 500 * 1.01
    # Pinned independently: the weights are softmax(t * log-weights) of the untempered rule.
    log_w = raw.score_samples(Z)
    expected = np.exp(floored.exponent_ * (log_w - log_w.max()))
    np.testing.assert_allclose(floored.sample_weight_, expected / expected.sum(), rtol=1e-10)
    assert floored.effective_sample_size_ == pytest.approx(_ess(floored.sample_weight_))
    # The rare samples stay the most upweighted: tempering keeps the order.
    assert np.array_equal(np.argsort(floored.sample_weight_), np.argsort(raw.sample_weight_))


def test_ess_floor_leaves_weights_alone_when_met_and_one_means_uniform():
    Z = _two_clusters()
    mild = LatentDensityResampler(bins=2, alpha=1e-6).fit(Z)
    same = LatentDensityResampler(bins=2, alpha=1e-6, ess_floor=0.1).fit(Z)
    assert same.exponent_ == 1.0
    np.testing.assert_allclose(same.sample_weight_, mild.sample_weight_)
    uniform = LatentDensityResampler(bins=2, alpha=1e-6, ess_floor=1.0).fit(Z)
    assert uniform.exponent_ < 1e-6
    np.testing.assert_allclose(uniform.sample_weight_, 1 / len(Z), rtol=1e-6)


@pytest.mark.parametrize("floor", [-0.1, 1.5, float("nan"), "0.5"])
def test_bad_ess_floor(floor):
    with pytest.raises(ValueError, match="ess_floor"):
        LatentDensityResampler(ess_floor=floor).fit(np.zeros((10, 2)))


def _imbalanced_rows(seed=0):
    # Each class: a common cluster and a rare one; the rare rows are the ones to bring back.
    rng = np.random.default_rng(seed)
    Z = np.vstack([_two_clusters(180, 20, dims=2, seed=seed), _two_clusters(90, 10, 2, seed + 1)])
    y = np.r_[np.ones(200, int), np.zeros(100, int)]
    return Z + rng.normal(scale=1e-3, size=Z.shape), y


def test_fit_resample_redraws_rare_rows_more_often_and_keeps_class_counts():
    Z, y = _imbalanced_rows()
    sampler = LatentDensityResampler(bins=2, alpha=1e-6, random_state=0)
    Z_res, y_res = sampler.fit_resample(Z, y)
    assert Z_res.shape == Z.shape and np.bincount(y_res).tolist() == [100, 200]
    np.testing.assert_array_equal(Z_res, Z[sampler.sample_indices_])
    assert (y[sampler.sample_indices_] == y_res).all()
    rare = np.r_[np.arange(180, 200), np.arange(290, 300)]
    # about half of each class is drawn from its rare cluster (a tenth before)
    assert 0.35 < np.isin(sampler.sample_indices_, rare).mean() < 0.65
    np.testing.assert_allclose(sampler.sample_weight_.sum(), 1.0)
    again = LatentDensityResampler(bins=2, alpha=1e-6, random_state=0).fit_resample(Z, y)
    np.testing.assert_array_equal(again[0], Z_res)


def test_fit_resample_checks_its_input():
    Z, y = _imbalanced_rows()
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        LatentDensityResampler().fit_resample(Z, y[:-1])
    with pytest.raises(ValueError, match="bins"):
        LatentDensityResampler(bins=0).fit_resample(Z, y)


def test_fit_resample_in_an_imbalanced_learn_pipeline():
    imblearn_pipeline = pytest.importorskip("imblearn.pipeline")  # the "imbalanced" extra
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    Z, y = _imbalanced_rows()
    sampler = LatentDensityResampler(bins=2, alpha=1e-6, random_state=0)
    pipe = imblearn_pipeline.make_pipeline(StandardScaler(), sampler, LogisticRegression())
    pipe.fit(Z, y)
    fitted = pipe.named_steps["latentdensityresampler"]
    assert fitted.sample_indices_.shape == (300,)
    # the sampler acts in fit only: predict sees every row
    assert pipe.predict(Z).shape == (300,)
    assert pipe.score(Z, y) > 0.5


def test_tempered_weights_keeps_the_floor_for_any_log_weights():
    # A density from outside the histograms: one sample 97 times as likely to be drawn.
    log_w = np.log(np.r_[np.ones(99), 97.0])
    weights, exponent = tempered_weights(log_w, ess_floor=0.5)
    assert 0 < exponent < 1
    assert _ess(weights) >= 50 - 1e-6 and _ess(weights) < 50.5
    expected = np.exp(exponent * log_w)
    np.testing.assert_allclose(weights, expected / expected.sum(), rtol=1e-10)
    untempered, one = tempered_weights(log_w)
    assert one == 1.0
    np.testing.assert_allclose(untempered, np.exp(log_w) / np.exp(log_w).sum())


@pytest.mark.parametrize(
    "log_w, floor, match",
    [
        (np.array([0.0, np.inf]), 0.5, "finite"),
        (np.array([0.0, np.nan]), None, "finite"),
        (np.zeros(3), 1.5, "ess_floor"),
        (np.zeros(3), -0.1, "ess_floor"),
    ],
)
def test_tempered_weights_refuses_bad_input(log_w, floor, match):
    with pytest.raises(ValueError, match=match):
        tempered_weights(log_w, floor)
