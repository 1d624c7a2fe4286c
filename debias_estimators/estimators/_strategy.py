"""How a method trains, as one object the shared net calls (a strategy per method).

The shared :class:`TrainingNet` knows no method by name. Each estimator builds a
:class:`TrainingStrategy` from its parameters (``_training_strategy()``), as a fairlearn
reduction takes a ``Moment``: the module and its criterion, the callbacks that act between
epochs (the DB-VAE's resampling), what the batches carry, the loss of a batch, and the state
the method keeps beside the weights, which rollback, checkpoints and ``save_model`` save. The
plain one is weighted empirical risk (the CNN's and JTT's); group DRO's and LfF's live in their
methods' modules; the DB-VAE's is the plain one with its resampling callback.
"""

from skorch.utils import to_tensor

__all__ = ["TrainingStrategy"]


class TrainingStrategy:
    """Weighted empirical risk: the mean of the criterion's per-sample losses times the weights.

    Parameters
    ----------
    module : type
        The torch module's class.
    criterion : type
        The criterion's class; it returns per-sample losses.
    module_params : dict, optional
        Parameters of the module and the criterion (``module__*``, ``criterion__*``).
    callbacks : list of tuple, optional
        ``(name, callback)`` pairs that act between epochs, e.g. a resampling callback.
    net_params : dict, optional
        Further parameters of the skorch net (e.g. ``optimizer__weight_decay``).
    decode_positives_only : bool, default=False
        Batches carry ``{"x": x, "decode_mask": y > 0.5}``, which the module takes as keyword
        arguments (the DB-VAE decodes only the faces).
    """

    def __init__(
        self,
        module,
        criterion,
        *,
        module_params=None,
        callbacks=None,
        net_params=None,
        decode_positives_only=False,
    ):
        self.module = module
        self.criterion = criterion
        self.module_params = dict(module_params or {})
        self.callbacks = list(callbacks or [])
        self.net_params = dict(net_params or {})
        self.decode_positives_only = decode_positives_only

    def prepare(self, dataset):
        """Set what the training batches carry; return the dataset.

        Parameters
        ----------
        dataset : ArrayDataset
            The training data.

        Returns
        -------
        dataset : ArrayDataset
            The same dataset.
        """
        dataset.with_decode_mask = self.decode_positives_only
        return dataset

    def initialize(self):
        """Set the method's state to its start; the net calls it when skorch initialises it."""

    def start_training(self, net, dataset):
        """Act when a fit or partial_fit starts drawing training batches.

        A method may allocate its state here; what changes between epochs is the business of
        callbacks (the DB-VAE's resampling), which skorch calls at every epoch.

        Parameters
        ----------
        net : TrainingNet
            The net that trains.
        dataset : torch.utils.data.Dataset
            The training data.
        """

    def loss(self, net, y_pred, meta, X, training):
        """Return the mean of the criterion's per-sample losses times the samples' weights.

        Parameters
        ----------
        net : TrainingNet
            The net, whose ``criterion_`` gives per-sample losses.
        y_pred : torch.Tensor or tuple
            The module's output.
        meta : dict of str to torch.Tensor
            The batch's ``"y"``, ``"w"``, ``"index"`` (and ``"group"`` where there are groups).
        X : torch.Tensor or dict
            The batch's input.
        training : bool
            Whether this is a training step (a method may update its state then).

        Returns
        -------
        loss : torch.Tensor
            A scalar.
        """
        return self.weighted_losses(net, y_pred, meta, X).mean()

    @staticmethod
    def weighted_losses(net, y_pred, meta, X):
        """Return the criterion's per-sample losses times the samples' weights.

        Parameters
        ----------
        net, y_pred, meta, X
            As for :meth:`loss`.

        Returns
        -------
        losses : torch.Tensor of shape (batch,)
            One weighted loss per sample (group DRO sums them per group).
        """
        X = to_tensor(X, device=net.device)
        return net.criterion_(y_pred, meta["y"], X) * meta["w"]

    def state(self):
        """Return the method's state beside the weights, which training updates.

        Returns
        -------
        state : dict of str to torch.Tensor
            Empty for weighted risk.
        """
        return {}

    def load_state(self, state, device):
        """Set the state :meth:`state` returned.

        Parameters
        ----------
        state : dict of str to torch.Tensor
            As :meth:`state` returned it.
        device : str or torch.device
            Where the net trains.
        """
