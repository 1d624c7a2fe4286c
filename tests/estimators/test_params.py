"""Parameters are checked once, up front, with a message naming the parameter."""

import numpy as np
import pytest
import torch
from sklearn.utils._param_validation import InvalidParameterError

from debias_estimators import CNNClassifier, DebiasedVAEClassifier, LatentDensityResampler
from debias_estimators.estimators import all_methods
from debias_estimators.estimators._params import check_device

ESTIMATORS = [method.estimator for method in all_methods()]

X_OK = np.zeros((10, 16, 16, 3), np.uint8)
Y_OK = np.arange(10) % 2
NO_CUDA = not torch.cuda.is_available()

SHARED = [
    ({"lr": np.inf}, "lr"),
    ({"lr": np.nan}, "lr"),
    ({"lr": 0}, "lr"),
    ({"batch_size": 1}, "batch_size"),
    ({"batch_size": 2.5}, "batch_size"),
    ({"max_epochs": 0}, "max_epochs"),
    ({"n_filters": -1}, "n_filters"),
    ({"hidden_units": (0,)}, "hidden_units"),
    ({"hidden_units": (-5,)}, "hidden_units"),
    ({"hidden_units": 5}, "hidden_units"),
    ({"hidden_units": (16.5,)}, "hidden_units"),
    ({"optimizer": "adam"}, "optimizer"),
    ({"device": "nonsense"}, "nonsense"),
    ({"device": 3}, "device"),
    ({"data_format": "NHWC"}, "data_format"),
    ({"verbose": "loud"}, "verbose"),
    ({"random_state": "seed"}, "random_state"),
    ({"net_params": ["lr"]}, "net_params"),
]
DBVAE_ONLY = [
    ({"kl_weight": np.nan}, "kl_weight"),
    ({"kl_weight": np.inf}, "kl_weight"),
    ({"kl_weight": -1.0}, "kl_weight"),
    ({"alpha": np.inf}, "alpha"),
    ({"alpha": np.nan}, "alpha"),
    ({"alpha": 0.0}, "alpha"),
    ({"bins": 0}, "bins"),
    ({"combine": "sum"}, "combine"),
    ({"latent_dim": 0}, "latent_dim"),
    ({"recon_loss": "l3"}, "recon_loss"),
    ({"resample_latents": "disk"}, "resample_latents"),
]
if NO_CUDA:
    SHARED.append(({"device": "cuda"}, "CUDA is not available"))


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda cls: cls.__name__)
@pytest.mark.parametrize(("params", "match"), SHARED)
def test_bad_shared_parameter_is_refused_before_training(cls, params, match):
    est = cls(n_filters=2, max_epochs=1)
    est.set_params(**params)
    with pytest.raises((ValueError, TypeError), match=match):
        est.fit(X_OK, Y_OK)
    if hasattr(est, "partial_fit"):  # GEORGE has none
        with pytest.raises((ValueError, TypeError), match=match):
            est.partial_fit(X_OK, Y_OK)
    assert not hasattr(est, "net_") and not hasattr(est, "classes_")


@pytest.mark.parametrize(("params", "match"), DBVAE_ONLY)
def test_bad_dbvae_parameter_is_refused_before_training(params, match):
    est = DebiasedVAEClassifier(**{"latent_dim": 2, "n_filters": 2, "max_epochs": 1, **params})
    with pytest.raises(ValueError, match=match):
        est.fit(X_OK, Y_OK)
    assert not hasattr(est, "net_")


@pytest.mark.parametrize(
    ("params", "match"),
    [({"alpha": np.inf}, "alpha"), ({"bins": 0}, "bins"), ({"combine": "sum"}, "combine")],
)
def test_the_resampler_shares_the_constraints(params, match):
    with pytest.raises(InvalidParameterError, match=match):
        LatentDensityResampler(**params).fit(np.zeros((5, 2)))
    for name in ("alpha", "bins", "combine"):
        constraints = DebiasedVAEClassifier._parameter_constraints[name]
        assert all(c in constraints for c in LatentDensityResampler._parameter_constraints[name])


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda cls: cls.__name__)
def test_every_parameter_has_a_constraint(cls):
    assert set(cls._parameter_constraints) == set(cls().get_params(deep=False))


def test_alpha_none_and_plain_values_pass():
    DebiasedVAEClassifier(alpha=None, hidden_units=[8], batch_size=2)._validate_params()
    CNNClassifier(optimizer=torch.optim.SGD, device=torch.device("cpu"))._validate_params()


def test_check_device():
    assert check_device("cpu") == "cpu"
    with pytest.raises(ValueError, match="Unknown torch device 'gpu0'"):
        check_device("gpu0")
    with pytest.raises(ValueError, match="only cpu, cuda and mps"):
        check_device("meta")
    if NO_CUDA:
        with pytest.raises(ValueError, match="CUDA is not available"):
            check_device("cuda:1")
