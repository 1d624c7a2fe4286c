"""The safe model format: a round trip, and files that must be refused without running code."""

import json
import pickle
import zipfile

import joblib
import numpy as np
import pandas as pd
import pytest
import torch

from debias_estimators import (
    CNNClassifier,
    DebiasedVAEClassifier,
    GroupDROClassifier,
    JTTClassifier,
    load_model,
    save_model,
)
from debias_estimators._files import atomic_path
from debias_estimators.estimators import all_methods
from debias_estimators.persistence import is_saved_model

from conftest import installed, make_blob_images


@pytest.fixture(scope="module")
def fitted():
    X, y = make_blob_images(n=40, size=16)
    labels = np.where(y == 1, "face", "other")
    return X, {
        "dbvae": DebiasedVAEClassifier(
            latent_dim=3, n_filters=2, max_epochs=1, alpha=0.05, random_state=0
        ).fit(X, labels),
        "cnn": CNNClassifier(n_filters=2, max_epochs=1, random_state=0, pos_label="face").fit(
            X, labels
        ),
    }


@pytest.mark.parametrize("kind", ["dbvae", "cnn"])
def test_round_trip_predicts_the_same(fitted, kind, tmp_path):
    X, models = fitted
    model = models[kind]
    path = save_model(model, tmp_path / "model.zip")
    assert is_saved_model(path)
    loaded = load_model(path)
    assert type(loaded) is type(model)
    assert loaded.get_params().keys() == model.get_params().keys()
    assert list(loaded.classes_) == ["face", "other"] and loaded.pos_label_ == model.pos_label_
    assert loaded.input_shape_ == model.input_shape_
    np.testing.assert_allclose(loaded.predict_proba(X), model.predict_proba(X), atol=1e-6)
    assert len(loaded.history_) == len(model.history_)
    if kind == "dbvae":
        np.testing.assert_allclose(loaded.sample_weight_, model.sample_weight_)


def test_save_refuses_to_overwrite_and_an_unfitted_estimator(fitted, tmp_path):
    _, models = fitted
    path = save_model(models["cnn"], tmp_path / "m.zip")
    before = path.read_bytes()
    with pytest.raises(FileExistsError, match="exists"):
        save_model(models["dbvae"], path)
    assert path.read_bytes() == before
    save_model(models["dbvae"], path, overwrite=True)
    assert isinstance(load_model(path), DebiasedVAEClassifier)
    with pytest.raises(TypeError, match="joblib"):
        save_model(object(), tmp_path / "o.zip")
    with pytest.raises(ValueError, match="not fitted"):
        save_model(CNNClassifier(), tmp_path / "u.zip")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.zip"]


def test_an_interrupted_write_keeps_the_previous_file(tmp_path):
    path = tmp_path / "report.csv"
    path.write_text("previous")
    with pytest.raises(KeyboardInterrupt), atomic_path(path, overwrite=True) as tmp:
        tmp.write_text("half of the new")
        raise KeyboardInterrupt
    assert path.read_text() == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["report.csv"]


class _OpensAFile:
    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_a_pickle_is_refused_without_running_it(tmp_path):
    marker = tmp_path / "code-ran"
    for name, dump in [("a.joblib", joblib.dump), ("b.pkl", pickle.dump)]:
        if dump is pickle.dump:
            with open(tmp_path / name, "wb") as f:
                pickle.dump(_OpensAFile(marker), f)
        else:
            dump(_OpensAFile(marker), tmp_path / name)
        with pytest.raises(ValueError, match="pickle"):
            load_model(tmp_path / name)
    assert not marker.exists()


def test_a_trusted_pickle_loads_only_when_allowed(fitted, tmp_path):
    _, models = fitted
    path = tmp_path / "cnn.joblib"
    joblib.dump(models["cnn"], path)
    with pytest.raises(ValueError, match="allow_pickle=True"):
        load_model(path)
    loaded = load_model(path, allow_pickle=True)
    assert isinstance(loaded, CNNClassifier) and loaded.device == "cpu"
    assert list(loaded.classes_) == list(models["cnn"].classes_)
    joblib.dump({"not": "a model"}, tmp_path / "dict.joblib")
    with pytest.raises(ValueError, match="not a classifier"):
        load_model(tmp_path / "dict.joblib", allow_pickle=True)


def test_weights_holding_a_pickled_object_are_refused(fitted, tmp_path):
    _, models = fitted
    path = save_model(models["cnn"], tmp_path / "m.zip")
    marker = tmp_path / "code-ran"
    crafted = tmp_path / "crafted.zip"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(crafted, "w") as dst:
        dst.writestr("estimator.json", src.read("estimator.json"))
        with dst.open("weights.pt", "w") as f:
            torch.save({"module": _OpensAFile(marker)}, f)
    with pytest.raises(ValueError, match="weights"):
        load_model(crafted)
    assert not marker.exists()


def _tampered(path, out, **changes):
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w") as dst:
        meta = json.loads(src.read("estimator.json"))
        for key, value in changes.items():
            if key in meta:
                meta[key] = value
            else:
                meta["params"][key] = value
        dst.writestr("estimator.json", json.dumps(meta))
        dst.writestr("weights.pt", src.read("weights.pt"))
    return out


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"class": "os.system"}, "unknown estimator class"),
        ({"version": 99}, "version"),
        ({"lr": float("inf")}, "lr"),
        ({"optimizer": "os"}, "optimizer"),
        ({"hidden_units": [-5]}, "hidden_units"),
        ({"steal": 1}, "unknown parameters"),
        ({"classes": {"dtype": "|O", "values": [{"a": 1}, 2]}}, "labels"),
        ({"input_shape": [3, 8, 8]}, "input shape"),
        ({"input_shape": [3, 16]}, "input shape"),
        ({"n_filters": 3}, "weights"),
    ],
)
def test_a_tampered_file_is_refused_with_a_clear_error(fitted, tmp_path, changes, match):
    _, models = fitted
    path = save_model(models["cnn"], tmp_path / "m.zip")
    with pytest.raises(ValueError, match=match):
        load_model(_tampered(path, tmp_path / "t.zip", **changes))


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_loading_onto_an_absent_device_is_refused(fitted, tmp_path):
    path = save_model(fitted[1]["cnn"], tmp_path / "m.zip")
    with pytest.raises(ValueError, match="CUDA"):
        load_model(path, device="cuda")
    with pytest.raises(FileNotFoundError):
        load_model(tmp_path / "missing.zip")


def _groups(y):
    rng = np.random.default_rng(0)
    skin = rng.choice(["lighter", "darker"], len(y)).astype(object)
    return pd.DataFrame({"skin": skin, "sex": np.where(np.arange(len(y)) % 3, "f", "m")})


# The CNN and the DB-VAE round-trip above, with more checks.
OTHER_METHODS = [
    m
    for m in all_methods()
    if m.key not in ("cnn", "dbvae") and m.estimator in installed([m.estimator])
]


@pytest.mark.parametrize("method", OTHER_METHODS, ids=lambda method: method.key)
def test_every_other_method_round_trips(method, tmp_path):
    cls = method.estimator
    X, y = make_blob_images(n=48, size=16)
    params = {"n_filters": 2, "max_epochs": 1, "batch_size": 16, "random_state": 0}
    if "latent_dim" in cls().get_params():
        params["latent_dim"] = 2
    fit_kwargs = {"sensitive_features": _groups(y)} if method.needs_groups else {}
    model = cls(**params).fit(X, y, **fit_kwargs)
    path = save_model(model, tmp_path / "m.zip")
    loaded = load_model(path)
    assert type(loaded) is cls
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    if cls is JTTClassifier:
        np.testing.assert_array_equal(loaded.error_set_, model.error_set_)
    # The method's own training state goes with the weights (LfF's loss averages here).
    for name, tensor in model.net_.training_state().items():
        torch.testing.assert_close(loaded.net_.training_state()[name], tensor)
    if method.key == "lff":
        assert set(loaded.net_.training_state()) == {"loss", "seen"}
    if cls is GroupDROClassifier:
        assert list(loaded.groups_) == list(model.groups_)
        assert all(isinstance(key, tuple) for key in loaded.groups_)
        np.testing.assert_allclose(loaded.group_weights_, model.group_weights_)
