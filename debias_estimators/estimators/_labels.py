"""Class labels of a binary estimator: two labels, and which one is the positive class."""

import re
import warnings

import numpy as np
from sklearn.utils.multiclass import type_of_target

__all__ = ["check_classes"]


def check_classes(y, classes, pos_label_param):
    """Check the labels of a first fit and resolve the positive class.

    Parameters
    ----------
    y : ndarray of shape (n,)
        The training labels.
    classes : array-like or None
        All labels, as ``partial_fit`` takes them; ``None`` reads them from ``y``.
    pos_label_param : label or None
        The estimator's ``pos_label``; ``None`` means the larger label.

    Returns
    -------
    labels : ndarray of shape (2,)
        The sorted labels (``classes_``).
    pos_label : label
        The positive class (``pos_label_``).

    Raises
    ------
    ValueError
        If the labels are continuous, unsortable, not exactly two, or the positive class is
        absent.
    """
    if type_of_target(y) == "continuous":
        raise ValueError(
            "Unknown label type: y holds continuous values; a classifier needs class labels."
        )
    try:
        labels = np.unique(y if classes is None else np.asarray(classes))
    except TypeError as err:  # e.g. None beside strings
        raise ValueError(
            f"The labels cannot be sorted, so the classes are not defined: {err}. Use "
            f"labels of one type (all numbers or all strings)."
        ) from err
    if classes is None and len(labels) < 2:
        raise ValueError(
            f"y contains one class only ({labels.tolist()}); a classifier needs two classes."
        )
    if len(labels) != 2:
        raise ValueError(
            f"Only binary classification is supported; y holds {len(labels)} classes: "
            f"{labels.tolist()[:10]}."
        )
    pos_label = labels[1] if pos_label_param is None else pos_label_param
    if pos_label not in labels:
        raise ValueError(
            f"pos_label={pos_label!r} is not among the labels {labels.tolist()}; no sample of "
            f"the positive class to learn from."
        )
    if classes is None and not (y == pos_label).any():
        raise ValueError(f"y holds no sample of pos_label={pos_label!r}.")
    if pos_label_param is None and _reads_as_negation(*labels.tolist()[::-1]):
        negative, positive = labels.tolist()
        warnings.warn(
            f"pos_label is None, so the positive class (the faces, whose latent structure "
            f"is learned) is {positive!r}, the larger of the labels {labels.tolist()}; "
            f"pass pos_label={negative!r} if that is the positive class.",
            UserWarning,
            stacklevel=4,
        )
    return labels, pos_label


def _reads_as_negation(label, other):
    """Tell whether ``label`` reads as "not ``other``", e.g. ``"nonface"`` beside ``"face"``."""
    if not (isinstance(label, str) and isinstance(other, str)):
        return False
    label, other = (re.sub(r"[^a-z0-9]", "", s.lower()) for s in (label, other))
    return any(label == prefix + other for prefix in ("non", "not", "no"))
