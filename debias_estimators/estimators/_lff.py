"""Learning from Failure (Nam et al., NeurIPS 2020): a biased and a debiased network together.

The biased network learns with the generalized cross-entropy, which amplifies the easiest cue
(the bias); the debiased network weights each sample by its relative difficulty
``CE_b / (CE_b + CE_d)``, computed from moving averages of each training sample's losses, so
that the samples the biased network fails on (those that contradict the bias) weigh most. No
group labels are needed. Predictions come from the debiased network.
"""

from numbers import Real

import torch
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted
from torch import nn

from ..losses import ClassificationLoss, generalized_cross_entropy, relative_difficulty
from ..nn import StandardClassifier
from ._base import BaseNetClassifier
from ._docs import fill_param_docs
from ._params import NET_CONSTRAINTS, store_init_params
from ._strategy import TrainingStrategy

__all__ = ["LfFClassifier"]


class _TwoNetworks(nn.Module):
    """The biased and the debiased classifier, side by side; ``forward`` returns both logits."""

    def __init__(self, in_shape, n_filters=12, hidden_units=(64, 64)):
        super().__init__()
        self.biased = StandardClassifier(in_shape, n_filters, hidden_units)
        self.debiased = StandardClassifier(in_shape, n_filters, hidden_units)

    def forward(self, x):
        return self.debiased(x), self.biased(x)


class _LfFStrategy(TrainingStrategy):
    """LfF's training: both networks at every step, the debiased one weighted by difficulty.

    ``loss_ema`` holds each training sample's moving averages of the two networks'
    cross-entropies (rows: biased, debiased) and whether the sample has been seen; it is
    (re)allocated when a training set of another size comes. The criterion is the
    cross-entropy of both networks; ``q`` and ``ema`` are LfF's two settings.
    """

    def __init__(self, *, module_params, q=0.7, ema=0.7):
        super().__init__(_TwoNetworks, ClassificationLoss, module_params=module_params)
        self.q = q
        self.ema = ema
        self.loss_ema = None

    def start_training(self, net, dataset):
        """Allocate the moving averages for a training set of a new size."""
        n_samples = len(_root(dataset))
        if self.loss_ema is None or self.loss_ema["loss"].shape[1] != n_samples:
            self.loss_ema = {
                "loss": torch.zeros((2, n_samples), device=net.device),
                "seen": torch.zeros(n_samples, dtype=torch.bool, device=net.device),
            }

    def state(self):
        """Return the moving averages of the training samples' losses, once allocated.

        Returns
        -------
        state : dict
            ``{"loss": ..., "seen": ...}`` (see the class), or empty before training.
        """
        return dict(self.loss_ema or {})

    def load_state(self, state, device):
        """Set the moving averages :meth:`state` returned.

        Parameters
        ----------
        state : dict
            As :meth:`state` returned it.
        device : str or torch.device
            Where the net trains.
        """
        names = ("loss", "seen")
        self.loss_ema = {name: state[name].to(device) for name in names} if state else None

    def loss(self, net, y_pred, meta, X, training):
        """GCE of the biased network plus the debiased one's CE weighted by relative difficulty."""
        logit_d, logit_b = y_pred
        y, w = meta["y"], meta["w"]
        gce_b = generalized_cross_entropy(logit_b, y, q=self.q)
        ce_d = net.criterion_(logit_d, y, X)
        if not training:
            return ((gce_b + ce_d) * w).mean()
        ce_b = net.criterion_(logit_b, y, X).detach()
        weight = self.relative_difficulty(meta["index"], ce_b, ce_d.detach())
        return (gce_b * w).mean() + (ce_d * weight * w).mean()

    def relative_difficulty(self, index, ce_b, ce_d):
        """Update the samples' moving averages and return ``CE_b / (CE_b + CE_d)`` of them."""
        # The moving average starts at a sample's first loss, as in the authors' code.
        state, decay = self.loss_ema, self.ema
        index = index.to(state["seen"].device)
        current = torch.stack([ce_b, ce_d]).to(state["loss"].dtype)
        previous = state["loss"][:, index]
        seen = state["seen"][index]
        updated = torch.where(seen, decay * previous + (1.0 - decay) * current, current)
        state["loss"][:, index] = updated
        state["seen"][index] = True
        return relative_difficulty(updated[0], updated[1]).to(ce_d.device)


def _root(dataset):
    """Return the dataset whose indices the batches carry (unwrapping a validation Subset)."""
    while isinstance(dataset, torch.utils.data.Subset):
        dataset = dataset.dataset
    return dataset


@fill_param_docs
class LfFClassifier(BaseNetClassifier):
    """Learning from Failure: a debiased CNN trained beside an intentionally biased one.

    Two networks of the standard CNN's architecture train simultaneously on the same batches
    (Nam et al., NeurIPS 2020). The biased one minimises the generalized cross-entropy
    (:func:`~debias_estimators.losses.generalized_cross_entropy`), which makes it learn the
    easiest cue (the bias) first; the debiased one minimises the cross-entropy of each sample
    weighted by its relative difficulty ``CE_b / (CE_b + CE_d)``
    (:func:`~debias_estimators.losses.relative_difficulty`), from exponential moving averages
    of the sample's two losses. Samples the biased network fails on, those that contradict the
    bias, so weigh most. No group labels are needed. Predictions, scores and features come from
    the debiased network. Training costs about twice the CNN's.

    Parameters
    ----------
    q : float, default=0.7
        Exponent of the biased network's generalized cross-entropy, in ``(0, 1]``; larger
        values make it focus more on easy samples.
    ema : float, default=0.7
        Decay of the per-sample moving averages of the losses, in ``[0, 1)``; 0 uses the
        current batch's losses alone.
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
        The trained skorch net; ``net_.module_.debiased`` and ``net_.module_.biased`` are the
        two torch modules, ``net_.strategy.loss_ema["loss"]`` the moving averages of the training
        samples' losses (rows: biased, debiased).
    %(fitted_attributes)s
    history_ : skorch.History
        Per-epoch training record.

    References
    ----------
    J. Nam, H. Cha, S. Ahn, J. Lee and J. Shin, "Learning from Failure: Training Debiased
    Classifier from Biased Classifier", NeurIPS 2020.
    """

    _parameter_constraints: dict = {
        **NET_CONSTRAINTS,
        "q": [Interval(Real, 0, 1, closed="right")],
        "ema": [Interval(Real, 0, 1, closed="left")],
    }

    def __init__(
        self,
        *,
        q=0.7,
        ema=0.7,
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
        architecture = {
            "module__in_shape": self.input_shape_,
            "module__n_filters": self.n_filters,
            "module__hidden_units": tuple(self.hidden_units),
        }
        return _LfFStrategy(module_params=architecture, q=float(self.q), ema=float(self.ema))

    @property
    def _n_features_out(self):
        check_is_fitted(self)
        return int(self.net_.module_.debiased.encoder.head.in_features)

    @staticmethod
    def _logit(module, x):
        return module.debiased(x)

    def transform(self, X):
        """Penultimate features of the debiased network.

        Parameters
        ----------
        X : array-like
            Samples as in :meth:`fit`.

        Returns
        -------
        features : ndarray of shape (n, 512)
            The hidden layer before the logit (the last hidden layer for feature vectors).
        """
        return self._batched(X, lambda module, x: module.debiased.embed(x))
