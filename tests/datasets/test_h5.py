import pickle

import h5py
import numpy as np
import pytest
import torch

from debias_estimators.datasets import H5FaceDataset, H5Images, load_h5_faces


def _rgb_images(n=6, size=16, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (n, size, size, 3), dtype=np.uint8)


def _write(path, images=None, labels=None, **extra):
    with h5py.File(path, "w") as f:
        if images is not None:
            f.create_dataset("images", data=images)
        if labels is not None:
            f.create_dataset("labels", data=labels)
        for key, value in extra.items():
            f.create_dataset(key, data=value)
    return path


@pytest.fixture
def lab_file(tmp_path):
    """A small file in the lab's layout: BGR pixels, labels shaped (n, 1)."""
    rgb = _rgb_images()
    labels = np.array([[1], [0], [1], [1], [0], [0]], dtype=np.float32)
    path = _write(tmp_path / "train_face.h5", rgb[..., ::-1], labels)
    return path, rgb, labels.ravel().astype(int)


def test_eager_load_returns_rgb_and_labels(lab_file):
    path, rgb, labels = lab_file
    data = load_h5_faces(path)
    assert data.images.dtype == np.uint8
    np.testing.assert_array_equal(data.images, rgb)
    np.testing.assert_array_equal(data.target, labels)
    assert data.target.dtype == np.int64
    assert list(data.target_names) == ["non-face", "face"]
    assert data.filename == str(path)


def test_return_X_y_and_rgb_files(tmp_path):
    rgb = _rgb_images(3)
    path = _write(tmp_path / "rgb.h5", rgb, np.array([1, 0, 1]))
    X, y = load_h5_faces(path, channel_order="rgb", return_X_y=True)
    np.testing.assert_array_equal(X, rgb)
    np.testing.assert_array_equal(y, [1, 0, 1])


def test_lazy_images_index_like_an_array(lab_file):
    path, rgb, labels = lab_file
    data = load_h5_faces(path, lazy=True)
    images = data.images
    try:
        assert isinstance(images, H5Images)
        assert images.shape == rgb.shape and images.ndim == 4 and len(images) == 6
        np.testing.assert_array_equal(images[2], rgb[2])
        np.testing.assert_array_equal(images[-1], rgb[-1])
        np.testing.assert_array_equal(images[1:5:2], rgb[1:5:2])
        np.testing.assert_array_equal(images[::-1], rgb[::-1])
        np.testing.assert_array_equal(images[[4, 0, 4]], rgb[[4, 0, 4]])
        mask = labels == 1
        np.testing.assert_array_equal(images[mask], rgb[mask])
        assert images[np.array([], dtype=int)].shape == (0, 16, 16, 3)
        np.testing.assert_array_equal(np.asarray(images), rgb)
    finally:
        images.close()


def test_lazy_images_reopen_after_close_and_pickle(lab_file):
    path, rgb, _ = lab_file
    with H5Images(path) as images:
        restored = pickle.loads(pickle.dumps(images))
    np.testing.assert_array_equal(images[0], rgb[0])  # reopened on access
    np.testing.assert_array_equal(restored[3], rgb[3])
    images.close()
    restored.close()


def test_lazy_dataset_feeds_a_torch_dataloader(lab_file):
    path, rgb, labels = lab_file
    data = load_h5_faces(path, lazy=True)
    loader = torch.utils.data.DataLoader(data.dataset, batch_size=4, shuffle=False)
    x, y = next(iter(loader))
    assert x.shape == (4, 3, 16, 16) and x.dtype == torch.float32
    np.testing.assert_allclose(x[1].numpy(), np.moveaxis(rgb[1], -1, 0) / 255, atol=1e-6)
    np.testing.assert_array_equal(y.numpy(), labels[:4])
    assert len(data.dataset) == 6
    data.images.close()


def test_dataset_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match="same length"):
        H5FaceDataset(np.zeros((3, 16, 16, 3), np.uint8), np.zeros(2))


def test_bad_indices(lab_file):
    with H5Images(lab_file[0]) as images:
        with pytest.raises(IndexError, match="out of range"):
            images[6]
        with pytest.raises(IndexError, match="out of range"):
            images[[0, 9]]
        with pytest.raises(IndexError, match="boolean"):
            images[np.array([True, False])]
        with pytest.raises(TypeError, match="first axis"):
            images[0, 0]


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.h5"):
        load_h5_faces(tmp_path / "missing.h5")


def test_not_an_hdf5_file(tmp_path):
    path = tmp_path / "notes.h5"
    path.write_text("not hdf5")
    with pytest.raises(ValueError, match="HDF5"):
        load_h5_faces(path)


@pytest.mark.parametrize(
    ("images", "labels", "match"),
    [
        (None, np.ones(6), "no dataset 'images'"),
        (_rgb_images(), None, "no dataset 'labels'"),
        (_rgb_images()[..., 0], np.ones(6), r"\(n, H, W, 3\)"),
        (_rgb_images(), np.ones(5), "sizes must match"),
        (_rgb_images(), np.ones((6, 2)), r"\(n,\) or \(n, 1\)"),
        (_rgb_images(), np.full(6, 2), "0 \\(non-face\\) and 1 \\(face\\)"),
    ],
)
def test_wrong_layout(tmp_path, images, labels, match):
    path = _write(tmp_path / "bad.h5", images, labels, other=np.zeros(2))
    with pytest.raises(ValueError, match=match):
        load_h5_faces(path)
    with h5py.File(path, "a"):  # the loader left the file closed
        pass


def test_float_pixels_out_of_range_are_rejected(tmp_path):
    path = _write(tmp_path / "float.h5", _rgb_images().astype(np.float32), np.ones(6))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        load_h5_faces(path)


def test_bad_channel_order(lab_file):
    with pytest.raises(ValueError, match="channel_order"):
        load_h5_faces(lab_file[0], channel_order="grb")
