"""Writing files so that an interrupted write never destroys the previous version.

A file is written to a temporary name in its own folder and renamed over the destination when
complete (``os.replace`` is atomic on one file system); a failure removes the temporary file.
"""

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

from ._flags import check_flag

__all__ = ["atomic_path", "check_new_file", "check_writable_folder"]


@contextmanager
def atomic_path(path, *, overwrite=False):
    """Yield a temporary path next to ``path``; rename it to ``path`` if the block succeeds.

    Parameters
    ----------
    path : str or os.PathLike
        The destination.
    overwrite : bool, default=False
        Allow replacing an existing file.

    Yields
    ------
    tmp : pathlib.Path
        Where to write; it does not exist yet.
    """
    overwrite = check_flag("overwrite", overwrite)
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a folder, not a file name.")
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; refusing to replace it.")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    tmp.unlink()
    try:
        yield tmp
        if path.exists() and not overwrite:
            raise FileExistsError(f"{path} appeared while it was written; not replacing it.")
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def check_writable_folder(folder):
    """Check that files can be created in ``folder`` (or its nearest existing parent).

    Parameters
    ----------
    folder : str or os.PathLike
        The folder an output will be written to; it need not exist yet.

    Returns
    -------
    folder : pathlib.Path
        The folder.

    Raises
    ------
    PermissionError
        If no file can be created there.
    """
    folder = Path(folder)
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise NotADirectoryError(f"{existing} is not a folder; cannot write into {folder}.")
    try:
        fd, name = tempfile.mkstemp(prefix=".write-check.", dir=existing)
    except OSError as err:
        raise PermissionError(f"Cannot write into {existing}: {err.strerror}.") from err
    os.close(fd)
    os.unlink(name)
    return folder


def check_new_file(path, *, overwrite=False):
    """Refuse to replace an existing file unless ``overwrite``; call it before long work.

    Also checks that the file's folder can be written to, so that a long training run does not
    end in a failed save.

    Parameters
    ----------
    path : str or os.PathLike
        The file to be written.
    overwrite : bool, default=False
        Allow replacing it.

    Returns
    -------
    path : pathlib.Path
        The path.
    """
    overwrite = check_flag("overwrite", overwrite)
    path = Path(path)
    if path.is_dir():
        raise FileExistsError(f"{path} is a folder; give a file name such as model.zip.")
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True to replace it.")
    check_writable_folder(path.parent)
    return path
