"""The skorch net every estimator trains with.

It extends skorch the way skorch intends: ``get_iterator`` builds batch-indexed loaders
(for training, the resampling callback's weighted sampler when there is one) and ``get_loss``
asks the method's :class:`~._strategy.TrainingStrategy` for the loss. The fit loop is skorch's own.
"""

import torch
from skorch import NeuralNet
from skorch.callbacks import EarlyStopping
from skorch.utils import to_tensor
from torch.utils.data import BatchSampler, SequentialSampler

from ._strategy import TrainingStrategy

__all__ = ["TrainingNet"]


class TrainingNet(NeuralNet):
    """A skorch ``NeuralNet`` over :class:`ArrayDataset` batches with per-sample weights.

    Parameters
    ----------
    *args, **kwargs
        As for :class:`skorch.NeuralNet`.
    seed : int, default=0
        Seed of the training sampler's generator.
    strategy : TrainingStrategy, optional
        How the method trains: the loss of a batch, what happens before an epoch, the state
        kept beside the weights. By default weighted empirical risk.

    Notes
    -----
    With a callback that draws the training batches among the callbacks (see
    :meth:`resampling_callback`), training batches are drawn by its sampler
    (``train_sampler_``), whose weights it may update between epochs; else they are shuffled
    uniformly. A sampler with ``yields_batches`` cuts the batches itself, and its
    ``step_params()`` (the DB-VAE's stratified batches: the positives' slice ``n_decode``) go to
    every training step's module call.
    """

    def __init__(self, *args, seed=0, strategy=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.seed = seed
        self.strategy = strategy

    def partial_fit(self, X, y=None, classes=None, **fit_params):
        """Train as skorch does, recording how many epochs ran and why training ended.

        skorch ends its loop quietly on a ``KeyboardInterrupt``, the signal its
        ``EarlyStopping`` raises and the one Ctrl-C raises alike; :meth:`check_finished`
        tells them apart afterwards.
        """
        self._epochs_asked = fit_params.get("epochs") or self.max_epochs
        self._epochs_done = 0
        self._stopped_early = False
        return super().partial_fit(X, y, classes, **fit_params)

    def notify(self, method_name, **cb_kwargs):
        """Call the callbacks as skorch does, noting a deliberate stop and each finished epoch."""
        getattr(self, method_name)(self, **cb_kwargs)
        for _, callback in self.callbacks_:
            try:
                getattr(callback, method_name)(self, **cb_kwargs)
            except KeyboardInterrupt:
                self._stopped_early = isinstance(callback, EarlyStopping)
                raise
        if method_name == "on_epoch_end":
            self._epochs_done = getattr(self, "_epochs_done", 0) + 1

    def check_finished(self):
        """Raise ``KeyboardInterrupt`` if the last training ended before its epochs, unasked.

        Raises
        ------
        KeyboardInterrupt
            If training was interrupted (Ctrl-C, a scheduler's SIGINT, a callback raising
            it) other than by an ``EarlyStopping`` callback.
        """
        done, asked = getattr(self, "_epochs_done", 0), getattr(self, "_epochs_asked", 0)
        if done < asked and not self._stopped_early:
            raise KeyboardInterrupt(
                f"training was interrupted after {done} of {asked} epochs; the estimator was "
                f"left as it was before this call."
            )

    def get_iterator(self, dataset, training=False):
        """Return a loader of whole batches; training batches are drawn by a seeded sampler.

        The loader is ``iterator_train`` or ``iterator_valid`` (a ``DataLoader`` by default)
        called with that prefix's settings, as in skorch: ``batch_size``, ``shuffle``,
        ``drop_last``, ``sampler`` and the loader's own (``num_workers``, ``pin_memory``...).
        The batches are cut by a :class:`~torch.utils.data.BatchSampler`, so the dataset reads
        a whole batch at once.
        """
        if training:
            self._strategy().start_training(self, dataset)
        prefix = "iterator_train" if training else "iterator_valid"
        kwargs = self.get_params_for(prefix)
        batch_size = kwargs.pop("batch_size", self.batch_size)
        if batch_size == -1:
            batch_size = len(dataset)
        shuffle = kwargs.pop("shuffle", training)
        drop_last = kwargs.pop("drop_last", None)
        sampler = kwargs.pop("sampler", None)
        if training:
            sampler = self._training_sampler(dataset, batch_size, shuffle=shuffle, sampler=sampler)
            if getattr(sampler, "yields_batches", False):
                return self.iterator_train(dataset, sampler=sampler, batch_size=None, **kwargs)
            if drop_last is None:
                # A last batch of one sample breaks BatchNorm in train mode: drop it then.
                drop_last = len(dataset) % batch_size == 1
        elif sampler is None:
            sampler = (
                torch.utils.data.RandomSampler(dataset) if shuffle else SequentialSampler(dataset)
            )
        batches = BatchSampler(sampler, batch_size, drop_last=bool(drop_last))
        iterator = self.iterator_train if training else self.iterator_valid
        return iterator(dataset, sampler=batches, batch_size=None, **kwargs)

    def _training_sampler(self, dataset, batch_size, shuffle=True, sampler=None):
        resampling = self.resampling_callback()
        if resampling is not None and (sampler is not None or not shuffle):
            raise ValueError(
                f"iterator_train__sampler and iterator_train__shuffle=False would replace the "
                f"weighted sampler of {type(resampling).__name__}, which draws the training "
                f"batches; {resampling.turn_off_hint}."
            )
        generator = torch.Generator().manual_seed(int(self.seed) + len(self.history))
        if sampler is not None:
            self.train_sampler_ = sampler
        elif not shuffle:
            self.train_sampler_ = SequentialSampler(dataset)
        elif resampling is None:
            self.train_sampler_ = torch.utils.data.RandomSampler(dataset, generator=generator)
        else:
            self.train_sampler_ = resampling.training_sampler(dataset, generator, batch_size)
        return self.train_sampler_

    def resampling_callback(self):
        """Return the callback that draws the training batches, or None to draw uniformly.

        A method that resamples (the DB-VAE's :class:`LatentResampling`) adds a callback with
        ``training_sampler(dataset, generator, batch_size)`` and ``turn_off_hint``; the net
        knows no method by name.

        Returns
        -------
        callback : skorch.callbacks.Callback or None
            The first callback with a ``training_sampler`` method.
        """
        for _, callback in getattr(self, "callbacks_", []):
            if callable(getattr(callback, "training_sampler", None)):
                return callback
        return None

    def initialize(self):
        """Initialise the net as skorch does (``fit`` does it too), and the method's state."""
        super().initialize()
        self._strategy().initialize()
        return self

    def initialize_module(self):
        """Build the module; convolutional ones use channels-last memory (faster on CPU)."""
        super().initialize_module()
        if len(self.module__in_shape) == 3:
            self.module_ = self.module_.to(memory_format=torch.channels_last)
        return self

    def train_step_single(self, batch, **fit_params):
        """Run skorch's training step with the sampler's ``step_params``, if it has any.

        The DB-VAE's stratified batches pass ``n_decode``, the count of positives at the start
        of every batch: a static slice instead of a boolean mask.
        """
        return super().train_step_single(batch, **self._decode_slice(fit_params))

    def _decode_slice(self, fit_params):
        # A sampler that cuts its own batches may tell the module how (step_params).
        step_params = getattr(getattr(self, "train_sampler_", None), "step_params", None)
        return fit_params if step_params is None else {**fit_params, **step_params()}

    def training_state(self):
        """Return the method's own state beside the weights, which training updates.

        The state of the net's :class:`~._strategy.TrainingStrategy` (group DRO's group
        weights, LfF's loss averages): rollback after a failed call, checkpoints and
        :func:`~debias_estimators.persistence.save_model` keep it.

        Returns
        -------
        state : dict of str to torch.Tensor
            Empty for a method without such state.
        """
        return self._strategy().state()

    def load_training_state(self, state):
        """Set the state :meth:`training_state` returned.

        Parameters
        ----------
        state : dict of str to torch.Tensor
            As :meth:`training_state` returned it.
        """
        self._strategy().load_state(state, self.device)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        """Return the method's loss of the batch (weighted risk by default)."""
        meta = to_tensor(y_true, device=self.device)
        return self._strategy().loss(self, y_pred, meta, X, training)

    def _strategy(self):
        # A net built without one trains by weighted risk, which keeps no state to share.
        return _WEIGHTED_RISK if self.strategy is None else self.strategy


_WEIGHTED_RISK = TrainingStrategy(module=None, criterion=None)
