"""The demo: methods side by side on the skewed synthetic draw, scored per group, as a report."""

import dataclasses
import time

import torch

from .._devices import check_device
from .._flags import check_flag
from ..audit import attribute_enrichment, resampling_weights
from ..comparison import compare_methods
from ..datasets import group_labels
from ..estimators import get_method
from ..reporting import Report
from ._checks import check_count, check_fraction, check_kinds, check_seed
from ._data import draw_benchmark
from ._docs import shared_docs
from ._evaluate import evaluate
from ._models import check_method_params, make_model
from ._run import ExperimentRun
from ._sections import (
    add_comparison,
    add_enrichment,
    add_evaluation,
    add_model_card,
    add_model_figures,
)
from ._settings import DEMO, DemoSettings

__all__ = ["run_demo"]

TOP_FRACTION = 0.1


@shared_docs
def run_demo(
    models=("cnn", "dbvae"),
    *,
    settings=DEMO,
    params=None,
    random_state=0,
    n_init=1,
    fpr=0.05,
    device="cpu",
    progress=True,
    out="debias-report",
    force=False,
    log=print,
):
    """Train methods on the skewed draw, evaluate them per group and write the report.

    Parameters
    ----------
    models : sequence of str, default=("cnn", "dbvae")
        Keys of the registry's methods; the first is the comparison's baseline.
    settings : DemoSettings, default=DEMO
        Sizes of the draw and the budget and hyperparameters every method shares.
    params : dict of str to dict, optional
        Further parameters per method key, over the settings; a parameter the settings hold
        (``lr``, ``latent_dim``...) replaces that setting too, so the report shows what the
        models trained with.
    random_state : int, default=0
        Seed of the data and of the first initialisation.
    n_init : int, default=1
        Initialisations of each method on the same data; from 2 on, the methods are compared
        (:func:`~debias_estimators.comparison.compare_methods`), the baseline against itself
        as the null.
    %(fpr)s
    %(device)s
    %(progress)s
    out : str or os.PathLike, default="debias-report"
        The report folder.
    %(force)s
    %(log)s

    Returns
    -------
    run : ExperimentRun
        The evaluation, the enrichment of the first model with a latent space, the comparison
        (``n_init > 1``) and the report written.
    """
    start = time.perf_counter()
    check_kinds(
        models=(models, (list, tuple)), settings=(settings, DemoSettings), log=(log, callable)
    )
    params = _checked_params(models, params)
    check_seed(random_state)
    progress = check_flag("progress", progress)
    check_count("n_init", n_init)
    check_fraction("fpr", fpr)
    unfitted = {
        key: make_model(
            key, settings, seed=random_state, device=device, progress=progress, params=params[key]
        )
        for key in models
    }
    for model in unfitted.values():  # a bad value stops the demo before any data is drawn
        model._validate_params()
    check_device(device)
    # A failure removes what the report wrote: no half a report is left.
    with Report(out, "DB-VAE vs standard CNN on biased faces", force=force) as report:
        train, test, calibration = draw_benchmark(settings, random_state)
        darker = (train.attributes["skin_type"][train.faces] == "darker").mean()
        log(f"Training set: {train.source}; {darker:.0%} of its faces are darker-skinned.")
        log(f"Test set: {test.source}; {len(calibration)} held-out non-faces set the matched FPR.")
        comparison = None
        if n_init > 1:
            fitted, comparison = _compare(
                unfitted, train, test, calibration, n_init, fpr, random_state, log
            )
        else:
            fitted = {
                get_method(key).name: _fit(key, model, train, log)
                for key, model in unfitted.items()
            }
        evaluation = evaluate(fitted, test, calibration=calibration, fpr=fpr)
        faces = train.faces
        shown = _reported_settings(settings, params)
        _add_settings(report, shown, params, train, random_state, n_init, fpr, device)
        add_evaluation(report, evaluation, test)
        enrichment = None
        latent = [key for key in models if get_method(key).has_latent_space]
        if latent:  # what the first model with a latent space upweights
            weights = resampling_weights(fitted[get_method(latent[0]).name], train.images[faces])
            enrichment = attribute_enrichment(train.attributes[faces], weights, TOP_FRACTION)
            add_enrichment(report, enrichment, TOP_FRACTION)
        add_model_figures(report, fitted, train.images[faces], train.groups[faces])
        add_model_card(report, evaluation, training_data=f"{train.source}.")
        if comparison is not None:
            add_comparison(report, comparison, fpr)
        report.add_text(f"Wall time: {time.perf_counter() - start:.0f} s.")
        report.write()
    return ExperimentRun(
        report,
        time.perf_counter() - start,
        models=fitted,
        evaluation=evaluation,
        enrichment=enrichment,
        top_fraction=TOP_FRACTION,
        comparison=comparison,
        n_init=n_init,
        fpr=fpr,
    )


def _compare(unfitted, train, test, calibration, n_init, fpr, seed, log):
    """Train ``n_init`` initialisations of each model; keep the first's models for the report."""
    estimators = {get_method(key).name: model for key, model in unfitted.items()}
    first = {}

    def keep_first(name, init_seed, model, evaluation):
        log(f"  trained {name} (seed {init_seed})")
        if init_seed == seed:
            first[name] = model

    comparison = compare_methods(
        estimators,
        train.images,
        train.target,
        test.images,
        test.faces,
        test.attributes.reset_index(drop=True),
        calibration,
        baseline=next(iter(estimators)),
        n_init=n_init,
        fpr=fpr,
        fit_params={
            get_method(key).name: {"sensitive_features": group_labels(train.attributes)}
            for key in unfitted
            if get_method(key).needs_groups
        },
        random_state=seed,
        callback=keep_first,
    )
    return first, comparison


def _fit(key, model, train, log):
    epochs = f"{model.max_epochs} epoch" + ("" if model.max_epochs == 1 else "s")
    log(f"\nTraining the {get_method(key).name} ({epochs}):")
    if get_method(key).needs_groups:  # the methods given the groups
        return model.fit(
            train.images, train.target, sensitive_features=group_labels(train.attributes)
        )
    return model.fit(train.images, train.target)


def _checked_params(models, params):
    """Return each method's own parameters, after checking ``models`` and ``params``."""
    models = list(models)
    if not models or len(set(models)) != len(models):
        raise ValueError(f"models must name one or more distinct methods; got {models}.")
    for key in models:
        get_method(key)  # an unknown key is refused, with the keys there are
    if params is not None and not isinstance(params, dict):
        raise TypeError(
            f"params must be a dict of method key to dict; got {type(params).__name__}."
        )
    stray = sorted(set(params or {}) - set(models))
    if stray:
        raise ValueError(f"params names methods that are not trained: {stray} (models {models}).")
    return {key: check_method_params(key, (params or {}).get(key)) for key in models}


def _reported_settings(settings, params):
    """Return ``settings`` as the models trained with them, for the report.

    A setting that every method with that parameter was given the same value of (``lr`` for
    all, say) shows that value; one the methods were given different values of keeps the
    shared setting, and each method's own values are listed beside it.
    """
    accepted = {key: get_method(key).parameters() for key in params}
    shown = {}
    for field in dataclasses.fields(settings):
        owners = [key for key in params if field.name in accepted[key]]
        given = [params[key][field.name] for key in owners if field.name in params[key]]
        if owners and len(given) == len(owners) and all(v == given[0] for v in given):
            shown[field.name] = given[0]
    return dataclasses.replace(settings, **shown)


def _add_settings(report, settings, params, train, seed, n_init, fpr, device):
    report.add_text(
        "The models see the same skewed training draw with the same budget; the DB-VAE "
        "resamples rare faces by their density in its latent space, without group labels."
    )
    report.add_heading("Settings")
    rows = {
        **dataclasses.asdict(settings),
        "seed": seed,
        "initialisations": n_init,
        "matched FPR": fpr,
        "device": device,
        "torch": torch.__version__,
        "torch threads": torch.get_num_threads(),
        # the methods' own parameters given beside the settings
        **{
            f"{get_method(key).name} parameters": ", ".join(
                f"{k}={v}" for k, v in sorted(given.items())
            )
            for key, given in params.items()
            if given
        },
    }
    report.add_text("\n".join(f"- `{key}`: {value}" for key, value in rows.items()))
    report.add_text(
        f"Training set: {train.source}. Seeded results are exact only at the same torch "
        "version and thread count."
    )
