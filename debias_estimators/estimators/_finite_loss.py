"""A skorch callback that stops training as soon as the loss is no longer a finite number."""

import math

from skorch.callbacks import Callback

__all__ = ["FiniteLoss"]


class FiniteLoss(Callback):
    """Raise :class:`FloatingPointError` when a training batch's loss is NaN or infinite.

    Training on would only spread the NaN through the weights, after which the network predicts
    one class for everything. The estimators add this callback to every net; their ``fit``
    then leaves them as they were before the call.
    """

    def on_batch_end(self, net, batch=None, training=None, **kwargs):
        """Check the loss of the batch just trained on."""
        loss = kwargs.get("loss")
        if not training or loss is None:
            return
        value = float(loss.detach()) if hasattr(loss, "detach") else float(loss)
        if not math.isfinite(value):
            epoch = len(net.history)
            batch_index = len(net.history[-1]["batches"]) if len(net.history) else 0
            raise FloatingPointError(
                f"The training loss became {value} at epoch {epoch}, batch {batch_index}: "
                f"training stopped. Try a smaller lr (now {net.lr:g}), check the data for "
                f"extreme values, or lower the loss weights."
            )
