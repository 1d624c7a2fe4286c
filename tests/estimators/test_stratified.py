import numpy as np
import pytest
import torch
from torch.utils.data import WeightedRandomSampler

from debias_estimators import DebiasedVAEClassifier
from debias_estimators.estimators._resampling import positive_share_weights
from debias_estimators.estimators._stratified import StratifiedBatchSampler, positives_per_batch

from conftest import make_blob_images


def _weights(y, seed=0):
    rng = np.random.default_rng(seed)
    return positive_share_weights(y, rng.uniform(0.1, 3.0, size=int(np.sum(y))))


def _frequencies(batches, n):
    drawn = np.concatenate([np.asarray(b) for b in batches])
    return np.bincount(drawn, minlength=n) / len(drawn)


@pytest.mark.parametrize("n_positive", [10, 20, 30])
def test_each_draw_picks_a_sample_as_the_weighted_sampler_does(n_positive):
    n, batch_size = 40, 8  # batch_size * share is whole: 2, 4 or 6 positives a batch
    y = np.zeros(n)
    y[np.random.default_rng(1).choice(n, n_positive, replace=False)] = 1
    p = _weights(y)
    generator = torch.Generator().manual_seed(0)
    stratified = StratifiedBatchSampler(torch.as_tensor(p), y > 0.5, batch_size, generator)
    weighted = WeightedRandomSampler(torch.as_tensor(p), n, replacement=True, generator=generator)
    epochs = 4000
    ours = _frequencies([b for _ in range(epochs) for b in stratified], n)
    theirs = _frequencies([[i for _ in range(epochs) for i in weighted]], n)
    # Both against the probabilities themselves, p_i = w_i / sum(w), within five standard errors.
    se = np.sqrt(p * (1 - p) / (epochs * (n // batch_size) * batch_size))
    assert np.all(np.abs(ours - p) < 5 * se + 1e-12)
    assert np.all(np.abs(theirs - p) < 5 * se + 1e-12)
    # And exactly: k/B of the draws are positives, picked by their weights within the class.
    k = stratified.n_positive_
    exact = np.where(y > 0.5, k / batch_size * p / p[y > 0.5].sum(), 0.0)
    exact[y < 0.5] = (1 - k / batch_size) * p[y < 0.5] / p[y < 0.5].sum()
    np.testing.assert_allclose(exact, p)


def test_the_positives_sit_at_the_first_positions_of_every_batch():
    y = np.arange(50) % 2
    sampler = StratifiedBatchSampler(torch.as_tensor(_weights(y)), y > 0.5, 16)
    batches = list(sampler)
    assert len(batches) == len(sampler) == 3  # 50 // 16 full batches
    assert sampler.n_positive_ == 8
    for batch in batches:
        assert len(batch) == 16
        assert np.all(y[batch[:8]] == 1) and np.all(y[batch[8:]] == 0)


def test_new_weights_change_the_next_epochs_draws():
    y = np.arange(40) % 2
    sampler = StratifiedBatchSampler(torch.as_tensor(_weights(y)), y > 0.5, 8)
    favourite = np.flatnonzero(y == 1)[3]
    weights = np.where(y == 1, 0.0, 0.5 / 20)
    weights[favourite] = 0.5
    sampler.weights.copy_(torch.as_tensor(weights))
    drawn = np.concatenate(list(sampler))
    assert set(drawn[y[drawn] == 1]) == {favourite}


@pytest.mark.parametrize(
    ("n_positive", "n", "batch_size", "expected"),
    [(16, 32, 32, 16), (10, 40, 8, 2), (1, 1000, 32, 1), (999, 1000, 32, 31), (0, 10, 4, 0)],
)
def test_positives_per_batch_rounds_the_share_and_keeps_both_classes(
    n_positive, n, batch_size, expected
):
    assert positives_per_batch(n_positive, n, batch_size) == expected
    assert positives_per_batch(n, n, batch_size) == batch_size


def test_a_stratified_fit_draws_with_the_callbacks_weights_and_decodes_a_slice():
    X, y = make_blob_images(n=48, size=16)
    clf = DebiasedVAEClassifier(
        latent_dim=4,
        n_filters=2,
        max_epochs=2,
        batch_size=16,
        random_state=0,
        stratified_batches=True,
    )
    calls = []
    clf.fit(X, y)
    sampler = clf.net_.train_sampler_
    assert isinstance(sampler, StratifiedBatchSampler)
    assert sampler is dict(clf.net_.callbacks_)["latent_resampling"].sampler_
    np.testing.assert_allclose(sampler.weights.numpy(), clf.sample_weight_)
    hook = clf.net_.module_.register_forward_pre_hook(
        lambda module, args, kwargs: calls.append(kwargs.get("n_decode")), with_kwargs=True
    )
    clf.set_params(warm_start=True, max_epochs=1).fit(X, y)
    hook.remove()
    assert calls[:3] == [8, 8, 8]  # three training batches, eight faces at their head each
    again = DebiasedVAEClassifier(**clf.get_params()).set_params(warm_start=False, max_epochs=2)
    np.testing.assert_array_equal(
        clf.history_[:2, "train_loss"], again.fit(X, y).history_[:, "train_loss"]
    )


def test_partial_fit_on_one_class_batches_draws_that_class_only():
    X, y = make_blob_images(n=48, size=16)
    clf = DebiasedVAEClassifier(
        latent_dim=4,
        n_filters=2,
        max_epochs=1,
        batch_size=8,
        random_state=0,
        stratified_batches=True,
    )
    for label in (0, 1):
        clf.partial_fit(X[y == label], y[y == label], classes=[0, 1])
        sampler = clf.net_.train_sampler_
        assert sampler.n_positive_ == 8 * label
        drawn = np.concatenate(list(sampler))
        assert np.all(y[y == label][drawn] == label) and len(drawn) == 24
    assert np.all(np.isfinite(clf.history_[:, "train_loss"]))
