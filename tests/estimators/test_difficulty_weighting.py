"""``DebiasedVAEClassifier(weighting="difficulty")``: cross-fitting in fit, weights per epoch."""

import copy

import numpy as np
import pytest
from sklearn.model_selection import StratifiedKFold
from skorch.callbacks import Callback
from skorch.dataset import ValidSplit

from debias_estimators import DebiasedVAEClassifier, load_model, save_model
from debias_estimators._difficulty import smoothed_loss
from debias_estimators.estimators._crossfit import DifficultyResampler
from debias_estimators.estimators._resampling import _base_indices, encode_means
from debias_estimators.resampling import difficulty_weights

from conftest import make_blob_images

TINY = {"latent_dim": 3, "n_filters": 2, "max_epochs": 2, "batch_size": 8, "random_state": 0}
DIFFICULTY = {"weighting": "difficulty", "difficulty_neighbors": 3, "difficulty_ess": 0.5}


def tiny(**params):
    return DebiasedVAEClassifier(**{**TINY, **params})


@pytest.fixture(scope="module")
def data():
    return make_blob_images(n=32, size=16)


class RecordFaces(Callback):
    """Encode the training faces at each epoch start, after the resampling callback ran."""

    def initialize(self):
        self.means, self.rows = [], []
        return self

    def on_epoch_begin(self, net, dataset_train=None, **kwargs):
        y = np.asarray([dataset_train[i][1]["y"] for i in range(len(dataset_train))])
        positives = np.flatnonzero(y > 0.5)
        self.means.append(encode_means(net.module_, dataset_train, positives))
        self.rows.append(_base_indices(dataset_train)[positives])


@pytest.fixture(scope="module")
def fitted(data):
    X, y = data
    record = RecordFaces()
    return tiny(**DIFFICULTY, callbacks=[record]).fit(X, y), record


def test_crossfit_loss_is_each_samples_held_out_log_loss(data, fitted):
    # Independently: two density DB-VAEs on the stratified halves, seeds 0 + 100 and 0 + 200.
    X, y = data
    clf, _ = fitted
    expected = np.empty(len(y))
    splits = StratifiedKFold(2, shuffle=True, random_state=0).split(X, y)
    for fold, (train, held_out) in enumerate(splits, start=1):
        copy = tiny(random_state=100 * fold).fit(X[train], y[train])
        p = copy.predict_proba(X[held_out])[np.arange(len(held_out)), y[held_out]]
        expected[held_out] = -np.log(np.clip(p, 1e-7, 1 - 1e-7))
    np.testing.assert_array_equal(clf.crossfit_loss_, expected)


def test_each_epochs_weights_are_the_difficulty_weights(data, fitted):
    X, y = data
    clf, record = fitted
    faces = y == 1
    assert isinstance(clf.resampler_, DifficultyResampler)
    assert len(record.means) == 2
    w_faces, _ = difficulty_weights(
        record.means[-1], clf.crossfit_loss_[record.rows[-1]], n_neighbors=3, ess=0.5
    )
    # The faces keep their share of the epoch (half here); within it, the difficulty weights.
    np.testing.assert_allclose(clf.sample_weight_[faces], 0.5 * w_faces, rtol=1e-10)
    np.testing.assert_allclose(clf.sample_weight_[~faces], 0.5 / faces.sum())
    # The effective sample size of every epoch is recorded, at the target share.
    np.testing.assert_allclose(clf.history_[:, "sample_ess_fraction"], 0.5, rtol=1e-8)
    np.testing.assert_allclose(clf.history_[:, "sample_ess"], 0.5 * faces.sum(), rtol=1e-8)
    # Higher neighbourhood loss, higher weight.
    smoothed, _ = smoothed_loss(record.means[-1], clf.crossfit_loss_[faces], n_neighbors=3)
    order = np.argsort(smoothed)
    assert np.all(np.diff(w_faces[order]) >= -1e-15)
    assert w_faces[order[-1]] > 2 * w_faces[order[0]]
    # resampling_weights gives the same weights from the faces' losses under an encoder.
    np.testing.assert_allclose(
        clf.resampling_weights(X[faces], loss=clf.crossfit_loss_[faces]),
        difficulty_weights(
            clf.transform(X[faces]), clf.crossfit_loss_[faces], n_neighbors=3, ess=0.5
        )[0],
    )


def test_a_validation_split_reads_the_losses_of_its_training_rows(data):
    X, y = data
    record = RecordFaces()
    clf = tiny(**DIFFICULTY, train_split=ValidSplit(4, stratified=True), callbacks=[record])
    clf.fit(X, y)
    rows = record.rows[-1]
    assert len(rows) == 12  # three quarters of the 16 faces
    w_faces, _ = difficulty_weights(
        record.means[-1], clf.crossfit_loss_[rows], n_neighbors=3, ess=0.5
    )
    np.testing.assert_allclose(clf.resampler_.sample_weight_, w_faces, rtol=1e-10)


@pytest.fixture(scope="module")
def density(data):
    return tiny(max_epochs=1).fit(*data)


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"weighting": "loss"}, "weighting"),
        ({"crossfit_folds": 1}, "crossfit_folds"),
        ({"crossfit_folds": True}, "crossfit_folds"),
        ({"difficulty_dims": 0}, "difficulty_dims"),
        ({"difficulty_neighbors": 0}, "difficulty_neighbors"),
        ({"difficulty_neighbors": 2.5}, "difficulty_neighbors"),
        ({"difficulty_ess": 0.0}, "difficulty_ess"),
        ({"difficulty_ess": 1.0}, "difficulty_ess"),
        ({"difficulty_ess": float("nan")}, "difficulty_ess"),
        ({"weighting": "difficulty", "alpha": None}, "alpha=None"),
        ({"weighting": "difficulty", "crossfit_folds": 17}, "at least 17 samples"),
    ],
)
def test_bad_settings_are_refused_before_training_and_change_nothing(
    data, density, params, fragment
):
    X, y = data
    clf = copy.deepcopy(density)
    before = (clf.net_, len(clf.history_), clf.decision_function(X))
    with pytest.raises(ValueError, match=fragment.replace("(", r"\(")):
        clf.set_params(**params).fit(X, y)
    assert (clf.net_, len(clf.history_)) == before[:2]
    np.testing.assert_array_equal(clf.decision_function(X), before[2])
    assert not hasattr(clf, "crossfit_loss_")


class FailOnFullData(Callback):
    """Raise at the first epoch of a training on all the samples (not on a fold's)."""

    def __init__(self, n):
        self.n = n

    def on_epoch_begin(self, net, dataset_train=None, **kwargs):
        if len(dataset_train) == self.n:
            raise RuntimeError("stop")


def test_a_fit_that_fails_after_cross_fitting_changes_nothing(data, fitted):
    X, y = data
    clf = tiny(max_epochs=1, **DIFFICULTY).fit(X, y)
    loss, net = clf.crossfit_loss_, clf.net_
    clf.set_params(callbacks=[FailOnFullData(len(X))], random_state=1)
    with pytest.raises(RuntimeError, match="stop"):
        clf.fit(X, y)
    assert clf.crossfit_loss_ is loss and clf.net_ is net


def test_partial_fit_and_mixed_continuations_are_refused(data):
    X, y = data
    clf = tiny(max_epochs=1, **DIFFICULTY)
    with pytest.raises(ValueError, match="partial_fit cannot"):
        clf.partial_fit(X, y)
    assert not hasattr(clf, "net_")
    clf.fit(X, y)
    clf.set_params(weighting="density")
    with pytest.raises(ValueError, match='trained with weighting="difficulty"'):
        clf.partial_fit(X, y)
    with pytest.raises(ValueError, match='trained with weighting="difficulty"'):
        clf.set_params(warm_start=True).fit(X, y)
    density = tiny(max_epochs=1, warm_start=True).fit(X, y)
    with pytest.raises(ValueError, match='trained with weighting="density"'):
        density.set_params(**DIFFICULTY).fit(X, y)
    assert len(density.history_) == 1


def test_warm_start_cross_fits_again_and_continues(data):
    X, y = data
    clf = tiny(max_epochs=1, warm_start=True, **DIFFICULTY).fit(X, y)
    first = clf.crossfit_loss_
    clf.set_params(random_state=5).fit(X[:24], y[:24])
    assert len(clf.history_) == 2 and clf.crossfit_loss_.shape == (24,)
    assert not np.array_equal(clf.crossfit_loss_, first[:24])  # other seeds, other folds
    assert clf.resampler_.loss is clf.crossfit_loss_


def test_resampling_weights_takes_losses_for_difficulty_only(data, fitted, density):
    X, y = data
    clf, _ = fitted
    with pytest.raises(ValueError, match="crossfit_loss_"):
        clf.resampling_weights(X[y == 1])
    with pytest.raises(ValueError, match="weights by density"):
        density.resampling_weights(X[y == 1], loss=np.ones(16))


def test_save_and_load_keep_the_setting_and_the_losses(data, fitted, tmp_path):
    X, y = data
    clf, _ = fitted
    loaded = load_model(save_model(clf, tmp_path / "model.zip"))
    params = loaded.get_params()
    assert params["weighting"] == "difficulty" and params["difficulty_ess"] == 0.5
    assert params["crossfit_folds"] == 2 and params["difficulty_neighbors"] == 3
    np.testing.assert_array_equal(loaded.crossfit_loss_, clf.crossfit_loss_)
    np.testing.assert_array_equal(loaded.decision_function(X), clf.decision_function(X))
    faces = y == 1
    np.testing.assert_array_equal(
        loaded.resampling_weights(X[faces], loss=loaded.crossfit_loss_[faces]),
        clf.resampling_weights(X[faces], loss=clf.crossfit_loss_[faces]),
    )
    np.testing.assert_array_equal(loaded.history_[:, "sample_ess"], clf.history_[:, "sample_ess"])
