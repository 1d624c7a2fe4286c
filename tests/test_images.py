import numpy as np
import pytest

from debias_estimators._images import as_channels_first, check_images, infer_layout, to_float_batch


@pytest.mark.parametrize(
    "shape, layout",
    [
        ((5, 25, 25), "nhw"),
        ((5, 64, 64, 3), "nhwc"),
        ((5, 3, 64, 64), "nchw"),
        ((5, 32, 32, 1), "nhwc"),
    ],
)
def test_layout_rule(shape, layout):
    assert infer_layout(shape) == layout


def test_ambiguous_shape_raises_with_a_hint():
    with pytest.raises(ValueError, match="data_format='channels_last'"):
        infer_layout((5, 3, 8, 3))
    assert infer_layout((5, 3, 8, 3), "channels_first") == "nchw"


def test_no_channel_axis_raises():
    with pytest.raises(ValueError, match="channel axis"):
        infer_layout((5, 8, 8, 8))
    with pytest.raises(ValueError, match="dimensions"):
        infer_layout((5, 8))


def test_check_images_keeps_uint8_without_copy_and_converts_ints():
    X = np.zeros((2, 4, 4, 3), np.uint8)
    out, layout = check_images(X)
    assert out is X and layout == "nhwc"
    out, _ = check_images(X.astype(np.int64) + 200)
    assert out.dtype == np.uint8 and out.max() == 200


@pytest.mark.parametrize(
    "X, error, match",
    [
        (np.zeros((0, 4, 4)), ValueError, "empty"),
        (np.full((2, 4, 4), np.nan), ValueError, "NaN"),
        (np.full((2, 4, 4), 255.0), ValueError, r"\[0, 1\]"),
        (np.full((2, 4, 4), 300), ValueError, "0..255"),
        (np.zeros((2, 4, 4), bool), TypeError, "numeric"),
        (np.array([["a"]]), TypeError, "numeric"),
    ],
)
def test_bad_images_raise(X, error, match):
    with pytest.raises(error, match=match):
        check_images(X)


def test_channels_first_views_and_float_batches():
    X = np.arange(2 * 4 * 5 * 3, dtype=np.uint8).reshape(2, 4, 5, 3)
    view = as_channels_first(X, "nhwc")
    assert view.shape == (2, 3, 4, 5) and np.shares_memory(view, X)
    assert as_channels_first(X[..., 0], "nhw").shape == (2, 1, 4, 5)
    batch = to_float_batch(view[[1, 0]])
    assert batch.dtype == np.float32 and batch.flags.c_contiguous
    np.testing.assert_allclose(batch[1], np.moveaxis(X[0], 2, 0) / 255, rtol=1e-6)
