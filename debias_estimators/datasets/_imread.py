"""Reading image files into ``uint8`` arrays."""

import warnings

import numpy as np
from PIL import Image, UnidentifiedImageError

from .._pixels import convert_dtype
from .._resize import center_crop as crop_to_aspect
from .._resize import resize_batch

__all__ = ["IMAGE_EXTENSIONS", "read_image", "read_images"]

IMAGE_EXTENSIONS = (".bmp", ".gif", ".jpeg", ".jpg", ".png", ".tif", ".tiff", ".webp")


def read_image(path, channels=3):
    """Read the first frame of an image file.

    Parameters
    ----------
    path : str or os.PathLike
        The file.
    channels : {1, 3}, default=3
        Grey or RGB output; colour and alpha are converted as Pillow does.

    Returns
    -------
    image : ndarray of uint8 of shape (H, W, channels)
        The pixels.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    ValueError
        If the file cannot be decoded as an image.
    """
    try:
        with warnings.catch_warnings():
            # Pillow only warns below twice its pixel limit: refuse such images as well.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                image.load()
                return _pixels(image, channels)
    except FileNotFoundError:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as err:
        raise ValueError(f"Cannot read image file {path}: too large ({err})") from err
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as err:
        # Decoders report broken files with several exception types.
        raise ValueError(f"Cannot read image file {path}: {err}") from err


def _pixels(image, channels):
    if image.mode.startswith("I;16"):
        # 16-bit grey: keep the high byte.
        grey = (np.asarray(image, dtype=np.uint16) >> 8).astype(np.uint8)
        return np.repeat(grey[..., None], channels, axis=-1)
    if image.mode in ("I", "F"):
        grey = _wide_grey(np.asarray(image), image.mode)
        return np.repeat(grey[..., None], channels, axis=-1)
    mode = "L" if channels == 1 else "RGB"
    return np.asarray(image.convert(mode), dtype=np.uint8).reshape(
        image.height, image.width, channels
    )


def _wide_grey(values, mode):
    """32-bit grey (Pillow's modes ``I`` and ``F``) to ``uint8``, by the range it uses.

    Pillow's own conversion clips these values to 0..255, so a float image in [0, 1] reads as
    black and a 16-bit range stored in 32 bits saturates.
    """
    if not np.isfinite(values).all():
        raise ValueError("the image holds NaN or infinite pixel values")
    low, high = (float(values.min()), float(values.max())) if values.size else (0.0, 0.0)
    if low < 0:
        raise ValueError(f"negative pixel values ({low:g}) in a {mode} image")
    if mode == "F" and high <= 1.0:
        return np.rint(values * 255).astype(np.uint8)
    if high <= 255:
        return np.rint(values).astype(np.uint8)
    if high <= 65535:
        return (np.rint(values).astype(np.uint32) >> 8).astype(np.uint8)
    raise ValueError(f"pixel values up to {high:g} in a {mode} image; expected at most 65535")


def read_images(paths, shape=None, *, channels=3, center_crop=False):
    """Read image files into one ``uint8`` batch, resized to a common size.

    Parameters
    ----------
    paths : sequence of path-like
        The files.
    shape : tuple of int, optional
        ``(height, width)`` to resize to; if ``None`` all files must have the same size.
    channels : {1, 3}, default=3
        Grey or RGB.
    center_crop : bool, default=False
        Crop each image to the aspect ratio of ``shape`` around its centre before resizing,
        instead of stretching it.

    Returns
    -------
    images : ndarray of uint8 of shape (n, height, width, channels)
        The batch.

    Raises
    ------
    ValueError
        If a file cannot be read, or sizes differ while ``shape`` is ``None``.
    """
    images = []
    for path in paths:
        image = read_image(path, channels)
        if shape is None:
            if images and image.shape != images[0].shape:
                raise ValueError(
                    f"Image sizes do not match: {paths[0]} is {images[0].shape[1]}x"
                    f"{images[0].shape[0]} but {path} is {image.shape[1]}x{image.shape[0]} "
                    f"(width x height). Pass an image size to resize them."
                )
            images.append(image)
            continue
        if center_crop:
            image = crop_to_aspect(image, shape)
        # skimage's anti-aliased resize, not PIL.ImageOps.fit: PIL's filters give other pixels.
        images.append(convert_dtype(resize_batch(image[None], shape)[0], "uint8"))
    if not images:
        size = (0, 0) if shape is None else shape
        return np.empty((0, *size, channels), dtype=np.uint8)
    return np.stack(images)
