"""The report folder: markdown, CSV and PNG files, and never overwriting without force."""

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from debias_estimators.reporting import Report, markdown_table, prepare_output_dir


def _figure():
    fig = Figure(figsize=(2, 2))
    fig.add_subplot().plot([0, 1], [1, 0])
    return fig


def test_report_writes_markdown_with_its_tables_and_figures(tmp_path):
    table = pd.DataFrame({"model": ["CNN", "DB-VAE"], "E[A]": [91.23, 93.45]})
    report = Report(tmp_path / "out", "Title")
    report.add_heading("Summary")
    report.add_text("Some text.")
    csv = report.add_table(table, "summary", caption="The summary.", index=False)
    png = report.add_figure(_figure(), "curve", caption="A curve.")
    path = report.write()
    text = path.read_text()
    assert text.startswith("# Title\n")
    assert "## Summary" in text and "Some text." in text and "The summary." in text
    assert "| model | E[A] |" in text and "| CNN | 91.2 |" in text
    assert "](summary.csv)" in text and "![A curve.](curve.png)" in text
    pd.testing.assert_frame_equal(pd.read_csv(csv), table)  # full precision kept
    assert png.read_bytes()[:4] == b"\x89PNG"
    assert report.files == [csv, png, path, path.with_name("report.html")]


def test_a_folder_with_files_is_refused_unless_forced(tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="force=True"):
        Report(tmp_path, "Title")
    report = Report(tmp_path, "Title", force=True)
    report.write()
    assert (tmp_path / "keep.txt").read_text() == "mine"
    assert (tmp_path / "report.md").is_file()


def test_an_empty_or_missing_folder_is_used(tmp_path):
    assert prepare_output_dir(tmp_path) == tmp_path
    nested = prepare_output_dir(tmp_path / "a" / "b")
    assert nested.is_dir()


def test_a_file_in_place_of_the_folder_is_refused(tmp_path):
    (tmp_path / "out").write_text("a file")
    with pytest.raises(FileExistsError, match="not a folder"):
        prepare_output_dir(tmp_path / "out", force=True)


@pytest.mark.parametrize("name", ["../escape", "a/b", "", ".hidden"])
def test_file_names_stay_inside_the_folder(tmp_path, name):
    report = Report(tmp_path, "Title")
    with pytest.raises(ValueError, match="File name"):
        report.add_table(pd.DataFrame({"a": [1]}), name)


def test_markdown_table_formats_cells():
    table = pd.DataFrame(
        {"group": ["a|b", "c"], "value": [0.123, np.nan], "count": [3, 4]}
    ).set_index("group")
    lines = markdown_table(table, float_format="{:.2f}").splitlines()
    assert lines[0] == "| group | value | count |"
    assert lines[1] == "| --- | ---: | ---: |"
    assert lines[2] == "| a\\|b | 0.12 | 3 |"
    assert lines[3] == "| c |  | 4 |"
    assert markdown_table(pd.Series([1.0], name="x"), index=False) == "| x |\n| ---: |\n| 1.0 |"


def test_report_html_is_one_self_contained_page_that_renders_in_a_browser(tmp_path):
    from conftest import check_in_chromium

    table = pd.DataFrame({"group": ["darker <female>", "lighter"], "E[A]": [91.23, np.nan]})
    report = Report(tmp_path, "Title & more")
    report.add_heading("Summary")
    report.add_text("Some `code`, *emphasis* and a [link](summary.csv).\n- one\n- two")
    report.add_table(table, "summary", caption="The summary.", index=False)
    report.add_figure(_figure(), "curve", caption="A curve.")
    report.add_figure(_figure(), "other")
    report.write()
    page = (tmp_path / "report.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and "<title>Title &amp; more</title>" in page
    assert "<code>code</code>" in page and "<em>emphasis</em>" in page
    assert '<a href="summary.csv">link</a>' in page and "<li>one</li><li>two</li>" in page
    assert "darker &lt;female&gt;" in page and '<td class="num">91.2</td>' in page
    assert "<figcaption>A curve.</figcaption>" in page
    result = check_in_chromium(tmp_path / "report.html")
    assert result == {"images": 2, "rendered": 2, "errors": [], "title": "Title & more"}


def test_report_files_are_written_whole(tmp_path):
    report = Report(tmp_path, "Title")
    report.add_table(pd.DataFrame({"a": [1.5]}), "t")
    report.write()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html", "report.md", "t.csv"]
    # the same permissions as any new file (not the temporary file's 0600)
    (tmp_path / "plain").write_text("")
    expected = (tmp_path / "plain").stat().st_mode
    assert {(tmp_path / n).stat().st_mode for n in ("report.md", "t.csv")} == {expected}
