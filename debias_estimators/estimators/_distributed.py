"""Data-parallel training through Hugging Face Accelerate (torch DDP), with exact resampling.

skorch's :class:`~skorch.hf.AccelerateMixin` prepares the module, the optimizer and the data
loaders with an :class:`accelerate.Accelerator`; a script started with ``accelerate launch``
(or ``torchrun``) then trains on one process per GPU, or per CPU group with the gloo backend.

The latent resampling stays exact across the processes (ranks):

* every rank encodes its share of the training positives, and the latent means are gathered,
  so every rank fits the :class:`~debias_estimators.LatentDensityResampler` on the same means;
  the main process's sampling weights are then broadcast, so the ranks hold identical weights;
* every rank keeps the same seeded :class:`~torch.utils.data.WeightedRandomSampler` over the
  whole training set, and Accelerate shards its batches (rank ``r`` trains on batches ``r``,
  ``r + W``, ... of one weighted draw, ``W`` ranks), so the ranks together draw exactly one
  weighted sample per epoch, as a single process would.

An epoch therefore has the same weighted distribution as in single-process training, with a
global batch of ``W * batch_size``.
"""

import numpy as np
import torch
from sklearn.utils._param_validation import HasMethods
from skorch.hf import AccelerateMixin

from ._dbvae import DebiasedVAEClassifier
from ._net import TrainingNet
from ._params import store_init_params
from ._progress import MainProcessSink
from ._resampling import LatentResampling, encode_means

__all__ = [
    "AcceleratedDebiasedVAEClassifier",
    "AcceleratedTrainingNet",
    "DistributedLatentResampling",
]


class AcceleratedTrainingNet(AccelerateMixin, TrainingNet):
    """A :class:`TrainingNet` whose module, optimizer and loaders Accelerate prepares.

    Parameters
    ----------
    *args, **kwargs
        As for :class:`TrainingNet`, plus ``accelerator`` (an :class:`accelerate.Accelerator`)
        and ``unwrap_after_train`` of :class:`skorch.hf.AccelerateMixin`. ``device`` must stay
        ``None``: the accelerator places the module and the batches.
    """

    def _initialize_accelerator(self):
        # DDP refuses to wrap a module without trainable parameters, such as the losses: leave
        # those out of the preparation and only move them to the accelerator's device.
        plain = {}
        for name in self._criteria:
            criterion = getattr(self, name + "_")
            if isinstance(criterion, torch.nn.Module) and not any(
                p.requires_grad for p in criterion.parameters()
            ):
                plain[name] = criterion
                setattr(self, name + "_", None)
        try:
            super()._initialize_accelerator()
        finally:
            for name, criterion in plain.items():
                if self.accelerator.device_placement:
                    criterion = criterion.to(self.accelerator.device)
                setattr(self, name + "_", criterion)
        return self

    def train_step_single(self, batch, **fit_params):
        """Run Accelerate's training step; stratified batches decode their positives only.

        Accelerate's step replaces :class:`TrainingNet`'s, so the static slice (``n_decode``)
        of stratified batches is added here too.
        """
        return super().train_step_single(batch, **self._decode_slice(fit_params))

    def get_iterator(self, dataset, training=False):
        """Return the loader, sharded over the processes by Accelerate when there are several."""
        if self.accelerator.num_processes > 1:
            return super().get_iterator(dataset, training=training)
        # One process: nothing to shard, only the batches to place. (Accelerate 1.15 fails to
        # prepare a one-process loader whose sampler yields whole batches.)
        loader = TrainingNet.get_iterator(self, dataset, training=training)
        if not self.accelerator.device_placement:
            return loader
        return _DeviceLoader(loader, self.accelerator.device)


class _DeviceLoader:
    """Iterate over ``loader`` with every batch moved to ``device``."""

    def __init__(self, loader, device):
        self.loader = loader
        self.device = device

    def __len__(self):
        return len(self.loader)

    def __iter__(self):
        from accelerate.utils import send_to_device

        for batch in self.loader:
            yield send_to_device(batch, self.device)


class DistributedLatentResampling(LatentResampling):
    """:class:`LatentResampling` whose encoding pass is shared by all the processes.

    At each epoch start, the module's buffers (BatchNorm statistics) are broadcast from the
    main process, every rank encodes a contiguous share of the training positives, the latent
    means are gathered in training-set order and the resampler is fitted on all of them. The
    main process's sampling weights are then broadcast, so every rank's sampler holds the same
    weights, bit for bit. With one process it computes what :class:`LatentResampling` does.

    Parameters
    ----------
    resampler : LatentDensityResampler
        Fitted anew at every epoch on the latent means of all the training positives.
    source : {"encode", "cached"}, default="encode"
        ``"cached"`` on one process only: the means cached by the training steps would be
        spread over the ranks.
    progress : bool, default=False
        Show a progress bar on the main process.
    warmup_epochs : int, default=0
        Epochs drawn uniformly before resampling starts.

    Attributes
    ----------
    sample_weight_ : ndarray of shape (n_train,)
        The sampling probabilities of the last epoch, in training-set order, equal on all ranks.
    n_encoded_ : int
        Positives encoded at the last epoch start, by all the ranks together.
    """

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        """Refuse ``source="cached"`` with several processes."""
        if self.source != "encode" and net.accelerator.num_processes > 1:
            raise ValueError(
                f'Distributed training needs resample_latents="encode"; got {self.source!r}.'
            )

    def on_epoch_begin(self, net, dataset_train=None, dataset_valid=None, **kwargs):
        """Encode the positives across the ranks, refit the resampler, share the weights."""
        super().on_epoch_begin(net, dataset_train=dataset_train, **kwargs)
        accelerator = net.accelerator
        if accelerator.num_processes == 1:
            return
        weights = _broadcast(torch.as_tensor(self.sample_weight_), accelerator)
        self.sampler_.weights.copy_(weights)
        self.sample_weight_ = weights.numpy()

    def _encoder(self, net):
        # While training, the net's own device is None: the accelerator places the module.
        return net.accelerator.unwrap_model(net.module_), net.accelerator.device

    def _positive_means(self, net, dataset, positives):
        if self.source != "encode":
            return super()._positive_means(net, dataset, positives)
        accelerator = net.accelerator
        module, device = self._encoder(net)
        _sync_buffers(module, accelerator)
        shares = np.array_split(positives, accelerator.num_processes)
        mine = shares[accelerator.process_index]
        if len(mine):
            progress = self.progress and accelerator.is_main_process
            mu = encode_means(module, dataset, mine, device=device, progress=progress)
        else:
            mu = np.zeros((0, module.latent_dim), np.float32)
        self.n_encoded_ = len(positives)
        return _gather_shares(mu, [len(share) for share in shares], accelerator)


def _gather_shares(mu, sizes, accelerator):
    """Concatenate every rank's latent means (rank ``r`` holds ``sizes[r]`` rows), in order."""
    if accelerator.num_processes == 1:
        return mu
    from accelerate.utils import gather

    # all_gather needs equal shapes: pad to the largest share and cut the padding off again.
    padded = np.zeros((max(sizes), mu.shape[1]), mu.dtype)
    padded[: len(mu)] = mu
    everything = gather(torch.from_numpy(padded).to(accelerator.device)).cpu().numpy()
    everything = everything.reshape(len(sizes), max(sizes), mu.shape[1])
    return np.concatenate([rows[:size] for rows, size in zip(everything, sizes, strict=True)])


def _broadcast(tensor, accelerator):
    """Return the main process's ``tensor`` on every rank, back on the CPU."""
    from accelerate.utils import broadcast

    return broadcast(tensor.to(accelerator.device), from_process=0).cpu()


def _sync_buffers(module, accelerator):
    """Copy the main process's buffers (BatchNorm running statistics) to every rank.

    DDP broadcasts them before each training forward pass, but every rank then updates its own
    copy with its own batch; before an encoding pass or at the end of training, the ranks agree
    again on the main process's.

    Parameters
    ----------
    module : torch.nn.Module
        The unwrapped module, on ``accelerator.device``.
    accelerator : accelerate.Accelerator
        The accelerator of the training.
    """
    if accelerator.num_processes == 1:
        return
    with torch.no_grad():
        for buffer in module.buffers():
            buffer.copy_(_broadcast(buffer, accelerator).to(buffer.device))


class AcceleratedDebiasedVAEClassifier(DebiasedVAEClassifier):
    """The DB-VAE classifier trained data-parallel on several GPUs or processes.

    The same estimator as :class:`DebiasedVAEClassifier`, trained through skorch's
    :class:`~skorch.hf.AccelerateMixin`. Start the script that fits it with ``accelerate
    launch`` (or ``torchrun``): every process runs the whole script, trains on its part of
    each epoch's weighted sample, and ends with the same fitted estimator. Run as a plain
    script, it trains on one process like :class:`DebiasedVAEClassifier`.

    Across the processes the latent resampling stays exact: the ranks share the encoding pass,
    fit the resampler on all the positives' means, hold identical sampling weights and together
    draw one weighted sample per epoch (see :class:`DistributedLatentResampling`). Each process
    trains on ``batch_size`` samples per step, so a step sees ``num_processes * batch_size``;
    scale ``lr`` accordingly if needed.

    Parameters
    ----------
    accelerator : accelerate.Accelerator, optional
        The accelerator; by default one is made at fit time with DDP's
        ``find_unused_parameters=True`` (a batch without faces leaves the decoder unused). Pass
        your own for mixed precision or gradient accumulation, with that same DDP setting.
    latent_dim, n_filters, hidden_units, kl_weight, recon_loss, alpha, bins, combine, \
ess_floor, warmup_epochs
        As for :class:`DebiasedVAEClassifier`.
    resample_latents : {"encode", "cached"}, default="encode"
        As for :class:`DebiasedVAEClassifier`; ``"cached"`` works on one process only.
    stratified_batches : bool, default=False
        As for :class:`DebiasedVAEClassifier`.
    weighting, crossfit_folds, difficulty_dims, difficulty_neighbors, difficulty_ess
        As for :class:`DebiasedVAEClassifier`; the cross-fitted copies train through
        Accelerate as well.
    lr, batch_size, max_epochs, warm_start, optimizer, pos_label
        As for :class:`DebiasedVAEClassifier`.
    random_state : None, int or numpy.random.RandomState, default=None
        Seeds initialisation, sampling and the latent noise. All the ranks use the main
        process's seed for the initial weights and the weighted draws, and that seed plus their
        rank for the latent noise.
    device : str, default="cpu"
        Where the fitted network is moved after training, for prediction and pickling. The
        training itself runs on the accelerator's device (the process's GPU, or the CPU).
    compile, callbacks, train_split, verbose, image_shape, data_format, net_params
        As for :class:`DebiasedVAEClassifier`.
    checkpoint : None
        Not supported over several processes: only None.
    checkpoint_every : int, default=1
        Unused.

    Attributes
    ----------
    accelerator_ : accelerate.Accelerator
        The accelerator used by the last fit.
    net_, classes_, pos_label_, input_shape_, n_features_in_, sample_weight_, resampler_, \
history_, crossfit_loss_
        As for :class:`DebiasedVAEClassifier`; the history holds the main process's losses of
        its own part of each epoch (every rank records its own).

    See Also
    --------
    DebiasedVAEClassifier : The same estimator on one process.

    Examples
    --------
    >>> import numpy as np
    >>> from debias_estimators import AcceleratedDebiasedVAEClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.integers(0, 256, size=(40, 16, 16, 3), dtype=np.uint8)
    >>> y = np.arange(40) % 2
    >>> clf = AcceleratedDebiasedVAEClassifier(
    ...     latent_dim=4, n_filters=2, max_epochs=1, random_state=0
    ... )
    >>> clf.fit(X, y).predict(X).shape
    (40,)
    """

    _resampling_class = DistributedLatentResampling

    _parameter_constraints: dict = {
        **DebiasedVAEClassifier._parameter_constraints,
        "accelerator": [HasMethods(["prepare", "backward"]), None],
        # Every rank would write the one file, each with its own generators: not supported.
        "checkpoint": [None],
    }

    def __init__(
        self,
        *,
        accelerator=None,
        latent_dim=100,
        n_filters=12,
        hidden_units=(64, 64),
        kl_weight=5e-4,
        recon_loss="l1",
        alpha=0.05,
        bins=10,
        combine="geometric",
        ess_floor=None,
        warmup_epochs=0,
        resample_latents="encode",
        stratified_batches=False,
        weighting="density",
        crossfit_folds=2,
        difficulty_dims=5,
        difficulty_neighbors=100,
        difficulty_ess=0.3,
        lr=5e-4,
        batch_size=32,
        max_epochs=10,
        warm_start=False,
        optimizer=torch.optim.Adam,
        pos_label=None,
        random_state=None,
        device="cpu",
        compile=False,
        callbacks=None,
        train_split=None,
        verbose=0,
        image_shape=None,
        data_format="auto",
        net_params=None,
        checkpoint=None,
        checkpoint_every=1,
    ):
        store_init_params(self, locals())

    def _get_accelerator(self):
        if self.accelerator is not None:
            return self.accelerator
        from accelerate import Accelerator
        from accelerate.utils import DistributedDataParallelKwargs

        return Accelerator(
            kwargs_handlers=[DistributedDataParallelKwargs(find_unused_parameters=True)]
        )

    def _shared_seed(self, seed):
        """Return the main process's ``seed`` on every rank."""
        from accelerate.utils import broadcast_object_list

        return int(broadcast_object_list([int(seed)], from_process=0)[0])

    def _build_net(self, seed):
        self.accelerator_ = self._get_accelerator()
        return super()._build_net(self._shared_seed(seed))

    def _make_net(self, module, **params):
        params["device"] = None  # the accelerator places the module and the batches
        # The epoch table goes from the main process alone: through a sink given in net_params
        # (the command line's), else accelerate's print. skorch prints through any sink other
        # than print itself even at verbose=0, so that stays print.
        sink = params.get("callbacks__print_log__sink")
        if sink is not None:
            params["callbacks__print_log__sink"] = MainProcessSink(sink)
        else:
            params["callbacks__print_log__sink"] = (
                self.accelerator_.print if self.verbose else print
            )
        return AcceleratedTrainingNet(module, accelerator=self.accelerator_, **params)

    def _train(self, dataset, seed, epochs, resume=None):
        accelerator = self.accelerator_
        net = self.net_
        net.device = None  # while training, the accelerator places the module and the batches
        if getattr(net, "initialized_", False) and not net._wrapped_with_accelerator:
            net._initialize_accelerator()  # partial_fit after a fit: prepare again
        seed = self._shared_seed(seed)
        devices = [accelerator.device] if accelerator.device.type == "cuda" else []
        try:
            with torch.random.fork_rng(devices=devices):
                # The weighted draws use the net's own generator (the shared seed); the global
                # generator, for the latent noise, differs between the ranks.
                super()._train(dataset, seed + accelerator.process_index, epochs, resume)
        finally:
            # skorch unwraps the module at the end of training; the estimator also needs the
            # plain optimizer (to pickle), even after an interrupt, and the main process's
            # BatchNorm statistics (so all ranks predict alike).
            for name in net._optimizers:
                optimizer = getattr(net, name + "_", None)
                setattr(net, name + "_", getattr(optimizer, "optimizer", optimizer))
            net.device = self.device
        _sync_buffers(net.module_, accelerator)
        net.module_.to(self.device)
