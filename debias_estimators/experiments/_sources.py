"""Where an experiment's images come from, said in plain values and checked when said."""

import os
from dataclasses import dataclass

from .._flags import check_flag
from ._checks import check_count, check_seed
from ._data import (
    folder_training,
    h5_training,
    lfw_training,
    load_folder_test_data,
    load_test_data,
    synthetic_training,
)
from ._settings import DEMO

__all__ = ["TestSource", "TrainingSource"]


@dataclass(frozen=True)
class TrainingSource:
    """Where the training images come from: at most one file source, else the synthetic draw.

    Parameters
    ----------
    h5 : str, optional
        An HDF5 file in the MIT lab's layout.
    image_folder : str, optional
        A folder with one sub-folder per class.
    lfw : bool, default=False
        scikit-image's 200 LFW crops.
    face_folder : str, default="faces"
        With ``image_folder``: the class folder of faces.
    max_images : int, optional
        With ``h5``: read a random subset of this many images.
    n_train : int, default=8000
        Images of the synthetic draw, half of them faces.
    random_state : int, default=0
        Seed of the synthetic draw and of the ``max_images`` subset.
    """

    h5: str | None = None
    image_folder: str | None = None
    lfw: bool = False
    face_folder: str = "faces"
    max_images: int | None = None
    n_train: int = DEMO.n_train
    random_state: int = 0

    def __post_init__(self):
        # Refused when made, so that a script learns of it before any model is loaded or built.
        check_flag("lfw", self.lfw)
        _check_paths(self, "h5", "image_folder")
        chosen = [name for name in ("h5", "image_folder", "lfw") if getattr(self, name)]
        if len(chosen) > 1:
            raise ValueError(f"Give one source of training images, not {' and '.join(chosen)}.")
        if self.max_images is not None and not self.h5:
            raise ValueError("max_images subsets an HDF5 file; give h5 too.")
        if self.max_images is not None:
            check_count("max_images", self.max_images)
        check_count("n_train", self.n_train)
        check_seed(self.random_state)

    def load(self, shape):
        """Read the images as ``shape`` ``(H, W, C)``.

        Parameters
        ----------
        shape : tuple of int
            The images' ``(H, W, C)``.

        Returns
        -------
        data : FaceData
            The training set.
        """
        if self.h5:
            return h5_training(self.h5, shape, max_images=self.max_images, seed=self.random_state)
        if self.image_folder:
            return folder_training(self.image_folder, self.face_folder, shape)
        if self.lfw:
            return lfw_training(shape)
        return synthetic_training(self.n_train, shape, self.random_state)


@dataclass(frozen=True)
class TestSource:
    """Where the labelled test images come from: PPB, one's own folder, or synthetic draws.

    Parameters
    ----------
    ppb : str, optional
        The PPB-2017 folder.
    image_folder : str, optional
        One's own test set, one sub-folder per class, with ``groups``.
    groups : str, optional
        With ``image_folder``: a CSV of the faces' skin type and gender (see
        ``load_folder_test_data``).
    face_folder : str, default="faces"
        With ``image_folder``: the class folder of faces.
    n_per_group : int, default=250
        Synthetic faces per skin type x gender group.
    random_state : int, default=0
        Seed of the training draw the synthetic test draw is offset from.
    """

    __test__ = False  # not a test class, whatever its name says to pytest

    ppb: str | None = None
    image_folder: str | None = None
    groups: str | None = None
    face_folder: str = "faces"
    n_per_group: int = DEMO.n_test_per_group
    random_state: int = 0

    def __post_init__(self):
        # Refused when made, so that a script learns of it before any model is loaded.
        _check_paths(self, "ppb", "image_folder", "groups")
        if self.ppb and self.image_folder:
            raise ValueError("Give one labelled test set: ppb or image_folder, not both.")
        if self.groups and not self.image_folder:
            raise ValueError("groups= is the CSV of a test image folder; give image_folder too.")
        if self.image_folder and not self.groups:
            raise ValueError(
                "A labelled image folder needs groups=CSV, the faces' skin type and gender."
            )
        check_count("n_per_group", self.n_per_group)
        check_seed(self.random_state)

    @property
    def synthetic(self):
        """Whether the test set is drawn (and can be drawn again with another seed)."""
        return not (self.ppb or self.image_folder)

    def load(self, shape, *, random_state=None):
        """Read or draw the test set as ``shape`` ``(H, W, C)``.

        Parameters
        ----------
        shape : tuple of int
            The images' ``(H, W, C)``.
        random_state : int, optional
            Another seed of a synthetic draw; ``self.random_state`` by default.

        Returns
        -------
        data : FaceData
            The test set, with the faces' skin type and gender.
        """
        if self.image_folder:
            return load_folder_test_data(self.image_folder, self.groups, self.face_folder, shape)
        seed = self.random_state if random_state is None else random_state
        return load_test_data(shape, seed=seed, n_per_group=self.n_per_group, ppb=self.ppb)


def _check_paths(source, *names):
    """Refuse a path argument that is given but empty: it would read as no source at all."""
    for name in names:
        value = getattr(source, name)
        if value is None:
            continue
        if not isinstance(value, (str, os.PathLike)) or not str(value).strip():
            raise ValueError(f"{name} must name a file or folder; got {value!r}.")
