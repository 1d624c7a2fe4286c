"""The evaluation and enrichment tables as the commands print them, in one place."""

import pandas as pd

from ..analysis import evaluate_models, strongest_enrichment

__all__ = [
    "SUMMARY_COLUMNS",
    "SUMMARY_LEGEND",
    "evaluate",
    "format_groups",
    "format_summary",
    "gap_sentences",
    "percent_groups",
    "print_enrichment",
    "print_evaluation",
]

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


def evaluate(models, test):
    """Evaluate fitted models per group on a test set (see :func:`evaluate_models`).

    Parameters
    ----------
    models : dict of {str: estimator}
        Fitted classifiers by display name.
    test : FaceData
        Test images with skin type and gender for the faces.

    Returns
    -------
    evaluation : Evaluation
        The per-group table and the bias summary.
    """
    if test.groups is None:
        raise ValueError(f"The test set ({test.source}) has no skin type and gender columns.")
    return evaluate_models(models, test.images, test.faces, test.groups)


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


def format_seed_table(table):
    """Render :func:`~debias_estimators.analysis.summarize_seeds` as ``mean ± sd`` per model.

    Parameters
    ----------
    table : pandas.DataFrame
        Rows (model, statistic); columns ``mean``, ``sd``, ``median``, ``worst``.

    Returns
    -------
    text : str
        One row per model and statistic.
    """
    return table.round(2).to_string()


def seed_sentences(summaries):
    """Say, per seed, whether the DB-VAE lowered the CNN's Var[A], and whether it is noise.

    Parameters
    ----------
    summaries : dict of {int: pandas.DataFrame}
        Each seed's summary, with rows ``CNN`` and ``DB-VAE``.

    Returns
    -------
    lines : list of str
        The count of seeds with a lower ``Var[A]`` and the mean change of ``E[A]`` and
        ``Var[A]`` against its spread over seeds.
    """
    diffs = pd.DataFrame(
        {
            seed: summary.loc["DB-VAE", ["E[A]", "Var[A]"]].astype(float)
            - summary.loc["CNN", ["E[A]", "Var[A]"]].astype(float)
            for seed, summary in summaries.items()
        }
    ).T
    lower = int((diffs["Var[A]"] < 0).sum())
    lines = [f"The DB-VAE's Var[A] was below the CNN's on {lower} of {len(diffs)} seeds."]
    for stat in ("E[A]", "Var[A]"):
        mean, sd = diffs[stat].mean(), diffs[stat].std(ddof=1)
        verdict = "within" if abs(mean) <= sd else "beyond"
        lines.append(
            f"DB-VAE minus CNN, {stat}: {mean:+.2f} on average, {verdict} its spread over "
            f"seeds (sd {sd:.2f})."
        )
    return lines


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


def gap_sentences(summary):
    """One sentence per model on its worst group and the spread over groups.

    Parameters
    ----------
    summary : pandas.DataFrame
        The evaluation's summary (percent).

    Returns
    -------
    lines : list of str
        The sentences.
    """
    return [
        f"{name}: worst group {row['worst_group']} at {row['worst_group_value']:.1f} %, "
        f"mean over groups E[A] = {row['E[A]']:.1f} %, Var[A] = {row['Var[A]']:.1f}, "
        f"largest gap {row['max_difference']:.1f} points."
        for name, row in summary.iterrows()
    ]


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
