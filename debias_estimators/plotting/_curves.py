"""The curves logged during training, one panel per kind."""

import numbers
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ._figure import finish, new_figure

__all__ = ["plot_training_curves"]


_PANELS = (
    ("Loss", "loss"),
    ("Effective sample size of the resampling weights", "ESS"),
    ("Scores", "score"),
)


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _check_history(history):
    if isinstance(history, pd.DataFrame):
        history = history.to_dict("records")
    if not isinstance(history, Sequence) or isinstance(history, str) or not history:
        raise ValueError("history must be a non-empty list of dicts, one per epoch.")
    for row in history:
        if not isinstance(row, Mapping):
            raise TypeError(f"Each history entry must be a dict; got {type(row).__name__}.")
    return list(history)


def _numeric_keys(history):
    keys = dict.fromkeys(k for row in history for k in row)
    return [
        k
        for k in keys
        if all(_is_number(row[k]) for row in history if k in row and row[k] is not None)
        and any(k in row and row[k] is not None for row in history)
    ]


def _panel_keys(history):
    """Group the curves to draw into panels: losses, ESS, other train/valid scores."""
    numeric = _numeric_keys(history)
    losses = sorted((k for k in numeric if k.endswith("_loss")), key=lambda k: k != "train_loss")
    scores = [
        k
        for k in numeric
        if k.startswith(("train_", "valid_")) and not k.endswith(("_loss", "_best", "_count"))
    ]
    ess = [k for k in numeric if k == "sample_ess"]
    return [
        (panel, keys) for panel, keys in zip(_PANELS, (losses, ess, scores), strict=True) if keys
    ]


def plot_training_curves(history, *, title="Training curves", path=None):
    """Plot the curves logged during training, one panel per kind.

    Draws the keys that exist: losses (``train_loss``, ``valid_loss``, any ``*_loss``), the
    effective sample size of the resampling weights (``sample_ess``), and other numeric
    ``train_*`` / ``valid_*`` scores. Epochs missing a key leave a gap.

    Parameters
    ----------
    history : list of dict or pandas.DataFrame
        One entry per epoch, such as skorch's ``net.history``; ``epoch`` gives the x axis
        (1, 2, ... when absent).
    title : str, optional
        Title of the figure.
    path : str or path-like, optional
        Where to save the figure.

    Returns
    -------
    fig : matplotlib.figure.Figure
        One axes per kind of curve found.

    Raises
    ------
    ValueError
        If the history is empty or has none of the keys above.
    TypeError
        If an entry is not a dict.
    """
    history = _check_history(history)
    panels = _panel_keys(history)
    if not panels:
        raise ValueError(
            "Nothing to plot: the history has no numeric 'train_loss', 'valid_loss', "
            "'sample_ess' or other train_*/valid_* entries."
        )
    epochs = [row.get("epoch", i + 1) for i, row in enumerate(history)]
    fig = new_figure(4.2 * len(panels), 3.4)
    axes = fig.subplots(1, len(panels), squeeze=False).ravel()
    for ax, ((panel_title, ylabel), keys) in zip(axes, panels, strict=True):
        _draw_curves(ax, epochs, history, keys)
        ax.set_title(panel_title, fontsize=10)
        ax.set_ylabel(ylabel)
    if title:
        fig.suptitle(title, fontsize=12)
    return finish(fig, path)


def _draw_curves(ax, epochs, history, keys):
    from matplotlib.ticker import MaxNLocator

    for key in keys:
        values = [row.get(key) for row in history]
        values = np.array([np.nan if v is None else v for v in values], dtype=float)
        ax.plot(epochs, values, marker="o", markersize=3, label=key)
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
