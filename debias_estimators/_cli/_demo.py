"""``debias-estimators demo``: the biased CNN and the DB-VAE on the synthetic benchmark."""

import dataclasses
import time

import torch

from ..audit import attribute_enrichment, resampling_weights
from ..comparison import compare_methods
from ..datasets import group_labels
from ..estimators import get_method
from ..reporting import Report
from ._data import calibration_nonfaces, load_test_data, synthetic_training
from ._models import MODEL_NAMES, check_device, make_model
from ._options import check_params, estimator_params
from ._sections import (
    add_comparison,
    add_enrichment,
    add_evaluation,
    add_model_card,
    add_model_figures,
)
from ._settings import DEMO, QUICK, override
from ._tables import (
    comparison_sentences,
    evaluate,
    format_comparison,
    print_enrichment,
    print_evaluation,
)

__all__ = ["run_demo"]

TOP_FRACTION = 0.1


def run_demo(args, echo):
    """Train the models on the skewed draw, compare them per group, write the report.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed options.
    echo : callable
        Prints one message.
    """
    start = time.perf_counter()
    if args.threads:
        torch.set_num_threads(args.threads)
    params = estimator_params(args, [get_method(kind) for kind in args.models])
    settings = _settings(args, params)
    unfitted = {
        kind: make_model(
            kind,
            settings,
            seed=args.seed,
            device=args.device,
            progress=not args.no_progress,
            params=params[kind],
        )
        for kind in args.models
    }
    for kind, model in unfitted.items():  # a bad value stops the demo before any data is drawn
        check_params(model, params[kind])
    check_device(args.device)
    report = Report(args.out, "DB-VAE vs standard CNN on biased faces", force=args.force)
    train, test, calibration = _data(settings, args.seed, echo)
    comparison = None
    if args.seeds > 1:
        models, comparison = _compare(args, unfitted, train, test, calibration, echo)
    else:
        models = {
            MODEL_NAMES[kind]: _fit(kind, model, settings, train, echo)
            for kind, model in unfitted.items()
        }
    evaluation = evaluate(models, test, calibration=calibration, fpr=args.fpr)
    print_evaluation(evaluation, echo)
    faces = train.faces
    _add_settings(report, settings, params, args, train)
    add_evaluation(report, evaluation, test)
    latent = [kind for kind in args.models if get_method(kind).has_latent_space]
    if latent:  # what the first model with a latent space upweights
        weights = resampling_weights(models[MODEL_NAMES[latent[0]]], train.images[faces])
        enrichment = attribute_enrichment(train.attributes[faces], weights, TOP_FRACTION)
        print_enrichment(enrichment, TOP_FRACTION, echo)
        add_enrichment(report, enrichment, TOP_FRACTION)
    add_model_figures(report, models, train.images[faces], train.groups[faces])
    add_model_card(report, evaluation, training_data=f"{train.source}.")
    if comparison is not None:
        echo(f"\nOver {args.seeds} initialisations on the same data, matched {args.fpr:.0%} FPR:")
        echo(format_comparison(comparison))
        for line in comparison_sentences(comparison):
            echo(f"  {line}")
        add_comparison(report, comparison, args.fpr)
    report.add_text(f"Wall time: {time.perf_counter() - start:.0f} s.")
    report.write()
    echo(f"\nReport: {report.folder / 'report.md'} ({len(report.files)} files)")
    echo(f"Total wall time: {time.perf_counter() - start:.0f} s")


def _compare(args, unfitted, train, test, calibration, echo):
    """Train ``--seeds`` initialisations of each model; keep the first's models for the report."""
    estimators = {MODEL_NAMES[kind]: model for kind, model in unfitted.items()}
    baseline = MODEL_NAMES[args.models[0]]
    first = {}

    def keep_first(name, seed, model, evaluation):
        echo(f"  trained {name} (seed {seed})")
        if seed == args.seed:
            first[name] = model

    comparison = compare_methods(
        estimators,
        train.images,
        train.target,
        test.images,
        test.faces,
        test.attributes.reset_index(drop=True),
        calibration,
        baseline=baseline,
        n_init=args.seeds,
        fpr=args.fpr,
        fit_params={
            MODEL_NAMES[kind]: {"sensitive_features": group_labels(train.attributes)}
            for kind in args.models
            if get_method(kind).needs_groups
        },
        random_state=args.seed,
        callback=keep_first,
    )
    return first, comparison


def _data(settings, seed, echo):
    shape = (settings.image_size, settings.image_size, 3)
    train = synthetic_training(settings.n_train, shape, seed)
    test = load_test_data(shape, seed=seed, n_per_group=settings.n_test_per_group)
    calibration = calibration_nonfaces(shape, seed=seed, n=4 * settings.n_test_per_group)
    darker = (train.attributes["skin_type"][train.faces] == "darker").mean()
    echo(f"Training set: {train.source}; {darker:.0%} of its faces are darker-skinned.")
    echo(f"Test set: {test.source}; {len(calibration)} held-out non-faces set the matched FPR.")
    return train, test, calibration


def _fit(kind, model, settings, train, echo):
    echo(f"\nTraining the {MODEL_NAMES[kind]} ({_epochs(settings.epochs)}):")
    if get_method(kind).needs_groups:  # the methods given the groups
        return model.fit(
            train.images, train.target, sensitive_features=group_labels(train.attributes)
        )
    return model.fit(train.images, train.target)


def _epochs(n):
    return f"{n} epoch" if n == 1 else f"{n} epochs"


def _settings(args, params):
    """Return the run's settings: the demo's, with the options given over them.

    A method parameter the demo has a setting of (``--lr``, ``--latent-dim``...) replaces that
    setting too, so that the report's settings are those the models trained with.
    """
    base = QUICK if args.quick else DEMO
    settings = override(
        base,
        n_train=args.n_train,
        n_test_per_group=args.n_test_per_group,
        image_size=args.image_size,
        epochs=args.epochs,
    )
    fields = {field.name for field in dataclasses.fields(settings)}
    given = {name: value for own in params.values() for name, value in own.items()}
    return dataclasses.replace(settings, **{k: v for k, v in given.items() if k in fields})


def _add_settings(report, settings, params, args, train):
    report.add_text(
        "The models see the same skewed training draw with the same budget; the DB-VAE "
        "resamples rare faces by their density in its latent space, without group labels."
    )
    report.add_heading("Settings")
    rows = {
        **dataclasses.asdict(settings),
        "seed": args.seed,
        "initialisations": args.seeds,
        "matched FPR": args.fpr,
        "device": args.device,
        "torch": torch.__version__,
        "torch threads": torch.get_num_threads(),
        # the methods' own parameters given on the command line
        **{
            f"{MODEL_NAMES[kind]} parameters": ", ".join(
                f"{k}={v}" for k, v in sorted(given.items())
            )
            for kind, given in params.items()
            if given
        },
    }
    report.add_text("\n".join(f"- `{key}`: {value}" for key, value in rows.items()))
    report.add_text(
        f"Training set: {train.source}. Seeded results are exact only at the same torch "
        "version and thread count."
    )
