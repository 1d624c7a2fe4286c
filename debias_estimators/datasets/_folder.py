"""Images sorted into one sub-folder per class, as torchvision's ``ImageFolder`` reads them."""

import os
import re
import warnings
from pathlib import Path

import numpy as np

from .._resize import check_size
from ._bunch import finish
from ._imread import IMAGE_EXTENSIONS, read_images

__all__ = ["load_image_folder"]

# Folder names that read as the positive class (faces) or as the rest; used only to warn.
_POSITIVE_NAMES = re.compile(r"^(faces?|positives?|pos|yes|true|1)$", re.I)
_NEGATIVE_NAMES = re.compile(
    r"^(non[-_ ]?.*|not[-_ ]?.*|others?|negatives?|neg|no|false|0|background)$", re.I
)


def load_image_folder(
    root, *, image_size=64, channels=3, center_crop=False, positive=None, return_X_y=False
):
    """Load images from ``root/<class name>/<image file>``.

    Classes are the sub-folders in sorted order; files whose extension is not a common image
    format (``.png``, ``.jpg``, ``.jpeg``, ``.bmp``, ``.gif``, ``.tif``, ``.tiff``,
    ``.webp``) and hidden files are skipped.

    The estimators debias the larger label (target 1) unless told otherwise, and sorted order
    can make it the wrong folder: ``faces/`` and ``other/`` number the faces 0. Name the
    positive folder with ``positive="faces"`` to get target 1 for its images and 0 for all
    others; without it, a warning is raised when two folders' names suggest that the
    positive class came out as 0.

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
    positive : str, optional
        The folder of the positive class (faces): its images get target 1, the others 0, and
        ``target_names`` becomes ``[<the other folders, joined by "+">, positive]``.
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
        ``positive`` names no class folder, or sizes differ while ``image_size`` is ``None``.

    Warns
    -----
    UserWarning
        If ``positive`` is not given, there are two folders, and their names suggest the
        positive class is numbered 0 (e.g. ``faces`` and ``other``).
    """
    shape = check_size(image_size, "image_size")
    if channels not in (1, 3):
        raise ValueError(f"channels must be 1 or 3; got {channels!r}.")
    classes, files = _scan(Path(root))
    if positive is not None and positive not in classes:
        raise ValueError(f"positive={positive!r} is not a class folder of {root}; found {classes}.")
    if positive is None:
        _warn_if_positive_looks_wrong(classes, root)
    paths = [path for class_files in files for path in class_files]
    images = read_images(paths, shape, channels=channels, center_crop=center_crop)
    target = np.repeat(np.arange(len(classes)), [len(f) for f in files]).astype(np.int64)
    names = np.array(classes)
    if positive is not None:
        target = (target == classes.index(positive)).astype(np.int64)
        names = np.array(["+".join(c for c in classes if c != positive), positive])
    return finish(
        return_X_y,
        images=images,
        target=target,
        target_names=names,
        filenames=np.array([os.fspath(p) for p in paths]),
    )


def _warn_if_positive_looks_wrong(classes, root):
    if len(classes) != 2:
        return
    first, last = classes
    if _POSITIVE_NAMES.match(first) or _NEGATIVE_NAMES.match(last):
        warnings.warn(
            f"In {root}, the class folders {classes} are numbered 0 and 1 in sorted order, so "
            f"{last!r} is the positive class (target 1), the one the estimators debias. If "
            f"{first!r} holds the faces, pass positive={first!r}.",
            UserWarning,
            stacklevel=3,
        )


def _scan(root):
    if not root.is_dir():
        raise FileNotFoundError(f"No such folder: {root}")
    classes = sorted(p.name for p in root.iterdir() if p.is_dir() and not _hidden(p))
    if not classes:
        raise ValueError(f"{root} holds no class folders; expected root/<class>/<image>.")
    files = [sorted(p for p in (root / c).iterdir() if _is_image(p)) for c in classes]
    # A link may point anywhere; only what lies inside the dataset's folder is read.
    inside = root.resolve()
    outside = [str(p) for f in files for p in f if not p.resolve().is_relative_to(inside)]
    if outside:
        raise ValueError(
            f"{root} links to image(s) outside it, e.g. {outside[:3]}; only files inside the "
            "dataset's folder are read."
        )
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
