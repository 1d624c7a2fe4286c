"""Every public function, class and method has a numpydoc docstring that matches its signature.

The public names are the ``__all__`` of the package and of every public submodule (no part of
the dotted name starts with an underscore); the public methods of a public class are those
whose name does not start with an underscore and that the package itself defines (methods
inherited from scikit-learn, torch or skorch are documented there). Each docstring must parse
as numpydoc, have a summary line, and list in its Parameters section exactly the parameters of
the signature, in the same order (``self`` and ``cls`` left out; ``*args`` and ``**kwargs`` may
be documented together, anywhere). A class is checked against its constructor, unless the
constructor is inherited from outside the package.

Every test collects all the offenders and fails with the full list.
"""

import importlib.util
import inspect
import warnings
from importlib import import_module
from pathlib import Path

import pytest
from numpydoc.docscrape import NumpyDocString

DOCS = Path(__file__).resolve().parents[1] / "docs"
PACKAGE = "debias_estimators"


def _load_api_coverage():
    spec = importlib.util.spec_from_file_location("_api_coverage", DOCS / "_api_coverage.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


API_COVERAGE = _load_api_coverage()
PUBLIC_MODULES = API_COVERAGE.public_modules()


def _ours(obj):
    return (getattr(obj, "__module__", None) or "").split(".")[0] == PACKAGE


def _public_objects():
    """Yield ``(dotted name, object)`` of every public function and class, each object once."""
    seen = set()
    for module_name in PUBLIC_MODULES:
        module = import_module(module_name)
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if not (inspect.isclass(obj) or inspect.isfunction(obj)) or id(obj) in seen:
                continue
            seen.add(id(obj))
            yield f"{module_name}.{name}", obj


def _public_methods(cls):
    """Yield ``(name, raw attribute)`` of the public methods and properties the package defines."""
    for name in sorted(dir(cls)):
        if name.startswith("_"):
            continue
        owner = next((c for c in cls.__mro__ if name in vars(c)), None)
        if owner is None or not _ours(owner):
            continue
        raw = vars(owner)[name]
        if isinstance(raw, staticmethod | classmethod | property) or inspect.isfunction(raw):
            yield name, raw


def _targets():
    """Yield ``(dotted name, callable or property, kind)`` for everything to check."""
    for path, obj in _public_objects():
        if inspect.isfunction(obj):
            yield path, obj, "function"
            continue
        init = next((c for c in obj.__mro__ if "__init__" in vars(c)), object)
        yield path, obj, "class" if _ours(init) else "class, foreign constructor"
        for name, raw in _public_methods(obj):
            if isinstance(raw, property):
                yield f"{path}.{name}", raw, "property"
            elif isinstance(raw, staticmethod):
                yield f"{path}.{name}", raw.__func__, "staticmethod"
            elif isinstance(raw, classmethod):
                yield f"{path}.{name}", raw.__func__, "classmethod"
            else:
                yield f"{path}.{name}", raw, "method"


TARGETS = list(_targets())


def _signature_names(obj, kind):
    """Parameter names of the signature, variadics as ``*args`` / ``**kwargs``."""
    parameters = list(inspect.signature(obj).parameters.values())
    if kind in ("method", "classmethod") and parameters:
        parameters = parameters[1:]  # self, cls
    names = []
    for p in parameters:
        prefix = {p.VAR_POSITIONAL: "*", p.VAR_KEYWORD: "**"}.get(p.kind, "")
        names.append(prefix + p.name)
    return names


def _documented_names(doc):
    names = []
    for section in ("Parameters", "Other Parameters"):
        for parameter in doc[section]:
            for name in parameter.name.split(","):
                name = name.strip().replace("\\", "")
                if name:
                    names.append(name)
    return names


def _parameter_problems(signature, documented):
    variadic = [n for n in signature if n.startswith("*")]
    named = [n for n in signature if not n.startswith("*")]
    # Accept "*args" documented as "args" and so on.
    bare = {n.lstrip("*"): n for n in variadic}
    documented = [bare.get(n, n) for n in documented]
    problems = []
    missing = [n for n in signature if n not in documented]
    if missing:
        problems.append(f"parameters not documented: {', '.join(missing)}")
    unknown = [n for n in documented if n not in signature]
    if unknown:
        problems.append(f"documented parameters not in the signature: {', '.join(unknown)}")
    duplicated = sorted({n for n in documented if documented.count(n) > 1})
    if duplicated:
        problems.append(f"parameters documented twice: {', '.join(duplicated)}")
    order = [n for n in documented if n in named]
    if not missing and not unknown and not duplicated and order != named:
        problems.append(
            f"parameters documented in the order ({', '.join(order)}), "
            f"but the signature has ({', '.join(named)})"
        )
    return problems


def _docstring_problems(obj, kind):
    raw = inspect.getdoc(obj.fget if kind == "property" else obj)
    if not raw or not raw.strip():
        return ["no docstring"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            doc = NumpyDocString(raw)
        except Exception as err:  # numpydoc raises ValueError on malformed sections
            return [f"not a valid numpydoc docstring: {err}"]
    problems = [f"numpydoc: {w.message}" for w in caught]
    if not doc["Summary"]:
        problems.append("no summary line")
    if kind in ("property", "class, foreign constructor"):
        return problems
    return problems + _parameter_problems(_signature_names(obj, kind), _documented_names(doc))


def _report(offenders):
    lines = [f"{len(offenders)} docstring(s) to fix:"]
    lines += [f"  {name}: {'; '.join(problems)}" for name, problems in offenders]
    return "\n".join(lines)


def test_every_public_module_declares_all():
    lacking = [name for name in PUBLIC_MODULES if not hasattr(import_module(name), "__all__")]
    assert not lacking, f"public modules without __all__: {', '.join(lacking)}"


def test_the_checks_see_the_public_api():
    names = {name for name, _, _ in TARGETS}
    assert {
        "debias_estimators.DebiasedVAEClassifier",
        "debias_estimators.DebiasedVAEClassifier.fit",
        "debias_estimators.DebiasedVAEClassifier.predict_proba",
        "debias_estimators.CNNClassifier.transform",
        "debias_estimators.LatentDensityResampler.fit",
        "debias_estimators.datasets.make_biased_faces",
        "debias_estimators.metrics.bias_summary",
        "debias_estimators.losses.dbvae_loss",
        "debias_estimators.ImageTransformer",
        "debias_estimators.cli.main",
    } <= names
    # Inherited from scikit-learn, documented there.
    assert "debias_estimators.DebiasedVAEClassifier.score" not in names


def test_every_public_docstring_is_numpydoc_and_matches_its_signature():
    offenders = []
    for name, obj, kind in TARGETS:
        problems = _docstring_problems(obj, kind)
        if problems:
            offenders.append((name, problems))
    assert not offenders, _report(offenders)


def test_every_public_name_is_in_the_api_reference():
    missing = API_COVERAGE.missing_from_api_reference()
    assert not missing, f"public names missing from docs/api.rst: {', '.join(missing)}"


@pytest.mark.parametrize(
    ("signature", "documented", "expected"),
    [
        (["a", "b"], ["a", "b"], []),
        (["a", "*args", "**kwargs"], ["a", "*args", "**kwargs"], []),
        (["a", "*args", "**kwargs"], ["*args", "**kwargs", "a"], []),  # together, anywhere
        (["a", "*args"], ["a", "args"], []),
        (["a", "b"], ["a"], ["parameters not documented: b"]),
        (["a"], ["a", "c"], ["documented parameters not in the signature: c"]),
        (
            ["a", "b"],
            ["b", "a"],
            ["parameters documented in the order (b, a), but the signature has (a, b)"],
        ),
        (["a"], ["a", "a"], ["parameters documented twice: a"]),
    ],
)
def test_parameter_comparison(signature, documented, expected):
    assert _parameter_problems(signature, documented) == expected


def test_a_docstring_without_parameters_section_is_caught():
    def documented(x, y=1):
        """Do something.

        Parameters
        ----------
        x : int
            The x.
        y : int, default=1
            The y.
        """

    def undocumented(x):
        """Do something."""

    def no_docstring():
        pass

    assert _docstring_problems(documented, "function") == []
    assert _docstring_problems(undocumented, "function") == ["parameters not documented: x"]
    assert _docstring_problems(no_docstring, "function") == ["no docstring"]
