"""Turn a ``random_state`` argument into a numpy random generator."""

import numbers

import numpy as np

__all__ = ["as_generator"]


def as_generator(random_state):
    """Return a :class:`numpy.random.Generator` for ``random_state``.

    Parameters
    ----------
    random_state : None, int, numpy.random.Generator or numpy.random.RandomState
        ``None`` draws fresh entropy; an int seeds a new generator; a generator is used as is;
        a legacy ``RandomState`` seeds a new generator from its stream.

    Returns
    -------
    rng : numpy.random.Generator
        The generator.

    Raises
    ------
    TypeError
        If ``random_state`` is none of the above.
    ValueError
        If ``random_state`` is a negative int.
    """
    if random_state is None or isinstance(random_state, numbers.Integral):
        if random_state is not None and random_state < 0:
            raise ValueError(f"random_state must be non-negative, got {random_state}.")
        return np.random.default_rng(random_state)
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(2**31 - 1))
    raise TypeError(
        f"random_state must be None, an int or a numpy random generator; got "
        f"{type(random_state).__name__}."
    )
