import numpy as np
import pandas as pd
import pytest

from debias_estimators import CNNClassifier, DebiasedVAEClassifier
from debias_estimators.analysis import (
    attribute_enrichment,
    evaluate_models,
    face_label,
    resampling_weights,
    strongest_enrichment,
    summarize_seeds,
)
from debias_estimators.audit import latent_traversal

from conftest import make_blob_images

TINY = {"n_filters": 2, "max_epochs": 1, "batch_size": 16, "random_state": 0}


def test_attribute_enrichment_finds_the_upweighted_value():
    attributes = pd.DataFrame({"skin_type": ["darker"] * 10 + ["lighter"] * 90, "id": range(100)})
    weights = np.r_[np.full(10, 5.0), np.ones(90)]
    table = attribute_enrichment(attributes, weights, top_fraction=0.1).set_index("value")
    assert list(table["attribute"].unique()) == ["skin_type"]  # ids are not attributes
    assert table.loc["darker", "top"] == 100.0 and table.loc["darker", "overall"] == 10.0
    assert table.loc["darker", "enrichment"] == pytest.approx(10.0)
    assert table.loc["lighter", "bottom"] == 100.0
    lines = strongest_enrichment(table.reset_index())
    assert lines == [
        "skin_type = darker: 10.0 % of all faces, 100.0 % of the most upweighted (10.0x)"
    ]


def test_attribute_enrichment_resampled_share_is_the_weight_mass():
    # Independently: the darker faces hold 10 x 3 of the 10 x 3 + 90 x 1 = 120 units of weight.
    attributes = pd.DataFrame({"skin_type": ["darker"] * 10 + ["lighter"] * 90})
    weights = np.r_[np.full(10, 3.0), np.ones(90)]
    table = attribute_enrichment(attributes, weights).set_index("value")
    assert table.loc["darker", "resampled"] == pytest.approx(100 * 30 / 120)
    assert table.loc["darker", "boost"] == pytest.approx((30 / 120) / 0.10)
    assert table.loc["lighter", "boost"] == pytest.approx((90 / 120) / 0.90)
    uniform = attribute_enrichment(attributes, np.ones(100)).set_index("value")
    assert np.allclose(uniform["boost"], 1.0)


@pytest.mark.parametrize(
    "weights, match",
    [
        (np.ones(3), "3 weights for 4 faces"),
        (np.array([1.0, np.nan, 1.0, 1.0]), "finite"),
        (np.array([1.0, -1.0, 1.0, 1.0]), "non-negative"),
        (np.zeros(4), "not all zero"),
    ],
)
def test_attribute_enrichment_refuses_bad_weights(weights, match):
    with pytest.raises(ValueError, match=match):
        attribute_enrichment(pd.DataFrame({"a": ["x", "y", "x", "y"]}), weights)


def test_attribute_enrichment_refuses_a_top_fraction_out_of_range():
    with pytest.raises(ValueError, match="top_fraction"):
        attribute_enrichment(pd.DataFrame({"a": ["x", "y"]}), np.ones(2), top_fraction=0.9)


@pytest.fixture(scope="module")
def blobs_and_groups():
    X, y = make_blob_images(n=48, size=16)
    rng = np.random.default_rng(0)
    groups = pd.DataFrame(
        {"skin_type": rng.choice(["darker", "lighter"], 48), "gender": rng.choice(["f", "m"], 48)}
    )
    groups[y == 0] = None  # no group for the non-faces
    return X, y, groups


def test_evaluate_models_measures_each_model_per_group(blobs_and_groups):
    X, y, groups = blobs_and_groups
    cnn = CNNClassifier(**TINY).fit(X, y)
    evaluation = evaluate_models({"cnn": cnn}, X, y == 1, groups)
    assert list(evaluation.summary.index) == ["cnn"]
    assert set(evaluation.groups["model"]) == {"cnn"}
    # Per group, the counts add up to the faces; the non-faces' share rejected is reported.
    assert evaluation.groups["count"].sum() == np.sum(y == 1)
    rejected = 100.0 * np.mean(cnn.predict(X[y == 0]) != 1)
    assert evaluation.summary.loc["cnn", "nonface_accuracy"] == pytest.approx(rejected)
    face_accuracy = np.mean(cnn.predict(X[y == 1]) == 1) * 100
    assert evaluation.summary.loc["cnn", "overall"] == pytest.approx(face_accuracy)
    assert {"E[A]", "Var[A]", "worst_group", "max_difference"} <= set(evaluation.summary)
    # Bootstrap intervals around the summary's own figures, per model and statistic.
    intervals = evaluation.intervals.loc["cnn"]
    for name in ["E[A]", "Var[A]", "worst_group_value", "max_difference"]:
        estimate = intervals.loc[name, "estimate"]
        assert estimate == pytest.approx(evaluation.summary.loc["cnn", name])
        assert intervals.loc[name, "low"] <= estimate <= intervals.loc[name, "high"]


def test_evaluate_models_scores_every_model_at_a_matched_fpr(blobs_and_groups):
    X, y, groups = blobs_and_groups
    cnn = CNNClassifier(**TINY).fit(X, y)
    evaluation = evaluate_models({"cnn": cnn}, X, y == 1, groups, fpr=0.25)
    matched = evaluation.matched().loc["cnn"]
    assert list(matched.index) == ["threshold", "FPR"]
    # Set on the test non-faces themselves: at most a quarter of them are accepted.
    assert matched.loc["FPR", "nonface_rejected"] >= 75.0
    # At the model's own threshold the summary and the matched table agree.
    assert matched.loc["threshold", "E[A]"] == pytest.approx(evaluation.summary.loc["cnn", "E[A]"])
    # A model without probabilities cannot be ranked: no matched figures, no error.
    assert (
        evaluate_models({"cnn": cnn}, X[y == 1], y[y == 1] == 1, groups[y == 1]).matched() is None
    )


def test_face_label_reads_pos_label_or_refuses_to_guess(blobs_and_groups):
    X, y, _ = blobs_and_groups
    model = CNNClassifier(pos_label="face", **TINY).fit(X, np.where(y == 1, "face", "other"))
    assert face_label(model) == "face"

    class Fitted:
        classes_ = np.array(["a", "b"])

    with pytest.raises(ValueError, match="means a face"):
        face_label(Fitted())


def test_resampling_weights_are_the_models_own(blobs_and_groups):
    X, y, _ = blobs_and_groups
    dbvae = DebiasedVAEClassifier(latent_dim=4, **TINY).fit(X, y)
    faces = X[y == 1]
    np.testing.assert_array_equal(resampling_weights(dbvae, faces), dbvae.resampling_weights(faces))
    with pytest.raises(TypeError, match="DebiasedVAEClassifier"):
        resampling_weights(CNNClassifier(**TINY), faces)
    # The traversal varies the dimension of widest spread, the others at their mean.
    Z = dbvae.transform(faces)
    widest = int(np.argmax([np.std(Z[:, j]) for j in range(Z.shape[1])]))
    low, high = np.sort(Z[:, widest])[[0, -1]]  # quantiles 0 and 1: the extremes
    dim, values, decoded = latent_traversal(dbvae, faces, n_steps=3, quantiles=(0, 1))
    assert dim == widest
    np.testing.assert_allclose(values, [low, (low + high) / 2, high], rtol=1e-6)
    points = np.tile(Z.mean(axis=0), (3, 1))
    points[:, widest] = values
    np.testing.assert_allclose(decoded, dbvae.decode(points), rtol=1e-6)
    with pytest.raises(TypeError, match="latent space"):
        latent_traversal(CNNClassifier(**TINY).fit(X, y), faces)
    with pytest.raises(ValueError, match="quantiles"):
        latent_traversal(dbvae, faces, quantiles=(0.9, 0.1))


def test_summarize_seeds_gives_mean_spread_median_and_the_worst_seed():
    summaries = {
        seed: pd.DataFrame(
            {"E[A]": [90.0 + seed, 92.0], "Var[A]": [10.0 * (seed + 1), 5.0]}, index=["a", "b"]
        )
        for seed in range(3)
    }
    table = summarize_seeds(summaries)
    e_a = table.loc[("a", "E[A]")]
    assert e_a["mean"] == pytest.approx(91.0) and e_a["sd"] == pytest.approx(1.0)
    assert e_a["median"] == 91.0 and e_a["worst"] == 90.0 and e_a["n_seeds"] == 3
    # For Var[A] the worst seed is the highest.
    assert table.loc[("a", "Var[A]"), "worst"] == 30.0
    assert table.loc[("b", "Var[A]"), "sd"] == 0.0
    with pytest.raises(ValueError, match="at least one seed"):
        summarize_seeds({})
