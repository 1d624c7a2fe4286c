"""Per-group evaluation of fitted models on a test set: the tables printed and reported."""

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from ..metrics import group_table, metric_frames, summary_table

__all__ = [
    "SUMMARY_COLUMNS",
    "SUMMARY_LEGEND",
    "Evaluation",
    "evaluate",
    "face_label",
    "format_groups",
    "format_summary",
    "percent_groups",
]

METRICS = ["accuracy", "recall", "count"]
RATE_COLUMNS = ("accuracy", "recall")
# The summary's columns, in the order shown; the console, the CSV and the Markdown report all
# use these names, so a number is found under the same name everywhere.
SUMMARY_COLUMNS = (
    "E[A]",
    "Var[A]",
    "worst_group",
    "worst_group_value",
    "max_difference",
    "overall",
    "nonface_accuracy",
)
SUMMARY_LEGEND = (
    "accuracy on faces, %; max_difference: largest gap between groups, points; overall: all "
    "test faces; nonface_accuracy: share of the test non-faces rejected"
)


@dataclass
class Evaluation:
    """Per-group table (rates in [0, 1]) and summary (percent) of several models."""

    groups: pd.DataFrame
    summary: pd.DataFrame


def evaluate(models, test):
    """Compute the per-group table and the bias summary of each model on the test set.

    Parameters
    ----------
    models : dict of {str: estimator}
        Fitted classifiers by display name.
    test : FaceData
        Test images with skin type and gender for the faces.

    Returns
    -------
    evaluation : Evaluation
        ``groups``: one row per model and group; ``summary``: one row per model with E[A],
        Var[A], the worst group (accuracy on faces, percent) and, where the test set holds
        non-faces, the share of them rejected.
    """
    if test.groups is None:
        raise ValueError(f"The test set ({test.source}) has no skin type and gender columns.")
    # The test set's targets are 1 for faces; a model may name its classes otherwise.
    frames = {}
    for name, model in models.items():
        face = face_label(model)
        y = np.where(test.faces, face, _other_label(model, face))
        frames.update(
            metric_frames(
                {name: model}, test.images, y, test.groups, metrics=METRICS, pos_label=face
            )
        )
    summary = summary_table(frames, "accuracy")
    nonfaces = ~test.faces
    if nonfaces.any():
        summary["nonface_accuracy"] = [
            100.0 * float(np.mean(model.predict(test.images[nonfaces]) != face_label(model)))
            for model in models.values()
        ]
    return Evaluation(group_table(frames), summary)


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


def _other_label(model, face):
    last = model[-1] if isinstance(model, Pipeline) else model
    others = [c for c in getattr(last, "classes_", [0]) if c != face]
    return others[0] if others else 0


def format_groups(groups, model):
    """Render one model's per-group rates in percent, as text.

    Parameters
    ----------
    groups : pandas.DataFrame
        The ``groups`` table of :class:`Evaluation`.
    model : str
        The model's name.

    Returns
    -------
    text : str
        The table.
    """
    table = percent_groups(groups[groups["model"] == model].drop(columns="model"))
    return table.to_string(index=False, float_format=lambda v: f"{v:.1f}")


def format_summary(summary):
    """Render the summary of all models, as text.

    Parameters
    ----------
    summary : pandas.DataFrame
        The ``summary`` table of :class:`Evaluation`.

    Returns
    -------
    text : str
        The table, its columns named as in ``summary.csv`` and ``report.md``.
    """
    shown = summary[[c for c in SUMMARY_COLUMNS if c in summary.columns]].rename_axis(None)
    return shown.to_string(float_format=lambda v: f"{v:.1f}")


def percent_groups(groups):
    """Return the per-group table with the rates in percent, for the report."""
    table = groups.copy()
    for column in RATE_COLUMNS:
        table[column] = 100.0 * table[column]
    return table
