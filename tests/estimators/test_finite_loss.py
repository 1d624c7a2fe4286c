"""A fit that fails leaves the estimator as it was; a NaN loss stops training with its epoch."""

import numpy as np
import pytest

from debias_estimators import CNNClassifier, DebiasedVAEClassifier

from conftest import make_blob_images


def _state(est):
    X, _ = make_blob_images(n=8, size=16, seed=3)
    attributes = {k: v for k, v in vars(est).items() if k.endswith("_")}
    weights = {k: v.clone() for k, v in est.net_.module_.state_dict().items()}
    return attributes, weights, est.predict_proba(X), len(est.history_)


def _assert_same(before, after):
    attributes, weights, proba, epochs = before
    attributes2, weights2, proba2, epochs2 = after
    assert attributes.keys() == attributes2.keys()
    for key, value in attributes.items():
        assert attributes2[key] is value, key
    assert all((weights[k] == weights2[k]).all() for k in weights)
    np.testing.assert_array_equal(proba, proba2)
    assert epochs == epochs2


@pytest.fixture(scope="module")
def fitted():
    X, y = make_blob_images(n=24, size=16)
    return (
        X,
        y,
        [
            CNNClassifier(n_filters=2, max_epochs=1, batch_size=8, random_state=0).fit(X, y),
            DebiasedVAEClassifier(
                latent_dim=2, n_filters=2, max_epochs=1, batch_size=8, random_state=0
            ).fit(X, y),
        ],
    )


def test_a_failing_fit_leaves_a_fitted_estimator_unchanged(fitted):
    X, y, models = fitted
    labels = np.where(y == 1, "face", "other")
    weights = np.ones(len(y))
    weights[0] = np.nan
    for est in models:
        before = _state(est)
        failures = [
            (lambda e=est: e.fit(X, labels, sample_weight=weights), "NaN"),
            (lambda e=est: e.fit(X[:, :8], labels), "too small"),
            (lambda e=est: e.fit(X, labels[:5]), "samples"),
            (lambda e=est: e.set_params(lr=np.inf).fit(X, labels), "lr"),
            (lambda e=est: e.set_params(lr=1e-3, pos_label="x").fit(X, labels), "pos_label"),
            (lambda e=est: e.set_params(pos_label=None).partial_fit(X, labels), "not among"),
            (lambda e=est: e.partial_fit(X[:, :, :, :1], y), "shape"),
        ]
        for failure, match in failures:
            with pytest.raises((ValueError, TypeError), match=match):
                failure()
            _assert_same(before, _state(est))
        est.set_params(lr=5e-4, pos_label=None)


def test_a_nan_loss_stops_training_and_restores_the_estimator(fitted):
    X, y, models = fitted
    est = models[0]
    before = _state(est)
    est.net_.set_params(lr=1e30)  # skorch's way to change a fitted net's learning rate
    try:
        with pytest.raises(FloatingPointError, match=r"nan at epoch 2, batch \d+"):
            est.partial_fit(X, y)
    finally:
        est.net_.set_params(lr=est.lr)
    _assert_same(before, _state(est))
    vae = models[1]
    before = _state(vae)
    # A finite but huge KL weight overflows the loss in the first batch.
    with pytest.raises(FloatingPointError, match="inf at epoch 1, batch 1"):
        vae.set_params(kl_weight=1e300).fit(X, y)
    vae.set_params(kl_weight=5e-4)
    _assert_same(before, _state(vae))


def test_prediction_runs_where_the_network_lives(fitted):
    X, _, models = fitted
    est = models[1]
    expected = est.predict_proba(X)
    # As after unpickling a model trained on a GPU: the parameter names a device that the
    # network is not on (and that this machine may not have).
    est.set_params(device="cuda:7")
    try:
        np.testing.assert_array_equal(est.predict_proba(X), expected)
        assert est.transform(X).shape == (len(X), 2)
        assert est.decode(np.zeros((2, 2))).shape == (2, 16, 16, 3)
    finally:
        est.set_params(device="cpu")
