import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer
from skorch.callbacks import Callback

from debias_estimators import LfFClassifier

from conftest import make_blob_images


def small(**params):
    defaults = {"n_filters": 2, "max_epochs": 2, "batch_size": 16, "random_state": 0}
    return LfFClassifier(**{**defaults, **params})


@pytest.fixture(scope="module")
def fitted():
    X, y = make_blob_images()
    return small().fit(X, y), X, y


def test_fit_predict_transform_use_the_debiased_network(fitted):
    clf, X, _ = fitted
    assert clf.predict(X).shape == (48,)
    assert clf.predict_proba(X).shape == (48, 2)
    assert clf.transform(X).shape == (48, 512)
    assert len(clf.history_) == 2
    module = clf.net_.module_
    x = torch.as_tensor(X[:5] / 255.0, dtype=torch.float32).permute(0, 3, 1, 2)
    with torch.no_grad():
        debiased, biased = module.debiased(x).numpy(), module.biased(x).numpy()
    np.testing.assert_allclose(clf.decision_function(X[:5]), debiased, rtol=1e-5, atol=1e-6)
    assert not np.allclose(debiased, biased)  # two networks, trained differently
    # Every training sample has moving averages of both losses.
    state = clf.net_.strategy.loss_ema
    assert state["loss"].shape == (2, 48) and bool(state["seen"].all())
    assert bool((state["loss"] > 0).all())


def test_moving_averages_and_weights_follow_the_paper(fitted):
    clf = clone(fitted[0]).set_params(ema=0.7)
    X, y = fitted[1], fitted[2]
    net = clf.fit(X, y).net_
    net.strategy.loss_ema = {"loss": torch.zeros((2, 4)), "seen": torch.zeros(4, dtype=torch.bool)}
    index = torch.tensor([0, 2])
    # First sight: the average is the loss itself.
    w = net.strategy.relative_difficulty(index, torch.tensor([1.0, 0.2]), torch.tensor([1.0, 0.6]))
    np.testing.assert_allclose(w.numpy(), [0.5, 0.25], rtol=1e-6)
    # Then ema * previous + (1 - ema) * current, for each network, and W = b / (b + d).
    w = net.strategy.relative_difficulty(index, torch.tensor([3.0, 0.2]), torch.tensor([1.0, 2.6]))
    b = np.array([0.7 * 1.0 + 0.3 * 3.0, 0.2])
    d = np.array([1.0, 0.7 * 0.6 + 0.3 * 2.6])
    np.testing.assert_allclose(w.numpy(), b / (b + d), rtol=1e-6)
    np.testing.assert_allclose(net.strategy.loss_ema["loss"][:, [0, 2]].numpy(), [b, d], rtol=1e-6)
    assert net.strategy.loss_ema["seen"].tolist() == [True, False, True, False]


def test_training_loss_is_gce_plus_weighted_ce(fitted):
    clf = clone(fitted[0])
    net = clf.fit(fitted[1], fitted[2]).net_
    net.strategy.loss_ema = {"loss": torch.zeros((2, 3)), "seen": torch.zeros(3, dtype=torch.bool)}
    z_d, z_b = np.array([0.5, -2.0, 1.0]), np.array([3.0, 1.0, -0.5])
    y, w = np.array([1.0, 1.0, 0.0]), np.array([1.0, 2.0, 0.5])
    meta = {
        "y": torch.tensor(y, dtype=torch.float32),
        "w": torch.tensor(w, dtype=torch.float32),
        "index": torch.arange(3),
    }
    pred = (torch.tensor(z_d, dtype=torch.float32), torch.tensor(z_b, dtype=torch.float32))
    loss = net.get_loss(pred, meta, training=True).item()

    def ce(z):
        p = 1 / (1 + np.exp(-z))
        return -(y * np.log(p) + (1 - y) * np.log(1 - p))

    p_b = 1 / (1 + np.exp(-z_b))
    gce = (1 - np.where(y == 1, p_b, 1 - p_b) ** 0.7) / 0.7
    weight = ce(z_b) / (ce(z_b) + ce(z_d))
    expected = np.mean(gce * w) + np.mean(ce(z_d) * weight * w)
    assert loss == pytest.approx(expected, rel=1e-5)


def test_deterministic_with_random_state_and_clone(fitted):
    clf, X, y = fitted
    again = clone(clf).fit(X, y)
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))


@pytest.mark.parametrize(
    "params, match",
    [
        ({"q": 0.0}, "'q' parameter"),
        ({"q": 1.5}, "'q' parameter"),
        ({"q": float("nan")}, "'q' parameter"),
        ({"ema": 1.0}, "'ema' parameter"),
        ({"ema": -0.1}, "'ema' parameter"),
        ({"ema": "fast"}, "'ema' parameter"),
    ],
)
def test_bad_parameters_are_rejected_before_training(params, match):
    X, y = make_blob_images(n=8)
    clf = small(**params)
    with pytest.raises(ValueError, match=match):
        clf.fit(X, y)
    with pytest.raises(ValueError, match=match):
        clf.partial_fit(X, y)
    assert not hasattr(clf, "net_")


def test_every_parameter_has_a_constraint():
    assert set(LfFClassifier._parameter_constraints) == set(LfFClassifier().get_params())


def test_bias_conflicting_samples_weigh_more():
    # Feature 0 is an easy cue that agrees with the label on 90 % of the samples; feature 1 is
    # the label's own, noisier signal. The biased network fails on the other 10 %.
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 400)
    aligned = rng.random(400) < 0.9
    cue = np.where(aligned, y, 1 - y)
    X = np.column_stack(
        [
            3.0 * (2 * cue - 1) + 0.1 * rng.normal(size=400),
            (2 * y - 1) + 0.5 * rng.normal(size=400),
            rng.normal(size=(400, 4)),
        ]
    ).astype(np.float32)
    clf = LfFClassifier(hidden_units=(16,), max_epochs=15, lr=1e-2, random_state=0).fit(X, y)
    biased, debiased = clf.net_.strategy.loss_ema["loss"].numpy()
    weight = biased / (biased + debiased)
    assert weight[~aligned].mean() > weight[aligned].mean() + 0.1


class _FailAfterEpoch(Callback):
    def __init__(self, fail=False):
        self.fail = fail

    def on_epoch_end(self, net, **kwargs):
        if self.fail:
            raise RuntimeError("stopped")


def test_failed_partial_fit_leaves_weights_and_moving_averages(fitted):
    X, y = fitted[1], fitted[2]
    callback = _FailAfterEpoch()
    clf = small(callbacks=[("fail", callback)]).fit(X, y)
    before = clf.predict_proba(X)
    ema = clf.net_.strategy.loss_ema["loss"].clone()
    callback.fail = True
    with pytest.raises(RuntimeError, match="stopped"):
        clf.partial_fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), before)
    torch.testing.assert_close(clf.net_.strategy.loss_ema["loss"], ema, rtol=0, atol=0)
    assert len(clf.history_) == 2


def test_pipeline_and_grid_search():
    X, y = make_blob_images(n=32)
    flat = X.reshape(len(X), -1).astype(np.float32) / 255.0
    pipe = make_pipeline(FunctionTransformer(), small(max_epochs=1, hidden_units=(8,)))
    search = GridSearchCV(pipe, {"lfffclassifier__q": [0.5, 0.7]}, cv=2, error_score="raise")
    with pytest.raises(ValueError, match="lfffclassifier"):
        search.fit(flat, y)  # a misspelt step name fails loudly
    search = GridSearchCV(pipe, {"lffclassifier__q": [0.5, 0.7]}, cv=2, error_score="raise")
    search.fit(flat, y)
    assert search.best_params_["lffclassifier__q"] in (0.5, 0.7)
    assert search.predict(flat).shape == (32,)
