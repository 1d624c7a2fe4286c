"""Loaders return what they document, or refuse: pixel ranges of any depth, ambiguous columns."""

import h5py
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from test_hostile import _ppb, assert_clear_error

from debias_estimators import CNNClassifier
from debias_estimators.datasets import load_h5_faces, load_ppb

from conftest import make_blob_images


def _h5(path, images):
    with h5py.File(path, "w") as f:
        f["images"] = images
        f["labels"] = np.arange(len(images)) % 2
    return path


@pytest.mark.parametrize("dtype", [np.uint16, np.int32, np.int64, np.uint32])
def test_wide_integer_h5_holding_8_bits_reads_in_the_documented_ranges(tmp_path, dtype):
    X, _ = make_blob_images(n=4, size=16)
    path = _h5(tmp_path / "x.h5", X.astype(dtype))
    rgb = X[..., ::-1]  # the file is BGR
    data = load_h5_faces(path, lazy=True)
    try:
        batch = data.images[[2, 0]]
        assert batch.dtype == np.uint8
        np.testing.assert_array_equal(batch, rgb[[2, 0]])
        image, _ = data.dataset[1]
        assert image.dtype == np.float32 and 0 <= image.min() and image.max() <= 1
        np.testing.assert_allclose(image, np.moveaxis(rgb[1], -1, 0) / 255, atol=1e-6)
        loader = torch.utils.data.DataLoader(data.dataset, batch_size=4)
        assert float(next(iter(loader))[0].max()) <= 1.0
        assert data.images[np.array([], int)].dtype == np.uint8
    finally:
        data.images.close()
    eager = load_h5_faces(path).images
    assert eager.dtype == np.uint8
    np.testing.assert_array_equal(eager, rgb)


def test_sixteen_bit_h5_pixels_are_refused_not_clipped(tmp_path):
    images = np.zeros((2, 16, 16, 3), np.uint16)
    images[1, 0, 0, 0] = 40000
    path = _h5(tmp_path / "deep.h5", images)
    with pytest.raises(ValueError, match="0..255") as info:
        load_h5_faces(path)
    assert_clear_error(info.value, "deep.h5")
    data = load_h5_faces(path, lazy=True)
    try:
        assert data.images[0].max() == 0  # the rows in range read as they are
        for read in (lambda: data.images[1], lambda: data.dataset[1]):
            with pytest.raises(ValueError, match="40000") as info:
                read()
            assert_clear_error(info.value, "deep.h5")
    finally:
        data.images.close()


def test_lazy_wide_integer_h5_trains_like_the_eager_array(tmp_path):
    X, y = make_blob_images(n=16, size=16)
    path = _h5(tmp_path / "x.h5", X[..., ::-1].astype(np.uint16))
    params = {"n_filters": 1, "hidden_units": (4,), "max_epochs": 1, "batch_size": 8}
    data = load_h5_faces(path, lazy=True)
    try:
        lazy = CNNClassifier(**params, random_state=0).fit(data.images, y)
        scores = lazy.decision_function(data.images)
    finally:
        data.images.close()
    eager = CNNClassifier(**params, random_state=0).fit(X, y)
    np.testing.assert_array_equal(scores, eager.decision_function(X))


@settings(max_examples=12, deadline=None, database=None, derandomize=True)
@given(
    dtype=st.sampled_from([np.uint8, np.uint16, np.int16, np.int32, np.float32, np.float64]),
    high=st.sampled_from([0, 1, 255, 256, 65535]),
)
def test_any_h5_pixels_read_in_range_or_are_refused(tmp_path_factory, dtype, high):
    images = np.zeros((2, 16, 16, 3), dtype)
    with np.errstate(all="ignore"):
        images[0, 0, 0, 0] = np.array(high).astype(dtype)
    path = _h5(tmp_path_factory.mktemp("h5") / "x.h5", images)
    data = load_h5_faces(path, lazy=True)
    try:
        image, _ = data.dataset[0]
    except ValueError as err:
        assert_clear_error(err, "x.h5")
        assert images.min() < 0 or images.max() > (1 if images.dtype.kind == "f" else 255)
        return
    finally:
        data.images.close()
    assert 0 <= image.min() and image.max() <= 1


@pytest.mark.parametrize(
    "header",
    [
        "Id,file,filename,Gender,Numeric,Skin Color,Country",
        "Id,File,file,Gender,Numeric,Skin Color,Country",
        "Id,File,Gender,Sex,Numeric,Skin Color,Country",
        "Id,File,Gender,Numeric,Fitzpatrick,Skin Color,Country",
    ],
)
def test_ppb_columns_of_the_same_meaning_are_refused_as_ambiguous(tmp_path, header):
    folder = _ppb(tmp_path, [])
    Image.new("RGB", (20, 20)).save(folder / "imgs" / "b.jpg")
    width = len(header.split(","))
    row = ["1", "a.jpg", "b.jpg", "male", "1", "lighter", "X"][:width]
    (folder / "PPB-2017-metadata.csv").write_text(f"{header}\n{','.join(row)}\n")
    with pytest.raises(ValueError, match="ambiguous") as info:
        load_ppb(folder, image_size=16)
    assert_clear_error(info.value, "PPB-2017-metadata.csv")
