"""Proportions of the synthetic faces' attributes and the draw of one attribute table.

Every attribute is categorical. Its proportions are exact: of ``n`` faces, ``round(p * n)``
carry a value of proportion ``p`` (largest remainders settle the rounding), and the values are
shuffled independently per attribute, so attributes are independent of each other.
"""

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
import pandas as pd

__all__ = [
    "ATTRIBUTE_COLUMNS",
    "DEFAULT_PROPORTIONS",
    "FACE_ATTRIBUTES",
    "NONFACE_KINDS",
    "draw_face_attributes",
    "draw_nonface_attributes",
    "exact_draw",
    "resolve_proportions",
    "to_frame",
]

FACE_ATTRIBUTES = (
    "skin_type",
    "gender",
    "glasses",
    "hat",
    "lighting",
    "pose",
    "background",
    "contrast",
)
NONFACE_KINDS = ("oval", "skin_blob", "dark_round", "statue", "texture", "scene")

# Skewed the way face collections are: darker skin, hats, dim light, turned heads rare.
DEFAULT_PROPORTIONS = MappingProxyType(
    {
        name: MappingProxyType(values)
        for name, values in {
            "skin_type": {"lighter": 0.95, "darker": 0.05},
            "gender": {"female": 0.4, "male": 0.6},
            "glasses": {"no": 0.88, "yes": 0.12},
            "hat": {"no": 0.92, "yes": 0.08},
            "lighting": {"dim": 0.08, "normal": 0.8, "bright": 0.12},
            "pose": {"frontal": 0.87, "turned": 0.13},
            "background": {"plain": 0.85, "cluttered": 0.15},
            # Faces in deep shadow: their features barely show, whatever the skin.
            "contrast": {"normal": 0.92, "low": 0.08},
            "kind": {
                "oval": 0.25,
                "skin_blob": 0.2,
                "dark_round": 0.192,
                "statue": 0.008,
                "texture": 0.15,
                "scene": 0.2,
            },
        }.items()
    }
)
ATTRIBUTE_COLUMNS = ("kind", *FACE_ATTRIBUTES[:2], "fitzpatrick", *FACE_ATTRIBUTES[2:])
_SUM_TOLERANCE = 1e-6


def resolve_proportions(proportions=None):
    """Merge user proportions into the defaults and check them.

    Parameters
    ----------
    proportions : dict or None
        Maps an attribute name to a dict ``{value: proportion}``; values left out get
        proportion 0, attributes left out keep their defaults. ``"kind"`` sets the mix of
        non-faces.

    Returns
    -------
    resolved : dict
        A new dict ``{attribute: {value: proportion}}`` for every attribute, values in the
        order of :data:`DEFAULT_PROPORTIONS`.

    Raises
    ------
    TypeError
        If ``proportions`` or one of its entries is not a dict.
    ValueError
        If an attribute or value is unknown, or an attribute's proportions are negative or do
        not sum to 1.
    """
    resolved = {name: dict(values) for name, values in DEFAULT_PROPORTIONS.items()}
    if proportions is None:
        return resolved
    if not isinstance(proportions, Mapping):
        raise TypeError(
            f"proportions must be a dict {{attribute: {{value: proportion}}}}; got "
            f"{type(proportions).__name__}."
        )
    for name, values in proportions.items():
        resolved[name] = _check_attribute(name, values)
    return resolved


def _check_attribute(name, values):
    if name not in DEFAULT_PROPORTIONS:
        raise ValueError(
            f"Unknown attribute {name!r} in proportions; known: {sorted(DEFAULT_PROPORTIONS)}."
        )
    known = DEFAULT_PROPORTIONS[name]
    if not isinstance(values, Mapping):
        raise TypeError(
            f"proportions[{name!r}] must be a dict {{value: proportion}}; got "
            f"{type(values).__name__}."
        )
    unknown = sorted(set(values) - set(known), key=str)
    if unknown:
        raise ValueError(
            f"Unknown value(s) {unknown} for attribute {name!r}; known: {list(known)}."
        )
    probs = {value: float(values.get(value, 0.0)) for value in known}
    if any(not np.isfinite(p) or p < 0 for p in probs.values()):
        raise ValueError(f"proportions[{name!r}] must be non-negative numbers; got {values}.")
    total = sum(probs.values())
    if abs(total - 1) > _SUM_TOLERANCE:
        raise ValueError(f"proportions[{name!r}] must sum to 1; they sum to {total:g}.")
    return probs


def exact_draw(probs, n, rng):
    """Draw ``n`` values whose counts match ``probs`` as closely as integers allow.

    Parameters
    ----------
    probs : dict
        ``{value: proportion}``, proportions summing to 1.
    n : int
        Number of values.
    rng : numpy.random.Generator
        Shuffles the values.

    Returns
    -------
    values : ndarray of object
        The shuffled values.
    """
    values = list(probs)
    expected = np.array([probs[v] for v in values]) * n
    counts = np.floor(expected).astype(int)
    # Largest remainders get the leftover draws, so counts sum to n.
    order = np.argsort(-(expected - counts), kind="stable")
    counts[order[: n - counts.sum()]] += 1
    return rng.permutation(np.repeat(np.array(values, dtype=object), counts))


def draw_face_attributes(n, proportions, rng, *, skin_type=None, gender=None):
    """Draw the attribute table of ``n`` faces.

    Parameters
    ----------
    n : int
        Number of faces.
    proportions : dict
        Resolved proportions, see :func:`resolve_proportions`.
    rng : numpy.random.Generator
        Source of randomness.
    skin_type, gender : array-like of str, optional
        Fixed values that replace the draw of these attributes.

    Returns
    -------
    attributes : dict of ndarray
        One array per column of :data:`ATTRIBUTE_COLUMNS`.
    """
    fixed = {"skin_type": skin_type, "gender": gender}
    table = {"kind": np.full(n, "face", dtype=object)}
    for name in FACE_ATTRIBUTES:
        given = fixed.get(name)
        table[name] = (
            exact_draw(proportions[name], n, rng) if given is None else np.asarray(given, object)
        )
    # Fitzpatrick types 1-3 are "lighter", 4-6 "darker", as in Gender Shades.
    table["fitzpatrick"] = rng.integers(1, 4, size=n) + 3 * (table["skin_type"] == "darker")
    return table


def draw_nonface_attributes(n, proportions, rng):
    """Draw the attribute table of ``n`` non-faces: their kind, missing face attributes.

    Parameters
    ----------
    n : int
        Number of non-faces.
    proportions : dict
        Resolved proportions, see :func:`resolve_proportions`.
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    attributes : dict of ndarray
        One array per column of :data:`ATTRIBUTE_COLUMNS`.
    """
    table = {name: np.full(n, None, dtype=object) for name in ATTRIBUTE_COLUMNS}
    table["kind"] = exact_draw(proportions["kind"], n, rng)
    return table


def to_frame(table):
    """Turn an attribute table into a DataFrame with categorical columns.

    Parameters
    ----------
    table : dict of ndarray
        One array per column of :data:`ATTRIBUTE_COLUMNS`.

    Returns
    -------
    frame : pandas.DataFrame
        Categorical columns in the order of :data:`DEFAULT_PROPORTIONS`, missing values for
        non-faces, and ``fitzpatrick`` as a nullable integer.
    """
    columns = {}
    for name in ATTRIBUTE_COLUMNS:
        if name == "fitzpatrick":
            columns[name] = pd.array(table[name], dtype="Int64")
            continue
        categories = ["face", *NONFACE_KINDS] if name == "kind" else DEFAULT_PROPORTIONS[name]
        columns[name] = pd.Categorical(table[name], categories=list(categories))
    return pd.DataFrame(columns)
