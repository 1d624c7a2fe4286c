"""The standard CNN of the DB-VAE paper and its mirrored decoder, for any image size.

Four blocks of Conv2d -> ReLU -> BatchNorm2d with ``n_filters`` times 1, 2, 4, 6 channels,
kernels 5, 5, 3, 3, stride 2 and paddings 2, 2, 1, 1 (64 -> 32 -> 16 -> 8 -> 4). The decoder
mirrors the stack with transposed convolutions whose ``output_padding`` is chosen from the
encoder's own feature-map sizes, so a reconstruction always has exactly the input's shape.
"""

import torch
from torch import nn

from .._images import MIN_IMAGE_SIZE
from ._invariant import InvariantConv2d, InvariantLinear

__all__ = ["ConvDecoder", "ConvEncoder", "MIN_IMAGE_SIZE", "conv_feature_sizes"]

KERNELS = (5, 5, 3, 3)
PADDINGS = (2, 2, 1, 1)
WIDTHS = (1, 2, 4, 6)
STRIDE = 2
HIDDEN_UNITS = 512


def conv_feature_sizes(size):
    """Return the spatial size after each encoder block, the input size first.

    Parameters
    ----------
    size : int
        Height or width of the input images.

    Returns
    -------
    sizes : list of int
        Five sizes: the input, then one after each of the four blocks.
    """
    sizes = [int(size)]
    for kernel, padding in zip(KERNELS, PADDINGS, strict=True):
        sizes.append((sizes[-1] + 2 * padding - kernel) // STRIDE + 1)
    return sizes


class ConvEncoder(nn.Module):
    """The standard CNN: four convolutional blocks, then a 512-unit hidden layer.

    Parameters
    ----------
    in_shape : tuple of int
        ``(C, H, W)`` of the input images.
    n_outputs : int
        Size of the final linear layer.
    n_filters : int, default=12
        Channels of the first block; later blocks have 2, 4 and 6 times as many.
    """

    def __init__(self, in_shape, n_outputs, n_filters=12):
        super().__init__()
        channels, height, width = in_shape
        widths = [channels] + [n_filters * w for w in WIDTHS]
        blocks = []
        for c_in, c_out, kernel, padding in zip(
            widths[:-1], widths[1:], KERNELS, PADDINGS, strict=True
        ):
            blocks += [
                InvariantConv2d(c_in, c_out, kernel, stride=STRIDE, padding=padding),
                nn.ReLU(),
                nn.BatchNorm2d(c_out),
            ]
        self.features = nn.Sequential(*blocks, nn.Flatten())
        flat = widths[-1] * conv_feature_sizes(height)[-1] * conv_feature_sizes(width)[-1]
        self.hidden = nn.Sequential(InvariantLinear(flat, HIDDEN_UNITS), nn.ReLU())
        self.head = InvariantLinear(HIDDEN_UNITS, n_outputs)

    def embed(self, x):
        """Return the penultimate (512-unit) features of a batch.

        Parameters
        ----------
        x : torch.Tensor of shape (B, C, H, W)
            A batch of images.

        Returns
        -------
        torch.Tensor of shape (B, 512)
            The hidden layer's activations.
        """
        return self.hidden(self.features(x))

    def forward(self, x):
        """Return the final linear outputs of a batch.

        Parameters
        ----------
        x : torch.Tensor of shape (B, C, H, W)
            A batch of images.

        Returns
        -------
        torch.Tensor of shape (B, n_outputs)
            The outputs of the last linear layer.
        """
        return self.head(self.embed(x))


class ConvDecoder(nn.Module):
    """The mirror of :class:`ConvEncoder`: latent vector in, image of ``out_shape`` out.

    Parameters
    ----------
    latent_dim : int
        Size of the latent vectors.
    out_shape : tuple of int
        ``(C, H, W)`` of the images to produce.
    n_filters : int, default=12
        As in the encoder.
    """

    def __init__(self, latent_dim, out_shape, n_filters=12):
        super().__init__()
        channels, height, width = out_shape
        heights, widths_px = conv_feature_sizes(height), conv_feature_sizes(width)
        self.start_shape = (n_filters * WIDTHS[-1], heights[-1], widths_px[-1])
        chans = [channels] + [n_filters * w for w in WIDTHS]
        layers = [
            InvariantLinear(latent_dim, self.start_shape[0] * heights[-1] * widths_px[-1]),
            nn.ReLU(),
            nn.Unflatten(1, self.start_shape),
        ]
        for block in reversed(range(len(KERNELS))):
            kernel, padding = KERNELS[block], PADDINGS[block]
            layers.append(
                nn.ConvTranspose2d(
                    chans[block + 1],
                    chans[block],
                    kernel,
                    stride=STRIDE,
                    padding=padding,
                    output_padding=(
                        _output_padding(heights[block], heights[block + 1], kernel, padding),
                        _output_padding(widths_px[block], widths_px[block + 1], kernel, padding),
                    ),
                )
            )
            if block > 0:
                layers.append(nn.ReLU())
        self.layers = nn.Sequential(*layers)

    def forward(self, z):
        """Decode a batch of latent vectors into images (no output activation).

        Parameters
        ----------
        z : torch.Tensor of shape (B, latent_dim)
            Latent vectors.

        Returns
        -------
        torch.Tensor of shape (B, C, H, W)
            Images of ``out_shape``.
        """
        x = z
        for layer in self.layers:
            # Channels-last weights (as the estimators build the module) get channels-last
            # feature maps: on the CPU the same bits and a decoder step about a tenth faster
            # than converting inside the convolution. After the first, a no-op.
            if isinstance(layer, nn.ConvTranspose2d) and layer.weight.is_contiguous(
                memory_format=torch.channels_last
            ):
                x = x.contiguous(memory_format=torch.channels_last)
            x = layer(x)
        return x


def _output_padding(target, source, kernel, padding):
    # A transposed conv maps `source` to (source - 1) * stride - 2 * padding + kernel; the
    # remainder (0 or 1) restores the size the forward conv rounded down.
    return target - ((source - 1) * STRIDE - 2 * padding + kernel)
