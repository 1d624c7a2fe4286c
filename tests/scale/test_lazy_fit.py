"""Fitting from images read lazily from an HDF5 file: the same model as from memory."""

import h5py
import numpy as np
import pytest

from debias_estimators import DebiasedVAEClassifier
from debias_estimators.datasets import load_h5_faces
from debias_estimators.estimators._data import LazyImages, check_inputs

from conftest import make_blob_images

TINY = dict(latent_dim=4, n_filters=2, batch_size=8, max_epochs=1, random_state=0)


@pytest.fixture
def h5_file(tmp_path):
    X, y = make_blob_images(32)
    path = tmp_path / "faces.h5"
    with h5py.File(path, "w") as file:
        file["images"] = X[..., ::-1]  # BGR, as in the lab's file
        file["labels"] = y[:, None]
    return path, X, y


def test_lazy_images_fit_like_arrays_in_memory(h5_file):
    path, X, y = h5_file
    images, target = load_h5_faces(path, lazy=True, return_X_y=True)
    assert isinstance(check_inputs(images), LazyImages)
    lazy = DebiasedVAEClassifier(**TINY).fit(images, target)
    eager = DebiasedVAEClassifier(**TINY).fit(X, y)
    np.testing.assert_array_equal(lazy.sample_weight_, eager.sample_weight_)
    np.testing.assert_array_equal(lazy.decision_function(images), eager.decision_function(X))
    images.close()


def test_an_h5py_dataset_is_read_in_batches(h5_file):
    path, X, y = h5_file
    with h5py.File(path, "r") as file:
        data = check_inputs(file["images"])
        rows = np.array([5, 1, 5, 0])  # unsorted, repeated: h5py alone refuses them
        np.testing.assert_array_equal(data[rows], np.moveaxis(X[rows, ..., ::-1], 3, 1))
        assert data.shape == (32, 3, 16, 16)


def test_lazy_pixels_are_checked_as_they_are_read(tmp_path):
    path = tmp_path / "bad.h5"
    with h5py.File(path, "w") as file:
        file["images"] = np.full((4, 16, 16, 3), 2.0, np.float32)
        with pytest.raises(ValueError, match=r"must lie in \[0, 1\]"):
            check_inputs(file["images"])
