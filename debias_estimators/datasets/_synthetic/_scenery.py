"""What every synthetic image shares: the background, the light and the sensor noise.

Faces and non-faces draw these from the same distributions, so none of them tells the classes
apart.
"""

import numpy as np

from ._canvas import ellipse, paint, step
from ._palette import random_colors

__all__ = ["LIGHT_LEVELS", "draw_background", "expose"]

# Ranges of overall brightness per lighting value.
LIGHT_LEVELS = {"dim": (0.45, 0.6), "normal": (0.88, 1.05), "bright": (1.2, 1.35)}
_CLUTTER_SHAPES = 8


def draw_background(grid, cluttered, rng):
    """Draw plain or cluttered backgrounds.

    Parameters
    ----------
    grid : Grid
        Image coordinates.
    cluttered : ndarray of bool of shape (m,)
        Which backgrounds get random shapes.
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    canvas : ndarray of float32 of shape (m, S, S, 3)
        The backgrounds.
    """
    m = len(cluttered)
    top = random_colors(m, rng, 0.15, 0.9)
    bottom = top * rng.uniform(0.7, 1.1, (m, 1)).astype(np.float32)
    t = (grid.y[..., None] + 1) / 2
    canvas = top[:, None, None, :] + (bottom - top)[:, None, None, :] * t
    canvas = np.broadcast_to(canvas, (m, grid.size, grid.size, 3)).copy()
    index = np.flatnonzero(cluttered)
    clutter = canvas[index]
    for _ in range(_CLUTTER_SHAPES):
        _clutter_shape(clutter, grid, rng)
    canvas[index] = clutter
    return canvas


def _clutter_shape(canvas, grid, rng):
    m = len(canvas)
    cx, cy = rng.uniform(-1, 1, m), rng.uniform(-1, 1, m)
    rx, ry = rng.uniform(0.08, 0.45, m), rng.uniform(0.08, 0.45, m)
    round_ = rng.random(m) < 0.5
    box = step(grid, cx + rx, "x") * step(grid, cx - rx, "x", below=False)
    box = box * step(grid, cy + ry, "y") * step(grid, cy - ry, "y", below=False)
    mask = np.where(round_[:, None, None], ellipse(grid, cx, cy, rx, ry), box)
    paint(canvas, mask, random_colors(m, rng, 0.05, 0.95))


def expose(canvas, grid, lighting, rng):
    """Light the scene, add sensor noise and quantise to ``uint8``.

    Parameters
    ----------
    canvas : ndarray of float32 of shape (m, S, S, 3)
        Images in ``[0, 1]``.
    grid : Grid
        Image coordinates.
    lighting : ndarray of str of shape (m,)
        ``"dim"``, ``"normal"`` or ``"bright"`` per image.
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    images : ndarray of uint8 of shape (m, S, S, 3)
        The photographs.
    """
    m = len(lighting)
    low = np.array([LIGHT_LEVELS[v][0] for v in lighting], dtype=np.float32)
    high = np.array([LIGHT_LEVELS[v][1] for v in lighting], dtype=np.float32)
    level = (low + (high - low) * rng.random(m, dtype=np.float32))[:, None, None, None]
    # Light from one side: brightness falls off linearly across the image.
    slope = rng.uniform(-0.3, 0.3, m).astype(np.float32)[:, None, None, None]
    canvas *= level * (1 + slope * grid.x[..., None])
    sigma = rng.uniform(0.01, 0.035, m).astype(np.float32)[:, None, None, None]
    canvas += sigma * rng.standard_normal(canvas.shape, dtype=np.float32)
    np.clip(canvas, 0, 1, out=canvas)
    return (canvas * 255 + 0.5).astype(np.uint8)
