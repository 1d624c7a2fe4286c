"""The common return of the loaders: a Bunch, or ``(images, target)``."""

import numpy as np
from sklearn.utils import Bunch

__all__ = ["FACE_TARGET_NAMES", "finish"]

FACE_TARGET_NAMES = ("non-face", "face")


def finish(return_X_y, **fields):
    """Return ``(images, target)`` or a Bunch of all fields.

    Parameters
    ----------
    return_X_y : bool
        Whether to return the pair only.
    **fields
        At least ``images`` and ``target``.

    Returns
    -------
    data : sklearn.utils.Bunch or tuple
        The Bunch, or ``(images, target)``.
    """
    if return_X_y:
        return fields["images"], fields["target"]
    fields.setdefault("target_names", np.array(FACE_TARGET_NAMES))
    return Bunch(**fields)
