"""The estimators inside fairlearn's mitigators and sklearn's model-selection tools."""

import joblib
import numpy as np
import pytest
from fairlearn.postprocessing import ThresholdOptimizer
from fairlearn.reductions import DemographicParity, ExponentiatedGradient
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from debias_estimators import CNNClassifier, DebiasedVAEClassifier


def _tabular(n=120, seed=0):
    rng = np.random.default_rng(seed)
    group = rng.integers(0, 2, n)
    X = rng.normal(size=(n, 4)) + group[:, None] * 0.8
    y = (X[:, 0] + 0.5 * X[:, 1] + rng.normal(scale=0.5, size=n) > 0.4).astype(int)
    return X.astype(np.float32), y, group


def _vae(**params):
    base = {"latent_dim": 2, "hidden_units": (16,), "max_epochs": 5, "lr": 1e-2, "random_state": 0}
    return DebiasedVAEClassifier(**{**base, **params})


def _cnn(**params):
    base = {"hidden_units": (16,), "max_epochs": 5, "lr": 1e-2, "random_state": 0}
    return CNNClassifier(**{**base, **params})


# fairlearn 0.15's reductions grow Series with `.at` and set bools into float Series, which
# pandas 3 deprecates (Pandas4Warning); the warnings are about fairlearn's code, not ours.
@pytest.mark.filterwarnings("ignore::DeprecationWarning:fairlearn.*")
@pytest.mark.parametrize("make", [_vae, _cnn], ids=["dbvae", "cnn"])
def test_exponentiated_gradient_with_demographic_parity(make):
    X, y, group = _tabular()
    mitigator = ExponentiatedGradient(make(), DemographicParity(), max_iter=5)
    mitigator.fit(X, y, sensitive_features=group)
    pred = mitigator.predict(X)
    assert pred.shape == (120,) and set(np.unique(pred)) <= {0, 1}
    assert len(mitigator.predictors_) >= 1


def test_threshold_optimizer_on_a_prefit_estimator():
    X, y, group = _tabular()
    clf = _vae().fit(X, y)
    post = ThresholdOptimizer(
        estimator=clf, prefit=True, predict_method="predict_proba", constraints="demographic_parity"
    )
    post.fit(X, y, sensitive_features=group)
    pred = post.predict(X, sensitive_features=group, random_state=0)
    assert pred.shape == (120,)


def test_grid_search_in_two_processes_and_cross_val_score():
    X, y, _ = _tabular()
    search = GridSearchCV(_vae(max_epochs=2), {"latent_dim": [1, 3]}, cv=2, n_jobs=2)
    search.fit(X, y)
    assert search.best_params_["latent_dim"] in (1, 3)
    assert cross_val_score(_cnn(max_epochs=2), X, y, cv=3).shape == (3,)


def test_calibrated_classifier():
    X, y, _ = _tabular()
    calibrated = CalibratedClassifierCV(_vae(max_epochs=2), cv=2).fit(X, y)
    proba = calibrated.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_clone_inside_a_pipeline_and_joblib_round_trip(tmp_path):
    X, y, _ = _tabular()
    pipe = make_pipeline(StandardScaler(), _vae())
    twin = clone(pipe)
    assert twin.get_params()["debiasedvaeclassifier__latent_dim"] == 2
    pipe.fit(X, y)
    path = tmp_path / "model.joblib"
    joblib.dump(pipe, path)
    loaded = joblib.load(path)
    np.testing.assert_array_equal(loaded.predict_proba(X), pipe.predict_proba(X))
