"""Original images above their reconstructions."""

from ._figure import check_count, display_images, draw_rows

__all__ = ["plot_reconstructions"]


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
    n = check_count(n)
    shown = display_images(originals, data_format, "originals")
    rebuilt = display_images(reconstructions, data_format, "reconstructions")
    if shown.shape != rebuilt.shape:
        raise ValueError(
            f"originals and reconstructions must have the same shape; got {shown.shape} and "
            f"{rebuilt.shape} (as (n, H, W[, C]))."
        )
    n = min(n, len(shown))
    rows = [("Original", shown[:n], [None] * n), ("Reconstruction", rebuilt[:n], [None] * n)]
    return draw_rows(rows, title, path)
