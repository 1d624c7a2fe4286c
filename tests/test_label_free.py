import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import GridSearchCV

from debias_estimators import CNNClassifier
from debias_estimators.metrics import WorstClusterRecall, appearance_clusters


def _two_looks(n_light=60, n_dark=20, n_neg=80, size=16, seed=0):
    """Positives of two looks (light and dark squares on grey) and noisy negatives."""
    rng = np.random.default_rng(seed)
    light = np.full((n_light, size, size, 3), 220, np.uint8)
    dark = np.full((n_dark, size, size, 3), 30, np.uint8)
    neg = rng.integers(0, 256, (n_neg, size, size, 3), dtype=np.uint8)
    X = np.concatenate([light, dark, neg])
    X[:, :, :, 1] = np.clip(X[:, :, :, 1] + rng.integers(0, 9, X.shape[:3]), 0, 255)
    y = np.r_[np.ones(n_light + n_dark, int), np.zeros(n_neg, int)]
    return X, y


class _MissesDark(ClassifierMixin, BaseEstimator):
    """Predicts a face for bright images only: it misses every dark face."""

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return (np.asarray(X).reshape(len(X), -1).mean(axis=1) > 150).astype(int)


def test_appearance_clusters_separate_the_looks():
    X, y = _two_looks()
    labels = appearance_clusters(X[y == 1], n_clusters=2)
    assert len(set(labels[:60])) == 1 and len(set(labels[60:])) == 1
    assert labels[0] != labels[60]


def test_worst_cluster_recall_finds_the_missed_look_without_group_labels():
    X, y = _two_looks()
    model = _MissesDark().fit(X, y)
    # Recall over all faces is 75 %; the worst cluster (the dark faces) is 0 %.
    assert (model.predict(X[y == 1]) == 1).mean() == pytest.approx(0.75)
    assert WorstClusterRecall(n_clusters=2, min_cluster_size=5)(model, X, y) == 0.0


def test_small_clusters_are_left_out_and_too_few_positives_raise():
    X, y = _two_looks(n_dark=4)
    model = _MissesDark().fit(X, y)
    # The 4 dark faces form a cluster below min_cluster_size: only the light one counts.
    assert WorstClusterRecall(n_clusters=2, min_cluster_size=5)(model, X, y) == 1.0
    with pytest.raises(ValueError, match="positives"):
        WorstClusterRecall(n_clusters=2, min_cluster_size=100)(model, X, y)
    with pytest.raises(ValueError, match="n_clusters"):
        WorstClusterRecall(n_clusters=0)(model, X, y)


def test_usable_as_grid_search_scoring():
    X, y = _two_looks(n_light=40, n_dark=16, n_neg=56)
    search = GridSearchCV(
        CNNClassifier(n_filters=2, max_epochs=1, batch_size=16, random_state=0),
        {"lr": [1e-3, 1e-2]},
        scoring=WorstClusterRecall(n_clusters=2, min_cluster_size=3),
        cv=2,
    )
    search.fit(X, y)
    scores = search.cv_results_["mean_test_score"]
    assert scores.shape == (2,) and np.all((scores >= 0) & (scores <= 1))
