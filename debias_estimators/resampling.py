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
``min_ess_fraction`` of the samples. This module is numpy only and works on any latent matrix.
"""

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_array, check_is_fitted

__all__ = ["COMBINE_RULES", "LatentDensityResampler", "ResamplingCollapseWarning"]

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

    Attributes
    ----------
    sample_weight_ : ndarray of shape (n_samples,)
        Non-negative weights summing to 1.
    effective_sample_size_ : float
        ``1 / sum(sample_weight_**2)``: ``n_samples`` for uniform weights, 1 for a collapse.
    bin_edges_ : ndarray of shape (n_dims, bins + 1)
        Histogram edges per dimension.
    densities_ : ndarray of shape (n_dims, bins)
        Share of the samples in each bin, per dimension (each row sums to 1).
    n_features_in_ : int
        Number of latent dimensions.

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
    }

    def __init__(self, bins=10, alpha=1e-3, combine="max", min_ess_fraction=0.01):
        self.bins = bins
        self.alpha = alpha
        self.combine = combine
        self.min_ess_fraction = min_ess_fraction

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
        Z = check_array(Z, dtype=np.float64)
        self.n_features_in_ = Z.shape[1]
        self.bin_edges_, self.densities_ = _histograms(Z, self.bins)
        log_w = self._log_weights(Z)
        self.sample_weight_ = _softmax(log_w)
        self.effective_sample_size_ = float(1.0 / np.sum(self.sample_weight_**2))
        self._warn_on_collapse(len(Z))
        return self

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
        """
        check_is_fitted(self)
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


def _logsumexp(a, axis):
    top = a.max(axis=axis, keepdims=True)
    return top + np.log(np.exp(a - top).sum(axis=axis, keepdims=True))


def _softmax(log_w):
    w = np.exp(log_w - log_w.max())
    return w / w.sum()
