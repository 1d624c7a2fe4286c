"""Faces: heads with eyes, brows, nose, mouth and, by gender, facial hair and lips.

Features are placed in face coordinates (``u`` across, ``v`` down, the face oval has radius 1)
and shifted sideways for turned heads. Feature colours are the skin's colour times a factor
(shadow, lips) or fixed materials (eye whites, irises, hair), as light reflects off real faces.
Faces of low contrast (deep shadow) keep only a trace of their features, whatever the skin.
"""

import numpy as np

from ._canvas import ellipse, paint
from ._heads import draw_hat, draw_head, draw_head_hair, new_heads
from ._palette import random_colors
from ._scenery import draw_background, expose

__all__ = ["render_faces"]

_SCLERA = np.array([0.93, 0.92, 0.9], dtype=np.float32)
# Share of the features' contrast that a face in deep shadow keeps.
LOW_CONTRAST = 0.25
_IRIS = np.array(
    [[0.25, 0.15, 0.08], [0.12, 0.08, 0.05], [0.3, 0.45, 0.6], [0.35, 0.4, 0.25]],
    dtype=np.float32,
)


def render_faces(grid, table, rng):
    """Draw faces from their attribute table.

    Parameters
    ----------
    grid : Grid
        Image coordinates.
    table : dict of ndarray
        Face attributes, one row per face (see ``_attributes``).
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    images : ndarray of uint8 of shape (m, S, S, 3)
        The faces.
    """
    male = table["gender"] == "male"
    heads = new_heads(
        table["fitzpatrick"], male, table["pose"] == "turned", table["hat"] == "yes", rng
    )
    canvas = draw_background(grid, table["background"] == "cluttered", rng)
    draw_head(canvas, grid, heads, rng)
    low = np.flatnonzero(table["contrast"] == "low")
    bare = canvas[low].copy()
    _draw_eyes(canvas, grid, heads, male, rng)
    _draw_nose(canvas, grid, heads)
    _draw_facial_hair(canvas, grid, heads, male, rng)
    _draw_mouth(canvas, grid, heads, male, rng)
    canvas[low] = bare + LOW_CONTRAST * (canvas[low] - bare)
    draw_head_hair(canvas, grid, heads, rng)
    _draw_glasses(canvas, grid, heads, table["glasses"] == "yes", rng)
    draw_hat(canvas, grid, heads, rng)
    return expose(canvas, grid, table["lighting"], rng)


def _part(grid, heads, u, v, au, av):
    """Mask of an ellipse centred at face coordinates ``(u, v)`` with radii ``(au, av)``."""
    x, y = heads.at(u, v)
    return ellipse(grid, x, y, au * heads.rx, av * heads.ry)


def _draw_eyes(canvas, grid, heads, male, rng):
    m = len(male)
    iris = _IRIS[rng.choice(len(_IRIS), m, p=[0.5, 0.3, 0.12, 0.08])]
    brow_height = np.where(male, 0.065, 0.045)
    for side in (-1, 1):
        paint(canvas, _part(grid, heads, side * 0.37, -0.33, 0.24, brow_height), heads.hair * 0.8)
        paint(canvas, _part(grid, heads, side * 0.36, -0.12, 0.19, 0.085), np.tile(_SCLERA, (m, 1)))
        x, y = heads.at(side * 0.36, -0.12)
        radius = 0.085 * heads.rx
        paint(canvas, ellipse(grid, x, y, radius, radius), iris)


def _draw_nose(canvas, grid, heads):
    paint(canvas, _part(grid, heads, 0.03, 0.14, 0.09, 0.2), heads.skin * 0.82)
    for side in (-1, 1):
        paint(canvas, _part(grid, heads, side * 0.07, 0.3, 0.04, 0.025), heads.skin * 0.45)


def _draw_facial_hair(canvas, grid, heads, male, rng):
    style = np.where(male, rng.choice(3, len(male), p=[0.6, 0.15, 0.25]), 0)
    color = heads.hair * 0.9
    moustache = _part(grid, heads, 0.0, 0.4, 0.32, 0.07)
    paint(canvas, moustache * (style > 0)[:, None, None], color)
    beard = _part(grid, heads, 0.0, 0.2, 0.98, 0.78) * _part(grid, heads, 0.0, 0.0, 1.0, 1.0)
    lower = np.clip((grid.y - heads.at(0, 0.3)[1][:, None, None]) / grid.pixel + 0.5, 0, 1)
    paint(canvas, beard * lower * (style == 2)[:, None, None], color)


def _draw_mouth(canvas, grid, heads, male, rng):
    m = len(male)
    # Lips are skin tinted red; women more often wear lipstick and have fuller lips.
    tint = np.where(male[:, None], [0.85, 0.6, 0.58], [0.9, 0.5, 0.52]).astype(np.float32)
    lipstick = ~male & (rng.random(m) < 0.4)
    lips = np.where(
        lipstick[:, None], random_colors(m, rng, 0.0, 0.3) + [0.55, 0.0, 0.1], heads.skin * tint
    )
    paint(canvas, _part(grid, heads, 0.0, 0.55, 0.28, np.where(male, 0.065, 0.09)), lips)
    paint(canvas, _part(grid, heads, 0.0, 0.55, 0.27, 0.014), heads.skin * 0.35)


def _draw_glasses(canvas, grid, heads, on, rng):
    m = len(on)
    frame = np.where(
        rng.random((m, 1)) < 0.6, random_colors(m, rng, 0.0, 0.2), random_colors(m, rng)
    )
    sunglasses = rng.random(m) < 0.2
    lens_alpha = np.where(sunglasses, 0.85, 0.15).astype(np.float32)[:, None, None]
    lens_color = np.where(sunglasses[:, None], 0.05, 0.9).astype(np.float32) * np.ones(
        (m, 3), np.float32
    )
    gate = on[:, None, None]
    for side in (-1, 1):
        outer = _part(grid, heads, side * 0.37, -0.12, 0.29, 0.19)
        inner = _part(grid, heads, side * 0.37, -0.12, 0.24, 0.15)
        paint(canvas, inner * lens_alpha * gate, lens_color)
        paint(canvas, outer * (1 - inner) * gate, frame)
    paint(canvas, _part(grid, heads, 0.0, -0.14, 0.1, 0.025) * gate, frame)
