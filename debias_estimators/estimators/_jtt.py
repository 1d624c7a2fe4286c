"""Just Train Twice (JTT): upweight what a briefly trained CNN gets wrong, then train again.

Liu et al., "Just Train Twice: Improving Group Robustness without Training Group Information",
ICML 2021. An identification CNN trains for ``identification_epochs`` epochs; the training
samples it misclassifies (its error set) get their loss weight multiplied by ``upweight``, and a
fresh CNN trains from scratch on the reweighted data. No group labels are needed.
"""

from numbers import Integral, Real

import numpy as np
import torch
from sklearn.utils._param_validation import Interval

from .._hyperparams import with_plain_params
from .._random import resolve_seed
from ._checkpoint import identification_checkpoint
from ._cnn import CNNClassifier
from ._docs import fill_param_docs
from ._params import NET_CONSTRAINTS, store_init_params

__all__ = ["JTTClassifier", "jtt_sample_weight"]


def jtt_sample_weight(error_set, upweight, sample_weight=None):
    """Return the loss weights of JTT's second training: the error set's weights times lambda.

    Parameters
    ----------
    error_set : array-like of bool, shape (n,)
        True for the training samples the identification model misclassifies.
    upweight : float
        The factor (lambda in the paper).
    sample_weight : array-like of shape (n,), optional
        The user's weights, multiplied in; ones when absent.

    Returns
    -------
    weights : ndarray of shape (n,)
        ``sample_weight * upweight`` on the error set, ``sample_weight`` elsewhere.
    """
    error_set = np.asarray(error_set, dtype=bool)
    base = np.ones(len(error_set)) if sample_weight is None else np.asarray(sample_weight, float)
    return base * np.where(error_set, float(upweight), 1.0)


@fill_param_docs
class JTTClassifier(CNNClassifier):
    """Just Train Twice: the standard CNN retrained with its early errors upweighted.

    :meth:`fit` trains an identification CNN (the same network and settings) for
    ``identification_epochs`` epochs, takes the training samples it misclassifies, and trains a
    fresh CNN from scratch for ``max_epochs`` epochs with those samples' loss weights multiplied
    by ``upweight`` (on top of any ``sample_weight``). Samples of groups rare in the data tend to
    be among the early errors, so they weigh more, without any group label.

    Parameters
    ----------
    identification_epochs : int, default=1
        Epochs of the identification CNN (T in the paper). The paper uses T=1 on CelebA and
        T=60 on Waterbirds.
    upweight : float, default=20.0
        Factor on the error set's loss weights (lambda in the paper; 1 trains the plain CNN
        twice). The paper uses lambda=50 on CelebA and lambda=100 on Waterbirds; on small
        images and few epochs a smaller factor keeps the weighted loss stable.
    %(n_filters)s
    %(hidden_units)s
    %(lr)s
    %(batch_size)s
    max_epochs : int, default=10
        Epochs of the final training.
    %(optimizer)s
    %(pos_label)s
    random_state : None, int or numpy.random.RandomState, default=None
        Seeds both trainings; an int makes ``fit`` repeatable on CPU.
    %(device)s
    %(compile)s
    %(callbacks)s
    %(train_split)s
    %(verbose)s
    %(image_shape)s
    %(data_format)s
    %(net_params)s
    %(checkpoint)s
        The identification CNN's checkpoints go to its ``identification`` folder.
    %(checkpoint_every)s

    Attributes
    ----------
    error_set_ : ndarray of bool, shape (n_samples,)
        True for the training samples the identification CNN misclassified.
    identifier_ : CNNClassifier
        The fitted identification CNN.
    net_ : skorch.NeuralNet
        The final trained skorch net.
    %(fitted_attributes)s
    history_ : skorch.History
        Per-epoch record of the final training.

    See Also
    --------
    CNNClassifier : The same network, trained once.
    DebiasedVAEClassifier : Label-free debiasing by the latent density of a VAE.

    Notes
    -----
    Training costs ``identification_epochs + max_epochs`` epochs. :meth:`partial_fit` trains
    the final network one epoch more with the given ``sample_weight`` only: it identifies no
    errors. There is no ``warm_start``: each :meth:`fit` trains twice from scratch.

    References
    ----------
    .. [1] E. Z. Liu, B. Haghgoo, A. S. Chen, A. Raghunathan, P. W. Koh, S. Sagawa, P. Liang
       and C. Finn, "Just Train Twice: Improving Group Robustness without Training Group
       Information", ICML 2021.
    """

    _parameter_constraints: dict = {
        **{k: v for k, v in NET_CONSTRAINTS.items() if k != "warm_start"},
        "identification_epochs": [Interval(Integral, 1, None, closed="left")],
        "upweight": [Interval(Real, 1, None, closed="left")],
    }

    def __init__(
        self,
        *,
        identification_epochs=1,
        upweight=20.0,
        n_filters=12,
        hidden_units=(64, 64),
        lr=5e-4,
        batch_size=32,
        max_epochs=10,
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

    @with_plain_params
    def fit(self, X, y, sample_weight=None):
        """Train the identification CNN, then a fresh CNN with its errors upweighted.

        Parameters
        ----------
        X : array-like
            Images ``(n, H, W)``, ``(n, H, W, C)`` or ``(n, C, H, W)`` (``uint8`` 0..255 or
            float 0..1), or feature vectors ``(n, n_features)``.
        y : array-like of shape (n,)
            Two class labels of any type.
        sample_weight : array-like of shape (n,), optional
            Per-sample loss weights of both trainings; the final one multiplies the error
            set's by ``upweight``.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        self._validate_params()
        # Every check on the data, before any training.
        self._training_dataset(X, y, sample_weight, reset=True)
        seed = resolve_seed(self.random_state)
        params = self.get_params(deep=False)
        del params["identification_epochs"], params["upweight"], params["checkpoint"]
        identifier = CNNClassifier(
            **{**params, "max_epochs": self.identification_epochs, "random_state": seed},
            checkpoint=identification_checkpoint(self.checkpoint),
        )
        identifier.fit(X, y, sample_weight=sample_weight)
        error_set = identifier.predict(X) != np.asarray(y).reshape(-1)
        weights = jtt_sample_weight(error_set, self.upweight, sample_weight)
        super().fit(X, y, sample_weight=weights)  # leaves self as it was if it raises
        self.identifier_ = identifier
        self.error_set_ = error_set
        return self

    def _saved_state(self):
        # The error set is saved; the identification model is not (prediction does not use it).
        return {}, {"error_set_": torch.as_tensor(self.error_set_)}

    def _restore_tensors(self, tensors):
        self.error_set_ = tensors["error_set_"].cpu().numpy().astype(bool)
