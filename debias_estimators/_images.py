"""The one place that knows image layouts.

Images reach the library in three layouts:

* ``(n, H, W)``: grey images;
* ``(n, H, W, C)``: channels last, as images come from files and HDF5;
* ``(n, C, H, W)``: channels first, as torch uses them.

The rule for four-dimensional input: a channel axis has 1 or 3 entries. If only the last axis
qualifies the layout is channels last, if only the second does it is channels first. When both
qualify (e.g. ``(n, 3, 5, 3)``) the shape is ambiguous and ``data_format`` must say which.

Pixel values are ``uint8`` in ``0..255`` or floats in ``[0, 1]``. Other integer types holding
``0..255`` are accepted and stored as ``uint8``. Nothing here imports torch: batches are turned
into tensors by the estimators.
"""

import numpy as np

__all__ = [
    "CHANNEL_COUNTS",
    "DATA_FORMATS",
    "MIN_IMAGE_SIZE",
    "as_channels_first",
    "as_image_array",
    "check_images",
    "infer_layout",
    "to_float_batch",
]

CHANNEL_COUNTS = (1, 3)
DATA_FORMATS = ("auto", "channels_last", "channels_first")
# The smallest side the networks take: their four stride-2 reductions take 16 pixels down to
# 1, below that the last blocks see padding only.
MIN_IMAGE_SIZE = 16
_FLOAT_TOLERANCE = 1e-3


def infer_layout(shape, data_format="auto"):
    """Tell the layout of an image array from its shape.

    Parameters
    ----------
    shape : tuple of int
        Shape of the array, the sample axis first.
    data_format : {"auto", "channels_last", "channels_first"}, default="auto"
        Layout of four-dimensional input; ``"auto"`` applies the rule of this module.

    Returns
    -------
    layout : {"nhw", "nhwc", "nchw"}
        The layout of the array.

    Raises
    ------
    ValueError
        If the shape is not that of an image batch, or is ambiguous under ``"auto"``.
    """
    if data_format not in DATA_FORMATS:
        raise ValueError(f"data_format must be one of {DATA_FORMATS}, got {data_format!r}.")
    if len(shape) == 3:
        return "nhw"
    if len(shape) != 4:
        raise ValueError(
            f"Images must have 3 dimensions (n, H, W) or 4 dimensions (n, H, W, C) / "
            f"(n, C, H, W); got an array of shape {tuple(shape)}."
        )
    if data_format == "channels_last":
        return "nhwc"
    if data_format == "channels_first":
        return "nchw"
    last, second = shape[3] in CHANNEL_COUNTS, shape[1] in CHANNEL_COUNTS
    if last and second:
        raise ValueError(
            f"Ambiguous image shape {tuple(shape)}: both axis 1 and axis 3 could hold the "
            f"channels. Pass data_format='channels_last' for (n, H, W, C) or "
            f"data_format='channels_first' for (n, C, H, W)."
        )
    if last:
        return "nhwc"
    if second:
        return "nchw"
    raise ValueError(
        f"Cannot find the channel axis of images shaped {tuple(shape)}: expected "
        f"{' or '.join(map(str, CHANNEL_COUNTS))} channels on axis 3 (n, H, W, C) or "
        f"on axis 1 (n, C, H, W)."
    )


def check_images(X, *, data_format="auto", name="X"):
    """Validate an image batch and return it with a pixel dtype the library stores.

    Parameters
    ----------
    X : array-like
        Images in one of the layouts of this module.
    data_format : {"auto", "channels_last", "channels_first"}, default="auto"
        Layout of four-dimensional input.
    name : str, default="X"
        Name used in error messages.

    Returns
    -------
    images : ndarray
        ``uint8`` or ``float32`` images, unchanged in layout (no copy for ``uint8`` and
        ``float32`` input).
    layout : {"nhw", "nhwc", "nchw"}
        Their layout.

    Raises
    ------
    TypeError
        If the pixels are not numbers.
    ValueError
        If the array is empty, not shaped like images, holds NaN or infinity, or its values
        lie outside the pixel range.
    """
    images = as_image_array(X, name)
    if images.dtype == bool or not (
        np.issubdtype(images.dtype, np.integer) or np.issubdtype(images.dtype, np.floating)
    ):
        raise TypeError(
            f"{name} must hold numeric pixels (uint8 0..255 or float 0..1); got dtype "
            f"{images.dtype}."
        )
    layout = infer_layout(images.shape, data_format)
    if images.shape[0] == 0:
        raise ValueError(f"{name} is empty: found 0 images (shape {images.shape}).")
    if 0 in images.shape[1:]:
        raise ValueError(f"{name} has an image axis of length 0 (shape {images.shape}).")
    if np.issubdtype(images.dtype, np.integer):
        return _check_integer_pixels(images, name), layout
    return _check_float_pixels(images, name), layout


def _check_integer_pixels(images, name):
    if images.dtype == np.uint8:
        return images
    low, high = images.min(), images.max()
    if low < 0 or high > 255:
        raise ValueError(
            f"Integer pixels of {name} must lie in 0..255; found values from {low} to {high}."
        )
    return images.astype(np.uint8)


def _check_float_pixels(images, name):
    if not np.isfinite(images).all():
        raise ValueError(f"{name} contains NaN or infinity.")
    low, high = float(images.min()), float(images.max())
    if low < -_FLOAT_TOLERANCE or high > 1 + _FLOAT_TOLERANCE:
        raise ValueError(
            f"Float pixels of {name} must lie in [0, 1]; found values from {low:g} to "
            f"{high:g}. Divide by 255, or pass uint8 images."
        )
    return images.astype(np.float32, copy=False)


def as_image_array(X, name="X"):
    """Return ``np.asarray(X)``, refusing a list of images of different sizes by name.

    Parameters
    ----------
    X : array-like
        Images, or a list of them.
    name : str, default="X"
        Name used in error messages.

    Returns
    -------
    images : ndarray
        The stacked images.

    Raises
    ------
    ValueError
        If the items of a list or tuple differ in shape: the message names the first two.
    """
    if isinstance(X, list | tuple) and X:
        first = _item_shape(X[0], name, 0)
        for index, item in enumerate(X[1:], start=1):
            shape = _item_shape(item, name, index)
            if shape != first:
                raise ValueError(
                    f"{name} is a list of images (or samples) of different shapes: {name}[0] "
                    f"has shape {first} and {name}[{index}] has shape {shape}. Bring them to "
                    f"one size first, e.g. ImageTransformer(size=64).fit_transform(image[None]) "
                    f"for each image, or a loader's image_size."
                )
    return np.asarray(X)


def _item_shape(item, name, index):
    try:
        return np.shape(item)
    except ValueError:  # itself a ragged nest of lists
        raise ValueError(f"{name}[{index}] is not an array: its rows differ in length.") from None


def as_channels_first(images, layout):
    """View images as ``(n, C, H, W)`` without copying.

    Parameters
    ----------
    images : ndarray
        Images in ``layout``.
    layout : {"nhw", "nhwc", "nchw"}
        Their layout.

    Returns
    -------
    view : ndarray
        A view of shape ``(n, C, H, W)``.
    """
    if layout == "nhw":
        return images[:, np.newaxis]
    if layout == "nhwc":
        return np.moveaxis(images, 3, 1)
    if layout == "nchw":
        return images
    raise ValueError(f"Unknown layout {layout!r}.")


def to_float_batch(batch):
    """Turn a pixel batch into contiguous ``float32`` values in ``[0, 1]``.

    Parameters
    ----------
    batch : ndarray
        ``uint8`` pixels (scaled by 1/255) or floats (kept).

    Returns
    -------
    floats : ndarray of float32
        A new contiguous array.
    """
    if batch.dtype == np.uint8:
        return np.multiply(batch, np.float32(1 / 255), dtype=np.float32, order="C")
    return np.ascontiguousarray(batch, dtype=np.float32)
