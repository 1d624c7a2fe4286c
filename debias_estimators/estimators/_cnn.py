"""The standard (biased) CNN classifier, the baseline the DB-VAE is compared with."""

import torch
from sklearn.utils.validation import check_is_fitted

from ..losses import ClassificationLoss
from ..nn import StandardClassifier
from ._base import BaseNetClassifier

__all__ = ["CNNClassifier"]


class CNNClassifier(BaseNetClassifier):
    """The standard CNN of the DB-VAE paper: the same encoder, one logit, plain cross-entropy.

    Trains on uniformly shuffled batches, so groups rare in the training data stay rare: the
    biased baseline. For feature vectors (two-dimensional ``X``) an MLP replaces the CNN.

    Parameters
    ----------
    n_filters : int, default=12
        Channels of the first convolutional block; later blocks have 2, 4 and 6 times as many.
    hidden_units : tuple of int, default=(64, 64)
        Hidden layer widths for feature vectors.
    lr : float, default=5e-4
        Learning rate.
    batch_size : int, default=32
        Training batch size.
    max_epochs : int, default=10
        Epochs of :meth:`fit`.
    warm_start : bool, default=False
        Let :meth:`fit` on a fitted estimator continue from the current weights for
        ``max_epochs`` more epochs, instead of starting afresh.
    optimizer : type, default=torch.optim.Adam
        A torch optimizer class.
    pos_label : label, optional
        The positive class (faces); ``None`` means ``classes_[1]``, i.e. 1 for 0/1 labels.
    random_state : None, int or numpy.random.RandomState, default=None
        Seeds weight initialisation and batch order; an int makes ``fit`` repeatable on CPU.
    device : str, default="cpu"
        Torch device, e.g. ``"cuda"``.
    compile : bool, default=False
        Compile the module with ``torch.compile`` (through skorch): slower first epoch, faster
        later ones.
    callbacks : list of skorch callbacks, optional
        Added to the net's callbacks.
    train_split : callable, optional
        skorch's validation split, e.g. ``skorch.dataset.ValidSplit(5)``; none by default.
    verbose : int, default=0
        skorch's verbosity: 1 prints a line per epoch.
    image_shape : tuple of int, optional
        ``(H, W)`` or ``(H, W, C)``: read the rows of two-dimensional ``X`` as images.
    data_format : {"auto", "channels_last", "channels_first"}, default="auto"
        Layout of four-dimensional ``X``; see :mod:`debias_estimators._images`.
    net_params : dict, optional
        Further skorch parameters, e.g. ``{"optimizer__weight_decay": 1e-4}``. Such
        parameters can also be set one by one, as in skorch: ``set_params(optimizer__weight_decay
        =1e-4)`` (prefixes ``module``, ``criterion``, ``optimizer``, ``iterator_train``,
        ``iterator_valid``, ``callbacks``), which ``GridSearchCV`` grids can search.

    Attributes
    ----------
    net_ : skorch.NeuralNet
        The trained skorch net; ``net_.module_`` is the torch module.
    classes_ : ndarray of shape (2,)
        The two labels.
    pos_label_ : label
        The positive class.
    input_shape_ : tuple of int
        Shape of one sample as the module sees it, ``(C, H, W)`` or ``(n_features,)``.
    n_features_in_ : int
        Number of values per sample.
    history_ : skorch.History
        Per-epoch training record.
    """

    def __init__(
        self,
        *,
        n_filters=12,
        hidden_units=(64, 64),
        lr=5e-4,
        batch_size=32,
        max_epochs=10,
        warm_start=False,
        optimizer=torch.optim.Adam,
        pos_label=None,
        random_state=None,
        device="cpu",
        compile=False,
        callbacks=None,
        train_split=None,
        verbose=0,
        image_shape=None,
        data_format="auto",
        net_params=None,
    ):
        self.n_filters = n_filters
        self.hidden_units = hidden_units
        self.lr = lr
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.warm_start = warm_start
        self.optimizer = optimizer
        self.pos_label = pos_label
        self.random_state = random_state
        self.device = device
        self.compile = compile
        self.callbacks = callbacks
        self.train_split = train_split
        self.verbose = verbose
        self.image_shape = image_shape
        self.data_format = data_format
        self.net_params = net_params

    def _module_class(self):
        return StandardClassifier

    def _module_params(self):
        return {
            "module__in_shape": self.input_shape_,
            "module__n_filters": self.n_filters,
            "module__hidden_units": tuple(self.hidden_units),
        }

    @property
    def _n_features_out(self):
        check_is_fitted(self)
        return int(self.net_.module_.encoder.head.in_features)

    def _criterion(self):
        return ClassificationLoss

    @staticmethod
    def _logit(module, x):
        return module(x)

    def transform(self, X):
        """Penultimate features of the network.

        Parameters
        ----------
        X : array-like
            Samples as in :meth:`fit`.

        Returns
        -------
        features : ndarray of shape (n, 512)
            The hidden layer before the logit (the last hidden layer for feature vectors).
        """
        return self._batched(X, lambda module, x: module.embed(x))
