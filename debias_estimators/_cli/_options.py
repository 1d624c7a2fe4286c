"""Options of ``train`` and ``demo`` made from the estimators' own declared parameters.

Each method of the registry declares its parameters in ``_parameter_constraints`` and documents
them in its docstring; every parameter that a command line can give (a number, a word among
options, a yes/no) becomes an option ``--name-with-dashes`` whose help is the docstring's first
sentence, as skorch's command-line helper builds options from docstrings. A value left out keeps
the estimator's default; a value for a method without that parameter is refused.
"""

import argparse
import inspect
import math
import re
from numbers import Integral

from sklearn.utils._param_validation import Interval, StrOptions

__all__ = ["add_estimator_options", "check_params", "estimator_params"]

# Set by the command line itself, by other options, or not a value a command line can give.
_NOT_OPTIONS = {
    "accelerator",
    "callbacks",
    "data_format",
    "device",
    "hidden_units",
    "image_shape",
    "max_epochs",
    "net_params",
    "optimizer",
    "pos_label",
    "random_state",
    "train_split",
    "verbose",
    "warm_start",
}


# Where argparse keeps a generated option's value: apart from the command's own options.
_PREFIX = "param_"


def add_estimator_options(parser, methods, *, taken=(), defaults=None):
    """Add an option for each parameter of ``methods`` a command line can set.

    Parameters
    ----------
    parser : argparse.ArgumentParser or argument group
        Where the options go.
    methods : list of Method
        The registry's rows the command trains.
    taken : iterable of str
        Parameter names the command already has an option for, or cannot take.
    defaults : dict of str to str, optional
        The default to show for a parameter the command sets otherwise than the estimator.
    """
    for name, owners in _parameters(methods, set(taken)).items():
        cls = owners[0].estimator
        value_type = _value_type(cls._parameter_constraints[name])
        if value_type is None:
            continue
        default = (defaults or {}).get(name, inspect.signature(cls).parameters[name].default)
        keys = ", ".join(method.key for method in owners)
        parser.add_argument(
            f"--{name.replace('_', '-')}",
            dest=_PREFIX + name,
            type=value_type,
            default=None,
            metavar=_metavar(value_type),
            help=f"{_summary(cls, name)} [{keys}; default {_shown(default)}]",
        )


def estimator_params(args, methods):
    """Return the parameters the generated options give each of ``methods``.

    An option applies to every method that has its parameter (``demo --models cnn,dbvae
    --lr 0.01`` sets both learning rates; ``--ess-floor`` only the DB-VAE's).

    Parameters
    ----------
    args : argparse.Namespace
        The parsed options.
    methods : list of Method
        The registry's rows of the methods trained.

    Returns
    -------
    params : dict of str to dict
        For each method's key, its parameter names and values, for the options given.

    Raises
    ------
    ValueError
        If an option was given that none of ``methods`` has a parameter for.
    """
    accepted = {method.key: method.parameters() for method in methods}
    params = {method.key: {} for method in methods}
    for name, value in _given(args).items():
        owners = [method for method in methods if name in accepted[method.key]]
        if not owners:
            names = " or ".join(f"the {method.name} ({method.key})" for method in methods)
            raise ValueError(f"--{name.replace('_', '-')} is no parameter of {names}.")
        for method in owners:
            params[method.key][name] = value
    return params


def check_params(model, params):
    """Validate ``model``'s parameters, naming the option of a value it refuses.

    Parameters
    ----------
    model : estimator
        The estimator built with ``params``.
    params : dict
        The values the generated options gave it.

    Raises
    ------
    ValueError
        The estimator's own message, led by the option (``--alpha: ...``) when the value
        refused came from one.
    """
    try:
        model._validate_params()
    except ValueError as error:
        named = [name for name in params if f"'{name}'" in str(error)]
        if not named:
            raise
        option = "--" + named[0].replace("_", "-")
        raise ValueError(f"{option}: {error}") from None


def _given(args):
    """Map each generated option given on the command line to its value."""
    given = {}
    for dest, value in vars(args).items():
        if dest.startswith(_PREFIX) and value is not None:
            given[dest.removeprefix(_PREFIX)] = None if value == "none" else value
    return given


def _parameters(methods, taken):
    """Map each settable parameter name to the methods that have it, in the registry's order."""
    owners = {}
    for method in methods:
        for name in method.estimator._parameter_constraints:
            if name not in _NOT_OPTIONS and name not in taken:
                owners.setdefault(name, []).append(method)
    return owners


def _value_type(constraints):
    """Return a parser of the option's text from the constraints, or None if none fits."""
    allows_none = None in constraints
    for constraint in constraints:
        if isinstance(constraint, StrOptions):
            return _choice(sorted(constraint.options), allows_none)
        if constraint == "boolean":
            return _choice(["false", "true"], False, {"false": False, "true": True})
        if isinstance(constraint, Interval):
            kind = int if constraint.type is Integral else float
            return _number(kind, allows_none)
        if constraint is str:  # a path or a name, e.g. a checkpoint directory
            return _text
    return None


def _text(text):
    return text


_text.metavar = "PATH"


def _number(kind, allows_none):
    # Only the type is parsed here: the estimator's own check refuses a value out of its
    # interval, with the parameter's name, before any data is read.
    def parse(text):
        if allows_none and text.lower() == "none":
            return "none"
        try:
            value = kind(text)
        except ValueError:
            what = "an integer" if kind is int else "a number"
            raise argparse.ArgumentTypeError(f"must be {what}, got {text!r}") from None
        if not math.isfinite(value):  # inf and nan parse as floats
            raise argparse.ArgumentTypeError(f"must be a finite number, got {text!r}")
        return value

    parse.kind = kind
    return parse


def _choice(options, allows_none, values=None):
    words = [*options, *(["none"] if allows_none else [])]

    def parse(text):
        if text.lower() not in words:
            raise argparse.ArgumentTypeError(f"choose from {', '.join(words)}; got {text!r}")
        return (values or {}).get(text.lower(), text.lower())

    parse.words = words
    return parse


def _metavar(value_type):
    words = getattr(value_type, "words", None)
    if words:
        return "{" + ",".join(words) + "}"
    if hasattr(value_type, "metavar"):
        return value_type.metavar
    return "N" if getattr(value_type, "kind", None) is int else "X"


def _shown(default):
    if isinstance(default, bool):
        return str(default).lower()
    return "none" if default is None else str(default)


def _summary(cls, name):
    """Return the first sentence of the parameter's entry in the class's docstring."""
    lines = (inspect.getdoc(cls) or "").splitlines()
    for i, line in enumerate(lines):
        names = [part.strip() for part in line.partition(" : ")[0].split(",")]
        if line.startswith(" ") or name not in names:
            continue
        text = []
        for follow in lines[i + 1 :]:
            if not follow.startswith(" "):
                break
            text.append(follow.strip())
        sentence = " ".join(text).split(". ")[0].rstrip(".")
        # Sphinx roles read as their target's name: ":meth:`fit`" -> "fit".
        sentence = re.sub(r":[a-z]+:`~?([^`]+)`", r"\1", sentence)
        return sentence.replace("``", "") + "."
    return name.replace("_", " ")
