"""Stratified weighted batches: each batch's positives drawn apart, at its first positions.

The default training sampler draws every batch with replacement from all the samples, with
the positives holding their share of the mass: a batch's count of positives varies
(binomially) around ``batch_size * share``. :class:`StratifiedBatchSampler` draws the same
per-sample probabilities, but a fixed ``n_positive`` of each batch from the positives (with
their weights) and the rest from the negatives (with theirs), the positives first. Each draw
then picks sample ``i`` with the same probability as before wherever
``n_positive / batch_size`` equals the positives' share (exactly at the lab's half faces, half
non-faces; to the nearest sample otherwise), and only the spread of a batch's composition
changes. With the positives at ``[:n_positive]`` the decoder takes a static slice instead of a
boolean mask, which compiled graphs keep.
"""

import numpy as np
import torch
from torch.utils.data import Sampler

__all__ = ["StratifiedBatchSampler", "positives_per_batch"]


def positives_per_batch(n_positive, n_samples, batch_size):
    """Return the positives of each stratified batch: the positives' share, to the nearest one.

    At least one positive where there are positives and one negative where there are
    negatives, so that neither class drops out of training.

    Parameters
    ----------
    n_positive : int
        Positives in the training set.
    n_samples : int
        Samples in the training set.
    batch_size : int
        Samples per batch.

    Returns
    -------
    k : int
        Positives at the start of every batch.
    """
    k = int(round(batch_size * n_positive / n_samples))
    if n_positive:
        k = max(k, 1)
    if n_positive < n_samples:
        k = min(k, batch_size - 1)
    return k


class StratifiedBatchSampler(Sampler):
    """Batches of ``n_positive_`` weighted positives then weighted negatives, with replacement.

    Parameters
    ----------
    weights : torch.Tensor of shape (n_samples,)
        Sampling weights of all the samples (updated in place between epochs, as those of a
        ``WeightedRandomSampler``); only their relative values within each class matter.
    positive : ndarray of bool of shape (n_samples,)
        Which samples are positives.
    batch_size : int
        Samples per batch; a training set smaller than that gives one batch of all its size.
    generator : torch.Generator, optional
        The generator of the draws.

    Attributes
    ----------
    n_positive_ : int
        Positives at the start of each batch, see :func:`positives_per_batch`.
    n_batches_ : int
        Batches per epoch: ``n_samples // batch_size`` (the last incomplete batch's draws are
        left out, so that every batch has the same shape).
    """

    def __init__(self, weights, positive, batch_size, generator=None):
        self.weights = torch.as_tensor(weights, dtype=torch.float64)
        self.positive = np.asarray(positive, dtype=bool)
        self.batch_size = min(int(batch_size), len(self.positive))
        self.generator = generator
        self._pos = torch.from_numpy(np.flatnonzero(self.positive))
        self._neg = torch.from_numpy(np.flatnonzero(~self.positive))
        self.n_positive_ = positives_per_batch(len(self._pos), len(self.positive), self.batch_size)
        self.n_batches_ = len(self.positive) // self.batch_size

    #: The sampler yields whole batches: the training loader takes them as they are.
    yields_batches = True

    def step_params(self):
        """Return what each training step passes to the module: the positives' static slice.

        Returns
        -------
        params : dict
            ``{"n_decode": n_positive_}``: the module decodes each batch's first samples.
        """
        return {"n_decode": self.n_positive_}

    def _draw(self, members, n):
        if n == 0:
            return members[:0]
        picks = torch.multinomial(self.weights[members], n, True, generator=self.generator)
        return members[picks]

    def __iter__(self):
        k, rest = self.n_positive_, self.batch_size - self.n_positive_
        pos = self._draw(self._pos, k * self.n_batches_).view(self.n_batches_, k)
        neg = self._draw(self._neg, rest * self.n_batches_).view(self.n_batches_, rest)
        yield from torch.cat([pos, neg], dim=1).tolist()

    def __len__(self):
        return self.n_batches_
