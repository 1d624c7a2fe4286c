import numpy as np
import pandas as pd
import pytest

from debias_estimators.metrics import bias_intervals, bias_summary, group_metric_frame


def _predictions(seed=0, n=200):
    rng = np.random.default_rng(seed)
    groups = pd.DataFrame(
        {
            "skin": np.repeat(["lighter", "darker"], 2 * n),
            "sex": np.tile(np.repeat(["f", "m"], n), 2),
        }
    )
    hit_rate = np.repeat([0.97, 0.95, 0.85, 0.9], n)
    y_true = np.ones(4 * n, int)
    y_pred = (rng.random(4 * n) < hit_rate).astype(int)
    return y_true, y_pred, groups


def test_estimates_agree_with_bias_summary_and_intervals_cover_them():
    y_true, y_pred, groups = _predictions()
    table = bias_intervals(y_true, y_pred, groups, n_boot=300, random_state=0)
    summary = bias_summary(group_metric_frame(y_true, y_pred, groups), "accuracy")
    for name in ["E[A]", "Var[A]", "worst_group_value", "max_difference"]:
        assert table.loc[name, "estimate"] == pytest.approx(summary[name])
        assert table.loc[name, "low"] <= table.loc[name, "estimate"] <= table.loc[name, "high"]
    # Independent check of E[A]'s width: 4 groups of 200, binomial standard errors.
    rates = np.array([0.97, 0.95, 0.85, 0.9])
    se = 100 * np.sqrt((rates * (1 - rates) / 200).sum()) / 4
    width = table.loc["E[A]", "high"] - table.loc["E[A]", "low"]
    assert 2 * 1.96 * se * 0.7 < width < 2 * 1.96 * se * 1.3


def test_non_faces_without_groups_are_left_out_and_seed_repeats():
    y_true, y_pred, groups = _predictions(n=50)
    extra = pd.DataFrame({"skin": [None] * 10, "sex": [None] * 10})
    y_all = np.r_[y_true, np.zeros(10, int)]
    p_all = np.r_[y_pred, np.ones(10, int)]  # wrong on purpose: must not count
    both = pd.concat([groups, extra], ignore_index=True)
    first = bias_intervals(y_all, p_all, both, n_boot=50, random_state=1)
    again = bias_intervals(y_true, y_pred, groups, n_boot=50, random_state=1)
    pd.testing.assert_frame_equal(first, again)


@pytest.mark.parametrize(
    "kwargs, match",
    [({"n_boot": 0}, "n_boot"), ({"n_boot": 2.5}, "n_boot"), ({"confidence": 1.0}, "confidence")],
)
def test_bad_arguments(kwargs, match):
    y_true, y_pred, groups = _predictions(n=5)
    with pytest.raises(ValueError, match=match):
        bias_intervals(y_true, y_pred, groups, **kwargs)


def test_fairlearn_bootstrap_passes_through():
    y_true, y_pred, groups = _predictions(n=30)
    frame = group_metric_frame(
        y_true, y_pred, groups, "accuracy", n_boot=20, ci_quantiles=[0.05, 0.95], random_state=0
    )
    low, high = frame.by_group_ci
    assert (low["accuracy"] <= frame.by_group["accuracy"] + 1e-12).all()
    assert (frame.by_group["accuracy"] <= high["accuracy"] + 1e-12).all()
