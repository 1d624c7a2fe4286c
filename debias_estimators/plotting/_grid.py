"""A grid of images."""

from ._figure import (
    check_count,
    check_titles,
    display_images,
    draw_images,
    finish,
    grid_size,
    new_figure,
)

__all__ = ["plot_image_grid"]


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
    ncols = check_count(ncols, "ncols")
    shown = display_images(images, data_format, "images")
    titles = check_titles(titles, len(shown))
    width, height = grid_size(len(shown), ncols, nrows_extra=0.4 if title else 0.0)
    fig = new_figure(width, height)
    draw_images(fig, shown, titles, ncols, title)
    return finish(fig, path)
