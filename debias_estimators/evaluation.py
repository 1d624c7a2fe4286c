"""Detectors judged at the same operating point, per group and on every attribute.

Two detectors that reject different shares of non-faces are not comparable by their face
recall: one trades false positives for detections. This module scores a detector at two
operating points:

* **its own threshold** (0.5 on the face probability): the figure of the DB-VAE paper;
* **a matched false-positive rate**: the threshold that accepts at most ``fpr`` (default 5 %)
  of held-out *calibration* non-faces, so every model rejects the same share of them.

At each point it reports the paper's E[A] and Var[A] over the headline groups (skin type x
gender), recall for every value of every attribute the faces carry (so a method that moves
errors from one group to another is caught), the worst of those values, the variance over all
of them and the share of test non-faces rejected. Per-group ROC AUC (the faces of one group
against all test non-faces) needs no threshold at all. fairlearn's ``MetricFrame`` holds the
per-group recall, as in :mod:`debias_estimators.metrics`.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from ._group_inputs import attribute_columns
from ._ranking import group_roc_auc, group_roc_curves, scores_1d, threshold_at_fpr
from .metrics import bias_summary, group_metric_frame

__all__ = [
    "FIGURES",
    "OperatingPointEvaluation",
    "evaluate_detector",
    "evaluate_scores",
    "face_label",
    "face_scores",
    "group_roc_auc",
    "group_roc_curves",
    "threshold_at_fpr",
]

HEADLINE = ("skin_type", "gender")
# The flat figures of one evaluation: the summary's column each is read from, and whether a
# higher value is better. ``{op}`` is the operating point: ``threshold`` (the model's own) or
# ``FPR`` (the matched one).
_FIGURE_SOURCES = {
    "E[A] {op}": ("E[A]", True),
    "Var[A] {op}": ("Var[A]", False),
    "worst group {op}": ("worst_group_value", True),
    "worst value {op}": ("worst_value_recall", True),
    "Var values {op}": ("Var_values", False),
    "non-faces rejected {op}": ("nonface_rejected", True),
}
FIGURES = {template: better for template, (_, better) in _FIGURE_SOURCES.items()}


def face_label(model):
    """Return the label a fitted model predicts for faces.

    Parameters
    ----------
    model : estimator
        A fitted classifier, or a pipeline ending in one.

    Returns
    -------
    label : object
        The estimator's ``pos_label_`` when it has one; else 1.
    """
    last = model[-1] if isinstance(model, Pipeline) else model
    label = getattr(last, "pos_label_", None)
    if label is not None:
        return label
    classes = getattr(last, "classes_", None)
    if classes is not None and 1 not in list(classes):
        raise ValueError(
            f"Cannot tell which of the model's labels {list(classes)} means a face: it has no "
            f"pos_label_ and no label 1."
        )
    return 1


def face_scores(model, X):
    """Probability of the face class that a fitted model gives each sample.

    Parameters
    ----------
    model : estimator
        A fitted classifier with ``predict_proba`` (or a pipeline ending in one).
    X : array-like
        Samples, as the model takes them.

    Returns
    -------
    scores : ndarray of shape (n_samples,)
        Higher means more face-like; the model's own threshold is 0.5.
    """
    if not hasattr(model, "predict_proba"):
        raise TypeError(f"{type(model).__name__} has no predict_proba: cannot rank samples.")
    column = list(model.classes_).index(face_label(model))
    return np.asarray(model.predict_proba(X))[:, column].astype(np.float64)


@dataclass
class OperatingPointEvaluation:
    """One detector on one test set, at its own threshold and at a matched FPR.

    Parameters
    ----------
    summary : pandas.DataFrame
        One row per operating point (``threshold``, ``FPR``): the threshold, E[A], Var[A], the
        worst headline group and its recall, the worst attribute value and its recall, the
        variance of recall over all attribute values, and the share of test non-faces rejected
        (percent; variances in percent squared).
    groups : pandas.DataFrame
        Recall (percent) and count of each headline group at each operating point.
    attributes : pandas.DataFrame
        Recall (percent) and count of each attribute value at each operating point.
    auc : pandas.Series
        ROC AUC (percent) of each headline group's faces against all test non-faces.
    fpr : float
        The matched false-positive rate.
    roc : pandas.DataFrame or None, default=None
        The ROC curve of each headline group (:func:`group_roc_curves`).
    """

    summary: pd.DataFrame
    groups: pd.DataFrame
    attributes: pd.DataFrame
    auc: pd.Series
    fpr: float
    roc: pd.DataFrame | None = None

    def figures(self):
        """Return the flat figures that :func:`~debias_estimators.comparison.compare_runs` compares.

        Returns
        -------
        figures : dict of {str: float}
            Each entry of :data:`FIGURES` at both operating points, and ``min group AUC``.
        """
        out = {}
        for op, row in self.summary.iterrows():
            for name, (column, _) in _FIGURE_SOURCES.items():
                out[name.format(op=f"at {op}")] = float(row[column])
        out["min group AUC"] = float(self.auc.min())
        return out


def _per_value_recall(detected, attributes, min_count):
    """Recall (percent) and count of every value of every attribute of the faces."""
    rows = []
    ones = np.ones(len(detected), dtype=int)
    for column in attribute_columns(attributes):
        # group_metric_frame leaves out the faces without a value and reads whole numbers
        # stored as floats (NaN beside them) as integers.
        frame = group_metric_frame(
            ones, detected.astype(int), attributes[column], ["recall", "count"]
        )
        for value, row in frame.by_group.iterrows():
            rows.append(
                {
                    "attribute": column,
                    "value": str(value),
                    "recall": 100 * row["recall"],
                    "count": int(row["count"]),
                    "scored": row["count"] >= min_count,
                }
            )
    return pd.DataFrame(rows, columns=["attribute", "value", "recall", "count", "scored"])


def _operating_point(scores, faces, attributes, headline, threshold, min_count):
    detected = scores > threshold
    face_attributes = attributes[faces].reset_index(drop=True)
    frame = group_metric_frame(
        np.ones(int(faces.sum()), dtype=int),
        detected[faces].astype(int),
        face_attributes[list(headline)],
        ["recall", "count"],
    )
    summary = bias_summary(frame, "recall")
    values = _per_value_recall(detected[faces], face_attributes, min_count)
    scored = values[values["scored"]]
    worst = scored.loc[scored["recall"].idxmin()] if len(scored) else None
    nonfaces = ~faces
    row = {
        "threshold": threshold,
        "E[A]": summary["E[A]"],
        "Var[A]": summary["Var[A]"],
        "worst_group": summary["worst_group"],
        "worst_group_value": summary["worst_group_value"],
        "worst_value": f"{worst['attribute']}={worst['value']}" if worst is not None else None,
        "worst_value_recall": worst["recall"] if worst is not None else np.nan,
        "Var_values": float(np.var(scored["recall"])) if len(scored) else np.nan,
        "nonface_rejected": 100 * float(np.mean(~detected[nonfaces])) if nonfaces.any() else np.nan,
    }
    groups = frame.by_group.reset_index()
    groups["recall"] *= 100
    return row, groups, values


def evaluate_scores(
    scores,
    faces,
    attributes,
    calibration_scores=None,
    *,
    fpr=0.05,
    model_threshold=0.5,
    headline=HEADLINE,
    min_count=20,
):
    """Score a detector's outputs at its own threshold and at a matched false-positive rate.

    Parameters
    ----------
    scores : array-like of shape (n_samples,)
        Face scores of the test samples (faces and non-faces).
    faces : array-like of bool of shape (n_samples,)
        Which test samples are faces.
    attributes : pandas.DataFrame
        One row per test sample; the headline columns and any other attribute of the faces
        (columns with 2 to 12 distinct values among the faces are scored).
    calibration_scores : array-like, optional
        Scores of held-out non-faces that set the matched threshold. ``None`` sets it on the
        test non-faces themselves (the FPR then holds exactly on the test set).
    fpr : float, default=0.05
        The matched false-positive rate.
    model_threshold : float, default=0.5
        The model's own threshold on the scores.
    headline : sequence of str, default=("skin_type", "gender")
        The columns whose combinations are the paper's groups.
    min_count : int, default=20
        Attribute values with fewer test faces are listed but left out of the worst value and
        of the variance over values (too few faces to measure recall).

    Returns
    -------
    evaluation : OperatingPointEvaluation
        The summary per operating point, the per-group and per-value tables and the AUCs.
    """
    scores, faces = scores_1d(scores, "scores"), np.asarray(faces, dtype=bool).reshape(-1)
    attributes = pd.DataFrame(attributes).reset_index(drop=True)
    if not (len(scores) == len(faces) == len(attributes)):
        raise ValueError(
            f"scores ({len(scores)}), faces ({len(faces)}) and attributes ({len(attributes)}) "
            "must have the same length."
        )
    missing = [c for c in headline if c not in attributes.columns]
    if missing:
        raise ValueError(f"attributes lack the headline columns {missing}.")
    if not faces.any():
        raise ValueError("The test set holds no faces.")
    if calibration_scores is None:
        if faces.all():
            raise ValueError("A matched FPR needs non-faces: pass calibration_scores.")
        calibration_scores = scores[~faces]
    points = {
        "threshold": model_threshold,
        "FPR": threshold_at_fpr(calibration_scores, fpr),
    }
    rows, groups, values = {}, [], []
    for op, threshold in points.items():
        row, group_table, value_table = _operating_point(
            scores, faces, attributes, headline, threshold, min_count
        )
        rows[op] = row
        groups.append(group_table.assign(operating_point=op))
        values.append(value_table.assign(operating_point=op))
    auc, roc = pd.Series(dtype=float, name="roc_auc"), None
    if (~faces).any():
        auc = 100 * group_roc_auc(scores, faces, attributes[list(headline)])
        roc = group_roc_curves(scores, faces, attributes[list(headline)])
    summary = pd.DataFrame.from_dict(rows, orient="index").rename_axis("operating_point")
    return OperatingPointEvaluation(
        summary,
        pd.concat(groups, ignore_index=True),
        pd.concat(values, ignore_index=True),
        auc,
        fpr,
        roc,
    )


def evaluate_detector(model, X, faces, attributes, X_calibration=None, **kwargs):
    """Score a fitted detector on a test set at its own threshold and at a matched FPR.

    Parameters
    ----------
    model : estimator
        A fitted classifier with ``predict_proba``.
    X : array-like
        Test samples, faces and non-faces.
    faces : array-like of bool of shape (n_samples,)
        Which test samples are faces.
    attributes : pandas.DataFrame
        Attributes of each test sample, as in :func:`evaluate_scores`.
    X_calibration : array-like, optional
        Held-out non-faces that set the matched threshold; ``None`` uses the test non-faces.
    **kwargs
        ``fpr``, ``headline`` and ``min_count`` of :func:`evaluate_scores`.

    Returns
    -------
    evaluation : OperatingPointEvaluation
        As :func:`evaluate_scores`.
    """
    calibration = None if X_calibration is None else face_scores(model, X_calibration)
    return evaluate_scores(face_scores(model, X), faces, attributes, calibration, **kwargs)
