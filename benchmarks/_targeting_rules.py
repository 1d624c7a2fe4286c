"""The candidate weightings of ``weight_targeting.py``: log-weights of the training faces.

Each rule takes the signals of one trained DB-VAE and returns unnormalised log-weights (higher
is drawn more often); the yardstick then brings every rule to the same effective sample size.
The signals (:class:`Signals`) are label-free except ``attributes``, which only the two
references read:

* ``Z``: the full model's latent means of the training faces;
* ``loss`` and ``error``: each face's cross-fitted (out-of-fold) log-loss and miss of the
  DB-VAE's own classifier head, trained on the other fold;
* ``early_loss``: each face's training log-loss after the full model's first epoch (no
  extra training: the difficulty a single fit can see, as JTT reads it).
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import gaussian_kde
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.mixture import GaussianMixture
from sklearn.model_selection import cross_val_predict
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import StandardScaler

from debias_estimators import LatentDensityResampler
from debias_estimators.resampling import smoothed_loss

EPS = 1e-3  # added to error rates before the log: a face no neighbour misses keeps a weight


@dataclass
class Signals:
    Z: np.ndarray
    loss: np.ndarray
    error: np.ndarray
    early_loss: np.ndarray
    attributes: pd.DataFrame

    @property
    def Zs(self):
        return StandardScaler().fit_transform(self.Z)


def _flat(signals):
    return np.zeros(len(signals.Z))


def _histogram(combine, alpha):
    def rule(signals):
        resampler = LatentDensityResampler(alpha=alpha, combine=combine, min_ess_fraction=0)
        return resampler.fit(signals.Z).score_samples(signals.Z)

    return rule


def _skin_oracle(signals):
    skin = signals.attributes["skin_type"].astype(str)
    return -np.log(skin.map(skin.value_counts(normalize=True)).to_numpy())


def _cell_error_ceiling(signals):
    # Each face's out-of-fold error rate within its full attribute combination: what a perfect
    # label-free estimate of "how often is a face like this missed" could at best give.
    columns = [c for c in signals.attributes.columns if c != "fitzpatrick"]
    cells = signals.attributes[columns].astype(str).agg("|".join, axis=1).to_numpy()
    rate = pd.Series(signals.error.astype(float)).groupby(cells).transform("mean")
    return np.log(rate.to_numpy() + EPS)


def _oof_loss(signals):
    return np.log(signals.loss)


def _early_loss(signals):
    return np.log(signals.early_loss)


def _standardised(values):
    spread = values.std()
    return values / spread if spread > 0 else values * 0


def _oof_loss_times_rarity(signals):
    # Equal say to difficulty and to the default histogram rarity (each standardised).
    rarity = _histogram("geometric", 0.05)(signals)
    return _standardised(np.log(signals.loss)) + _standardised(rarity)


def _neighbour_mean(values, features, k):
    k = min(k, len(values) - 1)
    _, index = NearestNeighbors(n_neighbors=k).fit(features).kneighbors(features)
    return values[index].mean(axis=1)


def _knn_loss(k):
    return lambda signals: np.log(_neighbour_mean(signals.loss, signals.Zs, k))


def _knn_loss_on_loss_dims(k, m, source="loss"):
    """Mean loss of the k nearest faces, on the m latent dims that track that loss most.

    ``source`` names the loss: ``"loss"`` (out-of-fold) or ``"early_loss"`` (training, epoch 1).
    The library's smoothing, as ``DebiasedVAEClassifier(weighting="difficulty")`` does it.
    """

    def rule(signals):
        loss = getattr(signals, source)
        return np.log(smoothed_loss(signals.Z, loss, n_dims=m, n_neighbors=k)[0])

    return rule


def _clusters_by_error(n_clusters):
    """GEORGE-style: k-means on 10 whitened components; a cluster's mass is its error rate."""

    def rule(signals):
        n_clusters_ = min(n_clusters, len(signals.Z) // 2)
        P = PCA(min(10, signals.Z.shape[1]), whiten=True, random_state=0).fit_transform(signals.Z)
        labels = KMeans(n_clusters_, n_init=4, random_state=0).fit_predict(P)
        groups = pd.Series(signals.error.astype(float)).groupby(labels)
        return np.log(groups.transform("mean").to_numpy() + EPS) - np.log(
            groups.transform("size").to_numpy()
        )

    return rule


def _error_model(signals):
    """Cross-validated p(error | latent mean) of a logistic regression (C=0.01)."""
    if np.unique(signals.error).size < 2 or min(np.bincount(signals.error)) < 5:
        return None
    model = LogisticRegression(C=0.01, max_iter=2000)
    return cross_val_predict(model, signals.Zs, signals.error, cv=5, method="predict_proba")[:, 1]


def _predicted_error(signals):
    p = _error_model(signals)
    return _flat(signals) if p is None else np.log(p)


def _rarity_on_error_direction(signals):
    # Inverse density along the direction that predicts held-out errors, on its missed side.
    if np.unique(signals.error).size < 2:
        return _flat(signals)
    Zs = signals.Zs
    model = LogisticRegression(C=0.01, max_iter=2000).fit(Zs, signals.error)
    score = Zs @ model.coef_[0]
    log_density = np.log(gaussian_kde(score)(score))
    return np.where(score > np.median(score), -log_density, -log_density.max())


def _error_density_ratio(signals):
    # Choi & Grover's density ratio with the missed faces as the reference set, on 10 whitened
    # components: log p_missed(z) - log p_all(z), each a Gaussian mixture.
    if signals.error.sum() < 20:
        return _flat(signals)
    P = PCA(min(10, signals.Z.shape[1]), whiten=True, random_state=0).fit_transform(signals.Z)
    missed = GaussianMixture(4, random_state=0).fit(P[signals.error])
    everyone = GaussianMixture(8, random_state=0).fit(P)
    return missed.score_samples(P) - everyone.score_samples(P)


# (short code, name, rule); "reference" rules read the group labels.
RULES = [
    ("max", "paper histogram, max (lab, a=1e-3)", _histogram("max", 1e-3)),
    ("prod", "paper histogram, product (a=0.01)", _histogram("product", 0.01)),
    ("geo", "paper histogram, geometric (default, a=0.05)", _histogram("geometric", 0.05)),
    ("oracle", "reference: skin types balanced (labels)", _skin_oracle),
    ("cell", "reference: OOF error of the attribute cell (labels)", _cell_error_ceiling),
    ("oof", "OOF loss", _oof_loss),
    ("oof*rare", "OOF loss x latent rarity (geometric)", _oof_loss_times_rarity),
    ("early", "training loss after epoch 1 (no cross-fit)", _early_loss),
    ("knn", "OOF loss, mean of 100 latent neighbours", _knn_loss(100)),
    ("knn-d5", "OOF loss, 100 neighbours on 5 dims tracking it", _knn_loss_on_loss_dims(100, 5)),
    ("knn-d10", "OOF loss, 100 neighbours on 10 dims tracking it", _knn_loss_on_loss_dims(100, 10)),
    (
        "early-d5",
        "epoch-1 training loss, 100 neighbours on 5 dims tracking it",
        _knn_loss_on_loss_dims(100, 5, "early_loss"),
    ),
    ("george", "k-means 32 clusters, mass = cluster OOF error", _clusters_by_error(32)),
    ("lr-err", "p(OOF error | latent), logistic regression", _predicted_error),
    ("lr-dir", "rarity along the error direction, missed side", _rarity_on_error_direction),
    ("ratio", "density ratio missed / all faces (mixtures)", _error_density_ratio),
]
