"""The checkpoint file of a run: its name, the run's hash, atomic writing and safe reading.

See :mod:`._checkpoint` for what a checkpoint holds and how ``fit`` uses it.
"""

import hashlib
import json
import os
import tempfile

import numpy as np
import torch

__all__ = ["FILENAME", "FORMAT", "read_checkpoint", "run_key", "write_atomically"]

FILENAME = "checkpoint.pt"
FORMAT = 1
# Parameters that do not change what the epochs train: a run resumed with other values of
# these is the same run (max_epochs: a run may be resumed to more epochs than it first had).
_NOT_IN_KEY = {"checkpoint", "checkpoint_every", "max_epochs", "callbacks", "verbose"}


def _plain(value):
    """Return a JSON-able stand-in for a parameter value, the same in every process."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, type) or callable(value) and hasattr(value, "__qualname__"):
        return f"{getattr(value, '__module__', '')}.{value.__qualname__}"
    if isinstance(value, torch.device | os.PathLike):
        return str(value)
    text = repr(value)
    return type(value).__qualname__ if " at 0x" in text else text


def run_key(estimator, dataset):
    """Return the hash that names a run: the estimator's settings and the training data.

    Images held in memory are hashed whole; a lazy source (an HDF5 dataset) by its shape.

    Parameters
    ----------
    estimator : BaseNetClassifier
        The estimator about to fit.
    dataset : ArrayDataset
        Its training data.

    Returns
    -------
    key : str
        A hex digest.
    """
    params = {
        k: _plain(v) for k, v in estimator.get_params(deep=False).items() if k not in _NOT_IN_KEY
    }
    digest = hashlib.sha256()
    digest.update(json.dumps([type(estimator).__qualname__, params], sort_keys=True).encode())
    X = dataset.X
    digest.update(repr((tuple(X.shape), str(getattr(X, "dtype", "")))).encode())
    if isinstance(X, np.ndarray):
        for start in range(0, len(X), 1024):  # a channels-first view of channels-last memory
            digest.update(np.ascontiguousarray(X[start : start + 1024]).tobytes())
    for array in (dataset.y, dataset.sample_weight, dataset.groups):
        if array is not None:
            digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()


def read_checkpoint(directory):
    """Return the checkpoint in ``directory``, or None if there is none.

    Parameters
    ----------
    directory : str
        The checkpoint directory.

    Returns
    -------
    saved : dict or None
        The checkpoint's contents.

    Raises
    ------
    ValueError
        If ``checkpoint.pt`` is a link, not a plain file inside the directory, or not a
        checkpoint this package wrote.
    """
    path = os.path.join(directory, FILENAME)
    if not os.path.lexists(path):
        return None
    inside = os.path.dirname(os.path.realpath(path)) == os.path.realpath(directory)
    if os.path.islink(path) or not os.path.isfile(path) or not inside:
        raise ValueError(
            f"{path} is not a plain file inside {directory!r}; a checkpoint is only read from "
            f"its own directory. Remove it or choose another directory."
        )
    try:
        saved = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:
        raise ValueError(
            f"{path} is not a readable checkpoint ({type(err).__name__}: {err}); it is left "
            f"as it is. Remove it, or choose another directory."
        ) from err
    if not isinstance(saved, dict) or saved.get("format") != FORMAT:
        raise ValueError(f"{path} is not a checkpoint of this version of debias_estimators.")
    return saved


def write_atomically(path, state):
    directory = os.path.dirname(path)
    fd, tmp = tempfile.mkstemp(prefix=".checkpoint-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            torch.save(state, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
