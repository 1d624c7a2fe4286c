"""What every estimator of the family shares: validation, fitting, prediction.

An estimator stores its hyperparameters; ``fit`` validates the data, builds a
:class:`TrainingNet` (a skorch ``NeuralNet``) and trains it with skorch's own loop. Labels are
mapped to binary targets (1 = ``pos_label``), so any two labels work.
"""

import numpy as np
import torch
from scipy.special import expit
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
)
from sklearn.utils.validation import (
    _assert_all_finite,
    _check_sample_weight,
    check_is_fitted,
    column_or_1d,
)

from .._hyperparams import refuse_bool_numbers, with_plain_params
from .._random import resolve_seed
from ..nn import batch_invariant_inference
from ._checkpoint import CheckpointRun, check_checkpoint, refuse_continuation
from ._data import ArrayDataset, check_fitted_shape, check_inputs, refuse_one_sample
from ._finite_loss import FiniteLoss
from ._labels import check_classes
from ._modes import evaluating
from ._net import TrainingNet
from ._net_params import NetParamsMixin
from ._params import (
    NET_CONSTRAINTS,
    check_callbacks,
    check_device,
    check_hidden_units,
    check_image_shape,
)
from ._rollback import unchanged_on_error

__all__ = ["BaseNetClassifier"]

PREDICT_BATCH_SIZE = 256


class BaseNetClassifier(
    NetParamsMixin,
    ClassNamePrefixFeaturesOutMixin,
    ClassifierMixin,
    TransformerMixin,
    BaseEstimator,
):
    """Base class of the skorch-backed binary classifiers; not meant for direct use."""

    _parameter_constraints: dict = dict(NET_CONSTRAINTS)

    def _training_strategy(self):
        """Return how this method trains, from its parameters and fitted attributes.

        Returns
        -------
        strategy : TrainingStrategy
            The module, criterion, callbacks, loss and state of the method (see ``_strategy.py``).
        """
        raise NotImplementedError

    # -- fitting -------------------------------------------------------------------------------
    @with_plain_params
    def fit(self, X, y, sample_weight=None):
        """Train a new network on ``X`` and ``y``.

        A second call starts afresh, unless ``warm_start`` is true: then a fitted estimator
        trains ``max_epochs`` more epochs from its current weights (the data must have the
        shape and the labels of the first fit; the network is not rebuilt).

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
        return self._fit(X, y, sample_weight)

    def _fit(self, X, y, sample_weight, groups=None):
        # groups: what a method that trains over groups takes from its own fit's signature;
        # they travel with the training data, not on the estimator.
        self._validate_params()
        if getattr(self, "warm_start", False) and self.__sklearn_is_fitted__():
            refuse_continuation(self, "fit with warm_start=True on a fitted estimator")
            dataset, _ = self._training_dataset(X, y, sample_weight, reset=False, groups=groups)
            seed = resolve_seed(self.random_state) + len(self.net_.history)
            with self._unchanged_on_error():
                self._train(dataset, seed, epochs=self.max_epochs)
            return self
        dataset, fitted = self._training_dataset(X, y, sample_weight, reset=True, groups=groups)
        seed = resolve_seed(self.random_state)
        run = CheckpointRun.open(self, dataset, seed)  # refuses another run's checkpoint
        seed = seed if run is None else run.seed
        with self._unchanged_on_error():
            vars(self).update(fitted)
            self.net_ = self._build_net(seed)
            if run is None:
                self._train(dataset, seed, epochs=None)
            else:
                self.net_.callbacks.append(("epoch_checkpoint", run.callback))
                self._train(dataset, seed, epochs=None, resume=run)
        if run is not None:
            run.finish()
        return self

    @with_plain_params
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
        return self._partial_fit(X, y, classes, sample_weight)

    def _partial_fit(self, X, y, classes, sample_weight, groups=None):
        first_call = not hasattr(self, "net_")
        self._validate_params()
        refuse_continuation(self, "partial_fit")
        dataset, fitted = self._training_dataset(
            X, y, sample_weight, reset=first_call, classes=classes, groups=groups
        )
        seed = resolve_seed(self.random_state)
        with self._unchanged_on_error():
            if first_call:
                vars(self).update(fitted)
                self.net_ = self._build_net(seed)
                self.net_.initialize()
            self._train(dataset, seed + len(self.net_.history), epochs=1)
        return self

    def _validate_params(self):
        super()._validate_params()
        refuse_bool_numbers(self)
        self._check_net_params(self.net_params or {})
        check_device(self.device)
        check_hidden_units(self.hidden_units)
        check_image_shape(self.image_shape)
        check_callbacks(self.callbacks)
        check_checkpoint(self)

    def _unchanged_on_error(self):
        """Leave the estimator as it was if the training call fails (see ``_rollback``)."""
        return unchanged_on_error(self)

    def _train(self, dataset, seed, epochs, resume=None):
        devices = [torch.device(self.device)] if _is_cuda(self.device) else []
        with torch.random.fork_rng(devices=devices):
            torch.manual_seed(seed)
            dataset = self.net_.strategy.prepare(dataset)  # what the method's batches carry
            if resume is not None:  # a checkpointed fit: on from its checkpoint, if any
                epochs = resume.start(self.net_)
            if epochs is None:
                self.net_.fit(dataset, dataset.y)  # y only steers a stratified split
            elif epochs:
                self.net_.partial_fit(dataset, dataset.y, epochs=epochs)
        self.net_.check_finished()  # skorch ends an interrupted fit quietly: propagate
        # Left ready to predict, so that a prediction need not switch every layer's mode (a
        # tenth of a millisecond); skorch switches back to training at each training step.
        self.net_.module_.eval()
        self._after_training()

    def _after_training(self):
        """Record what the method learned beside the weights (a method may add attributes)."""

    def _build_net(self, seed):
        strategy = self._training_strategy()
        return self._make_net(
            strategy.module,
            criterion=strategy.criterion,
            optimizer=self.optimizer,
            lr=self.lr,
            max_epochs=self.max_epochs,
            batch_size=self.batch_size,
            train_split=self.train_split,
            callbacks=[
                ("finite_loss", FiniteLoss()),
                *strategy.callbacks,
                *(self.callbacks or []),
            ],
            verbose=self.verbose,
            device=self.device,
            compile=self.compile,
            seed=seed,
            strategy=strategy,
            **strategy.module_params,
            **strategy.net_params,
            **(self.net_params or {}),
        )

    def _make_net(self, module, **params):
        """Build the skorch net from its parameters; a subclass may change the net's class."""
        return TrainingNet(module, **params)

    # -- validation ----------------------------------------------------------------------------
    def _training_dataset(self, X, y, sample_weight, *, reset, classes=None, groups=None):
        """Check the training data; return the dataset and, if ``reset``, the new attributes.

        Nothing is assigned here, so that a fit that raises leaves the estimator unchanged.
        ``groups`` are for a method that trains over groups to put into the dataset.
        """
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None."
            )
        data = self._check_X(X, reset=reset)
        y = column_or_1d(y, warn=True)
        if y.dtype.kind in "fc":
            _assert_all_finite(y, input_name="y")
        if len(y) != len(data):
            raise ValueError(f"X has {len(data)} samples but y has {len(y)} labels.")
        fitted = {}
        if reset:
            fitted["classes_"], fitted["pos_label_"] = check_classes(y, classes, self.pos_label)
            fitted["input_shape_"] = tuple(data.shape[1:])
            fitted["n_features_in_"] = int(np.prod(fitted["input_shape_"]))
        elif not np.isin(y, self.classes_).all():
            unseen = np.setdiff1d(np.unique(y), self.classes_)
            raise ValueError(f"y holds labels {unseen.tolist()} not among classes_.")
        pos_label = fitted.get("pos_label_", getattr(self, "pos_label_", None))
        binary = (y == pos_label).astype(np.float32)
        weights = _check_sample_weight(
            sample_weight, data, dtype=np.float32, ensure_non_negative=True
        )
        total = weights.sum(dtype=np.float64)
        if total <= 0:
            raise ValueError("sample_weight sums to zero: no sample would be trained on.")
        weights = (weights * (len(weights) / total)).astype(np.float32)
        return ArrayDataset(data, binary, weights), fitted

    def _check_X(self, X, *, reset):
        if not reset:
            refuse_one_sample(X, self.input_shape_)
        data = check_inputs(X, image_shape=self.image_shape, data_format=self.data_format)
        if not reset:
            check_fitted_shape(data, self.input_shape_, type(self).__name__)
        return data

    # -- prediction ----------------------------------------------------------------------------
    def _batched(self, X, fn, *, pad=False):
        """Apply ``fn(module, x)`` to batches of ``X`` in eval mode, without gradients.

        A sample's output does not depend on the batch it comes in (scikit-learn checks it). On
        the CPU the module's layers see to it at any batch size (see ``nn._invariant``); on
        another device, in a compiled module or with ``pad`` (for layers those do not cover,
        transposed convolutions) every batch is padded to ``PREDICT_BATCH_SIZE`` rows instead.
        """
        check_is_fitted(self)
        data = self._check_X(X, reset=False)
        dataset = ArrayDataset(data)
        module = self.net_.module_
        device = _module_device(module)  # where the net lives, e.g. the CPU after unpickling
        pad = pad or bool(getattr(self.net_, "compile", False))
        pad = pad or not batch_invariant_inference(device)
        out = []
        with evaluating(module):
            for start in range(0, len(dataset), PREDICT_BATCH_SIZE):
                rows = np.arange(start, min(start + PREDICT_BATCH_SIZE, len(dataset)))
                x = dataset[rows][0]
                x = _padded(x) if pad else x
                out.append(fn(module, x.to(device))[: len(rows)])
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

    # -- persistence (see debias_estimators.persistence) ---------------------------------------
    def _saved_state(self):
        """Fitted state beyond the network's weights: ``(json_values, tensors)``."""
        return {}, {}

    def _restore_values(self, values):
        """Set the JSON part of :meth:`_saved_state` before the network is rebuilt."""

    def _restore_tensors(self, tensors):
        """Set the tensor part of :meth:`_saved_state` after the weights are loaded."""

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


def _module_device(module):
    parameter = next(module.parameters(), None)
    return torch.device("cpu") if parameter is None else parameter.device


def _is_cuda(device):
    return str(device).startswith("cuda")
