import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from debias_estimators import DebiasedVAEClassifier, LatentDensityResampler
from debias_estimators.estimators._data import ArrayDataset, check_inputs
from debias_estimators.estimators._resampling import LatentResampling, encode_means

from conftest import make_blob_images

SMALL = {"latent_dim": 4, "n_filters": 2, "max_epochs": 2, "batch_size": 16}


def small(**params):
    return DebiasedVAEClassifier(**{**SMALL, "random_state": 0, **params})


def test_fit_predict_transform_shapes(blob_images):
    X, y = blob_images
    clf = small().fit(X, y)
    assert clf.predict(X).shape == (48,)
    proba = clf.predict_proba(X)
    assert proba.shape == (48, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert clf.decision_function(X).shape == (48,)
    assert clf.transform(X).shape == (48, 4)
    assert clf.reconstruct(X[:3]).shape == (3, 16, 16, 3)
    assert clf.decode(np.zeros((2, 4))).shape == (2, 16, 16, 3)
    assert 0 <= clf.score(X, y) <= 1
    np.testing.assert_array_equal(clf.classes_, [0, 1])
    assert clf.n_features_in_ == 16 * 16 * 3 and clf.input_shape_ == (3, 16, 16)


def test_it_learns_an_easy_task():
    X, y = make_blob_images(n=128, size=16)
    clf = small(max_epochs=8, lr=3e-3).fit(X, y)
    assert clf.score(X, y) > 0.9


def test_resampling_weights_and_history(blob_images):
    X, y = blob_images
    clf = small(max_epochs=3).fit(X, y)
    w = clf.sample_weight_
    assert w.shape == (48,)
    np.testing.assert_allclose(w.sum(), 1.0)
    # Faces keep their share of each epoch; non-faces stay uniform.
    np.testing.assert_allclose(w[y == 1].sum(), np.mean(y == 1))
    np.testing.assert_allclose(w[y == 0], w[y == 0][0])
    ess = clf.history_[:, "sample_ess"]
    assert len(ess) == 3 and all(0 < e <= 24 + 1e-9 for e in ess)
    assert isinstance(clf.resampler_, LatentDensityResampler)


def test_alpha_none_turns_resampling_off(blob_images):
    X, y = blob_images
    clf = small(alpha=None).fit(X, y)
    assert not hasattr(clf, "sample_weight_")
    assert "sample_ess" not in clf.history_[-1]


def test_resampling_pass_sees_the_training_preprocessing_and_restores_train_mode(blob_images):
    X, y = blob_images
    clf = small(max_epochs=1).fit(X, y)
    module = clf.net_.module_
    module.train()
    dataset = ArrayDataset(check_inputs(X), y)
    faces = np.flatnonzero(y == 1)
    bn = module.encoder.features[2]
    running_mean = bn.running_mean.clone()
    mu = encode_means(module, dataset, faces)
    assert module.training  # BatchNorm goes back to batch statistics
    assert torch.equal(bn.running_mean, running_mean)  # the pass did not touch its statistics
    # Independent preprocessing: uint8 NHWC -> float NCHW in [0, 1].
    x = torch.from_numpy(np.moveaxis(X[faces], 3, 1).astype(np.float32) / 255)
    module.eval()
    with torch.no_grad():
        expected = module.encode(x)[1].numpy()
    np.testing.assert_allclose(mu, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(clf.transform(X[faces]), expected, rtol=1e-5, atol=1e-6)


def test_live_sampler_batches_change_composition_after_the_weights_change(blob_images):
    X, y = blob_images
    clf = small(max_epochs=1).fit(X, y)
    net = clf.net_
    dataset = ArrayDataset(check_inputs(X), y)
    loader = net.get_iterator(dataset, training=True)

    def drawn():
        return np.concatenate([meta["index"].numpy() for _, meta in loader])

    before = drawn()
    assert len(before) == 48
    favourite = np.flatnonzero(y == 1)[0]
    weights = np.zeros(48)
    weights[favourite] = 0.5
    weights[y == 0] = 0.5 / np.sum(y == 0)
    net.train_sampler_.weights.copy_(torch.as_tensor(weights))
    after = drawn()  # the same loader object, as skorch keeps it for the whole fit
    assert np.mean(before == favourite) < 0.2
    assert np.mean(after == favourite) > 0.3
    assert set(after[y[after] == 1]) == {favourite}


def test_callback_updates_the_sampler_that_training_reads(blob_images):
    X, y = blob_images
    clf = small(max_epochs=2).fit(X, y)
    callback = dict(clf.net_.callbacks_)["latent_resampling"]
    assert isinstance(callback, LatentResampling)
    # One object: the net draws with the callback's sampler, the estimator reads its results.
    assert clf.net_.resampling_callback() is callback
    assert clf.net_.train_sampler_ is callback.sampler_
    assert clf.resampler_ is callback.resampler
    np.testing.assert_allclose(clf.net_.train_sampler_.weights.numpy(), clf.sample_weight_)


def test_resampling_weights_refit_the_estimators_resampler_on_new_samples(blob_images):
    X, y = blob_images
    clf = small(max_epochs=1, combine="geometric", ess_floor=0.5).fit(X, y)
    faces = X[y == 1]
    weights = clf.resampling_weights(faces)
    expected = LatentDensityResampler(bins=10, alpha=0.05, combine="geometric", ess_floor=0.5)
    np.testing.assert_allclose(weights, expected.fit(clf.transform(faces)).sample_weight_)
    assert weights.shape == (len(faces),) and weights.sum() == pytest.approx(1.0)
    # Without resampling in training, the resampler's default alpha weighs the faces.
    off = pickle.loads(pickle.dumps(clf)).set_params(alpha=None)  # the same encoder
    np.testing.assert_allclose(
        off.resampling_weights(faces),
        LatentDensityResampler(combine="geometric", ess_floor=0.5)
        .fit(clf.transform(faces))
        .sample_weight_,
    )


@pytest.mark.parametrize("shape", [(40, 25, 25), (40, 32, 32, 3), (40, 3, 20, 20)])
def test_image_layouts_and_sizes(shape):
    rng = np.random.default_rng(0)
    X = rng.uniform(size=shape).astype(np.float32)
    y = np.arange(40) % 2
    clf = small(max_epochs=1).fit(X, y)
    assert clf.transform(X).shape == (40, 4)
    recon = clf.reconstruct(X)
    assert recon.shape[1:3] == (shape[1:3] if shape[-1] in (1, 3) or len(shape) == 3 else shape[2:])


def test_string_and_bool_labels_and_pos_label(blob_images):
    X, y = blob_images
    names = np.array(["other", "face"])[y]
    clf = small(max_epochs=1).fit(X, names)
    np.testing.assert_array_equal(clf.classes_, ["face", "other"])
    # Default pos_label is classes_[1]; say which class the faces are.
    clf = small(max_epochs=1, pos_label="face").fit(X, names)
    assert clf.pos_label_ == "face"
    assert set(clf.predict(X)) <= {"face", "other"}
    p_face = clf.predict_proba(X)[:, 0]
    np.testing.assert_allclose(p_face, 1 / (1 + np.exp(-clf._positive_logit(X))), rtol=1e-6)
    clf = small(max_epochs=1).fit(X, y.astype(bool))
    assert clf.pos_label_ is np.True_ or clf.pos_label_ == True  # noqa: E712


def test_two_dimensional_input_uses_the_mlp_and_image_shape_reads_rows_as_images(blob_images):
    X, y = blob_images
    flat = X.reshape(48, -1).astype(np.float32) / 255
    clf = small(max_epochs=1).fit(flat, y)
    assert clf.transform(flat).shape == (48, 4)
    assert clf.net_.module_.encoder.__class__.__name__ == "MLPEncoder"
    clf = small(max_epochs=1, image_shape=(16, 16, 3)).fit(flat, y)
    assert clf.net_.module_.encoder.__class__.__name__ == "ConvEncoder"
    assert clf.reconstruct(flat).shape == (48, 16, 16, 3)


def test_grid_search_over_latent_dim(blob_images):
    X, y = blob_images
    search = GridSearchCV(small(max_epochs=1), {"latent_dim": [2, 4]}, cv=2).fit(X, y)
    assert search.best_params_["latent_dim"] in (2, 4)
    assert search.best_estimator_.transform(X).shape[1] == search.best_params_["latent_dim"]


def test_pipeline_and_clone(blob_images):
    X, y = blob_images
    pipe = make_pipeline(FunctionTransformer(lambda a: a[:, ::-1]), small(max_epochs=1))
    pipe.fit(X, y)
    assert pipe.predict(X).shape == (48,)
    twin = clone(pipe)
    assert not hasattr(twin[-1], "net_")
    assert twin[-1].get_params()["latent_dim"] == 4


def test_pickle_round_trip(blob_images):
    X, y = blob_images
    clf = small().fit(X, y)
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))
    np.testing.assert_array_equal(again.transform(X), clf.transform(X))


def test_same_seed_same_predictions_other_seed_differs(blob_images):
    X, y = blob_images
    a = small(random_state=3).fit(X, y).predict_proba(X)
    b = small(random_state=3).fit(X, y).predict_proba(X)
    c = small(random_state=4).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


def test_fit_does_not_touch_the_global_torch_generator(blob_images):
    X, y = blob_images
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    small(max_epochs=1).fit(X, y)
    assert torch.equal(torch.rand(3), expected)


def test_second_fit_starts_afresh_and_partial_fit_continues(blob_images):
    X, y = blob_images
    clf = small(max_epochs=2).fit(X, y)
    first = clf.predict_proba(X)
    clf.fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), first)
    assert len(clf.history_) == 2
    clf.partial_fit(X, y)
    assert len(clf.history_) == 3
    assert not np.allclose(clf.predict_proba(X), first)
    fresh = small().partial_fit(X, y, classes=[0, 1])
    assert len(fresh.history_) == 1


def test_sample_weight_changes_the_fit(blob_images):
    X, y = blob_images
    plain = small().fit(X, y).predict_proba(X)
    weights = np.where(np.arange(48) < 24, 5.0, 0.1)
    weighted = small().fit(X, y, sample_weight=weights).predict_proba(X)
    assert not np.allclose(plain, weighted)
    same = small().fit(X, y, sample_weight=np.full(48, 3.0)).predict_proba(X)
    np.testing.assert_allclose(same, plain, rtol=1e-4, atol=1e-6)


def test_validation_split_records_valid_loss(blob_images):
    from skorch.dataset import ValidSplit

    X, y = blob_images
    clf = small(max_epochs=1, train_split=ValidSplit(4, stratified=True)).fit(X, y)
    assert "valid_loss" in clf.history_[-1]
    assert clf.sample_weight_.shape == (36,)


def test_unfitted_use_raises(blob_images):
    X, _ = blob_images
    for method in ("predict", "predict_proba", "transform", "decision_function", "reconstruct"):
        with pytest.raises(NotFittedError):
            getattr(small(), method)(X)


def test_cached_latents_skip_the_encoding_pass_after_the_first_epoch():
    X, y = make_blob_images(n=96, size=16)
    clf = small(max_epochs=3, resample_latents="cached").fit(X, y)
    assert clf.history_[:, "n_encoded"] == [48, 0, 0]
    np.testing.assert_allclose(clf.sample_weight_.sum(), 1.0)
    # The resampling's seconds are part of each epoch's: skorch's clock starts before it.
    for resample_s, epoch_s in clf.history_[:, ("resample_dur", "dur")]:
        assert 0 < resample_s < epoch_s
    with pytest.raises(ValueError, match="resample_latents"):
        small(resample_latents="stale").fit(X, y)


def test_cached_latents_are_the_training_steps_means_of_the_right_samples():
    # Vectors (no BatchNorm) and a vanishing learning rate: every cached mean must equal a
    # fresh encoding of the same sample, which pins the index bookkeeping.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 5)).astype(np.float32)
    y = np.arange(64) % 2
    clf = small(
        max_epochs=2,
        resample_latents="cached",
        optimizer=torch.optim.SGD,
        lr=1e-12,
        hidden_units=(8,),
    ).fit(X, y)
    callback = dict(clf.net_.callbacks_)["latent_resampling"]
    faces = np.flatnonzero(y == 1)
    np.testing.assert_allclose(callback._cache[faces], clf.transform(X[faces]), atol=1e-5)
    assert not np.allclose(callback._cache[faces], 0)


@pytest.mark.slow  # torch.compile traces and builds kernels: about 20 s
def test_compiled_module_trains_predicts_and_pickles_like_eager():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 5)).astype(np.float32)
    y = np.arange(64) % 2
    params = {"max_epochs": 2, "hidden_units": (8,), "latent_dim": 2}
    compiled = small(compile=True, **params).fit(X, y)
    eager = small(**params).fit(X, y)
    # Compiled kernels fuse and round differently; over two epochs of training the float32
    # differences grow to about 1e-3 in the probabilities.
    p_compiled, p_eager = compiled.predict_proba(X), eager.predict_proba(X)
    np.testing.assert_allclose(p_compiled, p_eager, atol=3e-3)
    clear = np.abs(p_eager[:, 1] - 0.5) > 3e-3  # decisions agree unless within that of 0.5
    np.testing.assert_array_equal(compiled.predict(X)[clear], eager.predict(X)[clear])
    again = pickle.loads(pickle.dumps(compiled))
    np.testing.assert_array_equal(again.predict_proba(X), compiled.predict_proba(X))


def test_warmup_epochs_draw_uniformly_then_resampling_starts(blob_images):
    X, y = blob_images
    clf = small(max_epochs=3, warmup_epochs=1, ess_floor=0.6).fit(X, y)
    history = clf.history_
    assert history[0, "n_encoded"] == 0 and history[0, "weight_exponent"] == 0.0
    assert history[0, "sample_ess"] == (y == 1).sum()
    assert history[1, "n_encoded"] == (y == 1).sum()
    # From the second epoch on the weights are floored: at least 60 % of the faces count.
    assert all(f >= 0.6 - 1e-9 for f in history[1:, "sample_ess_fraction"])
    assert clf.resampler_.ess_floor == 0.6


@pytest.mark.parametrize(
    "params",
    [{"ess_floor": 2.0}, {"ess_floor": "x"}, {"warmup_epochs": -1}, {"warmup_epochs": 1.5}],
)
def test_bad_resampling_schedule_is_rejected_before_training(blob_images, params):
    X, y = blob_images
    with pytest.raises(ValueError, match=next(iter(params))):
        small(**params).fit(X, y)


def test_a_sample_predicts_the_same_alone_or_in_any_batch(blob_images):
    X, y = blob_images
    clf = small(max_epochs=1, n_filters=12).fit(X, y)  # the lab's widths: torch's own kernels
    methods = ("decision_function", "predict_proba", "transform", "reconstruct")
    full = {name: getattr(clf, name)(X) for name in methods}
    order = np.random.default_rng(0).permutation(len(X))
    for name, out in full.items():
        for n in (1, 3, 7):
            np.testing.assert_array_equal(getattr(clf, name)(X[:n]), out[:n], err_msg=name)
        np.testing.assert_array_equal(getattr(clf, name)(X[order]), out[order], err_msg=name)


def test_one_image_is_predicted_without_padding_on_the_cpu(blob_images):
    X, y = blob_images
    clf = small(max_epochs=1).fit(X, y)
    seen = []
    hook = clf.net_.module_.encoder.register_forward_pre_hook(lambda _, args: seen.append(args))
    clf.predict_proba(X[:1])
    clf.transform(X[:5])
    clf.reconstruct(X[:1])  # transposed convolutions: padded to a fixed batch instead
    hook.remove()
    assert [len(args[0]) for args in seen] == [1, 5, 256]
    assert not clf.net_.module_.training  # fit leaves the network ready to predict
    clf.net_.module_.train()
    clf.predict(X[:1])
    assert clf.net_.module_.training  # prediction leaves the module's mode as it was
