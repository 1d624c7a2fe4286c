"""The yardstick's tables (its ESS bisection is the library's, tested in test_difficulty.py)."""

import importlib.util
import sys
from pathlib import Path

import pandas as pd
import pytest

PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "_targeting.py"


@pytest.fixture(scope="module")
def targeting():
    spec = importlib.util.spec_from_file_location("benchmark_targeting", PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules["benchmark_targeting"] = module
    spec.loader.exec_module(module)
    return module


def test_boost_and_recall_per_value(targeting):
    attributes = pd.DataFrame({"skin": ["a", "a", "a", "b"], "one": ["x"] * 4})
    table = targeting.boosts(attributes, [1.0, 1.0, 1.0, 3.0]).set_index("value")
    assert list(table.index) == ["skin=a", "skin=b"]  # one-valued columns are skipped
    assert table.loc["skin=b", "boost"] == pytest.approx(0.5 / 0.25)
    assert table.loc["skin=a", "boost"] == pytest.approx(0.5 / 0.75)
    recall = targeting.recalls(attributes, [True, True, False, False]).set_index("value")
    assert recall.loc["all", "recall"] == 0.5
    assert recall.loc["skin=a", "recall"] == pytest.approx(2 / 3)
    assert recall.loc["skin=b", "recall"] == 0.0
