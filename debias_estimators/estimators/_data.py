"""Input validation and the batch-indexed dataset the estimators train on.

Images stay in the dtype they came in (``uint8`` stays ``uint8``) and are turned into
``float32`` tensors one batch at a time, so a training set costs its raw size in memory.
"""

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.utils.validation import check_array

from .._images import as_channels_first, check_images, to_float_batch
from ..nn import MIN_IMAGE_SIZE

__all__ = ["ArrayDataset", "check_inputs", "dataset_labels"]


def check_inputs(X, *, image_shape=None, data_format="auto"):
    """Validate ``X`` and return it in the layout the torch modules take.

    Parameters
    ----------
    X : array-like
        Images ``(n, H, W)``, ``(n, H, W, C)`` or ``(n, C, H, W)``; or feature vectors
        ``(n, n_features)``.
    image_shape : tuple of int, optional
        ``(H, W)`` or ``(H, W, C)``: read each row of two-dimensional ``X`` as such an image.
    data_format : {"auto", "channels_last", "channels_first"}, default="auto"
        Layout of four-dimensional input.

    Returns
    -------
    data : ndarray
        ``(n, C, H, W)`` images (a view where possible, ``uint8`` or ``float32``) or
        ``(n, n_features)`` ``float32`` vectors.
    """
    X = _as_array(X)
    if X.ndim == 2 and image_shape is not None:
        X = _rows_as_images(X, image_shape)
    if X.ndim == 2:
        return check_array(X, dtype=np.float32, ensure_min_samples=1)
    if X.ndim < 2:
        check_array(X)  # raises sklearn's own "Expected 2D array ... Reshape your data" error
    images, layout = check_images(X, data_format=data_format)
    images = as_channels_first(images, layout)
    height, width = images.shape[2:]
    if min(height, width) < MIN_IMAGE_SIZE:
        raise ValueError(
            f"Images of {height}x{width} pixels are too small for the network: both sides must "
            f"be at least {MIN_IMAGE_SIZE} pixels (four stride-2 convolution blocks). Resize "
            f"them, e.g. with ImageTransformer(size=32)."
        )
    return images


def _as_array(X):
    if sp.issparse(X):
        check_array(X, accept_sparse=False)  # sklearn's own message for sparse input
    if hasattr(X, "__array__") or isinstance(X, list | tuple):
        X = np.asarray(X)
    if not isinstance(X, np.ndarray):
        raise TypeError(f"X must be an array-like of images or features, got {type(X).__name__}.")
    if X.dtype == object:
        X = check_array(X, dtype=np.float32, allow_nd=True)
    return X


def _rows_as_images(X, image_shape):
    image_shape = tuple(int(s) for s in image_shape)
    if len(image_shape) not in (2, 3) or int(np.prod(image_shape)) != X.shape[1]:
        raise ValueError(
            f"image_shape {image_shape} must be (H, W) or (H, W, C) with H*W*C equal to the "
            f"{X.shape[1]} features of each row."
        )
    return X.reshape(-1, *image_shape)


def dataset_labels(dataset):
    """Return the binary labels of an :class:`ArrayDataset` or a ``Subset`` of one."""
    if isinstance(dataset, torch.utils.data.Subset):
        return dataset_labels(dataset.dataset)[np.asarray(dataset.indices)]
    return dataset.y


class ArrayDataset(torch.utils.data.Dataset):
    """A dataset indexed by whole batches of indices.

    ``dataset[indices]`` returns ``(x, meta)``: a ``float32`` tensor of the samples (pixels
    scaled to ``[0, 1]``) and a dict with the binary labels ``"y"``, the per-sample loss
    weights ``"w"`` and the sample indices ``"index"``. Images stored channels last (as they
    come from files) give ``channels_last`` tensors without a transposing copy.

    Parameters
    ----------
    X : ndarray
        Samples as returned by :func:`check_inputs`.
    y : ndarray of shape (n_samples,), optional
        Binary labels (1 = positive class); zeros when absent.
    sample_weight : ndarray of shape (n_samples,), optional
        Per-sample loss weights; ones when absent.
    with_decode_mask : bool, default=False
        Return ``x`` as a dict ``{"x": tensor, "decode_mask": y > 0.5}``, which skorch passes
        to the module's ``forward`` as keyword arguments.
    """

    def __init__(self, X, y=None, sample_weight=None, with_decode_mask=False):
        n_samples = len(X)
        self.X = X
        self.with_decode_mask = with_decode_mask
        # A channels-first view of channels-last memory: index the memory in its own order.
        self._nhwc = X.ndim == 4 and X.strides[1] < X.strides[3]
        self.y = np.zeros(n_samples, np.float32) if y is None else np.asarray(y, np.float32)
        self.sample_weight = (
            np.ones(n_samples, np.float32)
            if sample_weight is None
            else np.asarray(sample_weight, np.float32)
        )

    def __len__(self):
        return len(self.X)

    def __getitem__(self, indices):
        indices = np.atleast_1d(np.asarray(indices, dtype=np.int64))
        if self._nhwc:
            x = torch.from_numpy(to_float_batch(np.moveaxis(self.X, 1, 3)[indices]))
            x = x.permute(0, 3, 1, 2)
        else:
            x = torch.from_numpy(to_float_batch(self.X[indices]))
        meta = {
            "y": torch.from_numpy(self.y[indices]),
            "w": torch.from_numpy(self.sample_weight[indices]),
            "index": torch.from_numpy(indices),
        }
        if self.with_decode_mask:
            x = {"x": x, "decode_mask": meta["y"] > 0.5}
        return x, meta
