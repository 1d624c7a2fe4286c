"""EpochProgress on real, tiny trainings: one bar or one line per epoch, and pickling."""

import io
import pickle

import pytest

from debias_estimators import CNNClassifier
from debias_estimators.estimators import EpochProgress

from conftest import make_blob_images


def _fit(progress, max_epochs=2):
    X, y = make_blob_images(n=40, size=16)
    return CNNClassifier(
        n_filters=2, max_epochs=max_epochs, batch_size=16, callbacks=[progress]
    ).fit(X, y)


def test_epoch_progress_spans_all_epochs_and_pickles():
    clf = _fit(EpochProgress(desc="tiny", disable=True))
    fitted = dict(clf.net_.callbacks_)["EpochProgress"]
    assert fitted.epochs_done_ == 2 and fitted.batches_per_epoch_ == 3
    X, _ = make_blob_images(n=40, size=16)
    assert pickle.loads(pickle.dumps(clf)).predict(X).shape == (40,)


@pytest.mark.parametrize("lines", [None, True])
def test_epoch_progress_writes_one_line_per_epoch_off_a_terminal(lines):
    stream = io.StringIO()  # not a terminal
    _fit(EpochProgress(desc="tiny", file=stream, lines=lines), max_epochs=3)
    written = stream.getvalue()
    assert "\r" not in written
    rows = written.splitlines()
    assert [row.split(",")[0] for row in rows] == [f"tiny: epoch {k}/3" for k in (1, 2, 3)]
    assert all("train_loss=" in row and row.endswith(" s") for row in rows)


def test_epoch_progress_draws_a_bar_when_asked_to():
    stream = io.StringIO()
    _fit(EpochProgress(desc="tiny", file=stream, lines=False))
    assert "\r" in stream.getvalue() and "tiny: epoch 2/2" in stream.getvalue()


def test_total_epochs_sets_the_span_and_disable_writes_nothing():
    stream = io.StringIO()
    _fit(EpochProgress(desc="part", total_epochs=4, file=stream, lines=True))
    assert [row.split(",")[0] for row in stream.getvalue().splitlines()] == [
        "part: epoch 1/4",
        "part: epoch 2/4",
    ]
    quiet = io.StringIO()
    _fit(EpochProgress(desc="quiet", file=quiet, disable=True))
    assert quiet.getvalue() == ""


def test_an_open_bar_is_dropped_when_pickled():
    progress = EpochProgress(desc="tiny", file=io.StringIO(), lines=False)
    clf = _fit(progress)
    fitted = dict(clf.net_.callbacks_)["EpochProgress"]
    fitted.on_train_begin(clf.net_, X=None)  # a bar left open, as by an interrupted fit
    assert fitted.bar_ is not None
    assert pickle.loads(pickle.dumps(fitted)).bar_ is None
    fitted.on_train_end(clf.net_)
