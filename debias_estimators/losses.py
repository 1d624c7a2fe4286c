"""The DB-VAE loss and its parts (torch only).

For a batch of ``B`` samples with binary labels ``y`` (1 = the positive class, faces) the loss of
sample ``i`` is::

    BCE-with-logits(logit_i, y_i) + y_i * (kl_weight * KL_i + reconstruction_i)

``KL_i = 0.5 * sum_j(exp(logvar_ij) + mu_ij**2 - 1 - logvar_ij)`` over the latent dimensions and
``reconstruction_i`` is the mean absolute (``"l1"``) or squared (``"l2"``) error over the sample's
values. Only the positive class is reconstructed, so negatives give the decoder no gradient.

Every label is flattened to ``(B,)`` before use: a ``(B, 1)`` label would broadcast against a
``(B,)`` loss into a ``(B, B)`` matrix, a bug of the public teaching code.
"""

import torch
import torch.nn.functional as F
from torch import nn

__all__ = [
    "RECON_LOSSES",
    "DBVAELoss",
    "ClassificationLoss",
    "classification_loss",
    "dbvae_loss",
    "dbvae_loss_per_sample",
    "generalized_cross_entropy",
    "kl_divergence",
    "reconstruction_loss",
    "relative_difficulty",
]

RECON_LOSSES = ("l1", "l2")


def _as_vector(t, batch_size, name):
    if t.numel() != batch_size:
        raise ValueError(
            f"{name} must hold one value per sample ({batch_size}); got {tuple(t.shape)}."
        )
    return t.reshape(batch_size)


def _logits_and_labels(y_logit, y):
    """Both flattened to ``(B,)``, the labels in the logits' dtype."""
    batch_size = y_logit.shape[0]
    y_logit = _as_vector(y_logit, batch_size, "y_logit")
    return y_logit, _as_vector(y, batch_size, "y").to(y_logit.dtype)


def kl_divergence(mu, logvar):
    """KL divergence of ``N(mu, exp(logvar))`` from the standard normal, per sample.

    Parameters
    ----------
    mu, logvar : torch.Tensor of shape (B, latent_dim)
        Latent means and log-variances.

    Returns
    -------
    kl : torch.Tensor of shape (B,)
        ``0.5 * sum(exp(logvar) + mu**2 - 1 - logvar)`` over the latent dimensions.
    """
    return 0.5 * torch.sum(torch.exp(logvar) + mu.pow(2) - 1.0 - logvar, dim=1)


def reconstruction_loss(x, x_recon, kind="l1"):
    """Mean reconstruction error of each sample over all its values (C, H, W).

    Parameters
    ----------
    x, x_recon : torch.Tensor of shape (B, ...)
        Samples and their reconstructions, of the same shape.
    kind : {"l1", "l2"}, default="l1"
        Mean absolute error (the teaching lab) or mean squared error (the paper).

    Returns
    -------
    loss : torch.Tensor of shape (B,)
        One error per sample.
    """
    if kind not in RECON_LOSSES:
        raise ValueError(f"recon_loss must be one of {RECON_LOSSES}, got {kind!r}.")
    if x.shape != x_recon.shape:
        raise ValueError(f"x {tuple(x.shape)} and x_recon {tuple(x_recon.shape)} differ in shape.")
    diff = (x - x_recon).flatten(start_dim=1)
    return diff.abs().mean(dim=1) if kind == "l1" else diff.pow(2).mean(dim=1)


def classification_loss(y_logit, y):
    """Binary cross-entropy with logits, per sample.

    Parameters
    ----------
    y_logit : torch.Tensor of shape (B,) or (B, 1)
        Class logits.
    y : torch.Tensor of shape (B,) or (B, 1)
        Binary labels, 1 for the positive class.

    Returns
    -------
    loss : torch.Tensor of shape (B,)
        One loss per sample.
    """
    y_logit, y = _logits_and_labels(y_logit, y)
    return F.binary_cross_entropy_with_logits(y_logit, y, reduction="none")


def generalized_cross_entropy(y_logit, y, q=0.7):
    """Generalized cross-entropy of Zhang and Sabuncu (2018), per sample.

    ``(1 - p_y ** q) / q``, where ``p_y`` is the probability the logit gives the true label.
    Its gradient is the cross-entropy's times ``p_y ** q``: samples the model already finds
    easy weigh more, so a network trained with it learns the easiest cue first (the biased
    network of Learning from Failure). As ``q`` tends to 0 it tends to the cross-entropy.

    Parameters
    ----------
    y_logit : torch.Tensor of shape (B,) or (B, 1)
        Class logits.
    y : torch.Tensor of shape (B,) or (B, 1)
        Binary labels, 1 for the positive class.
    q : float, default=0.7
        The exponent, in ``(0, 1]``.

    Returns
    -------
    loss : torch.Tensor of shape (B,)
        One loss per sample, in ``[0, 1 / q]``.
    """
    if not 0 < q <= 1:
        raise ValueError(f"q must be in (0, 1], got {q!r}.")
    y_logit, y = _logits_and_labels(y_logit, y)
    # log p_y = logsigmoid(+logit) for y = 1 and logsigmoid(-logit) for y = 0, computed stably.
    log_p = F.logsigmoid((2.0 * y - 1.0) * y_logit)
    return (1.0 - torch.exp(q * log_p)) / q


def relative_difficulty(loss_biased, loss_debiased, eps=1e-8):
    """Weight of each sample for the debiased network of Learning from Failure.

    ``loss_biased / (loss_biased + loss_debiased)``: near 1 where the biased network fails and
    the debiased one does not (samples that contradict the bias), near 0 where the biased
    network succeeds.

    Parameters
    ----------
    loss_biased, loss_debiased : torch.Tensor of shape (B,)
        Non-negative per-sample losses (cross-entropies) of the two networks.
    eps : float, default=1e-8
        Added to the denominator, so that two zero losses give weight 0.

    Returns
    -------
    weight : torch.Tensor of shape (B,)
        Weights in ``[0, 1]``.
    """
    return loss_biased / (loss_biased + loss_debiased + eps)


def dbvae_loss_per_sample(y_logit, y, x, x_recon, mu, logvar, *, kl_weight=5e-4, recon_loss="l1"):
    """Compute the DB-VAE loss of each sample: classification plus, for positives, the VAE loss.

    Parameters
    ----------
    y_logit : torch.Tensor of shape (B,) or (B, 1)
        Class logits.
    y : torch.Tensor of shape (B,) or (B, 1)
        Binary labels, 1 for the positive class (faces).
    x, x_recon : torch.Tensor of shape (B, ...)
        Inputs and their reconstructions.
    mu, logvar : torch.Tensor of shape (B, latent_dim)
        Latent means and log-variances.
    kl_weight : float, default=5e-4
        Weight of the KL term.
    recon_loss : {"l1", "l2"}, default="l1"
        Reconstruction error, see :func:`reconstruction_loss`.

    Returns
    -------
    loss : torch.Tensor of shape (B,)
        One loss per sample.
    """
    batch_size = y_logit.shape[0]
    positive = _as_vector(y, batch_size, "y") > 0.5
    vae = kl_weight * kl_divergence(mu, logvar) + reconstruction_loss(x, x_recon, recon_loss)
    # where(), not a product: a non-finite VAE term of a negative must not leak into the sum.
    vae = torch.where(positive, vae, torch.zeros_like(vae))
    return classification_loss(y_logit, y) + vae


def dbvae_loss(y_logit, y, x, x_recon, mu, logvar, *, kl_weight=5e-4, recon_loss="l1"):
    """Compute the DB-VAE loss averaged over the batch.

    Parameters
    ----------
    y_logit : torch.Tensor of shape (B,) or (B, 1)
        Class logits.
    y : torch.Tensor of shape (B,) or (B, 1)
        Binary labels, 1 for the positive class (faces).
    x, x_recon : torch.Tensor of shape (B, ...)
        Inputs and their reconstructions.
    mu, logvar : torch.Tensor of shape (B, latent_dim)
        Latent means and log-variances.
    kl_weight : float, default=5e-4
        Weight of the KL term.
    recon_loss : {"l1", "l2"}, default="l1"
        Reconstruction error, see :func:`reconstruction_loss`.

    Returns
    -------
    loss : torch.Tensor
        A scalar: the mean of :func:`dbvae_loss_per_sample`.
    """
    return dbvae_loss_per_sample(
        y_logit, y, x, x_recon, mu, logvar, kl_weight=kl_weight, recon_loss=recon_loss
    ).mean()


class DBVAELoss(nn.Module):
    """Criterion module of the DB-VAE: per-sample losses from the module's outputs.

    Parameters
    ----------
    kl_weight : float, default=5e-4
        Weight of the KL term.
    recon_loss : {"l1", "l2"}, default="l1"
        Reconstruction error.
    """

    def __init__(self, kl_weight=5e-4, recon_loss="l1"):
        super().__init__()
        self.kl_weight = kl_weight
        self.recon_loss = recon_loss

    def forward(self, y_pred, y, x):
        """Per-sample losses from ``y_pred = (logit, mu, logvar, x_recon)``.

        Parameters
        ----------
        y_pred : tuple of torch.Tensor
            The DB-VAE's output: class logit ``(B,)``, latent mean and log-variance
            ``(B, latent_dim)`` and the reconstruction, shaped like ``x``.
        y : torch.Tensor of shape (B,)
            Binary targets, 1 for the positive class (faces).
        x : torch.Tensor or dict
            The input batch, or a dict holding it under ``"x"`` (skorch's dict inputs).

        Returns
        -------
        torch.Tensor of shape (B,)
            The loss of each sample.
        """
        logit, mu, logvar, x_recon = y_pred
        if isinstance(x, dict):
            x = x["x"]
        return dbvae_loss_per_sample(
            logit, y, x, x_recon, mu, logvar, kl_weight=self.kl_weight, recon_loss=self.recon_loss
        )


class ClassificationLoss(nn.Module):
    """Criterion module of the standard classifier: per-sample binary cross-entropy."""

    def forward(self, y_pred, y, x):
        """Per-sample binary cross-entropy from the logits ``y_pred``.

        Parameters
        ----------
        y_pred : torch.Tensor of shape (B,)
            Class logits.
        y : torch.Tensor of shape (B,)
            Binary targets.
        x : object
            The input batch; unused, accepted for the same call as :class:`DBVAELoss`.

        Returns
        -------
        torch.Tensor of shape (B,)
            The loss of each sample.
        """
        return classification_loss(y_pred, y)
