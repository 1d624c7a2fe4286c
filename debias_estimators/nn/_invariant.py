"""Linear and convolution layers whose inference outputs do not depend on the batch size.

A sample's float32 output should be the same whether it is predicted alone or among others
(scikit-learn checks it). Two of torch's CPU kernels break that: the MKL matrix product behind
``nn.Linear`` sums in another order for the rows of a small or ragged batch, and
``nn.Conv2d`` leaves oneDNN for torch's own kernel when a batch holds one small image. In
inference (eval mode, no gradients, float32 on the CPU) these layers call oneDNN directly,
whose reduction order does not depend on the batch, and give each sample the same bits in any
batch of two or more rows; a lone row is paired with a row of zeros for the matrix product,
which alone treats one row apart. Training runs torch's usual kernels.
"""

import torch
from torch import nn

__all__ = ["InvariantConv2d", "InvariantLinear", "batch_invariant_inference"]


def batch_invariant_inference(device="cpu"):
    """Tell whether these layers give batch-independent inference outputs on ``device``.

    Parameters
    ----------
    device : str or torch.device, default="cpu"
        Where the module runs.

    Returns
    -------
    bool
        True on the CPU when torch has oneDNN (and it is enabled); elsewhere a caller must fix
        the batch size itself.
    """
    return torch.device(device).type == "cpu" and _onednn_ready()


def _onednn_ready():
    return (
        torch.backends.mkldnn.is_available()
        and torch.backends.mkldnn.enabled
        and hasattr(torch.ops.mkldnn, "_linear_pointwise")
    )


def _invariant_call(layer, x):
    return (
        not layer.training
        and not torch.is_grad_enabled()
        and x.device.type == "cpu"
        and x.dtype == torch.float32
        and not torch.compiler.is_compiling()
        and _onednn_ready()
    )


class InvariantLinear(nn.Linear):
    """``nn.Linear`` whose inference output for a row does not depend on the other rows.

    Parameters
    ----------
    in_features, out_features : int
        As for :class:`torch.nn.Linear`.
    bias : bool, default=True
        As for :class:`torch.nn.Linear`.
    """

    def forward(self, x):
        """Apply the layer; in CPU inference through oneDNN's matrix product.

        Parameters
        ----------
        x : torch.Tensor of shape (B, in_features)
            A batch of inputs.

        Returns
        -------
        torch.Tensor of shape (B, out_features)
            The outputs.
        """
        if x.dim() != 2 or not _invariant_call(self, x):
            return super().forward(x)
        n_rows = len(x)
        if n_rows == 1:  # oneDNN's one-row product sums in another order than its batched one
            x = torch.cat([x, x.new_zeros(x.shape)])
        out = torch.ops.mkldnn._linear_pointwise(x, self.weight, self.bias, "none", [], "")
        return out[:n_rows]


class InvariantConv2d(nn.Conv2d):
    """``nn.Conv2d`` that runs oneDNN in CPU inference at any batch size, one image included.

    Parameters
    ----------
    *args, **kwargs
        As for :class:`torch.nn.Conv2d` (zero padding given as numbers).
    """

    def forward(self, x):
        """Apply the convolution; in CPU inference always through oneDNN.

        Parameters
        ----------
        x : torch.Tensor of shape (B, C, H, W)
            A batch of images.

        Returns
        -------
        torch.Tensor
            The feature maps.
        """
        if self.padding_mode != "zeros" or isinstance(self.padding, str):
            return super().forward(x)
        if x.dim() != 4 or not _invariant_call(self, x):
            return super().forward(x)
        return torch.mkldnn_convolution(
            x, self.weight, self.bias, self.padding, self.stride, self.dilation, self.groups
        )
