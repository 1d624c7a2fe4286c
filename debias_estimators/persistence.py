"""Saving and loading fitted estimators in a format whose loading runs no code.

A pickle (``joblib.dump``, ``pickle.dump``) stores how to rebuild an object, and loading one
runs whatever code the file names: only load pickles you trust. :func:`save_model` writes a
zip archive instead, with two members:

* ``estimator.json``: the estimator's class, its hyperparameters, its classes, the input shape,
  the training history and, for group DRO, its groups, as JSON;
* ``weights.pt``: the network's tensors, written with :func:`torch.save` and read back with
  ``torch.load(weights_only=True)``, which only rebuilds tensors and plain containers.

:func:`load_model` accepts the estimator classes of this package only, checks the hyperparameters as
``fit`` would, rebuilds the network and loads the weights onto the device asked for (the CPU
by default), so that a model trained on a GPU predicts on a machine without one. Training-time
settings that are not plain values (``callbacks``, ``train_split``, a custom ``optimizer``,
non-JSON ``net_params`` entries) are not saved; the loaded estimator has their defaults. Nor
is JTT's or GEORGE's identification model (JTT's error set and GEORGE's clusters are saved).
The method's own training state (``net_.training_state()``: group DRO's group weights, LfF's
moving averages of the losses) is saved with the weights.
"""

import io
import json
import zipfile
from pathlib import Path

import joblib
import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted
from skorch.history import History

from ._devices import check_device
from ._files import atomic_path
from ._flags import check_flag
from .estimators import all_methods
from .estimators._data import check_inputs

__all__ = ["is_saved_model", "load_model", "save_model"]

FORMAT = "debias_estimators.model"
VERSION = 1
# Every estimator of the family, by class name: the name a file records.
CLASSES = {method.estimator.__name__: method.estimator for method in all_methods()}
_NOT_SAVED = ("callbacks", "train_split")
_MAX_JSON_BYTES = 64 * 2**20
_LABEL_KINDS = "biufU"


def save_model(estimator, path, *, overwrite=False):
    """Save a fitted estimator of this package to ``path``, in a format safe to load.

    Parameters
    ----------
    estimator : classifier
        A fitted estimator of this package, of a class that
        :func:`~debias_estimators.estimators.all_methods` lists.
    path : str or os.PathLike
        The file to write (a zip archive; ``.zip`` is a good suffix). It is written to a
        temporary file in the same folder and then renamed, so an interrupted save leaves any
        previous file intact.
    overwrite : bool, default=False
        Replace an existing file.

    Returns
    -------
    path : pathlib.Path
        The file written.
    """
    overwrite = check_flag("overwrite", overwrite)
    if type(estimator).__name__ not in CLASSES or not isinstance(
        estimator, CLASSES[type(estimator).__name__]
    ):
        raise TypeError(
            f"save_model saves the estimators {sorted(CLASSES)}, not "
            f"{type(estimator).__name__}; use joblib.dump (a pickle) for other objects."
        )
    check_is_fitted(estimator)
    meta = {
        "format": FORMAT,
        "version": VERSION,
        "class": type(estimator).__name__,
        "params": _plain_params(estimator),
        "classes": _encode_labels(estimator.classes_),
        "pos_label_index": int(np.flatnonzero(estimator.classes_ == estimator.pos_label_)[0]),
        "input_shape": list(estimator.input_shape_),
        "history": json.loads(json.dumps(estimator.net_.history.to_list(), default=_plain)),
    }
    values, extra = estimator._saved_state()
    meta["fitted"] = values
    state = estimator.net_.module_.state_dict()
    tensors = {"module": {k: v.detach().cpu() for k, v in state.items()}}
    tensors["fitted"] = {k: v.detach().cpu() for k, v in extra.items()}
    # The method's own training state (group DRO's group weights, LfF's loss averages).
    training_state = estimator.net_.training_state()
    tensors["training_state"] = {k: v.detach().cpu() for k, v in training_state.items()}
    if getattr(estimator, "sample_weight_", None) is not None:
        tensors["sample_weight_"] = torch.as_tensor(estimator.sample_weight_)
    weights = io.BytesIO()
    torch.save(tensors, weights)
    with atomic_path(path, overwrite=overwrite) as tmp:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("estimator.json", json.dumps(meta, indent=1, default=_plain))
            archive.writestr("weights.pt", weights.getvalue())
    return Path(path)


def is_saved_model(path):
    """Tell whether ``path`` looks like a file written by :func:`save_model`.

    Parameters
    ----------
    path : str or os.PathLike
        A file.

    Returns
    -------
    answer : bool
        True for a zip archive holding ``estimator.json`` and ``weights.pt``.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            return {"estimator.json", "weights.pt"} <= set(archive.namelist())
    except (OSError, zipfile.BadZipFile):
        return False


def load_model(path, *, device="cpu", allow_pickle=False):
    """Load an estimator saved by :func:`save_model`, without running code from the file.

    Parameters
    ----------
    path : str or os.PathLike
        The file written by :func:`save_model`, or, with ``allow_pickle``, by ``joblib.dump``.
    device : str, default="cpu"
        Torch device to load the network onto; it becomes the estimator's ``device``. A
        pickled estimator of this package is moved there too, wherever it was trained.
    allow_pickle : bool, default=False
        Unpickle a file that is not in the safe format (a pipeline of your own, say).
        Unpickling runs code from the file: allow it only for files you trust.

    Returns
    -------
    estimator : classifier
        The fitted estimator (or, from a pickle, the fitted object with ``predict``).
    """
    allow_pickle = check_flag("allow_pickle", allow_pickle)
    path = Path(path)
    check_device(device)
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a folder; give the model file inside it.")
    if not path.is_file():
        raise FileNotFoundError(f"No such model file: {path}")
    if not is_saved_model(path):
        if allow_pickle:
            return _load_pickle(path, device)
        raise ValueError(
            f"Cannot load {path}: it is not a model saved by debias_estimators.save_model (a "
            f"zip archive with estimator.json and weights.pt). If it is a joblib pickle you "
            f"trust, pass allow_pickle=True (loading a pickle runs code from the file)."
        )
    with zipfile.ZipFile(path) as archive:
        if archive.getinfo("estimator.json").file_size > _MAX_JSON_BYTES:
            raise ValueError(f"{path}: estimator.json is implausibly large.")
        try:
            meta = json.loads(archive.read("estimator.json"))
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            raise ValueError(f"{path}: estimator.json is not valid JSON: {err}") from err
        weights = archive.read("weights.pt")
    estimator = _rebuild(meta, path, device)
    try:
        tensors = torch.load(io.BytesIO(weights), map_location=device, weights_only=True)
        estimator.net_.module_.load_state_dict(tensors["module"])
        estimator._restore_tensors(tensors.get("fitted", {}))
        estimator.net_.load_training_state(tensors.get("training_state", {}))
    except Exception as err:  # a corrupt or mismatched weights file fails in torch's own ways
        raise ValueError(f"{path}: the weights do not fit the saved estimator: {err}") from err
    if "sample_weight_" in tensors:
        estimator.sample_weight_ = tensors["sample_weight_"].cpu().numpy()
    return estimator


def _load_pickle(path, device):
    try:
        model = joblib.load(path)
    except Exception as err:  # unpickling fails in many ways; all mean "not a model file"
        raise ValueError(f"Cannot load {path} as a saved model: {err}") from err
    if not hasattr(model, "predict"):
        raise ValueError(f"{path} holds a {type(model).__name__}, not a classifier.")
    check_is_fitted(model)
    net = getattr(model, "net_", None)
    if net is not None:  # one of ours: predict where asked, not where it was trained
        model.set_params(device=device)
        net.module_.to(device)
    return model


def _rebuild(meta, path, device):
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ValueError(f"{path} is not a debias_estimators model file.")
    if meta.get("version") != VERSION:
        raise ValueError(
            f"{path} has format version {meta.get('version')!r}; this version reads {VERSION}."
        )
    if meta.get("class") not in CLASSES:
        raise ValueError(f"{path} names an unknown estimator class {meta.get('class')!r}.")
    cls = CLASSES[meta["class"]]
    params = dict(meta.get("params") or {})
    unknown = set(params) - set(cls().get_params())
    if unknown:
        raise ValueError(f"{path} holds unknown parameters {sorted(unknown)}.")
    for name in ("hidden_units", "image_shape"):
        if isinstance(params.get(name), list):
            params[name] = tuple(params[name])
    if "optimizer" in params:
        params["optimizer"] = _optimizer(params["optimizer"], path)
    if params.get("pos_label") is not None:
        params["pos_label"] = _decode_labels(params["pos_label"], path)[0]
    params["device"] = device
    estimator = cls(**params)
    estimator._validate_params()
    classes = _decode_labels(meta.get("classes"), path)
    index = meta.get("pos_label_index")
    shape = meta.get("input_shape")
    if len(classes) != 2 or index not in (0, 1):
        raise ValueError(f"{path}: the saved classes are not two labels.")
    if not (isinstance(shape, list) and len(shape) in (1, 3) and all(_is_count(s) for s in shape)):
        raise ValueError(f"{path}: the saved input shape {shape!r} is not valid.")
    if len(shape) == 3:
        try:
            check_inputs(np.zeros((1, *shape), np.float32), data_format="channels_first")
        except ValueError as err:
            raise ValueError(
                f"{path}: the saved input shape {shape!r} is not valid: {err}"
            ) from err
    estimator.classes_ = classes
    estimator.pos_label_ = classes[index]
    estimator.input_shape_ = tuple(shape)
    estimator.n_features_in_ = int(np.prod(shape))
    fitted = meta.get("fitted", {})
    try:
        estimator._restore_values(fitted if isinstance(fitted, dict) else {})
    except ValueError as err:
        raise ValueError(f"{path}: {err}") from err
    estimator.net_ = estimator._build_net(0)
    estimator.net_.initialize()
    if isinstance(meta.get("history"), list):
        estimator.net_.history = History(meta["history"])
    return estimator


def _plain_params(estimator):
    params = {}
    for name, value in estimator.get_params(deep=False).items():
        if name in _NOT_SAVED:
            continue
        if name == "optimizer":
            if getattr(torch.optim, getattr(value, "__name__", ""), None) is value:
                params[name] = value.__name__
            continue
        if name == "pos_label":
            params[name] = None if value is None else _encode_labels([value])
            continue
        if name == "net_params" and value:
            value = {k: v for k, v in value.items() if _is_json(v)}
        if name == "random_state" and not (value is None or isinstance(value, int)):
            value = None
        if isinstance(value, tuple):
            value = list(value)
        if _is_json(value):
            params[name] = value
    return params


def _optimizer(name, path):
    optimizer = getattr(torch.optim, name, None) if isinstance(name, str) else None
    if not (isinstance(optimizer, type) and issubclass(optimizer, torch.optim.Optimizer)):
        raise ValueError(f"{path} names an unknown optimizer {name!r}.")
    return optimizer


def _encode_labels(labels):
    labels = np.asarray(labels)
    if labels.dtype.kind == "O" and all(isinstance(v, str | int | float | bool) for v in labels):
        return {"dtype": "object", "values": labels.tolist()}
    if labels.dtype.kind not in _LABEL_KINDS:
        raise TypeError(
            f"Labels of dtype {labels.dtype} cannot be saved; use numbers or strings as labels."
        )
    return {"dtype": labels.dtype.str, "values": labels.tolist()}


def _decode_labels(encoded, path):
    try:
        dtype = np.dtype(encoded["dtype"])
        values = encoded["values"]
        if dtype.kind not in _LABEL_KINDS + "O" or not isinstance(values, list):
            raise ValueError(dtype)
        if not all(isinstance(v, str | int | float | bool) for v in values):
            raise ValueError(values)
        return np.array(values, dtype=dtype)
    except (KeyError, TypeError, ValueError) as err:
        raise ValueError(f"{path}: the saved labels are not valid.") from err


def _is_count(value):
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _is_json(value):
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        return False
    return True


def _plain(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return None
