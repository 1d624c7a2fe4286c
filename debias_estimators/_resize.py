"""Resizing and centre-cropping of images, one at a time or as a batch."""

import numbers

import numpy as np
from skimage.transform import resize

__all__ = ["center_crop", "check_size", "resize_batch"]

_CHUNK = 512


def check_size(size, name="size", allow_none=True):
    """Validate a target size.

    Parameters
    ----------
    size : int, tuple of two ints, or None
        Side of square images, or ``(height, width)``; ``None`` keeps sizes.
    name : str, default="size"
        Name used in error messages.
    allow_none : bool, default=True
        Whether ``None`` is accepted.

    Returns
    -------
    shape : tuple of two ints, or None
        ``(height, width)``.

    Raises
    ------
    ValueError
        If ``size`` is not a positive int or a pair of them.
    """
    if size is None and allow_none:
        return None
    pair = (size, size) if isinstance(size, numbers.Integral) else size
    try:
        ok = len(pair) == 2 and all(
            isinstance(s, numbers.Integral) and not isinstance(s, bool) and s > 0 for s in pair
        )
    except TypeError:
        ok = False
    if not ok or isinstance(size, bool):
        allowed = "a positive int, a (height, width) pair" + (" or None" if allow_none else "")
        raise ValueError(f"{name} must be {allowed}; got {size!r}.")
    return int(pair[0]), int(pair[1])


def center_crop(image, shape):
    """Crop the centre of an image to the aspect ratio of ``shape``.

    Parameters
    ----------
    image : ndarray of shape (H, W) or (H, W, C)
        The image.
    shape : tuple of int
        ``(height, width)`` whose aspect ratio the crop takes.

    Returns
    -------
    crop : ndarray
        A view of the largest centred window with that aspect ratio.
    """
    height, width = image.shape[:2]
    aspect = shape[0] / shape[1]
    new_h, new_w = min(height, round(width * aspect)), min(width, round(height / aspect))
    top, left = (height - new_h) // 2, (width - new_w) // 2
    return image[top : top + max(new_h, 1), left : left + max(new_w, 1)]


def resize_batch(images, shape):
    """Resize ``(n, H, W, C)`` images to ``shape`` with anti-aliasing.

    Parameters
    ----------
    images : ndarray of shape (n, H, W, C)
        ``uint8`` or ``float32`` images.
    shape : tuple of int
        ``(height, width)`` wanted.

    Returns
    -------
    resized : ndarray of float32 of shape (n, height, width, C)
        Pixels in ``[0, 1]``; ``images`` as floats if the size already matches.
    """
    scale = np.float32(1 / 255) if images.dtype == np.uint8 else np.float32(1)
    if images.shape[1:3] == tuple(shape):
        return np.multiply(images, scale, dtype=np.float32)
    out = np.empty((len(images), *shape, images.shape[-1]), dtype=np.float32)
    # One call per chunk: skimage smooths and samples every axis, the image axis untouched.
    for start in range(0, len(images), _CHUNK):
        chunk = np.multiply(images[start : start + _CHUNK], scale, dtype=np.float32)
        out[start : start + _CHUNK] = resize(
            chunk,
            (len(chunk), *shape, chunk.shape[-1]),
            order=1,
            anti_aliasing=True,
            preserve_range=True,
        )
    return np.clip(out, 0, 1, out=out)
