"""Checks of the experiments' plain arguments, made before any data is read or trained on."""

import numbers

__all__ = ["check_count", "check_fraction"]


def check_count(name, value):
    """Refuse ``value`` unless it is a positive integer (``bool`` is not one).

    Parameters
    ----------
    name : str
        The argument's name, for the message.
    value : object
        The value given.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer; got {value!r}.")


def check_fraction(name, value, *, high=1.0):
    """Refuse ``value`` unless it is a number in ``(0, high)`` (``high`` included when below 1).

    Parameters
    ----------
    name : str
        The argument's name, for the message.
    value : object
        The value given.
    high : float, default=1.0
        The upper bound; 1 itself is excluded, a lower bound included.
    """
    number = isinstance(value, numbers.Real) and not isinstance(value, bool)
    inside = number and 0 < value and (value <= high if high < 1 else value < 1)
    if not inside:
        interval = f"(0, {high}]" if high < 1 else "(0, 1)"
        raise ValueError(f"{name} must be a number in {interval}; got {value!r}.")
