"""Turn a ``random_state`` argument into a seed or a numpy random generator."""

import numbers

import numpy as np
from sklearn.utils import check_random_state

__all__ = ["as_generator", "resolve_seed"]


def resolve_seed(random_state):
    """Return an int seed for ``random_state``, as the estimators seed torch with.

    Parameters
    ----------
    random_state : None, int or numpy.random.RandomState
        An int is the seed; otherwise the seed is drawn from the ``RandomState`` (``None``:
        numpy's global one), as :func:`sklearn.utils.check_random_state` resolves it.

    Returns
    -------
    seed : int
        In ``[0, 2**31 - 1)`` when drawn.
    """
    if isinstance(random_state, numbers.Integral):
        return int(random_state)
    return int(check_random_state(random_state).randint(0, 2**31 - 1))


def as_generator(random_state):
    """Return a :class:`numpy.random.Generator` for ``random_state``.

    Parameters
    ----------
    random_state : None, int, numpy.random.Generator or numpy.random.RandomState
        ``None`` draws fresh entropy; an int seeds a new generator; a generator is used as is;
        a legacy ``RandomState`` seeds a new generator from its stream. Anything else that
        :func:`numpy.random.default_rng` takes (a ``SeedSequence``, a bit generator) works too.

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
    seed = random_state
    if isinstance(seed, np.random.RandomState):
        seed = resolve_seed(seed)
    try:
        return np.random.default_rng(seed)
    except TypeError as err:
        raise TypeError(
            f"random_state must be None, an int or a numpy random generator; got "
            f"{type(random_state).__name__}."
        ) from err
    except ValueError as err:
        raise ValueError(f"random_state must be non-negative, got {random_state!r}.") from err
