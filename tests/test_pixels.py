import numpy as np
import pytest

from debias_estimators._pixels import convert_channels, convert_dtype


def test_uint8_float32_round_trip_is_exact():
    levels = np.arange(256, dtype=np.uint8).reshape(1, 16, 16, 1)
    floats = convert_dtype(levels, "float32")
    assert floats.dtype == np.float32
    np.testing.assert_allclose(floats, levels / 255, rtol=1e-6)
    np.testing.assert_array_equal(convert_dtype(floats, "uint8"), levels)
    assert convert_dtype(levels, "uint8") is levels


def test_floats_a_little_outside_the_range_are_clipped():
    # check_images lets floats overshoot [0, 1] by 1e-3; they still round to 0 and 255.
    pixels = np.array([-5e-4, 0.5, 1 + 5e-4], dtype=np.float32)
    np.testing.assert_array_equal(convert_dtype(pixels, "uint8"), [0, 128, 255])


@pytest.mark.parametrize("dtype", ["uint8", "float32"])
def test_grey_is_the_bt709_luma_and_back_to_rgb_repeats_it(dtype):
    rgb = np.array([[[[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 255]]]], dtype=np.uint8)
    rgb = convert_dtype(rgb, dtype)
    grey = convert_channels(rgb, 1)
    assert grey.dtype == rgb.dtype and grey.shape == (1, 1, 4, 1)
    expected = np.array([0.2125, 0.7154, 0.0721, 1.0]) * (255 if dtype == "uint8" else 1)
    np.testing.assert_allclose(grey[0, 0, :, 0], expected, atol=0.5 if dtype == "uint8" else 1e-6)
    np.testing.assert_array_equal(convert_channels(grey, 3), np.repeat(grey, 3, axis=-1))
