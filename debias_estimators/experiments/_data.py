"""Reading and drawing the experiments' images, the synthetic benchmark or files, as one record."""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..datasets import (
    load_h5_faces,
    load_image_folder,
    load_lfw_subset,
    load_ppb,
    make_balanced_faces,
    make_biased_faces,
)
from ..preprocessing import ImageTransformer

__all__ = [
    "FaceData",
    "draw_benchmark",
    "folder_training",
    "h5_training",
    "lfw_training",
    "load_folder_test_data",
    "load_test_data",
    "synthetic_training",
]

GROUPS = ["skin_type", "gender"]


@dataclass
class FaceData:
    """Images (``uint8``, channels last), targets (1 = face) and, where known, attributes.

    Parameters
    ----------
    images : ndarray of shape (n_samples, height, width, channels)
        The images.
    target : ndarray of shape (n_samples,)
        1 for a face, 0 for a non-face.
    attributes : pandas.DataFrame or None
        One row per image (``skin_type``, ``gender``... for the faces), where known.
    source : str
        Where the images come from, in words.
    """

    images: np.ndarray
    target: np.ndarray
    attributes: pd.DataFrame | None
    source: str

    @property
    def faces(self):
        """Boolean mask of the faces."""
        return self.target == 1

    @property
    def groups(self):
        """Skin type and gender per image (missing for non-faces), or None."""
        if self.attributes is None or not set(GROUPS) <= set(self.attributes.columns):
            return None
        return self.attributes[GROUPS].reset_index(drop=True)


def test_seed(seed):
    """Return the seed of the test draw: distinct from the training draw's, fixed by ``seed``."""
    return seed + 10_000


def h5_training(path, shape, *, max_images=None, seed=0):
    """Read an HDF5 file in the lab's layout, or a random subset of ``max_images`` of it."""
    images, target = _read_h5(path, max_images, seed)
    return FaceData(_adapt(images, shape), target, None, f"HDF5 file {path}")


def folder_training(root, face_folder, shape):
    """Read an image folder with one sub-folder per class; ``face_folder`` holds the faces."""
    data = _folder_bunch(root, face_folder, shape)
    return FaceData(data.images, data.target, None, f"image folder {root}")


def lfw_training(shape):
    """Read scikit-image's 200 LFW crops, all faces."""
    data = load_lfw_subset(dtype="uint8")
    return FaceData(_adapt(data.images, shape), data.target, None, "LFW subset (scikit-image)")


def synthetic_training(n_train, shape, seed):
    """Draw the skewed synthetic training set, half faces."""
    half = n_train // 2
    data = make_biased_faces(half, n_train - half, _square(shape), random_state=seed)
    source = f"synthetic biased faces ({n_train} images, seed {seed})"
    return FaceData(_adapt(data.images, shape), data.target, data.attributes, source)


def draw_benchmark(settings, seed):
    """Draw the synthetic benchmark of a demo run: training, test and calibration sets.

    Parameters
    ----------
    settings : DemoSettings
        ``n_train``, ``n_test_per_group`` and ``image_size``.
    seed : int
        Seed of the training draw; the test and calibration draws are offset from it.

    Returns
    -------
    train : FaceData
        The skewed training draw, half faces.
    test : FaceData
        The balanced test draw.
    calibration : ndarray
        Held-out non-faces of the training distribution, as many as the test faces.
    """
    shape = (settings.image_size, settings.image_size, 3)
    train = synthetic_training(settings.n_train, shape, seed)
    test = load_test_data(shape, seed=seed, n_per_group=settings.n_test_per_group)
    calibration = calibration_nonfaces(shape, seed=seed, n=4 * settings.n_test_per_group)
    return train, test, calibration


def calibration_nonfaces(shape, *, seed, n):
    """Draw held-out non-faces of the training distribution, to set the matched threshold.

    Parameters
    ----------
    shape : tuple of int
        The images' ``(H, W, C)``.
    seed : int
        Seed of the training draw; this draw is offset from it and from the test draw.
    n : int
        How many non-faces.

    Returns
    -------
    images : ndarray
        ``n`` non-face images of ``shape``.
    """
    data = make_biased_faces(0, n, _square(shape), random_state=seed + 20_000)
    return _adapt(data.images, shape)


def load_test_data(shape, *, seed, n_per_group, ppb=None):
    """Read the PPB folder, or draw the balanced synthetic test set, as images of ``shape``.

    Parameters
    ----------
    shape : tuple of int
        The images' ``(H, W, C)``.
    seed : int
        Seed of the training draw; the test draw uses :func:`test_seed` of it.
    n_per_group : int
        Synthetic faces per skin type x gender group.
    ppb : str, optional
        The PPB folder, read instead of drawing.

    Returns
    -------
    data : FaceData
        The test set; the synthetic one holds as many non-faces as faces.
    """
    if ppb:
        data = load_ppb(ppb, image_size=shape[:2])
        source = f"Pilot Parliaments Benchmark ({ppb})"
        return FaceData(_adapt(data.images, shape), data.target, data.attributes, source)
    n = n_per_group
    data = make_balanced_faces(n, 4 * n, _square(shape), random_state=test_seed(seed))
    source = f"synthetic balanced faces ({n} per group and {4 * n} non-faces)"
    return FaceData(_adapt(data.images, shape), data.target, data.attributes, source)


def load_folder_test_data(root, groups_csv, face_folder, shape):
    """Read one's own labelled test set: an image folder and a CSV of the faces' groups.

    Parameters
    ----------
    root : str
        One sub-folder per class; ``face_folder`` holds the faces.
    groups_csv : str
        A CSV with columns ``file`` (the image's path inside ``root``, e.g.
        ``faces/0001.png``), ``skin_type`` and ``gender``; faces without a row belong to no
        group and are left out of the per-group tables.
    face_folder : str
        The class folder of faces.
    shape : tuple of int
        The images' ``(H, W, C)``.

    Returns
    -------
    data : FaceData
        The test set, with ``skin_type`` and ``gender`` for the faces listed in the CSV.
    """
    if not groups_csv:
        raise ValueError(
            "A labelled image folder needs groups=CSV, the faces' skin type and gender."
        )
    table = pd.read_csv(groups_csv, dtype=str)
    missing = [c for c in ("file", *GROUPS) if c not in table.columns]
    if missing:
        raise ValueError(
            f"{groups_csv} lacks the column(s) {missing}; it needs file, skin_type and gender."
        )
    data = _folder_bunch(root, face_folder, shape)
    names = [Path(f).relative_to(root).as_posix() for f in data.filenames]
    listed = table.set_index(table["file"].str.replace("\\", "/", regex=False))
    unknown = sorted(set(listed.index) - set(names))
    if unknown:
        raise ValueError(f"{groups_csv} lists files that are not images in {root}: {unknown[:5]}")
    attributes = listed.reindex(names)[GROUPS].reset_index(drop=True)
    attributes.loc[data.target != 1, GROUPS] = np.nan  # non-faces belong to no group
    if attributes.loc[data.target == 1].isna().all(axis=None):
        raise ValueError(f"{groups_csv} gives a group to none of the faces in {root}.")
    source = f"image folder {root} with groups from {groups_csv}"
    return FaceData(data.images, data.target, attributes, source)


def _read_h5(path, max_images, seed):
    data = load_h5_faces(path, lazy=max_images is not None)
    if max_images is None:
        return data.images, data.target
    try:
        n = len(data.target)
        rng = np.random.default_rng(seed)
        rows = np.sort(rng.choice(n, size=min(max_images, n), replace=False))
        return data.images[rows], data.target[rows]
    finally:
        data.images.close()


def _folder_bunch(root, face_folder, shape):
    folder = Path(root)
    if folder.is_dir() and not (folder / face_folder).is_dir():
        names = sorted(p.name for p in folder.iterdir() if p.is_dir() and p.name[:1] != ".")
        raise ValueError(
            f"{root} has no class folder {face_folder!r} (found {names}); name the folder of "
            f"faces with face_folder=NAME."
        )
    return load_image_folder(root, image_size=shape[:2], channels=shape[2], positive=face_folder)


def _adapt(images, shape):
    """Resize and convert images to ``shape`` ``(H, W, C)`` where they differ."""
    images = np.asarray(images)
    if images.ndim == 4 and images.shape[1:] == tuple(shape) and images.dtype == np.uint8:
        return images
    transformer = ImageTransformer(size=tuple(shape[:2]), channels=shape[2])
    return transformer.fit_transform(images)


def _square(shape):
    if shape[0] != shape[1]:
        raise ValueError(
            f"The synthetic faces are square; the model expects {shape[0]}x{shape[1]} images."
        )
    return int(shape[0])
