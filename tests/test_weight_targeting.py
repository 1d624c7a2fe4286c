"""The yardstick's helper: weights brought to one effective sample size (ESS)."""

import importlib.util
import math
import sys
from pathlib import Path

import numpy as np
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


def _ess_of_exponent(log_w, t):
    # Independently of the helper: unnormalised exp(t * l), ESS = (sum w)^2 / sum w^2.
    w = [math.exp(t * (v - max(log_w))) for v in log_w]
    return sum(w) ** 2 / sum(v * v for v in w)


def test_two_level_weights_match_the_closed_form(targeting):
    # m samples with log-weight 1, n - m with 0: with x = e^t the ESS is
    # (m x + n - m)^2 / (m x^2 + n - m); solve ESS = s n for x (the root above 1).
    n, m, share = 100, 10, 0.3
    target = share * n
    a, b, c = m * (target - m), -2 * m * (n - m), (n - m) * (target - (n - m))
    x = (-b + math.sqrt(b * b - 4 * a * c)) / (2 * a)
    weights, t, reached = targeting.weights_at_ess(np.r_[np.ones(m), np.zeros(n - m)], share)
    assert t == pytest.approx(math.log(x), rel=1e-9)
    assert reached == pytest.approx(share, rel=1e-9)
    assert weights.sum() == pytest.approx(1.0)
    assert weights[0] / weights[-1] == pytest.approx(x, rel=1e-9)


@pytest.mark.parametrize("scale", [0.05, 1.0, 20.0])
def test_flat_rules_are_sharpened_and_steep_ones_tempered(targeting, scale):
    log_w = list(np.random.default_rng(1).normal(size=300) * scale)
    weights, t, reached = targeting.weights_at_ess(log_w, 0.3)
    assert _ess_of_exponent(log_w, t) / len(log_w) == pytest.approx(0.3, rel=1e-8)
    assert reached == pytest.approx(0.3, rel=1e-8)
    # Sharpened (t > 1) when the rule keeps more than 30 %, tempered (t < 1) when less.
    assert (t > 1) == (_ess_of_exponent(log_w, 1.0) / len(log_w) > 0.3)
    expected = np.exp(t * (np.array(log_w) - max(log_w)))
    np.testing.assert_allclose(weights, expected / expected.sum(), rtol=1e-12)


def test_flat_and_unreachable_rules(targeting):
    weights, t, reached = targeting.weights_at_ess(np.full(5, 2.0), 0.3)
    np.testing.assert_array_equal(weights, np.full(5, 0.2))
    assert (t, reached) == (0.0, 1.0)
    # Half the samples share the top weight: no exponent brings the ESS below 50 %.
    weights, t, reached = targeting.weights_at_ess([1.0, 1.0, 0.0, 0.0], 0.3)
    np.testing.assert_array_equal(weights, [0.5, 0.5, 0.0, 0.0])
    assert (t, reached) == (math.inf, 0.5)
    with pytest.raises(ValueError, match="finite"):
        targeting.weights_at_ess([0.0, np.nan], 0.3)


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
