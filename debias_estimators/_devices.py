"""The one check of a torch device, shared by the estimators, persistence and the command line."""

import torch

__all__ = ["check_device"]


def check_device(device):
    """Refuse a torch device that is malformed or absent here, before any work is done.

    Parameters
    ----------
    device : str or torch.device
        E.g. ``"cpu"``, ``"cuda"``, ``"cuda:1"``.

    Returns
    -------
    device : str or torch.device
        The same value.

    Raises
    ------
    ValueError
        If torch does not know the device, or it is not available on this machine.
    """
    try:
        parsed = torch.device(device)
    except (RuntimeError, TypeError) as err:
        raise ValueError(f"Unknown torch device {device!r}: {err}") from err
    if parsed.type == "cuda":
        if not torch.cuda.is_available():
            raise ValueError(f"Device {device!r} asked for, but CUDA is not available here.")
        if parsed.index is not None and parsed.index >= torch.cuda.device_count():
            raise ValueError(
                f"Device {device!r} asked for, but this machine has "
                f"{torch.cuda.device_count()} CUDA device(s)."
            )
    elif parsed.type == "mps" and not torch.backends.mps.is_available():
        raise ValueError(f"Device {device!r} asked for, but MPS is not available here.")
    elif parsed.type not in ("cpu", "cuda", "mps"):
        raise ValueError(f"Device {device!r}: only cpu, cuda and mps devices are supported.")
    return device
