"""Parsers of single option values: numbers with their bounds, and the list of methods."""

import argparse
import math

from .._images import MIN_IMAGE_SIZE
from ..estimators import all_methods

__all__ = [
    "fraction",
    "image_size",
    "model_list",
    "positive_int",
    "seed_value",
]


def positive_int(text):
    """Parse an integer of at least 1."""
    value = _number(text, int, "an integer")
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}")
    return value


def fraction(text):
    """Parse a share in (0, 0.5]."""
    value = _number(text, float, "a number")
    if not 0 < value <= 0.5:
        raise argparse.ArgumentTypeError(f"must be in (0, 0.5], got {text!r}")
    return value


def image_size(text):
    """Parse an image side of at least ``MIN_IMAGE_SIZE`` pixels."""
    value = _number(text, int, "an integer")
    if value < MIN_IMAGE_SIZE:
        raise argparse.ArgumentTypeError(f"must be at least {MIN_IMAGE_SIZE} pixels, got {text!r}")
    return value


def seed_value(text):
    """Parse a random seed, an integer in [0, 2**32 - 1]."""
    value = _number(text, int, "an integer")
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(f"must be in [0, 2**32 - 1], got {text!r}")
    return value


def _number(text, kind, what):
    try:
        value = kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be {what}, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number, got {text!r}")
    return value


def model_list(text):
    """Parse ``--models``: comma-separated method names, each once.

    Parameters
    ----------
    text : str
        E.g. ``"cnn,dbvae,jtt"``.

    Returns
    -------
    chosen : tuple of str
        The names, in the order given.
    """
    keys = [method.key for method in all_methods()]
    chosen = tuple(part.strip().lower() for part in text.split(",") if part.strip())
    unknown = [key for key in chosen if key not in keys]
    if not chosen or unknown or len(set(chosen)) != len(chosen):
        raise argparse.ArgumentTypeError(
            f"{text!r}: give distinct names from {', '.join(keys)}, separated by commas"
        )
    return chosen
