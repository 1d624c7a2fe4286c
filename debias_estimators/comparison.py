"""Methods compared over several initialisations, with the baseline against itself as the null.

One training run is one draw: the same network retrained from another seed moves E[A] and
Var[A] by several points. :func:`compare_methods` trains K initialisations of each method on
the same data, scores each at a matched operating point
(:func:`~debias_estimators.evaluation.evaluate_detector`) and hands the runs to
:func:`compare_runs`, which reports each figure's median and range per method and the
difference of each method's median to the baseline's with a bootstrap interval over
initialisations. A difference is *resolved* when its interval excludes zero; otherwise it is
within noise. K more initialisations of the baseline, compared with the baseline like any
method, are the null: its intervals state what the comparison can resolve at all.
"""

import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import clone

from .evaluation import FIGURES, evaluate_detector

__all__ = ["Comparison", "compare_methods", "compare_runs", "figure_directions"]

# Seeds of the null's initialisations start this far from the baseline's.
NULL_SEED_OFFSET = 1000
# Fewer initialisations than this give no verdict: a bootstrap over two runs is too narrow.
MIN_RUNS = 3


def figure_directions(figures):
    """Whether a higher value is better, for each flat figure of an evaluation.

    Parameters
    ----------
    figures : iterable of str
        Names as :meth:`~debias_estimators.evaluation.OperatingPointEvaluation.figures` gives
        them.

    Returns
    -------
    directions : dict of {str: bool}
        True where higher is better; figures of no known kind are left out.
    """
    known = {template.split(" {op}")[0]: better for template, better in FIGURES.items()}
    known["min group AUC"] = True
    out = {}
    for name in figures:
        stem = name.split(" at ")[0]
        if stem in known:
            out[name] = known[stem]
    return out


@dataclass
class Comparison:
    """Figures of K initialisations per method, and each method's difference to the baseline.

    Parameters
    ----------
    runs : pandas.DataFrame
        One row per method and initialisation: ``method``, ``init`` and the figures.
    summary : pandas.DataFrame
        One row per method and figure: ``median``, ``min``, ``max`` and ``n`` (runs).
    differences : pandas.DataFrame
        One row per method (but the baseline) and figure: the baseline's and the method's
        median, ``difference`` (method minus baseline), ``change_%`` (relative to the
        baseline's median), ``low`` and ``high`` (the bootstrap interval of the difference)
        and ``verdict`` (``better``, ``worse``, ``within noise``, or ``too few runs`` under three
        initialisations on either side).
    baseline : str
        The method the others are compared with.
    null : str or None
        The baseline's other initialisations, if they were run.
    """

    runs: pd.DataFrame
    summary: pd.DataFrame
    differences: pd.DataFrame
    baseline: str
    null: str | None = None

    def resolving_power(self):
        """Return the null's intervals: the smallest differences the comparison can resolve.

        Returns
        -------
        table : pandas.DataFrame or None
            One row per figure: the null's ``difference``, ``low`` and ``high``; ``None``
            without a null.
        """
        if self.null is None:
            return None
        rows = self.differences[self.differences["method"] == self.null]
        return rows.set_index("figure")[["difference", "low", "high"]]


def _check_runs(runs, baseline, figures):
    if not isinstance(runs, pd.DataFrame) or "method" not in runs:
        raise TypeError("runs must be a DataFrame with a 'method' column and figure columns.")
    if baseline not in set(runs["method"]):
        methods = sorted(set(runs["method"]))
        raise ValueError(f"The baseline {baseline!r} has no runs; methods: {methods}.")
    unknown = [f for f in figures if f not in runs]
    if unknown:
        raise ValueError(f"runs lack the figures {unknown}.")


def _stat(values, statistic):
    return np.median(values, axis=-1) if statistic == "median" else np.mean(values, axis=-1)


def _bootstrap(candidate, base, statistic, n_boot, confidence, rng):
    """Percentile interval of stat(candidate) - stat(base), initialisations resampled apart."""
    picks_c = rng.integers(0, candidate.size, size=(n_boot, candidate.size))
    picks_b = rng.integers(0, base.size, size=(n_boot, base.size))
    diffs = _stat(candidate[picks_c], statistic) - _stat(base[picks_b], statistic)
    tail = (1 - confidence) / 2
    return np.quantile(diffs, [tail, 1 - tail])


def _verdict(low, high, higher_is_better, n_runs):
    if min(n_runs) < MIN_RUNS:
        return "too few runs"
    if low > 0 or high < 0:
        return "better" if (low > 0) == higher_is_better else "worse"
    return "within noise"


def compare_runs(
    runs,
    baseline,
    *,
    null=None,
    figures=None,
    statistic="median",
    n_boot=4000,
    confidence=0.95,
    random_state=0,
):
    """Compare each method's figures over initialisations with the baseline's.

    Parameters
    ----------
    runs : pandas.DataFrame
        One row per run: a ``method`` column and one column per figure (other columns,
        such as ``init``, are kept in the comparison's ``runs`` and otherwise ignored).
    baseline : str
        The method every other is compared with.
    null : str, optional
        The method that is the baseline from other initialisations; its intervals are the
        comparison's resolving power.
    figures : list of str, optional
        The figures to compare; by default every column :func:`figure_directions` knows.
    statistic : {"median", "mean"}, default="median"
        What summarises a method's runs: the median resists one lucky or unlucky run.
    n_boot : int, default=4000
        Bootstrap resamples of the initialisations.
    confidence : float, default=0.95
        Coverage of the intervals.
    random_state : int or None, default=0
        Seed of the bootstrap.

    Returns
    -------
    comparison : Comparison
        The summary per method and the differences to the baseline.
    """
    if statistic not in ("median", "mean"):
        raise ValueError(f"statistic must be 'median' or 'mean'; got {statistic!r}.")
    if isinstance(n_boot, bool) or not isinstance(n_boot, numbers.Integral) or n_boot < 1:
        raise ValueError(f"n_boot must be a positive integer; got {n_boot!r}.")
    if not isinstance(confidence, numbers.Real) or not 0 < confidence < 1:
        raise ValueError(f"confidence must be a number in (0, 1); got {confidence!r}.")
    directions = figure_directions(runs.columns if figures is None else figures)
    figures = list(directions) if figures is None else list(figures)
    _check_runs(runs, baseline, figures)
    if null is not None and null not in set(runs["method"]):
        raise ValueError(f"The null {null!r} has no runs.")
    rng = np.random.default_rng(random_state)
    methods = list(dict.fromkeys(runs["method"]))
    by_method = {m: runs[runs["method"] == m] for m in methods}
    summary, differences = [], []
    for method in methods:
        for figure in figures:
            values = by_method[method][figure].astype(float).dropna().to_numpy()
            if values.size == 0:  # a figure this method's runs could not measure
                summary.append({"method": method, "figure": figure, "n": 0})
                continue
            summary.append(
                {
                    "method": method,
                    "figure": figure,
                    "median": np.median(values),
                    "min": values.min(),
                    "max": values.max(),
                    "n": values.size,
                }
            )
            if method == baseline:
                continue
            base = by_method[baseline][figure].astype(float).dropna().to_numpy()
            if base.size == 0:
                continue
            base_stat, value = float(_stat(base, statistic)), float(_stat(values, statistic))
            difference = value - base_stat
            low, high = _bootstrap(values, base, statistic, n_boot, confidence, rng)
            differences.append(
                {
                    "method": method,
                    "figure": figure,
                    "baseline": base_stat,
                    "value": value,
                    "difference": difference,
                    "change_%": 100 * difference / abs(base_stat) if base_stat else np.nan,
                    "low": low,
                    "high": high,
                    "verdict": _verdict(
                        low, high, directions.get(figure, True), (values.size, base.size)
                    ),
                }
            )
    return Comparison(
        runs.reset_index(drop=True),
        pd.DataFrame(summary),
        pd.DataFrame(differences),
        baseline,
        null,
    )


def _initialisation(estimator, seed):
    model = clone(estimator)
    if "random_state" in model.get_params():
        model.set_params(random_state=seed)
    return model


def compare_methods(
    estimators,
    X,
    y,
    X_test,
    faces_test,
    attributes_test,
    X_calibration=None,
    *,
    baseline,
    n_init=3,
    null=True,
    fpr=0.05,
    fit_params=None,
    random_state=0,
    callback=None,
):
    """Train K initialisations of each method on the same data and compare them.

    Parameters
    ----------
    estimators : dict of {str: estimator}
        Unfitted classifiers with ``predict_proba`` and ``random_state``, by name.
    X, y : array-like
        The training data, the same for every run.
    X_test : array-like
        Test samples, faces and non-faces.
    faces_test : array-like of bool
        Which test samples are faces.
    attributes_test : pandas.DataFrame
        Attributes of each test sample (the headline groups and any other).
    X_calibration : array-like, optional
        Held-out non-faces that set each model's matched threshold.
    baseline : str
        The name in ``estimators`` the others are compared with.
    n_init : int, default=3
        Initialisations per method (seeds ``random_state`` to ``random_state + n_init - 1``).
    null : bool, default=True
        Also train the baseline from ``n_init`` other seeds, as the null.
    fpr : float, default=0.05
        The matched false-positive rate.
    fit_params : dict of {str: dict}, optional
        Keyword arguments of ``fit`` per method name (e.g. group labels for group DRO).
    random_state : int, default=0
        The first initialisation's seed.
    callback : callable, optional
        Called as ``callback(name, init, model, evaluation)`` after each run (to print
        progress or keep the models).

    Returns
    -------
    comparison : Comparison
        As :func:`compare_runs`, with the null named ``"<baseline>, other initialisations"``.
    """
    if baseline not in estimators:
        raise ValueError(f"The baseline {baseline!r} is not among {list(estimators)}.")
    if isinstance(n_init, bool) or not isinstance(n_init, numbers.Integral) or n_init < 1:
        raise ValueError(f"n_init must be a positive integer; got {n_init!r}.")
    plan = [(name, est, random_state) for name, est in estimators.items()]
    null_name = f"{baseline}, other initialisations" if null else None
    if null:
        plan.append((null_name, estimators[baseline], random_state + NULL_SEED_OFFSET))
    fit_params = fit_params or {}
    rows = []
    for k in range(n_init):
        for name, estimator, first_seed in plan:
            model = _initialisation(estimator, first_seed + k)
            source = baseline if name == null_name else name
            model.fit(X, y, **fit_params.get(source, {}))
            evaluation = evaluate_detector(
                model, X_test, faces_test, attributes_test, X_calibration, fpr=fpr
            )
            rows.append({"method": name, "init": first_seed + k, **evaluation.figures()})
            if callback is not None:
                callback(name, first_seed + k, model, evaluation)
    return compare_runs(pd.DataFrame(rows), baseline, null=null_name)
