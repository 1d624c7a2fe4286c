"""Checks of the experiments' plain arguments, made before any data is read or trained on."""

import numbers

from .._images import MIN_IMAGE_SIZE

__all__ = ["check_count", "check_fraction", "check_image_size", "check_kinds", "check_seed"]


def check_count(name, value):
    """Refuse ``value`` unless it is a positive integer (``bool`` is not one).

    Parameters
    ----------
    name : str
        The argument's name, for the message.
    value : object
        The value given.
    """
    if not _integer_at_least(value, 1):
        raise ValueError(f"{name} must be a positive integer; got {value!r}.")


def check_fraction(name, value, *, high=1.0, high_included=False):
    """Refuse ``value`` unless it is a number above 0 and below ``high`` (or at it).

    Parameters
    ----------
    name : str
        The argument's name, for the message.
    value : object
        The value given.
    high : float, default=1.0
        The upper bound.
    high_included : bool, default=False
        Whether ``high`` itself is allowed.
    """
    number = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if not (number and 0 < value and (value <= high if high_included else value < high)):
        interval = f"(0, {high}]" if high_included else f"(0, {high})"
        raise ValueError(f"{name} must be a number in {interval}; got {value!r}.")


def check_kinds(**given):
    """Refuse an argument that is not of its kind, naming it and the kind expected.

    Parameters
    ----------
    **given
        Each argument's name mapped to ``(value, kind)``: ``kind`` is a class or tuple of
        classes for ``isinstance``, or ``callable``.
    """
    for name, (value, kind) in given.items():
        fits = callable(value) if kind is callable else isinstance(value, kind)
        if not fits:
            expected = "a callable" if kind is callable else _kind_name(kind)
            raise TypeError(f"{name} must be {expected}; got {type(value).__name__}.")


def _kind_name(kind):
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join("None" if k is type(None) else k.__name__ for k in kinds)


def check_seed(value):
    """Refuse a ``random_state`` that is not a non-negative integer: the draws add offsets to it.

    Parameters
    ----------
    value : object
        The seed given.
    """
    if not _integer_at_least(value, 0):
        raise ValueError(f"random_state must be a non-negative integer; got {value!r}.")


def check_image_size(value):
    """Refuse an image side that is not an integer of at least ``MIN_IMAGE_SIZE`` pixels.

    Parameters
    ----------
    value : object
        The side given.
    """
    check_count("image_size", value)
    if value < MIN_IMAGE_SIZE:
        raise ValueError(f"image_size must be at least {MIN_IMAGE_SIZE} pixels; got {value}.")


def _integer_at_least(value, minimum):
    # bool is an Integral to Python, never a count or a seed here
    return isinstance(value, numbers.Integral) and not isinstance(value, bool) and value >= minimum
