"""A method is its strategy: the shared net calls only the strategy's hooks."""

import numpy as np
import pytest
import torch
from sklearn.base import clone
from skorch.callbacks import Callback

from debias_estimators import CNNClassifier, GroupDROClassifier
from debias_estimators.estimators._strategy import TrainingStrategy


class CountingStrategy(TrainingStrategy):
    """Weighted risk, scaled by ``scale``, that counts the trainings it started as its state."""

    def __init__(self, *args, scale=1.0, **kwargs):
        super().__init__(*args, **kwargs)
        self.scale = scale
        self.starts = torch.zeros(())

    def start_training(self, net, dataset):
        self.starts = self.starts + 1

    def loss(self, net, y_pred, meta, X, training):
        return self.scale * super().loss(net, y_pred, meta, X, training)

    def state(self):
        return {"starts": self.starts}

    def load_state(self, state, device):
        self.starts = state["starts"].clone()


class CountingCNN(CNNClassifier):
    """A new method written as one strategy over the CNN's module."""

    scale = 1.0

    def _training_strategy(self):
        plain = super()._training_strategy()
        return CountingStrategy(
            plain.module, plain.criterion, module_params=plain.module_params, scale=self.scale
        )


class ZeroLossCNN(CountingCNN):
    scale = 0.0


class RecordStart(Callback):
    def on_train_begin(self, net, **kwargs):
        self.weights = {k: v.detach().clone() for k, v in net.module_.named_parameters()}


class FailAtEpoch(Callback):
    def __init__(self, epoch):
        self.epoch = epoch

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) == self.epoch:
            raise RuntimeError("a failing callback")


def _data(n=64):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 4)).astype(np.float32)
    return X, (X[:, 0] > 0).astype(int)


def _params(**extra):
    return {"hidden_units": (8,), "lr": 1e-2, "random_state": 0, **extra}


def test_the_net_trains_with_the_strategys_loss_and_epoch_hook():
    X, y = _data()
    model = CountingCNN(**_params(max_epochs=3)).fit(X, y)
    assert model.net_.training_state()["starts"].item() == 1  # one per fit, not per epoch
    model.partial_fit(X, y)
    assert model.net_.training_state()["starts"].item() == 2
    # A loss of zero leaves every parameter where it started: the net has no loss of its own.
    start = RecordStart()
    frozen = ZeroLossCNN(**_params(max_epochs=2, callbacks=[start])).fit(X, y)
    moved = CountingCNN(**_params(max_epochs=2, callbacks=[RecordStart()])).fit(X, y)
    for model, same in [(frozen, True), (moved, False)]:
        begun = model.callbacks[0].weights
        now = dict(model.net_.module_.named_parameters())
        assert all(torch.equal(now[k], begun[k]) for k in begun) is same


def test_a_failed_fit_restores_the_strategys_state():
    X, y = _data()
    model = CountingCNN(**_params(max_epochs=2, warm_start=True)).fit(X, y)
    model.net_.callbacks_.append(("fail", FailAtEpoch(3)))
    with pytest.raises(RuntimeError, match="failing callback"):
        model.fit(X, y)
    assert model.net_.training_state()["starts"].item() == 1
    assert len(model.history_) == 2


def test_initialising_a_net_starts_its_strategy_afresh():
    # skorch initialises a net at every fit: group DRO's weights start uniform again there.
    X, y = _data()
    groups = (X[:, 1] > 0).astype(int)
    model = GroupDROClassifier(**_params(max_epochs=3, lr=0.05)).fit(
        X, y, sensitive_features=groups
    )
    trained = model.net_.strategy.group_weights.clone()
    assert not torch.equal(trained, torch.full((2,), 0.5))
    fresh = clone(model.net_).initialize()
    assert torch.equal(fresh.strategy.group_weights, torch.full((2,), 0.5))
    assert torch.equal(model.net_.strategy.group_weights, trained)  # a clone's, not its own
