"""Hyperparameters as a search or a script passes them: numpy scalars, and booleans.

A grid built with ``np.arange`` or ``np.array`` hands an estimator ``np.int64`` values, which
torch's samplers and layers refuse (they test ``isinstance(value, int)``). :func:`plain_params`
lends the estimator Python numbers while it fits and gives the caller's values back after, as
scikit-learn asks that ``fit`` leave the parameters as set. scikit-learn's ``Interval`` counts a
bool as 0 or 1 (``bool`` is an ``Integral``); :func:`refuse_bool_numbers` refuses it where a
number is declared.
"""

import functools
from contextlib import contextmanager

import numpy as np
from sklearn.utils._param_validation import Interval, InvalidParameterError

__all__ = ["as_plain", "plain_params", "refuse_bool_numbers", "with_plain_params"]


def as_plain(value):
    """Return ``value`` with numpy scalars made Python numbers, inside tuples, lists and dicts.

    Parameters
    ----------
    value : object
        A hyperparameter's value.

    Returns
    -------
    value : object
        The same value; ``np.int64(8)`` becomes ``8``, ``(np.int64(4),)`` becomes ``(4,)``.
    """
    if isinstance(value, np.generic) and value.dtype.kind in "biuf":
        return value.item()
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "biuf":
        return value.item()
    if isinstance(value, tuple | list):
        return type(value)(as_plain(item) for item in value)
    if isinstance(value, dict):
        return {key: as_plain(item) for key, item in value.items()}
    return value


@contextmanager
def plain_params(estimator):
    """Lend ``estimator`` its parameters as Python numbers; give the caller's back after.

    Parameters
    ----------
    estimator : BaseEstimator
        The estimator about to fit.

    Yields
    ------
    None
        While the estimator holds the plain values.
    """
    given = estimator.get_params(deep=False)
    plain = {name: as_plain(value) for name, value in given.items()}
    vars(estimator).update(plain)
    try:
        yield
    finally:
        vars(estimator).update(given)


def with_plain_params(method):
    """Decorate a ``fit``-like method to run under :func:`plain_params`.

    Parameters
    ----------
    method : callable
        A method of an estimator.

    Returns
    -------
    wrapped : callable
        The method, fitting with plain parameters.
    """

    @functools.wraps(method)
    def wrapped(self, *args, **kwargs):
        with plain_params(self):
            return method(self, *args, **kwargs)

    return wrapped


def refuse_bool_numbers(estimator):
    """Refuse a bool for a parameter whose constraints are numeric intervals only.

    Parameters
    ----------
    estimator : BaseEstimator
        An estimator with ``_parameter_constraints``.

    Raises
    ------
    InvalidParameterError
        A ``ValueError`` and ``TypeError``, naming the parameter.
    """
    for name, constraints in estimator._parameter_constraints.items():
        value = getattr(estimator, name, None)
        if not isinstance(value, bool | np.bool_) or not isinstance(constraints, list):
            continue
        intervals = [c for c in constraints if isinstance(c, Interval)]
        if intervals and not any(c in ("boolean", bool) for c in constraints):
            raise InvalidParameterError(
                f"The {name!r} parameter of {type(estimator).__name__} must be "
                f"{' or '.join(map(str, intervals))}, not a bool ({value!r})."
            )
