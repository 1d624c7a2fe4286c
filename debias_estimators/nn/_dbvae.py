"""The debiasing variational autoencoder and the standard classifier it is compared with."""

import torch
from torch import nn

from ._conv import ConvDecoder, ConvEncoder
from ._mlp import MLPDecoder, MLPEncoder

__all__ = ["DBVAE", "StandardClassifier", "make_decoder", "make_encoder"]


def make_encoder(in_shape, n_outputs, *, n_filters=12, hidden_units=(64, 64)):
    """Build the encoder for images ``(C, H, W)`` or feature vectors ``(n_features,)``.

    Parameters
    ----------
    in_shape : tuple of int
        Shape of one sample.
    n_outputs : int
        Size of the encoder's final layer.
    n_filters : int, default=12
        Channels of the first convolutional block (images).
    hidden_units : tuple of int, default=(64, 64)
        Hidden layer widths (feature vectors).

    Returns
    -------
    encoder : ConvEncoder or MLPEncoder
        The encoder, with ``embed`` giving its penultimate features.
    """
    if len(in_shape) == 3:
        return ConvEncoder(in_shape, n_outputs, n_filters=n_filters)
    if len(in_shape) == 1:
        return MLPEncoder(in_shape[0], n_outputs, hidden_units=hidden_units)
    raise ValueError(f"in_shape must be (C, H, W) or (n_features,), got {in_shape}.")


def make_decoder(latent_dim, out_shape, *, n_filters=12, hidden_units=(64, 64)):
    """Build the decoder that mirrors :func:`make_encoder` for the same shape.

    Parameters
    ----------
    latent_dim : int
        Size of the latent vectors.
    out_shape : tuple of int
        Shape of one sample to reconstruct.
    n_filters : int, default=12
        As in the encoder (images).
    hidden_units : tuple of int, default=(64, 64)
        As in the encoder (feature vectors).

    Returns
    -------
    decoder : ConvDecoder or MLPDecoder
        The decoder.
    """
    if len(out_shape) == 3:
        return ConvDecoder(latent_dim, out_shape, n_filters=n_filters)
    if len(out_shape) == 1:
        return MLPDecoder(latent_dim, out_shape[0], hidden_units=hidden_units)
    raise ValueError(f"out_shape must be (C, H, W) or (n_features,), got {out_shape}.")


class DBVAE(nn.Module):
    """The DB-VAE: an encoder giving a class logit and a latent Gaussian, and a decoder.

    Parameters
    ----------
    in_shape : tuple of int
        ``(C, H, W)`` for images or ``(n_features,)`` for vectors.
    latent_dim : int, default=100
        Size of the latent space.
    n_filters : int, default=12
        Channels of the first convolutional block.
    hidden_units : tuple of int, default=(64, 64)
        Hidden layer widths of the vector variant.
    """

    def __init__(self, in_shape, latent_dim=100, n_filters=12, hidden_units=(64, 64)):
        super().__init__()
        self.latent_dim = latent_dim
        kwargs = {"n_filters": n_filters, "hidden_units": hidden_units}
        self.encoder = make_encoder(in_shape, 2 * latent_dim + 1, **kwargs)
        self.decoder = make_decoder(latent_dim, in_shape, **kwargs)

    def encode(self, x):
        """Encode a batch into its class logit and latent Gaussian.

        Parameters
        ----------
        x : torch.Tensor of shape (B, C, H, W) or (B, n_features)
            A batch of inputs.

        Returns
        -------
        logit : torch.Tensor of shape (B,)
            The class logit.
        mu, logvar : torch.Tensor of shape (B, latent_dim)
            The latent mean and log-variance.
        """
        out = self.encoder(x)
        return out[:, 0], out[:, 1 : 1 + self.latent_dim], out[:, 1 + self.latent_dim :]

    def reparameterize(self, mu, logvar):
        """Sample ``z = mu + sigma * eps`` with ``sigma = exp(0.5 * logvar)``; the mean in eval.

        Parameters
        ----------
        mu, logvar : torch.Tensor of shape (B, latent_dim)
            The latent mean and log-variance.

        Returns
        -------
        z : torch.Tensor of shape (B, latent_dim)
            One sample per row in training mode, ``mu`` itself in eval mode.
        """
        if not self.training:
            return mu
        return mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)

    def decode(self, z):
        """Decode latent vectors into samples of the input's shape.

        Parameters
        ----------
        z : torch.Tensor of shape (B, latent_dim)
            Latent vectors.

        Returns
        -------
        x_recon : torch.Tensor
            Reconstructions, shaped like the inputs the model was built for.
        """
        return self.decoder(z)

    def forward(self, x, decode_mask=None, n_decode=None):
        """Return ``(logit, mu, logvar, x_recon)`` for a batch.

        Parameters
        ----------
        x : torch.Tensor of shape (B, C, H, W) or (B, n_features)
            A batch of inputs.
        decode_mask : torch.Tensor of shape (B,) and dtype bool, default=None
            Samples to decode; ``None`` decodes all of them.
        n_decode : int, default=None
            Decode the first ``n_decode`` samples only (a static slice, which compiled graphs
            keep); it takes precedence over ``decode_mask``.

        Returns
        -------
        tuple of torch.Tensor
            The class logit ``(B,)``, latent mean and log-variance ``(B, latent_dim)`` and the
            reconstruction, shaped like ``x``.

        Notes
        -----
        With a boolean ``decode_mask`` only the selected samples are decoded (in training, the
        positives: the only ones the loss reconstructs); the others get the input itself as
        ``x_recon``, a zero reconstruction error without decoder work or gradient. With
        ``n_decode`` the same holds for the samples after the first ``n_decode``.
        """
        logit, mu, logvar = self.encode(x)
        z = self.reparameterize(mu, logvar)
        if n_decode == 0:
            return logit, mu, logvar, x.detach().clone()
        if n_decode is not None:
            head = self.decode(z[:n_decode]).to(x.dtype)
            rest = x[n_decode:].detach()
            return logit, mu, logvar, torch.cat([head, rest])
        if decode_mask is None:
            return logit, mu, logvar, self.decode(z)
        x_recon = x.detach().clone()
        if decode_mask.any():
            x_recon[decode_mask] = self.decode(z[decode_mask]).to(x_recon.dtype)
        return logit, mu, logvar, x_recon


class StandardClassifier(nn.Module):
    """The standard (biased) classifier: the DB-VAE's encoder with a single logit.

    Parameters
    ----------
    in_shape : tuple of int
        ``(C, H, W)`` for images or ``(n_features,)`` for vectors.
    n_filters : int, default=12
        Channels of the first convolutional block.
    hidden_units : tuple of int, default=(64, 64)
        Hidden layer widths of the vector variant.
    """

    def __init__(self, in_shape, n_filters=12, hidden_units=(64, 64)):
        super().__init__()
        self.encoder = make_encoder(in_shape, 1, n_filters=n_filters, hidden_units=hidden_units)

    def embed(self, x):
        """Return the penultimate features of a batch.

        Parameters
        ----------
        x : torch.Tensor of shape (B, C, H, W) or (B, n_features)
            A batch of inputs.

        Returns
        -------
        torch.Tensor of shape (B, n_hidden)
            The activations of the last hidden layer.
        """
        return self.encoder.embed(x)

    def forward(self, x):
        """Return the class logit of a batch.

        Parameters
        ----------
        x : torch.Tensor of shape (B, C, H, W) or (B, n_features)
            A batch of inputs.

        Returns
        -------
        torch.Tensor of shape (B,)
            The class logit.
        """
        return self.encoder(x)[:, 0]
