"""Group labels as fairlearn passes them, turned into one integer group id per sample."""

import numpy as np

from .._group_inputs import as_feature_frame

__all__ = ["group_codes", "group_keys"]


def _group_rows(sensitive_features, n_samples):
    """One hashable key per sample: a value, or a tuple of values for several columns."""
    frame = as_feature_frame(sensitive_features)
    if len(frame) != n_samples:
        raise ValueError(f"sensitive_features has {len(frame)} rows but X has {n_samples} samples.")
    missing = frame.isna().any(axis=1).to_numpy()
    if missing.any():
        raise ValueError(
            f"{int(missing.sum())} sample(s) have missing sensitive features; group DRO needs "
            f"the group of every training sample: drop those samples or give them a group."
        )
    return frame


def group_keys(sensitive_features, n_samples):
    """Return the distinct groups of the samples, sorted; ``[None]`` without groups."""
    if sensitive_features is None:
        return np.array([None], dtype=object)
    frame = _group_rows(sensitive_features, n_samples)
    index = frame.groupby(list(frame.columns), sort=True).size().index
    keys = np.empty(len(index), dtype=object)
    keys[:] = list(index)  # tuples stay tuples
    return keys


def group_codes(sensitive_features, n_samples, keys):
    """Return each sample's position in ``keys``; refuse groups not among them."""
    if sensitive_features is None:
        if len(keys) != 1:
            raise ValueError(
                f"sensitive_features is required: the estimator was fitted on {len(keys)} groups."
            )
        return np.zeros(n_samples, np.int64)
    frame = _group_rows(sensitive_features, n_samples)
    if frame.shape[1] == 1:
        rows = frame.iloc[:, 0].tolist()
    else:
        rows = list(frame.itertuples(index=False, name=None))
    lookup = {key: code for code, key in enumerate(keys)}
    unseen = sorted({repr(row) for row in rows if row not in lookup})
    if unseen:
        raise ValueError(
            f"sensitive_features holds groups not seen in fit: {', '.join(unseen[:5])}."
        )
    return np.array([lookup[row] for row in rows], dtype=np.int64)
