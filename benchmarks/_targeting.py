"""Helpers of ``weight_targeting.py``: weights brought to one effective sample size, and tables.

Every weighting is compared at the same effective sample size (ESS, ``(sum w)**2 / sum w**2``,
as a share of the faces): its log-weights ``l`` are raised to ``softmax(t * l)`` with the one
exponent ``t >= 0`` whose ESS is the target. ``t`` above 1 sharpens a flat rule, below 1
tempers a steep one; the ESS falls as ``t`` grows, so bisection finds it.
"""

import numpy as np
import pandas as pd
from scipy.special import softmax


def ess_share(weights):
    """Effective sample size of non-negative weights as a share of their number."""
    weights = np.asarray(weights, dtype=np.float64)
    return float(weights.sum() ** 2 / np.sum(weights**2) / len(weights))


def weights_at_ess(log_weights, share, *, steps=100, t_max=1e6):
    """Normalised ``softmax(t * log_weights)`` whose ESS is ``share`` of the samples.

    Parameters
    ----------
    log_weights : array-like of shape (n,)
        Finite log-weights; higher is drawn more often.
    share : float
        Target effective sample size as a share of ``n``, in ``(0, 1)``.
    steps : int, default=100
        Bisection steps (on ``log t``).
    t_max : float, default=1e6
        Largest exponent tried. When even the limit (uniform over the largest log-weights)
        keeps more than ``share``, that limit is returned with ``t = inf``; flat log-weights
        give uniform weights with ``t = 0``.

    Returns
    -------
    weights : ndarray of shape (n,)
        Summing to 1.
    exponent : float
        The exponent ``t``.
    reached : float
        The ESS share of ``weights`` (the target unless the rule cannot reach it).
    """
    log_w = np.asarray(log_weights, dtype=np.float64).reshape(-1)
    if not np.all(np.isfinite(log_w)):
        raise ValueError("log_weights must be finite.")
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


def value_labels(attributes):
    """``attribute=value`` labels of every face, one column per attribute (as strings)."""
    return {column: attributes[column].astype(str) for column in attributes.columns}


def boosts(attributes, weights):
    """Share of each attribute value and its boost: share of the mass / share of the faces."""
    mass = np.asarray(weights, dtype=np.float64)
    mass = mass / mass.sum()
    rows = []
    for column, values in value_labels(attributes).items():
        share = values.value_counts(normalize=True)
        if len(share) < 2:
            continue
        resampled = pd.Series(mass).groupby(values.to_numpy()).sum()
        for value, fraction in share.items():
            rows.append(
                {
                    "value": f"{column}={value}",
                    "share": float(fraction),
                    "boost": float(resampled[value] / fraction),
                }
            )
    return pd.DataFrame(rows)


def recalls(attributes, predicted):
    """Recall (share of faces predicted faces) of every attribute value, and overall."""
    predicted = np.asarray(predicted, dtype=bool)
    rows = [{"value": "all", "recall": float(predicted.mean())}]
    for column, values in value_labels(attributes).items():
        if values.nunique() < 2:
            continue
        for value, recall in pd.Series(predicted).groupby(values.to_numpy()).mean().items():
            rows.append({"value": f"{column}={value}", "recall": float(recall)})
    return pd.DataFrame(rows)
