"""Careless and hostile input, through the API and the command line.

Every case asserts the kind of outcome: a clear ``ValueError`` / ``TypeError`` /
``FileNotFoundError`` (raised by this package or by scikit-learn's validation, never from
inside torch, PIL, h5py or skorch, and naming the problem), or a correct result.
"""

import math
import traceback
from pathlib import Path

import h5py
import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from PIL import Image

from debias_estimators import CNNClassifier, DebiasedVAEClassifier, load_model, save_model
from debias_estimators.cli import main
from debias_estimators.datasets import load_h5_faces, load_ppb
from debias_estimators.datasets._imread import read_image
from debias_estimators.metrics import bias_summary, group_metric_frame

from conftest import make_blob_images

# No example database: the suite writes nothing into the working tree.
FAST = settings(
    max_examples=12,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
OURS = ("debias_estimators", "sklearn/utils/validation.py", "sklearn/utils/_param_validation.py")


def assert_clear_error(err, *fragments):
    """The error comes from this package or sklearn's validation and names the problem."""
    origin = traceback.extract_tb(err.__traceback__)[-1].filename
    assert any(part in origin for part in OURS), f"raised inside {origin}: {err!r}"
    message = str(err)
    for fragment in fragments:
        assert fragment.lower() in message.lower(), (fragment, message)


# -- hyperparameters -------------------------------------------------------------------------
VALUES = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-3, 40),
    st.text(max_size=3),
    st.none(),
    st.booleans(),
    st.tuples(st.integers(-2, 3)),
)
POSITIVE_REAL = ("lr",)
POSITIVE_INT = ("n_filters", "max_epochs", "latent_dim", "bins")


def _is_number(value):
    return isinstance(value, int | float) and not isinstance(value, bool)


def _expected_valid(name, value):
    if name in POSITIVE_REAL:
        return _is_number(value) and math.isfinite(value) and value > 0
    if name == "kl_weight":
        return _is_number(value) and math.isfinite(value) and value >= 0
    if name == "alpha":
        return value is None or (_is_number(value) and math.isfinite(value) and value > 0)
    if name == "batch_size":
        return _is_number(value) and isinstance(value, int) and value >= 2
    if name in POSITIVE_INT:
        return _is_number(value) and isinstance(value, int) and value >= 1
    if name == "hidden_units":
        return isinstance(value, tuple) and all(v >= 1 for v in value)
    raise AssertionError(name)


@FAST
@given(
    name=st.sampled_from([*POSITIVE_REAL, *POSITIVE_INT, "kl_weight", "alpha", "batch_size"]),
    value=VALUES,
)
def test_any_hyperparameter_value_is_accepted_or_refused_by_name(name, value):
    est = DebiasedVAEClassifier(**{name: value})
    if _expected_valid(name, value):
        est._validate_params()
        event("accepted")
        return
    event("refused by name")
    with pytest.raises((ValueError, TypeError)) as info:
        est.fit(np.zeros((4, 16, 16, 3), np.uint8), [0, 1, 0, 1])
    assert_clear_error(info.value, name)
    assert not hasattr(est, "net_")


@FAST
@given(value=VALUES)
def test_any_hidden_units_value_is_accepted_or_refused_by_name(value):
    est = CNNClassifier(hidden_units=value)
    if _expected_valid("hidden_units", value):
        est._validate_params()
        event("accepted")
        return
    event("refused by name")
    with pytest.raises((ValueError, TypeError)) as info:
        est.fit(np.zeros((4, 6)), [0, 1, 0, 1])
    assert_clear_error(info.value, "hidden_units")


# -- arrays ----------------------------------------------------------------------------------
SHAPES = [
    (10,),
    (10, 6),
    (10, 16, 16),
    (10, 16, 16, 3),
    (10, 3, 16, 16),
    (10, 16, 16, 2),
    (10, 8, 8, 3),
    (0, 16, 16, 3),
    (10, 16, 16, 3, 1),
    (10, 1, 16, 16),
    (10, 3, 16, 3),
]
DTYPES = [np.uint8, np.int16, np.int64, np.float16, np.float32, np.float64, bool, np.complex64]
SPECIALS = [None, np.nan, np.inf, -1, 256, 1e39, 0.5]


@settings(max_examples=40, deadline=None, database=None, derandomize=True)
@given(
    shape=st.sampled_from(SHAPES),
    dtype=st.sampled_from(DTYPES),
    special=st.sampled_from(SPECIALS),
    seed=st.integers(0, 3),
)
def test_random_arrays_train_or_fail_clearly(shape, dtype, special, seed):
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 2, size=shape).astype(dtype)
    if special is not None and X.size:
        with np.errstate(all="ignore"):
            try:
                X.flat[0] = special
            except (OverflowError, ValueError):
                event("value does not fit the dtype")
                return
    y = np.arange(shape[0]) % 2
    est = CNNClassifier(n_filters=1, hidden_units=(4,), max_epochs=1, batch_size=8)
    try:
        est.fit(X, y)
    except (ValueError, TypeError) as err:
        assert_clear_error(err)
        assert not hasattr(est, "net_")
        event(f"clear {type(err).__name__}")
        return
    event("trained and predicted")
    assert set(est.predict(X)) <= {0, 1}
    assert est.predict_proba(X).shape == (shape[0], 2)


# -- labels ----------------------------------------------------------------------------------
LABELS = st.one_of(
    st.lists(st.integers(-(2**40), 2**40), min_size=2, max_size=2, unique=True),
    st.lists(st.text(min_size=1, max_size=4), min_size=2, max_size=2, unique=True),
    # Floats with a fraction are continuous targets for scikit-learn: integral ones only.
    st.lists(st.integers(-1000, 1000).map(float), min_size=2, max_size=2, unique=True),
)


@pytest.fixture(scope="module")
def blobs():
    return make_blob_images(n=24, size=16)


@settings(
    max_examples=4,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(pair=LABELS)
def test_any_two_labels_train_predict_and_round_trip(pair, blobs, tmp_path_factory):
    X, y = blobs
    labels = np.array(pair, dtype=object if isinstance(pair[0], str) else None)[y]
    est = CNNClassifier(n_filters=1, max_epochs=1, batch_size=8, random_state=0)
    est.fit(X, labels)
    assert sorted(est.classes_.tolist()) == sorted(pair)
    predicted = est.predict(X)
    assert set(predicted.tolist()) <= set(pair)
    path = tmp_path_factory.mktemp("labels") / "m.zip"
    loaded = load_model(save_model(est, path))
    assert loaded.predict(X).tolist() == predicted.tolist()


# -- image files -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("mode", "values", "expected"),
    [
        ("F", [[0.0, 0.5], [1.0, 0.25]], [[0, 128], [255, 64]]),  # float in [0, 1]
        ("F", [[0.0, 128.0], [255.0, 3.0]], [[0, 128], [255, 3]]),  # float in 0..255
        ("I", [[0, 100], [255, 7]], [[0, 100], [255, 7]]),  # 32-bit holding 8 bits
        ("I", [[0, 256], [65535, 32768]], [[0, 1], [255, 128]]),  # 32-bit holding 16 bits
    ],
)
def test_wide_grey_tiffs_keep_their_range(tmp_path, mode, values, expected):
    dtype = np.float32 if mode == "F" else np.int32
    path = tmp_path / "x.tif"
    Image.fromarray(np.array(values, dtype=dtype), mode=mode).save(path)
    np.testing.assert_array_equal(read_image(path, channels=1)[..., 0], expected)


@pytest.mark.parametrize(
    ("mode", "values", "match"),
    [("F", [[0.0, np.nan]], "NaN"), ("I", [[-5, 0]], "negative"), ("I", [[0, 2**20]], "65535")],
)
def test_wide_grey_tiffs_out_of_range_are_refused(tmp_path, mode, values, match):
    dtype = np.float32 if mode == "F" else np.int32
    path = tmp_path / "x.tif"
    Image.fromarray(np.array(values, dtype=dtype), mode=mode).save(path)
    with pytest.raises(ValueError, match=match) as info:
        read_image(path)
    assert_clear_error(info.value, "x.tif")


@pytest.mark.parametrize("side", [40, 100])  # above the limit, and above twice the limit
def test_decompression_bombs_are_refused(tmp_path, monkeypatch, side):
    path = tmp_path / "big.png"
    Image.new("L", (side, side)).save(path)
    # Pillow's limit is a setting (about 89 megapixels); a small one keeps the file small.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    with pytest.raises(ValueError, match="too large") as info:
        read_image(path)
    assert_clear_error(info.value, "big.png")


# -- dataset files ---------------------------------------------------------------------------
HEADER = "Id,File,Gender,Numeric,Skin Color,Country"


def _ppb(root, rows, images=("a.jpg",)):
    folder = root / "PPB-2017"
    (folder / "imgs").mkdir(parents=True)
    for name in images:
        Image.new("RGB", (20, 20)).save(folder / "imgs" / name)
    (folder / "PPB-2017-metadata.csv").write_text("\n".join([HEADER, *rows, ""]))
    return folder


@pytest.mark.parametrize(
    ("file_cell", "match"),
    [("../secret.png", "outside"), ("{abs}", "outside"), ("link.png", "outside"), ("", "empty")],
)
def test_ppb_reads_nothing_outside_its_folder(tmp_path, file_cell, match):
    secret = tmp_path / "secret.png"
    Image.new("RGB", (20, 20), "red").save(secret)
    cell = file_cell.format(abs=secret)
    folder = _ppb(tmp_path / "data", ["1,a.jpg,male,1,lighter,X", f"2,{cell},female,5,darker,Y"])
    (folder / "imgs" / "link.png").symlink_to(secret)
    (folder / "secret.png").write_bytes(secret.read_bytes())  # ../ from imgs/ lands here
    with pytest.raises(ValueError, match=match) as info:
        load_ppb(folder, image_size=16)
    assert_clear_error(info.value, "PPB-2017-metadata.csv")


def test_ppb_empty_metadata_file_is_named(tmp_path):
    folder = _ppb(tmp_path, [])
    (folder / "PPB-2017-metadata.csv").write_bytes(b"")
    with pytest.raises(ValueError, match="PPB-2017-metadata.csv") as info:
        load_ppb(folder)
    assert_clear_error(info.value)


@pytest.mark.parametrize("group", ["images", "labels"])
def test_h5_group_instead_of_a_dataset(tmp_path, group):
    path = tmp_path / "x.h5"
    with h5py.File(path, "w") as f:
        f["images"] = np.zeros((4, 16, 16, 3), np.uint8)
        f["labels"] = np.array([0, 1, 0, 1])
        del f[group]
        f.create_group(group)
    with pytest.raises(ValueError, match="not a dataset") as info:
        load_h5_faces(path)
    assert_clear_error(info.value, group)


# -- metrics ---------------------------------------------------------------------------------
def test_metrics_refuse_what_they_would_silently_reshape():
    groups = np.array(["a", "b"] * 3)
    with pytest.raises(ValueError, match=r"y_true .*\(6, 2\)"):
        group_metric_frame(np.ones((6, 2)), np.ones(6), groups)
    frame = group_metric_frame(np.ones((6, 1)), np.ones(6), groups)  # a column is one label
    assert frame.overall["accuracy"] == 1.0
    for ddof in (-1, 0.5, True):
        with pytest.raises(ValueError, match="ddof"):
            bias_summary(frame, ddof=ddof)


# -- the command line ------------------------------------------------------------------------
def _one_line_error(capsys, status, *fragments):
    err = capsys.readouterr().err
    assert status == 2 and len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in err, err


@pytest.mark.parametrize(
    ("argv", "fragments"),
    [
        (["train", "--lr", "inf"], ["--lr", "finite"]),
        (["train", "--lr", "nan"], ["--lr", "finite"]),
        (["train", "--alpha", "inf"], ["--alpha", "finite"]),
        (["train", "--seed", "-1"], ["--seed"]),
        (["train", "--batch-size", "1"], ["batch_size"]),
        (["train", "--device", "nonsense"], ["nonsense"]),
        (["train", "-o", "{tmp}/afile/model.zip"], ["afile"]),
        (["train", "--h5", "{tmp}/group.h5", "-o", "{tmp}/m.zip"], ["not a dataset"]),
        (["evaluate", "{tmp}/afile"], ["--allow-pickle"]),
        (["evaluate", "{tmp}/m.zip", "--ppb", "{tmp}/nowhere", "--out", "{tmp}/r"], ["PPB"]),
        (["audit", "{tmp}/m.zip", "--n-train", "2", "--out", "{tmp}/r"], ["at least two"]),
    ],
)
def test_command_line_mistakes_end_in_one_line(tmp_path, capsys, argv, fragments):
    (tmp_path / "afile").write_text("not a folder, not a model")
    with h5py.File(tmp_path / "group.h5", "w") as f:
        f.create_group("images")
        f["labels"] = np.array([0, 1])
    if "{tmp}/m.zip" in argv[1:2]:
        X, y = make_blob_images(n=8, size=16)
        model = DebiasedVAEClassifier(latent_dim=2, n_filters=1, max_epochs=1).fit(X, y)
        save_model(model, tmp_path / "m.zip")
    status = main([a.format(tmp=tmp_path) for a in argv])
    _one_line_error(capsys, status, *fragments)
    # Nothing was trained, and no output or report folder was left behind.
    assert not (tmp_path / "r").exists()
    assert sorted(p.name for p in Path(tmp_path).iterdir()) <= ["afile", "group.h5", "m.zip"]
