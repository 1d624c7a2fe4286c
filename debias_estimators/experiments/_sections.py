"""Sections shared by the reports of ``demo``, ``evaluate`` and ``audit``."""

import pandas as pd

from ..estimators import DebiasedVAEClassifier
from ..plotting import plot_extreme_faces
from ._figures import dbvae_figures, group_figure, roc_figures, training_curve_figures
from ._text import comparison_sentences, gap_sentences, percent_groups

__all__ = [
    "add_comparison",
    "add_enrichment",
    "add_evaluation",
    "add_model_card",
    "add_model_figures",
    "extreme_faces_figure",
]


def add_evaluation(report, evaluation, test):
    """Add the summary, the per-group table and the group bars.

    Parameters
    ----------
    report : Report
        The report being written.
    evaluation : Evaluation
        Tables of the models on ``test``.
    test : FaceData
        The test set.
    """
    report.add_heading("Bias summary")
    report.add_text(
        f"Test set: {test.source}. Accuracy on faces per skin type x gender group, in percent: "
        "E[A] is its mean over the groups and Var[A] its variance (Table 1 of Amini et al., "
        "2019); a fair detector has a high E[A] and a low Var[A]. `nonface_accuracy` is the "
        "share of the test non-faces rejected, where the test set holds any."
    )
    report.add_table(evaluation.summary, "summary")
    if evaluation.intervals is not None:
        report.add_table(
            evaluation.intervals.reset_index(),
            "intervals",
            caption="95 % bootstrap intervals over the test faces (1,000 resamples within each "
            "group); the spread between training seeds comes on top.",
            index=False,
        )
    report.add_text("\n".join(f"- {line}" for line in gap_sentences(evaluation.summary)))
    report.add_heading("Per-group results")
    report.add_table(
        percent_groups(evaluation.groups),
        "groups",
        caption="Accuracy and recall (percent) and number of test faces per group.",
        index=False,
    )
    name, fig, caption = group_figure(evaluation.groups)
    report.add_figure(fig, name, caption=caption)
    if evaluation.operating_points:
        _add_matched(report, evaluation, test)


def _add_matched(report, evaluation, test):
    """Add the figures at a matched false-positive rate, every attribute, the group curves."""
    fpr = next(iter(evaluation.operating_points.values())).fpr
    report.add_heading(f"At a matched {fpr:.0%} false-positive rate")
    report.add_text(
        "Models that reject different shares of non-faces trade detections for false "
        f"positives. Here each model's threshold accepts {fpr:.0%} of held-out non-faces, so "
        "all are compared at the same point (`FPR` rows), beside their own threshold of 0.5 "
        "(`threshold` rows). `worst_value` is the attribute value (of every attribute the "
        "faces carry) with the lowest recall, `Var_values` the variance of recall over all "
        "values with at least 20 test faces; `min_group_auc` is the smallest ROC AUC of one "
        "group's faces against all non-faces, which needs no threshold."
    )
    report.add_table(evaluation.matched().reset_index(), "matched", index=False)
    values = pd.concat(
        {name: ev.attributes for name, ev in evaluation.operating_points.items()}, names=["model"]
    )
    report.add_table(
        values.reset_index(level=0).reset_index(drop=True),
        "attribute_recall",
        caption="Recall (percent) of every attribute value at both operating points.",
        index=False,
    )
    for name, fig, caption in roc_figures(evaluation.operating_points):
        report.add_figure(fig, name, caption=caption)


def add_comparison(report, comparison, fpr):
    """Add the comparison over initialisations: medians, differences, verdicts, the null.

    Parameters
    ----------
    report : Report
        The report being written.
    comparison : Comparison
        From :func:`~debias_estimators.comparison.compare_methods`.
    fpr : float
        The matched false-positive rate.
    """
    n_init = int(comparison.summary["n"].max())
    report.add_heading("Over initialisations")
    report.add_text(
        f"Each model trained from {n_init} initialisations on the same data, and the "
        f"{comparison.baseline} from {n_init} more as the null: its differences to the "
        f"{comparison.baseline} are training noise. Figures at a matched {fpr:.0%} FPR unless "
        "named otherwise; a difference is resolved when its 95 % bootstrap interval over "
        "initialisations excludes zero."
    )
    report.add_table(comparison.runs, "runs", index=False)
    report.add_table(comparison.differences, "differences", index=False)
    report.add_text("\n".join(f"- {line}" for line in comparison_sentences(comparison)))


def add_model_card(report, evaluation, *, training_data):
    """Add a short model card: intended use, groups evaluated, known failure modes, data.

    Parameters
    ----------
    report : Report
        The report being written.
    evaluation : Evaluation
        Tables of the models on the test set; its groups are listed.
    training_data : str
        What the models were trained on.
    """
    table = evaluation.groups
    first = table[table["model"] == table["model"].iloc[0]]
    group_columns = [c for c in first.columns if c not in ("model", "accuracy", "recall", "count")]
    groups = ", ".join(
        f"{' / '.join(str(row[c]) for c in group_columns)} ({int(row['count'])} faces)"
        for _, row in first.iterrows()
    )
    report.add_heading("Model card")
    report.add_text(
        "\n".join(
            [
                "- **Intended use**: research and teaching on bias in face detection (face vs "
                "non-face): measuring the accuracy gap across skin type x gender groups and how "
                "much the DB-VAE's resampling narrows it. Not for identifying or verifying "
                "people, nor for decisions about individuals.",
                f"- **Groups evaluated** ({' x '.join(group_columns)}): {groups}.",
                "- **Known failure modes**: the DB-VAE upweights what is rare *in its latent "
                "space*, which need not be the groups measured here; with small or few epochs "
                "it can over-correct and cost accuracy on common faces. Per-group accuracies "
                "from a few hundred faces vary by several points between test draws. Non-faces "
                "belong to no group, so false positives are not compared across groups. A model "
                "trained on synthetic faces says little about photographs.",
                f"- **Training data**: {training_data}",
            ]
        )
    )


def add_model_figures(report, models, faces, groups=None, *, which="training"):
    """Add the training curves and, for a DB-VAE, what its latent space holds.

    Parameters
    ----------
    report : Report
        The report being written.
    models : dict of {str: estimator}
        Fitted models by name.
    faces : ndarray
        Faces to show the DB-VAE's weights, reconstructions and traversal on.
    groups : pandas.DataFrame, optional
        Skin type and gender of ``faces``.
    which : str, default="training"
        Names the faces in titles.
    """
    for name, model in models.items():
        if isinstance(model, DebiasedVAEClassifier):
            report.add_heading(f"What the {name} learned")
            for file_name, fig, caption in dbvae_figures(model, faces, groups, which=which):
                report.add_figure(fig, file_name, caption=caption)
    report.add_heading("Training")
    for file_name, fig, caption in training_curve_figures(models):
        report.add_figure(fig, file_name, caption=caption)


def add_enrichment(report, table, top_fraction, which="training"):
    """Add the table of attribute values over-represented among the top weights.

    Parameters
    ----------
    report : Report
        The report being written.
    table : pandas.DataFrame
        From :func:`attribute_enrichment`.
    top_fraction : float
        Share of the faces counted as top and bottom.
    which : str, default="training"
        Names the faces.
    """
    percent = f"{100 * top_fraction:g} %"
    report.add_heading("Attributes of the upweighted faces")
    report.add_text(
        f"Share (percent) of each attribute value among all {which} faces, among the "
        f"{percent} with the highest resampling weights (`top`) and the {percent} with the "
        "lowest (`bottom`); `enrichment` = top / overall. The DB-VAE never sees these labels: "
        "values enriched at the top are what it found rare."
    )
    report.add_table(table, "enrichment", index=False, float_format="{:.2f}")


def extreme_faces_figure(faces, weights, which="training"):
    """Faces with the highest and lowest weights, weights shown relative to uniform.

    Parameters
    ----------
    faces : ndarray
        Face images.
    weights : ndarray
        Their sampling probabilities.
    which : str, default="training"
        Names the faces in the title.

    Returns
    -------
    fig : matplotlib.figure.Figure
        Two rows of faces.
    """
    return plot_extreme_faces(
        faces, weights * len(faces), n=10, title=f"DB-VAE: {which} faces by resampling weight"
    )
