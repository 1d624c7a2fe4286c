"""Face data with known bias: an embedded synthetic benchmark and loaders for real files.

* :func:`make_biased_faces` / :func:`make_balanced_faces`: procedural faces and hard
  non-faces with attributes, skewed for training (:data:`DEFAULT_PROPORTIONS`) or balanced
  over skin type x gender for testing;
* :func:`load_h5_faces`: the MIT 6.S191 lab's HDF5 training file, whole or lazily;
* :func:`load_ppb`: the Pilot Parliaments Benchmark;
* :func:`load_lfw_subset`: scikit-image's 200 real 25x25 face / non-face crops;
* :func:`load_image_folder`: one sub-folder per class;
* :func:`group_labels`: one skin type x gender label per image, for the methods that train
  over groups.

Every function returns a :class:`sklearn.utils.Bunch` (or ``(images, target)`` with
``return_X_y=True``) with ``uint8`` channels-last images. Nothing here imports torch.
"""

from ._folder import load_image_folder
from ._groups import group_labels
from ._h5 import H5FaceDataset, H5Images, load_h5_faces
from ._lfw import load_lfw_subset
from ._ppb import load_ppb
from ._synthetic import DEFAULT_PROPORTIONS, make_balanced_faces, make_biased_faces

__all__ = [
    "DEFAULT_PROPORTIONS",
    "H5FaceDataset",
    "H5Images",
    "group_labels",
    "load_h5_faces",
    "load_image_folder",
    "load_lfw_subset",
    "load_ppb",
    "make_balanced_faces",
    "make_biased_faces",
]
