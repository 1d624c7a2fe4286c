"""Bootstrap intervals of the paper's bias figures, to tell a difference from noise.

A test set of a few hundred faces per group measures each group's accuracy to a few points,
and ``Var[A]`` (a variance of four such numbers) far less precisely. ``bias_intervals``
resamples the faces within each group (so every group keeps its size) and reports percentile
intervals of E[A], Var[A], the worst group's accuracy and the largest gap.
"""

import numbers

import numpy as np
import pandas as pd

from ._group_inputs import as_feature_frame, check_lengths, drop_missing

__all__ = ["bias_intervals"]

_STATISTICS = ("E[A]", "Var[A]", "worst_group_value", "max_difference")


def bias_intervals(
    y_true, y_pred, sensitive_features, *, n_boot=1000, confidence=0.95, random_state=None
):
    """Percentile bootstrap intervals of E[A], Var[A], worst group and largest gap.

    Rows whose sensitive features are missing (non-faces, say) are left out, as in
    :func:`group_metric_frame`; ``A`` is the accuracy of each group, in percent.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    y_pred : array-like of shape (n_samples,)
        Predicted labels.
    sensitive_features : array-like, Series, DataFrame or dict of 1-D arrays
        Group memberships; several columns make intersecting groups.
    n_boot : int, default=1000
        Bootstrap resamples.
    confidence : float, default=0.95
        Coverage of the intervals, in ``(0, 1)``.
    random_state : int, numpy.random.Generator or None, default=None
        Seed of the resampling.

    Returns
    -------
    intervals : pandas.DataFrame
        Rows ``E[A]``, ``Var[A]`` (percent squared), ``worst_group_value`` and
        ``max_difference`` (percent); columns ``estimate`` (on the data as given), ``low`` and
        ``high``.

    Raises
    ------
    ValueError
        If the inputs differ in length, no row belongs to a group, ``n_boot`` is not a
        positive integer or ``confidence`` is not in ``(0, 1)``.
    """
    if isinstance(n_boot, bool) or not isinstance(n_boot, numbers.Integral) or n_boot < 1:
        raise ValueError(f"n_boot must be a positive integer; got {n_boot!r}.")
    if not isinstance(confidence, numbers.Real) or not 0 < confidence < 1:
        raise ValueError(f"confidence must be a number in (0, 1); got {confidence!r}.")
    correct, groups = _correct_by_group(y_true, y_pred, sensitive_features)
    rng = np.random.default_rng(random_state)
    draws = np.empty((n_boot, len(groups)))
    for j, rows in enumerate(groups):
        picks = rng.integers(0, len(rows), size=(n_boot, len(rows)))
        draws[:, j] = correct[rows][picks].mean(axis=1)
    estimate = _statistics(np.array([correct[rows].mean() for rows in groups])[None, :])[0]
    tail = (1 - confidence) / 2
    low, high = np.quantile(_statistics(draws), [tail, 1 - tail], axis=0)
    return pd.DataFrame(
        {"estimate": estimate, "low": low, "high": high}, index=pd.Index(_STATISTICS)
    )


def _correct_by_group(y_true, y_pred, sensitive_features):
    # The same row checks as the metric frames: lengths, missing groups dropped.
    y_true, y_pred = np.asarray(y_true).ravel(), np.asarray(y_pred).ravel()
    frame = as_feature_frame(sensitive_features)
    check_lengths(y_true=y_true, y_pred=y_pred, sensitive_features=frame)
    y_true, y_pred, frame = drop_missing(y_true, y_pred, frame, "drop")
    codes = frame.groupby(list(frame.columns), observed=True, sort=True).ngroup().to_numpy()
    return y_true == y_pred, [np.flatnonzero(codes == k) for k in range(codes.max() + 1)]


def _statistics(rates):
    percent = 100 * rates
    return np.column_stack(
        [
            percent.mean(axis=1),
            percent.var(axis=1),
            percent.min(axis=1),
            percent.max(axis=1) - percent.min(axis=1),
        ]
    )
