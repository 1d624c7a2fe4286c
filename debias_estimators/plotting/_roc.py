"""ROC curves per group: the faces of each group ranked against all non-faces."""

import pandas as pd

from ._figure import finish, new_figure

__all__ = ["plot_group_roc"]


def plot_group_roc(curves, *, fpr=None, title=None, path=None):
    """Draw one ROC curve per group: its faces against every non-face.

    A curve below the others is a group the detector ranks worse at every threshold; the
    dotted line marks a matched false-positive rate.

    Parameters
    ----------
    curves : pandas.DataFrame
        Columns ``group``, ``fpr`` and ``tpr``, as
        :func:`~debias_estimators.evaluation.group_roc_curves` gives them.
    fpr : float, optional
        A false-positive rate to mark.
    title : str, optional
        The figure's title.
    path : str or path-like, optional
        Where to save the figure.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure.
    """
    from sklearn.metrics import auc

    if not isinstance(curves, pd.DataFrame) or not {"group", "fpr", "tpr"} <= set(curves):
        raise ValueError("curves must be a DataFrame with columns group, fpr and tpr.")
    if curves.empty:
        raise ValueError("curves is empty: no group to draw.")
    fig = new_figure(5.0, 4.2)
    ax = fig.add_subplot()
    for label, curve in curves.groupby("group", sort=True):
        x, y = curve["fpr"].to_numpy(), curve["tpr"].to_numpy()
        # Drawn directly: RocCurveDisplay renamed its label argument between releases.
        ax.plot(x, y, drawstyle="steps-post", label=f"{label} (AUC = {auc(x, y):.3f})")
    ax.plot([0, 1], [0, 1], color="lightgrey", linestyle="--", linewidth=0.8)
    if fpr is not None:
        ax.axvline(fpr, color="grey", linestyle=":", label=f"FPR {fpr:.0%}")
    ax.legend(loc="lower right", fontsize="small")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.01)
    ax.set_xlabel("Share of non-faces accepted (false-positive rate)")
    ax.set_ylabel("Share of the group's faces detected (recall)")
    ax.set_title(title or "ROC curve of each group against all non-faces", fontsize="medium")
    return finish(fig, path)
