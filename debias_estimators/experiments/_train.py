"""Train one method on a training source and save it in the safe model format."""

import time

from .._devices import check_device
from .._files import check_new_file
from .._flags import check_flag
from ..estimators import get_method
from ..persistence import save_model
from ._checks import check_kinds, check_seed
from ._docs import shared_docs
from ._models import check_method_params, make_model
from ._settings import DEMO, DemoSettings
from ._sources import TrainingSource

__all__ = ["train_and_save"]


@shared_docs
def train_and_save(
    method,
    path,
    *,
    source=None,
    settings=DEMO,
    params=None,
    random_state=0,
    device="cpu",
    progress=True,
    overwrite=False,
    log=print,
):
    """Train one of the registry's methods and save it in the safe model format.

    The file is written by :func:`~debias_estimators.persistence.save_model`.

    Everything that can be checked is checked before the data is read: the method (a method that
    needs the training groups is fitted with them, which a training source does not hold), the
    device, the estimator's parameters and the file (it must not exist unless ``overwrite``,
    and its folder must be writable).

    Parameters
    ----------
    method : str
        Key of a method of the registry (``"dbvae"``).
    path : str or os.PathLike
        Where the model is saved.
    source : TrainingSource, optional
        The training images; the skewed synthetic draw of ``TrainingSource()`` by default. Its
        ``random_state`` seeds the draw; the command line gives both the same seed.
    settings : DemoSettings, default=DEMO
        The budget and the shared hyperparameters, as the demo's, and ``image_size``, the side of
        the RGB images the model trains on (the images are resized to it). Its ``n_train`` and
        ``n_test_per_group`` size the demo's draws and are not used here: the source's
        ``n_train`` sizes a synthetic training set.
    params : dict, optional
        Further parameters of the estimator, over the settings.
    random_state : int, default=0
        Seed of the model's initialisation.
    %(device)s
    %(progress)s
    overwrite : bool, default=False
        Replace an existing file at ``path``.
    %(log)s

    Returns
    -------
    model : estimator
        The fitted estimator, as saved.
    """
    start = time.perf_counter()
    check_kinds(
        source=(source, (TrainingSource, type(None))),
        settings=(settings, DemoSettings),
        log=(log, callable),
    )
    check_seed(random_state)
    progress = check_flag("progress", progress)
    overwrite = check_flag("overwrite", overwrite)
    params = check_method_params(method, params)
    if get_method(method).needs_groups:
        raise ValueError(
            f"{method!r} needs the training groups, which a training source does not hold; "
            "fit it with sensitive_features and save it with save_model."
        )
    check_device(device)
    model = make_model(
        method, settings, seed=random_state, device=device, progress=progress, params=params
    )
    model._validate_params()  # before the data is read
    path = check_new_file(path, overwrite=overwrite)
    shape = (settings.image_size, settings.image_size, 3)
    data = (TrainingSource() if source is None else source).load(shape)
    n_faces = int(data.faces.sum())
    log(f"Training set: {data.source}; {n_faces} of its {len(data.target)} images are faces.")
    name = get_method(method).name
    log(f"Training the {name} ({model.max_epochs} epoch(s)):")
    model.fit(data.images, data.target)
    save_model(model, path, overwrite=overwrite)  # atomic: a previous file survives a failure
    log(f"Saved the {name} to {path} ({time.perf_counter() - start:.0f} s).")
    return model
