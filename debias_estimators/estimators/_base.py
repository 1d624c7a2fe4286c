"""What the DB-VAE and the standard CNN share: validation, fitting, prediction.

An estimator stores its hyperparameters; ``fit`` validates the data, builds a
:class:`TrainingNet` (a skorch ``NeuralNet``) and trains it with skorch's own loop. Labels are
mapped to binary targets (1 = ``pos_label``), so any two labels work.
"""

import numbers

import numpy as np
import torch
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import (
    _assert_all_finite,
    _check_sample_weight,
    check_is_fitted,
    column_or_1d,
)

from ..nn import batch_invariant_inference
from ._data import ArrayDataset, check_inputs
from ._net import TrainingNet

__all__ = ["BaseNetClassifier"]

PREDICT_BATCH_SIZE = 256


class BaseNetClassifier(ClassifierMixin, TransformerMixin, BaseEstimator):
    """Base class of the skorch-backed binary classifiers; not meant for direct use."""

    def _module_class(self):
        raise NotImplementedError

    def _module_params(self):
        raise NotImplementedError

    def _criterion(self):
        raise NotImplementedError

    def _training_callbacks(self):
        return []

    def _weighted_sampling(self):
        return False

    def _decode_positives_only(self):
        return False

    # -- fitting -------------------------------------------------------------------------------
    def fit(self, X, y, sample_weight=None):
        """Train a new network on ``X`` and ``y``; a second call starts afresh.

        Parameters
        ----------
        X : array-like
            Images ``(n, H, W)``, ``(n, H, W, C)`` or ``(n, C, H, W)`` (``uint8`` 0..255 or
            float 0..1), or feature vectors ``(n, n_features)``.
        y : array-like of shape (n,)
            Two class labels of any type.
        sample_weight : array-like of shape (n,), optional
            Per-sample loss weights, rescaled to average 1.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        dataset = self._training_dataset(X, y, sample_weight, reset=True)
        self._check_params()
        seed = _resolve_seed(self.random_state)
        self.net_ = self._build_net(seed)
        self._train(dataset, seed, epochs=None)
        return self

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Train for one more epoch, continuing from the current weights.

        Parameters
        ----------
        X : array-like
            As in :meth:`fit`, of the shape seen by the first call.
        y : array-like of shape (n,)
            Labels among ``classes``.
        classes : array-like of shape (2,), optional
            All labels; required on the first call if ``y`` may lack one of them.
        sample_weight : array-like of shape (n,), optional
            Per-sample loss weights.

        Returns
        -------
        self : object
            The estimator, trained one epoch more.
        """
        first_call = not hasattr(self, "net_")
        if first_call:
            self._check_params()
        dataset = self._training_dataset(X, y, sample_weight, reset=first_call, classes=classes)
        seed = _resolve_seed(self.random_state)
        if first_call:
            self.net_ = self._build_net(seed)
            self.net_.initialize()
        self._train(dataset, seed + len(self.net_.history), epochs=1)
        return self

    def _train(self, dataset, seed, epochs):
        devices = [torch.device(self.device)] if _is_cuda(self.device) else []
        with torch.random.fork_rng(devices=devices):
            torch.manual_seed(seed)
            if epochs is None:
                self.net_.fit(dataset, dataset.y)  # y only steers a stratified split
            else:
                self.net_.partial_fit(dataset, dataset.y, epochs=epochs)
        # Left ready to predict, so that a prediction need not switch every layer's mode (a
        # tenth of a millisecond); skorch switches back to training at each training step.
        self.net_.module_.eval()

    def _build_net(self, seed):
        return self._make_net(
            self._module_class(),
            criterion=self._criterion(),
            optimizer=self.optimizer,
            lr=self.lr,
            max_epochs=self.max_epochs,
            batch_size=self.batch_size,
            train_split=self.train_split,
            callbacks=[*self._training_callbacks(), *(self.callbacks or [])],
            verbose=self.verbose,
            device=self.device,
            compile=self.compile,
            seed=seed,
            weighted_sampling=self._weighted_sampling(),
            **self._module_params(),
            **(self.net_params or {}),
        )

    def _make_net(self, module, **params):
        """Build the skorch net from its parameters; a subclass may change the net's class."""
        return TrainingNet(module, **params)

    # -- validation ----------------------------------------------------------------------------
    def _training_dataset(self, X, y, sample_weight, *, reset, classes=None):
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None."
            )
        data = self._validate_X(X, reset=reset)
        y = column_or_1d(y, warn=True)
        if y.dtype.kind in "fc":
            _assert_all_finite(y, input_name="y")
        if len(y) != len(data):
            raise ValueError(f"X has {len(data)} samples but y has {len(y)} labels.")
        if reset:
            self._set_classes(y, classes)
        elif not np.isin(y, self.classes_).all():
            unseen = np.setdiff1d(np.unique(y), self.classes_)
            raise ValueError(f"y holds labels {unseen.tolist()} not among classes_.")
        binary = (y == self.pos_label_).astype(np.float32)
        weights = _check_sample_weight(
            sample_weight, data, dtype=np.float32, ensure_non_negative=True
        )
        if weights.sum() <= 0:
            raise ValueError("sample_weight sums to zero: no sample would be trained on.")
        weights = weights * (len(weights) / weights.sum())
        return ArrayDataset(data, binary, weights, with_decode_mask=self._decode_positives_only())

    def _set_classes(self, y, classes):
        if type_of_target(y) == "continuous":
            raise ValueError(
                "Unknown label type: y holds continuous values; a classifier needs class labels."
            )
        labels = np.unique(y if classes is None else np.asarray(classes))
        if classes is None and len(labels) < 2:
            raise ValueError(
                f"y contains one class only ({labels.tolist()}); a classifier needs two classes."
            )
        if len(labels) != 2:
            raise ValueError(
                f"Only binary classification is supported; y holds {len(labels)} classes: "
                f"{labels.tolist()[:10]}."
            )
        pos_label = labels[1] if self.pos_label is None else self.pos_label
        if pos_label not in labels:
            raise ValueError(
                f"pos_label={pos_label!r} is not among the labels {labels.tolist()}; no sample of "
                f"the positive class to learn from."
            )
        self.classes_ = labels
        self.pos_label_ = pos_label
        if classes is None and not (y == pos_label).any():
            raise ValueError(f"y holds no sample of pos_label={pos_label!r}.")

    def _validate_X(self, X, *, reset):
        data = check_inputs(X, image_shape=self.image_shape, data_format=self.data_format)
        if reset:
            self.input_shape_ = tuple(data.shape[1:])
            self.n_features_in_ = int(np.prod(self.input_shape_))
        elif tuple(data.shape[1:]) != self.input_shape_:
            raise ValueError(
                f"X has samples of shape {tuple(data.shape[1:])} (channels first), but the "
                f"estimator was fitted on {self.input_shape_}; X has "
                f"{int(np.prod(data.shape[1:]))} features, but {type(self).__name__} is "
                f"expecting {self.n_features_in_} features as input."
            )
        return data

    def _check_params(self):
        for name in ("max_epochs", "batch_size", "n_filters"):
            value = getattr(self, name)
            if not isinstance(value, numbers.Integral) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}.")
        if not isinstance(self.lr, numbers.Real) or not self.lr > 0:
            raise ValueError(f"lr must be a positive number, got {self.lr!r}.")

    # -- prediction ----------------------------------------------------------------------------
    def _batched(self, X, fn, *, pad=False):
        """Apply ``fn(module, x)`` to batches of ``X`` in eval mode, without gradients.

        A sample's output does not depend on the batch it comes in (scikit-learn checks it). On
        the CPU the module's layers see to it at any batch size (see ``nn._invariant``); on
        another device, in a compiled module or with ``pad`` (for layers those do not cover,
        transposed convolutions) every batch is padded to ``PREDICT_BATCH_SIZE`` rows instead.
        """
        check_is_fitted(self)
        data = self._validate_X(X, reset=False)
        dataset = ArrayDataset(data)
        module = self.net_.module_
        pad = pad or bool(getattr(self.net_, "compile", False))
        pad = pad or not batch_invariant_inference(self.device)
        was_training = module.training
        if was_training:
            module.eval()
        out = []
        try:
            with torch.no_grad():
                for start in range(0, len(dataset), PREDICT_BATCH_SIZE):
                    rows = np.arange(start, min(start + PREDICT_BATCH_SIZE, len(dataset)))
                    x = dataset[rows][0]
                    x = _padded(x) if pad else x
                    out.append(fn(module, x.to(self.device))[: len(rows)])
        finally:
            if was_training:
                module.train()
        return torch.cat(out).cpu().numpy().astype(np.float64)

    def _positive_logit(self, X):
        return self._batched(X, self._logit)

    def decision_function(self, X):
        """Confidence scores: positive values favour ``classes_[1]``.

        Parameters
        ----------
        X : array-like
            Samples as in :meth:`fit`.

        Returns
        -------
        scores : ndarray of shape (n,)
            The logit of ``classes_[1]``.
        """
        logit = self._positive_logit(X)
        return logit if self.pos_label_ == self.classes_[1] else -logit

    def predict_proba(self, X):
        """Class probabilities, columns in the order of ``classes_``.

        Parameters
        ----------
        X : array-like
            Samples as in :meth:`fit`.

        Returns
        -------
        proba : ndarray of shape (n, 2)
            Rows sum to 1.
        """
        p1 = expit(self.decision_function(X))
        return np.column_stack([1.0 - p1, p1])

    def predict(self, X):
        """Predicted class labels.

        Parameters
        ----------
        X : array-like
            Samples as in :meth:`fit`.

        Returns
        -------
        y_pred : ndarray of shape (n,)
            Labels from ``classes_``.
        """
        scores = self.decision_function(X)
        return self.classes_[(scores > 0).astype(int)]

    @property
    def history_(self):
        """The skorch training history: one dict per epoch (losses, timings, resampling)."""
        check_is_fitted(self)
        return self.net_.history

    def __sklearn_is_fitted__(self):
        return hasattr(self, "net_") and getattr(self.net_, "initialized_", False)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        tags.input_tags.three_d_array = True
        tags.non_deterministic = False
        return tags


def _padded(x):
    # Every batch has the same size, so the kernels (and their float32 rounding) do not depend on
    # how many other samples are predicted along: a sample gets the same output in any subset.
    # (Only where the module's own layers cannot promise it; see BaseNetClassifier._batched.)
    missing = PREDICT_BATCH_SIZE - len(x)
    if missing <= 0:
        return x
    return torch.cat([x, x.new_zeros((missing, *x.shape[1:]))])


def _resolve_seed(random_state):
    if isinstance(random_state, numbers.Integral):
        return int(random_state)
    return int(check_random_state(random_state).randint(0, 2**31 - 1))


def _is_cuda(device):
    return str(device).startswith("cuda")
