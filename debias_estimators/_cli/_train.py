"""``debias-estimators train``: fit one model on the chosen data and save it (``save_model``)."""

import time

from ..estimators import get_method
from ..persistence import save_model
from ._data import load_training_data
from ._models import MODEL_NAMES, check_device, check_new_file, make_model
from ._options import check_params, estimator_params
from ._settings import DEMO, override

__all__ = ["run_train"]


def run_train(args, echo):
    """Train one of the methods and save it to ``args.output``.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed options.
    echo : callable
        Prints one message.
    """
    start = time.perf_counter()
    check_device(args.device)
    path = check_new_file(args.output, force=args.force)
    settings = override(DEMO, epochs=args.epochs)
    params = estimator_params(args, [get_method(args.model)])[args.model]
    model = make_model(
        args.model,
        settings,
        seed=args.seed,
        device=args.device,
        progress=not args.no_progress,
        params=params,
    )
    check_params(model, params)  # before the data is read
    data = load_training_data(args, (args.image_size, args.image_size, 3))
    n_faces = int(data.faces.sum())
    echo(f"Training set: {data.source}; {n_faces} of its {len(data.target)} images are faces.")
    name = MODEL_NAMES[args.model]
    echo(f"Training the {name} ({settings.epochs} epoch(s)):")
    model.fit(data.images, data.target)
    save_model(model, path, overwrite=args.force)  # atomic: a previous file survives a failure
    echo(f"Saved the {name} to {path} ({time.perf_counter() - start:.0f} s).")
