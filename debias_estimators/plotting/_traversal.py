"""Images decoded along one latent dimension."""

import numpy as np

from ._figure import display_images, draw_images, finish, grid_size, new_figure

__all__ = ["plot_latent_traversal"]


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
    shown = display_images(decoded_images, data_format, "decoded_images")
    values = np.asarray(values, dtype=float).ravel()
    if len(values) != len(shown):
        raise ValueError(f"values has {len(values)} entries for {len(shown)} images.")
    name = "z" if dim is None else f"z[{dim}]"
    if title is None:
        title = "Latent traversal" if dim is None else f"Latent traversal of dimension {dim}"
    titles = [f"{name} = {v:.2g}" for v in values]
    width, height = grid_size(len(shown), len(shown), nrows_extra=0.4)
    fig = new_figure(width, height)
    draw_images(fig, shown, titles, len(shown), title)
    return finish(fig, path)
