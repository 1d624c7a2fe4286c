"""The inputs of the per-group metrics, checked and put in shape: metrics, groups, labels.

Shared by :mod:`debias_estimators.metrics` and the bootstrap intervals, so that both drop the
same rows and refuse the same mistakes. Nothing here imports torch.
"""

from functools import partial

import numpy as np
import pandas as pd
from fairlearn.metrics import count, selection_rate
from sklearn.metrics import accuracy_score, recall_score

__all__ = [
    "MAX_LEVELS",
    "attribute_columns",
    "DEFAULT_METRICS",
    "as_feature_frame",
    "check_lengths",
    "drop_missing",
    "labels_1d",
    "resolve_metrics",
]

DEFAULT_METRICS = ("accuracy", "recall", "selection_rate", "count")
_MISSING_RULES = ("drop", "raise")
# An attribute with more distinct values than this (file names, ids) is not a group.
MAX_LEVELS = 12


def _named_metrics(pos_label):
    # zero_division=nan: a group without positives has no recall, and must not warn
    return {
        "accuracy": accuracy_score,
        "recall": partial(recall_score, pos_label=pos_label, zero_division=np.nan),
        "selection_rate": partial(selection_rate, pos_label=pos_label),
        "count": count,
    }


def resolve_metrics(metrics, pos_label):
    named = _named_metrics(pos_label)
    if metrics is None:
        return named
    if isinstance(metrics, str):
        metrics = [metrics]
    if isinstance(metrics, dict):
        return _check_metric_dict(metrics)
    metrics = list(metrics)
    if not metrics:
        raise ValueError("metrics is empty: name at least one metric.")
    unknown = [m for m in metrics if m not in named]
    if unknown:
        raise ValueError(
            f"Unknown metric name(s) {unknown}; known names are {list(DEFAULT_METRICS)}. "
            f"Pass a dict {{name: callable}} for other metrics."
        )
    return {m: named[m] for m in metrics}


def _check_metric_dict(metrics):
    if not metrics:
        raise ValueError("metrics is empty: name at least one metric.")
    for name, func in metrics.items():
        if not isinstance(name, str):
            raise TypeError(f"Metric names must be strings; got {name!r}.")
        if not callable(func):
            raise TypeError(f"Metric {name!r} must be callable(y_true, y_pred); got {func!r}.")
    return dict(metrics)


def as_feature_frame(sensitive_features):
    """Put the sensitive features into a DataFrame with string column names, by position."""
    sf = sensitive_features
    if isinstance(sf, pd.Series):
        frame = sf.to_frame(name=sf.name if sf.name is not None else "sensitive_feature_0")
    elif isinstance(sf, pd.DataFrame):
        frame = sf.copy()
    elif isinstance(sf, dict):
        frame = pd.DataFrame({name: np.asarray(col, dtype=object) for name, col in sf.items()})
    else:
        frame = _array_frame(sf)
    if frame.shape[1] == 0:
        raise ValueError("sensitive_features has no columns: give at least one group column.")
    frame.columns = [str(c) for c in frame.columns]
    return frame.reset_index(drop=True)


def _array_frame(sensitive_features):
    # object dtype keeps None as a missing value instead of the string "None"
    array = np.asarray(sensitive_features, dtype=object)
    if array.ndim == 1:
        array = array[:, np.newaxis]
    if array.ndim != 2:
        raise ValueError(
            f"sensitive_features must be one column or a table of columns; got an array "
            f"of shape {array.shape}."
        )
    names = [f"sensitive_feature_{i}" for i in range(array.shape[1])]
    return pd.DataFrame(array, columns=names)


def _integral_floats_to_int(frame):
    # A column like skin type 1..6 turns float when non-faces hold NaN; show 3, not 3.0
    for name in frame.columns:
        col = frame[name]
        if pd.api.types.is_float_dtype(col) and len(col) and (col % 1 == 0).all():
            frame[name] = col.astype("int64")
    return frame


def attribute_columns(attributes):
    """Return the columns that hold groups: 2 to ``MAX_LEVELS`` distinct values."""
    return [
        column
        for column in attributes.columns
        if 1 < attributes[column].nunique(dropna=True) <= MAX_LEVELS
    ]


def check_lengths(**arrays):
    lengths = {name: len(a) for name, a in arrays.items()}
    if len(set(lengths.values())) > 1:
        detail = ", ".join(f"{name} has {n}" for name, n in lengths.items())
        raise ValueError(f"Inconsistent numbers of samples: {detail}.")


def drop_missing(y_true, y_pred, frame, missing):
    """Keep the rows whose sensitive features are all present."""
    if missing not in _MISSING_RULES:
        raise ValueError(f"missing must be one of {_MISSING_RULES}; got {missing!r}.")
    keep = ~frame.isna().any(axis=1).to_numpy()
    if missing == "raise" and not keep.all():
        raise ValueError(
            f"{int((~keep).sum())} row(s) have missing sensitive features; pass "
            f"missing='drop' to evaluate only the rows that belong to a group."
        )
    if not keep.any():
        raise ValueError(
            "No groups to evaluate: every row has a missing sensitive feature "
            "(e.g. a test set of non-faces only)."
        )
    frame = _integral_floats_to_int(frame[keep].reset_index(drop=True).infer_objects())
    return y_true[keep], y_pred[keep], frame


def labels_1d(labels, name):
    """Accept ``(n,)`` or ``(n, 1)`` labels; refuse anything that would be flattened."""
    labels = np.asarray(labels)
    if labels.ndim == 2 and labels.shape[1] == 1:
        return labels[:, 0]
    if labels.ndim != 1:
        raise ValueError(f"{name} must be one label per sample, shape (n,); got {labels.shape}.")
    return labels
