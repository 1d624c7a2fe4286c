"""The standard (biased) CNN classifier, the baseline the DB-VAE is compared with."""

import torch
from sklearn.utils.validation import check_is_fitted

from ..losses import ClassificationLoss
from ..nn import StandardClassifier
from ._base import BaseNetClassifier
from ._docs import fill_param_docs
from ._params import store_init_params
from ._strategy import TrainingStrategy

__all__ = ["CNNClassifier"]


@fill_param_docs
class CNNClassifier(BaseNetClassifier):
    """The standard CNN of the DB-VAE paper: the same encoder, one logit, plain cross-entropy.

    Trains on uniformly shuffled batches, so groups rare in the training data stay rare: the
    biased baseline. For feature vectors (two-dimensional ``X``) an MLP replaces the CNN.

    Parameters
    ----------
    %(n_filters)s
    %(hidden_units)s
    %(lr)s
    %(batch_size)s
    %(max_epochs)s
    %(warm_start)s
    %(optimizer)s
    %(pos_label)s
    %(random_state)s
    %(device)s
    %(compile)s
    %(callbacks)s
    %(train_split)s
    %(verbose)s
    %(image_shape)s
    %(data_format)s
    %(net_params)s
    %(checkpoint)s
    %(checkpoint_every)s

    Attributes
    ----------
    net_ : skorch.NeuralNet
        The trained skorch net; ``net_.module_`` is the torch module.
    %(fitted_attributes)s
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
        checkpoint=None,
        checkpoint_every=1,
    ):
        store_init_params(self, locals())

    def _training_strategy(self):
        return TrainingStrategy(
            StandardClassifier, ClassificationLoss, module_params=self._architecture()
        )

    def _architecture(self):
        """Return the module's parameters: the standard CNN for the fitted input shape."""
        return {
            "module__in_shape": self.input_shape_,
            "module__n_filters": self.n_filters,
            "module__hidden_units": tuple(self.hidden_units),
        }

    @property
    def _n_features_out(self):
        check_is_fitted(self)
        return int(self.net_.module_.encoder.head.in_features)

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
