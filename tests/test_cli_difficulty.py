"""The command line with the DB-VAE's difficulty weighting: train's options, audit's weights."""

import numpy as np
import pandas as pd
import pytest

from debias_estimators import load_model
from debias_estimators.cli import main
from debias_estimators.experiments._data import synthetic_training
from debias_estimators.resampling import difficulty_weights

TINY_DATA = ["--n-train", "120", "--seed", "0"]
TINY_MODEL = ["--epochs", "1", "--n-filters", "4", "--latent-dim", "4", "--no-progress"]
DIFFICULTY = ["--weighting", "difficulty", "--difficulty-neighbors", "5", "--difficulty-ess", "0.5"]


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    path = tmp_path_factory.mktemp("models") / "difficulty.zip"
    argv = ["train", *TINY_DATA, "--image-size", "16", *TINY_MODEL, *DIFFICULTY]
    assert main([*argv, "--output", str(path)]) == 0
    return path


def test_train_takes_the_options_and_audit_shows_the_difficulty_weights(saved, tmp_path, capsys):
    model = load_model(saved)
    assert model.weighting == "difficulty" and model.difficulty_neighbors == 5
    assert model.crossfit_loss_.shape == (120,)
    out = tmp_path / "audit"
    assert main(["audit", str(saved), *TINY_DATA, "--out", str(out)]) == 0
    assert "enrichment" in capsys.readouterr().out
    assert "cross-fitted loss" in (out / "report.md").read_text()
    # The table's resampled shares are those of the difficulty weights of the training faces.
    data = synthetic_training(120, (16, 16, 3), 0)
    faces = data.images[data.faces]
    weights, _ = difficulty_weights(
        model.transform(faces), model.crossfit_loss_[data.faces], n_neighbors=5, ess=0.5
    )
    table = pd.read_csv(out / "enrichment.csv").set_index(["attribute", "value"])
    attributes = data.attributes[data.faces].reset_index(drop=True)
    for value in attributes["skin_type"].unique():
        share = 100 * weights[(attributes["skin_type"] == value).to_numpy()].sum()
        assert table.loc[("skin_type", value), "resampled"] == pytest.approx(share, abs=0.05)


def test_audit_on_another_training_set_is_refused(saved, tmp_path, capsys):
    status = main(["audit", str(saved), "--n-train", "100", "--seed", "0", "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert status == 2 and "120 samples it was trained on" in err and "Traceback" not in err
    assert np.isfinite(load_model(saved).crossfit_loss_).all()
