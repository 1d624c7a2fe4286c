"""A report folder: ``report.md`` with its tables saved as CSV and its figures as PNG.

Beside ``report.md`` goes ``report.html``, the same report as one self-contained page (the
figures embedded), for a browser.

The metrics and plotting modules compute tables and draw figures without touching files;
this module is where they are written. A :class:`Report` is filled section by section and
written at the end::

    report = Report("debias-report", "DB-VAE vs CNN")
    report.add_table(table, "groups", caption="Recall per group")
    report.add_figure(fig, "group_recall", caption="Recall per group")
    report.write()

A folder that holds files is left alone unless ``force=True``; with it, files of the same
name are replaced and other files are kept.
"""

import io
import math
import numbers
import re
from pathlib import Path

import pandas as pd

from . import _report_html
from ._files import atomic_path, check_writable_folder
from ._flags import check_flag

__all__ = ["Report", "markdown_table", "prepare_output_dir"]

REPORT_FILE = "report.md"
HTML_FILE = "report.html"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def prepare_output_dir(path, *, force=False):
    """Create a folder for results, refusing one that already holds files.

    Parameters
    ----------
    path : str or os.PathLike
        The folder; missing parents are created.
    force : bool, default=False
        Accept a folder that holds files (they may be replaced).

    Returns
    -------
    folder : pathlib.Path
        The existing, empty or accepted folder.

    Raises
    ------
    FileExistsError
        If ``path`` holds files and ``force`` is false, or is a file.
    """
    folder = _check_output_dir(path, force=force)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _check_output_dir(path, *, force):
    force = check_flag("force", force)
    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise FileExistsError(f"{folder} exists and is not a folder.")
    if folder.is_dir() and any(folder.iterdir()) and not force:
        raise FileExistsError(
            f"{folder} is not empty; pass force=True to write into it (files of the same name "
            f"are replaced), or choose another folder."
        )
    return check_writable_folder(folder)


def markdown_table(table, *, index=True, float_format="{:.1f}"):
    """Render a DataFrame as a GitHub-flavoured markdown table.

    Parameters
    ----------
    table : pandas.DataFrame or pandas.Series
        The table; a Series becomes one column.
    index : bool, default=True
        Show the index (each level as a column).
    float_format : str, default="{:.1f}"
        Format of float cells; missing values are left blank.

    Returns
    -------
    text : str
        The table, one line per row.
    """
    frame = table.to_frame() if isinstance(table, pd.Series) else table
    if index:
        frame = frame.reset_index()
    header = [str(c) for c in frame.columns]
    rows = [[_cell(v, float_format) for v in row] for row in frame.itertuples(index=False)]
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) for c in frame.columns]
    lines = [_row(header), _row(["---:" if n else "---" for n in numeric])]
    lines += [_row(r) for r in rows]
    return "\n".join(lines)


def _cell(value, float_format):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral):
        return float_format.format(value)
    return str(value).replace("|", "\\|")


def _row(cells):
    return "| " + " | ".join(cells) + " |"


class Report:
    """A markdown report written into a folder, with its tables and figures beside it.

    Parameters
    ----------
    folder : str or os.PathLike
        Where the report goes; created when the first file is written. Each file is written
        to a temporary name and then renamed, so an interrupted run leaves the previous
        version of a file intact.
    title : str
        The report's first heading.
    force : bool, default=False
        Write into a folder that already holds files.

    Attributes
    ----------
    folder : pathlib.Path
        The report folder.
    files : list of pathlib.Path
        Files written so far, in order.

    Raises
    ------
    FileExistsError
        If the folder holds files and ``force`` is false.

    Notes
    -----
    Used as a context manager, a report that began in an absent or empty folder removes what
    it wrote when the block raises (an interrupted run leaves no half a report); in a folder
    that held files (``force=True``) what was written stays.
    """

    def __init__(self, folder, title, *, force=False):
        self.folder = _check_output_dir(folder, force=force)
        self.title = title
        self.files = []
        self._lines = [f"# {title}", ""]
        self._html = []
        self._created = not self.folder.exists()
        self._fresh = self._created or not any(self.folder.iterdir())

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        if kind is not None and self._fresh:
            self._discard()
        return False  # the error goes on

    def _discard(self):
        for path in self.files:
            path.unlink(missing_ok=True)
        self.files = []
        if self._created and self.folder.is_dir() and not any(self.folder.iterdir()):
            self.folder.rmdir()

    def add_heading(self, text, level=2):
        """Start a section.

        Parameters
        ----------
        text : str
            The heading.
        level : int, default=2
            Markdown heading level.
        """
        self._lines += [f"{'#' * level} {text}", ""]
        self._html.append(_report_html.heading_html(text, level))

    def add_text(self, text):
        """Add a paragraph of markdown.

        Parameters
        ----------
        text : str
            Markdown text.
        """
        self._lines += [text.rstrip(), ""]
        self._html.append(_report_html.text_html(text))

    def add_table(self, table, name, *, caption=None, index=True, float_format="{:.1f}"):
        """Save a table as ``<name>.csv`` and show it in the report.

        Parameters
        ----------
        table : pandas.DataFrame or pandas.Series
            The table; the CSV keeps full precision.
        name : str
            File name without extension (letters, digits, ``_``, ``-``, ``.``).
        caption : str, optional
            A line above the table.
        index : bool, default=True
            Keep the index, in the CSV and the report.
        float_format : str, default="{:.1f}"
            Format of float cells in the report.

        Returns
        -------
        path : pathlib.Path
            The CSV file.
        """
        path = self._path(name, ".csv")
        _write_atomic(path, table.to_csv(index=index).encode("utf-8"))
        self.files.append(path)
        if caption:
            self._lines += [caption, ""]
        self._lines += [markdown_table(table, index=index, float_format=float_format), ""]
        self._lines += [f"([{path.name}]({path.name}))", ""]
        self._html.append(
            _report_html.table_html(
                table.to_frame() if isinstance(table, pd.Series) else table,
                index=index,
                float_format=float_format,
                caption=caption,
                link=path.name,
            )
        )
        return path

    def add_figure(self, fig, name, *, caption=None):
        """Save a matplotlib figure as ``<name>.png`` and show it in the report.

        Parameters
        ----------
        fig : matplotlib.figure.Figure
            The figure.
        name : str
            File name without extension.
        caption : str, optional
            Alternative text and a line below the image.

        Returns
        -------
        path : pathlib.Path
            The PNG file.
        """
        path = self._path(name, ".png")
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
        png = buffer.getvalue()
        _write_atomic(path, png)
        self.files.append(path)
        self._lines += [f"![{caption or name}]({path.name})", ""]
        if caption:
            self._lines += [f"*{caption}*", ""]
        self._html.append(_report_html.figure_html(png, caption or name, caption))
        return path

    def write(self):
        """Write ``report.md`` and ``report.html``.

        Each file is written to a temporary file in the folder, then renamed, so a reader
        never sees half a report.

        Returns
        -------
        path : pathlib.Path
            The markdown report; ``report.html`` lies beside it.
        """
        path = self.folder / REPORT_FILE
        text = "\n".join(self._lines).rstrip() + "\n"
        _write_atomic(path, text.encode("utf-8"))
        self.files.append(path)
        page = _report_html.page_html(self.title, self._html)
        html_path = self.folder / HTML_FILE
        _write_atomic(html_path, page.encode("utf-8"))
        self.files.append(html_path)
        return path

    def _path(self, name, suffix):
        if not isinstance(name, str) or not _NAME.match(name):
            raise ValueError(f"File name {name!r} must be letters, digits, '_', '-' or '.'.")
        self.folder.mkdir(parents=True, exist_ok=True)
        return self.folder / f"{name}{suffix}"


def _write_atomic(path, data):
    """Write ``data`` beside ``path`` under a temporary name, then rename it onto ``path``."""
    with atomic_path(path, overwrite=True) as tmp:
        tmp.write_bytes(data)
