"""Ranking faces against non-faces: the threshold at a false-positive rate, per-group ROC.

These need only scores, never a model; :mod:`debias_estimators.evaluation` builds on them.
"""

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score, roc_curve

__all__ = ["group_roc_auc", "group_roc_curves", "scores_1d", "threshold_at_fpr"]


def scores_1d(scores, name):
    scores = np.asarray(scores, dtype=np.float64).reshape(-1)
    if not np.all(np.isfinite(scores)):
        raise ValueError(f"{name} must be finite.")
    return scores


def threshold_at_fpr(negative_scores, fpr=0.05):
    """Return the lowest threshold at which at most ``fpr`` of the negatives score above it.

    A sample is called a face when its score is *strictly above* the threshold, so ties at the
    threshold are rejected and the false-positive rate on ``negative_scores`` never exceeds
    ``fpr``: it is the ``k + 1``-th highest negative score, ``k = floor(fpr * n)``.

    Parameters
    ----------
    negative_scores : array-like of shape (n_negatives,)
        Scores of held-out non-faces.
    fpr : float, default=0.05
        The largest share of them to accept, in ``[0, 1)``.

    Returns
    -------
    threshold : float
        Call a sample a face when its score is above it.
    """
    if (
        isinstance(fpr, bool)
        or not isinstance(fpr, int | float | np.floating)
        or not (0 <= fpr < 1)
    ):
        raise ValueError(f"fpr must be a number in [0, 1); got {fpr!r}.")
    scores = np.sort(scores_1d(negative_scores, "negative_scores"))[::-1]
    if scores.size == 0:
        raise ValueError("threshold_at_fpr needs at least one negative score.")
    # A small epsilon guards fpr * n landing a hair under a whole number (0.05 * 200).
    k = int(np.floor(fpr * scores.size + 1e-9))
    return float(scores[k])


def group_roc_auc(scores, faces, groups):
    """ROC AUC of each group's faces against all non-faces: a threshold-free per-group figure.

    Parameters
    ----------
    scores : array-like of shape (n_samples,)
        Face scores.
    faces : array-like of bool of shape (n_samples,)
        Which samples are faces.
    groups : pandas.DataFrame or Series
        Group of each sample (faces); rows of non-faces, and faces with a missing group, are
        ignored.

    Returns
    -------
    auc : pandas.Series
        One value per group (levels joined by ``" / "``), in [0, 1].
    """
    auc = {
        label: roc_auc_score(y, ranked)
        for label, y, ranked in _group_rankings(scores, faces, groups)
    }
    return pd.Series(auc, name="roc_auc", dtype=float)


def _group_rankings(scores, faces, groups):
    """Yield ``(group label, labels, scores)``: one group's faces, then every non-face."""
    scores, faces = scores_1d(scores, "scores"), np.asarray(faces, dtype=bool).reshape(-1)
    frame = pd.DataFrame(groups).reset_index(drop=True)
    if not (len(scores) == len(faces) == len(frame)):
        raise ValueError("scores, faces and groups must have the same length.")
    if faces.all():
        raise ValueError("Ranking each group's faces needs non-faces to rank them against.")
    # A face without a group (a partly labelled test set) is in no group's ranking.
    grouped = faces & frame.notna().all(axis=1).to_numpy()
    labels = frame[grouped].astype(str).agg(" / ".join, axis=1).to_numpy()
    negatives = scores[~faces]
    for label in sorted(set(labels)):
        positives = scores[grouped][labels == label]
        yield (
            label,
            np.r_[np.ones(positives.size), np.zeros(negatives.size)],
            np.r_[positives, negatives],
        )


def group_roc_curves(scores, faces, groups):
    """ROC curve of each group's faces against all non-faces, as one long table.

    Parameters
    ----------
    scores : array-like of shape (n_samples,)
        Face scores.
    faces : array-like of bool of shape (n_samples,)
        Which samples are faces.
    groups : pandas.DataFrame or Series
        Group of each sample (faces); rows of non-faces, and faces with a missing group, are
        ignored.

    Returns
    -------
    curves : pandas.DataFrame
        Columns ``group``, ``fpr`` and ``tpr`` (scikit-learn's ``roc_curve`` of each group).
    """
    parts = []
    for label, y, ranked in _group_rankings(scores, faces, groups):
        fpr, tpr, _ = roc_curve(y, ranked)
        parts.append(pd.DataFrame({"group": label, "fpr": fpr, "tpr": tpr}))
    return pd.concat(parts, ignore_index=True)
