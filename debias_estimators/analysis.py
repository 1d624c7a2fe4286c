"""Per-group evaluation of fitted models on one test set, and its spread over seeds.

:func:`evaluate_models` measures any fitted classifiers per group, at their own threshold and
at a matched false-positive rate (:mod:`debias_estimators.evaluation`). What a DB-VAE
upweights is audited in :mod:`debias_estimators.audit`; its functions are also importable
from here.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from .audit import attribute_enrichment, resampling_weights, strongest_enrichment
from .evaluation import evaluate_detector, face_label
from .metrics import bias_intervals, group_table, metric_frames, summary_table

__all__ = [
    "Evaluation",
    "attribute_enrichment",
    "evaluate_models",
    "face_label",
    "resampling_weights",
    "strongest_enrichment",
    "summarize_seeds",
]

EVALUATION_METRICS = ["accuracy", "recall", "count"]


@dataclass
class Evaluation:
    """Per-group table and bias summary of several fitted models on one test set.

    Parameters
    ----------
    groups : pandas.DataFrame
        One row per model and group: accuracy and recall (rates in [0, 1]) and the count.
    summary : pandas.DataFrame
        One row per model: E[A], Var[A], the worst group and the largest gap (accuracy on
        faces, percent) and, where the test set holds non-faces, ``nonface_accuracy``.
    intervals : pandas.DataFrame or None, default=None
        95 % bootstrap intervals of E[A], Var[A], the worst group's accuracy and the largest
        gap (:func:`~debias_estimators.metrics.bias_intervals`): one row per model and
        statistic, columns ``estimate``, ``low`` and ``high``.
    operating_points : dict of {str: OperatingPointEvaluation} or None, default=None
        Each model at its own threshold and at a matched false-positive rate
        (:func:`~debias_estimators.evaluation.evaluate_scores`).
    """

    groups: pd.DataFrame
    summary: pd.DataFrame
    intervals: pd.DataFrame | None = None
    operating_points: dict | None = None

    def matched(self):
        """Return each model's figures at its own threshold and at the matched FPR.

        Returns
        -------
        table : pandas.DataFrame or None
            One row per model and operating point (``threshold``, ``FPR``): the threshold,
            E[A], Var[A], the worst group, the worst attribute value, the variance over all
            values and the share of test non-faces rejected, and the smallest per-group ROC
            AUC; ``None`` where the models were not scored at a matched FPR.
        """
        if not self.operating_points:
            return None
        parts = {
            name: ev.summary.assign(min_group_auc=float(ev.auc.min()))
            for name, ev in self.operating_points.items()
        }
        return pd.concat(parts, names=["model"])


def evaluate_models(models, X, faces, groups, *, attributes=None, X_calibration=None, fpr=0.05):
    """Compute the per-group table and the bias summary of each model on a labelled set.

    Parameters
    ----------
    models : dict of {str: estimator}
        Fitted classifiers (or pipelines ending in one) by display name.
    X : array-like
        Test samples, faces and non-faces, as the models take them.
    faces : array-like of bool of shape (n_samples,)
        Which samples are faces.
    groups : pandas.DataFrame
        Sensitive features per sample (e.g. skin type and gender), missing for non-faces.
    attributes : pandas.DataFrame, optional
        Every attribute of each sample (the columns of ``groups`` and others): recall is also
        given for each value of each attribute. By default the columns of ``groups``.
    X_calibration : array-like, optional
        Held-out non-faces that set each model's threshold at the matched false-positive
        rate; by default the test non-faces themselves.
    fpr : float, default=0.05
        The matched false-positive rate.

    Returns
    -------
    evaluation : Evaluation
        ``groups``: one row per model and group; ``summary``: one row per model with E[A],
        Var[A], the worst group (accuracy on faces, percent) and, where ``X`` holds non-faces,
        the share of them rejected; ``intervals``: their bootstrap intervals (1,000 resamples
        of the faces within each group, seed 0); ``operating_points``: each model's
        :class:`~debias_estimators.evaluation.OperatingPointEvaluation` at its own threshold
        and at the matched FPR, where the models give probabilities and there are non-faces to
        set the threshold on (else ``None``).
    """
    faces = np.asarray(faces, dtype=bool)
    # The targets are 1 for faces; a model may name its classes otherwise.
    frames = {}
    for name, model in models.items():
        face = face_label(model)
        y = np.where(faces, face, _other_label(model, face))
        frames.update(
            metric_frames({name: model}, X, y, groups, metrics=EVALUATION_METRICS, pos_label=face)
        )
    summary = summary_table(frames, "accuracy")
    nonfaces = ~faces
    if nonfaces.any():
        X_nonfaces = np.asarray(X)[nonfaces]
        summary["nonface_accuracy"] = [
            100.0 * float(np.mean(model.predict(X_nonfaces) != face_label(model)))
            for model in models.values()
        ]
    intervals = _intervals(models, X, faces, groups)
    points = _operating_points(models, X, faces, groups, attributes, X_calibration, fpr)
    return Evaluation(group_table(frames), summary, intervals, points)


def _operating_points(models, X, faces, groups, attributes, X_calibration, fpr):
    scorable = all(hasattr(model, "predict_proba") for model in models.values())
    if not scorable or (X_calibration is None and faces.all()):
        return None
    attributes = groups if attributes is None else attributes
    return {
        name: evaluate_detector(
            model, X, faces, attributes, X_calibration, fpr=fpr, headline=list(groups.columns)
        )
        for name, model in models.items()
    }


def _intervals(models, X, faces, groups):
    X_faces, groups_faces = np.asarray(X)[faces], groups[faces]
    tables = {}
    for name, model in models.items():
        face = face_label(model)
        y_true = np.full(len(X_faces), face, dtype=object)
        y_pred = np.asarray(model.predict(X_faces), dtype=object)
        tables[name] = bias_intervals(y_true, y_pred, groups_faces, n_boot=1000, random_state=0)
    table = pd.concat(tables, names=["model", "statistic"])
    return table


# For each statistic of the summary, whether a higher value is better.
_HIGHER_IS_BETTER = {
    "E[A]": True,
    "Var[A]": False,
    "worst_group_value": True,
    "max_difference": False,
    "nonface_accuracy": True,
}


def summarize_seeds(summaries):
    """Mean, spread, median and worst seed of each model's bias figures over training seeds.

    Parameters
    ----------
    summaries : dict of {int: pandas.DataFrame}
        The ``summary`` of an :class:`Evaluation` (one row per model) by training seed.

    Returns
    -------
    table : pandas.DataFrame
        One row per model and statistic (``E[A]``, ``Var[A]``, ``worst_group_value``,
        ``max_difference`` and, where present, ``nonface_accuracy``); columns ``mean``, ``sd``
        (sample standard deviation; NaN for one seed), ``median``, ``worst`` (the lowest value,
        or the highest for ``Var[A]`` and ``max_difference``) and ``n_seeds``.
    """
    if not summaries:
        raise ValueError("summarize_seeds needs the summary of at least one seed.")
    frame = pd.concat(summaries, names=["seed", "model"])
    rows = {}
    for stat, higher_is_better in _HIGHER_IS_BETTER.items():
        if stat not in frame:
            continue
        by_model = frame[stat].astype(float).groupby(level="model", sort=False)
        for model, values in by_model:
            rows[(model, stat)] = {
                "mean": values.mean(),
                "sd": values.std(ddof=1) if len(values) > 1 else np.nan,
                "median": values.median(),
                "worst": values.min() if higher_is_better else values.max(),
                "n_seeds": len(values),
            }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index = pd.MultiIndex.from_tuples(table.index, names=["model", "statistic"])
    return table


def _other_label(model, face):
    last = model[-1] if isinstance(model, Pipeline) else model
    others = [c for c in getattr(last, "classes_", [0]) if c != face]
    return others[0] if others else 0
