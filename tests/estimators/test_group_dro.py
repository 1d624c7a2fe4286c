"""GroupDROClassifier: exponentiated group weights over the groups fairlearn-style inputs give."""

import joblib
import numpy as np
import pandas as pd
import pytest
import sklearn
import torch
import torch.nn.functional as F
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from skorch.callbacks import Callback
from skorch.dataset import ValidSplit

from debias_estimators import CNNClassifier, GroupDROClassifier
from debias_estimators.estimators._group_dro import group_dro_step

SETTINGS = {"hidden_units": (8,), "batch_size": 16, "lr": 1e-2, "max_epochs": 2}


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(64, 5)).astype(np.float32)
    y = (X[:, 0] + 0.8 * rng.normal(size=64) > 0).astype(int)
    groups = pd.DataFrame({"skin": rng.choice(["dark", "light"], 64), "sex": rng.randint(0, 2, 64)})
    return X, y, groups


@pytest.fixture(scope="module")
def fitted(data):
    X, y, groups = data
    return GroupDROClassifier(random_state=0, **SETTINGS).fit(X, y, sensitive_features=groups)


def test_step_by_hand():
    losses = torch.tensor([1.0, 2.0, 3.0, 5.0])
    groups = torch.tensor([0, 0, 2, 2])  # group 1 is absent from the batch
    q = torch.tensor([0.5, 0.3, 0.2])
    loss, new_q = group_dro_step(losses, groups, q, eta=0.1)
    group_loss = np.array([1.5, 0.0, 4.0])
    expected = np.array([0.5, 0.3, 0.2]) * np.exp(0.1 * group_loss)
    expected /= expected.sum()
    np.testing.assert_allclose(new_q.numpy(), expected, rtol=1e-6)
    np.testing.assert_allclose(loss.item(), expected @ group_loss, rtol=1e-6)


class _FirstBatch(Callback):
    def on_batch_begin(self, net, batch=None, training=None, **kwargs):
        if training and not hasattr(self, "q_"):
            self.q_ = net.strategy.group_weights.clone()

    def on_batch_end(self, net, batch=None, training=None, y_pred=None, **kwargs):
        if training and not hasattr(self, "y_pred_"):
            self.y_pred_ = y_pred.detach().clone()
            self.meta_ = {k: v.clone() for k, v in batch[1].items()}


def test_one_training_step_updates_q_as_the_formula_says(data):
    X, y, groups = data
    spy = _FirstBatch()
    weights = np.linspace(0.5, 1.5, len(y))
    model = GroupDROClassifier(
        eta=0.5, random_state=0, callbacks=[spy], **{**SETTINGS, "max_epochs": 1, "batch_size": 64}
    ).fit(X, y, sensitive_features=groups, sample_weight=weights)
    assert len(model.groups_) == 4
    # One batch of all samples: one step from uniform q, by hand.
    np.testing.assert_allclose(spy.q_.numpy(), np.full(4, 0.25))
    index = spy.meta_["index"].numpy()
    codes = groups.iloc[index].apply(tuple, axis=1).map({k: i for i, k in enumerate(model.groups_)})
    np.testing.assert_array_equal(spy.meta_["group"].numpy(), codes.to_numpy())
    per_sample = F.binary_cross_entropy_with_logits(
        spy.y_pred_.double(), torch.as_tensor(y[index], dtype=torch.float64), reduction="none"
    ).numpy() * (weights[index] / weights.mean())
    group_loss = np.array([per_sample[codes.to_numpy() == g].mean() for g in range(4)])
    q = 0.25 * np.exp(0.5 * group_loss)
    np.testing.assert_allclose(model.group_weights_, q / q.sum(), rtol=1e-5)
    assert model.group_weights_.argmax() == group_loss.argmax()


def test_groups_from_series_arrays_and_intersections(data, fitted):
    X, y, groups = data
    assert list(fitted.groups_) == [("dark", 0), ("dark", 1), ("light", 0), ("light", 1)]
    np.testing.assert_allclose(fitted.group_weights_.sum(), 1.0)
    one = GroupDROClassifier(random_state=0, **SETTINGS)
    one.fit(X, y, sensitive_features=groups["skin"])
    assert list(one.groups_) == ["dark", "light"]
    again = clone(one).fit(X, y, sensitive_features=groups["skin"].to_numpy())
    np.testing.assert_allclose(again.group_weights_, one.group_weights_)
    np.testing.assert_allclose(again.decision_function(X), one.decision_function(X))


def test_without_groups_one_group(data):
    X, y, _ = data
    model = GroupDROClassifier(random_state=0, **SETTINGS).fit(X, y)
    assert list(model.groups_) == [None]
    np.testing.assert_allclose(model.group_weights_, [1.0])
    assert model.net_.optimizer_.param_groups[0]["weight_decay"] == 1e-3


def test_deterministic_with_random_state(data, fitted):
    X, y, groups = data
    again = clone(fitted).fit(X, y, sensitive_features=groups)
    np.testing.assert_allclose(again.group_weights_, fitted.group_weights_)
    np.testing.assert_allclose(again.decision_function(X), fitted.decision_function(X))


def test_bad_groups_are_refused_and_leave_the_model_unchanged(data):
    X, y, groups = data
    model = GroupDROClassifier(random_state=0, **SETTINGS).fit(X, y, sensitive_features=groups)
    before, q, kept = model.decision_function(X), model.group_weights_, model.groups_
    missing = groups.copy()
    missing.loc[3, "skin"] = None
    with pytest.raises(ValueError, match="1 sample.* missing sensitive features"):
        model.fit(X, y, sensitive_features=missing)
    with pytest.raises(ValueError, match="sensitive_features has 63 rows but X has 64"):
        model.fit(X, y, sensitive_features=groups[:-1])
    with pytest.raises(ValueError, match="not seen in fit"):
        model.partial_fit(X, y, sensitive_features=groups.assign(sex=7))
    with pytest.raises(ValueError, match="sensitive_features is required"):
        model.partial_fit(X, y)
    assert model.groups_ is kept
    np.testing.assert_array_equal(model.group_weights_, q)
    np.testing.assert_array_equal(model.decision_function(X), before)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"eta": -0.1}, "eta"),
        ({"weight_decay": float("inf")}, "weight_decay"),
        ({"net_params": {"optimizer__weight_decay": 0.1}}, "set weight_decay= instead"),
    ],
)
def test_rejects_bad_parameters(data, params, match):
    X, y, groups = data
    with pytest.raises(ValueError, match=match):
        GroupDROClassifier(**params).fit(X, y, sensitive_features=groups)


def test_grid_search_routes_the_groups(data):
    X, y, groups = data
    with sklearn.config_context(enable_metadata_routing=True):
        model = GroupDROClassifier(random_state=0, **SETTINGS).set_fit_request(
            sensitive_features=True
        )
        search = GridSearchCV(model, {"eta": [0.01, 1.0]}, cv=2)
        search.fit(X, y, sensitive_features=groups)
        assert len(search.best_estimator_.groups_) == 4
        unrequested = GridSearchCV(GroupDROClassifier(**SETTINGS), {"eta": [0.01]}, cv=2)
        with pytest.raises(ValueError, match="sensitive_features"):
            unrequested.fit(X, y, sensitive_features=groups)


def test_pipeline_passes_the_groups(data):
    X, y, groups = data
    pipe = Pipeline([("scale", StandardScaler()), ("dro", GroupDROClassifier(**SETTINGS))])
    pipe.fit(X, y, dro__sensitive_features=groups["sex"])
    assert list(pipe[-1].groups_) == [0, 1]
    assert pipe.score(X, y) > 0.5


class _FailWhenArmed(Callback):
    armed = False

    def on_batch_end(self, net, training=None, **kwargs):
        if self.armed and training:
            raise RuntimeError("interrupted after a training step")


def test_interrupted_partial_fit_restores_the_group_weights(data):
    X, y, groups = data
    trap = _FailWhenArmed()
    model = GroupDROClassifier(eta=1.0, random_state=0, callbacks=[trap], **SETTINGS)
    model.fit(X, y, sensitive_features=groups)
    before, q = model.decision_function(X), model.group_weights_
    trap.armed = True
    with pytest.raises(RuntimeError, match="interrupted"):
        model.partial_fit(X, y, sensitive_features=groups)
    np.testing.assert_array_equal(model.group_weights_, q)
    np.testing.assert_array_equal(model.decision_function(X), before)
    trap.armed = False
    model.partial_fit(X, y, sensitive_features=groups)
    assert not np.array_equal(model.group_weights_, q)


def test_images_with_a_validation_split():
    rng = np.random.RandomState(1)
    X = rng.randint(0, 256, size=(40, 16, 16, 3)).astype(np.uint8)
    y = np.arange(40) % 2
    groups = rng.choice(["a", "b", "c"], 40)
    model = GroupDROClassifier(
        n_filters=2, max_epochs=1, batch_size=8, random_state=0, train_split=ValidSplit(4)
    ).fit(X, y, sensitive_features=groups)
    assert np.isfinite(model.history_[-1, "valid_loss"])
    assert model.group_weights_.shape == (3,)
    np.testing.assert_allclose(model.group_weights_.sum(), 1.0, rtol=1e-6)
    assert model.predict_proba(X).shape == (40, 2)


def test_warm_start_continues_and_joblib_round_trip(data, tmp_path):
    X, y, groups = data
    model = GroupDROClassifier(warm_start=True, eta=1.0, random_state=0, **SETTINGS)
    model.fit(X, y, sensitive_features=groups)
    q = model.group_weights_
    model.fit(X, y, sensitive_features=groups)
    assert len(model.history_) == 2 * SETTINGS["max_epochs"]
    assert not np.array_equal(model.group_weights_, q)
    joblib.dump(model, tmp_path / "dro.joblib")
    loaded = joblib.load(tmp_path / "dro.joblib")  # our own file, written just above
    np.testing.assert_array_equal(loaded.group_weights_, model.group_weights_)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    assert list(loaded.groups_) == list(model.groups_)


def _spurious(n, seed, minority):
    # The label shows weakly in feature 0; feature 1 shows a spurious attribute s strongly, equal
    # to y except in a `minority` of samples: a model can score well on s alone.
    rng = np.random.RandomState(seed)
    y = rng.randint(0, 2, n)
    s = np.where(rng.rand(n) < minority, 1 - y, y)
    core = (2 * y - 1) * 0.5 + rng.normal(size=n)
    spurious = (2 * s - 1) * 2.0 + 0.3 * rng.normal(size=n)
    X = np.column_stack([core, spurious, rng.normal(size=(n, 3))]).astype(np.float32)
    return X, y, s


def _worst_group_accuracy(model, X, y, s):
    pred = model.predict(X)
    cells = [(y == a) & (s == b) for a in (0, 1) for b in (0, 1)]
    return min((pred[cell] == y[cell]).mean() for cell in cells)


def test_raises_the_worst_group_over_the_cnn_on_a_spurious_feature():
    X, y, s = _spurious(2000, 0, minority=0.05)
    X_test, y_test, s_test = _spurious(2000, 1, minority=0.5)
    settings = {"hidden_units": (32,), "max_epochs": 10, "lr": 1e-2, "batch_size": 64}
    cnn = CNNClassifier(random_state=0, **settings).fit(X, y)
    dro = GroupDROClassifier(random_state=0, **settings)
    dro.fit(X, y, sensitive_features=pd.DataFrame({"y": y, "s": s}))
    cnn_worst = _worst_group_accuracy(cnn, X_test, y_test, s_test)
    dro_worst = _worst_group_accuracy(dro, X_test, y_test, s_test)
    assert cnn_worst < 0.2 and dro_worst > cnn_worst + 0.3
