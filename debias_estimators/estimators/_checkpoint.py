"""Checkpoints of a long fit, saved every ``checkpoint_every`` epochs and resumed by ``fit``.

A checkpoint is one file, ``checkpoint.pt`` in the estimator's ``checkpoint`` directory,
written to a temporary file beside it and renamed over the old one, so that a crash while
saving leaves the previous checkpoint whole. It holds what the next epochs depend on: the
weights, the optimizers' and criteria's states, the method's own training state (the net's
``training_state``, and any callback's), the history, and the states of the random
generators (torch's global one, which draws the DB-VAE's latent noise and the loader's
seeds, and the training sampler's own). A fit that resumes sets all of them back at the
start of its first epoch, so it goes on exactly as the run it continues would have, on
the same machine and torch thread count.

A checkpoint names its run: a hash of the estimator's class, its parameters (apart from
those that do not change what is trained: ``max_epochs``, ``callbacks``, ``verbose`` and the
checkpoint's own) and the training data. ``fit`` resumes from a checkpoint of its own run
and refuses the directory if it holds another run's. A finished fit removes its checkpoint:
a checkpoint on disk is always an unfinished run's. It is read with ``torch.load`` in its
``weights_only`` mode (no code runs) and only from a plain file inside its directory.
"""

import json
import os

import torch
from skorch.callbacks import Checkpoint
from skorch.history import History

from ._checkpoint_files import FILENAME, FORMAT, read_checkpoint, run_key, write_atomically

__all__ = [
    "CheckpointRun",
    "EpochCheckpoint",
    "check_checkpoint",
    "identification_checkpoint",
    "refuse_continuation",
]


def check_checkpoint(estimator):
    """Check the ``checkpoint`` parameter beyond its declared constraint, before training.

    Parameters
    ----------
    estimator : BaseNetClassifier
        The estimator about to fit.

    Raises
    ------
    ValueError
        If ``checkpoint`` is an empty path or names something other than a directory.
    """
    directory = getattr(estimator, "checkpoint", None)
    if directory is None:
        return
    directory = os.fspath(directory)
    if not directory:
        raise ValueError("checkpoint must name a directory, got an empty path.")
    if os.path.exists(directory) and not os.path.isdir(directory):
        raise ValueError(f"checkpoint must name a directory; {directory!r} is a file.")


def identification_checkpoint(checkpoint):
    """Return where a two-stage method's first network keeps its checkpoints.

    Parameters
    ----------
    checkpoint : str, path-like or None
        The estimator's ``checkpoint``.

    Returns
    -------
    directory : str or None
        Its ``identification`` folder, or None.
    """
    return None if checkpoint is None else os.path.join(os.fspath(checkpoint), "identification")


def refuse_continuation(estimator, call):
    """Refuse a checkpoint on a call that continues a fitted estimator.

    Parameters
    ----------
    estimator : BaseNetClassifier
        The estimator.
    call : str
        The call, named in the message.

    Raises
    ------
    ValueError
        If ``checkpoint`` is set.
    """
    if getattr(estimator, "checkpoint", None) is not None:
        raise ValueError(
            f"checkpoint saves and resumes a fit from scratch; {call} continues from the "
            f"current weights and is not checkpointed: set checkpoint=None for it, or save "
            f"the estimator with debias_estimators.save_model."
        )


def _parts(net, kind):
    return {name: getattr(net, name + "_") for name in getattr(net, kind)}


def _stateful_callbacks(net, skip):
    return {
        name: callback
        for name, callback in net.callbacks_
        if callback is not skip and callable(getattr(callback, "training_state", None))
    }


def _sampler_generator(net):
    return getattr(getattr(net, "train_sampler_", None), "generator", None)


class EpochCheckpoint(Checkpoint):
    """skorch's ``Checkpoint``, every ``every`` epochs, in one file written atomically.

    skorch's own ``save_model`` writes the parameters, the optimizer and the history to
    separate files, one after the other, and no random generator's state; this one writes
    everything a resumed fit needs (see the module) to ``dirname/checkpoint.pt`` at once, and
    sets the random generators back at the first epoch of a resumed fit.

    Parameters
    ----------
    dirname : str
        The checkpoint directory, created if needed.
    every : int, default=1
        Epochs between two checkpoints, counted from the run's first epoch.
    key : str, default=""
        The run's hash (see :func:`run_key`).
    seed : int, default=0
        The run's seed, saved so that a resumed fit uses it again.
    """

    def __init__(self, dirname, every=1, key="", seed=0):
        super().__init__(
            monitor=None,
            f_params=None,
            f_optimizer=None,
            f_criterion=None,
            f_history=None,
            dirname=dirname,
            event_name=None,
        )
        self.every = every
        self.key = key
        self.seed = seed
        self._pending = None

    @property
    def path(self):
        """The checkpoint file."""
        return os.path.join(self.dirname, FILENAME)

    def on_epoch_end(self, net, **kwargs):
        """Save a checkpoint if the run's epoch count is a multiple of ``every``."""
        if len(net.history) % self.every == 0:
            self.save_model(net)

    def save_model(self, net):
        """Write the checkpoint of ``net`` atomically (see the module)."""
        generator = _sampler_generator(net)
        cuda = str(net.device).startswith("cuda")
        state = {
            "format": FORMAT,
            "key": self.key,
            "seed": int(self.seed),
            "epoch": len(net.history),
            "modules": {k: m.state_dict() for k, m in _parts(net, "_modules").items()},
            "criteria": {k: m.state_dict() for k, m in _parts(net, "_criteria").items()},
            "optimizers": {k: o.state_dict() for k, o in _parts(net, "_optimizers").items()},
            "training_state": net.training_state(),
            "callbacks": {
                name: callback.training_state()
                for name, callback in _stateful_callbacks(net, self).items()
            },
            "history": json.dumps(net.history.to_list()),
            "rng": {
                "torch": torch.get_rng_state(),
                "cuda": torch.cuda.get_rng_state(torch.device(net.device)) if cuda else None,
                "sampler": None if generator is None else generator.get_state(),
            },
        }
        write_atomically(self.path, state)

    def restore(self, net, saved):
        """Set an initialised ``net`` to the checkpoint ``saved``; the generators follow.

        Parameters
        ----------
        net : TrainingNet
            The net, initialised, not trained.
        saved : dict
            As :func:`read_checkpoint` returned it.
        """
        for kind in ("_modules", "_criteria", "_optimizers"):
            for name, part in _parts(net, kind).items():
                part.load_state_dict(saved[kind.lstrip("_")][name])
        net.history_ = History(json.loads(saved["history"]))
        net.load_training_state(saved["training_state"])
        for name, callback in _stateful_callbacks(net, self).items():
            callback.load_training_state(saved["callbacks"].get(name, {}))
        self._pending = saved["rng"]

    def on_epoch_begin(self, net, **kwargs):
        """At the first epoch of a resumed fit, set the random generators as saved."""
        rng, self._pending = self._pending, None
        if rng is None:
            return
        torch.set_rng_state(rng["torch"])
        if rng["cuda"] is not None:
            torch.cuda.set_rng_state(rng["cuda"], torch.device(net.device))
        generator = _sampler_generator(net)
        if generator is not None and rng["sampler"] is not None:
            generator.set_state(rng["sampler"])


class CheckpointRun:
    """The checkpointing of one ``fit``: the callback, and the checkpoint it resumes from.

    Parameters
    ----------
    directory : str
        The checkpoint directory.
    every : int
        Epochs between two checkpoints.
    key : str
        The run's hash.
    seed : int
        The run's seed: the saved one when resuming.
    saved : dict or None
        The checkpoint resumed from, if any.
    """

    def __init__(self, directory, every, key, seed, saved=None):
        self.callback = EpochCheckpoint(directory, every=every, key=key, seed=seed)
        self.seed = seed
        self.saved = saved

    @classmethod
    def open(cls, estimator, dataset, seed):
        """Return the run of ``estimator.fit`` on ``dataset``, or None without ``checkpoint``.

        Parameters
        ----------
        estimator : BaseNetClassifier
            The estimator about to fit.
        dataset : ArrayDataset
            Its training data.
        seed : int
            The seed of a fresh run.

        Returns
        -------
        run : CheckpointRun or None
            The run, resuming from the directory's checkpoint if it is this run's.

        Raises
        ------
        ValueError
            If the directory holds another run's checkpoint, or one of more epochs than
            ``max_epochs``.
        """
        if estimator.checkpoint is None:
            return None
        directory = os.fspath(estimator.checkpoint)
        key = run_key(estimator, dataset)
        saved = read_checkpoint(directory)
        if saved is not None:
            path = os.path.join(directory, FILENAME)
            if saved["key"] != key:
                raise ValueError(
                    f"{path} is the checkpoint of another run (other parameters or other "
                    f"data); it is left as it is. Choose another checkpoint directory, or "
                    f"remove it to start afresh."
                )
            if saved["epoch"] > estimator.max_epochs:
                raise ValueError(
                    f"{path} holds {saved['epoch']} epochs of this run, more than "
                    f"max_epochs={estimator.max_epochs}."
                )
            seed = int(saved["seed"])
        return cls(directory, estimator.checkpoint_every, key, seed, saved)

    def start(self, net):
        """Initialise ``net``; if resuming, set it to the checkpoint.

        Parameters
        ----------
        net : TrainingNet
            The new net, with :attr:`callback` among its callbacks.

        Returns
        -------
        epochs : int or None
            The epochs left to train when resuming; None for a fresh run (all of them).
        """
        if self.saved is None:
            return None
        net.initialize()
        self.callback.restore(net, self.saved)
        return net.max_epochs - len(net.history)

    def finish(self):
        """Remove the checkpoint of the finished run: a checkpoint is an unfinished run's."""
        path = self.callback.path
        if os.path.isfile(path) and not os.path.islink(path):
            os.remove(path)
