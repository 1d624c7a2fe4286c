"""Hard non-faces: objects that share colours and shapes with faces but not their structure.

* ``oval``: a head without facial features (hair, neck, shoulders, hat; sometimes blemishes),
  skin drawn from all six Fitzpatrick types alike;
* ``skin_blob``: skin-coloured blobs, like hands and arms;
* ``dark_round``: dark brown or black round objects (balls, pots, busts on a stand);
* ``statue``: heads sculpted in bronze or dark wood, features and all; in a photograph they look
  like darker-skinned faces in deep shadow, and are drawn as such (so the two cannot be told
  apart from the pixels: whichever is more common in training decides how both are classified);
* ``texture``: stripes, checks and waves, sometimes in skin colours;
* ``scene``: cluttered backgrounds with large shapes.
"""

import numpy as np

from ._attributes import draw_face_attributes
from ._canvas import ellipse, paint, rotated_ellipse, step
from ._faces import render_faces
from ._heads import draw_hat, draw_head, draw_head_hair, new_heads
from ._palette import random_colors, skin_colors
from ._scenery import draw_background, expose

__all__ = ["render_nonfaces"]

_DARK_MATERIALS = np.array(
    [
        [0.36, 0.24, 0.17],
        [0.45, 0.3, 0.2],
        [0.28, 0.18, 0.12],
        [0.12, 0.1, 0.09],
        [0.25, 0.25, 0.27],
    ],
    dtype=np.float32,
)


def render_nonfaces(grid, kinds, proportions, rng):
    """Draw non-faces of the given kinds.

    Parameters
    ----------
    grid : Grid
        Image coordinates.
    kinds : ndarray of str of shape (m,)
        Kind of each non-face.
    proportions : dict
        Resolved proportions; non-faces draw their background and light from them too, so
        neither tells faces apart.
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    images : ndarray of uint8 of shape (m, S, S, 3)
        The non-faces.
    """
    m = len(kinds)
    canvas = draw_background(grid, _choose(proportions["background"], m, rng) == "cluttered", rng)
    for kind, draw in _DRAWERS.items():
        index = np.flatnonzero(kinds == kind)
        if len(index):
            part = canvas[index]
            draw(part, grid, rng)
            canvas[index] = part
    images = expose(canvas, grid, _choose(proportions["lighting"], m, rng), rng)
    statues = np.flatnonzero(kinds == "statue")
    if len(statues):
        images[statues] = _statues(grid, len(statues), proportions, rng)
    return images


def _statues(grid, m, proportions, rng):
    """Sculpted heads: drawn exactly as darker-skinned faces of low contrast."""
    table = draw_face_attributes(m, proportions, rng, skin_type=np.full(m, "darker", object))
    table["contrast"] = np.full(m, "low", object)
    return render_faces(grid, table, rng)


def _choose(probs, m, rng):
    return rng.choice(np.array(list(probs), dtype=object), m, p=list(probs.values()))


def _oval(canvas, grid, rng):
    m = len(canvas)
    heads = new_heads(
        rng.integers(1, 7, m), rng.random(m) < 0.5, rng.random(m) < 0.13, rng.random(m) < 0.08, rng
    )
    draw_head(canvas, grid, heads, rng)
    # Blemishes keep "a dark spot on skin" from meaning "an eye".
    for _ in range(3):
        on = rng.random(m) < 0.35
        x, y = heads.at(rng.uniform(-0.6, 0.6, m), rng.uniform(-0.5, 0.6, m))
        r = heads.rx * rng.uniform(0.05, 0.14, m)
        spot = ellipse(grid, x, y, r, r * rng.uniform(0.5, 1.5, m))
        paint(canvas, spot * on[:, None, None], heads.skin * rng.uniform(0.3, 0.75, (m, 1)))
    draw_head_hair(canvas, grid, heads, rng)
    draw_hat(canvas, grid, heads, rng)


def _skin_blob(canvas, grid, rng):
    m = len(canvas)
    skin = skin_colors(rng.integers(1, 7, m).astype(np.float32), rng)
    cx, cy = rng.uniform(-0.3, 0.3, m), rng.uniform(-0.3, 0.3, m)
    for i in range(4):
        on = (i < 2) | (rng.random(m) < 0.5)
        mask = rotated_ellipse(
            grid,
            cx + rng.uniform(-0.35, 0.35, m),
            cy + rng.uniform(-0.35, 0.35, m),
            rng.uniform(0.12, 0.5, m),
            rng.uniform(0.08, 0.3, m),
            rng.uniform(0, np.pi, m),
        )
        paint(canvas, mask * on[:, None, None], skin * rng.uniform(0.8, 1.0, (m, 1)))


def _dark_round(canvas, grid, rng):
    m = len(canvas)
    color = _DARK_MATERIALS[rng.integers(len(_DARK_MATERIALS), size=m)]
    color = np.clip(color * rng.uniform(0.8, 1.2, (m, 1)), 0, 1).astype(np.float32)
    cx, cy = rng.uniform(-0.15, 0.15, m), rng.uniform(-0.2, 0.1, m)
    rx = rng.uniform(0.3, 0.46, m)
    ry = rx * rng.uniform(0.9, 1.35, m)
    # A stand and a base below make some of them bust-like.
    bust = rng.random(m) < 0.4
    stand = step(grid, cx + 0.4 * rx, "x") * step(grid, cx - 0.4 * rx, "x", False)
    paint(canvas, stand * step(grid, cy, "y", False) * bust[:, None, None], color * 0.8)
    base = ellipse(grid, cx, cy + ry + 0.75, 2.4 * rx, np.full(m, 0.6))
    paint(canvas, base * bust[:, None, None], random_colors(m, rng, 0.05, 0.9))
    r2 = ((grid.x - cx[:, None, None]) / rx[:, None, None]) ** 2 + (
        (grid.y - cy[:, None, None]) / ry[:, None, None]
    ) ** 2
    shade = (1 - 0.3 * np.minimum(r2, 1))[..., None]
    paint(canvas, ellipse(grid, cx, cy, rx, ry), color[:, None, None, :] * shade)
    _details(canvas, grid, cx, cy, rx, ry, color, rng)


def _details(canvas, grid, cx, cy, rx, ry, color, rng):
    """Highlights and spots on round objects."""
    m = len(cx)
    glint = ellipse(grid, cx - 0.35 * rx, cy - 0.4 * ry, 0.18 * rx, 0.12 * ry)
    paint(canvas, glint * rng.uniform(0.2, 0.6, m)[:, None, None], np.ones((m, 3), np.float32))
    for _ in range(3):
        on = rng.random(m) < 0.4
        x, y = cx + rx * rng.uniform(-0.6, 0.6, m), cy + ry * rng.uniform(-0.6, 0.6, m)
        r = rx * rng.uniform(0.06, 0.18, m)
        tone = np.where(rng.random((m, 1)) < 0.5, color * 0.5, np.minimum(color * 1.8 + 0.1, 1))
        paint(
            canvas, ellipse(grid, x, y, r, r * rng.uniform(0.5, 1.5, m)) * on[:, None, None], tone
        )


def _texture(canvas, grid, rng):
    m = len(canvas)
    first = np.where(
        rng.random((m, 1)) < 0.4,
        skin_colors(rng.integers(1, 7, m).astype(np.float32), rng),
        random_colors(m, rng),
    )
    second = random_colors(m, rng)
    angle = rng.uniform(0, np.pi, m)[:, None, None]
    freq = rng.uniform(3, 14, m)[:, None, None]
    wave = np.sin(
        freq * (grid.x * np.cos(angle) + grid.y * np.sin(angle))
        + rng.uniform(0, 6.3, m)[:, None, None]
    )
    across = np.sin(freq * (grid.y * np.cos(angle) - grid.x * np.sin(angle)))
    checks = rng.random(m)[:, None, None] < 0.3
    pattern = np.where(checks, (wave * across > 0).astype(np.float32), 0.5 + 0.5 * wave)
    paint(canvas, np.ones_like(pattern), first)
    paint(canvas, pattern.astype(np.float32), second)


def _scene(canvas, grid, rng):
    m = len(canvas)
    for _ in range(3):
        cx, cy = rng.uniform(-0.7, 0.7, m), rng.uniform(-0.7, 0.7, m)
        mask = rotated_ellipse(
            grid,
            cx,
            cy,
            rng.uniform(0.15, 0.6, m),
            rng.uniform(0.1, 0.5, m),
            rng.uniform(0, np.pi, m),
        )
        paint(canvas, mask, random_colors(m, rng, 0.05, 0.95))


_DRAWERS = {
    "oval": _oval,
    "skin_blob": _skin_blob,
    "dark_round": _dark_round,
    "texture": _texture,
    "scene": _scene,
}
