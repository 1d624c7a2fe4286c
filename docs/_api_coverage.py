"""Which public names of the package the API reference (``docs/api.rst``) leaves out.

Shared by ``docs/conf.py`` (a missing name fails the docs build) and
``tests/test_docstrings.py`` (it fails the tests); it imports nothing of Sphinx.

A module is public when no part of its dotted name starts with an underscore; its public names
are its ``__all__``. ``api.rst`` documents a name through an ``autosummary`` entry or a
``.. data::`` directive under the ``.. currentmodule::`` in force; a name re-exported by
several modules (``debias_estimators.DebiasedVAEClassifier`` and
``debias_estimators.estimators.DebiasedVAEClassifier``) is documented once for all.
"""

import pkgutil
import re
from importlib import import_module
from pathlib import Path

API_RST = Path(__file__).resolve().parent / "api.rst"
PACKAGE = "debias_estimators"

_DIRECTIVE = re.compile(r"^\s*\.\. (currentmodule|autosummary|data|py:data)::\s*(\S*)")
_ENTRY = re.compile(r"^\s+~?([A-Za-z_][A-Za-z0-9_.]*)\s*$")


def public_modules(package=PACKAGE):
    """Return the names of the package and of its public submodules, recursively."""
    root = import_module(package)
    names = [package]
    for info in pkgutil.walk_packages(root.__path__, prefix=f"{package}."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            names.append(info.name)
    return sorted(names)


def documented_objects(api_text):
    """Return the ids of the objects that the text of ``api.rst`` documents."""
    documented, module, in_summary = set(), PACKAGE, False
    for line in api_text.splitlines():
        directive = _DIRECTIVE.match(line)
        if directive:
            kind, arg = directive.groups()
            in_summary = kind == "autosummary"
            if kind == "currentmodule":
                module = arg
            elif kind in ("data", "py:data"):
                documented.add(id(getattr(import_module(module), arg)))
            continue
        if not line.startswith((" ", "\t")) and line.strip():
            in_summary = False  # any unindented text ends an autosummary block
        entry = _ENTRY.match(line)
        if in_summary and entry and not line.strip().startswith(":"):
            owner = import_module(module)
            for part in entry.group(1).split("."):
                owner = getattr(owner, part)
            documented.add(id(owner))
    return documented


def missing_from_api_reference(api_rst=API_RST):
    """Return the public names, as ``module.name``, that ``api.rst`` does not document."""
    documented = documented_objects(Path(api_rst).read_text(encoding="utf-8"))
    missing = []
    for name in public_modules():
        module = import_module(name)
        for public in getattr(module, "__all__", ()):
            if id(getattr(module, public)) not in documented:
                missing.append(f"{name}.{public}")
    return missing
