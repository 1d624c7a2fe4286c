"""A progress bar over the training epochs, advancing batch by batch.

skorch's own ``ProgressBar`` shows one bar per epoch; for a run of a few long epochs one bar
for the whole run, with the latest loss and effective sample size beside it, says more. Where
the output is not a terminal (a log file, a pipe, CI), a bar would write a new line at every
update; there one plain line per epoch is written instead. Where several processes train
together, :class:`MainProcessSink` prints the epoch table from the main one.
"""

import math
import sys

from skorch.callbacks import Callback
from tqdm.auto import tqdm

__all__ = ["EpochProgress", "MainProcessSink"]

POSTFIX_KEYS = ("train_loss", "valid_loss", "sample_ess")


class EpochProgress(Callback):
    """Show one tqdm bar for a whole training run, with the latest scores as postfix.

    The bar counts training batches over all epochs, so it moves during long epochs; its
    description names the current epoch and its postfix shows the last epoch's
    ``train_loss`` (and ``valid_loss`` and ``sample_ess``, where recorded).

    Parameters
    ----------
    desc : str, default="training"
        Label in front of the bar.
    total_epochs : int, optional
        Epochs the bar spans; ``net.max_epochs`` by default (``partial_fit`` trains fewer).
    disable : bool or None, default=False
        Hide the bar; ``None`` hides it when the output is not a terminal.
    leave : bool, default=True
        Keep the finished bar on screen.
    file : file-like, optional
        Where the bar is written; ``sys.stderr`` by default.
    lines : bool or None, default=None
        Write one plain line per epoch (``"desc: epoch 2/5, train_loss=0.4213, 3.1 s"``)
        instead of a bar; ``None`` does so when ``file`` is not a terminal.

    Examples
    --------
    >>> from debias_estimators import DebiasedVAEClassifier
    >>> from debias_estimators.estimators import EpochProgress
    >>> clf = DebiasedVAEClassifier(callbacks=[EpochProgress(desc="DB-VAE")])
    """

    def __init__(
        self, desc="training", total_epochs=None, disable=False, leave=True, file=None, lines=None
    ):
        self.desc = desc
        self.total_epochs = total_epochs
        self.disable = disable
        self.leave = leave
        self.file = file
        self.lines = lines

    def initialize(self):
        """Reset the bar; skorch calls this when the net is (re)initialised."""
        self.bar_ = None
        return self

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        """Open the bar, sized from the training set and the batch size.

        Parameters
        ----------
        net : skorch.NeuralNet
            The net being trained.
        X, y : array-like, default=None
            The training data, unused.
        **kwargs : dict
            Further arguments skorch passes to callbacks, unused.
        """
        self.epochs_ = int(self.total_epochs or net.max_epochs)
        self.epochs_done_ = 0
        # A first guess (a validation split makes it high); the first epoch corrects it.
        self.batches_per_epoch_ = _batches_per_epoch(net, X)
        stream = self.file if self.file is not None else sys.stderr
        tty = _is_terminal(stream)
        self.lines_ = self.disable is False and (not tty if self.lines is None else self.lines)
        if self.lines_:
            self.bar_ = None
            return
        self.bar_ = tqdm(
            total=self.epochs_ * self.batches_per_epoch_,
            desc=self._description(),
            unit="batch",
            disable=self.disable,
            leave=self.leave,
            file=self.file,
            dynamic_ncols=True,
        )

    def on_batch_end(self, net, batch=None, training=None, **kwargs):
        """Advance by one training batch.

        Parameters
        ----------
        net : skorch.NeuralNet
            The net being trained.
        batch : tuple, default=None
            The batch, unused.
        training : bool, default=None
            Whether the batch was a training batch; only those advance the bar.
        **kwargs : dict
            Further arguments skorch passes to callbacks, unused.
        """
        if training and self.bar_ is not None:
            self.bar_.update(1)

    def on_epoch_end(self, net, **kwargs):
        """Snap the bar to the epoch's end and show the epoch's scores.

        Parameters
        ----------
        net : skorch.NeuralNet
            The net being trained.
        **kwargs : dict
            Further arguments skorch passes to callbacks, unused.
        """
        if getattr(self, "lines_", False):
            self.epochs_done_ += 1
            self._write_line(net.history[-1])
            return
        if self.bar_ is None:
            return
        self.epochs_done_ += 1
        row = net.history[-1]
        if self.epochs_done_ == 1 and row.get("train_batch_count"):
            self.batches_per_epoch_ = int(row["train_batch_count"])
            self.bar_.total = max(self.epochs_, 1) * self.batches_per_epoch_
        self.bar_.n = min(self.epochs_done_ * self.batches_per_epoch_, self.bar_.total)
        self.bar_.set_description(self._description(), refresh=False)
        self.bar_.set_postfix({k: row[k] for k in POSTFIX_KEYS if row.get(k) is not None})

    def on_train_end(self, net, X=None, y=None, **kwargs):
        """Close the bar and drop it, so the fitted estimator pickles.

        Parameters
        ----------
        net : skorch.NeuralNet
            The net being trained.
        X, y : array-like, default=None
            The training data, unused.
        **kwargs : dict
            Further arguments skorch passes to callbacks, unused.
        """
        if self.bar_ is not None:
            self.bar_.close()
        self.bar_ = None

    def _write_line(self, row):
        scores = [f"{k}={row[k]:.4f}" for k in POSTFIX_KEYS if row.get(k) is not None]
        if row.get("dur") is not None:
            scores.append(f"{row['dur']:.1f} s")
        stream = self.file if self.file is not None else sys.stderr
        line = f"{self.desc}: epoch {self.epochs_done_}/{self.epochs_}"
        print(", ".join([line, *scores]), file=stream, flush=True)

    def _description(self):
        epoch = min(self.epochs_done_ + 1, self.epochs_)
        return f"{self.desc}: epoch {epoch}/{self.epochs_}"

    def __getstate__(self):
        # A bar interrupted mid-training holds a lock and a stream; neither pickles.
        state = self.__dict__.copy()
        state["bar_"] = None
        return state


def _is_terminal(stream):
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


def _batches_per_epoch(net, dataset):
    batch_size = net.get_params_for("iterator_train").get("batch_size", net.batch_size)
    n = len(dataset) if dataset is not None and hasattr(dataset, "__len__") else 0
    if batch_size is None or batch_size < 1 or n == 0:
        return 1
    return max(1, math.ceil(n / batch_size))


class MainProcessSink:
    """A print sink that prints on the main process only; picklable with the net.

    Parameters
    ----------
    sink : callable
        Prints one message.
    """

    def __init__(self, sink):
        self.sink = sink

    def __call__(self, *args, **kwargs):
        """Print through ``sink`` on the main process."""
        from accelerate import PartialState

        if PartialState().is_main_process:
            self.sink(*args, **kwargs)
