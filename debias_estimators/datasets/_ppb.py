r"""The Pilot Parliaments Benchmark (PPB) as distributed by the Gender Shades project.

The release unpacks to ``PPB-2017/`` with the photos in ``imgs/`` and
``PPB-2017-metadata.csv`` with six columns: id, file, gender, numeric (Fitzpatrick type
1-6), skin color (lighter/darker) and country. Copies of the CSV with old Mac line endings
(``\r``) exist; pandas reads those as well.
"""

import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from .._resize import check_size
from ._bunch import finish
from ._imread import read_images

__all__ = ["load_ppb"]

METADATA_FILE = "PPB-2017-metadata.csv"
IMAGE_DIR = "imgs"
# Header spellings seen or plausible for each column, after normalising case and spacing.
_ALIASES = {
    "id": ("id",),
    "file": ("file", "filename", "file name", "image"),
    "gender": ("gender", "sex"),
    "numeric": ("numeric", "fitzpatrick", "fitzpatrick type"),
    "skin color": ("skin color", "skin colour"),
    "country": ("country",),
}
_GENDERS = {"female": "female", "f": "female", "male": "male", "m": "male"}
_SKIN = ("lighter", "darker")
_MAX_NAMED = 5


def load_ppb(root, *, image_size=64, center_crop=True, return_X_y=False):
    """Load the Pilot Parliaments Benchmark with its gender and skin type labels.

    Parameters
    ----------
    root : str or os.PathLike
        The ``PPB-2017`` folder, or a folder that contains it.
    image_size : int or tuple of int, default=64
        Side (or ``(height, width)``) of the returned images.
    center_crop : bool, default=True
        Crop each photo to the output's aspect ratio around its centre, instead of
        stretching it.
    return_X_y : bool, default=False
        Return ``(images, target)`` instead of a Bunch.

    Returns
    -------
    data : sklearn.utils.Bunch or tuple
        ``images`` (``uint8`` RGB ``(n, H, W, 3)``), ``target`` (all 1: every photo is a
        face), ``target_names``, ``attributes`` (DataFrame with ``file``, ``gender``
        (female/male), ``skin_type`` (lighter/darker), ``fitzpatrick`` (1-6, nullable) and
        ``id``/``country`` where present), ``filenames`` and ``DESCR``. ``skin_type`` comes
        from the skin color column, or from the Fitzpatrick type where it is missing
        (1-3 lighter, 4-6 darker, as in Gender Shades).

    Raises
    ------
    FileNotFoundError
        If the metadata file or image files are missing; the message names them.
    ValueError
        If required columns are missing, a value is not understood, or an image cannot be
        read.
    """
    shape = check_size(image_size, "image_size", allow_none=False)
    folder = _find_folder(Path(root))
    table = _read_metadata(folder / METADATA_FILE)
    paths = _image_paths(folder / IMAGE_DIR, table["file"], folder / METADATA_FILE)
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise FileNotFoundError(
            f"{len(missing)} image file(s) listed in {METADATA_FILE} are missing, e.g. "
            f"{missing[:_MAX_NAMED]}."
        )
    images = read_images(paths, shape, channels=3, center_crop=center_crop)
    return finish(
        return_X_y,
        images=images,
        target=np.ones(len(images), dtype=np.int64),
        attributes=table,
        filenames=np.array([os.fspath(p) for p in paths]),
        DESCR=__doc__,
    )


def _image_paths(image_dir, names, metadata):
    """Join the file column to the image folder; refuse names that lead out of it."""
    empty = [i + 2 for i, name in enumerate(names) if not isinstance(name, str) or not name]
    if empty:
        raise ValueError(
            f"{metadata}: the file column is empty on line(s) {empty[:_MAX_NAMED]} (line 1 is "
            f"the header)."
        )
    root = image_dir.resolve()
    paths, outside = [], []
    for name in names:
        path = image_dir / name
        if Path(name).is_absolute() or not path.resolve().is_relative_to(root):
            outside.append(name)
        paths.append(path)
    if outside:
        raise ValueError(
            f"{metadata} names file(s) outside {image_dir}, e.g. {outside[:_MAX_NAMED]}; "
            f"image files must be inside the PPB image folder."
        )
    return paths


def _find_folder(root):
    for folder in (root, root / "PPB-2017"):
        if (folder / METADATA_FILE).is_file():
            return folder
    raise FileNotFoundError(
        f"Found no {METADATA_FILE} in {root} or {root / 'PPB-2017'}; pass the PPB-2017 folder."
    )


def _read_metadata(path):
    try:
        raw = pd.read_csv(path, dtype=str, skipinitialspace=True)
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError) as err:
        raise ValueError(f"Cannot read {path} as a CSV table: {err}") from err
    columns = _match_columns(raw.columns, path)
    table = pd.DataFrame(index=raw.index)
    if "id" in columns:
        table["id"] = raw[columns["id"]].str.strip()
    table["file"] = raw[columns["file"]].str.strip()
    table["gender"] = _genders(raw[columns["gender"]], path)
    fitzpatrick = _fitzpatrick(raw, columns, path)
    table["skin_type"] = _skin_types(raw, columns, fitzpatrick, path)
    table["fitzpatrick"] = fitzpatrick
    if "country" in columns:
        table["country"] = raw[columns["country"]].str.strip()
    return table.reset_index(drop=True)


def _normalise(header):
    return re.sub(r"[\s_\-]+", " ", str(header)).strip().lower()


def _match_columns(headers, path):
    found = {}
    for key, aliases in _ALIASES.items():
        matches = [header for header in headers if _normalise(header) in aliases]
        if len(matches) > 1:
            # Reading either one silently could pair images with the wrong labels.
            raise ValueError(
                f"{path} has {len(matches)} columns for {key!r}: {matches}; it is ambiguous "
                f"which one to read. Keep one of them."
            )
        if matches:
            found[key] = matches[0]
    missing = [key for key in ("file", "gender") if key not in found]
    if "numeric" not in found and "skin color" not in found:
        missing.append("skin color (or numeric)")
    if missing:
        raise ValueError(f"{path} lacks column(s) {missing}; its columns are {list(headers)}.")
    return found


def _genders(values, path):
    cleaned = values.str.strip().str.lower()
    bad = sorted(set(cleaned.dropna()) - set(_GENDERS))
    if bad or cleaned.isna().any():
        raise ValueError(f"{path}: gender must be female or male; found {bad or 'missing'}.")
    return pd.Categorical(cleaned.map(_GENDERS), categories=["female", "male"])


def _fitzpatrick(raw, columns, path):
    if "numeric" not in columns:
        return pd.array([pd.NA] * len(raw), dtype="Int64")
    numbers = pd.to_numeric(raw[columns["numeric"]].str.strip(), errors="coerce")
    given = raw[columns["numeric"]].notna() & (raw[columns["numeric"]].str.strip() != "")
    bad = given & ~numbers.isin(range(1, 7))
    if bad.any():
        raise ValueError(
            f"{path}: the numeric column must hold Fitzpatrick types 1-6; found "
            f"{sorted(set(raw.loc[bad, columns['numeric']]))[:_MAX_NAMED]}."
        )
    return pd.array(numbers.where(given), dtype="Int64")


def _skin_types(raw, columns, fitzpatrick, path):
    if "skin color" in columns:
        skin = raw[columns["skin color"]].str.strip().str.lower().replace("", np.nan)
    else:
        skin = pd.Series(np.nan, index=raw.index, dtype=object)
    bad = sorted(set(skin.dropna()) - set(_SKIN))
    if bad:
        raise ValueError(f"{path}: skin color must be lighter or darker; found {bad}.")
    # Gender Shades groups Fitzpatrick types 1-3 as lighter and 4-6 as darker.
    types = np.asarray(fitzpatrick.fillna(0))
    from_type = pd.Series(np.where(types >= 4, "darker", "lighter"), index=raw.index)
    skin = skin.fillna(from_type.where(types > 0))
    if skin.isna().any():
        rows = list(raw.index[skin.isna()][:_MAX_NAMED] + 2)  # CSV line numbers
        raise ValueError(f"{path}: neither skin color nor numeric given on line(s) {rows}.")
    return pd.Categorical(skin, categories=list(_SKIN))
