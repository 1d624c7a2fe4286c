"""Recall at a matched FPR, per-group AUC and per-attribute figures, pinned on small examples."""

import itertools

import numpy as np
import pandas as pd
import pytest

from debias_estimators import CNNClassifier
from debias_estimators.evaluation import (
    evaluate_detector,
    evaluate_scores,
    face_scores,
    group_roc_auc,
    group_roc_curves,
    threshold_at_fpr,
)

from conftest import make_blob_images


def test_threshold_at_fpr_accepts_at_most_fpr_of_the_negatives():
    negatives = np.arange(20, dtype=float)  # 0 .. 19
    # 5 % of 20 is one negative: the threshold is the second highest, 18; only 19 is above.
    assert threshold_at_fpr(negatives, 0.05) == 18.0
    assert threshold_at_fpr(negatives, 0.0) == 19.0
    assert threshold_at_fpr(negatives, 0.12) == 17.0  # floor(2.4) = 2 accepted
    rng = np.random.default_rng(0)
    for fpr in (0.01, 0.05, 0.2, 0.5):
        scores = rng.random(333)
        t = threshold_at_fpr(scores, fpr)
        assert np.mean(scores > t) <= fpr < np.mean(scores >= t) + 1e-12


def test_threshold_rejects_ties_at_the_threshold():
    negatives = np.array([0.9, 0.9, 0.9, 0.1])
    # 30 % allows one, but the three tied scores go together: none can be accepted.
    t = threshold_at_fpr(negatives, 0.3)
    assert t == 0.9 and np.mean(negatives > t) == 0


@pytest.mark.parametrize("fpr", [-0.1, 1.0, 1.5, True, "0.05", np.nan])
def test_threshold_refuses_a_bad_fpr(fpr):
    with pytest.raises(ValueError, match="fpr"):
        threshold_at_fpr([0.1, 0.2], fpr)


def test_threshold_refuses_no_or_nonfinite_scores():
    with pytest.raises(ValueError, match="at least one"):
        threshold_at_fpr([], 0.05)
    with pytest.raises(ValueError, match="finite"):
        threshold_at_fpr([0.1, np.nan], 0.05)


def _pairwise_auc(positives, negatives):
    """AUC as the share of (face, non-face) pairs ranked right, ties counting half."""
    wins = sum(
        1.0 if p > n else 0.5 if p == n else 0.0 for p, n in itertools.product(positives, negatives)
    )
    return wins / (len(positives) * len(negatives))


def test_group_roc_auc_matches_the_pairwise_count():
    scores = np.array([0.9, 0.4, 0.7, 0.2, 0.6, 0.3, 0.5, 0.4, 0.1])
    faces = np.array([1, 1, 1, 1, 0, 0, 0, 0, 0], dtype=bool)
    groups = pd.DataFrame({"skin": ["a", "a", "b", "b", None, None, None, None, None]})
    auc = group_roc_auc(scores, faces, groups)
    negatives = scores[~faces]
    assert auc["a"] == pytest.approx(_pairwise_auc([0.9, 0.4], negatives))
    assert auc["b"] == pytest.approx(_pairwise_auc([0.7, 0.2], negatives))
    with pytest.raises(ValueError, match="non-faces"):
        group_roc_auc(scores[:4], faces[:4], groups[:4])
    with pytest.raises(ValueError, match="same length"):
        group_roc_curves(scores[:-1], faces, groups)


def test_a_face_without_a_group_is_in_no_groups_ranking():
    scores = np.array([0.9, 0.4, 0.7, 0.2, 0.8, 0.6, 0.3, 0.5])
    faces = np.array([1, 1, 1, 1, 1, 0, 0, 0], dtype=bool)
    # The fifth face is unlabelled (float NaN, as a partly filled CSV reads).
    groups = pd.DataFrame({"skin": ["a", "a", "b", "b", np.nan, np.nan, np.nan, np.nan]})
    auc = group_roc_auc(scores, faces, groups)
    negatives = scores[~faces]
    assert list(auc.index) == ["a", "b"]
    assert auc["a"] == pytest.approx(_pairwise_auc([0.9, 0.4], negatives))
    assert set(group_roc_curves(scores, faces, groups)["group"]) == {"a", "b"}


def _toy_test_set():
    # 8 faces in 4 groups (2 each) with a third attribute; 10 non-faces; 10 calibration.
    scores = np.array([0.95, 0.8, 0.7, 0.3, 0.9, 0.45, 0.6, 0.2] + list(np.linspace(0, 0.9, 10)))
    faces = np.r_[np.ones(8, bool), np.zeros(10, bool)]
    skin = ["L", "L", "L", "L", "D", "D", "D", "D"] + [None] * 10
    gender = ["f", "m", "f", "m", "f", "m", "f", "m"] + [None] * 10
    light = ["dim", "ok", "ok", "ok", "ok", "ok", "dim", "dim"] + [None] * 10
    attributes = pd.DataFrame({"skin_type": skin, "gender": gender, "light": light})
    calibration = np.linspace(0.05, 0.5, 10)  # the highest is 0.5; 10 % -> the 2nd: 0.45
    return scores, faces, attributes, calibration


def test_evaluate_scores_pins_both_operating_points():
    scores, faces, attributes, calibration = _toy_test_set()
    ev = evaluate_scores(scores, faces, attributes, calibration, fpr=0.1, min_count=1)
    assert ev.summary.loc["FPR", "threshold"] == pytest.approx(0.45)
    # Detected at 0.5: L/f 2/2, L/m 1/2, D/f 2/2, D/m 0/2 -> 100, 50, 100, 0 %.
    at_half = np.array([100, 50, 100, 0.0])
    assert ev.summary.loc["threshold", "E[A]"] == pytest.approx(at_half.mean())
    assert ev.summary.loc["threshold", "Var[A]"] == pytest.approx(at_half.var())
    assert ev.summary.loc["threshold", "worst_group"] == "D / m"
    # Above 0.45 (strictly): 0.45 itself is missed, so the same as at 0.5 here.
    assert ev.summary.loc["FPR", "E[A]"] == pytest.approx(at_half.mean())
    # Every attribute value: skin L 3/4, D 2/4; gender f 4/4, m 1/4; light dim 2/3, ok 3/5.
    values = np.array([75, 50, 100, 25, 200 / 3, 60])
    assert ev.summary.loc["threshold", "Var_values"] == pytest.approx(values.var())
    assert ev.summary.loc["threshold", "worst_value"] == "gender=m"
    assert ev.summary.loc["threshold", "worst_value_recall"] == pytest.approx(25)
    # Test non-faces: linspace(0, 0.9, 10) has 0.5, 0.6, 0.7, 0.8, 0.9 above 0.45 and 0.5.
    nonfaces = np.linspace(0, 0.9, 10)
    assert ev.summary.loc["threshold", "nonface_rejected"] == pytest.approx(
        100 * np.mean(nonfaces <= 0.5)
    )
    assert ev.summary.loc["FPR", "nonface_rejected"] == pytest.approx(
        100 * np.mean(nonfaces <= 0.45)
    )
    figures = ev.figures()
    assert figures["worst group at FPR"] == 0.0
    assert figures["min group AUC"] == pytest.approx(100 * _pairwise_auc([0.45, 0.2], nonfaces))


def test_values_with_few_faces_are_listed_but_not_scored():
    scores, faces, attributes, calibration = _toy_test_set()
    ev = evaluate_scores(scores, faces, attributes, calibration, fpr=0.1, min_count=4)
    # light=dim (3 faces) is listed, but left out of the worst value and the variance.
    listed = ev.attributes[ev.attributes.operating_point == "threshold"]
    assert set(listed.value) == {"L", "D", "f", "m", "dim", "ok"}
    assert ev.summary.loc["threshold", "Var_values"] == pytest.approx(np.var([75, 50, 100, 25, 60]))


def test_evaluate_scores_refuses_mismatched_or_faceless_input():
    scores, faces, attributes, calibration = _toy_test_set()
    with pytest.raises(ValueError, match="same length"):
        evaluate_scores(scores[:-1], faces, attributes, calibration)
    with pytest.raises(ValueError, match="headline"):
        evaluate_scores(scores, faces, attributes.drop(columns="gender"), calibration)
    with pytest.raises(ValueError, match="no faces"):
        evaluate_scores(scores, np.zeros_like(faces), attributes, calibration)
    with pytest.raises(ValueError, match="calibration"):
        evaluate_scores(scores[:8], faces[:8], attributes[:8])


def test_evaluate_detector_on_a_real_fit():
    X, y = make_blob_images(n=64, size=16)
    clf = CNNClassifier(n_filters=4, max_epochs=2, random_state=0).fit(X, y)
    attributes = pd.DataFrame(
        {
            "skin_type": np.where(y == 1, np.where(np.arange(64) % 4 < 2, "L", "D"), None),
            "gender": np.where(y == 1, np.where(np.arange(64) % 8 < 4, "f", "m"), None),
        }
    )
    ev = evaluate_detector(clf, X, y == 1, attributes, X[y == 0], fpr=0.25, min_count=1)
    scores = face_scores(clf, X)
    np.testing.assert_allclose(scores, clf.predict_proba(X)[:, 1])
    threshold = threshold_at_fpr(scores[y == 0], 0.25)
    assert ev.summary.loc["FPR", "threshold"] == threshold
    assert ev.summary.loc["FPR", "nonface_rejected"] >= 75.0
    recall = 100 * np.mean(scores[y == 1] > threshold)
    groups = ev.groups[ev.groups.operating_point == "FPR"]
    assert (groups["count"] * groups["recall"]).sum() / groups["count"].sum() == pytest.approx(
        recall
    )


def test_whole_numbers_stored_as_floats_read_as_labels_without_decimals():
    scores, faces, attributes, calibration = _toy_test_set()
    attributes["type"] = [1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 1.0, 2.0] + [np.nan] * 10
    ev = evaluate_scores(scores, faces, attributes, calibration, fpr=0.1, min_count=1)
    assert set(ev.attributes.query("attribute == 'type'")["value"]) == {"1", "2"}
