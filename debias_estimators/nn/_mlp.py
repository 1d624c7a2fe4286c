"""Multilayer perceptrons: the DB-VAE's encoder and decoder for feature vectors."""

from torch import nn

from ._invariant import InvariantLinear

__all__ = ["MLPDecoder", "MLPEncoder"]


def _stack(sizes):
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
        layers += [InvariantLinear(n_in, n_out), nn.ReLU()]
    return layers


class MLPEncoder(nn.Module):
    """Feature vectors in, ``n_outputs`` values out, through ReLU hidden layers.

    Parameters
    ----------
    n_features : int
        Length of the input vectors.
    n_outputs : int
        Size of the final linear layer.
    hidden_units : tuple of int, default=(64, 64)
        Widths of the hidden layers.
    """

    def __init__(self, n_features, n_outputs, hidden_units=(64, 64)):
        super().__init__()
        sizes = [n_features, *hidden_units]
        self.hidden = nn.Sequential(*_stack(sizes))
        self.head = InvariantLinear(sizes[-1], n_outputs)

    def embed(self, x):
        """Return the last hidden layer's activations.

        Parameters
        ----------
        x : torch.Tensor of shape (B, n_features)
            A batch of feature vectors.

        Returns
        -------
        torch.Tensor of shape (B, hidden_units[-1])
            The activations of the last hidden layer.
        """
        return self.hidden(x)

    def forward(self, x):
        """Return the final linear outputs.

        Parameters
        ----------
        x : torch.Tensor of shape (B, n_features)
            A batch of feature vectors.

        Returns
        -------
        torch.Tensor of shape (B, n_outputs)
            The outputs of the last linear layer.
        """
        return self.head(self.hidden(x))


class MLPDecoder(nn.Module):
    """Latent vectors in, feature vectors out: the encoder's hidden layers reversed.

    Parameters
    ----------
    latent_dim : int
        Size of the latent vectors.
    n_features : int
        Length of the vectors to produce.
    hidden_units : tuple of int, default=(64, 64)
        Widths of the encoder's hidden layers (used in reverse order).
    """

    def __init__(self, latent_dim, n_features, hidden_units=(64, 64)):
        super().__init__()
        sizes = [latent_dim, *reversed(hidden_units)]
        self.layers = nn.Sequential(*_stack(sizes), InvariantLinear(sizes[-1], n_features))

    def forward(self, z):
        """Decode latent vectors into feature vectors.

        Parameters
        ----------
        z : torch.Tensor of shape (B, latent_dim)
            Latent vectors.

        Returns
        -------
        torch.Tensor of shape (B, n_features)
            The decoded feature vectors.
        """
        return self.layers(z)
