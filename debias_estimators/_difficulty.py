"""Sampling weights from cross-fitted difficulty, brought to one effective sample size.

The weighting behind ``DebiasedVAEClassifier(weighting="difficulty")``. Each face ``i`` has a
loss ``l_i``: its log-loss under a model that did not train on it (cross-fitting). A single
face's loss is noisy (an ambiguous face is missed by any model), so it is smoothed over the
face's neighbours in the latent space, on the dimensions that track it:

1. the latent means are standardised (mean 0, standard deviation 1 per dimension; a constant
   dimension becomes 0);
2. the ``n_dims`` dimensions with the largest absolute Pearson correlation with ``l`` are kept
   (ties in the order of the dimensions);
3. ``m_i`` is the mean of ``l`` over the ``n_neighbors`` faces nearest to face ``i`` in those
   dimensions (Euclidean distance, face ``i`` itself included; all the faces when there are
   fewer);
4. the weights are ``softmax(t * log m)``, with the one exponent ``t >= 0`` whose effective sample
   size ``(sum w)**2 / sum w**2`` is the share ``ess`` of the faces (:func:`weights_at_ess`).

Unlike :func:`~debias_estimators.resampling.tempered_weights`, which only tempers (``t`` at most
1), the exponent here may also exceed 1: a flat weighting is sharpened until it reaches the
target. This module is numpy only and works on any latent matrix.
"""

import numpy as np
from scipy.special import softmax
from sklearn.neighbors import NearestNeighbors

__all__ = ["difficulty_weights", "ess_share", "smoothed_loss", "weights_at_ess"]


def ess_share(weights):
    """Effective sample size of non-negative weights as a share of their number.

    Parameters
    ----------
    weights : array-like of shape (n,)
        Non-negative weights, not all zero; they need not sum to 1.

    Returns
    -------
    share : float
        ``(sum w)**2 / sum w**2 / n``: 1 for uniform weights, ``1 / n`` for one sample.
    """
    weights = np.asarray(weights, dtype=np.float64)
    return float(weights.sum() ** 2 / np.sum(weights**2) / len(weights))


def weights_at_ess(log_weights, share, *, steps=100, t_max=1e6):
    """Normalised ``softmax(t * log_weights)`` whose effective sample size is ``share``.

    The effective sample size falls as ``t`` grows, so a bisection on ``log t`` finds it: ``t``
    above 1 sharpens flat log-weights, below 1 tempers steep ones.

    Parameters
    ----------
    log_weights : array-like of shape (n,)
        Finite log-weights; higher is drawn more often.
    share : float
        Target effective sample size as a share of ``n``, in ``(0, 1)``.
    steps : int, default=100
        Bisection steps.
    t_max : float, default=1e6
        Largest exponent tried. When even the limit (uniform over the largest log-weights)
        keeps more than ``share``, that limit is returned with ``t = inf``; flat log-weights
        give uniform weights with ``t = 0``.

    Returns
    -------
    weights : ndarray of shape (n,)
        Non-negative, summing to 1.
    exponent : float
        The exponent ``t``.
    reached : float
        The effective sample size share of ``weights``: ``share`` unless the log-weights
        cannot reach it.

    Examples
    --------
    >>> import numpy as np
    >>> from debias_estimators.resampling import weights_at_ess
    >>> w, t, reached = weights_at_ess(np.log([1.0, 1.0, 1.0, 2.0]), 0.5)
    >>> round(reached, 6), bool(t > 1)
    (0.5, True)
    """
    log_w = np.asarray(log_weights, dtype=np.float64).reshape(-1)
    if len(log_w) == 0 or not np.all(np.isfinite(log_w)):
        raise ValueError("log_weights must be finite, and at least one.")
    if not 0 < share < 1:
        raise ValueError(f"share must be in (0, 1); got {share!r}.")
    log_w = log_w - log_w.max()
    if np.ptp(log_w) == 0:
        return np.full(len(log_w), 1.0 / len(log_w)), 0.0, 1.0
    top = log_w == 0
    if top.mean() >= share:  # the steepest limit still keeps the target: take it
        return top / top.sum(), np.inf, float(top.mean())

    def gap(t):
        return ess_share(softmax(t * log_w)) - share

    low, high = 1.0, 1.0  # bracket with gap(low) >= 0 > gap(high), by doubling or halving
    while gap(high) >= 0 and high < t_max:
        low, high = high, 2 * high
    while gap(low) < 0 and low > 1 / t_max:
        low, high = low / 2, low
    for _ in range(steps):
        middle = np.sqrt(low * high)
        if gap(middle) >= 0:
            low = middle
        else:
            high = middle
    weights = softmax(low * log_w)
    return weights, float(low), ess_share(weights)


def _checked(Z, loss):
    Z = np.asarray(Z, dtype=np.float64)
    loss = np.asarray(loss, dtype=np.float64).reshape(-1)
    if Z.ndim != 2 or len(Z) != len(loss) or len(Z) == 0:
        raise ValueError(
            f"Z must be (n_samples, n_dims) with one row per loss; got Z of shape {Z.shape} "
            f"and {len(loss)} losses."
        )
    if not (np.all(np.isfinite(Z)) and np.all(np.isfinite(loss))):
        raise ValueError("Z and loss must be finite.")
    if np.any(loss <= 0):
        raise ValueError("loss must be positive (log-losses, clipped away from zero).")
    return Z, loss


def smoothed_loss(Z, loss, *, n_dims=5, n_neighbors=100):
    """Average each sample's loss over its nearest neighbours, on the dimensions tracking it.

    Steps 1 to 3 of the module's recipe.

    Parameters
    ----------
    Z : array-like of shape (n_samples, n_latent)
        Latent means.
    loss : array-like of shape (n_samples,)
        Positive per-sample losses, e.g. cross-fitted log-losses.
    n_dims : int, default=5
        Dimensions kept (all of them when there are fewer).
    n_neighbors : int, default=100
        Neighbours averaged over, the sample itself included (all the samples when there are
        fewer).

    Returns
    -------
    smoothed : ndarray of shape (n_samples,)
        The neighbourhood mean of the loss.
    dims : ndarray of int
        The dimensions kept, the most correlated first.
    """
    Z, loss = _checked(Z, loss)
    spread = Z.std(axis=0)
    Zs = (Z - Z.mean(axis=0)) / np.where(spread > 0, spread, 1.0)
    centred = loss - loss.mean()
    norms = np.sqrt(np.sum(Zs**2, axis=0) * np.sum(centred**2))
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = np.abs(Zs.T @ centred) / norms
    dims = np.argsort(-np.nan_to_num(corr), kind="stable")[: min(n_dims, Z.shape[1])]
    features = Zs[:, dims]
    k = min(n_neighbors, len(Z))
    _, index = NearestNeighbors(n_neighbors=k).fit(features).kneighbors(features)
    return loss[index].mean(axis=1), dims


def difficulty_weights(Z, loss, *, n_dims=5, n_neighbors=100, ess=0.3):
    """Compute sampling probabilities from smoothed cross-fitted losses, at a target ESS.

    Samples whose latent neighbours are, on average, missed more by a model that did not train
    on them are drawn more often (see the module docstring).

    Parameters
    ----------
    Z : array-like of shape (n_samples, n_latent)
        Latent means, e.g. of the training faces.
    loss : array-like of shape (n_samples,)
        Positive per-sample losses, e.g. each face's log-loss under a model trained without it.
    n_dims : int, default=5
        Latent dimensions most correlated with the loss that the neighbours are found in.
    n_neighbors : int, default=100
        Neighbours whose loss is averaged, the sample itself included.
    ess : float, default=0.3
        Effective sample size of the weights as a share of the samples, in ``(0, 1)``.

    Returns
    -------
    weights : ndarray of shape (n_samples,)
        Non-negative, summing to 1.
    exponent : float
        The exponent ``t`` on the log of the smoothed loss (0 when it is flat).

    Examples
    --------
    >>> import numpy as np
    >>> from debias_estimators.resampling import difficulty_weights
    >>> Z = np.r_[np.zeros((8, 1)), np.ones((2, 1))]
    >>> loss = np.r_[np.full(8, 0.1), np.full(2, 2.0)]
    >>> w, t = difficulty_weights(Z, loss, n_neighbors=2, ess=0.5)
    >>> bool(w[-1] > w[0]), round(1 / np.sum(w**2) / len(w), 6)
    (True, 0.5)
    """
    smoothed, _ = smoothed_loss(Z, loss, n_dims=n_dims, n_neighbors=n_neighbors)
    if len(smoothed) == 1:
        return np.ones(1), 0.0
    weights, exponent, _ = weights_at_ess(np.log(smoothed), ess)
    return weights, exponent
