"""The HDF5 training file of the MIT 6.S191 debiasing lab, read whole or lazily.

``train_face.h5`` holds a dataset ``images`` of ``(n, 64, 64, 3)`` ``uint8`` pixels in BGR
order and a dataset ``labels`` of shape ``(n, 1)``, 1 for faces. The full file has about
110,000 images (1.35 GB); :class:`H5Images` reads only the rows asked for.
"""

import os

import h5py
import numpy as np

from .._images import as_channels_first, check_images, to_float_batch
from ._bunch import finish

__all__ = ["H5FaceDataset", "H5Images", "load_h5_faces"]

_CHANNEL_ORDERS = ("bgr", "rgb")
_LOAD_CHUNK = 4096


def load_h5_faces(
    path,
    *,
    lazy=False,
    channel_order="bgr",
    images_key="images",
    labels_key="labels",
    return_X_y=False,
):
    """Load face images and labels from an HDF5 file in the MIT lab's layout.

    Parameters
    ----------
    path : str or os.PathLike
        The ``.h5`` file.
    lazy : bool, default=False
        Keep the file open and read images on access instead of loading them all.
    channel_order : {"bgr", "rgb"}, default="bgr"
        Channel order in the file; images are returned in RGB.
    images_key, labels_key : str, default="images", "labels"
        Names of the two datasets.
    return_X_y : bool, default=False
        Return ``(images, target)`` instead of a Bunch.

    Returns
    -------
    data : sklearn.utils.Bunch or tuple
        ``images`` (``uint8`` ``(n, H, W, 3)`` RGB, from integer pixels of any depth holding
        ``0..255``, or ``float32`` from float pixels in ``[0, 1]``; an :class:`H5Images` if
        ``lazy``),
        ``target`` (``int64`` labels, 1 for faces), ``target_names``, ``filename`` and, if
        ``lazy``, ``dataset``: an :class:`H5FaceDataset` of ``(image, label)`` pairs for a
        torch ``DataLoader``.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the file is not HDF5 or its layout differs (missing datasets, images not
        ``(n, H, W, 3)``, labels not ``(n,)`` or ``(n, 1)`` zeros and ones, counts that do
        not match) or its pixels lie outside ``0..255`` (integers) or ``[0, 1]`` (floats);
        when ``lazy``, pixels are checked as they are read.
    """
    source = H5Images(path, channel_order=channel_order, key=images_key)
    loaded = False
    try:
        target = _read_labels(source.file, labels_key, len(source), path)
        images = source if lazy else check_images(source.load(), name=f"{path}:{images_key}")[0]
        loaded = True
    finally:
        if not (loaded and lazy):
            source.close()
    extra = {"dataset": H5FaceDataset(images, target)} if lazy else {}
    return finish(return_X_y, images=images, target=target, filename=os.fspath(path), **extra)


def _read_labels(file, key, n_images, path):
    if key not in file:
        raise ValueError(f"{path} has no dataset {key!r}; it holds {sorted(file)}.")
    labels = file[key]
    if not isinstance(labels, h5py.Dataset):
        raise ValueError(f"{path}:{key} is a {type(labels).__name__}, not a dataset of labels.")
    if labels.ndim not in (1, 2) or (labels.ndim == 2 and labels.shape[1] != 1):
        raise ValueError(f"{path}:{key} must have shape (n,) or (n, 1); got {labels.shape}.")
    if labels.shape[0] != n_images:
        raise ValueError(
            f"{path} holds {n_images} images but {labels.shape[0]} labels; the sizes must match."
        )
    values = np.asarray(labels[()]).reshape(-1)
    if not np.isin(values, (0, 1)).all():
        raise ValueError(f"{path}:{key} must hold 0 (non-face) and 1 (face) only.")
    return values.astype(np.int64)


class H5Images:
    """Images of an HDF5 dataset, read on access and returned in RGB.

    Indexing the first axis (an int, a slice, a list or array of ints, a boolean mask)
    returns ``uint8`` arrays (``float32`` in ``[0, 1]`` from a file of floats), so the object
    serves as a lazy ``X``; ``np.asarray`` loads all of it. Integer pixels of any depth
    (``uint16`` say) must hold ``0..255``, float pixels ``[0, 1]``: the rows read are checked,
    and other values are refused with a ``ValueError`` naming the file. It pickles by path,
    so ``DataLoader`` workers reopen the file.

    Parameters
    ----------
    path : str or os.PathLike
        The ``.h5`` file.
    channel_order : {"bgr", "rgb"}, default="bgr"
        Channel order in the file.
    key : str, default="images"
        Name of the dataset of images ``(n, H, W, 3)``.

    Attributes
    ----------
    shape : tuple of int
        ``(n, H, W, 3)``.
    dtype : numpy.dtype
        Pixel type in the file.
    """

    def __init__(self, path, *, channel_order="bgr", key="images"):
        if channel_order not in _CHANNEL_ORDERS:
            raise ValueError(
                f"channel_order must be one of {_CHANNEL_ORDERS}; got {channel_order!r}."
            )
        self.path = os.fspath(path)
        self.channel_order = channel_order
        self.key = key
        self._file = None
        data = self._dataset()
        self.shape, self.dtype = data.shape, data.dtype
        problem = None
        if len(self.shape) != 4 or self.shape[-1] != 3:
            problem = f"must hold images shaped (n, H, W, 3); got shape {self.shape}"
        elif not np.issubdtype(self.dtype, np.number) or np.issubdtype(
            self.dtype, np.complexfloating
        ):
            problem = f"must hold numeric pixels; got {self.dtype}"
        if problem:
            self.close()
            raise ValueError(f"{self.path}:{key} {problem}.")

    @property
    def file(self):
        """The open :class:`h5py.File`, opened again if it was closed."""
        if self._file is None or not self._file.id.valid:
            self._file = _open(self.path)
        return self._file

    def _dataset(self):
        if self.key not in self.file:
            keys = sorted(self.file)
            self.close()
            raise ValueError(f"{self.path} has no dataset {self.key!r}; it holds {keys}.")
        data = self.file[self.key]
        if not isinstance(data, h5py.Dataset):
            self.close()
            raise ValueError(
                f"{self.path}:{self.key} is a {type(data).__name__}, not a dataset of images."
            )
        return data

    @property
    def ndim(self):
        """Number of dimensions, 4."""
        return len(self.shape)

    def __len__(self):
        return self.shape[0]

    def __getitem__(self, index):
        rows = _rows(index, len(self))
        data = self._dataset()
        if isinstance(rows, int | slice):
            batch = data[rows]
        elif len(rows) == 0:
            batch = np.empty((0, *self.shape[1:]), dtype=self.dtype)
        else:
            # h5py reads increasing, unique indices only.
            unique, inverse = np.unique(rows, return_inverse=True)
            batch = data[unique][inverse]
        batch = np.ascontiguousarray(batch[..., ::-1]) if self.channel_order == "bgr" else batch
        return self._pixels(batch)

    def _pixels(self, batch):
        # The library's rule for any integer depth: pixels 0..255, stored as uint8 (a uint16
        # file holding 0..255 reads as such; wider values are refused, not shown as 255);
        # floats in [0, 1]. So every reader of the file sees the documented range.
        if batch.size == 0:
            return batch.astype(self._out_dtype)
        return check_images(batch, name=f"{self.path}:{self.key}")[0]

    @property
    def _out_dtype(self):
        return np.uint8 if np.issubdtype(self.dtype, np.integer) else np.float32

    def __array__(self, dtype=None, copy=None):
        images = self.load()
        return images if dtype is None else images.astype(dtype)

    def load(self):
        """Read all images into memory, a chunk at a time.

        Returns
        -------
        images : ndarray of shape (n, H, W, 3)
            RGB images; peak memory stays close to their own size.
        """
        images = np.empty(self.shape, dtype=self._out_dtype)
        for start in range(0, len(self), _LOAD_CHUNK):
            images[start : start + _LOAD_CHUNK] = self[start : start + _LOAD_CHUNK]
        return images

    def close(self):
        """Close the file; later access opens it again."""
        if self._file is not None and self._file.id.valid:
            self._file.close()
        self._file = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_file"] = None
        return state

    def __repr__(self):
        return f"H5Images({self.path!r}, key={self.key!r}, shape={self.shape})"


class H5FaceDataset:
    """``(image, label)`` pairs for a torch ``DataLoader``, read lazily.

    ``dataset[i]`` returns a ``float32`` image ``(3, H, W)`` in ``[0, 1]`` (the layout of the
    library's networks) and a ``float32`` label.

    Parameters
    ----------
    images : H5Images or ndarray
        Images ``(n, H, W, 3)``.
    target : ndarray of shape (n,)
        Labels.
    """

    def __init__(self, images, target):
        if len(images) != len(target):
            raise ValueError(
                f"images and target must have the same length; got {len(images)} and {len(target)}."
            )
        self.images = images
        self.target = np.asarray(target)

    def __len__(self):
        return len(self.target)

    def __getitem__(self, index):
        image = as_channels_first(self.images[[int(index)]], "nhwc")[0]
        return to_float_batch(image), np.float32(self.target[index])


def _open(path):
    if not os.path.exists(path):
        raise FileNotFoundError(f"No such HDF5 file: {path}")
    try:
        return h5py.File(path, "r")
    except OSError as err:
        raise ValueError(f"Cannot read {path} as an HDF5 file: {err}") from err


def _rows(index, n):
    if isinstance(index, tuple):
        raise TypeError("H5Images supports indexing the first axis only.")
    if isinstance(index, slice):
        if index.step is None or index.step > 0:
            return index
        return np.arange(n)[index]
    if np.ndim(index) == 0 and isinstance(index, int | np.integer) and not isinstance(index, bool):
        if not -n <= index < n:
            raise IndexError(f"Index {index} is out of range for {n} images.")
        return int(index) % n
    rows = np.asarray(index)
    if rows.dtype == bool:
        if rows.shape != (n,):
            raise IndexError(f"A boolean index must have shape ({n},); got {rows.shape}.")
        return np.flatnonzero(rows)
    if rows.ndim != 1 or not np.issubdtype(rows.dtype, np.integer):
        raise IndexError("Index H5Images with an int, a slice, ints or a boolean mask.")
    if len(rows) and (rows.min() < -n or rows.max() >= n):
        raise IndexError(f"Indices out of range for {n} images.")
    return rows % n
