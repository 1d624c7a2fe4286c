"""The report's figures: group bars, training curves and what the DB-VAE has learned."""

import numpy as np

from ..audit import latent_traversal, resampling_weights
from ..plotting import (
    plot_extreme_faces,
    plot_group_metrics,
    plot_group_roc,
    plot_latent_traversal,
    plot_reconstructions,
    plot_training_curves,
)

__all__ = ["dbvae_figures", "group_figure", "roc_figures", "training_curve_figures"]

N_SHOWN = 8


def group_figure(groups):
    """Bars of each model's recall per skin type x gender group.

    Parameters
    ----------
    groups : pandas.DataFrame
        The per-group table of the evaluation.

    Returns
    -------
    name, fig, caption : tuple
        File name, figure and caption.
    """
    fig = plot_group_metrics(
        groups,
        "recall",
        groups=["skin_type", "gender"],
        title="Faces detected per group (recall = accuracy on faces)",
    )
    caption = "Share of the test faces of each skin type x gender group detected as faces."
    return "group_recall", fig, caption


def roc_figures(operating_points):
    """One figure per model of the ROC curve of each group against all test non-faces.

    Parameters
    ----------
    operating_points : dict of {str: OperatingPointEvaluation}
        Each model's evaluation, with its curves.

    Returns
    -------
    figures : list of tuple
        ``(name, fig, caption)`` per model with curves.
    """
    out = []
    for name, evaluation in operating_points.items():
        if evaluation.roc is None:
            continue
        fig = plot_group_roc(
            evaluation.roc, fpr=evaluation.fpr, title=f"{name}: each group against non-faces"
        )
        caption = (
            f"{name}: ROC curve of each skin type x gender group (its test faces against all "
            "test non-faces); the dotted line is the matched false-positive rate."
        )
        out.append((f"roc_{_slug(name)}", fig, caption))
    return out


def training_curve_figures(models):
    """One figure of the training history per model.

    Parameters
    ----------
    models : dict of {str: estimator}
        Fitted estimators with ``history_``, by name.

    Returns
    -------
    figures : list of tuple
        ``(name, fig, caption)`` per model that has a history.
    """
    out = []
    for name, model in models.items():
        history = getattr(model, "history_", None)
        if history:
            fig = plot_training_curves(list(history), title=f"Training curves: {name}")
            out.append((f"training_curves_{_slug(name)}", fig, f"Training curves of the {name}."))
    return out


def dbvae_figures(clf, faces, groups=None, *, which="training"):
    """Faces by resampling weight, reconstructions and a latent traversal of a DB-VAE.

    Parameters
    ----------
    clf : DebiasedVAEClassifier
        A fitted DB-VAE.
    faces : ndarray
        Face images (training faces, or test faces where no training set is at hand).
    groups : pandas.DataFrame, optional
        Skin type and gender of the faces; the reconstructions then show each group.
    which : str, default="training"
        Names the faces in titles and captions.

    Returns
    -------
    figures : list of tuple
        ``(name, fig, caption)`` for each figure.
    """
    # Relative to uniform sampling: 2 means drawn twice as often as without resampling.
    weights = resampling_weights(clf, faces) * len(faces)
    extremes = plot_extreme_faces(
        faces, weights, n=N_SHOWN, title=f"DB-VAE: {which} faces by resampling weight"
    )
    shown = faces[_spread_over_groups(groups, len(faces))]
    rebuilt = plot_reconstructions(
        shown, clf.reconstruct(shown), n=N_SHOWN, title=f"DB-VAE reconstructions of {which} faces"
    )
    dim, values, decoded = latent_traversal(clf, faces)
    traversal = plot_latent_traversal(
        decoded, values, dim, title=f"Latent traversal of dimension {dim} (widest spread)"
    )
    return [
        (
            "extreme_faces",
            extremes,
            f"The {which} faces the DB-VAE's resampler draws most and least often; w is the "
            "rate relative to uniform sampling (w = 2: twice as often). Faces rare in the "
            "latent space get the highest weights.",
        ),
        ("reconstructions", rebuilt, f"{which.capitalize()} faces and their reconstructions."),
        (
            "latent_traversal",
            traversal,
            f"Decoded faces as latent dimension {dim}, the one whose means spread widest over "
            f"the {which} faces, moves from its 2nd to its 98th percentile (the others held at "
            "their mean).",
        ),
    ]


def _spread_over_groups(groups, n):
    """Pick up to ``N_SHOWN`` faces, taking them in turn from each group."""
    if groups is None:
        return np.arange(min(N_SHOWN, n))
    keys = groups.astype(str).agg(" / ".join, axis=1).to_numpy()
    per_group = [np.flatnonzero(keys == key) for key in dict.fromkeys(sorted(keys))]
    picked = [rows[i] for i in range(N_SHOWN) for rows in per_group if i < len(rows)]
    return np.array(picked[:N_SHOWN], dtype=int)


def _slug(name):
    return "".join(c if c.isalnum() else "_" for c in name.lower()).strip("_")
