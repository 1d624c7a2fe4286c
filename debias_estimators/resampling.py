"""Adaptive resampling: weights inversely proportional to a sample's latent density.

For each latent dimension ``j`` a histogram with ``bins`` bins is fitted to the latent means; the
density of sample ``i`` there is the share of samples in its bin (the outer bins are open, so
values beyond the fitted range fall into them). Each dimension gives the weight
``w_ij ∝ 1 / (density_j(z_ij) + alpha)``, normalised over the samples. The dimensions are then
combined:

* ``"max"``: the largest per-dimension weight (the teaching lab);
* ``"product"``: the product over dimensions (the paper's equation), computed in log space;
* ``"geometric"``: the geometric mean, the product tempered by ``1 / n_dims``.

The product collapses in high dimensions: one sample takes nearly all the mass. The effective
sample size ``1 / sum(w**2)`` shows it, and a warning is raised when it falls below
``min_ess_fraction`` of the samples.

``ess_floor`` keeps any rule from collapsing or over-correcting: the log-weights are tempered,
``w ∝ exp(t * log_w)`` with the largest ``t`` in ``[0, 1]`` whose effective sample size is at
least ``ess_floor`` of the samples (found by bisection; the effective sample size falls as ``t``
grows). ``t = 1`` leaves the weights as the rule made them, ``t = 0`` is uniform sampling. The
floor means the same at any sample size and for every combine rule. This module is numpy only
and works on any latent matrix.

:meth:`~debias_estimators.LatentDensityResampler.fit_resample` has imbalanced-learn's sampler
interface: it redraws the samples of each class in inverse proportion to their density within
the class, so the resampler drops into an ``imblearn.pipeline.Pipeline`` on feature vectors.

:func:`difficulty_weights` weights samples by how often a model that did not train on them
misses their latent neighbours instead (the DB-VAE's ``weighting="difficulty"``), and
:func:`weights_at_ess` brings any log-weights to one effective sample size, sharpening as well
as tempering.
"""

import warnings
from numbers import Integral, Real

import numpy as np
from scipy.special import logsumexp as _logsumexp
from scipy.special import softmax as _softmax
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_array, check_is_fitted, check_X_y

from ._difficulty import difficulty_weights, smoothed_loss, weights_at_ess
from ._hyperparams import refuse_bool_numbers

__all__ = [
    "COMBINE_RULES",
    "LatentDensityResampler",
    "ResamplingCollapseWarning",
    "difficulty_weights",
    "smoothed_loss",
    "tempered_weights",
    "weights_at_ess",
]

COMBINE_RULES = ("max", "product", "geometric")


class ResamplingCollapseWarning(UserWarning):
    """The resampling weights put nearly all their mass on a few samples."""


class LatentDensityResampler(BaseEstimator):
    """Weights samples in inverse proportion to their per-dimension histogram density.

    Parameters
    ----------
    bins : int, default=10
        Histogram bins per latent dimension.
    alpha : float, default=1e-3
        Added to each density before inverting; smaller means stronger debiasing.
    combine : {"max", "product", "geometric"}, default="max"
        How the dimensions' weights are combined (see the module docstring).
    min_ess_fraction : float, default=0.01
        Warn when the effective sample size falls below this share of the samples.
    ess_floor : float or None, default=None
        Temper the weights so that the effective sample size is at least this share of the
        samples (see the module docstring); ``None`` leaves them as the combine rule made them
        (the paper and the lab).
    random_state : None, int or numpy.random.RandomState, default=None
        Seed of the draw in :meth:`fit_resample`.

    Attributes
    ----------
    sample_weight_ : ndarray of shape (n_samples,)
        Non-negative weights summing to 1.
    effective_sample_size_ : float
        ``1 / sum(sample_weight_**2)``: ``n_samples`` for uniform weights, 1 for a collapse.
    exponent_ : float
        The tempering exponent ``t`` applied to the log-weights (1 without ``ess_floor``).
    bin_edges_ : ndarray of shape (n_dims, bins + 1)
        Histogram edges per dimension.
    densities_ : ndarray of shape (n_dims, bins)
        Share of the samples in each bin, per dimension (each row sums to 1).
    n_features_in_ : int
        Number of latent dimensions.
    sample_indices_ : ndarray of shape (n_samples,)
        Set by :meth:`fit_resample`: the indices drawn, as imbalanced-learn's samplers name them.

    Examples
    --------
    >>> import numpy as np
    >>> from debias_estimators import LatentDensityResampler
    >>> Z = np.r_[np.zeros((90, 1)), np.ones((10, 1))]
    >>> w = LatentDensityResampler(bins=2).fit(Z).sample_weight_
    >>> bool(w[-1] > w[0])
    True
    """

    # The DB-VAE's resampling parameters take their constraints from here.
    _parameter_constraints: dict = {
        "bins": [Interval(Integral, 1, None, closed="left")],
        # Interval rejects NaN and infinity: a finite number above 0.
        "alpha": [Interval(Real, 0, None, closed="neither")],
        "combine": [StrOptions(set(COMBINE_RULES))],
        "min_ess_fraction": [Interval(Real, 0, 1, closed="both")],
        "ess_floor": [Interval(Real, 0, 1, closed="both"), None],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        bins=10,
        alpha=1e-3,
        combine="max",
        min_ess_fraction=0.01,
        ess_floor=None,
        random_state=None,
    ):
        self.bins = bins
        self.alpha = alpha
        self.combine = combine
        self.min_ess_fraction = min_ess_fraction
        self.ess_floor = ess_floor
        self.random_state = random_state

    def fit(self, Z, y=None):
        """Fit the histograms to latent means and compute the sample weights.

        Parameters
        ----------
        Z : array-like of shape (n_samples, n_dims)
            Latent means.
        y : None
            Ignored.

        Returns
        -------
        self : LatentDensityResampler
            The fitted resampler.
        """
        self._validate_params()
        refuse_bool_numbers(self)
        Z = check_array(Z, dtype=np.float64)
        self.n_features_in_ = Z.shape[1]
        self.bin_edges_, self.densities_ = _histograms(Z, self.bins)
        self.sample_weight_, self.exponent_ = tempered_weights(self._log_weights(Z), self.ess_floor)
        self.effective_sample_size_ = _ess(self.sample_weight_)
        self._warn_on_collapse(len(Z))
        return self

    def fit_resample(self, Z, y):
        """Redraw each class's samples in inverse proportion to their latent density.

        The sampler interface of imbalanced-learn. For each class, the histograms are fitted to
        that class's rows and as many rows are drawn, with replacement, by their weights:
        rare rows come back several times, common ones less often. The class counts are kept.
        The resampler's ``bin_edges_`` and ``densities_`` are then those of the last class; call
        :meth:`fit` on one class to inspect its histograms.

        Parameters
        ----------
        Z : array-like of shape (n_samples, n_dims)
            Latent means or any feature vectors.
        y : array-like of shape (n_samples,)
            Class labels.

        Returns
        -------
        Z_resampled : ndarray of shape (n_samples, n_dims)
            The drawn rows, class by class.
        y_resampled : ndarray of shape (n_samples,)
            Their labels.
        """
        self._validate_params()
        refuse_bool_numbers(self)
        Z, y = check_X_y(Z, y, dtype=np.float64)
        rng = check_random_state(self.random_state)
        n = len(Z)
        weights = np.empty(n)
        indices = []
        for label in np.unique(y):
            rows = np.flatnonzero(y == label)
            self.fit(Z[rows])
            weights[rows] = self.sample_weight_ * len(rows) / n
            indices.append(rows[self.sample(len(rows), random_state=rng)])
        self.sample_weight_ = weights
        self.effective_sample_size_ = float(1.0 / np.sum(weights**2))
        self.sample_indices_ = np.concatenate(indices)
        return Z[self.sample_indices_], y[self.sample_indices_]

    def score_samples(self, Z):
        """Unnormalised log-weights of new latent means under the fitted histograms.

        Parameters
        ----------
        Z : array-like of shape (n_samples, n_dims)
            Latent means.

        Returns
        -------
        log_weights : ndarray of shape (n_samples,)
            Higher means rarer under the fitted density.
        """
        check_is_fitted(self)
        Z = check_array(Z, dtype=np.float64)
        if Z.shape[1] != self.n_features_in_:
            raise ValueError(
                f"Z has {Z.shape[1]} dimensions; the resampler was fitted on {self.n_features_in_}."
            )
        return self._log_weights(Z)

    def sample(self, n_samples, random_state=None):
        """Draw training indices with replacement according to ``sample_weight_``.

        Parameters
        ----------
        n_samples : int
            Number of indices to draw.
        random_state : None, int or numpy.random.RandomState, default=None
            Seed of the draw.

        Returns
        -------
        indices : ndarray of shape (n_samples,)
            Indices into the fitted samples.

        Raises
        ------
        TypeError
            If ``n_samples`` is not an integer.
        ValueError
            If ``n_samples`` is negative.
        """
        check_is_fitted(self)
        if isinstance(n_samples, bool | np.bool_) or not isinstance(n_samples, Integral):
            raise TypeError(f"n_samples must be an int, got {n_samples!r}.")
        if n_samples < 0:
            raise ValueError(f"n_samples must be 0 or more, got {n_samples}.")
        rng = check_random_state(random_state)
        return rng.choice(len(self.sample_weight_), size=n_samples, p=self.sample_weight_)

    def _log_weights(self, Z):
        # Per-dimension log-weights, each normalised over the samples as in the lab, so that
        # "max" compares dimensions on the same scale. Combined one dimension at a time, so no
        # (n_samples, n_dims) array is held beside Z.
        combined = np.full(len(Z), -np.inf) if self.combine == "max" else np.zeros(len(Z))
        for j in range(Z.shape[1]):
            density = self.densities_[j][_bin_index(Z[:, j], self.bin_edges_[j])]
            log_w = -np.log(density + self.alpha)
            log_w -= _logsumexp(log_w, axis=0)
            if self.combine == "max":
                np.maximum(combined, log_w, out=combined)
            else:
                combined += log_w
        if self.combine == "geometric":
            combined /= Z.shape[1]
        return combined

    def _warn_on_collapse(self, n_samples):
        if self.effective_sample_size_ < self.min_ess_fraction * n_samples:
            warnings.warn(
                f"Resampling weights collapsed: effective sample size "
                f"{self.effective_sample_size_:.1f} of {n_samples} samples (combine="
                f"{self.combine!r}, alpha={self.alpha:g}). Try combine='geometric' or 'max', "
                f"or a larger alpha.",
                ResamplingCollapseWarning,
                stacklevel=3,
            )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = True
        return tags


def _histograms(Z, bins):
    n_samples, n_dims = Z.shape
    edges = np.empty((n_dims, bins + 1))
    densities = np.empty((n_dims, bins))
    for j in range(n_dims):
        counts, edges[j] = np.histogram(Z[:, j], bins=bins)
        densities[j] = counts / n_samples
    return edges, densities


def _bin_index(values, edges):
    # Inner edges only: values below the first or above the last edge fall into the outer bins.
    return np.searchsorted(edges[1:-1], values, side="right")


def _ess(w):
    return float(1.0 / np.sum(w**2))


def tempered_weights(log_weights, ess_floor=None):
    """Normalise log-weights, tempered so that they keep a share of the samples.

    The weights are ``softmax(t * log_weights)`` with the largest ``t`` in ``[0, 1]`` whose
    effective sample size ``1 / sum(w**2)`` is at least ``ess_floor`` times the number of
    samples: the tempering of :class:`LatentDensityResampler`, for log-weights from any
    density estimate (``-log density``).

    Parameters
    ----------
    log_weights : array-like of shape (n_samples,)
        Unnormalised log-weights; higher means drawn more often.
    ess_floor : float or None, default=None
        Share of the samples, in ``[0, 1]``, that the effective sample size must keep;
        ``None`` leaves the weights untempered (``t = 1``).

    Returns
    -------
    weights : ndarray of shape (n_samples,)
        Non-negative weights summing to 1.
    exponent : float
        The exponent ``t``.

    Examples
    --------
    >>> import numpy as np
    >>> from debias_estimators.resampling import tempered_weights
    >>> w, t = tempered_weights(np.log([1.0, 1.0, 1.0, 97.0]), ess_floor=0.5)
    >>> bool(1 / np.sum(w**2) >= 2.0), round(t, 2)
    (True, 0.41)
    """
    log_weights = np.asarray(log_weights, dtype=np.float64).reshape(-1)
    if not np.all(np.isfinite(log_weights)):
        raise ValueError("log_weights must be finite.")
    if ess_floor is not None and not 0 <= ess_floor <= 1:
        raise ValueError(f"ess_floor must be in [0, 1] or None; got {ess_floor!r}.")
    exponent = 1.0 if ess_floor is None else _tempering(log_weights, ess_floor)
    return _softmax(exponent * log_weights), exponent


def _tempering(log_w, floor, steps=40):
    """Largest exponent in [0, 1] whose tempered weights keep ``floor`` of the samples."""
    target = floor * len(log_w)
    if _ess(_softmax(log_w)) >= target:
        return 1.0
    low, high = 0.0, 1.0  # ESS(low) >= target > ESS(high)
    for _ in range(steps):
        middle = 0.5 * (low + high)
        if _ess(_softmax(middle * log_w)) >= target:
            low = middle
        else:
            high = middle
    return low
