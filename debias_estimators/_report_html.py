"""The HTML twin of ``report.md``: one self-contained page, figures embedded as base64 PNG.

The page has no script and loads nothing: styles are inline and every image is a ``data:``
URI, so the single file can be mailed or opened offline. The report's markdown paragraphs use
a small subset (inline code, emphasis, links, bullet lists), translated here.
"""

import base64
import html
import numbers
import re

__all__ = ["figure_html", "heading_html", "page_html", "table_html", "text_html"]

_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0;
       color: #1f2328; background: #fff; line-height: 1.5; }
main { max-width: 60rem; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 1.8rem; border-bottom: 1px solid #d0d7de; padding-bottom: .3rem; }
h2 { font-size: 1.35rem; margin-top: 2rem; border-bottom: 1px solid #d0d7de; }
code { background: #f6f8fa; padding: .1rem .3rem; border-radius: 4px; font-size: 90%; }
table { border-collapse: collapse; margin: .5rem 0; font-size: .9rem; }
th, td { border: 1px solid #d0d7de; padding: .25rem .6rem; }
th { background: #f6f8fa; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1rem 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #eaeef2; }
figcaption, p.caption { color: #57606a; font-size: .9rem; }
section.model-card { background: #f6f8fa; border: 1px solid #d0d7de; border-radius: 6px;
                     padding: 0 1rem .5rem; }
"""

_CODE = re.compile(r"`([^`]+)`")
_STRONG = re.compile(r"\*\*([^*]+)\*\*")
_EM = re.compile(r"(?<![\w*])\*([^*\s][^*]*)\*(?![\w*])")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")


def _inline(text):
    # Escape first; the markdown marks survive escaping unchanged.
    out = html.escape(text, quote=False)
    codes = []

    def keep(match):
        codes.append(f"<code>{match.group(1)}</code>")
        return f"\x00{len(codes) - 1}\x00"

    out = _CODE.sub(keep, out)
    out = _LINK.sub(lambda m: f'<a href="{html.escape(m.group(2))}">{m.group(1)}</a>', out)
    out = _STRONG.sub(r"<strong>\1</strong>", out)
    out = _EM.sub(r"<em>\1</em>", out)
    return re.sub("\x00(\\d+)\x00", lambda m: codes[int(m.group(1))], out)


def heading_html(text, level=2):
    """Render a heading.

    Parameters
    ----------
    text : str
        The heading.
    level : int, default=2
        Its level, 1 to 6.

    Returns
    -------
    html : str
        The element.
    """
    level = min(max(int(level), 1), 6)
    return f"<h{level}>{_inline(text)}</h{level}>"


def text_html(text):
    """Render a markdown paragraph: bullet lists, inline code, emphasis and links.

    Parameters
    ----------
    text : str
        Markdown text; lines starting with ``- `` form a list.

    Returns
    -------
    html : str
        Paragraphs and lists.
    """
    blocks, items, para = [], [], []
    for line in text.strip().splitlines():
        if line.startswith("- "):
            if para:
                blocks.append(f"<p>{' '.join(para)}</p>")
                para = []
            items.append(f"<li>{_inline(line[2:])}</li>")
            continue
        if items:
            blocks.append(f"<ul>{''.join(items)}</ul>")
            items = []
        if line.strip():
            para.append(_inline(line.strip()))
    if para:
        blocks.append(f"<p>{' '.join(para)}</p>")
    if items:
        blocks.append(f"<ul>{''.join(items)}</ul>")
    return "\n".join(blocks)


def table_html(table, *, index=True, float_format="{:.1f}", caption=None, link=None):
    """Render a DataFrame as an HTML table.

    Parameters
    ----------
    table : pandas.DataFrame
        The table.
    index : bool, default=True
        Show the index (each level as a column).
    float_format : str, default="{:.1f}"
        Format of float cells; missing values are left blank.
    caption : str, optional
        A line above the table.
    link : str, optional
        A relative link to the table's CSV file, shown below it.

    Returns
    -------
    html : str
        The table with its caption and link.
    """
    frame = table.reset_index() if index else table
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = []
    for row in frame.itertuples(index=False):
        cells = []
        for value in row:
            text = _format(value, float_format)
            numeric = isinstance(value, numbers.Real) and not isinstance(value, bool)
            cls = ' class="num"' if numeric else ""
            cells.append(f"<td{cls}>{html.escape(text)}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    parts = []
    if caption:
        parts.append(f'<p class="caption">{_inline(caption)}</p>')
    parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")
    if link:
        href = html.escape(link)
        parts.append(f'<p class="caption"><a href="{href}">{href}</a></p>')
    return "\n".join(parts)


def _format(value, float_format):
    if value is None:
        return ""
    if isinstance(value, float):
        return "" if value != value else float_format.format(value)  # NaN is blank
    if hasattr(value, "dtype") and value.dtype.kind == "f":
        return _format(float(value), float_format)
    return str(value)


def figure_html(png, alt, caption=None):
    """Render a PNG image, embedded as a ``data:`` URI.

    Parameters
    ----------
    png : bytes
        The PNG file's content.
    alt : str
        Alternative text.
    caption : str, optional
        A caption below the image.

    Returns
    -------
    html : str
        A ``<figure>`` element.
    """
    data = base64.b64encode(png).decode("ascii")
    img = f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt)}">'
    caption = f"<figcaption>{_inline(caption)}</figcaption>" if caption else ""
    return f"<figure>{img}{caption}</figure>"


def page_html(title, blocks):
    """Assemble the page.

    Parameters
    ----------
    title : str
        The page title and first heading.
    blocks : list of str
        The body's elements, in order.

    Returns
    -------
    html : str
        A complete HTML5 document.
    """
    body = "\n".join([heading_html(title, 1), *blocks])
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n"
        f"<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )
