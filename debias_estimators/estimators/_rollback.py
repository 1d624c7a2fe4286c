"""A failed or interrupted training call leaves the estimator as it was before the call.

What is saved and put back: the fitted attributes (those ending in ``_``) and, when the call
trains a fitted network in place (``partial_fit``, ``warm_start``), the network's weights, its
optimizer's state, its history and the method's own training state (``training_state`` of the
net: group DRO's group weights, LfF's loss averages), so that no method writes its own rollback.
"""

import copy
from contextlib import contextmanager

__all__ = ["unchanged_on_error"]


def _fitted_attributes(estimator):
    return {k: v for k, v in vars(estimator).items() if k.endswith("_") and not k.startswith("_")}


def _snapshot(net):
    return {
        "weights": copy.deepcopy(net.module_.state_dict()),
        "optimizer": copy.deepcopy(net.optimizer_.state_dict()),
        "n_epochs": len(net.history),
        "training_state": copy.deepcopy(net.training_state()),
    }


def _restore(net, snapshot):
    net.module_.load_state_dict(snapshot["weights"])
    net.optimizer_.load_state_dict(snapshot["optimizer"])
    del net.history[snapshot["n_epochs"] :]
    net.load_training_state(snapshot["training_state"])


@contextmanager
def unchanged_on_error(estimator):
    """Put the estimator back as it was if the body raises (an interrupt included).

    Parameters
    ----------
    estimator : BaseNetClassifier
        The estimator a training call is about to change.

    Yields
    ------
    None
        The body runs the training.
    """
    saved = _fitted_attributes(estimator)
    net = saved.get("net_")
    snapshot = _snapshot(net) if getattr(net, "initialized_", False) else None
    try:
        yield
    except BaseException:
        for name in _fitted_attributes(estimator):
            delattr(estimator, name)
        vars(estimator).update(saved)
        if snapshot is not None:
            _restore(net, snapshot)
        raise
