"""Vectorised drawing on batches of float RGB canvases.

A batch of ``m`` images is a ``float32`` array ``(m, S, S, 3)`` in ``[0, 1]``. Coordinates are
normalised: ``x`` and ``y`` run over ``[-1, 1]`` with ``y`` pointing down, so shapes look the
same at every image size. Per-image parameters are ``(m,)`` arrays. Masks are anti-aliased
over about one pixel and computed from separable terms where possible: an axis-aligned ellipse
costs one full-size addition, which keeps 20,000 images within seconds.
"""

import numpy as np

__all__ = [
    "Grid",
    "ellipse",
    "paint",
    "rotated_ellipse",
    "step",
]


class Grid:
    """Pixel-centre coordinates of a square image.

    Parameters
    ----------
    size : int
        Side of the image in pixels.

    Attributes
    ----------
    x : ndarray of shape (1, 1, size)
        Horizontal coordinates.
    y : ndarray of shape (1, size, 1)
        Vertical coordinates.
    pixel : float
        Width of one pixel in normalised units.
    """

    def __init__(self, size):
        centres = (np.arange(size, dtype=np.float32) + 0.5) * (2 / size) - 1
        self.size = size
        self.x = centres[None, None, :]
        self.y = centres[None, :, None]
        self.pixel = 2 / size


def _col(values):
    return np.asarray(values, dtype=np.float32)[:, None, None]


def ellipse(grid, cx, cy, rx, ry):
    """Soft mask of axis-aligned ellipses.

    Parameters
    ----------
    grid : Grid
        Image coordinates.
    cx, cy, rx, ry : ndarray of shape (m,)
        Centres and radii in normalised units.

    Returns
    -------
    mask : ndarray of shape (m, S, S)
        Coverage in ``[0, 1]``.
    """
    rx, ry = _col(rx), _col(ry)
    dx = ((grid.x - _col(cx)) / rx) ** 2
    dy = ((grid.y - _col(cy)) / ry) ** 2
    # d2 - 1 is twice the signed distance over the radius near the edge.
    sharp = np.minimum(rx, ry) / (2 * grid.pixel)
    return np.clip((1 - (dx + dy)) * sharp + 0.5, 0, 1)


def rotated_ellipse(grid, cx, cy, rx, ry, angle):
    """Soft mask of ellipses turned by ``angle`` radians.

    Parameters
    ----------
    grid : Grid
        Image coordinates.
    cx, cy, rx, ry, angle : ndarray of shape (m,)
        Centres, radii and angles.

    Returns
    -------
    mask : ndarray of shape (m, S, S)
        Coverage in ``[0, 1]``.
    """
    cos, sin = _col(np.cos(angle)), _col(np.sin(angle))
    dx, dy = grid.x - _col(cx), grid.y - _col(cy)
    rx, ry = _col(rx), _col(ry)
    d2 = ((dx * cos + dy * sin) / rx) ** 2 + ((dy * cos - dx * sin) / ry) ** 2
    return np.clip((1 - d2) * (np.minimum(rx, ry) / (2 * grid.pixel)) + 0.5, 0, 1)


def step(grid, edge, axis, below=True):
    """Soft half-plane mask along one axis, broadcastable to ``(m, S, S)``.

    Parameters
    ----------
    grid : Grid
        Image coordinates.
    edge : ndarray of shape (m,)
        Position of the edge.
    axis : {"x", "y"}
        Axis across which the edge lies.
    below : bool, default=True
        Cover coordinates below ``edge`` (left of it for ``"x"``, above it on screen for
        ``"y"``) if true, above it otherwise.

    Returns
    -------
    mask : ndarray of shape (m, 1, S) or (m, S, 1)
        Coverage in ``[0, 1]``.
    """
    coords = grid.x if axis == "x" else grid.y
    signed = (_col(edge) - coords) if below else (coords - _col(edge))
    return np.clip(signed / grid.pixel + 0.5, 0, 1)


def paint(canvas, mask, color):
    """Composite a colour over ``canvas`` in place where ``mask`` covers it.

    Parameters
    ----------
    canvas : ndarray of shape (m, S, S, 3)
        Images, changed in place.
    mask : ndarray broadcastable to (m, S, S)
        Coverage in ``[0, 1]``.
    color : ndarray of shape (m, 3) or (m, S, S, 3)
        One colour per image, or one per pixel.
    """
    color = np.asarray(color, dtype=np.float32)
    if color.ndim == 2:
        color = color[:, None, None, :]
    mask = np.broadcast_to(mask, canvas.shape[:3])
    # Only the rows and columns that some image's mask touches need work.
    rows = np.flatnonzero(mask.any(axis=(0, 2)))
    cols = np.flatnonzero(mask.any(axis=(0, 1)))
    if len(rows) == 0:
        return
    window = (slice(None), slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1))
    if color.shape[1] > 1:
        color = color[window]
    part = canvas[window]
    part += mask[window][..., None].astype(np.float32, copy=False) * (color - part)
