"""Tests of the independent reference loops in ``benchmarks/reference.py``."""

import importlib.util
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

REFERENCE_PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "reference.py"


@pytest.fixture(scope="module")
def ref():
    spec = importlib.util.spec_from_file_location("benchmark_reference", REFERENCE_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_smoke_run_prints_table():
    proc = subprocess.run(
        [sys.executable, str(REFERENCE_PATH), "--smoke"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    for label in ("DB-VAE training", "CNN training", "DB-VAE encoding", "histogram weights"):
        assert label in out
    assert "images/s" in out


def test_histogram_weights_upweights_rare_cluster(ref):
    rng = np.random.default_rng(0)
    common = rng.normal(0.0, 1.0, 900)
    rare = rng.normal(8.0, 0.5, 100)
    w = ref.histogram_weights(np.concatenate([common, rare]), bins=10, alpha=1e-3)
    assert w.shape == (1000,)
    assert np.all(w > 0)
    assert math.isclose(w.sum(), 1.0)
    assert w[900:].mean() > 3 * w[:900].mean()


def test_histogram_weights_matches_direct_formula(ref):
    rng = np.random.default_rng(1)
    mu = rng.standard_normal((200, 3))
    mu[:, 2] = 0.5  # a constant dimension: every sample in one bin
    bins, alpha, n = 5, 1e-3, len(mu)
    per_dim = []
    for j in range(mu.shape[1]):
        counts, edges = np.histogram(mu[:, j], bins=bins)
        edges[0], edges[-1] = -np.inf, np.inf
        idx = np.digitize(mu[:, j], edges) - 1
        p = 1.0 / (counts[idx] / n + alpha)
        per_dim.append(p / p.sum())
    expected = np.max(per_dim, axis=0)
    expected /= expected.sum()
    np.testing.assert_allclose(ref.histogram_weights(mu, bins=bins, alpha=alpha), expected)


def test_dbvae_loss_equals_hand_computation(ref):
    logit = torch.tensor([0.3, -1.2, 2.0])
    y = torch.tensor([1.0, 0.0, 1.0])
    mu = torch.tensor([[0.5, -0.1], [1.0, 2.0], [-0.3, 0.2]])
    logvar = torch.tensor([[0.0, -0.5], [0.1, 0.3], [0.2, -1.0]])
    x = torch.arange(12, dtype=torch.float32).reshape(3, 1, 2, 2) / 12
    x_hat = torch.full((3, 1, 2, 2), 0.4)
    kl_weight = 0.1

    total = 0.0
    for i in range(3):
        s = 1.0 / (1.0 + math.exp(-float(logit[i])))
        yi = float(y[i])
        loss = -(yi * math.log(s) + (1 - yi) * math.log(1 - s))
        if yi == 1:
            kl = 0.5 * sum(
                math.exp(float(lv)) + float(m) ** 2 - 1 - float(lv)
                for m, lv in zip(mu[i], logvar[i], strict=True)
            )
            recon = sum(abs(float(a) - 0.4) for a in x[i].flatten()) / 4
            loss += kl_weight * kl + recon
        total += loss
    expected = total / 3

    got = ref.dbvae_loss(logit, mu, logvar, x, x_hat, y, kl_weight)
    assert got.shape == ()
    assert math.isclose(float(got), expected, rel_tol=1e-6)
    # A column of labels must not broadcast into a (B, B) matrix.
    got_col = ref.dbvae_loss(logit, mu, logvar, x, x_hat, y[:, None], kl_weight)
    assert math.isclose(float(got_col), expected, rel_tol=1e-6)


@pytest.mark.parametrize("hw", [(64, 64), (28, 28), (37, 45)])
def test_dbvae_reconstruction_has_input_shape(ref, hw):
    model = ref.ReferenceDBVAE((3, *hw), latent_dim=4, n_filters=2)
    x = torch.rand(2, 3, *hw)
    logit, mu, logvar, x_hat = model(x)
    assert logit.shape == (2,)
    assert mu.shape == logvar.shape == (2, 4)
    assert x_hat.shape == x.shape


def test_training_loops_run_and_predict(ref):
    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, size=(40, 16, 16, 3), dtype=np.uint8)
    y = np.arange(40) % 2
    res = ref.train_reference_dbvae(X, y, epochs=2, batch_size=8, latent_dim=4, n_filters=2)
    assert res["n_images"] == 2 * (40 // 8) * 8
    assert res["face_weights"].shape == (20,)
    assert math.isclose(res["face_weights"].sum(), 1.0)
    assert res["images_per_second"] > 0 and res["encode_images_per_second"] > 0
    proba = ref.predict_reference(res["model"], X)
    assert proba.shape == (40,) and np.all((proba >= 0) & (proba <= 1))

    res = ref.train_reference_cnn(X, y, epochs=1, batch_size=8, n_filters=2)
    assert res["n_images"] == 40
    proba = ref.predict_reference(res["model"], X)
    assert proba.shape == (40,) and np.all((proba >= 0) & (proba <= 1))
