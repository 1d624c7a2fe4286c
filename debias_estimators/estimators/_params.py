"""The estimators' parameter constraints, and the checks a constraint cannot express.

Each estimator declares its parameters once, in scikit-learn's ``_parameter_constraints``
(checked by ``_validate_params`` at the start of ``fit``); :func:`check_device` and
:func:`check_hidden_units` add what depends on the machine or on a tuple's items. The command
line uses the same device check.
"""

import os
from numbers import Integral, Real

import torch
from sklearn.utils._param_validation import Interval, StrOptions
from skorch.callbacks import Callback

from .._devices import check_device

__all__ = [
    "NET_CONSTRAINTS",
    "check_callbacks",
    "check_device",
    "check_hidden_units",
    "check_image_shape",
    "store_init_params",
]

POSITIVE_INT = Interval(Integral, 1, None, closed="left")
# Interval rejects NaN and infinity: a finite number above 0.
POSITIVE_REAL = Interval(Real, 0, None, closed="neither")

# What all the estimators share.
NET_CONSTRAINTS = {
    "n_filters": [POSITIVE_INT],
    "hidden_units": [tuple, list],
    "lr": [POSITIVE_REAL],
    # Batch normalisation cannot train on batches of one sample.
    "batch_size": [Interval(Integral, 2, None, closed="left")],
    "max_epochs": [POSITIVE_INT],
    "optimizer": [callable],
    "pos_label": "no_validation",
    "random_state": ["random_state"],
    "device": [str, torch.device],
    "compile": ["boolean"],
    "warm_start": ["boolean"],
    "callbacks": [list, None],
    "train_split": [callable, None],
    "verbose": ["verbose"],
    "image_shape": [tuple, list, None],
    "data_format": [StrOptions({"auto", "channels_last", "channels_first"})],
    "net_params": [dict, None],
    "checkpoint": [str, os.PathLike, None],
    "checkpoint_every": [POSITIVE_INT],
}


def check_hidden_units(hidden_units):
    """Check that ``hidden_units`` is a sequence of positive layer widths.

    Parameters
    ----------
    hidden_units : tuple or list of int
        Hidden layer widths.

    Returns
    -------
    hidden_units : tuple of int
        The widths.

    Raises
    ------
    ValueError
        If a width is not an integer of at least 1.
    """
    for width in hidden_units:
        if isinstance(width, bool) or not isinstance(width, Integral) or width < 1:
            raise ValueError(
                f"hidden_units must hold positive integers (layer widths), got "
                f"{tuple(hidden_units)!r}."
            )
    return tuple(int(width) for width in hidden_units)


def check_callbacks(callbacks):
    """Check that ``callbacks`` holds skorch callbacks, alone or as ``(name, callback)`` pairs.

    Parameters
    ----------
    callbacks : list or None
        The estimator's ``callbacks``.

    Raises
    ------
    TypeError
        If an item is neither.
    """
    for item in callbacks or []:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
            item = item[1]
        if not isinstance(item, Callback):
            raise TypeError(
                f"callbacks must hold skorch callbacks (instances of skorch.callbacks.Callback) "
                f"or (name, callback) pairs; got {item!r}."
            )


def check_image_shape(image_shape):
    """Check that ``image_shape`` is ``None``, ``(H, W)`` or ``(H, W, C)`` of positive integers.

    Parameters
    ----------
    image_shape : tuple or list of int, or None
        The estimator's ``image_shape``.

    Returns
    -------
    image_shape : tuple of int or None
        The sides as Python ints.

    Raises
    ------
    ValueError
        If it has another length, or an entry is not an integer of at least 1 (a string, a
        float, a bool, zero or a negative number).
    """
    if image_shape is None:
        return None
    entries = tuple(image_shape) if isinstance(image_shape, tuple | list) else ()
    if len(entries) not in (2, 3) or not all(
        isinstance(s, Integral) and not isinstance(s, bool) and s >= 1 for s in entries
    ):
        raise ValueError(
            f"image_shape must be (H, W) or (H, W, C) of positive integers, e.g. (64, 64, 3); "
            f"got {image_shape!r}."
        )
    return tuple(int(s) for s in entries)


def store_init_params(estimator, values):
    """Store each constructor argument as the attribute of its name, unchanged.

    scikit-learn's rule for ``__init__``: every parameter of the explicit signature becomes an
    attribute as given, and nothing else happens. Each estimator's ``__init__`` calls this
    with ``locals()``, instead of one assignment line per parameter.

    Parameters
    ----------
    estimator : BaseEstimator
        The estimator being constructed.
    values : dict
        The constructor's ``locals()``, taken before anything else is bound: its parameters.
    """
    for name, value in values.items():
        if name not in ("self", "__class__"):
            setattr(estimator, name, value)
