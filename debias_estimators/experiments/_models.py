"""Building the registry's estimators with progress bars, and naming fitted ones."""

import dataclasses
import re
import sys

from tqdm.auto import tqdm

from ..estimators import EpochProgress, get_method, method_of

__all__ = ["check_method_params", "make_model", "model_image_shape", "model_name"]

# Settings fields named otherwise than the estimators' parameters.
_PARAMETER_OF_SETTING = {"epochs": "max_epochs"}


def make_model(key, settings, *, seed, device="cpu", progress=True, params=None):
    """Build an unfitted estimator from the demo-style settings.

    Each estimator takes the settings it has a parameter of (the CNN no ``latent_dim``, say).

    Parameters
    ----------
    key : str
        Which estimator: a key of the registry of methods.
    settings : DemoSettings
        Budget and hyperparameters.
    seed : int
        ``random_state``.
    device : str, default="cpu"
        Torch device.
    progress : bool, default=True
        Show a bar over the epochs, one line per epoch and a bar per resampling pass.
    params : dict, optional
        Further parameters of the estimator, over the settings and the progress display,
        as :func:`check_method_params` returns them.

    Returns
    -------
    estimator : classifier
        The estimator, unfitted.
    """
    method = get_method(key)
    accepted = method.parameters()
    values = {
        _PARAMETER_OF_SETTING.get(name, name): value
        for name, value in dataclasses.asdict(settings).items()
    }
    chosen = {name: value for name, value in values.items() if name in accepted}
    chosen.update(
        random_state=seed,
        device=device,
        verbose=int(progress),
        callbacks=[EpochProgress(desc=method.name)] if progress else None,
        # The epoch lines go through tqdm so that they do not tear the bar.
        net_params={"callbacks__print_log__sink": write_epoch_row} if progress else None,
    )
    chosen.update(params or {})  # one's own callbacks or net_params replace the progress display
    return method.estimator(**chosen)


# Given to the experiment itself, which seeds and places every model it builds.
_EXPERIMENT_ARGUMENTS = ("random_state", "device")


def check_method_params(key, params):
    """Return ``params`` for the method ``key`` as a dict, refusing what it cannot take.

    Parameters
    ----------
    key : str
        A key of the registry of methods.
    params : dict or None
        Parameters of the method's estimator.

    Returns
    -------
    params : dict
        A copy.

    Raises
    ------
    TypeError
        If ``params`` is not a dict.
    ValueError
        If it names a parameter the estimator does not have, or ``random_state`` or
        ``device``, which are the experiment's own arguments.
    """
    if params is None:
        return {}
    if not isinstance(params, dict):
        raise TypeError(f"The parameters of {key!r} must be a dict; got {type(params).__name__}.")
    method = get_method(key)
    unknown = sorted(set(params) - set(method.parameters()))
    if unknown:
        raise ValueError(f"{method.estimator.__name__} has no parameter(s) {unknown}.")
    taken = [name for name in _EXPERIMENT_ARGUMENTS if name in params]
    if taken:
        raise ValueError(f"Give {taken} as the experiment's own argument(s), not in params.")
    return dict(params)


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def write_epoch_row(line):
    """Print a row of skorch's epoch table without tearing a bar; plain text off a terminal.

    Parameters
    ----------
    line : str
        The row, possibly with ANSI colours (skorch colours the best scores).
    """
    if not sys.stdout.isatty():
        line = _ANSI.sub("", line)
    tqdm.write(line)


def model_name(model):
    """Name a fitted model for display: its method's name ("DB-VAE"...) or its class's."""
    method = method_of(model)
    return type(model).__name__ if method is None else method.name


def model_image_shape(model, fallback_size=None):
    """Return the ``(H, W, C)`` of the images a fitted model expects.

    Parameters
    ----------
    model : estimator
        A fitted model; the library's estimators record ``input_shape_``.
    fallback_size : int, optional
        Side of RGB images for models that do not record their input (e.g. pipelines).

    Returns
    -------
    shape : tuple of int
        ``(H, W, C)``.
    """
    shape = getattr(model, "input_shape_", None)
    if shape is None:
        if fallback_size is None:
            raise ValueError(
                f"Cannot tell which image size the {type(model).__name__} expects; give "
                "image_size=PIXELS."
            )
        return (fallback_size, fallback_size, 3)
    if len(shape) != 3:
        raise ValueError("The model was trained on feature vectors, not images.")
    channels, height, width = shape
    return (height, width, channels)
