"""Scoring a debiased model without group labels: the recall of its worst cluster of positives.

Nobody labelled the groups, so a search over settings cannot be scored by worst-group recall.
What can be done is to split the validation positives (faces) into clusters of similar
appearance and score a model by the recall of the cluster it serves worst: a model that misses
a rare kind of face misses most of the cluster that holds it. The clusters are found in a space
that does not depend on the model (the images, downsampled and reduced by PCA), so every
candidate of a search is scored on the same clusters.
"""

import numbers

import numpy as np
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

from ._images import as_channels_first, infer_layout

__all__ = ["WorstClusterRecall", "appearance_clusters"]

# Images are averaged down to this many pixels a side before PCA: colour and layout remain.
_POOLED_SIZE = 8


def appearance_clusters(X, n_clusters=8, *, n_components=10, random_state=0):
    """Cluster images by appearance: mean-pooled pixels, standardised, PCA, then k-means.

    Parameters
    ----------
    X : ndarray
        Images ``(n, H, W)``, ``(n, H, W, C)`` or ``(n, C, H, W)``, or feature vectors
        ``(n, n_features)``.
    n_clusters : int, default=8
        Number of clusters.
    n_components : int, default=10
        PCA components kept before clustering.
    random_state : int, default=0
        Seed of PCA and k-means.

    Returns
    -------
    labels : ndarray of int of shape (n,)
        The cluster of each image.
    """
    features = _appearance_features(np.asarray(X))
    n_components = min(n_components, *features.shape)
    reduced = PCA(n_components=n_components, random_state=random_state).fit_transform(
        StandardScaler().fit_transform(features)
    )
    kmeans = KMeans(n_clusters=n_clusters, n_init=4, random_state=random_state)
    return kmeans.fit_predict(reduced)


def _appearance_features(X):
    if X.ndim == 2:
        return X.astype(np.float64)
    images = as_channels_first(X, infer_layout(X.shape))
    cells = [np.array_split(np.arange(n), min(_POOLED_SIZE, n)) for n in images.shape[2:]]
    pooled = [
        images[:, :, r[0] : r[-1] + 1, c[0] : c[-1] + 1].mean(axis=(2, 3), dtype=np.float64)
        for r in cells[0]
        for c in cells[1]
    ]
    return np.stack(pooled, axis=2).reshape(len(X), -1)


class WorstClusterRecall:
    """A scorer: recall of the worst appearance cluster of the positives, no group labels needed.

    Use it as ``GridSearchCV(..., scoring=WorstClusterRecall())``. Called with a fitted
    classifier and a labelled validation set, it clusters the positives of the set by
    appearance (:func:`appearance_clusters`) and returns the lowest recall among the clusters
    of at least ``min_cluster_size`` positives.

    Parameters
    ----------
    n_clusters : int, default=8
        Clusters of the validation positives.
    min_cluster_size : int, default=10
        Smaller clusters are left out: their recall is too noisy to rank models by.
    random_state : int, default=0
        Seed of the clustering.

    Examples
    --------
    >>> from sklearn.model_selection import GridSearchCV
    >>> from debias_estimators import DebiasedVAEClassifier
    >>> from debias_estimators.metrics import WorstClusterRecall
    >>> search = GridSearchCV(
    ...     DebiasedVAEClassifier(), {"ess_floor": [0.3, 0.6]}, scoring=WorstClusterRecall()
    ... )
    """

    def __init__(self, n_clusters=8, min_cluster_size=10, random_state=0):
        self.n_clusters = n_clusters
        self.min_cluster_size = min_cluster_size
        self.random_state = random_state

    def __call__(self, estimator, X, y):
        """Score a fitted classifier on ``X``, ``y``.

        Parameters
        ----------
        estimator : classifier
            Fitted, with ``predict`` and ``classes_``; its positive class is ``pos_label_``
            when it has one, else ``classes_[1]``.
        X : array-like
            Validation samples.
        y : array-like of shape (n,)
            Their labels (no group labels).

        Returns
        -------
        score : float
            The worst cluster's recall, in ``[0, 1]``.
        """
        check_is_fitted(estimator)
        self._check_params()
        y = np.asarray(y)
        pos_label = getattr(estimator, "pos_label_", estimator.classes_[1])
        positives = np.flatnonzero(y == pos_label)
        if len(positives) < max(self.n_clusters, self.min_cluster_size):
            raise ValueError(
                f"WorstClusterRecall needs at least {max(self.n_clusters, self.min_cluster_size)} "
                f"positives in the validation set; got {len(positives)}."
            )
        X_pos = np.asarray(X)[positives]
        clusters = appearance_clusters(X_pos, self.n_clusters, random_state=self.random_state)
        hit = np.asarray(estimator.predict(X_pos)) == pos_label
        recalls = [
            hit[clusters == k].mean()
            for k in np.unique(clusters)
            if (clusters == k).sum() >= self.min_cluster_size
        ]
        return float(min(recalls)) if recalls else float(hit.mean())

    def _check_params(self):
        for name in ("n_clusters", "min_cluster_size"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}.")

    def __repr__(self):
        return (
            f"WorstClusterRecall(n_clusters={self.n_clusters}, "
            f"min_cluster_size={self.min_cluster_size}, random_state={self.random_state})"
        )
