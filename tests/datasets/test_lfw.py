import numpy as np
import pytest

from debias_estimators.datasets import load_lfw_subset
from debias_estimators.preprocessing import ImageTransformer


def test_two_hundred_real_grey_images():
    data = load_lfw_subset()
    assert data.images.shape == (200, 25, 25)
    assert data.images.dtype == np.float32
    assert 0 <= data.images.min() and data.images.max() <= 1
    np.testing.assert_array_equal(data.target, [1] * 100 + [0] * 100)
    assert list(data.target_names) == ["non-face", "face"]


def test_uint8_and_return_X_y():
    X, y = load_lfw_subset(dtype="uint8", return_X_y=True)
    assert X.dtype == np.uint8
    np.testing.assert_array_equal(X, np.rint(load_lfw_subset().images * 255))
    assert y.sum() == 100


def test_feeds_an_rgb_pipeline_step():
    X, _ = load_lfw_subset(return_X_y=True)
    out = ImageTransformer(size=32, channels=3).fit_transform(X)
    assert out.shape == (200, 32, 32, 3)
    assert out.dtype == np.uint8


def test_bad_dtype():
    with pytest.raises(ValueError, match="dtype"):
        load_lfw_subset(dtype="float64")
