"""JTTClassifier: the error set of a first training, upweighted in a second one from scratch."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from debias_estimators import CNNClassifier, JTTClassifier
from debias_estimators.estimators._jtt import jtt_sample_weight

SETTINGS = {"hidden_units": (8,), "batch_size": 16, "lr": 1e-2, "max_epochs": 2}


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(80, 5)).astype(np.float32)
    y = (X[:, 0] + 0.8 * rng.normal(size=80) > 0).astype(int)
    return X, y


@pytest.fixture(scope="module")
def fitted(data):
    X, y = data
    return JTTClassifier(identification_epochs=1, upweight=5.0, random_state=0, **SETTINGS).fit(
        X, y
    )


def test_error_set_and_refit_match_two_cnns_trained_by_hand(data, fitted):
    X, y = data
    identifier = CNNClassifier(random_state=0, **{**SETTINGS, "max_epochs": 1}).fit(X, y)
    errors = identifier.predict(X) != y
    assert 0 < errors.sum() < len(y)  # a real error set, neither empty nor everything
    np.testing.assert_array_equal(fitted.error_set_, errors)
    np.testing.assert_array_equal(fitted.identifier_.predict(X), identifier.predict(X))
    weights = np.where(errors, 5.0, 1.0)
    final = CNNClassifier(random_state=0, **SETTINGS).fit(X, y, sample_weight=weights)
    np.testing.assert_allclose(fitted.decision_function(X), final.decision_function(X))
    assert len(fitted.history_) == SETTINGS["max_epochs"]


def test_upweight_one_is_the_plain_cnn(data):
    X, y = data
    jtt = JTTClassifier(upweight=1.0, random_state=0, **SETTINGS).fit(X, y)
    cnn = CNNClassifier(random_state=0, **SETTINGS).fit(X, y)
    np.testing.assert_allclose(jtt.decision_function(X), cnn.decision_function(X))


def test_weights_multiply_the_users():
    weights = jtt_sample_weight([True, False, True], 10.0, sample_weight=[1.0, 2.0, 0.5])
    np.testing.assert_allclose(weights, [10.0, 2.0, 5.0])
    np.testing.assert_allclose(jtt_sample_weight([False, True], 3.0), [1.0, 3.0])


def test_deterministic_with_random_state(data, fitted):
    X, y = data
    again = clone(fitted).fit(X, y)
    np.testing.assert_array_equal(again.error_set_, fitted.error_set_)
    np.testing.assert_allclose(again.decision_function(X), fitted.decision_function(X))


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"upweight": 0.5}, "upweight"),
        ({"upweight": float("nan")}, "upweight"),
        ({"identification_epochs": 0}, "identification_epochs"),
        ({"identification_epochs": 1.5}, "identification_epochs"),
    ],
)
def test_rejects_bad_parameters(data, params, match):
    X, y = data
    with pytest.raises(ValueError, match=match):
        JTTClassifier(**params).fit(X, y)


def test_failed_fit_leaves_the_fitted_estimator_unchanged(data):
    X, y = data
    jtt = JTTClassifier(random_state=0, **SETTINGS).fit(X, y)
    before = jtt.decision_function(X)
    errors, identifier = jtt.error_set_, jtt.identifier_
    with pytest.raises(ValueError, match="samples"):
        jtt.fit(X, y[:-1])
    with pytest.raises(ValueError, match="[Ww]eight"):
        jtt.fit(X, y, sample_weight=np.zeros(len(y)))
    assert jtt.error_set_ is errors and jtt.identifier_ is identifier
    np.testing.assert_array_equal(jtt.decision_function(X), before)


def test_grid_search_over_a_pipeline(data):
    X, y = data
    pipe = make_pipeline(StandardScaler(), JTTClassifier(random_state=0, **SETTINGS))
    search = GridSearchCV(pipe, {"jttclassifier__upweight": [1.0, 5.0]}, cv=2).fit(X, y)
    assert search.best_params_["jttclassifier__upweight"] in (1.0, 5.0)
    best = search.best_estimator_[-1]
    assert best.error_set_.shape == (len(y),)
    assert search.score(X, y) > 0.5


def test_images():
    rng = np.random.RandomState(1)
    X = rng.randint(0, 256, size=(40, 16, 16, 3)).astype(np.uint8)
    y = np.where(np.arange(40) % 2 == 0, "face", "other")
    model = JTTClassifier(n_filters=2, max_epochs=1, batch_size=8, random_state=0).fit(X, y)
    assert model.error_set_.dtype == bool and model.error_set_.shape == (40,)
    np.testing.assert_array_equal(model.error_set_, model.identifier_.predict(X) != y)
    assert set(model.predict(X)) <= {"face", "other"}


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
    jtt = JTTClassifier(random_state=0, upweight=20.0, **settings).fit(X, y)
    # The error set is mostly the minority (s != y), which the upweighting brings forward.
    assert (s != y)[jtt.error_set_].mean() > 0.5
    cnn_worst = _worst_group_accuracy(cnn, X_test, y_test, s_test)
    jtt_worst = _worst_group_accuracy(jtt, X_test, y_test, s_test)
    assert cnn_worst < 0.2 and jtt_worst > cnn_worst + 0.3
