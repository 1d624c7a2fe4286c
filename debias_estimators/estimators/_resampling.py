"""The latent resampling of training: the weighted sampler, its weights, and the callback.

The callback makes the training sampler (:meth:`LatentResampling.training_sampler`, which
:class:`TrainingNet` asks for) and keeps it up to date: skorch builds the training loader once
per fit, so replacing the loader from a callback would have no effect; the callback instead
writes new weights into the loader's ``WeightedRandomSampler``, which reads them each time an
epoch starts drawing.
"""

import time

import numpy as np
import torch
from skorch.callbacks import Callback
from torch.utils.data import WeightedRandomSampler
from tqdm.auto import tqdm

from ._data import dataset_labels
from ._modes import evaluating
from ._stratified import StratifiedBatchSampler

__all__ = ["LATENT_SOURCES", "LatentResampling", "encode_means", "positive_share_weights"]

# Batches of the no-grad resampling pass: 256 encodes as fast as 1024 on the CPU and holds
# about 120 MiB less at 64x64 (benchmarks/memory.py).
ENCODE_BATCH_SIZE = 256
LATENT_SOURCES = ("encode", "cached")


def positive_share_weights(y, positive_weights=None):
    """Compute sampling probabilities that keep each class's share of an epoch.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        Binary labels.
    positive_weights : ndarray of shape (n_positive,), optional
        Relative weights of the positives, in order; uniform when absent.

    Returns
    -------
    probabilities : ndarray of shape (n_samples,)
        Non-negative, summing to 1: the positives share ``mean(y)`` of the mass, the negatives
        the rest, uniformly.
    """
    positive = np.asarray(y) > 0.5
    p = np.empty(len(positive))
    share = positive.mean()
    n_neg = len(positive) - positive.sum()
    if n_neg:
        p[~positive] = (1.0 - share) / n_neg
    if positive_weights is None:
        positive_weights = np.ones(positive.sum())
    positive_weights = np.asarray(positive_weights, dtype=np.float64)
    p[positive] = share * positive_weights / positive_weights.sum()
    return p


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
        Show a progress bar, where the output is a terminal.

    Returns
    -------
    mu : ndarray of shape (len(indices), latent_dim)
        The latent means.
    """
    chunks = range(0, len(indices), ENCODE_BATCH_SIZE)
    mu = np.empty((len(indices), module.latent_dim), np.float32)  # filled in place: no concat
    # disable=None: tqdm's own convention, no bar where the output is not a terminal.
    disable = None if progress else True
    with evaluating(module):
        for start in tqdm(chunks, desc="resampling pass", disable=disable, leave=False):
            stop = start + ENCODE_BATCH_SIZE
            x, _ = dataset[indices[start:stop]]
            x = x["x"] if isinstance(x, dict) else x
            mu[start:stop] = module.encode(x.to(device))[1].float().cpu().numpy()
    return mu


def _base_indices(dataset):
    """Map each position of ``dataset`` to its index in the underlying ArrayDataset."""
    if isinstance(dataset, torch.utils.data.Subset):
        return _base_indices(dataset.dataset)[np.asarray(dataset.indices)]
    return np.arange(len(dataset))


class LatentResampling(Callback):
    """Refit the latent density resampler on the training positives at each epoch start.

    Parameters
    ----------
    resampler : LatentDensityResampler or DifficultyResampler
        Fitted anew at every epoch on the latent means of the positives (and, for a resampler
        with ``per_sample``, their positions in the training data).
    source : {"encode", "cached"}, default="encode"
        ``"encode"`` encodes every training positive in a separate no-grad pass at each epoch
        start (the paper and the lab). ``"cached"`` reuses the latent means that the training
        steps already computed: each positive keeps the mean of its latest draw, and only
        positives never drawn yet are encoded. No extra pass, at the price of means from
        slightly older weights and from BatchNorm's batch statistics.
    progress : bool, default=False
        Show a progress bar for each resampling pass, where the output is a terminal.
    warmup_epochs : int, default=0
        Epochs drawn uniformly before resampling starts: the latent space of a fresh network is
        noise, and so would be weights computed from it.
    stratified : bool, default=False
        Draw each batch's positives and negatives apart, the positives first
        (a stratified batch sampler): the same probability of each sample per draw, a
        fixed count of positives per batch.

    Attributes
    ----------
    sampler_ : torch.utils.data.WeightedRandomSampler or torch.utils.data.Sampler
        The training sampler of the current fit, made by :meth:`training_sampler`; its
        weights are ``sample_weight_``.
    sample_weight_ : ndarray of shape (n_train,)
        The sampling probabilities of the last epoch, in training-set order.
    n_encoded_ : int
        Positives encoded by a separate pass at the last epoch start.
    """

    #: Named in the message that refuses a sampler which would replace this callback's.
    turn_off_hint = "set alpha=None to train without it"

    def __init__(
        self, resampler, source="encode", progress=False, warmup_epochs=0, stratified=False
    ):
        self.resampler = resampler
        self.source = source
        self.progress = progress
        self.warmup_epochs = warmup_epochs
        self.stratified = stratified

    def initialize(self):
        """Forget cached latent means of a previous fit."""
        if self.source not in LATENT_SOURCES:
            raise ValueError(f"source must be one of {LATENT_SOURCES}, got {self.source!r}.")
        self._cache = None
        return self

    def training_sampler(self, dataset, generator, batch_size=None):
        """Make the sampler that draws the training batches, with each class's share kept.

        Its weights start uniform within each class; every epoch start replaces them with the
        latent resampling's.

        Parameters
        ----------
        dataset : torch.utils.data.Dataset
            The training data.
        generator : torch.Generator
            The seeded generator of the draws.
        batch_size : int, optional
            Samples per batch; needed with ``stratified=True``.

        Returns
        -------
        sampler : torch.utils.data.WeightedRandomSampler or torch.utils.data.Sampler
            A sampler of ``len(dataset)`` draws with replacement or, with ``stratified``, a
            batch sampler of ``len(dataset) // batch_size`` batches; kept as ``sampler_``.
        """
        y = dataset_labels(dataset)
        weights = torch.as_tensor(positive_share_weights(y))
        if self.stratified:
            self.sampler_ = StratifiedBatchSampler(weights, y > 0.5, batch_size, generator)
            return self.sampler_
        self.sampler_ = WeightedRandomSampler(
            weights, num_samples=len(dataset), replacement=True, generator=generator
        )
        return self.sampler_

    def on_batch_end(self, net, batch=None, training=False, y_pred=None, **kwargs):
        """Keep the latent means of the training batch (``source="cached"`` only).

        Parameters
        ----------
        net : skorch.NeuralNet
            The net being trained.
        batch : tuple, default=None
            The batch ``(X, y)``; ``y`` holds the samples' dataset indices under ``"index"``.
        training : bool, default=False
            Whether the batch was a training batch.
        y_pred : tuple of torch.Tensor, default=None
            The module's output for the batch; its second item holds the latent means.
        **kwargs : dict
            Further arguments skorch passes to callbacks, unused.
        """
        if not training or self.source != "cached" or self._cache is None:
            return
        index = batch[1]["index"].cpu().numpy()  # Accelerate moves whole batches to its device
        self._cache[index] = y_pred[1].detach().cpu().numpy()
        self._seen[index] = True

    def training_state(self):
        """Return the cached latent means (``source="cached"``), which training updates.

        A checkpoint keeps them, so that a resumed fit weights the positives as it would have.

        Returns
        -------
        state : dict of str to torch.Tensor
            ``{"cache": ..., "seen": ...}``, or empty before the first epoch or with
            ``source="encode"``.
        """
        if getattr(self, "_cache", None) is None:
            return {}
        return {"cache": torch.from_numpy(self._cache.copy()), "seen": torch.from_numpy(self._seen)}

    def load_training_state(self, state):
        """Set the cached latent means :meth:`training_state` returned.

        Parameters
        ----------
        state : dict of str to torch.Tensor
            As :meth:`training_state` returned it.
        """
        if state:
            self._cache = state["cache"].numpy().copy()
            self._seen = state["seen"].numpy().copy()

    def on_epoch_begin(self, net, dataset_train=None, dataset_valid=None, **kwargs):
        """Collect the positives' latent means, refit the resampler, update the sampler.

        Records in the net's history the weights' effective sample size (``sample_ess``,
        ``sample_ess_fraction``), the tempering exponent (``weight_exponent``), the positives
        encoded (``n_encoded``) and the seconds all this took (``resample_dur``).

        Parameters
        ----------
        net : skorch.NeuralNet
            The net being trained.
        dataset_train : torch.utils.data.Dataset, default=None
            The training data.
        dataset_valid : torch.utils.data.Dataset, default=None
            The validation data, unused.
        **kwargs : dict
            Further arguments skorch passes to callbacks, unused.
        """
        start = time.perf_counter()
        self._reweight(net, dataset_train)
        self.sampler_.weights.copy_(torch.as_tensor(self.sample_weight_))
        # Part of the epoch's "dur" (skorch's EpochTimer starts the clock before this callback).
        net.history.record("resample_dur", time.perf_counter() - start)

    def _reweight(self, net, dataset):
        """Set ``sample_weight_`` for the epoch and record the weights' statistics."""
        y = dataset_labels(dataset)
        positives = np.flatnonzero(y > 0.5)
        if len(positives) == 0:  # e.g. a partial_fit batch of negatives: nothing to reweight
            self.sample_weight_ = positive_share_weights(y)
            return
        if len(net.history) <= self.warmup_epochs:  # history holds the epoch just begun
            self.n_encoded_ = 0
            self.sample_weight_ = positive_share_weights(y)
            ess, exponent = float(len(positives)), 0.0
        else:
            mu = self._positive_means(net, dataset, positives)
            if getattr(self.resampler, "per_sample", False):  # reads each face's own loss
                self.resampler.fit(mu, sample_index=_base_indices(dataset)[positives])
            else:
                self.resampler.fit(mu)
            self.sample_weight_ = positive_share_weights(y, self.resampler.sample_weight_)
            ess, exponent = self.resampler.effective_sample_size_, self.resampler.exponent_
        net.history.record("sample_ess", ess)
        net.history.record("sample_ess_fraction", ess / len(positives))
        net.history.record("weight_exponent", exponent)
        net.history.record("n_encoded", self.n_encoded_)

    def _encoder(self, net):
        """Return the module to encode with and its device (a subclass may place it elsewhere)."""
        return net.module_, net.device

    def _positive_means(self, net, dataset, positives):
        module, device = self._encoder(net)
        encode = lambda idx: encode_means(  # noqa: E731
            module, dataset, idx, device=device, progress=self.progress
        )
        if self.source == "encode":
            self.n_encoded_ = len(positives)
            return encode(positives)
        base = _base_indices(dataset)[positives]
        if self._cache is None:
            size = _base_indices(dataset).max() + 1
            self._cache = np.zeros((size, module.latent_dim), np.float32)
            self._seen = np.zeros(size, bool)
        missing = ~self._seen[base]
        self.n_encoded_ = int(missing.sum())
        if self.n_encoded_:
            self._cache[base[missing]] = encode(positives[missing])
            self._seen[base[missing]] = True
        return self._cache[base].copy()
