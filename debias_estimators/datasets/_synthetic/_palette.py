"""Colours of the synthetic images: skin by Fitzpatrick type, hair, and other materials."""

import numpy as np

__all__ = ["hair_colors", "random_colors", "skin_colors"]

# Approximate sRGB skin reflectance of Fitzpatrick types 1..6.
_SKIN = np.array(
    [
        [0.96, 0.84, 0.76],
        [0.92, 0.76, 0.64],
        [0.84, 0.65, 0.51],
        [0.69, 0.49, 0.35],
        [0.52, 0.35, 0.24],
        [0.36, 0.24, 0.17],
    ],
    dtype=np.float32,
)
_HAIR = np.array(
    [
        [0.08, 0.06, 0.05],  # black
        [0.22, 0.14, 0.08],  # dark brown
        [0.42, 0.27, 0.15],  # brown
        [0.80, 0.66, 0.40],  # blond
        [0.60, 0.28, 0.12],  # red
        [0.62, 0.62, 0.60],  # grey
    ],
    dtype=np.float32,
)
# Hair colour frequencies by skin group: lighter skin carries all colours, darker mostly dark.
_HAIR_P_LIGHTER = [0.2, 0.3, 0.2, 0.18, 0.05, 0.07]
_HAIR_P_DARKER = [0.7, 0.25, 0.02, 0.0, 0.0, 0.03]


def skin_colors(types, rng):
    """Skin colours for Fitzpatrick types, interpolated towards neighbours and jittered.

    Parameters
    ----------
    types : ndarray of float of shape (m,)
        Fitzpatrick types in ``[1, 6]``; fractional types interpolate between tones.
    rng : numpy.random.Generator
        Source of jitter.

    Returns
    -------
    colors : ndarray of float32 of shape (m, 3)
        RGB in ``[0, 1]``.
    """
    position = np.clip(
        np.asarray(types, dtype=np.float32) - 1 + rng.uniform(-0.4, 0.4, len(types)), 0, 5
    )
    low = np.floor(position).astype(int)
    high = np.minimum(low + 1, 5)
    frac = (position - low)[:, None]
    colors = _SKIN[low] * (1 - frac) + _SKIN[high] * frac
    return np.clip(colors + rng.normal(0, 0.015, colors.shape), 0, 1).astype(np.float32)


def hair_colors(darker, rng):
    """Hair colours, drawn by skin group.

    Parameters
    ----------
    darker : ndarray of bool of shape (m,)
        Whether each person has darker skin.
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    colors : ndarray of float32 of shape (m, 3)
        RGB in ``[0, 1]``.
    """
    index = np.where(
        darker,
        rng.choice(len(_HAIR), size=len(darker), p=_HAIR_P_DARKER),
        rng.choice(len(_HAIR), size=len(darker), p=_HAIR_P_LIGHTER),
    )
    colors = _HAIR[index] * rng.uniform(0.85, 1.15, (len(darker), 1))
    return np.clip(colors, 0, 1).astype(np.float32)


def random_colors(m, rng, low=0.0, high=1.0):
    """Uniformly random RGB colours.

    Parameters
    ----------
    m : int
        Number of colours.
    rng : numpy.random.Generator
        Source of randomness.
    low, high : float, default=0.0, 1.0
        Range of each channel.

    Returns
    -------
    colors : ndarray of float32 of shape (m, 3)
        RGB colours.
    """
    return rng.uniform(low, high, (m, 3)).astype(np.float32)
