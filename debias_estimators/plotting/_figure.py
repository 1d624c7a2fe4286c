"""What every figure shares: the figure itself, its saving, image checks and image grids."""

import numbers

import numpy as np

from .._images import as_channels_first, check_images, to_float_batch

__all__ = [
    "check_count",
    "check_titles",
    "display_images",
    "draw_images",
    "draw_rows",
    "finish",
    "grid_size",
    "new_figure",
]

_DPI = 120
_CELL_INCHES = 1.4


def new_figure(width, height):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=_DPI, layout="constrained")


def finish(fig, path):
    if path is not None:
        fig.savefig(path, dpi=_DPI)
    return fig


def display_images(images, data_format, name):
    """Return images as floats in [0, 1], shaped (n, H, W) for grey or (n, H, W, 3)."""
    pixels, layout = check_images(images, data_format=data_format, name=name)
    floats = to_float_batch(as_channels_first(pixels, layout))
    floats = np.clip(np.moveaxis(floats, 1, 3), 0.0, 1.0)
    return floats[..., 0] if floats.shape[3] == 1 else floats


def check_titles(titles, n, name="titles"):
    if titles is None:
        return [None] * n
    titles = list(titles)
    if len(titles) != n:
        raise ValueError(f"{name} has {len(titles)} entries for {n} images.")
    return titles


def check_count(n, name="n"):
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
        raise ValueError(f"{name} must be a positive integer; got {n!r}.")
    return int(n)


def draw_images(container, images, titles, ncols, title=None):
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


def grid_size(n, ncols, nrows_extra=0.0):
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    return max(3.0, ncols * _CELL_INCHES), nrows * (_CELL_INCHES + 0.25) + nrows_extra


def draw_rows(rows, title, path):
    """Draw labelled rows of images, each row a SubFigure: ``rows`` is [(label, images, titles)]."""
    ncols = max(len(images) for _, images, _ in rows)
    width, row_height = grid_size(ncols, ncols)
    fig = new_figure(width, len(rows) * (row_height + 0.35) + (0.4 if title else 0.0))
    subfigs = fig.subfigures(len(rows), 1, squeeze=False).ravel()
    for subfig, (label, images, titles) in zip(subfigs, rows, strict=True):
        draw_images(subfig, images, titles, ncols, label)
    if title:
        fig.suptitle(title, fontsize=12, fontweight="bold")
    return finish(fig, path)
