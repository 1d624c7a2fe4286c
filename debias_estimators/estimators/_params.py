"""The estimators' parameter constraints, and the checks a constraint cannot express.

Each estimator declares its parameters once, in scikit-learn's ``_parameter_constraints``
(checked by ``_validate_params`` at the start of ``fit``); :func:`check_device` and
:func:`check_hidden_units` add what depends on the machine or on a tuple's items. The command
line uses the same device check.
"""

from numbers import Integral, Real

import torch
from sklearn.utils._param_validation import Interval, StrOptions
from skorch.callbacks import Callback

from .._devices import check_device

__all__ = ["NET_CONSTRAINTS", "check_callbacks", "check_device", "check_hidden_units"]

POSITIVE_INT = Interval(Integral, 1, None, closed="left")
# Interval rejects NaN and infinity: a finite number above 0.
POSITIVE_REAL = Interval(Real, 0, None, closed="neither")

# What both estimators share.
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
