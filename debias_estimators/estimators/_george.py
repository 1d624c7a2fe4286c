"""GEORGE: group DRO over subclasses that a first model's features reveal, without group labels.

Sohoni et al., "No Subclass Left Behind: Fine-Grained Robustness in Coarse-Grained
Classification Problems", NeurIPS 2020. A first CNN trains on the class labels alone; the
training samples of each class are clustered in its penultimate features (reduced to a few
dimensions, with UMAP in the paper and PCA here, so that no dependency is added); a fresh network
then trains with group DRO, the clusters as its groups. Rare subclasses, such as darker faces,
tend to form clusters of their own, so the worst of them is trained for without any group label.
"""

import warnings
from numbers import Integral

import numpy as np
import pandas as pd
import torch
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval
from sklearn.utils.metaestimators import available_if

from .._hyperparams import with_plain_params
from .._random import resolve_seed
from ._checkpoint import identification_checkpoint
from ._cnn import CNNClassifier
from ._docs import fill_param_docs
from ._group_dro import GroupDROClassifier
from ._jtt import JTTClassifier
from ._params import store_init_params

__all__ = ["GEORGEClassifier", "cluster_within_classes"]


def cluster_within_classes(features, y, *, n_clusters, n_components, random_state):
    """Cluster each class's samples in a few principal components of their features.

    Parameters
    ----------
    features : ndarray of shape (n_samples, n_features)
        A first model's features of the training samples.
    y : array-like of shape (n_samples,)
        Their class labels.
    n_clusters : int
        Clusters per class at most; a class with fewer distinct feature vectors gets fewer.
    n_components : int
        Principal components the features are reduced to before clustering.
    random_state : int
        Seeds the projection and k-means.

    Returns
    -------
    groups : pandas.DataFrame
        Columns ``class`` (the position of the label among the sorted labels) and ``cluster``,
        one row per sample: the groups group DRO is given.
    """
    _, class_of = np.unique(np.asarray(y).reshape(-1), return_inverse=True)
    cluster = np.zeros(len(class_of), dtype=np.int64)
    for label in np.unique(class_of):
        rows = np.flatnonzero(class_of == label)
        cluster[rows] = _clusters(features[rows], n_clusters, n_components, random_state)
    return pd.DataFrame({"class": class_of.astype(np.int64), "cluster": cluster})


def _clusters(features, n_clusters, n_components, random_state):
    # k-means warns when asked for more clusters than distinct points, and PCA divides by the
    # variance: a class of identical (or too few) feature vectors is one cluster.
    n_distinct = len(np.unique(features, axis=0))
    if min(n_clusters, n_distinct) < 2:
        return np.zeros(len(features), dtype=np.int64)
    n_components = min(n_components, features.shape[1], len(features) - 1)
    reduced = PCA(n_components=n_components, random_state=random_state).fit_transform(features)
    k = min(n_clusters, len(np.unique(reduced, axis=0)))
    if k < 2:
        return np.zeros(len(features), dtype=np.int64)
    kmeans = KMeans(n_clusters=k, n_init=4, random_state=random_state)
    with warnings.catch_warnings():
        # Near-duplicate points can leave a cluster empty; k-means warns and the clusters it
        # did find are the groups, numbered without gaps below.
        warnings.simplefilter("ignore", ConvergenceWarning)
        labels = kmeans.fit_predict(reduced)
    return np.unique(labels, return_inverse=True)[1].astype(np.int64)


def _never(estimator):
    return False


@fill_param_docs
class GEORGEClassifier(GroupDROClassifier):
    """GEORGE: group DRO over the clusters of a first CNN's features, with no group labels.

    :meth:`fit` trains an identification CNN (the same network and settings) for
    ``identification_epochs`` epochs, clusters each class's training samples in the first
    ``n_components`` principal components of its penultimate features (at most ``n_clusters``
    per class, by k-means), and trains a fresh network with group DRO for ``max_epochs``
    epochs, the clusters as its groups (Sohoni et al., NeurIPS 2020). The clusters stand in for
    the subclasses nobody labelled: a rare kind of face that the first model sees differently
    forms a cluster of its own, and group DRO trains for the worst cluster.

    Parameters
    ----------
    n_clusters : int, default=4
        Clusters per class at most (the paper chooses it per class by silhouette score, up to
        10); a class with fewer distinct feature vectors gets fewer.
    n_components : int, default=2
        Principal components of the features that are clustered (the paper reduces to 2 with
        UMAP).
    identification_epochs : int, default=1
        Epochs of the identification CNN. The paper trains it fully; a short run leaves more
        of the rare samples' difference in its features.
    eta : float, default=0.01
        Step size of the group weights.
    weight_decay : float, default=1e-3
        The optimizer's L2 penalty of both trainings, as for :class:`GroupDROClassifier`.
    %(n_filters)s
    %(hidden_units)s
    %(lr)s
    %(batch_size)s
    max_epochs : int, default=10
        Epochs of the group DRO training.
    %(optimizer)s
    %(pos_label)s
    random_state : None, int or numpy.random.RandomState, default=None
        Seeds both trainings and the clustering; an int makes ``fit`` repeatable on CPU.
    %(device)s
    %(compile)s
    %(callbacks)s
    %(train_split)s
    %(verbose)s
    %(image_shape)s
    %(data_format)s
    net_params : dict, optional
        Further skorch parameters of both nets (not ``optimizer__weight_decay``: see
        ``weight_decay``).
    %(checkpoint)s
        The identification CNN's checkpoints go to its ``identification`` folder.
    %(checkpoint_every)s

    Attributes
    ----------
    groups_ : ndarray of shape (n_groups,)
        The clusters, as ``(class, cluster)`` pairs: the position of the class among
        ``classes_`` and the cluster's number within the class.
    clusters_ : ndarray of int, shape (n_samples,)
        The position in ``groups_`` of each training sample's cluster.
    group_weights_ : ndarray of shape (n_groups,)
        The group weights ``q`` after training, in the order of ``groups_``.
    identifier_ : CNNClassifier
        The fitted identification CNN (not saved by
        :func:`~debias_estimators.persistence.save_model`).
    net_ : skorch.NeuralNet
        The trained skorch net.
    %(fitted_attributes)s
    history_ : skorch.History
        Per-epoch record of the group DRO training.

    See Also
    --------
    GroupDROClassifier : The same training, given the true groups.
    JTTClassifier : Label-free: upweights the errors of a first training.

    Notes
    -----
    Training costs ``identification_epochs + max_epochs`` epochs of the CNN, a feature pass
    over the training set and k-means on a few components (seconds). There is no
    ``warm_start`` and no ``partial_fit``: the groups come from a model trained on the whole
    training set, so each :meth:`fit` starts afresh.

    References
    ----------
    .. [1] N. S. Sohoni, J. A. Dunnmon, G. Angus, A. Gu and C. Ré, "No Subclass Left Behind:
       Fine-Grained Robustness in Coarse-Grained Classification Problems", NeurIPS 2020.
    """

    _parameter_constraints: dict = {
        **{k: v for k, v in GroupDROClassifier._parameter_constraints.items() if k != "warm_start"},
        "n_clusters": [Interval(Integral, 1, None, closed="left")],
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "identification_epochs": JTTClassifier._parameter_constraints["identification_epochs"],
    }

    def __init__(
        self,
        *,
        n_clusters=4,
        n_components=2,
        identification_epochs=1,
        eta=0.01,
        weight_decay=1e-3,
        n_filters=12,
        hidden_units=(64, 64),
        lr=5e-4,
        batch_size=32,
        max_epochs=10,
        optimizer=torch.optim.Adam,
        pos_label=None,
        random_state=None,
        device="cpu",
        compile=False,
        callbacks=None,
        train_split=None,
        verbose=0,
        image_shape=None,
        data_format="auto",
        net_params=None,
        checkpoint=None,
        checkpoint_every=1,
    ):
        store_init_params(self, locals())

    @with_plain_params
    def fit(self, X, y, sample_weight=None):
        """Train the identification CNN, cluster each class, train group DRO over the clusters.

        Parameters
        ----------
        X : array-like
            Images ``(n, H, W)``, ``(n, H, W, C)`` or ``(n, C, H, W)`` (``uint8`` 0..255 or
            float 0..1), or feature vectors ``(n, n_features)``.
        y : array-like of shape (n,)
            Two class labels of any type.
        sample_weight : array-like of shape (n,), optional
            Per-sample loss weights of both trainings.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        self._validate_params()
        self._training_dataset(X, y, sample_weight, reset=True)  # every check, before training
        seed = resolve_seed(self.random_state)
        identifier = self._identifier(seed).fit(X, y, sample_weight=sample_weight)
        groups = cluster_within_classes(
            identifier.transform(X),
            y,
            n_clusters=self.n_clusters,
            n_components=self.n_components,
            random_state=seed,
        )
        super().fit(X, y, sensitive_features=groups, sample_weight=sample_weight)
        self.identifier_ = identifier
        position = {key: i for i, key in enumerate(self.groups_)}
        rows = groups.itertuples(index=False, name=None)
        self.clusters_ = np.array([position[row] for row in rows], dtype=np.int64)
        return self

    # Clusters of new samples would need the identification model, which a saved model lacks.
    partial_fit = available_if(_never)(GroupDROClassifier.partial_fit)

    def _identifier(self, seed):
        """Return the unfitted identification CNN: this estimator's network settings."""
        shared = CNNClassifier().get_params(deep=False)
        params = {k: v for k, v in self.get_params(deep=False).items() if k in shared}
        weight_decay = {"optimizer__weight_decay": self.weight_decay}
        params["net_params"] = {**(self.net_params or {}), **weight_decay}
        params["checkpoint"] = identification_checkpoint(self.checkpoint)
        return CNNClassifier(
            **{**params, "max_epochs": self.identification_epochs, "random_state": seed}
        )

    def _saved_state(self):
        values, tensors = super()._saved_state()
        return values, {**tensors, "clusters_": torch.as_tensor(self.clusters_)}

    def _restore_tensors(self, tensors):
        super()._restore_tensors(tensors)
        self.clusters_ = tensors["clusters_"].cpu().numpy().astype(np.int64)
