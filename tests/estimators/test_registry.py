"""The registry of methods: every public estimator has a row, and its readers list them all."""

import inspect
import sys
from pathlib import Path

import pytest
from sklearn.base import ClassifierMixin
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

import debias_estimators
from debias_estimators import estimators, persistence
from debias_estimators._cli._parser import build_parser
from debias_estimators.estimators import (
    CNNClassifier,
    JTTClassifier,
    all_methods,
    get_method,
    method_of,
)

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _public_classifiers():
    """Every classifier class the package exports at its top level or from ``estimators``."""
    found = set()
    for module in (debias_estimators, estimators):
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isclass(obj) and issubclass(obj, ClassifierMixin):
                found.add(obj)
    return found


def test_every_public_estimator_has_a_row():
    registered = {method.estimator for method in all_methods()}
    missing = sorted(cls.__name__ for cls in _public_classifiers() - registered)
    assert not missing, f"public estimators without a row in the registry: {missing}"
    assert _public_classifiers() >= registered  # and every row is public


def test_keys_and_names_are_distinct():
    methods = all_methods()
    assert len({m.key for m in methods}) == len({m.name for m in methods}) == len(methods)
    assert methods[0].key == "cnn"  # the baseline first
    for method in methods:
        assert method.variant_of is None or get_method(method.variant_of).variant_of is None


def test_filters():
    assert [m.key for m in all_methods(needs_groups=True)] == ["groupdro"]
    assert all(m.has_latent_space for m in all_methods(has_latent_space=True))
    assert "accelerated-dbvae" not in [m.key for m in all_methods(variants=False)]


def test_lookups():
    assert get_method("jtt").estimator is JTTClassifier
    with pytest.raises(ValueError, match="Unknown method 'svm'.*cnn, dbvae"):
        get_method("svm")
    # JTT derives from the CNN's class but is its own method; a subclass of ours is its parent's.
    assert method_of(JTTClassifier()).key == "jtt"
    assert method_of(type("MyCNN", (CNNClassifier,), {})).key == "cnn"
    assert method_of(make_pipeline(FunctionTransformer())) is None


def test_persistence_saves_every_method():
    assert set(persistence.CLASSES.values()) == {m.estimator for m in all_methods()}


def test_train_offers_every_method_without_groups(capsys):
    for method in all_methods(needs_groups=False):
        assert build_parser().parse_args(["train", "--model", method.key]).model == method.key
    for method in all_methods(needs_groups=True):  # the training files hold no groups
        with pytest.raises(SystemExit):
            build_parser().parse_args(["train", "--model", method.key])
        assert "invalid choice" in capsys.readouterr().err


def test_the_api_reference_lists_every_method():
    sys.path.insert(0, str(DOCS))
    try:
        import _api_coverage
    finally:
        sys.path.remove(str(DOCS))
    documented = _api_coverage.documented_objects((DOCS / "api.rst").read_text())
    missing = [m.estimator.__name__ for m in all_methods() if id(m.estimator) not in documented]
    assert not missing, f"methods missing from docs/api.rst: {missing}"
