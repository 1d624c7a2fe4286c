"""GEORGEClassifier: group DRO over clusters of a first CNN's features, found without labels."""

import numpy as np
import pytest

from debias_estimators import CNNClassifier, GEORGEClassifier, GroupDROClassifier
from debias_estimators.estimators._george import cluster_within_classes

SETTINGS = {"hidden_units": (8,), "batch_size": 16, "lr": 1e-2, "max_epochs": 2}


@pytest.fixture(scope="module")
def data():
    # Class 1 holds a common and a rare subclass, apart in the second feature.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(80, 5)).astype(np.float32)
    y = (np.arange(80) % 2).astype(int)
    X[y == 1, 0] += 3.0
    X[np.flatnonzero(y == 1)[:8], 1] += 6.0
    return X, y


@pytest.fixture(scope="module")
def fitted(data):
    X, y = data
    return GEORGEClassifier(n_clusters=2, random_state=0, **SETTINGS).fit(X, y)


def test_each_class_is_clustered_apart():
    rng = np.random.RandomState(0)
    features = np.vstack([rng.normal(0, 0.1, (20, 4)), rng.normal(5, 0.1, (5, 4))])
    features = np.vstack([features, np.ones((10, 4))])  # class 0: one point ten times
    y = np.array([1] * 25 + [0] * 10)
    groups = cluster_within_classes(features, y, n_clusters=3, n_components=2, random_state=0)
    assert list(groups.columns) == ["class", "cluster"]
    assert (groups["class"].to_numpy() == y).all()  # labels 0 and 1 sit at positions 0 and 1
    assert (groups["cluster"][y == 0] == 0).all()  # identical features: one cluster, no warning
    rare = groups["cluster"][20:25]
    assert rare.nunique() == 1 and not set(rare) & set(groups["cluster"][:20])


def test_fit_finds_the_rare_subclass_and_trains_group_dro_over_the_clusters(data, fitted):
    X, y = data
    assert all(isinstance(key, tuple) and key[0] in (0, 1) for key in fitted.groups_)
    assert len(fitted.groups_) == 4  # two clusters per class
    assert fitted.clusters_.shape == (80,)
    rare = fitted.clusters_[np.flatnonzero(y == 1)[:8]]
    assert len(set(rare)) == 1  # the rare subclass forms one cluster ...
    assert np.sum(fitted.clusters_ == rare[0]) < 20  # ... of its own, not the whole class
    np.testing.assert_allclose(fitted.group_weights_.sum(), 1.0)
    assert isinstance(fitted.identifier_, CNNClassifier)
    assert len(fitted.identifier_.history_) == 1 and len(fitted.history_) == 2
    assert fitted.predict(X).shape == (80,)


def test_the_clusters_are_the_groups_group_dro_is_given(data, fitted):
    X, y = data
    groups = np.array([f"{a}/{b}" for a, b in fitted.groups_])[fitted.clusters_]
    dro = GroupDROClassifier(random_state=0, weight_decay=1e-3, **SETTINGS)
    # The same seed and groups give group DRO's own fit: GEORGE adds only how groups are found.
    dro.fit(X, y, sensitive_features=groups)
    np.testing.assert_allclose(dro.predict_proba(X), fitted.predict_proba(X), atol=1e-6)


def test_there_is_no_partial_fit_or_warm_start():
    assert not hasattr(GEORGEClassifier(), "partial_fit")
    assert "warm_start" not in GEORGEClassifier().get_params()


@pytest.mark.parametrize(
    ("params", "match"), [({"n_clusters": 0}, "n_clusters"), ({"n_components": 0}, "n_comp")]
)
def test_bad_parameters_are_refused_before_training(data, params, match):
    est = GEORGEClassifier(**params, **SETTINGS)
    with pytest.raises(ValueError, match=match):
        est.fit(*data)
    assert not hasattr(est, "identifier_") and not hasattr(est, "net_")


def test_a_failed_fit_leaves_the_fitted_estimator_as_it_was(data, fitted):
    X, y = data
    before = (fitted.net_, fitted.identifier_, fitted.clusters_.copy())
    with pytest.raises(ValueError, match="samples"):
        fitted.fit(X, y[:-1])
    assert (fitted.net_, fitted.identifier_) == before[:2]
    np.testing.assert_array_equal(fitted.clusters_, before[2])
