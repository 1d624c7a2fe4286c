"""Sentences and column names that reports and console share: a figure reads the same everywhere."""

__all__ = [
    "HEADLINE_FIGURES",
    "RATE_COLUMNS",
    "SUMMARY_COLUMNS",
    "SUMMARY_LEGEND",
    "comparison_sentences",
    "gap_sentences",
    "percent_groups",
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


HEADLINE_FIGURES = [
    "worst group at FPR",
    "E[A] at FPR",
    "Var[A] at FPR",
    "worst value at FPR",
    "min group AUC",
    "non-faces rejected at threshold",
]


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


def comparison_sentences(comparison):
    """Say, per method, what the comparison resolved at the matched FPR, and the null's width.

    Parameters
    ----------
    comparison : Comparison
        From :func:`~debias_estimators.comparison.compare_methods`.

    Returns
    -------
    lines : list of str
        One sentence per method, and one on the resolving power where there is a null.
    """
    lines = []
    table = comparison.differences.set_index(["method", "figure"])
    for method in dict.fromkeys(comparison.differences["method"]):
        if method == comparison.null:
            continue
        parts = []
        for figure in ("worst group at FPR", "Var[A] at FPR", "E[A] at FPR"):
            if (method, figure) in table.index:
                row = table.loc[(method, figure)]
                parts.append(f"{figure} {row['difference']:+.2f} ({row['verdict']})")
        lines.append(f"{method} against the {comparison.baseline}: " + "; ".join(parts) + ".")
    power = comparison.resolving_power()
    if power is not None and "worst group at FPR" in power.index:
        low, high = power.loc["worst group at FPR", ["low", "high"]]
        lines.append(
            f"The {comparison.baseline} against its own other initialisations (the null): "
            f"worst group at FPR within [{low:+.2f}, {high:+.2f}] points; smaller differences "
            "cannot be told from training noise."
        )
    return lines


def percent_groups(groups):
    """Return the per-group table with the rates in percent, for the report."""
    table = groups.copy()
    for column in RATE_COLUMNS:
        table[column] = 100.0 * table[column]
    return table
