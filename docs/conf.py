"""Sphinx configuration of the debias_estimators documentation.

Build it with ``make docs`` (warnings are errors), or by hand::

    sphinx-build -W --keep-going -b html docs docs/_build/html

The build needs no network: there is no intersphinx, and the gallery is rendered without
running the examples (they train networks; ``make test`` runs them on tiny settings).
"""

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
nitpicky = False

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
# The examples train networks, which takes minutes: the gallery shows their code and text and
# offers them for download, without running them. sphinx-gallery reads a gallery from a folder
# with a header file; the examples are copied, with the header below, into a build folder.
GALLERY_SOURCE = DOCS / "generated" / "gallery_src"
GALLERY_HEADER = """\
.. _gallery:

Examples
========

Each example is a script under ``examples/`` in the repository. They are shown here without
being run: each trains the models it compares, for a few minutes on a laptop CPU. Run one with
``python examples/plot_debiasing_synthetic.py``; ``DEBIAS_EXAMPLES_QUICK=1`` shrinks it to a
smoke test of a few seconds and ``DEBIAS_EXAMPLES_OUT=DIR`` says where its figure goes.
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
    "plot_gallery": "False",
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


def setup(app):
    """Register the build-time checks and the member filter."""
    app.connect("builder-inited", _check_api_reference)
    app.connect("autodoc-skip-member", _skip_foreign_members)
