"""One group label per image, from its attributes, for the methods that train over groups."""

import numpy as np
import pandas as pd

__all__ = ["group_labels"]


def group_labels(attributes, columns=("skin_type", "gender"), *, missing="non-face"):
    """Return one label per image: its values of ``columns`` joined by ``/``.

    Group DRO (``sensitive_features``) and an oracle's inverse-frequency weights take these:
    the PPB-style groups of the faces, and one group of their own for the images without a
    value (the non-faces of :func:`make_biased_faces`).

    Parameters
    ----------
    attributes : pandas.DataFrame
        One row per image, e.g. the ``attributes`` of :func:`make_biased_faces`.
    columns : sequence of str, default=("skin_type", "gender")
        The attributes that make a group.
    missing : str, default="non-face"
        The label of an image missing any of ``columns``.

    Returns
    -------
    labels : ndarray of object, shape (n_images,)
        E.g. ``"darker/female"``, or ``missing``.

    Raises
    ------
    ValueError
        If ``attributes`` lacks one of ``columns``.
    """
    if not isinstance(attributes, pd.DataFrame):
        raise TypeError(f"attributes must be a pandas DataFrame; got {type(attributes).__name__}.")
    absent = [column for column in columns if column not in attributes.columns]
    if absent:
        raise ValueError(f"attributes have no column {absent[0]!r}; they have {list(attributes)}.")
    values = attributes[list(columns)].astype(object)
    rows = values.itertuples(index=False)
    joined = np.array(["/".join(map(str, row)) for row in rows], dtype=object)
    return np.where(values.isna().any(axis=1).to_numpy(), missing, joined)
