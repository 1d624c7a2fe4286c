import ast
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import MetricFrame
from sklearn.dummy import DummyClassifier
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score

from debias_estimators import metrics
from debias_estimators.metrics import (
    DEFAULT_METRICS,
    bias_summary,
    compare_models,
    group_metric_frame,
    group_table,
    metric_frames,
    summary_table,
)

# Four PPB-like groups of faces (y=1) and two non-faces without a group. Accuracies by
# group: darker/female 2/4, darker/male 3/4, lighter/female 4/4, lighter/male 4/5.
SKIN = ["darker"] * 8 + ["lighter"] * 9 + [None, None]
GENDER = ["female"] * 4 + ["male"] * 4 + ["female"] * 4 + ["male"] * 5 + [None, None]
Y_TRUE = np.array([1] * 17 + [0, 0])
Y_PRED = np.array([1, 1, 0, 0] + [1, 1, 1, 0] + [1, 1, 1, 1] + [1, 1, 1, 1, 0] + [1, 0])
GROUP_ACCURACY = {
    ("darker", "female"): 0.5,
    ("darker", "male"): 0.75,
    ("lighter", "female"): 1.0,
    ("lighter", "male"): 0.8,
}


@pytest.fixture
def sensitive():
    return pd.DataFrame({"skin_type": SKIN, "gender": GENDER})


@pytest.fixture
def frame(sensitive):
    return group_metric_frame(Y_TRUE, Y_PRED, sensitive)


@pytest.fixture
def fitted_models():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    y = (X[:, 0] > -0.3).astype(int)
    models = {
        "logreg": LogisticRegression().fit(X, y),
        "always_face": DummyClassifier(strategy="constant", constant=1).fit(X, y),
    }
    skin = np.where(X[:, 1] > 0, "darker", "lighter").astype(object)
    gender = np.where(np.arange(60) % 2 == 0, "female", "male").astype(object)
    skin[y == 0] = None
    gender[y == 0] = None
    return models, X, y, pd.DataFrame({"skin_type": skin, "gender": gender})


def test_group_metric_frame_defaults_and_values(frame):
    assert isinstance(frame, MetricFrame)
    by_group = frame.by_group
    assert list(by_group.columns) == list(DEFAULT_METRICS)
    assert list(by_group.index.names) == ["skin_type", "gender"]
    for group, accuracy in GROUP_ACCURACY.items():
        assert by_group.loc[group, "accuracy"] == pytest.approx(accuracy)
        # all grouped rows are faces, so accuracy is the detection rate
        assert by_group.loc[group, "recall"] == pytest.approx(accuracy)
    assert by_group["count"].tolist() == [4, 4, 4, 5]


def test_rows_without_group_are_dropped(frame):
    # the two non-faces (one false positive) count neither in groups nor overall
    assert frame.by_group["count"].sum() == 17
    assert frame.overall["accuracy"] == pytest.approx(accuracy_score(Y_TRUE[:17], Y_PRED[:17]))


def test_missing_raise_refuses_rows_without_group(sensitive):
    with pytest.raises(ValueError, match="2 row\\(s\\) have missing sensitive features"):
        group_metric_frame(Y_TRUE, Y_PRED, sensitive, missing="raise")
    with pytest.raises(ValueError, match="missing must be one of"):
        group_metric_frame(Y_TRUE, Y_PRED, sensitive, missing="keep")


def test_no_groups_is_an_error():
    with pytest.raises(ValueError, match="No groups to evaluate"):
        group_metric_frame([0, 0], [0, 1], [None, np.nan])
    with pytest.raises(ValueError, match="no columns"):
        group_metric_frame([0, 1], [0, 1], pd.DataFrame(index=[0, 1]))


def test_length_mismatch_names_the_inputs(sensitive):
    with pytest.raises(ValueError, match="y_true has 19, y_pred has 18"):
        group_metric_frame(Y_TRUE, Y_PRED[:-1], sensitive)
    with pytest.raises(ValueError, match="sensitive_features has 3"):
        group_metric_frame(Y_TRUE, Y_PRED, ["a", "b", "c"])


def test_metric_selection_by_name_and_dict(sensitive):
    named = group_metric_frame(Y_TRUE, Y_PRED, sensitive, metrics=["recall", "count"])
    assert list(named.by_group.columns) == ["recall", "count"]
    single = group_metric_frame(Y_TRUE, Y_PRED, sensitive, metrics="accuracy")
    assert list(single.by_group.columns) == ["accuracy"]
    custom = group_metric_frame(Y_TRUE, Y_PRED, sensitive, metrics={"acc": accuracy_score})
    assert custom.by_group["acc"].tolist() == pytest.approx(list(GROUP_ACCURACY.values()))


def test_bad_metrics_are_rejected(sensitive):
    with pytest.raises(ValueError, match="Unknown metric name.*'f1'"):
        group_metric_frame(Y_TRUE, Y_PRED, sensitive, metrics=["f1"])
    with pytest.raises(ValueError, match="metrics is empty"):
        group_metric_frame(Y_TRUE, Y_PRED, sensitive, metrics=[])
    with pytest.raises(TypeError, match="must be callable"):
        group_metric_frame(Y_TRUE, Y_PRED, sensitive, metrics={"acc": "accuracy"})


def test_single_feature_forms_and_integer_labels():
    y = np.array([1, 1, 1, 1, 0])
    pred = np.array([1, 0, 1, 1, 0])
    skin_type = pd.Series([1.0, 1.0, 6.0, 6.0, np.nan], name="fitzpatrick")
    by_group = group_metric_frame(y, pred, skin_type).by_group
    # NaN made the column float; the labels come back as the integers they are
    assert by_group.index.tolist() == [1, 6]
    assert by_group.index.name == "fitzpatrick"
    from_list = group_metric_frame(y, pred, ["a", "a", "b", "b", None]).by_group
    assert from_list.index.name == "sensitive_feature_0"
    assert from_list["accuracy"].tolist() == [0.5, 1.0]


def test_recall_of_a_group_without_faces_is_nan():
    by_group = group_metric_frame([1, 1, 0, 0], [1, 0, 0, 1], ["a", "a", "b", "b"]).by_group
    assert by_group.loc["a", "recall"] == 0.5
    assert np.isnan(by_group.loc["b", "recall"])


def test_bias_summary_matches_hand_computation(frame):
    summary = bias_summary(frame)
    percent = np.array([50.0, 75.0, 100.0, 80.0])
    assert summary.name == "accuracy"
    # mean 76.25; squared deviations 689.0625 + 1.5625 + 564.0625 + 14.0625 = 1268.75
    assert summary["E[A]"] == pytest.approx(76.25)
    assert summary["Var[A]"] == pytest.approx(1268.75 / 4)
    assert summary["Var[A]"] == pytest.approx(np.var(percent))
    assert bias_summary(frame, ddof=1)["Var[A]"] == pytest.approx(1268.75 / 3)
    assert summary["worst_group"] == "darker / female"
    assert summary["worst_group_value"] == pytest.approx(50.0)
    assert summary["max_difference"] == pytest.approx(50.0)
    assert summary["min_ratio"] == pytest.approx(0.5)
    assert summary["overall"] == pytest.approx(100 * 13 / 17)
    assert summary["n_groups"] == 4


def test_bias_summary_skips_absent_groups():
    mf = group_metric_frame([1, 1, 1], [1, 0, 1], {"skin": ["d", "d", "l"], "sex": ["f", "f", "m"]})
    # the 2 x 2 grid has two empty cells: darker/male and lighter/female
    summary = bias_summary(mf, "recall")
    assert summary["n_groups"] == 2
    assert summary["E[A]"] == pytest.approx(75.0)
    assert summary["Var[A]"] == pytest.approx(625.0)


def test_bias_summary_rejects_bad_input(frame):
    with pytest.raises(ValueError, match="Unknown metric 'f1'"):
        bias_summary(frame, "f1")
    with pytest.raises(ValueError, match="rates in \\[0, 1\\].*'count'"):
        bias_summary(frame, "count")
    with pytest.raises(TypeError, match="MetricFrame"):
        bias_summary(frame.by_group)


def test_bias_summary_of_a_single_callable_frame():
    mf = MetricFrame(
        metrics=accuracy_score,
        y_true=[1, 1, 1, 1],
        y_pred=[1, 0, 1, 1],
        sensitive_features=["a", "a", "b", "b"],
    )
    summary = bias_summary(mf)
    assert summary.name == "accuracy_score"
    assert summary["E[A]"] == pytest.approx(75.0)
    assert summary["worst_group"] == "a"


def test_compare_models_table(fitted_models):
    models, X, y, sf = fitted_models
    table = compare_models(models, X, y, sf)
    assert list(table.columns) == ["model", "skin_type", "gender", *DEFAULT_METRICS]
    assert table["model"].unique().tolist() == ["logreg", "always_face"]
    assert len(table) == 8
    assert table["count"].dtype == np.int64
    assert table.groupby("model")["count"].sum().tolist() == [int(y.sum())] * 2
    always = table[table["model"] == "always_face"]
    assert (always["recall"] == 1.0).all()
    expected = group_metric_frame(y, models["logreg"].predict(X), sf).by_group
    logreg = table[table["model"] == "logreg"].set_index(["skin_type", "gender"])
    pd.testing.assert_series_equal(
        logreg["recall"], expected["recall"], check_names=False, check_index_type=False
    )


def test_compare_models_rejects_bad_models(fitted_models):
    models, X, y, sf = fitted_models
    with pytest.raises(TypeError, match="non-empty dict"):
        compare_models({}, X, y, sf)
    with pytest.raises(TypeError, match="no predict method"):
        compare_models({"bad": object()}, X, y, sf)
    with pytest.raises(NotFittedError):
        compare_models({"unfitted": LogisticRegression()}, X, y, sf)
    with pytest.raises(ValueError, match="X has 60, y has 59"):
        compare_models(models, X, y[:-1], sf)


def test_summary_table_side_by_side(fitted_models, tmp_path):
    models, X, y, sf = fitted_models
    frames = metric_frames(models, X, y, sf)
    table = summary_table(frames, metric="recall")
    assert table.index.tolist() == ["logreg", "always_face"]
    assert table.index.name == "model"
    assert {"E[A]", "Var[A]", "worst_group", "min_ratio", "n_groups"} <= set(table.columns)
    assert table.loc["always_face", "E[A]"] == pytest.approx(100.0)
    assert table.loc["always_face", "Var[A]"] == pytest.approx(0.0)
    assert table.loc["logreg", "E[A]"] == pytest.approx(
        bias_summary(frames["logreg"], "recall")["E[A]"]
    )
    assert table["E[A]"].dtype == np.float64
    path = tmp_path / "summary.csv"
    table.to_csv(path)
    assert pd.read_csv(path, index_col="model").shape == table.shape


def test_group_table_needs_metric_frames(frame):
    with pytest.raises(TypeError, match="not a MetricFrame"):
        group_table({"m": frame.by_group})
    assert group_table({"m": frame})["model"].tolist() == ["m"] * 4


def test_metrics_module_never_imports_torch():
    # metrics and every private module it draws on, followed import by import, import no
    # deep-learning framework: any fitted classifier with predict can be compared.
    package = Path(metrics.__file__).parent
    imported, seen, todo = set(), set(), ["metrics"]
    while todo:
        name = todo.pop()
        seen.add(name)
        tree = ast.parse((package / f"{name}.py").read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level:
                assert node.level == 1 and node.module, f"{name} imports from a sub-package"
                if node.module not in seen:
                    todo.append(node.module)
            elif isinstance(node, ast.ImportFrom):
                imported.add(node.module.split(".")[0])
    assert imported <= {"functools", "numbers", "numpy", "pandas", "fairlearn", "sklearn"}
    assert {"metrics", "_group_inputs", "_intervals", "_label_free", "_images"} == seen
