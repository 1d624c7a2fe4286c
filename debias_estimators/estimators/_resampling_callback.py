"""The epoch callback that refits the latent resampler and updates the live training sampler.

skorch builds the training loader once per fit, so replacing the loader from a callback would
have no effect; the callback instead writes new weights into the loader's
``WeightedRandomSampler``, which reads them each time an epoch starts drawing.
"""

import numpy as np
import torch
from skorch.callbacks import Callback
from tqdm.auto import tqdm

from ._data import dataset_labels
from ._net import positive_share_weights

__all__ = ["LatentResampling", "encode_means"]

ENCODE_BATCH_SIZE = 1024


def encode_means(module, dataset, indices, *, device="cpu", progress=False):
    """Latent means of ``dataset[indices]``, in eval mode and without gradients.

    The module's previous train/eval mode is restored afterwards, so BatchNorm goes back to
    batch statistics for the training steps that follow.

    Parameters
    ----------
    module : DBVAE
        The module with an ``encode`` method.
    dataset : ArrayDataset or torch.utils.data.Subset
        The training data, batched exactly as in training.
    indices : ndarray of int
        Positions in ``dataset`` to encode.
    device : str, default="cpu"
        Where the module lives.
    progress : bool, default=False
        Show a progress bar.

    Returns
    -------
    mu : ndarray of shape (len(indices), latent_dim)
        The latent means.
    """
    was_training = module.training
    module.eval()
    chunks = range(0, len(indices), ENCODE_BATCH_SIZE)
    out = []
    try:
        with torch.no_grad():
            for start in tqdm(chunks, desc="resampling pass", disable=not progress, leave=False):
                x, _ = dataset[indices[start : start + ENCODE_BATCH_SIZE]]
                out.append(module.encode(x.to(device))[1].cpu())
    finally:
        module.train(was_training)
    return torch.cat(out).numpy()


class LatentResampling(Callback):
    """Refit a :class:`LatentDensityResampler` on the training positives at each epoch start.

    Parameters
    ----------
    resampler : LatentDensityResampler
        Fitted anew at every epoch on the latent means of the positives.
    progress : bool, default=False
        Show a progress bar for each resampling pass.

    Attributes
    ----------
    sample_weight_ : ndarray of shape (n_train,)
        The sampling probabilities of the last epoch, in training-set order.
    """

    def __init__(self, resampler, progress=False):
        self.resampler = resampler
        self.progress = progress

    def on_epoch_begin(self, net, dataset_train=None, dataset_valid=None, **kwargs):
        """Encode the positives, refit the resampler and update the sampler's weights."""
        y = dataset_labels(dataset_train)
        positives = np.flatnonzero(y > 0.5)
        mu = encode_means(
            net.module_, dataset_train, positives, device=net.device, progress=self.progress
        )
        self.resampler.fit(mu)
        self.sample_weight_ = positive_share_weights(y, self.resampler.sample_weight_)
        net.train_sampler_.weights.copy_(torch.as_tensor(self.sample_weight_))
        net.history.record("sample_ess", self.resampler.effective_sample_size_)
        net.history.record("sample_ess_fraction", self.resampler.effective_sample_size_ / len(mu))
