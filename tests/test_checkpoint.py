"""Checkpointed fits: a crash loses at most the epochs since the last checkpoint.

A fit with ``checkpoint=<dir>`` saves every ``checkpoint_every`` epochs; after a crash, a fit
of the same run resumes from the last checkpoint and ends with the very weights of a run that
was never interrupted (at a fixed torch thread count), the training sampler's and the latent
noise's random draws included.
"""

import os

import numpy as np
import pytest
import torch
from skorch.callbacks import Callback

from debias_estimators.estimators import (
    AcceleratedDebiasedVAEClassifier,
    CNNClassifier,
    DebiasedVAEClassifier,
    GroupDROClassifier,
    JTTClassifier,
    LfFClassifier,
)

from conftest import make_blob_images

TINY = {"n_filters": 1, "hidden_units": (4,), "batch_size": 8, "random_state": 0}
SETTINGS = {
    "cnn": (CNNClassifier, {}),
    "dbvae": (DebiasedVAEClassifier, {"latent_dim": 2}),
    "dbvae_stratified_cached": (
        DebiasedVAEClassifier,
        {"latent_dim": 2, "stratified_batches": True, "resample_latents": "cached"},
    ),
    "lff": (LfFClassifier, {}),
}


class CrashAt(Callback):
    """Raise ``error`` in the middle of epoch ``epoch`` (1-based), as a crash would."""

    def __init__(self, epoch=3, error=RuntimeError):
        self.epoch = epoch
        self.error = error

    def on_batch_end(self, net, training=False, **kwargs):
        if training and len(net.history) == self.epoch:
            raise self.error("crash")


class CountEpochs(Callback):
    """Count the epochs a fit trains."""

    def __init__(self):
        self.epochs = 0

    def on_epoch_begin(self, net, **kwargs):
        self.epochs += 1


@pytest.fixture(autouse=True)
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def data():
    return make_blob_images(n=16, size=16)


def _estimator(name, **params):
    cls, own = SETTINGS[name]
    return cls(**{**TINY, **own, "max_epochs": 4, **params})


def _assert_same_weights(a, b):
    wa, wb = a.net_.module_.state_dict(), b.net_.module_.state_dict()
    assert wa.keys() == wb.keys()
    for name in wa:
        assert torch.equal(wa[name], wb[name]), name


@pytest.mark.parametrize("name", SETTINGS)
@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_a_resumed_fit_ends_with_the_weights_of_an_uninterrupted_one(name, error, data, tmp_path):
    X, y = data
    reference = _estimator(name).fit(X, y)
    crashing = _estimator(
        name, checkpoint=tmp_path, checkpoint_every=2, callbacks=[CrashAt(3, error)]
    )
    with pytest.raises(error):
        crashing.fit(X, y)
    assert not hasattr(crashing, "net_")  # a crashed fit is not a fitted estimator
    assert os.listdir(tmp_path) == ["checkpoint.pt"]

    count = CountEpochs()
    resumed = _estimator(name, checkpoint=tmp_path, checkpoint_every=2, callbacks=[count])
    resumed.fit(X, y)
    assert count.epochs == 2  # the two epochs after the checkpoint, no more
    assert len(resumed.history_) == 4
    _assert_same_weights(resumed, reference)
    np.testing.assert_array_equal(resumed.predict_proba(X), reference.predict_proba(X))
    assert resumed.history_[:, "train_loss"] == reference.history_[:, "train_loss"]
    assert os.listdir(tmp_path) == []  # a finished fit leaves no checkpoint behind


def test_checkpointing_does_not_change_the_fit(data, tmp_path):
    X, y = data
    reference = _estimator("dbvae").fit(X, y)
    checkpointed = _estimator("dbvae", checkpoint=tmp_path / "run").fit(X, y)
    _assert_same_weights(checkpointed, reference)
    assert os.path.isdir(tmp_path / "run")


def test_group_dro_resumes_with_its_group_weights(data, tmp_path):
    X, y = data
    groups = np.arange(len(y)) % 3
    params = {**TINY, "max_epochs": 4}
    reference = GroupDROClassifier(**params).fit(X, y, sensitive_features=groups)
    crashing = GroupDROClassifier(**params, checkpoint=tmp_path, callbacks=[CrashAt(4)])
    with pytest.raises(RuntimeError):
        crashing.fit(X, y, sensitive_features=groups)
    resumed = GroupDROClassifier(**params, checkpoint=tmp_path).fit(X, y, sensitive_features=groups)
    _assert_same_weights(resumed, reference)
    assert torch.equal(resumed.net_.strategy.group_weights, reference.net_.strategy.group_weights)


def test_a_run_can_be_resumed_to_more_epochs(data, tmp_path):
    X, y = data
    reference = _estimator("cnn", max_epochs=5).fit(X, y)
    with pytest.raises(RuntimeError):
        _estimator("cnn", checkpoint=tmp_path, callbacks=[CrashAt(4)]).fit(X, y)
    resumed = _estimator("cnn", max_epochs=5, checkpoint=tmp_path).fit(X, y)
    _assert_same_weights(resumed, reference)
    with pytest.raises(RuntimeError):
        _estimator("cnn", max_epochs=5, checkpoint=tmp_path, callbacks=[CrashAt(5)]).fit(X, y)
    with pytest.raises(ValueError, match="holds 4 epochs of this run, more than max_epochs=2"):
        _estimator("cnn", max_epochs=2, checkpoint=tmp_path).fit(X, y)


def test_another_runs_checkpoint_is_refused_and_kept(data, tmp_path):
    X, y = data
    with pytest.raises(RuntimeError):
        _estimator("cnn", checkpoint=tmp_path, callbacks=[CrashAt(2)]).fit(X, y)
    saved = (tmp_path / "checkpoint.pt").read_bytes()
    for other in (
        _estimator("cnn", checkpoint=tmp_path, lr=1e-2),  # other parameters
        _estimator("dbvae", checkpoint=tmp_path),  # another method
    ):
        with pytest.raises(ValueError, match="checkpoint of another run"):
            other.fit(X, y)
        assert not hasattr(other, "net_")
    with pytest.raises(ValueError, match="checkpoint of another run"):
        _estimator("cnn", checkpoint=tmp_path).fit(X[::-1], y[::-1])  # other data
    assert (tmp_path / "checkpoint.pt").read_bytes() == saved


def test_a_damaged_checkpoint_is_refused_not_trained_over(data, tmp_path):
    X, y = data
    (tmp_path / "checkpoint.pt").write_bytes(b"half a file")
    with pytest.raises(ValueError, match="not a readable checkpoint"):
        _estimator("cnn", checkpoint=tmp_path).fit(X, y)
    assert (tmp_path / "checkpoint.pt").read_bytes() == b"half a file"


def test_a_checkpoint_is_read_only_from_its_own_directory(data, tmp_path):
    X, y = data
    outside = tmp_path / "elsewhere"
    with pytest.raises(RuntimeError):
        _estimator("cnn", checkpoint=outside, callbacks=[CrashAt(2)]).fit(X, y)
    run = tmp_path / "run"
    run.mkdir()
    (run / "checkpoint.pt").symlink_to(outside / "checkpoint.pt")
    with pytest.raises(ValueError, match="not a plain file inside"):
        _estimator("cnn", checkpoint=run).fit(X, y)
    assert (outside / "checkpoint.pt").is_file()


def test_other_files_in_the_directory_are_left_alone(data, tmp_path):
    X, y = data
    (tmp_path / "notes.txt").write_text("mine")
    _estimator("cnn", max_epochs=2, checkpoint=tmp_path).fit(X, y)
    assert sorted(os.listdir(tmp_path)) == ["notes.txt"]
    assert (tmp_path / "notes.txt").read_text() == "mine"


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ({"checkpoint": 3}, ValueError, "'checkpoint' parameter"),
        ({"checkpoint": b"dir"}, ValueError, "'checkpoint' parameter"),
        ({"checkpoint": ""}, ValueError, "empty path"),
        ({"checkpoint_every": 0}, ValueError, "'checkpoint_every' parameter"),
        ({"checkpoint_every": 1.5}, ValueError, "'checkpoint_every' parameter"),
        ({"checkpoint_every": True}, (TypeError, ValueError), "checkpoint_every"),
    ],
)
def test_checkpoint_parameters_are_checked_before_training(params, error, match, data):
    X, y = data
    count = CountEpochs()
    est = _estimator("cnn", callbacks=[count], **params)
    with pytest.raises(error, match=match):
        est.fit(X, y)
    assert count.epochs == 0


def test_a_file_is_no_checkpoint_directory(data, tmp_path):
    X, y = data
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match="is a file"):
        _estimator("cnn", checkpoint=tmp_path / "file").fit(X, y)


def test_continuing_a_fitted_estimator_is_not_checkpointed(data, tmp_path):
    X, y = data
    est = _estimator("cnn", max_epochs=1, warm_start=True).fit(X, y)
    est.set_params(checkpoint=tmp_path)
    with pytest.raises(ValueError, match="warm_start=True on a fitted estimator"):
        est.fit(X, y)
    with pytest.raises(ValueError, match="partial_fit continues"):
        est.partial_fit(X, y)
    assert len(est.history_) == 1


def test_the_accelerated_estimator_refuses_a_checkpoint(data, tmp_path):
    X, y = data
    est = AcceleratedDebiasedVAEClassifier(**TINY, latent_dim=2, checkpoint=tmp_path)
    with pytest.raises(ValueError, match="'checkpoint' parameter"):
        est.fit(X, y)
    assert os.listdir(tmp_path) == []


def test_jtt_resumes_its_second_training(data, tmp_path):
    X, y = data
    params = {**TINY, "max_epochs": 4, "identification_epochs": 1}
    reference = JTTClassifier(**params).fit(X, y)
    crashing = JTTClassifier(**params, checkpoint=tmp_path, callbacks=[CrashAt(3)])
    with pytest.raises(RuntimeError):
        crashing.fit(X, y)
    assert sorted(os.listdir(tmp_path)) == ["checkpoint.pt", "identification"]
    assert os.listdir(tmp_path / "identification") == []  # the identification fit finished
    resumed = JTTClassifier(**params, checkpoint=tmp_path).fit(X, y)
    _assert_same_weights(resumed, reference)
    np.testing.assert_array_equal(resumed.error_set_, reference.error_set_)
