"""Interrupted fits: a KeyboardInterrupt (Ctrl-C, a scheduler's SIGINT) is never swallowed.

skorch ends its training loop quietly on a ``KeyboardInterrupt``; the estimators raise it
again once skorch returns, so a script or a search stops, and leave themselves as they were
before the call. skorch's ``EarlyStopping``, which stops training by the same exception, still
ends a fit normally.
"""

import numpy as np
import pytest
import torch
from sklearn.model_selection import GridSearchCV
from skorch.callbacks import Callback, EarlyStopping

from debias_estimators.estimators import (
    AcceleratedDebiasedVAEClassifier,
    CNNClassifier,
    DebiasedVAEClassifier,
    GroupDROClassifier,
)

from conftest import make_blob_images, registry_estimators

TINY = {"n_filters": 1, "hidden_units": (4,), "batch_size": 8, "random_state": 0}
# Every method but GEORGE, whose fit is group DRO's after a first CNN's: the set this suite
# was written for.
ESTIMATORS = registry_estimators(without=("george",))


class InterruptAt(Callback):
    """Raise KeyboardInterrupt as Ctrl-C would, in the middle of epoch ``epoch`` (1-based)."""

    def __init__(self, epoch=2, where="on_batch_end"):
        self.epoch = epoch
        self.where = where

    def on_batch_end(self, net, **kwargs):
        if self.where == "on_batch_end" and len(net.history) == self.epoch:
            raise KeyboardInterrupt

    def on_epoch_end(self, net, **kwargs):
        if self.where == "on_epoch_end" and len(net.history) == self.epoch:
            raise KeyboardInterrupt


@pytest.fixture(scope="module")
def data():
    return make_blob_images(n=16, size=16)


def _params(cls, **extra):
    params = {**TINY, **extra}
    if cls in (DebiasedVAEClassifier, AcceleratedDebiasedVAEClassifier):
        params["latent_dim"] = 2
    return params


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("where", ["on_batch_end", "on_epoch_end"])
def test_an_interrupted_fit_propagates_and_leaves_no_fitted_estimator(cls, where, data):
    X, y = data
    est = cls(**_params(cls, max_epochs=3, callbacks=[InterruptAt(2, where)]))
    with pytest.raises(KeyboardInterrupt, match="after 1 of 3 epochs"):
        est.fit(X, y)
    assert not hasattr(est, "net_") and not hasattr(est, "classes_")


@pytest.mark.parametrize("cls", [CNNClassifier, DebiasedVAEClassifier, GroupDROClassifier])
def test_an_interrupted_warm_start_keeps_the_previous_fit(cls, data):
    X, y = data
    interrupt = InterruptAt(epoch=99)  # not yet
    est = cls(**_params(cls, max_epochs=2, warm_start=True, callbacks=[interrupt])).fit(X, y)
    before = est.decision_function(X)
    state = {k: v.clone() for k, v in est.net_.training_state().items()}  # group DRO's q
    interrupt.epoch = 4  # the second epoch of the second fit
    with pytest.raises(KeyboardInterrupt, match="after 1 of 2 epochs"):
        est.fit(X, y)
    assert len(est.history_) == 2
    np.testing.assert_array_equal(est.decision_function(X), before)
    assert est.net_.training_state().keys() == state.keys()
    for name, tensor in state.items():
        assert torch.equal(est.net_.training_state()[name], tensor)
    interrupt.epoch = 99
    est.fit(X, y)  # resumes from the kept fit
    assert len(est.history_) == 4


def test_an_interrupted_partial_fit_keeps_the_previous_epochs(data):
    X, y = data
    interrupt = InterruptAt(epoch=2)
    est = CNNClassifier(**_params(CNNClassifier, callbacks=[interrupt])).partial_fit(X, y)
    before = est.decision_function(X)
    with pytest.raises(KeyboardInterrupt, match="after 0 of 1 epochs"):
        est.partial_fit(X, y)
    assert len(est.history_) == 1
    np.testing.assert_array_equal(est.decision_function(X), before)


def test_an_interrupt_stops_a_grid_search(data):
    X, y = data
    fits = []

    class Counting(Callback):
        def on_train_begin(self, net, **kwargs):
            fits.append(1)

    est = CNNClassifier(**_params(CNNClassifier, max_epochs=3))
    est.set_params(callbacks=[("count", Counting()), ("stop", InterruptAt(2))])
    search = GridSearchCV(est, {"lr": [1e-3, 1e-2]}, cv=2, error_score=np.nan)
    with pytest.raises(KeyboardInterrupt):
        search.fit(X, y)
    assert len(fits) == 1  # the first fit was interrupted; no other began
    assert not hasattr(search, "best_estimator_")


def test_early_stopping_still_ends_a_fit_normally(data):
    X, y = data
    stop = EarlyStopping(monitor="train_loss", patience=1, threshold=1e9)
    est = CNNClassifier(**_params(CNNClassifier, max_epochs=5, callbacks=[stop])).fit(X, y)
    assert len(est.history_) == 2  # stopped by the callback, not interrupted
    assert est.predict(X).shape == (16,)


def test_the_command_line_reports_an_interrupt(monkeypatch, capsys, tmp_path):
    from debias_estimators import cli

    def interrupted(args, echo):
        CNNClassifier(**_params(CNNClassifier, max_epochs=2, callbacks=[InterruptAt(1)])).fit(
            *make_blob_images(n=8, size=16)
        )

    monkeypatch.setitem(cli.COMMANDS, "train", interrupted)
    assert cli.main(["train", "-o", str(tmp_path / "m.zip")]) == 130
    assert "interrupted" in capsys.readouterr().err
    assert not (tmp_path / "m.zip").exists()
