"""Per-group evaluation of face detectors, with the bias figures of the DB-VAE paper.

Amini et al. (AIES 2019) test on the Pilot Parliaments Benchmark (PPB), whose images are all
faces, split into four groups by skin type and gender. Their Table 1 reports, over those
groups, the mean accuracy ``E[A]`` and its variance ``Var[A]``; on an all-face test set the
accuracy of a group is its detection rate, i.e. the recall of the face class.

Conventions of this module:

* **Non-faces have no group.** Rows whose sensitive features are missing (``None``, ``NaN``,
  ``pd.NA``) are dropped before grouping when ``missing="drop"`` (the default), so a test set
  that mixes faces and non-faces is evaluated on its faces, as in the paper. A row is dropped
  when *any* of its sensitive features is missing. Pass ``missing="raise"`` to refuse such rows.
  To keep non-faces as a group of their own, give them a label (e.g. ``"non-face"``).
* **Percent.** :func:`bias_summary` reports rates in percent (0.95 -> 95.0), ``Var[A]`` in
  percent squared, differences in percentage points; ratios stay unitless.
* **Population variance.** ``Var[A]`` treats the groups as the whole population of groups
  (``ddof=0``, numpy's default); pass ``ddof=1`` for the sample variance.
* **Lower is worse.** The worst group is the one with the lowest value of the summarised
  metric, which suits accuracy, recall and selection rate of faces.

Nothing here imports torch: any fitted classifier with ``predict`` can be compared.
"""

import numpy as np
import pandas as pd
from fairlearn.metrics import MetricFrame
from sklearn.utils.validation import check_is_fitted

from ._group_inputs import (
    DEFAULT_METRICS,
    as_feature_frame,
    check_lengths,
    drop_missing,
    labels_1d,
    resolve_metrics,
)
from ._intervals import bias_intervals
from ._label_free import WorstClusterRecall, appearance_clusters

__all__ = [
    "DEFAULT_METRICS",
    "WorstClusterRecall",
    "appearance_clusters",
    "bias_intervals",
    "bias_summary",
    "compare_models",
    "group_metric_frame",
    "group_table",
    "metric_frames",
    "summary_table",
]


def group_metric_frame(
    y_true,
    y_pred,
    sensitive_features,
    metrics=None,
    *,
    missing="drop",
    pos_label=1,
    n_boot=None,
    ci_quantiles=None,
    random_state=None,
):
    """Compute metrics for each group of one or several sensitive features.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels (1 for faces in the default ``pos_label``).
    y_pred : array-like of shape (n_samples,)
        Predicted labels.
    sensitive_features : array-like, Series, DataFrame or dict of 1-D arrays
        Group memberships, aligned with ``y_true`` by position. Several columns (e.g.
        ``skin_type`` and ``gender``) make intersecting groups. Missing entries mark rows that
        belong to no group, such as non-faces.
    metrics : None, str, sequence of str or dict of {str: callable}, default=None
        Metrics to compute. ``None`` computes all of :data:`DEFAULT_METRICS`: accuracy,
        recall (the detection rate of faces), selection rate and count. Names pick some of
        those; a dict gives custom ``callable(y_true, y_pred)`` metrics.
    missing : {"drop", "raise"}, default="drop"
        What to do with rows whose sensitive features are missing: leave them out of every
        group and of ``overall``, or raise.
    pos_label : int or str, default=1
        Label of the positive class (faces), used by recall and selection rate.
    n_boot : int, optional
        Bootstrap resamples for fairlearn's confidence intervals (``by_group_ci``,
        ``overall_ci``, ``difference_ci``...); none by default.
    ci_quantiles : list of float, optional
        Quantiles of those intervals, e.g. ``[0.025, 0.975]``; required with ``n_boot``.
    random_state : int or numpy.random.RandomState, optional
        Seed of the bootstrap.

    Returns
    -------
    metric_frame : fairlearn.metrics.MetricFrame
        Metrics by group (``by_group``) and over the kept rows (``overall``).

    Raises
    ------
    ValueError
        If the inputs differ in length, no row belongs to a group, a row has a missing group
        under ``missing="raise"``, or a metric name is unknown.
    TypeError
        If a custom metric is not callable.
    """
    resolved = resolve_metrics(metrics, pos_label)
    y_true = labels_1d(y_true, "y_true")
    y_pred = labels_1d(y_pred, "y_pred")
    frame = as_feature_frame(sensitive_features)
    check_lengths(y_true=y_true, y_pred=y_pred, sensitive_features=frame)
    y_true, y_pred, frame = drop_missing(y_true, y_pred, frame, missing)
    return MetricFrame(
        metrics=resolved,
        y_true=y_true,
        y_pred=y_pred,
        sensitive_features=frame,
        n_boot=n_boot,
        ci_quantiles=ci_quantiles,
        random_state=random_state,
    )


def _group_label(key):
    if isinstance(key, tuple):
        return " / ".join(str(k) for k in key)
    return str(key)


def _metric_values(metric_frame, metric):
    """Return the name and by-group values of one metric, its difference, ratio and overall."""
    if not isinstance(metric_frame, MetricFrame):
        raise TypeError(f"Expected a fairlearn MetricFrame; got {type(metric_frame).__name__}.")
    if metric_frame.control_levels:
        raise ValueError("bias_summary does not support MetricFrames with control features.")
    by_group = metric_frame.by_group
    if isinstance(by_group, pd.Series):
        # a MetricFrame built from a single callable holds exactly one metric
        name = by_group.name
        return name, by_group, metric_frame.difference(), metric_frame.ratio(), metric_frame.overall
    if metric not in by_group.columns:
        raise ValueError(
            f"Unknown metric {metric!r}: the MetricFrame holds {list(by_group.columns)}."
        )
    return (
        metric,
        by_group[metric],
        metric_frame.difference()[metric],
        metric_frame.ratio()[metric],
        metric_frame.overall[metric],
    )


def _check_rates(values, metric):
    if values.empty:
        raise ValueError(f"No group has a value for metric {metric!r}: nothing to summarise.")
    if values.min() < 0 or values.max() > 1:
        raise ValueError(
            f"bias_summary summarises rates in [0, 1]; metric {metric!r} ranges from "
            f"{values.min():g} to {values.max():g}."
        )


def bias_summary(metric_frame, metric="accuracy", *, ddof=0):
    """Summarise the spread of one metric over groups, as in Table 1 of the DB-VAE paper.

    Groups without a value (combinations absent from the data, or recall of a group without
    faces) are left out.

    Parameters
    ----------
    metric_frame : fairlearn.metrics.MetricFrame
        Per-group metrics, e.g. from :func:`group_metric_frame`.
    metric : str, default="accuracy"
        Column of ``metric_frame.by_group`` to summarise; it must hold rates in [0, 1]. On a
        test set of faces only, accuracy and recall coincide and are the paper's ``A``.
        Ignored when the frame was built from a single callable.
    ddof : int, default=0
        Delta degrees of freedom of ``Var[A]``: 0 is the population variance over the
        groups, 1 the sample variance.

    Returns
    -------
    summary : pandas.Series
        Named after the metric, with entries ``E[A]`` (mean of the group values, percent),
        ``Var[A]`` (their variance, percent squared), ``worst_group`` (label of the lowest
        group, levels joined by ``" / "``; the first in group order on ties),
        ``worst_group_value`` (percent),
        ``max_difference`` (fairlearn's ``difference()``, percentage points), ``min_ratio``
        (fairlearn's ``ratio()``), ``overall`` (the metric over all grouped rows, percent)
        and ``n_groups``.

    Raises
    ------
    TypeError
        If ``metric_frame`` is not a MetricFrame.
    ValueError
        If the metric is unknown, no group has a value, the values are not rates, or the
        frame has control features.
    """
    if isinstance(ddof, bool) or not isinstance(ddof, int | np.integer) or ddof < 0:
        raise ValueError(f"ddof must be a non-negative integer; got {ddof!r}.")
    name, values, difference, ratio, overall = _metric_values(metric_frame, metric)
    values = values.dropna().astype(float)
    _check_rates(values, metric)
    percent = values.to_numpy() * 100.0
    worst = values.idxmin()
    summary = {
        "E[A]": float(percent.mean()),
        "Var[A]": float(np.var(percent, ddof=ddof)) if len(percent) > ddof else np.nan,
        "worst_group": _group_label(worst),
        "worst_group_value": float(values[worst] * 100.0),
        "max_difference": float(difference) * 100.0,
        "min_ratio": float(ratio),
        "overall": float(overall) * 100.0,
        "n_groups": len(values),
    }
    return pd.Series(summary, name=name, dtype=object)


def _check_models(models):
    if not isinstance(models, dict) or not models:
        raise TypeError("models must be a non-empty dict {name: fitted estimator}.")
    for name, model in models.items():
        if not isinstance(name, str):
            raise TypeError(f"Model names must be strings; got {name!r}.")
        if not hasattr(model, "predict"):
            raise TypeError(f"Model {name!r} has no predict method: {model!r}.")
        check_is_fitted(model)


def metric_frames(models, X, y, sensitive_features, **kwargs):
    """Predict with several fitted models and compute a MetricFrame for each.

    Parameters
    ----------
    models : dict of {str: estimator}
        Fitted classifiers with ``predict``, by display name.
    X : array-like
        Test inputs, passed to each ``predict`` as they are.
    y : array-like of shape (n_samples,)
        True labels.
    sensitive_features : array-like, Series, DataFrame or dict of 1-D arrays
        Group memberships, as in :func:`group_metric_frame`.
    **kwargs
        ``metrics``, ``missing`` and ``pos_label`` of :func:`group_metric_frame`.

    Returns
    -------
    frames : dict of {str: fairlearn.metrics.MetricFrame}
        One MetricFrame per model, in the order of ``models``.

    Raises
    ------
    TypeError
        If ``models`` is not a non-empty dict of estimators with ``predict``.
    sklearn.exceptions.NotFittedError
        If a model is not fitted.
    ValueError
        As :func:`group_metric_frame`.
    """
    _check_models(models)
    check_lengths(X=X, y=y)
    return {
        name: group_metric_frame(y, model.predict(X), sensitive_features, **kwargs)
        for name, model in models.items()
    }


def _check_frames(frames):
    if not isinstance(frames, dict) or not frames:
        raise TypeError("Expected a non-empty dict {model name: MetricFrame}.")
    for name, frame in frames.items():
        if not isinstance(frame, MetricFrame):
            raise TypeError(f"{name!r} maps to {type(frame).__name__}, not a MetricFrame.")


def group_table(frames):
    """Gather the per-group metrics of several models into one tidy table.

    Parameters
    ----------
    frames : dict of {str: fairlearn.metrics.MetricFrame}
        Per-group metrics by model name, e.g. from :func:`metric_frames`.

    Returns
    -------
    table : pandas.DataFrame
        One row per model and group, with columns ``model``, one column per sensitive
        feature, then one column per metric (rates in [0, 1], as fairlearn gives them).
        Group combinations absent from the data are left out. Pivot it to see models side
        by side, e.g. ``table.pivot(index=["skin_type", "gender"], columns="model",
        values="recall")``; save it with ``table.to_csv``.

    Raises
    ------
    TypeError
        If ``frames`` is not a non-empty dict of MetricFrames.
    """
    _check_frames(frames)
    parts = []
    for name, frame in frames.items():
        by_group = frame.by_group
        if isinstance(by_group, pd.Series):
            by_group = by_group.to_frame()
        by_group = by_group.dropna(how="all").reset_index()
        by_group.insert(0, "model", name)
        parts.append(by_group)
    table = pd.concat(parts, ignore_index=True)
    if "count" in table.columns:
        table["count"] = table["count"].astype("int64")
    return table


def compare_models(models, X, y, sensitive_features, **kwargs):
    """Evaluate several fitted models per group in one tidy table.

    Parameters
    ----------
    models : dict of {str: estimator}
        Fitted classifiers with ``predict``, by display name.
    X : array-like
        Test inputs.
    y : array-like of shape (n_samples,)
        True labels.
    sensitive_features : array-like, Series, DataFrame or dict of 1-D arrays
        Group memberships; missing entries mark rows of no group (non-faces).
    **kwargs
        ``metrics``, ``missing`` and ``pos_label`` of :func:`group_metric_frame`.

    Returns
    -------
    table : pandas.DataFrame
        The table of :func:`group_table`: columns ``model``, the sensitive features, and one
        column per metric.

    Raises
    ------
    TypeError
        If ``models`` is not a non-empty dict of estimators with ``predict``.
    ValueError
        As :func:`group_metric_frame`.

    See Also
    --------
    summary_table : E[A], Var[A] and the worst group of each model.
    """
    return group_table(metric_frames(models, X, y, sensitive_features, **kwargs))


def summary_table(frames, metric="accuracy", *, ddof=0):
    """Put the :func:`bias_summary` of several models side by side.

    Parameters
    ----------
    frames : dict of {str: fairlearn.metrics.MetricFrame}
        Per-group metrics by model name, e.g. from :func:`metric_frames`.
    metric : str, default="accuracy"
        Metric to summarise.
    ddof : int, default=0
        Delta degrees of freedom of ``Var[A]``.

    Returns
    -------
    table : pandas.DataFrame
        One row per model (index ``model``), with the entries of :func:`bias_summary` as
        columns.

    Raises
    ------
    TypeError
        If ``frames`` is not a non-empty dict of MetricFrames.
    ValueError
        As :func:`bias_summary`.
    """
    _check_frames(frames)
    rows = {name: bias_summary(frame, metric, ddof=ddof) for name, frame in frames.items()}
    table = pd.DataFrame(rows).T.infer_objects()
    table.index.name = "model"
    return table
