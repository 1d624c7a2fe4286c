"""Sphinx configuration of the debias_estimators documentation.

Build it with ``make docs`` (warnings are errors), or by hand::

    sphinx-build -W --keep-going -b html docs docs/_build/html

The build needs no network: there is no intersphinx, MathJax is served from the build's own
``_static/mathjax`` (copied from the ``sphinx-mathjax-offline`` package), and the gallery runs
the examples, sized to train for seconds each on a CPU.
"""

import re
import shutil
import sys
from pathlib import Path

from sphinx.util import logging

import debias_estimators

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(DOCS))

from _api_coverage import missing_from_api_reference  # noqa: E402

# -- Project -----------------------------------------------------------------------------------
project = "debias_estimators"
author = "the debias_estimators developers"
copyright = "the debias_estimators developers"
release = debias_estimators.__version__
version = ".".join(release.split(".")[:2])

# -- General -----------------------------------------------------------------------------------
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx-mathjax-offline",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "sphinxarg.ext",
    "sphinx_copybutton",
]
templates_path = ["_templates"]
exclude_patterns = ["_build", "generated/gallery_src", "**.ipynb_checkpoints"]
root_doc = "index"
default_role = "literal"
# Curly quotes and ellipses, but "--" stays two hyphens: option names such as --quick.
smartquotes_action = "qe"
pygments_style = "sphinx"
# Every cross-reference to this package must resolve: a name that moves breaks the build. The
# build is offline (no intersphinx), so references to other projects stay unresolved and show
# as code; so do the private modules and classes that docstrings name for readers of the source.
nitpicky = True
_EXTERNAL = (
    "sklearn", "imblearn", "fairlearn", "skorch", "torch", "numpy", "scipy", "pandas",
    "matplotlib", "h5py", "PIL", "skimage", "dask", "distributed", "accelerate", "joblib",
    "tqdm", *sorted(sys.stdlib_module_names),
)  # fmt: skip
nitpick_ignore_regex = [
    (r"py:.*", rf"({'|'.join(_EXTERNAL)})(\..*)?"),
    (r"py:.*", r"debias_estimators\._.*"),
    (r"py:.*", r"DistributedLatentResampling"),
]

# -- Autodoc, autosummary, numpydoc ---------------------------------------------------------------
autosummary_generate = True
autosummary_imported_members = True
autodoc_default_options = {"member-order": "groupwise"}
autodoc_typehints = "none"
autoclass_content = "class"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = False
numpydoc_xref_param_type = False

# -- Maths -------------------------------------------------------------------------------------
# MathJax 3 from the sphinx-mathjax-offline package, copied into _static/mathjax at the end of
# the build, rather than Sphinx's default script on a CDN: the pages render equations offline.
mathjax_path = "mathjax/tex-chtml.js"

# -- HTML --------------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"debias_estimators {release}"
html_static_path = ["_static"]
html_css_files = ["custom.css"]
html_show_sourcelink = False
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "header_links_before_dropdown": 7,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_sidebars = {"index": [], "getting_started": [], "changelog": [], "benchmarks": []}
html_context = {"default_mode": "light"}

# -- Gallery -----------------------------------------------------------------------------------
# The examples run at build time, each training its networks for seconds, so that their pages
# show the printed tables and the figures. sphinx-gallery reads a gallery from a folder with a
# header file; the examples are copied, with the header below, into a build folder.
GALLERY_SOURCE = DOCS / "generated" / "gallery_src"
GALLERY_HEADER = """\
.. _gallery:

Examples
========

Each example is a script under ``examples/`` in the repository, run when these pages were
built: the tables and figures below are its output. Each trains the models it compares for
seconds on a CPU, so the numbers are those of small, short runs, from one seed (the
benchmarks page compares the models over several). Run one with
``python examples/plot_debiasing_synthetic.py``; ``DEBIAS_EXAMPLES_QUICK=1`` shrinks it
further to a smoke test and ``DEBIAS_EXAMPLES_OUT=DIR`` says where its figure goes.
"""


def _stage_examples():
    if GALLERY_SOURCE.exists():
        shutil.rmtree(GALLERY_SOURCE)
    GALLERY_SOURCE.mkdir(parents=True)
    for script in sorted((ROOT / "examples").glob("plot_*.py")):
        shutil.copyfile(script, GALLERY_SOURCE / script.name)
    (GALLERY_SOURCE / "GALLERY_HEADER.rst").write_text(GALLERY_HEADER, encoding="utf-8")


_stage_examples()

sphinx_gallery_conf = {
    "examples_dirs": str(GALLERY_SOURCE.relative_to(DOCS)),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "plot_gallery": "True",
    "download_all_examples": False,
    "remove_config_comments": True,
    "backreferences_dir": "generated/backreferences",
    "doc_module": ("debias_estimators",),
    "show_memory": False,
    "show_signature": False,
    "within_subsection_order": "FileNameSortKey",
    "write_computation_times": False,
}

# -- Checks ------------------------------------------------------------------------------------
# Every public name must have its entry in the API reference: a name added to a module's
# __all__ but not to api.rst fails the build (warnings are errors).


def _check_api_reference(app):
    logger = logging.getLogger("debias_estimators.docs")
    for name in missing_from_api_reference():
        logger.warning("public name %s is missing from docs/api.rst", name)


# Members that classes inherit from scikit-learn, torch or skorch (get_params, score,
# set_output, the metadata-routing requests, nn.Module's methods...) are documented there; their
# docstrings refer to labels of those projects' own sites.
_FOREIGN = ("sklearn.", "torch.", "skorch.")


def _skip_foreign_members(app, what, name, obj, skip, options):
    module = getattr(obj, "__module__", None) or ""
    if what in ("class", "exception") and module.startswith(_FOREIGN):
        return True
    return None


# The pages must work offline: no <script> may load from another site (MathJax included), and
# the local MathJax that mathjax_path names must be in the output.
_REMOTE_SCRIPT = re.compile(r"<script[^>]*\bsrc=[\"'](?:https?:)?//", re.IGNORECASE)


def _check_offline(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    logger = logging.getLogger("debias_estimators.docs")
    out = Path(app.outdir)
    for page in sorted(out.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        for match in _REMOTE_SCRIPT.finditer(html):
            tag = html[match.start() :].split(">", 1)[0] + ">"
            logger.warning("%s loads a script from the network: %s", page.relative_to(out), tag)
    if not (out / "_static" / app.config.mathjax_path).is_file():
        logger.warning("_static/%s is missing from the build", app.config.mathjax_path)


def setup(app):
    """Register the build-time checks and the member filter."""
    app.connect("builder-inited", _check_api_reference)
    # After sphinx-mathjax-offline has copied MathJax into the output (default priority 500).
    app.connect("build-finished", _check_offline, priority=900)
    app.connect("autodoc-skip-member", _skip_foreign_members)
