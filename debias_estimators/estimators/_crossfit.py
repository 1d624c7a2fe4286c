"""The DB-VAE's difficulty weighting: cross-fitted losses before training, weights at each epoch.

:func:`crossfit_loss` trains ``folds`` copies of the estimator, each on all the folds but one,
and scores every training sample with the copy that did not see it. :class:`DifficultyResampler`
is the epoch's resampler of :class:`~debias_estimators.estimators._resampling.LatentResampling`:
it turns the faces' latent means and those losses into sampling weights
(:func:`~debias_estimators.resampling.difficulty_weights`). :class:`DifficultyWeightingMixin`
gives :class:`~debias_estimators.DebiasedVAEClassifier` its ``weighting="difficulty"``: the
cross-fitting in ``fit``, the refusals, and the losses kept by ``save_model``.
"""

import numpy as np
import torch
from sklearn.base import clone
from sklearn.model_selection import StratifiedKFold
from sklearn.utils import _safe_indexing

from .._difficulty import difficulty_weights
from .._random import resolve_seed

__all__ = ["DifficultyResampler", "DifficultyWeightingMixin", "crossfit_loss"]

# Each copy's seed is the estimator's plus this times the fold's number (1, 2, ...), as in
# benchmarks/weight_targeting.py, which measured the weighting.
FOLD_SEED_STEP = 100
# Probabilities are clipped to [EPS, 1 - EPS] before the log: every loss is positive and finite.
EPS = 1e-7


def crossfit_loss(estimator, X, y, sample_weight, *, seed):
    """Return each training sample's log-loss under a copy of ``estimator`` not trained on it.

    Parameters
    ----------
    estimator : DebiasedVAEClassifier
        Its settings train the copies, with ``weighting="density"`` (the latent density rule of
        its ``alpha``, ``bins``, ``combine`` and ``ess_floor``), ``warm_start=False`` and no
        checkpoint; its ``crossfit_folds`` is the number of folds.
    X : array-like
        The training samples.
    y : array-like of shape (n_samples,)
        Their labels; the folds are stratified by them.
    sample_weight : array-like of shape (n_samples,) or None
        Loss weights, passed to the copies for their training rows.
    seed : int
        Shuffles the folds; copy ``f`` (from 1) has ``random_state=seed + 100 * f``.

    Returns
    -------
    loss : ndarray of shape (n_samples,)
        ``-log p`` of each sample's own class, ``p`` clipped to ``[1e-7, 1 - 1e-7]``.

    Raises
    ------
    ValueError
        If a class has fewer samples than folds.
    """
    folds = estimator.crossfit_folds
    y = np.asarray(y).reshape(-1)
    labels, counts = np.unique(y, return_counts=True)
    if counts.min() < folds:
        raise ValueError(
            f'weighting="difficulty" cross-fits on crossfit_folds={folds} folds, which needs '
            f"at least {folds} samples of each class; class {labels[counts.argmin()]!r} has "
            f"{counts.min()}."
        )
    loss = np.empty(len(y))
    splits = StratifiedKFold(folds, shuffle=True, random_state=seed).split(np.zeros(len(y)), y)
    for fold, (train, held_out) in enumerate(splits, start=1):
        copy = clone(estimator).set_params(
            weighting="density", warm_start=False, random_state=seed + FOLD_SEED_STEP * fold
        )
        if copy.get_params().get("checkpoint") is not None:  # the folds are not checkpointed
            copy.set_params(checkpoint=None)
        weights = None if sample_weight is None else _safe_indexing(sample_weight, train)
        copy.fit(_safe_indexing(X, train), y[train], sample_weight=weights)
        proba = copy.predict_proba(_safe_indexing(X, held_out))
        own = proba[np.arange(len(held_out)), np.searchsorted(copy.classes_, y[held_out])]
        loss[held_out] = -np.log(np.clip(own, EPS, 1 - EPS))
    return loss


class DifficultyResampler:
    """The epoch's weights of the faces from their cross-fitted losses and latent means.

    Parameters
    ----------
    loss : ndarray of shape (n_train,) or None
        Each training sample's cross-fitted loss, in training-set order (None on a loaded
        model, which has not trained with them).
    n_dims, n_neighbors, ess : int, int, float
        As for :func:`~debias_estimators.resampling.difficulty_weights`.

    Attributes
    ----------
    sample_weight_ : ndarray of shape (n_faces,)
        The faces' sampling probabilities, summing to 1.
    effective_sample_size_ : float
        ``1 / sum(sample_weight_**2)``.
    exponent_ : float
        The exponent on the log of the smoothed loss.
    """

    #: The callback passes each face's position in the training data to :meth:`fit`.
    per_sample = True

    def __init__(self, loss, *, n_dims=5, n_neighbors=100, ess=0.3):
        self.loss = loss
        self.n_dims = n_dims
        self.n_neighbors = n_neighbors
        self.ess = ess

    def fit(self, Z, sample_index):
        """Weight the faces of latent means ``Z`` by their neighbours' cross-fitted loss.

        Parameters
        ----------
        Z : ndarray of shape (n_faces, latent_dim)
            The faces' latent means.
        sample_index : ndarray of int, shape (n_faces,)
            Each face's position in the training data that ``loss`` follows.

        Returns
        -------
        self : DifficultyResampler
            With the weights set.
        """
        if self.loss is None:
            raise ValueError("No cross-fitted losses: fit the estimator to compute them.")
        self.sample_weight_, self.exponent_ = difficulty_weights(
            Z,
            np.asarray(self.loss)[sample_index],
            n_dims=self.n_dims,
            n_neighbors=self.n_neighbors,
            ess=self.ess,
        )
        self.effective_sample_size_ = float(1.0 / np.sum(self.sample_weight_**2))
        return self


class DifficultyWeightingMixin:
    """``weighting="difficulty"`` of the DB-VAE: cross-fit in ``fit``, then train as usual."""

    def _validate_params(self):
        super()._validate_params()
        if self.weighting == "difficulty" and self.alpha is None:
            raise ValueError(
                'weighting="difficulty" resamples, and alpha=None turns resampling off; set '
                "alpha (the latent density rule of the cross-fitted copies) or use "
                'weighting="density".'
            )

    def _fit(self, X, y, sample_weight, groups=None):
        self._validate_params()
        warm = self.warm_start and self.__sklearn_is_fitted__()
        if warm:
            self._check_net_weighting()
        if self.weighting == "density":
            return super()._fit(X, y, sample_weight, groups)
        self._training_dataset(X, y, sample_weight, reset=not warm)  # the data's checks first
        with self._unchanged_on_error():
            self.crossfit_loss_ = crossfit_loss(
                self, X, y, sample_weight, seed=resolve_seed(self.random_state)
            )
            if warm:  # the network is not rebuilt: give its callback the new losses
                self.net_.resampling_callback().resampler = self._difficulty_resampler()
            super()._fit(X, y, sample_weight, groups)
        return self

    def _partial_fit(self, X, y, classes, sample_weight, groups=None):
        self._validate_params()
        if self.weighting == "difficulty":
            raise ValueError(
                'partial_fit cannot use weighting="difficulty", which cross-fits on the whole '
                'training set; use fit (warm_start=True continues) or weighting="density".'
            )
        if hasattr(self, "net_"):
            self._check_net_weighting()
        return super()._partial_fit(X, y, classes, sample_weight, groups)

    def _check_net_weighting(self):
        """Refuse to continue training a network built for the other weighting."""
        callback = self.net_.resampling_callback()
        built = getattr(callback, "resampler", None)
        if built is not None and isinstance(built, DifficultyResampler) != (
            self.weighting == "difficulty"
        ):
            other = "density" if self.weighting == "difficulty" else "difficulty"
            raise ValueError(
                f'This network was trained with weighting="{other}"; continuing it with '
                f'weighting="{self.weighting}" needs a fresh fit (warm_start=False).'
            )
        if built is None and self.weighting == "difficulty":
            raise ValueError(
                "This network was trained without resampling (alpha=None); continuing it with "
                'weighting="difficulty" needs a fresh fit (warm_start=False).'
            )

    def _difficulty_resampler(self):
        return DifficultyResampler(
            getattr(self, "crossfit_loss_", None),
            n_dims=self.difficulty_dims,
            n_neighbors=self.difficulty_neighbors,
            ess=self.difficulty_ess,
        )

    def _saved_state(self):
        if getattr(self, "crossfit_loss_", None) is None:
            return {}, {}
        return {}, {"crossfit_loss_": torch.as_tensor(self.crossfit_loss_)}

    def _restore_tensors(self, tensors):
        if "crossfit_loss_" in tensors:
            self.crossfit_loss_ = tensors["crossfit_loss_"].cpu().numpy().astype(np.float64)
