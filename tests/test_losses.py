import numpy as np
import pytest
import torch

from debias_estimators.losses import (
    dbvae_loss,
    dbvae_loss_per_sample,
    kl_divergence,
    reconstruction_loss,
)
from debias_estimators.nn import DBVAE


def _batch(seed=0, b=6, latent=5):
    rng = np.random.default_rng(seed)
    return {
        "y_logit": rng.normal(size=b),
        "y": np.array([1, 0, 1, 1, 0, 0], dtype=float)[:b],
        "x": rng.uniform(size=(b, 3, 4, 4)),
        "x_recon": rng.normal(0.5, 0.3, size=(b, 3, 4, 4)),
        "mu": rng.normal(size=(b, latent)),
        "logvar": rng.normal(scale=0.5, size=(b, latent)),
    }


def _numpy_loss(batch, kl_weight, kind):
    z, y = batch["y_logit"], batch["y"]
    bce = np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))
    kl = 0.5 * np.sum(np.exp(batch["logvar"]) + batch["mu"] ** 2 - 1 - batch["logvar"], axis=1)
    diff = (batch["x"] - batch["x_recon"]).reshape(len(z), -1)
    recon = np.abs(diff).mean(axis=1) if kind == "l1" else (diff**2).mean(axis=1)
    per_sample = bce + y * (kl_weight * kl + recon)
    return per_sample.mean()


def _tensors(batch):
    return {k: torch.tensor(v, dtype=torch.float64) for k, v in batch.items()}


@pytest.mark.parametrize("kind", ["l1", "l2"])
@pytest.mark.parametrize("kl_weight", [5e-4, 0.3])
def test_dbvae_loss_matches_numpy(kind, kl_weight):
    batch = _batch()
    expected = _numpy_loss(batch, kl_weight, kind)
    got = dbvae_loss(**_tensors(batch), kl_weight=kl_weight, recon_loss=kind)
    assert got.ndim == 0
    np.testing.assert_allclose(got.item(), expected, rtol=1e-10)


def test_column_labels_do_not_broadcast_into_a_matrix():
    # The teaching code's (B, 1) labels against a (B,) loss gave a (B, B) matrix.
    t = _tensors(_batch())
    flat = dbvae_loss_per_sample(**t)
    t["y"] = t["y"].reshape(-1, 1)
    t["y_logit"] = t["y_logit"].reshape(-1, 1)
    column = dbvae_loss_per_sample(**t)
    assert column.shape == (6,)
    torch.testing.assert_close(flat, column)


def test_vae_term_is_masked_not_the_classification_term():
    t = _tensors(_batch())
    base = dbvae_loss_per_sample(**t)
    negatives = t["y"] == 0
    # Negatives keep their classification loss...
    bce_only = torch.nn.functional.binary_cross_entropy_with_logits(
        t["y_logit"], t["y"], reduction="none"
    )
    torch.testing.assert_close(base[negatives], bce_only[negatives])
    # ...and their reconstruction does not count, even when absurd.
    t["x_recon"][negatives] = 1e6
    t["mu"][negatives] = 1e3
    torch.testing.assert_close(dbvae_loss_per_sample(**t), base)


def test_kl_is_zero_for_the_prior_and_positive_otherwise():
    mu, logvar = torch.zeros(3, 4), torch.zeros(3, 4)
    assert torch.all(kl_divergence(mu, logvar) == 0)
    assert torch.all(kl_divergence(mu + 1, logvar) > 0)


def test_reconstruction_loss_rejects_bad_arguments():
    x = torch.zeros(2, 3)
    with pytest.raises(ValueError, match="recon_loss"):
        reconstruction_loss(x, x, "l3")
    with pytest.raises(ValueError, match="shape"):
        reconstruction_loss(x, torch.zeros(2, 4))


def test_mismatched_label_count_raises():
    t = _tensors(_batch())
    t["y"] = t["y"][:4]
    with pytest.raises(ValueError, match="one value per sample"):
        dbvae_loss(**t)


def test_negatives_give_the_decoder_no_gradient():
    module = DBVAE((3, 16, 16), latent_dim=4, n_filters=2)
    x = torch.rand(5, 3, 16, 16)
    logit, mu, logvar, recon = module(x)
    dbvae_loss(logit, torch.zeros(5), x, recon, mu, logvar).backward()
    for p in module.decoder.parameters():
        assert p.grad is None or torch.count_nonzero(p.grad) == 0
    # A face does reach the decoder.
    module.zero_grad()
    logit, mu, logvar, recon = module(x)
    dbvae_loss(logit, torch.tensor([0, 0, 1, 0, 0]), x, recon, mu, logvar).backward()
    assert any(torch.count_nonzero(p.grad) > 0 for p in module.decoder.parameters())


def test_reparameterisation_uses_half_the_log_variance():
    module = DBVAE((4,), latent_dim=1, hidden_units=(4,))
    module.train()
    mu = torch.zeros(200_000, 1)
    logvar = torch.full((200_000, 1), np.log(4.0))  # variance 4, standard deviation 2
    z = module.reparameterize(mu, logvar)
    assert abs(z.std().item() - 2.0) < 0.02
    module.eval()
    assert torch.equal(module.reparameterize(mu, logvar), mu)


def test_decoding_only_the_faces_gives_the_same_loss_and_gradients():
    module = DBVAE((3, 16, 16), latent_dim=4, n_filters=2)
    x = torch.rand(6, 3, 16, 16)
    y = torch.tensor([1.0, 0, 1, 0, 0, 1])
    grads, losses = [], []
    for mask in (None, y > 0.5):
        module.zero_grad()
        torch.manual_seed(0)  # the same latent noise in both runs
        logit, mu, logvar, recon = module(x, decode_mask=mask)
        loss = dbvae_loss(logit, y, x, recon, mu, logvar)
        loss.backward()
        losses.append(loss.item())
        grads.append([p.grad.clone() for p in module.parameters()])
    assert losses[0] == pytest.approx(losses[1], rel=1e-6)
    for full, masked in zip(*grads, strict=True):
        torch.testing.assert_close(full, masked, rtol=1e-5, atol=1e-7)


def test_generalized_cross_entropy_matches_its_formula():
    from debias_estimators.losses import generalized_cross_entropy

    z = np.array([2.0, -1.0, 0.3, -3.0, 0.0])
    y = np.array([1.0, 1.0, 0.0, 0.0, 1.0])
    p1 = 1.0 / (1.0 + np.exp(-z))
    p_y = np.where(y == 1, p1, 1.0 - p1)
    for q in (0.7, 1.0, 0.2):
        expected = (1.0 - p_y**q) / q
        got = generalized_cross_entropy(torch.tensor(z), torch.tensor(y), q=q)
        np.testing.assert_allclose(got.numpy(), expected, rtol=1e-12)
    # Gradient: the cross-entropy's, scaled by p_y ** q (easy samples weigh more).
    logit = torch.tensor(z, requires_grad=True)
    generalized_cross_entropy(logit, torch.tensor(y), q=0.7).sum().backward()
    ce_grad = p1 - y  # d BCE / d logit
    np.testing.assert_allclose(logit.grad.numpy(), ce_grad * p_y**0.7, rtol=1e-10)
    with pytest.raises(ValueError, match="q must be in"):
        generalized_cross_entropy(torch.tensor(z), torch.tensor(y), q=0.0)


def test_relative_difficulty_matches_its_formula():
    from debias_estimators.losses import relative_difficulty

    ce_b = np.array([2.0, 0.1, 0.0, 1.0])
    ce_d = np.array([0.5, 0.9, 0.0, 1.0])
    got = relative_difficulty(torch.tensor(ce_b), torch.tensor(ce_d)).numpy()
    np.testing.assert_allclose(got, [0.8, 0.1, 0.0, 0.5], atol=1e-7)
