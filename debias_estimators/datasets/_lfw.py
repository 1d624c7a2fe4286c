"""The 200 real face and non-face crops that scikit-image ships with."""

import numpy as np
from skimage import data as skimage_data

from .._images import check_images
from .._pixels import DTYPES, convert_dtype
from ._bunch import finish

__all__ = ["load_lfw_subset"]

_N_FACES = 100


def load_lfw_subset(*, dtype="float32", return_X_y=False):
    """Load scikit-image's LFW subset: 100 faces and 100 non-faces, 25x25 grey.

    The faces are crops from Labeled Faces in the Wild; the non-faces are background crops of
    the same photographs. This is real data that needs no download.

    Parameters
    ----------
    dtype : {"float32", "uint8"}, default="float32"
        Pixel type. The file holds floats in ``[0, 1]`` (not ``uint8`` as its docstring
        says); ``"uint8"`` rounds them to ``0..255``.
    return_X_y : bool, default=False
        Return ``(images, target)`` instead of a Bunch.

    Returns
    -------
    data : sklearn.utils.Bunch or tuple
        ``images`` ``(200, 25, 25)``, ``target`` (1 for the first 100 images, the faces;
        0 for the rest), ``target_names`` and ``DESCR``.
    """
    if dtype not in DTYPES:
        raise ValueError(f"dtype must be one of {DTYPES}; got {dtype!r}.")
    images, _ = check_images(skimage_data.lfw_subset(), name="skimage.data.lfw_subset()")
    target = (np.arange(len(images)) < _N_FACES).astype(np.int64)
    return finish(
        return_X_y,
        images=convert_dtype(images, dtype),
        target=target,
        DESCR=load_lfw_subset.__doc__,
    )
