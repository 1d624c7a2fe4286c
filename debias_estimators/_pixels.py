"""Channel and pixel-type conversions of channels-last image batches."""

import numpy as np
from skimage.util import img_as_float32, img_as_ubyte

__all__ = ["DTYPES", "LUMA", "convert_channels", "convert_dtype"]

DTYPES = ("uint8", "float32")
# ITU-R BT.709 luma weights, as skimage.color.rgb2gray uses. rgb2gray itself is not used: it
# works in float64 and would round 424 of the 16.7 million uint8 colours to another grey level.
LUMA = np.array([0.2125, 0.7154, 0.0721], dtype=np.float32)


def convert_channels(images, channels):
    """Turn ``(n, H, W, C)`` images with 1 or 3 channels into ``channels`` channels.

    Parameters
    ----------
    images : ndarray of shape (n, H, W, C)
        ``uint8`` or ``float32`` images, ``C`` in {1, 3}.
    channels : {1, 3}
        Channels wanted: grey is repeated into RGB, RGB is reduced to its luma.

    Returns
    -------
    converted : ndarray of shape (n, H, W, channels)
        Same dtype as ``images``; ``images`` itself if nothing changes.
    """
    have = images.shape[-1]
    if have == channels:
        return images
    if channels == 3:
        return np.repeat(images, 3, axis=-1)
    grey = np.tensordot(images.astype(np.float32, copy=False), LUMA, axes=([-1], [0]))[..., None]
    if images.dtype == np.uint8:
        return np.clip(np.rint(grey), 0, 255).astype(np.uint8)
    return grey.astype(np.float32, copy=False)


def convert_dtype(images, dtype):
    """Turn ``uint8`` or ``float32`` pixels into ``dtype``.

    Parameters
    ----------
    images : ndarray
        ``uint8`` pixels in ``0..255`` or ``float32`` pixels in ``[0, 1]``.
    dtype : {"uint8", "float32"}
        Pixel type wanted; floats are scaled to ``[0, 1]``.

    Returns
    -------
    converted : ndarray
        The images in ``dtype``; ``images`` itself if it already has it.
    """
    if images.dtype == np.dtype(dtype):
        return images
    if dtype == "float32":
        return img_as_float32(images)
    # Float pixels may overshoot [0, 1] by the tolerance of check_images; skimage refuses that.
    return img_as_ubyte(np.clip(images, 0, 1))
