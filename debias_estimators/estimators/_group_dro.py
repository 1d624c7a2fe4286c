"""Group DRO: minimise the loss of the worst group, known from group labels.

Sagawa et al., "Distributionally Robust Neural Networks for Group Shifts", ICLR 2020. Each group
``g`` has a weight ``q_g``; at every training step ``q_g <- q_g * exp(eta * loss_g)`` over the
groups' mean losses in the batch, then ``q`` is normalised to sum to 1, and the step minimises
``sum_g q_g * loss_g``. A group absent from the batch has loss 0 there: its weight only shrinks
by the normalisation. The method needs group labels: it is the upper bound the label-free
methods are measured against.
"""

from numbers import Real

import numpy as np
import torch
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from .._hyperparams import with_plain_params
from ..losses import ClassificationLoss
from ..nn import StandardClassifier
from ._cnn import CNNClassifier
from ._docs import fill_param_docs
from ._groups import group_codes, group_keys
from ._params import NET_CONSTRAINTS, store_init_params
from ._strategy import TrainingStrategy

__all__ = ["GroupDROClassifier", "group_dro_step"]

NON_NEGATIVE_REAL = Interval(Real, 0, None, closed="left")


def group_dro_step(per_sample_loss, groups, group_weights, eta):
    """One step of group DRO: the groups' mean losses, the updated weights, the robust loss.

    Parameters
    ----------
    per_sample_loss : torch.Tensor of shape (B,)
        The batch's (weighted) per-sample losses.
    groups : torch.Tensor of int, shape (B,)
        Group ids in ``[0, n_groups)``.
    group_weights : torch.Tensor of shape (n_groups,)
        The weights ``q`` before the step; they sum to 1.
    eta : float
        Step size of the exponentiated update.

    Returns
    -------
    loss : torch.Tensor
        ``sum_g q_g * loss_g`` with the updated ``q`` (differentiable in the losses).
    group_weights : torch.Tensor of shape (n_groups,)
        ``q_g * exp(eta * loss_g)`` normalised, ``loss_g`` the mean loss of group ``g`` in the
        batch (0 for a group absent from it).
    """
    n_groups = len(group_weights)
    groups = groups.to(per_sample_loss.device).long()
    sums = torch.zeros(n_groups, dtype=per_sample_loss.dtype, device=per_sample_loss.device)
    sums = sums.index_add(0, groups, per_sample_loss)
    counts = torch.bincount(groups, minlength=n_groups).to(per_sample_loss.dtype)
    group_loss = sums / counts.clamp(min=1)
    # q * exp(eta * loss) normalised, computed in log space so that a large loss cannot overflow
    log_q = torch.log(group_weights.to(per_sample_loss.device)) + eta * group_loss.detach()
    q = torch.softmax(log_q, dim=0)
    return (q * group_loss).sum(), q


class _GroupDROStrategy(TrainingStrategy):
    """Group DRO's training: the worst groups' losses weigh most, by weights updated each step.

    Parameters
    ----------
    module_params : dict
        The standard CNN's parameters.
    eta : float, default=0.01
        Step size of the group weights.
    n_groups : int, default=1
        Number of groups; the batches carry the ids as ``"group"``.
    weight_decay : float, default=0.0
        The optimizer's L2 penalty.

    Attributes
    ----------
    group_weights : torch.Tensor of shape (n_groups,)
        The weights ``q``, uniform at first, updated at each training step.
    """

    def __init__(self, *, module_params, eta=0.01, n_groups=1, weight_decay=0.0):
        super().__init__(
            StandardClassifier,
            ClassificationLoss,
            module_params=module_params,
            net_params={"optimizer__weight_decay": weight_decay},
        )
        self.eta = eta
        self.n_groups = n_groups
        self.initialize()

    def initialize(self):
        """Set the group weights to uniform."""
        self.group_weights = torch.full((self.n_groups,), 1.0 / self.n_groups)

    def state(self):
        """Return the group weights, which training updates step by step.

        Returns
        -------
        state : dict
            ``{"group_weights": group_weights}``.
        """
        return {"group_weights": self.group_weights}

    def load_state(self, state, device):
        """Set the group weights :meth:`state` returned.

        Parameters
        ----------
        state : dict
            As :meth:`state` returned it.
        device : str or torch.device
            Where the net trains (the weights stay on the CPU).
        """
        weights = state["group_weights"].cpu()
        if weights.shape != (self.n_groups,):
            raise ValueError("the saved group weights do not match the saved groups.")
        self.group_weights = weights

    def loss(self, net, y_pred, meta, X, training):
        """Group DRO's loss; a training step also updates ``group_weights``."""
        per_sample = self.weighted_losses(net, y_pred, meta, X)
        eta = self.eta if training else 0.0  # validation measures, it does not move q
        loss, q = group_dro_step(per_sample, meta["group"], self.group_weights, eta)
        if training:
            self.group_weights = q.detach().cpu()
        return loss


@fill_param_docs
class GroupDROClassifier(CNNClassifier):
    """Group DRO: the standard CNN trained for its worst group, which needs group labels.

    Unlike the label-free estimators, :meth:`fit` takes the groups, ``sensitive_features``, as
    fairlearn passes them. Each training step weighs the groups' mean losses by weights ``q``
    that grow exponentially with each group's loss (step size ``eta``), so training attends to
    the group that fares worst. It is the upper bound of what debiasing without group labels
    can reach, as in the paper; the strong weight decay is part of the method.

    Parameters
    ----------
    eta : float, default=0.01
        Step size of the group weights (the paper's 0.01).
    weight_decay : float, default=1e-3
        The optimizer's L2 penalty. The paper regularises strongly (1.0 on Waterbirds, 0.1 on
        CelebA, with SGD); with Adam such values stop small networks from learning, hence
        a milder default. Set it here, not in ``net_params``.
    %(n_filters)s
    %(hidden_units)s
    %(lr)s
    %(batch_size)s
    %(max_epochs)s
    warm_start : bool, default=False
        Let :meth:`fit` on a fitted estimator continue from the current weights (and group
        weights) for ``max_epochs`` more epochs; the groups must be among ``groups_``.
    %(optimizer)s
    %(pos_label)s
    %(random_state)s
    %(device)s
    %(compile)s
    %(callbacks)s
    train_split : callable, optional
        skorch's validation split; none by default. The split keeps the groups.
    %(verbose)s
    %(image_shape)s
    %(data_format)s
    net_params : dict, optional
        Further skorch parameters (not ``optimizer__weight_decay``: see ``weight_decay``).
    %(checkpoint)s
    %(checkpoint_every)s

    Attributes
    ----------
    groups_ : ndarray of shape (n_groups,)
        The groups seen in :meth:`fit`, sorted: values of the one sensitive feature, tuples of
        values for several (their intersections), or ``[None]`` when fitted without them.
    group_weights_ : ndarray of shape (n_groups,)
        The weights ``q`` after training, in the order of ``groups_``; they sum to 1.
    net_ : skorch.NeuralNet
        The trained skorch net.
    %(fitted_attributes)s
    history_ : skorch.History
        Per-epoch training record.

    See Also
    --------
    CNNClassifier : The same network, trained on the average loss.
    JTTClassifier : Label-free: upweights the errors of a first training.

    Notes
    -----
    Without ``sensitive_features`` all samples form one group and the fit is the plain CNN's
    with weight decay; this keeps the estimator usable where no groups are passed (e.g.
    scikit-learn's own checks), but it is then no group DRO. With metadata routing on
    (``sklearn.set_config(enable_metadata_routing=True)``), request the groups with
    ``set_fit_request(sensitive_features=True)`` for ``GridSearchCV`` or ``Pipeline`` to pass
    them along.

    References
    ----------
    .. [1] S. Sagawa, P. W. Koh, T. B. Hashimoto and P. Liang, "Distributionally Robust Neural
       Networks for Group Shifts: On the Importance of Regularization for Worst-Case
       Generalization", ICLR 2020.
    """

    _parameter_constraints: dict = {
        **NET_CONSTRAINTS,
        "eta": [NON_NEGATIVE_REAL],
        "weight_decay": [NON_NEGATIVE_REAL],
    }

    def __init__(
        self,
        *,
        eta=0.01,
        weight_decay=1e-3,
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

    @with_plain_params
    def fit(self, X, y, *, sensitive_features=None, sample_weight=None):
        """Train a new network for the worst of the groups given by ``sensitive_features``.

        Parameters
        ----------
        X : array-like
            Images ``(n, H, W)``, ``(n, H, W, C)`` or ``(n, C, H, W)`` (``uint8`` 0..255 or
            float 0..1), or feature vectors ``(n, n_features)``.
        y : array-like of shape (n,)
            Two class labels of any type.
        sensitive_features : array-like, Series, DataFrame or dict of columns, optional
            The group of each sample; several columns make their intersections the groups.
            Missing values are refused. ``None``: one group (see Notes).
        sample_weight : array-like of shape (n,), optional
            Per-sample loss weights, rescaled to average 1, applied within each group's mean.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight, groups=sensitive_features)

    @with_plain_params
    def partial_fit(self, X, y, classes=None, *, sensitive_features=None, sample_weight=None):
        """Train for one more epoch, continuing from the current weights and group weights.

        Parameters
        ----------
        X : array-like
            As in :meth:`fit`, of the shape seen by the first call.
        y : array-like of shape (n,)
            Labels among ``classes``.
        classes : array-like of shape (2,), optional
            All labels; required on the first call if ``y`` may lack one of them.
        sensitive_features : array-like, Series, DataFrame or dict of columns, optional
            As in :meth:`fit`; after the first call, groups among ``groups_``.
        sample_weight : array-like of shape (n,), optional
            Per-sample loss weights.

        Returns
        -------
        self : object
            The estimator, trained one epoch more.
        """
        return self._partial_fit(X, y, classes, sample_weight, groups=sensitive_features)

    def _validate_params(self):
        super()._validate_params()
        if "optimizer__weight_decay" in (self.net_params or {}):
            raise ValueError(
                "optimizer__weight_decay would override the estimator's own parameter "
                "'weight_decay'; set weight_decay= instead."
            )

    def _training_dataset(self, X, y, sample_weight, *, reset, classes=None, groups=None):
        dataset, fitted = super()._training_dataset(
            X, y, sample_weight, reset=reset, classes=classes
        )
        if reset:
            fitted["groups_"] = group_keys(groups, len(dataset))
        keys = fitted["groups_"] if reset else self.groups_
        dataset.groups = group_codes(groups, len(dataset), keys)  # the data carry the groups
        return dataset, fitted

    def _training_strategy(self):
        return _GroupDROStrategy(
            module_params=self._architecture(),
            eta=self.eta,
            n_groups=len(self.groups_),
            weight_decay=self.weight_decay,
        )

    def _saved_state(self):
        groups = [list(key) if isinstance(key, tuple) else key for key in self.groups_]
        return {"groups_": groups}, {}

    def _restore_values(self, values):
        groups = values.get("groups_")
        if not isinstance(groups, list) or not groups:
            raise ValueError("the saved groups of a GroupDROClassifier are missing.")
        keys = np.empty(len(groups), dtype=object)
        keys[:] = [tuple(key) if isinstance(key, list) else key for key in groups]
        self.groups_ = keys

    @property
    def group_weights_(self):
        """The group weights ``q`` after training, in the order of ``groups_``."""
        check_is_fitted(self)
        return self.net_.strategy.group_weights.numpy().astype(np.float64)
