"""A metric per group as grouped bars, one colour per model."""

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..metrics import DEFAULT_METRICS, group_table
from ._figure import finish, new_figure

__all__ = ["plot_group_metrics"]


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
        fig = new_figure(max(5.0, 1.2 + 0.45 * wide.size), 4.0)
        ax = fig.add_subplot()
    else:
        fig = ax.get_figure(root=True)
    _draw_bars(ax, wide)
    pretty = metric.replace("_", " ")
    ax.set_ylabel(f"{pretty} (%)")
    ax.set_xlabel(" × ".join(groups))
    ax.set_title(title or f"{pretty.capitalize()} by group")
    return finish(fig, path)


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
