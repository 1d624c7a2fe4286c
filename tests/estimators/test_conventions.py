"""scikit-learn and skorch conventions: set_output, nested net parameters, loaders, warm_start."""

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from skorch.dataset import ValidSplit
from torch.utils.data import DataLoader, SequentialSampler

from debias_estimators import CNNClassifier, DebiasedVAEClassifier
from debias_estimators.estimators import EpochProgress


def _tabular(n=64, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4)).astype(np.float32)
    y = (X[:, 0] + 0.3 * rng.normal(size=n) > 0).astype(int)
    return X, y


def _vae(**params):
    base = {"latent_dim": 3, "hidden_units": (8,), "max_epochs": 1, "lr": 1e-2, "random_state": 0}
    return DebiasedVAEClassifier(**{**base, **params})


def _cnn(**params):
    base = {"hidden_units": (8,), "max_epochs": 1, "lr": 1e-2, "random_state": 0}
    return CNNClassifier(**{**base, **params})


@pytest.fixture(scope="module")
def fitted_vae():
    X, y = _tabular()
    return _vae().fit(X, y)


# -- set_output / get_feature_names_out ------------------------------------------------------------
def test_feature_names_out_are_prefixed_with_the_class_name(fitted_vae):
    names = fitted_vae.get_feature_names_out()
    assert names.tolist() == [
        "debiasedvaeclassifier0",
        "debiasedvaeclassifier1",
        "debiasedvaeclassifier2",
    ]
    X, y = _tabular()
    cnn = _cnn().fit(X, y)
    assert cnn.get_feature_names_out().tolist() == [f"cnnclassifier{i}" for i in range(8)]
    assert cnn.transform(X).shape == (64, 8)


def test_get_feature_names_out_before_fit_raises():
    with pytest.raises(ValueError, match="not fitted"):
        _vae().get_feature_names_out()


def test_set_output_pandas_on_the_estimator_and_in_a_pipeline():
    X, y = _tabular()
    pipe = make_pipeline(StandardScaler(), _vae()).set_output(transform="pandas")
    Z = pipe.fit(X, y).transform(X)
    assert isinstance(Z, pd.DataFrame)
    assert Z.columns.tolist() == [f"debiasedvaeclassifier{i}" for i in range(3)]
    np.testing.assert_allclose(
        Z.to_numpy(), pipe[-1].set_output(transform="default").transform(pipe[0].transform(X))
    )
    Z2 = clone(_vae()).set_output(transform="pandas").fit_transform(X, y)
    assert isinstance(Z2, pd.DataFrame) and Z2.shape == (64, 3)


# -- nested net parameters -------------------------------------------------------------------------
def test_nested_parameters_reach_the_net_and_survive_clone():
    X, y = _tabular()
    clf = _vae().set_params(optimizer__weight_decay=1e-3, iterator_train__batch_size=16)
    assert clf.net_params == {"optimizer__weight_decay": 1e-3, "iterator_train__batch_size": 16}
    params = clf.get_params()
    assert params["optimizer__weight_decay"] == 1e-3
    twin = clone(clf)
    assert twin.net_params == clf.net_params and twin.net_params is not clf.net_params
    twin.fit(X, y)
    assert twin.net_.optimizer_.param_groups[0]["weight_decay"] == 1e-3
    assert twin.history_[-1]["train_batch_count"] == 4  # 64 samples in batches of 16


def test_nested_parameters_merge_with_net_params_and_leave_the_given_dict_alone():
    given = {"optimizer__weight_decay": 1e-3}
    clf = _cnn(net_params=given).set_params(optimizer__eps=1e-6)
    assert clf.net_params == {"optimizer__weight_decay": 1e-3, "optimizer__eps": 1e-6}
    assert given == {"optimizer__weight_decay": 1e-3}


def test_nested_parameters_in_a_pipeline_grid_search():
    X, y = _tabular()
    pipe = make_pipeline(StandardScaler(), _cnn())
    grid = {"cnnclassifier__optimizer__weight_decay": [0.0, 0.5]}
    search = GridSearchCV(pipe, grid, cv=2).fit(X, y)
    assert len(search.cv_results_["params"]) == 2
    best = search.best_estimator_[-1]
    wd = search.best_params_["cnnclassifier__optimizer__weight_decay"]
    assert best.net_.optimizer_.param_groups[0]["weight_decay"] == wd


def test_nested_callback_parameters_reach_named_callbacks():
    X, y = _tabular()
    clf = _cnn(callbacks=[("progress", EpochProgress(desc="first", disable=True))])
    clf.set_params(callbacks__progress__desc="second", callbacks__print_log__floatfmt=".2f")
    clf.fit(X, y)
    callbacks = dict(clf.net_.callbacks_)
    assert callbacks["progress"].desc == "second"
    assert callbacks["print_log"].floatfmt == ".2f"


@pytest.mark.parametrize(
    "params, match",
    [
        ({"module__latent_dim": 4}, "set latent_dim= instead"),
        ({"criterion__kl_weight": 0.1}, "set kl_weight= instead"),
        ({"module__in_shape": (4,)}, "set from the shape of X"),
        ({"net_params": [("optimizer__eps", 1)]}, "net_params.*dict"),
    ],
)
def test_contradicting_nested_parameters_are_refused_before_training(params, match):
    X, y = _tabular()
    clf = _vae().set_params(**params)  # set_params only stores, as scikit-learn asks
    with pytest.raises((ValueError, TypeError), match=match):
        clf.fit(X, y)
    assert not hasattr(clf, "net_")


def test_unknown_parameters_still_raise():
    with pytest.raises(ValueError, match="Invalid parameter 'no_such'"):
        _vae().set_params(no_such=1)


# -- the loaders honour iterator_train / iterator_valid ---------------------------------------
class _CountingLoader(DataLoader):
    made = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _CountingLoader.made.append(self)


def test_iterator_settings_are_honoured():
    X, y = _tabular()
    _CountingLoader.made.clear()
    clf = _cnn(train_split=ValidSplit(4, stratified=False)).set_params(
        iterator_train__batch_size=10,
        iterator_train__shuffle=False,
        iterator_train__drop_last=True,
        iterator_valid__batch_size=5,
    )
    clf.set_params(net_params={**clf.net_params, "iterator_valid": _CountingLoader})
    clf.fit(X, y)
    row = clf.history_[-1]
    assert row["train_batch_count"] == 4  # 48 training samples, the last 8 dropped
    assert row["valid_batch_count"] == 4  # 16 validation samples in batches of 5
    assert isinstance(clf.net_.train_sampler_, SequentialSampler)
    assert len(_CountingLoader.made) == 1


def test_a_sampler_cannot_replace_the_latent_resampling():
    X, y = _tabular()
    clf = _vae()
    clf.set_params(iterator_train__shuffle=False)
    with pytest.raises(ValueError, match="set alpha=None"):
        clf.fit(X, y)
    clf.set_params(alpha=None).fit(X, y)
    assert isinstance(clf.net_.train_sampler_, SequentialSampler)


# -- warm_start ------------------------------------------------------------------------------------
def test_warm_start_continues_from_the_current_weights():
    X, y = _tabular()
    cold = _vae(max_epochs=2).fit(X, y)
    warm = _vae(max_epochs=1, warm_start=True).fit(X, y)
    first = {k: v.clone() for k, v in warm.net_.module_.state_dict().items()}
    net = warm.net_
    warm.fit(X, y)
    assert warm.net_ is net and len(warm.history_) == 2
    assert any(not torch.equal(first[k], v) for k, v in warm.net_.module_.state_dict().items())
    cold.fit(X, y)  # without warm_start, a second fit starts afresh
    assert len(cold.history_) == 2


def test_warm_start_refuses_data_of_another_shape_or_labels():
    X, y = _tabular()
    warm = _cnn(warm_start=True).fit(X, y)
    with pytest.raises(ValueError, match="features"):
        warm.fit(X[:, :3], y)
    with pytest.raises(ValueError, match="not among classes_"):
        warm.fit(X, y + 5)
    assert len(warm.history_) == 1
