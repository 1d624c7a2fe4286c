"""Yes/no arguments that guard something (unpickling, replacing files): only a bool opens them.

A truthy string such as ``"no"`` or ``"False"`` must not count as yes where saying yes runs
code from a file or replaces the user's files.
"""

import numpy as np

__all__ = ["check_flag"]


def check_flag(name, value):
    """Return ``value`` as a bool, refusing anything that is not ``True`` or ``False``.

    Parameters
    ----------
    name : str
        The argument's name, for the message.
    value : object
        The value given; ``numpy.bool_`` is accepted.

    Returns
    -------
    flag : bool
        The value.

    Raises
    ------
    TypeError
        If ``value`` is not a bool.
    """
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False; got {value!r}.")
    return bool(value)
