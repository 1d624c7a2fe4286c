"""Shared tiny fixtures: a seeded autouse fixture and small images made in memory."""

import os

# scikit-learn's check_array_api_input skips itself unless SciPy's array API mode is on, which
# SciPy reads once at import: set it before anything imports SciPy, so the check really runs.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402


@pytest.fixture(autouse=True)
def _seeded():
    """Seed numpy and torch so every test starts from the same state."""
    # sklearn draws from the legacy global generator when random_state is None.
    np.random.seed(0)  # noqa: NPY002
    torch.manual_seed(0)
    yield


def make_blob_images(n=48, size=16, channels=3, seed=0, dtype=np.uint8):
    """Draw faces-vs-others toy images: class 1 has a bright centre blob, class 0 does not.

    Returns ``(X, y)`` with ``X`` shaped ``(n, size, size, channels)``.
    """
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    yy, xx = np.mgrid[:size, :size]
    blob = np.exp(-((yy - size / 2) ** 2 + (xx - size / 2) ** 2) / (2 * (size / 5) ** 2))
    X = rng.uniform(0, 0.4, size=(n, size, size, channels))
    X[y == 1] += 0.6 * blob[None, :, :, None]
    X = np.clip(X, 0, 1)
    if dtype == np.uint8:
        return (X * 255).astype(np.uint8), y
    return X.astype(dtype), y


@pytest.fixture
def blob_images():
    """48 uint8 RGB 16x16 images, half of each class."""
    return make_blob_images()
