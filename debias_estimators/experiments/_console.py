"""A run as the console shows it: the evaluation, the enrichment, the comparison, as text lines."""

from ..audit import strongest_enrichment
from ._text import (
    HEADLINE_FIGURES,
    SUMMARY_COLUMNS,
    SUMMARY_LEGEND,
    comparison_sentences,
    gap_sentences,
    percent_groups,
)

__all__ = ["print_run"]

MATCHED_COLUMNS = {
    "threshold": "threshold",
    "E[A]": "E[A]",
    "Var[A]": "Var[A]",
    "worst_group": "worst group",
    "worst_group_value": "its recall",
    "worst_value": "worst value",
    "worst_value_recall": "its recall ",
    "nonface_rejected": "non-faces rejected",
    "min_group_auc": "min group AUC",
}


def print_evaluation(evaluation, echo):
    """Print each model's per-group table, the summary and one sentence per model.

    Parameters
    ----------
    evaluation : Evaluation
        The tables of the models.
    echo : callable
        Prints one message.
    """
    for name in evaluation.summary.index:
        echo(f"\n{name}: accuracy and recall (%) per group, on the test faces")
        echo(format_groups(evaluation.groups, name))
    echo(f"\nSummary over the groups ({SUMMARY_LEGEND})")
    echo(format_summary(evaluation.summary))
    for line in gap_sentences(evaluation.summary):
        echo(f"  {line}")
    if evaluation.intervals is not None:
        echo("\n95 % bootstrap intervals over the test faces (not between training seeds)")
        echo(format_intervals(evaluation.intervals))
    if evaluation.operating_points:
        fpr = next(iter(evaluation.operating_points.values())).fpr
        echo(
            f"\nAt each model's own threshold and at a matched {fpr:.0%} false-positive rate "
            "(recall on faces, %; worst value: over every attribute)"
        )
        echo(format_matched(evaluation))


def print_enrichment(table, top_fraction, echo, *, whole_table=False):
    """Print the attribute values most over-represented among the top weights.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`attribute_enrichment`.
    top_fraction : float
        Share of the faces counted as top and bottom.
    echo : callable
        Prints one message.
    whole_table : bool, default=False
        Print the whole table first.
    """
    if whole_table:
        echo(
            f"\nShare of each attribute value (%) among all faces, the top and the bottom "
            f"{top_fraction:.0%} by resampling weight; enrichment = top / overall"
        )
        echo(table.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    lines = strongest_enrichment(table)
    if lines:
        echo(f"\nMost over-represented among the top {top_fraction:.0%} resampling weights:")
        for line in lines:
            echo(f"  {line}")


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


def format_intervals(intervals):
    """Render the bootstrap intervals as ``estimate [low, high]`` per model and statistic.

    Parameters
    ----------
    intervals : pandas.DataFrame
        Rows (model, statistic); columns ``estimate``, ``low``, ``high``.

    Returns
    -------
    text : str
        One line per model.
    """
    cells = intervals.apply(
        lambda row: f"{row['estimate']:.1f} [{row['low']:.1f}, {row['high']:.1f}]", axis=1
    )
    return cells.unstack("statistic")[list(intervals.index.unique("statistic"))].to_string()


def format_matched(evaluation):
    """Render each model's figures at its own threshold and at the matched FPR, as text.

    Parameters
    ----------
    evaluation : Evaluation
        With ``operating_points``.

    Returns
    -------
    text : str
        One row per model and operating point.
    """
    table = evaluation.matched()[list(MATCHED_COLUMNS)].rename(columns=MATCHED_COLUMNS)
    return table.to_string(float_format=lambda v: f"{v:.2f}")


def format_comparison(comparison, figures=None):
    """Render a comparison's medians and differences to the baseline, as text.

    Parameters
    ----------
    comparison : Comparison
        From :func:`~debias_estimators.comparison.compare_methods`.
    figures : list of str, optional
        The figures to show; by default the headline ones at the matched FPR.

    Returns
    -------
    text : str
        The medians per method, then each difference with its interval and verdict.
    """
    # A figure no run could measure (no attribute value with enough faces) is left out.
    measured = set(comparison.summary.dropna(subset=["median"])["figure"])
    figures = [f for f in figures or HEADLINE_FIGURES if f in measured]
    summary = comparison.summary[comparison.summary["figure"].isin(figures)]
    medians = summary.pivot(index="method", columns="figure", values="median")
    order = list(dict.fromkeys(comparison.runs["method"]))
    lines = ["Medians over initialisations:", medians.loc[order, figures].round(2).to_string()]
    diffs = comparison.differences[comparison.differences["figure"].isin(figures)]
    cells = diffs.apply(
        lambda r: f"{r['difference']:+.2f} [{r['low']:+.2f}, {r['high']:+.2f}] {r['verdict']}",
        axis=1,
    )
    table = diffs.assign(cell=cells).pivot(index="method", columns="figure", values="cell")
    lines += [
        f"\nDifference of medians to the {comparison.baseline} [95 % bootstrap interval]:",
        table.loc[[m for m in order if m in table.index], figures].to_string(),
    ]
    return "\n".join(lines)


def print_comparison(comparison, n_init, fpr, echo):
    """Print the medians, the differences to the baseline and what they resolve.

    Parameters
    ----------
    comparison : Comparison
        From :func:`~debias_estimators.comparison.compare_methods`.
    n_init : int
        Initialisations per method.
    fpr : float
        The matched false-positive rate.
    echo : callable
        Prints one message.
    """
    echo(f"\nOver {n_init} initialisations on the same data, matched {fpr:.0%} FPR:")
    echo(format_comparison(comparison))
    for line in comparison_sentences(comparison):
        echo(f"  {line}")


def print_run(run, echo):
    """Print what an experiment found, then where its report is.

    Parameters
    ----------
    run : ExperimentRun
        The outcome of an experiment.
    echo : callable
        Prints one message.
    """
    if run.evaluation is not None:
        print_evaluation(run.evaluation, echo)
    if run.enrichment is not None:
        # An audit (no evaluation) is about the enrichment alone: it shows the whole table.
        whole = run.evaluation is None
        print_enrichment(run.enrichment, run.top_fraction, echo, whole_table=whole)
    if run.comparison is not None:
        print_comparison(run.comparison, run.n_init, run.fpr, echo)
    if run.test_draws is not None:
        n = int(run.test_draws["n_seeds"].max())
        echo(f"\nOver {n} synthetic test draws (the model's training is not repeated):")
        echo(run.test_draws.round(2).to_string())
    echo(f"\nReport: {run.report.folder / 'report.md'} ({len(run.report.files)} files)")
    echo(f"Total wall time: {run.seconds:.0f} s")
