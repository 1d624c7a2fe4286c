"""Turn a ``random_state`` argument into a numpy random generator."""

import numpy as np

__all__ = ["as_generator"]


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
        seed = seed.randint(2**31 - 1)
    try:
        return np.random.default_rng(seed)
    except TypeError as err:
        raise TypeError(
            f"random_state must be None, an int or a numpy random generator; got "
            f"{type(random_state).__name__}."
        ) from err
    except ValueError as err:
        raise ValueError(f"random_state must be non-negative, got {random_state!r}.") from err
