"""Heads without faces: shoulders, neck, skin oval, hair and hat.

Faces are heads with facial features drawn on top; featureless heads are hard non-faces (the
back of a head, a mannequin). Sharing this code makes the two differ only in the features, so
a classifier must learn face structure rather than a silhouette.
"""

from dataclasses import dataclass

import numpy as np

from ._canvas import ellipse, paint, step
from ._palette import hair_colors, random_colors, skin_colors

__all__ = ["Head", "draw_head", "draw_hat", "draw_head_hair", "new_heads"]


@dataclass
class Head:
    """Geometry and colours of ``m`` heads; every field is an array over the heads.

    Positions are in normalised image units. ``turn`` is the sideways shift of the face's
    centre line in units of ``rx``: 0 for frontal heads, about +-0.2 for turned ones.
    """

    cx: np.ndarray
    cy: np.ndarray
    rx: np.ndarray
    ry: np.ndarray
    turn: np.ndarray
    skin: np.ndarray
    hair: np.ndarray
    long_hair: np.ndarray
    bald: np.ndarray
    hat: np.ndarray

    def at(self, u, v):
        """Map face coordinates (``u`` across, ``v`` down, radius 1) to image coordinates.

        Parameters
        ----------
        u, v : float or ndarray of shape (m,)
            Face coordinates; ``u`` is shifted by the head's turn.

        Returns
        -------
        x, y : ndarray of shape (m,)
            Image coordinates.
        """
        return self.cx + self.rx * (u + self.turn), self.cy + self.ry * v


def new_heads(fitzpatrick, male, turned, hat, rng):
    """Draw the geometry and colours of heads.

    Parameters
    ----------
    fitzpatrick : ndarray of shape (m,)
        Skin type of each head, 1..6.
    male : ndarray of bool of shape (m,)
        Male heads are broader, mostly short-haired and sometimes bald.
    turned : ndarray of bool of shape (m,)
        Heads turned to one side.
    hat : ndarray of bool of shape (m,)
        Heads that wear a hat.
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    heads : Head
        The heads.
    """
    m = len(male)
    rx = rng.uniform(0.34, 0.44, m) * np.where(male, 1.05, 1.0)
    ry = rx * np.where(male, rng.uniform(1.15, 1.28, m), rng.uniform(1.22, 1.36, m))
    side = rng.choice([-1.0, 1.0], m)
    turn = np.where(turned, side * rng.uniform(0.14, 0.24, m), 0.0)
    # Hair length is the main gender cue, as in photographs; it is not a perfect one.
    long_hair = rng.random(m) < np.where(male, 0.08, 0.85)
    return Head(
        cx=rng.uniform(-0.12, 0.12, m),
        cy=rng.uniform(-0.14, 0.04, m),
        rx=rx * np.where(turned, 0.9, 1.0),
        ry=ry,
        turn=turn,
        skin=skin_colors(np.asarray(fitzpatrick, dtype=np.float32), rng),
        hair=hair_colors(np.asarray(fitzpatrick) >= 4, rng),
        long_hair=long_hair,
        bald=male & ~long_hair & (rng.random(m) < 0.1),
        hat=np.asarray(hat, dtype=bool),
    )


def draw_head(canvas, grid, heads, rng):
    """Draw shoulders, long hair behind, neck and the shaded skin oval.

    Parameters
    ----------
    canvas : ndarray of float32 of shape (m, S, S, 3)
        Images, changed in place.
    grid : Grid
        Image coordinates.
    heads : Head
        What to draw.
    rng : numpy.random.Generator
        Source of randomness (clothes).
    """
    h = heads
    m = len(h.cx)
    shoulders = ellipse(grid, h.cx, h.cy + h.ry + 0.75, h.rx * 2.6, np.full(m, 0.6))
    paint(canvas, shoulders, random_colors(m, rng, 0.05, 0.9))
    back = ellipse(grid, h.cx, h.cy + 0.2 * h.ry, 1.3 * h.rx, 1.25 * h.ry)
    back = back * step(grid, h.cy + 1.35 * h.ry, "y") * h.long_hair[:, None, None]
    paint(canvas, back, h.hair)
    neck = step(grid, h.cx + 0.42 * h.rx, "x") * step(grid, h.cx - 0.42 * h.rx, "x", False)
    paint(canvas, neck * step(grid, h.cy + 0.5 * h.ry, "y", False), h.skin * 0.8)
    face = ellipse(grid, h.cx, h.cy, h.rx, h.ry)
    # Round objects are darker towards the rim under frontal light.
    u2 = ((grid.x - h.cx[:, None, None]) / h.rx[:, None, None]) ** 2
    v2 = ((grid.y - h.cy[:, None, None]) / h.ry[:, None, None]) ** 2
    shade = 1 - 0.22 * np.minimum(u2 + v2, 1)
    paint(canvas, face, h.skin[:, None, None, :] * shade[..., None])


def draw_head_hair(canvas, grid, heads, rng):
    """Draw the hair over the forehead and, for long hair, the locks beside the face.

    Parameters
    ----------
    canvas : ndarray of float32 of shape (m, S, S, 3)
        Images, changed in place.
    grid : Grid
        Image coordinates.
    heads : Head
        What to draw.
    rng : numpy.random.Generator
        Source of randomness (hairline).
    """
    h = heads
    m = len(h.cx)
    hairline = h.cy - h.ry * rng.uniform(0.38, 0.55, m)
    cap = ellipse(grid, h.cx - 0.1 * h.turn * h.rx, h.cy - 0.1 * h.ry, 1.07 * h.rx, 0.98 * h.ry)
    paint(canvas, cap * step(grid, hairline, "y") * ~h.bald[:, None, None], h.hair)
    for side in (-1, 1):
        lock = ellipse(grid, h.cx + side * 0.95 * h.rx, h.cy + 0.15 * h.ry, 0.22 * h.rx, 0.8 * h.ry)
        paint(canvas, lock * h.long_hair[:, None, None], h.hair)


def draw_hat(canvas, grid, heads, rng):
    """Draw a hat (crown and brim) on the heads that wear one.

    Parameters
    ----------
    canvas : ndarray of float32 of shape (m, S, S, 3)
        Images, changed in place.
    grid : Grid
        Image coordinates.
    heads : Head
        What to draw; ``heads.hat`` says who wears one.
    rng : numpy.random.Generator
        Source of randomness (hat colour and height).
    """
    h = heads
    m = len(h.cx)
    color = random_colors(m, rng, 0.05, 0.9)
    brim_y = h.cy - h.ry * rng.uniform(0.4, 0.5, m)
    crown = ellipse(grid, h.cx, brim_y, 1.02 * h.rx, h.ry * rng.uniform(0.6, 0.9, m))
    on = h.hat[:, None, None]
    paint(canvas, crown * step(grid, brim_y, "y") * on, color)
    paint(canvas, ellipse(grid, h.cx, brim_y, 1.5 * h.rx, 0.1 * h.ry) * on, color * 0.85)
