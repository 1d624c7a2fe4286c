"""The training faces sampled most and least often."""

import numpy as np

from ._figure import check_count, display_images, draw_rows

__all__ = ["plot_extreme_faces"]


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
    shown = display_images(images, data_format, "images")
    weights = _check_weights(weights, len(shown))
    n = min(check_count(n), len(shown))
    order = np.argsort(weights, kind="stable")
    top, bottom = order[::-1][:n], order[:n]
    rows = [
        ("Highest weights: sampled most often", shown[top], _weight_titles(weights[top])),
        ("Lowest weights: sampled least often", shown[bottom], _weight_titles(weights[bottom])),
    ]
    return draw_rows(rows, title, path)


def _weight_titles(weights):
    return [f"w = {w:.3g}" for w in weights]
