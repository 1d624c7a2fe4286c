"""Image preprocessing for pipelines: size, channels and pixel type in one transformer."""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ._images import DATA_FORMATS, as_channels_first, check_images
from ._pixels import DTYPES, convert_channels, convert_dtype
from ._resize import center_crop as crop_to_aspect
from ._resize import check_size, resize_batch

__all__ = ["ImageTransformer"]


class ImageTransformer(TransformerMixin, BaseEstimator):
    """Resize images and convert their channels and pixel type.

    Accepts every layout the library knows (``(n, H, W)``, ``(n, H, W, C)``,
    ``(n, C, H, W)``) with ``uint8`` or float pixels and returns channels-last
    ``(n, H, W, C)`` images, so that one pipeline serves the outputs of all the loaders::

        make_pipeline(ImageTransformer(size=32), DebiasedVAEClassifier())

    Parameters
    ----------
    size : int, tuple of int or None, default=64
        Side of the output images, or ``(height, width)``; ``None`` keeps the size seen in
        ``fit``. Resizing is bilinear with anti-aliasing.
    channels : {1, 3} or None, default=3
        Output channels: grey is repeated into RGB, RGB is reduced to its luma. ``None`` keeps
        the channels seen in ``fit``.
    dtype : {"uint8", "float32"}, default="uint8"
        Output pixel type, ``0..255`` or ``[0, 1]``.
    data_format : {"auto", "channels_last", "channels_first"}, default="auto"
        Layout of four-dimensional input, for shapes such as ``(n, 3, 5, 3)`` that do not
        tell.
    center_crop : bool, default=False
        Crop to the output's aspect ratio around the centre before resizing, instead of
        stretching.

    Attributes
    ----------
    input_shape_ : tuple of int
        ``(H, W, C)`` of the images seen in ``fit``.
    output_shape_ : tuple of int
        ``(H, W, C)`` of the images ``transform`` returns.
    n_features_in_ : int
        Pixel values per input image, ``H * W * C``.

    Examples
    --------
    >>> import numpy as np
    >>> from debias_estimators.preprocessing import ImageTransformer
    >>> grey = np.zeros((2, 25, 25), dtype=np.uint8)
    >>> ImageTransformer(size=32, channels=3).fit_transform(grey).shape
    (2, 32, 32, 3)
    """

    def __init__(self, size=64, channels=3, dtype="uint8", data_format="auto", center_crop=False):
        self.size = size
        self.channels = channels
        self.dtype = dtype
        self.data_format = data_format
        self.center_crop = center_crop

    def fit(self, X, y=None):
        """Check the parameters and record the input shape.

        Parameters
        ----------
        X : array-like
            Images.
        y : None
            Ignored.

        Returns
        -------
        self : ImageTransformer
            The fitted transformer.
        """
        self._check_params()
        images = self._channels_last(X)
        self.input_shape_ = images.shape[1:]
        self.n_features_in_ = int(np.prod(self.input_shape_))
        shape = check_size(self.size) or self.input_shape_[:2]
        self.output_shape_ = (*shape, self.channels or self.input_shape_[2])
        return self

    def transform(self, X):
        """Resize and convert images.

        Parameters
        ----------
        X : array-like
            Images in any layout of the library.

        Returns
        -------
        images : ndarray of shape (n, H, W, C)
            Channels-last images of ``output_shape_`` in ``dtype``.

        Raises
        ------
        ValueError
            If ``size`` or ``channels`` is ``None`` and the images' size or channels differ
            from those seen in ``fit``.
        """
        check_is_fitted(self, "output_shape_")
        images = self._channels_last(X)
        self._check_kept(images.shape[1:])
        height, width, channels = self.output_shape_
        if self.dtype == "float32":
            images = convert_dtype(images, "float32")  # convert before rounding anything
        if channels < images.shape[-1]:
            images = convert_channels(images, channels)  # fewer channels to resize
        if images.shape[1:3] != (height, width):
            if self.center_crop:
                images = np.stack([crop_to_aspect(image, (height, width)) for image in images])
            images = resize_batch(images, (height, width))
        return convert_dtype(convert_channels(images, channels), self.dtype)

    def _channels_last(self, X):
        images, layout = check_images(X, data_format=self.data_format)
        return np.moveaxis(as_channels_first(images, layout), 1, -1)

    def _check_params(self):
        check_size(self.size)
        # True == 1 would pass for one channel.
        if isinstance(self.channels, bool | np.bool_) or self.channels not in (1, 3, None):
            raise ValueError(f"channels must be 1, 3 or None; got {self.channels!r}.")
        if self.dtype not in DTYPES:
            raise ValueError(f"dtype must be one of {DTYPES}; got {self.dtype!r}.")
        if self.data_format not in DATA_FORMATS:
            raise ValueError(
                f"data_format must be one of {DATA_FORMATS}; got {self.data_format!r}."
            )

    def _check_kept(self, shape):
        if self.size is None and shape[:2] != self.input_shape_[:2]:
            raise ValueError(
                f"Image sizes do not match: fit saw {self.input_shape_[0]}x"
                f"{self.input_shape_[1]} images, transform got {shape[0]}x{shape[1]}. Set size "
                f"to resize them."
            )
        if self.channels is None and shape[2] != self.input_shape_[2]:
            raise ValueError(
                f"Channel counts do not match: fit saw {self.input_shape_[2]}, transform got "
                f"{shape[2]}. Set channels to convert them."
            )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.three_d_array = True
        tags.requires_fit = True
        return tags
