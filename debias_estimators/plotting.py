"""Figures for DB-VAE experiments: group metrics, faces, reconstructions, traversals, curves.

Every function takes plain arrays, tables or histories (never a model), returns a
:class:`matplotlib.figure.Figure` and, given ``path``, saves it there. Figures are made with
:class:`~matplotlib.figure.Figure` directly, not with pyplot, so no GUI backend is touched and
they can be drawn in threads or on headless machines. matplotlib is imported inside the
functions: the rest of the package works without it.

Images may be shaped ``(n, H, W)`` (grey), ``(n, H, W, C)`` or ``(n, C, H, W)`` with one or
three channels, as ``uint8`` in ``0..255`` or floats in ``[0, 1]``; see
:func:`debias_estimators._images.infer_layout` for how the layout is told.
"""

import numbers
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ._images import as_channels_first, check_images, to_float_batch
from .metrics import DEFAULT_METRICS, group_table

__all__ = [
    "plot_extreme_faces",
    "plot_group_metrics",
    "plot_image_grid",
    "plot_latent_traversal",
    "plot_reconstructions",
    "plot_training_curves",
]

_DPI = 120
_CELL_INCHES = 1.4


def _new_figure(width, height):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=_DPI, layout="constrained")


def _finish(fig, path):
    if path is not None:
        fig.savefig(path, dpi=_DPI)
    return fig


# ----------------------------------------------------------------------------- images


def _display_images(images, data_format, name):
    """Return images as floats in [0, 1], shaped (n, H, W) for grey or (n, H, W, 3)."""
    pixels, layout = check_images(images, data_format=data_format, name=name)
    floats = to_float_batch(as_channels_first(pixels, layout))
    floats = np.clip(np.moveaxis(floats, 1, 3), 0.0, 1.0)
    return floats[..., 0] if floats.shape[3] == 1 else floats


def _check_titles(titles, n, name="titles"):
    if titles is None:
        return [None] * n
    titles = list(titles)
    if len(titles) != n:
        raise ValueError(f"{name} has {len(titles)} entries for {n} images.")
    return titles


def _check_count(n, name="n"):
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
        raise ValueError(f"{name} must be a positive integer; got {n!r}.")
    return int(n)


def _draw_images(container, images, titles, ncols, title=None):
    """Draw images on a grid of axes of a Figure or SubFigure."""
    n = len(images)
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    axes = container.subplots(nrows, ncols, squeeze=False).ravel()
    for ax, image, label in zip(axes, images, titles, strict=False):
        ax.imshow(image, cmap="gray" if image.ndim == 2 else None, vmin=0.0, vmax=1.0)
        ax.set_xticks([])
        ax.set_yticks([])
        if label is not None:
            ax.set_title(str(label), fontsize=8)
    for ax in axes[n:]:
        ax.remove()
    if title:
        container.suptitle(title, fontsize=11)


def _grid_size(n, ncols, nrows_extra=0.0):
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    return max(3.0, ncols * _CELL_INCHES), nrows * (_CELL_INCHES + 0.25) + nrows_extra


def plot_image_grid(images, titles=None, *, ncols=8, title=None, data_format="auto", path=None):
    """Show images on a grid.

    Parameters
    ----------
    images : array-like
        Image batch, ``uint8`` or floats in ``[0, 1]``; grey images use a grey colour map.
    titles : sequence of str, optional
        One title per image.
    ncols : int, default=8
        Images per row.
    title : str, optional
        Title of the figure.
    data_format : {"auto", "channels_last", "channels_first"}, default="auto"
        Layout of four-dimensional input.
    path : str or path-like, optional
        Where to save the figure (format from the extension, e.g. ``.png``).

    Returns
    -------
    fig : matplotlib.figure.Figure
        One axes per image.

    Raises
    ------
    ValueError
        If the images are not an image batch, ``ncols`` is not positive, or ``titles`` does
        not have one entry per image.
    """
    ncols = _check_count(ncols, "ncols")
    shown = _display_images(images, data_format, "images")
    titles = _check_titles(titles, len(shown))
    width, height = _grid_size(len(shown), ncols, nrows_extra=0.4 if title else 0.0)
    fig = _new_figure(width, height)
    _draw_images(fig, shown, titles, ncols, title)
    return _finish(fig, path)


def _draw_rows(rows, title, path):
    """Draw labelled rows of images, each row a SubFigure: ``rows`` is [(label, images, titles)]."""
    ncols = max(len(images) for _, images, _ in rows)
    width, row_height = _grid_size(ncols, ncols)
    fig = _new_figure(width, len(rows) * (row_height + 0.35) + (0.4 if title else 0.0))
    subfigs = fig.subfigures(len(rows), 1, squeeze=False).ravel()
    for subfig, (label, images, titles) in zip(subfigs, rows, strict=True):
        _draw_images(subfig, images, titles, ncols, label)
    if title:
        fig.suptitle(title, fontsize=12, fontweight="bold")
    return _finish(fig, path)


def _check_weights(weights, n):
    weights = np.asarray(weights, dtype=float).ravel()
    if len(weights) != n:
        raise ValueError(f"weights has {len(weights)} entries for {n} images.")
    if not np.isfinite(weights).all() or (weights < 0).any():
        raise ValueError("weights must be finite and non-negative.")
    return weights


def plot_extreme_faces(
    images,
    weights,
    n=8,
    *,
    title="Training faces by resampling weight",
    data_format="auto",
    path=None,
):
    """Show the training faces the DB-VAE samples most and least often.

    Parameters
    ----------
    images : array-like
        Training faces.
    weights : array-like of shape (n_images,)
        Resampling weight (or probability) of each face; higher means sampled more often.
    n : int, default=8
        Faces per row; at most the number of images (the rows overlap when ``2 * n`` exceeds
        it).
    title : str, optional
        Title of the figure.
    data_format : {"auto", "channels_last", "channels_first"}, default="auto"
        Layout of four-dimensional input.
    path : str or path-like, optional
        Where to save the figure.

    Returns
    -------
    fig : matplotlib.figure.Figure
        Two labelled rows of ``n`` faces, highest weights first, each titled with its weight.

    Raises
    ------
    ValueError
        If ``weights`` does not match the images or is negative or not finite, or ``n`` is
        not positive.
    """
    shown = _display_images(images, data_format, "images")
    weights = _check_weights(weights, len(shown))
    n = min(_check_count(n), len(shown))
    order = np.argsort(weights, kind="stable")
    top, bottom = order[::-1][:n], order[:n]
    rows = [
        ("Highest weights: sampled most often", shown[top], _weight_titles(weights[top])),
        ("Lowest weights: sampled least often", shown[bottom], _weight_titles(weights[bottom])),
    ]
    return _draw_rows(rows, title, path)


def _weight_titles(weights):
    return [f"w = {w:.3g}" for w in weights]


def plot_reconstructions(
    originals, reconstructions, n=8, *, title="Reconstructions", data_format="auto", path=None
):
    """Show original images above their reconstructions.

    Parameters
    ----------
    originals : array-like
        Input images.
    reconstructions : array-like
        Decoded images, in the same order and shape as ``originals``.
    n : int, default=8
        Number of pairs shown (the first ``n``).
    title : str, optional
        Title of the figure.
    data_format : {"auto", "channels_last", "channels_first"}, default="auto"
        Layout of four-dimensional input, for both arrays.
    path : str or path-like, optional
        Where to save the figure.

    Returns
    -------
    fig : matplotlib.figure.Figure
        A row of originals over a row of reconstructions.

    Raises
    ------
    ValueError
        If the two batches differ in shape, or ``n`` is not positive.
    """
    n = _check_count(n)
    shown = _display_images(originals, data_format, "originals")
    rebuilt = _display_images(reconstructions, data_format, "reconstructions")
    if shown.shape != rebuilt.shape:
        raise ValueError(
            f"originals and reconstructions must have the same shape; got {shown.shape} and "
            f"{rebuilt.shape} (as (n, H, W[, C]))."
        )
    n = min(n, len(shown))
    rows = [("Original", shown[:n], [None] * n), ("Reconstruction", rebuilt[:n], [None] * n)]
    return _draw_rows(rows, title, path)


def plot_latent_traversal(
    decoded_images, values, dim=None, *, title=None, data_format="auto", path=None
):
    """Show images decoded while one latent dimension varies.

    Parameters
    ----------
    decoded_images : array-like
        Decoded images, one per value, in the order of ``values``.
    values : array-like of shape (n_images,)
        Value of the varied latent dimension for each image.
    dim : int, optional
        Index of the varied dimension, shown in the titles.
    title : str, optional
        Title of the figure; by default names the dimension.
    data_format : {"auto", "channels_last", "channels_first"}, default="auto"
        Layout of four-dimensional input.
    path : str or path-like, optional
        Where to save the figure.

    Returns
    -------
    fig : matplotlib.figure.Figure
        One row of images, each titled with its latent value.

    Raises
    ------
    ValueError
        If ``values`` does not have one entry per image.
    """
    shown = _display_images(decoded_images, data_format, "decoded_images")
    values = np.asarray(values, dtype=float).ravel()
    if len(values) != len(shown):
        raise ValueError(f"values has {len(values)} entries for {len(shown)} images.")
    name = "z" if dim is None else f"z[{dim}]"
    if title is None:
        title = "Latent traversal" if dim is None else f"Latent traversal of dimension {dim}"
    titles = [f"{name} = {v:.2g}" for v in values]
    width, height = _grid_size(len(shown), len(shown), nrows_extra=0.4)
    fig = _new_figure(width, height)
    _draw_images(fig, shown, titles, len(shown), title)
    return _finish(fig, path)


# ----------------------------------------------------------------------------- group metrics


def _as_table(data):
    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, Mapping):
        return group_table(dict(data))
    raise TypeError(
        "Expected a table from compare_models/group_table or a dict {model name: MetricFrame}; "
        f"got {type(data).__name__}."
    )


def _group_columns(table, metric):
    """Sensitive-feature columns: all but ``model``, known metrics and float columns."""
    return [
        c
        for c in table.columns
        if c != "model"
        and c != metric
        and c not in DEFAULT_METRICS
        and not pd.api.types.is_float_dtype(table[c])
    ]


def _bar_values(table, metric, groups):
    """Return a (group x model) frame of the metric in percent, models in order of appearance."""
    if "model" not in table.columns or metric not in table.columns:
        raise ValueError(
            f"The table needs a 'model' column and a {metric!r} column; it has "
            f"{list(table.columns)}."
        )
    groups = list(groups) if groups is not None else _group_columns(table, metric)
    if not groups:
        raise ValueError("The table has no group column; pass groups=[...] to name them.")
    if table.duplicated(groups + ["model"]).any():
        raise ValueError(f"The table has several rows for the same model and group {groups}.")
    values = table[metric].astype(float)
    if values.min() < 0 or values.max() > 1:
        raise ValueError(f"Metric {metric!r} is not a rate in [0, 1]; cannot show it in %.")
    wide = table.set_index(groups + ["model"])[metric].astype(float).unstack("model")
    return wide[pd.unique(table["model"])] * 100.0, groups


def _group_tick_label(key):
    return "\n".join(str(k) for k in key) if isinstance(key, tuple) else str(key)


def plot_group_metrics(data, metric="recall", *, groups=None, ax=None, title=None, path=None):
    """Draw a metric per group as grouped bars, one colour per model.

    Parameters
    ----------
    data : pandas.DataFrame or dict of {str: fairlearn.metrics.MetricFrame}
        The tidy table of :func:`debias_estimators.metrics.compare_models` (or
        :func:`~debias_estimators.metrics.group_table`), or MetricFrames by model name.
    metric : str, default="recall"
        Rate to draw, shown in percent.
    groups : list of str, optional
        Columns naming the groups. By default every column that is not ``model``, a known
        metric, or a float column.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is made when omitted.
    title : str, optional
        Title of the axes; by default names the metric.
    path : str or path-like, optional
        Where to save the figure.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure holding the bars.

    Raises
    ------
    TypeError
        If ``data`` is neither a table nor a dict of MetricFrames.
    ValueError
        If the metric or group columns are missing, rows repeat, or the metric is not a rate.
    """
    wide, groups = _bar_values(_as_table(data), metric, groups)
    if ax is None:
        fig = _new_figure(max(5.0, 1.2 + 0.45 * wide.size), 4.0)
        ax = fig.add_subplot()
    else:
        fig = ax.get_figure(root=True)
    _draw_bars(ax, wide)
    pretty = metric.replace("_", " ")
    ax.set_ylabel(f"{pretty} (%)")
    ax.set_xlabel(" × ".join(groups))
    ax.set_title(title or f"{pretty.capitalize()} by group")
    return _finish(fig, path)


def _draw_bars(ax, wide):
    n_groups, n_models = wide.shape
    width = 0.8 / n_models
    x = np.arange(n_groups)
    for j, model in enumerate(wide.columns):
        heights = wide[model].to_numpy()
        bars = ax.bar(x + (j - (n_models - 1) / 2) * width, heights, width, label=str(model))
        labels = [f"{h:.0f}" if np.isfinite(h) else "" for h in heights]
        ax.bar_label(bars, labels=labels, fontsize=7, padding=1)
    ax.set_xticks(x, [_group_tick_label(k) for k in wide.index])
    ax.set_ylim(0, 110)
    ax.set_yticks(np.arange(0, 101, 20))
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    ax.legend(title="model", loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)


# ----------------------------------------------------------------------------- training


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
    fig = _new_figure(4.2 * len(panels), 3.4)
    axes = fig.subplots(1, len(panels), squeeze=False).ravel()
    for ax, ((panel_title, ylabel), keys) in zip(axes, panels, strict=True):
        _draw_curves(ax, epochs, history, keys)
        ax.set_title(panel_title, fontsize=10)
        ax.set_ylabel(ylabel)
    if title:
        fig.suptitle(title, fontsize=12)
    return _finish(fig, path)


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
