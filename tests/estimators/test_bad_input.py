import numpy as np
import pytest

from debias_estimators import CNNClassifier, DebiasedVAEClassifier
from debias_estimators.estimators import GroupDROClassifier, JTTClassifier, LfFClassifier

ESTIMATORS = [
    DebiasedVAEClassifier(latent_dim=2, n_filters=2, max_epochs=1),
    CNNClassifier(n_filters=2, max_epochs=1),
    JTTClassifier(n_filters=2, max_epochs=1),
    GroupDROClassifier(n_filters=2, max_epochs=1),
    LfFClassifier(n_filters=2, max_epochs=1),
]
X_OK = np.zeros((10, 16, 16, 3), np.uint8)
Y_OK = np.arange(10) % 2


def _nan_images():
    X = np.zeros((10, 16, 16, 3), np.float32)
    X[0, 0, 0, 0] = np.nan
    return X


CASES = [
    (np.zeros((10, 16)), Y_OK, None, ValueError, None),  # two-dimensional is valid (vectors)
    (np.zeros(10), Y_OK, None, ValueError, "Reshape your data"),
    (np.zeros((10, 2, 16, 16, 3)), Y_OK, None, ValueError, "dimensions"),
    (_nan_images(), Y_OK, None, ValueError, "NaN"),
    (np.full((10, 16, 16, 3), np.inf, np.float32), Y_OK, None, ValueError, "NaN or infinity"),
    (X_OK, Y_OK[:8], None, ValueError, "10 samples but y has 8"),
    (X_OK, np.ones(10), None, ValueError, "one class only"),
    (X_OK, np.arange(10) % 3, None, ValueError, "binary"),
    (X_OK, Y_OK, {"pos_label": 7}, ValueError, "pos_label=7"),
    (X_OK[:0], Y_OK[:0], None, ValueError, "empty"),
    (np.zeros((10, 8, 8, 3), np.uint8), Y_OK, None, ValueError, "too small.*at least 16"),
    (np.zeros((10, 16, 16, 3), bool), Y_OK, None, TypeError, "numeric"),
    (np.full((10, 16, 16, 3), 255.0), Y_OK, None, ValueError, "Divide by 255"),
    (np.zeros((10, 3, 16, 3)), Y_OK, None, ValueError, "Ambiguous"),
    (X_OK, np.linspace(0, 1, 10), None, ValueError, "continuous"),
]


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: type(e).__name__)
@pytest.mark.parametrize("X, y, params, error, match", [c for c in CASES if c[4]])
def test_bad_input_raises_before_training(estimator, X, y, params, error, match):
    est = estimator.set_params(**(params or {}))
    with pytest.raises(error, match=match):
        est.fit(X, y)
    assert not hasattr(est, "net_")
    if params:
        est.set_params(pos_label=None)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"latent_dim": 0}, "latent_dim"),
        ({"recon_loss": "l3"}, "recon_loss"),
        ({"alpha": -1.0}, "alpha"),
        ({"combine": "sum"}, "combine"),
        ({"max_epochs": 0}, "max_epochs"),
        ({"lr": 0}, "lr"),
    ],
)
def test_bad_hyperparameters_raise(params, match):
    with pytest.raises(ValueError, match=match):
        DebiasedVAEClassifier(**params).fit(X_OK, Y_OK)


def test_predict_on_other_shape_raises():
    clf = CNNClassifier(n_filters=2, max_epochs=1, random_state=0).fit(X_OK, Y_OK)
    with pytest.raises(ValueError, match="fitted on"):
        clf.predict(np.zeros((3, 20, 20, 3), np.uint8))


def test_unknown_label_in_partial_fit_raises():
    clf = CNNClassifier(n_filters=2, max_epochs=1, random_state=0).fit(X_OK, Y_OK)
    with pytest.raises(ValueError, match="not among classes_"):
        clf.partial_fit(X_OK, np.full(10, 5))
