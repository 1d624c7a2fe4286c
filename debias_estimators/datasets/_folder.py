"""Images sorted into one sub-folder per class, as torchvision's ``ImageFolder`` reads them."""

import os
from pathlib import Path

import numpy as np

from ._bunch import finish
from ._imread import IMAGE_EXTENSIONS, read_images
from ._resize import check_size

__all__ = ["load_image_folder"]


def load_image_folder(root, *, image_size=64, channels=3, center_crop=False, return_X_y=False):
    """Load images from ``root/<class name>/<image file>``.

    Classes are the sub-folders in sorted order; files whose extension is not a common image
    format (``.png``, ``.jpg``, ``.jpeg``, ``.bmp``, ``.gif``, ``.tif``, ``.tiff``,
    ``.webp``) and hidden files are skipped.

    Parameters
    ----------
    root : str or os.PathLike
        The folder of class folders.
    image_size : int, tuple of int or None, default=64
        Side (or ``(height, width)``) to resize to; ``None`` keeps the files' size, which
        must then be the same for all.
    channels : {1, 3}, default=3
        Grey or RGB output.
    center_crop : bool, default=False
        Crop to the output's aspect ratio around the centre instead of stretching.
    return_X_y : bool, default=False
        Return ``(images, target)`` instead of a Bunch.

    Returns
    -------
    data : sklearn.utils.Bunch or tuple
        ``images`` (``uint8`` ``(n, H, W, channels)``), ``target`` (index of the class),
        ``target_names`` (the folder names) and ``filenames``.

    Raises
    ------
    FileNotFoundError
        If ``root`` is not a folder.
    ValueError
        If there are no class folders, a class folder holds no image, a file cannot be read,
        or sizes differ while ``image_size`` is ``None``.
    """
    shape = check_size(image_size, "image_size")
    if channels not in (1, 3):
        raise ValueError(f"channels must be 1 or 3; got {channels!r}.")
    classes, files = _scan(Path(root))
    paths = [path for class_files in files for path in class_files]
    images = read_images(paths, shape, channels=channels, center_crop=center_crop)
    target = np.repeat(np.arange(len(classes)), [len(f) for f in files]).astype(np.int64)
    return finish(
        return_X_y,
        images=images,
        target=target,
        target_names=np.array(classes),
        filenames=np.array([os.fspath(p) for p in paths]),
    )


def _scan(root):
    if not root.is_dir():
        raise FileNotFoundError(f"No such folder: {root}")
    classes = sorted(p.name for p in root.iterdir() if p.is_dir() and not _hidden(p))
    if not classes:
        raise ValueError(f"{root} holds no class folders; expected root/<class>/<image>.")
    files = [sorted(p for p in (root / c).iterdir() if _is_image(p)) for c in classes]
    empty = [c for c, f in zip(classes, files, strict=True) if not f]
    if empty:
        raise ValueError(
            f"Class folder(s) {empty} in {root} hold no image files "
            f"({', '.join(IMAGE_EXTENSIONS)})."
        )
    return classes, files


def _hidden(path):
    return path.name.startswith(".")


def _is_image(path):
    return path.is_file() and not _hidden(path) and path.suffix.lower() in IMAGE_EXTENSIONS
