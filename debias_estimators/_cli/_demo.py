"""``debias-estimators demo``: the biased CNN and the DB-VAE on the synthetic benchmark."""

import argparse
import dataclasses
import time

from ..analysis import attribute_enrichment, resampling_weights, summarize_seeds
from ..reporting import Report
from ._data import load_test_data, synthetic_training
from ._evaluation import (
    evaluate,
    format_seed_table,
    print_enrichment,
    print_evaluation,
    seed_sentences,
)
from ._models import MODEL_NAMES, check_device, make_model
from ._sections import (
    add_enrichment,
    add_evaluation,
    add_model_card,
    add_model_figures,
)
from ._settings import DEMO, QUICK, override

__all__ = ["run_demo"]

TOP_FRACTION = 0.1


def run_demo(args, echo):
    """Train both models on the skewed draw, compare them per group, write the report.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed options.
    echo : callable
        Prints one message.
    """
    start = time.perf_counter()
    settings = _settings(args)
    check_device(args.device)
    report = Report(args.out, "DB-VAE vs standard CNN on biased faces", force=args.force)
    train, test = _data(settings, args.seed, echo)
    models = _fit_all(args.models, settings, args, train, echo)
    evaluation = evaluate(models, test)
    print_evaluation(evaluation, echo)
    faces = train.faces
    _add_settings(report, settings, args, train)
    add_evaluation(report, evaluation, test)
    if MODEL_NAMES["dbvae"] in models:
        weights = resampling_weights(models[MODEL_NAMES["dbvae"]], train.images[faces])
        enrichment = attribute_enrichment(train.attributes[faces], weights, TOP_FRACTION)
        print_enrichment(enrichment, TOP_FRACTION, echo)
        add_enrichment(report, enrichment, TOP_FRACTION)
    add_model_figures(report, models, train.images[faces], train.groups[faces])
    add_model_card(report, evaluation, training_data=f"{train.source}.")
    if args.seeds > 1:
        _more_seeds(args, settings, evaluation, report, echo)
    report.add_text(f"Wall time: {time.perf_counter() - start:.0f} s.")
    report.write()
    echo(f"\nReport: {report.folder / 'report.md'} ({len(report.files)} files)")
    echo(f"Total wall time: {time.perf_counter() - start:.0f} s")


def _more_seeds(args, settings, first, report, echo):
    """Train and evaluate both models on further seeds; print and add the spread over seeds."""
    summaries = {args.seed: first.summary}
    for seed in range(args.seed + 1, args.seed + args.seeds):
        echo(f"\nSeed {seed}:")
        train, test = _data(settings, seed, echo)
        seed_args = argparse.Namespace(**{**vars(args), "seed": seed})
        models = _fit_all(args.models, settings, seed_args, train, echo)
        summaries[seed] = evaluate(models, test).summary
    table = summarize_seeds(summaries)
    echo(f"\nOver {args.seeds} seeds (training and test draws and the models' seeds):")
    echo(format_seed_table(table))
    for line in seed_sentences(summaries):
        echo(f"  {line}")
    report.add_heading("Over seeds")
    report.add_table(table.reset_index(), "seeds", index=False)
    report.add_text("\n".join(f"- {line}" for line in seed_sentences(summaries)))


def _data(settings, seed, echo):
    shape = (settings.image_size, settings.image_size, 3)
    train = synthetic_training(settings.n_train, shape, seed)
    test = load_test_data(shape, seed=seed, n_per_group=settings.n_test_per_group)
    darker = (train.attributes["skin_type"][train.faces] == "darker").mean()
    echo(f"Training set: {train.source}; {darker:.0%} of its faces are darker-skinned.")
    echo(f"Test set: {test.source}.")
    return train, test


def _fit_all(kinds, settings, args, train, echo):
    return {MODEL_NAMES[kind]: _fit(kind, settings, args, train, echo) for kind in kinds}


def _fit(kind, settings, args, train, echo):
    echo(f"\nTraining the {MODEL_NAMES[kind]} ({_epochs(settings.epochs)}):")
    model = make_model(
        kind, settings, seed=args.seed, device=args.device, progress=not args.no_progress
    )
    if kind == "groupdro":  # the one method given the groups
        groups = train.attributes[["skin_type", "gender"]].astype(object)
        groups = groups.where(groups.notna(), "non-face")
        return model.fit(train.images, train.target, sensitive_features=groups)
    return model.fit(train.images, train.target)


def _epochs(n):
    return f"{n} epoch" if n == 1 else f"{n} epochs"


def _settings(args):
    base = QUICK if args.quick else DEMO
    return override(
        base,
        n_train=args.n_train,
        n_test_per_group=args.n_test_per_group,
        image_size=args.image_size,
        epochs=args.epochs,
        latent_dim=args.latent_dim,
    )


def _add_settings(report, settings, args, train):
    report.add_text(
        "Both models see the same skewed training draw with the same budget; the DB-VAE "
        "resamples rare faces by their density in its latent space, without group labels."
    )
    report.add_heading("Settings")
    rows = {**dataclasses.asdict(settings), "seed": args.seed, "device": args.device}
    report.add_text("\n".join(f"- `{key}`: {value}" for key, value in rows.items()))
    report.add_text(f"Training set: {train.source}.")
