"""Input validation and the batch-indexed dataset the estimators train on.

Images stay in the dtype they came in (``uint8`` stays ``uint8``) and are turned into
``float32`` tensors one batch at a time, so a training set costs its raw size in memory.
"""

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.utils.validation import check_array

from .._images import (
    as_channels_first,
    as_image_array,
    check_images,
    infer_layout,
    to_float_batch,
)
from ..nn import MIN_IMAGE_SIZE
from ._params import check_image_shape

__all__ = [
    "ArrayDataset",
    "LazyImages",
    "check_fitted_shape",
    "check_inputs",
    "dataset_labels",
    "refuse_one_sample",
]


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
    data : ndarray or LazyImages
        ``(n, C, H, W)`` images (a view where possible, ``uint8`` or ``float32``) or
        ``(n, n_features)`` ``float32`` vectors. A lazy array-like of images (see
        :class:`LazyImages`) is wrapped, not read.
    """
    if _is_lazy_images(X):
        return _check_image_size(LazyImages(X, data_format=data_format))
    X = _as_array(X)
    if X.ndim == 2 and image_shape is not None:
        X = _rows_as_images(X, image_shape)
    if X.ndim == 2:
        X = check_array(X, ensure_min_samples=1, dtype="numeric")
        if X.dtype.kind == "f" and X.size and np.abs(X).max() > np.finfo(np.float32).max:
            raise ValueError(
                "X holds values beyond the float32 range (about 3.4e38); scale the features."
            )
        return check_array(X, dtype=np.float32)
    if X.ndim < 2:
        check_array(X)  # raises sklearn's own "Expected 2D array ... Reshape your data" error
    images, layout = check_images(X, data_format=data_format)
    return _check_image_size(as_channels_first(images, layout))


def check_fitted_shape(data, input_shape, estimator_name):
    """Refuse samples of another shape than the fitted ``input_shape`` (channels first).

    Parameters
    ----------
    data : ndarray or LazyImages
        Samples as returned by :func:`check_inputs`.
    input_shape : tuple of int
        The fitted estimator's ``input_shape_``.
    estimator_name : str
        Named in the message.

    Raises
    ------
    ValueError
        If the shapes differ; feature vectors given to an image model are named as such.
    """
    if tuple(data.shape[1:]) == tuple(input_shape):
        return
    if data.ndim == 2 and len(input_shape) == 3:
        channels, height, width = input_shape
        raise ValueError(
            f"X holds feature vectors of {data.shape[1]} values, but {estimator_name} was "
            f"fitted on {height}x{width} images with {channels} channel(s); pass images, or "
            f"set image_shape=({height}, {width}, {channels}) before fitting to read rows as "
            f"images."
        )
    raise ValueError(
        f"X has samples of shape {tuple(data.shape[1:])} (channels first), but the estimator "
        f"was fitted on {input_shape}; X has {int(np.prod(data.shape[1:]))} features, but "
        f"{estimator_name} is expecting {int(np.prod(input_shape))} features as input."
    )


def refuse_one_sample(X, input_shape):
    """Refuse one sample given without its batch axis, naming the fix ``X[None]``.

    Read as a batch, an ``(H, W, C)`` image would be ``H`` images of ``W x C`` pixels, and an
    ``(H, W)`` grey image ``H`` feature vectors: both fail later with a message that does not
    say why. A batch is what scikit-learn's ``predict`` takes, so one image is refused, not
    guessed at.

    Parameters
    ----------
    X : array-like
        The samples passed to a prediction method.
    input_shape : tuple of int
        The fitted estimator's ``input_shape_``, channels first.

    Raises
    ------
    ValueError
        If ``X`` has the shape of one fitted sample.
    """
    if not isinstance(X, np.ndarray | list | tuple) or len(input_shape) != 3:
        return
    try:
        shape = np.shape(X)
    except ValueError:  # ragged: refused by check_inputs with its own message
        return
    channels, height, width = input_shape
    # (1, H, W) is also a batch of one grey image: only other shapes are read as one image.
    one = {
        (height, width, channels),
        (height, width) if channels == 1 else (channels, height, width),
    }
    if shape in one:
        raise ValueError(
            f"X has shape {shape}, the shape of one image of those the estimator was fitted "
            f"on, not of a batch of images. Pass X[None] (or np.expand_dims(X, 0)) to predict "
            f"a single image."
        )


def _check_image_size(images):
    height, width = images.shape[2:]
    if min(height, width) < MIN_IMAGE_SIZE:
        raise ValueError(
            f"Images of {height}x{width} pixels are too small for the network: both sides must "
            f"be at least {MIN_IMAGE_SIZE} pixels (four stride-2 convolution blocks). Resize "
            f"them, e.g. with ImageTransformer(size=32)."
        )
    return images


def _is_lazy_images(X):
    """Tell a four-dimensional array-like that reads on access (HDF5, dask, zarr) from data."""
    if isinstance(X, np.ndarray | list | tuple) or sp.issparse(X):
        return False
    if not all(hasattr(X, name) for name in ("shape", "dtype", "__getitem__", "__len__")):
        return False
    try:
        return len(X.shape) == 4 and np.dtype(X.dtype).kind in "uif"
    except TypeError:  # not a numpy dtype, e.g. a torch tensor's
        return False


class LazyImages:
    """Images ``(n, C, H, W)`` read batch by batch from an array-like, never all at once.

    The source is any four-dimensional array-like with ``shape``, a numpy ``dtype`` and
    indexing of its first axis by an array of ints: the lazy images of
    :func:`~debias_estimators.datasets.load_h5_faces`, an ``h5py.Dataset``, a dask array.
    Its shape and dtype are validated at once, its pixel values one batch at a time as they
    are read.

    Parameters
    ----------
    source : array-like
        Images ``(n, H, W, C)`` or ``(n, C, H, W)``.
    data_format : {"auto", "channels_last", "channels_first"}, default="auto"
        Layout of ``source``.

    Attributes
    ----------
    layout : {"nhwc", "nchw"}
        Layout of ``source``.
    shape : tuple of int
        ``(n, C, H, W)``.
    """

    def __init__(self, source, data_format="auto"):
        self.source = source
        self.layout = infer_layout(tuple(source.shape), data_format)
        n, *rest = (int(size) for size in source.shape)
        if n == 0 or 0 in rest:
            raise ValueError(f"X is empty or has an image axis of length 0 (shape {source.shape}).")
        self.shape = (n, *as_channels_first(np.empty((0, *rest), np.uint8), self.layout).shape[1:])
        self.ndim = 4
        self.read([0])  # the dtype and the first image's pixel values

    def __len__(self):
        return self.shape[0]

    def read(self, indices):
        """Read and validate the images at ``indices``, in the source's layout.

        Parameters
        ----------
        indices : ndarray of int
            Positions on the first axis, in any order, repeats allowed.

        Returns
        -------
        images : ndarray
            ``uint8`` or ``float32`` images.
        """
        # HDF5 reads increasing, unique positions only: read those, then reorder.
        unique, inverse = np.unique(np.asarray(indices, dtype=np.int64), return_inverse=True)
        batch = np.asarray(self.source[unique])[inverse]
        return check_images(batch, data_format=_DATA_FORMATS[self.layout])[0]

    def __getitem__(self, index):
        rows = np.arange(len(self))[index]
        images = as_channels_first(self.read(np.atleast_1d(rows)), self.layout)
        return images if np.ndim(rows) else images[0]


_DATA_FORMATS = {"nhwc": "channels_last", "nchw": "channels_first"}


def _as_array(X):
    if sp.issparse(X):
        check_array(X, accept_sparse=False)  # sklearn's own message for sparse input
    if isinstance(X, list | tuple):
        X = as_image_array(X)
    elif hasattr(X, "__array__"):
        X = np.asarray(X)
    if not isinstance(X, np.ndarray):
        raise TypeError(f"X must be an array-like of images or features, got {type(X).__name__}.")
    if X.dtype == object:
        X = check_array(X, dtype=np.float32, allow_nd=True)
    return X


def _rows_as_images(X, image_shape):
    image_shape = check_image_shape(image_shape)
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
    groups : ndarray of int, shape (n_samples,), optional
        Group ids, then in the dict as ``"group"`` too.
    """

    def __init__(self, X, y=None, sample_weight=None, with_decode_mask=False, groups=None):
        n_samples = len(X)
        self.X = X
        self.with_decode_mask = with_decode_mask
        self._lazy = isinstance(X, LazyImages)
        # A channels-first view of channels-last memory: index the memory in its own order.
        if self._lazy:
            self._nhwc = X.layout == "nhwc"
        else:
            self._nhwc = X.ndim == 4 and X.strides[1] < X.strides[3]
        self.y = np.zeros(n_samples, np.float32) if y is None else np.asarray(y, np.float32)
        self.sample_weight = (
            np.ones(n_samples, np.float32)
            if sample_weight is None
            else np.asarray(sample_weight, np.float32)
        )
        self.groups = None if groups is None else np.asarray(groups, np.int64)

    def __len__(self):
        return len(self.X)

    def __getitem__(self, indices):
        indices = np.atleast_1d(np.asarray(indices, dtype=np.int64))
        if self._lazy:
            x = torch.from_numpy(to_float_batch(self.X.read(indices)))
            x = x.permute(0, 3, 1, 2) if self._nhwc else x
        elif self._nhwc:
            x = torch.from_numpy(to_float_batch(np.moveaxis(self.X, 1, 3)[indices]))
            x = x.permute(0, 3, 1, 2)
        else:
            x = torch.from_numpy(to_float_batch(self.X[indices]))
        meta = {
            "y": torch.from_numpy(self.y[indices]),
            "w": torch.from_numpy(self.sample_weight[indices]),
            "index": torch.from_numpy(indices),
        }
        if self.groups is not None:
            meta["group"] = torch.from_numpy(self.groups[indices])
        if self.with_decode_mask:
            x = {"x": x, "decode_mask": meta["y"] > 0.5}
        return x, meta
