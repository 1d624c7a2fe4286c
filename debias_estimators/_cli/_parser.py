"""The options of ``debias-estimators`` and its four subcommands."""

import argparse
import dataclasses
import sys

from ..estimators import all_methods
from ..experiments import DEMO, QUICK
from ._options import add_estimator_options
from ._values import (
    fraction,
    image_size,
    model_list,
    positive_int,
    seed_value,
)

__all__ = ["build_parser"]

PROG = "debias-estimators"
DESCRIPTION = (
    "Uncover and mitigate bias in face detection with the DB-VAE of Amini et al. "
    "(AIES 2019), next to the standard CNN it debiases."
)
EPILOG = (
    "Start with 'debias-estimators demo --quick'. 'train' saves models in a format whose "
    "loading runs no code; pickles are read only with --allow-pickle: load only files you trust."
)


class OneLineErrorParser(argparse.ArgumentParser):
    """An ArgumentParser that reports a user's mistake in one line, exit code 2."""

    def error(self, message):
        """Print ``<prog>: error: <message>`` to stderr and exit with 2."""
        sys.stderr.write(f"{self.prog}: error: {message} (see --help)\n")
        sys.exit(2)


def build_parser():
    """Build the parser of ``debias-estimators``.

    Returns
    -------
    parser : argparse.ArgumentParser
        With subcommands ``demo``, ``train``, ``evaluate`` and ``audit``.
    """
    parser = OneLineErrorParser(prog=PROG, description=DESCRIPTION, epilog=EPILOG)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_demo(commands)
    _add_train(commands)
    _add_evaluate(commands)
    _add_audit(commands)
    return parser


def _add_demo(commands):
    demo = commands.add_parser(
        "demo",
        help="train the CNN and the DB-VAE on skewed synthetic faces and compare them",
        description="Train the standard CNN and the DB-VAE with the same budget on the "
        "skewed synthetic training set, compare them per skin type x gender group on the "
        "balanced test set, and write a report folder (report.md, CSV tables, PNG plots).",
    )
    _add_out(demo, "debias-report")
    demo.add_argument("--quick", action="store_true", help="a smaller run of under a minute")
    demo.add_argument(
        "--models",
        type=model_list,
        default=("cnn", "dbvae"),
        metavar="LIST",
        help="comma-separated methods to train side by side, the first the baseline of the "
        f"comparison, from {_keys(all_methods())} (those that need groups are given the "
        "training groups) (default cnn,dbvae)",
    )
    demo.add_argument(
        "--seeds",
        type=positive_int,
        default=1,
        metavar="N",
        help="train N initialisations of each model on the same data (seeds from --seed on) "
        "and N more of the first as the null, and compare the medians at the matched FPR "
        "(default 1; 3 or more give verdicts)",
    )
    _add_common(demo)
    _add_fpr(demo)
    demo.add_argument(
        "--threads",
        type=positive_int,
        metavar="N",
        help="torch threads; seeded results are exact only at a fixed count (default: torch's)",
    )
    size = demo.add_argument_group("size of the run (overrides the --quick or default setting)")
    size.add_argument(
        "--n-train",
        type=positive_int,
        metavar="N",
        help=f"training images (default {DEMO.n_train})",
    )
    size.add_argument(
        "--n-test-per-group",
        type=positive_int,
        metavar="N",
        help=f"test faces per group (default {DEMO.n_test_per_group})",
    )
    size.add_argument(
        "--image-size",
        type=image_size,
        metavar="PIXELS",
        help=f"pixels (default {DEMO.image_size})",
    )
    size.add_argument(
        "--epochs", type=positive_int, metavar="N", help=f"epochs (default {DEMO.epochs})"
    )
    own = demo.add_argument_group(
        "parameters of the methods (each applies to the chosen --models in brackets; a value "
        "left out keeps the demo's setting or the estimator's default)"
    )
    # One checkpoint folder cannot serve several models and initialisations.
    add_estimator_options(
        own,
        all_methods(),
        taken=("checkpoint", "checkpoint_every"),
        defaults=_setting_defaults(quick=True),
    )


def _setting_defaults(*, quick):
    """Return the demo's settings of the estimators' parameters, as the help shows them.

    ``train`` and ``demo`` train with these where the estimator's default differs (a smaller
    learning rate, fewer filters); ``quick`` adds the ``--quick`` setting where it differs.
    """
    demo, small = dataclasses.asdict(DEMO), dataclasses.asdict(QUICK)
    return {
        name: f"{value} ({small[name]} with --quick)" if quick and small[name] != value else value
        for name, value in demo.items()
    }


def _add_train(commands):
    train = commands.add_parser(
        "train",
        help="train one model and save it",
        description="Train one of the label-free methods on the lab's HDF5 file, an image "
        "folder, scikit-image's LFW subset or (by default) the skewed synthetic faces, and "
        "save it with debias_estimators.save_model (JSON and weights in a zip archive, loaded "
        "without running code); debias_estimators.load_model reads it back.",
    )
    _add_source(train)
    model = train.add_argument_group("model")
    label_free = all_methods(needs_groups=False)
    needs_groups = all_methods(needs_groups=True)
    model.add_argument(
        "--model",
        choices=[method.key for method in label_free],
        default="dbvae",
        help="; ".join(f"{method.key}: {method.summary}" for method in label_free)
        + f" (default dbvae). Not here: {_keys(needs_groups)}, which need the training "
        "groups, which the training files do not hold",
    )
    model.add_argument(
        "--epochs",
        type=positive_int,
        metavar="N",
        default=DEMO.epochs,
        help=f"(default {DEMO.epochs})",
    )
    own = train.add_argument_group(
        "parameters of the methods (each applies to the methods in brackets; a value left out "
        "keeps the setting shown, the demo's or the estimator's default)"
    )
    add_estimator_options(own, label_free, defaults=_setting_defaults(quick=False))
    train.add_argument(
        "--output",
        "-o",
        default="model.zip",
        help="where to save the model (default model.zip)",
    )
    train.add_argument("--force", action="store_true", help="replace an existing --output")
    _add_common(train, seed=False)


def _add_evaluate(commands):
    evaluate = commands.add_parser(
        "evaluate",
        help="evaluate a saved model per skin type x gender group",
        description="Evaluate a saved model per skin type x gender group on the Pilot "
        "Parliaments Benchmark or the balanced synthetic test set; print the tables and "
        "write a report folder.",
    )
    evaluate.add_argument("model", help="a model saved by 'debias-estimators train'")
    _add_allow_pickle(evaluate)
    _add_device(evaluate)
    evaluate.add_argument(
        "--seeds",
        type=positive_int,
        default=1,
        metavar="N",
        help="evaluate on N synthetic test draws (from --seed on) and report the spread",
    )
    _add_fpr(evaluate)
    source = evaluate.add_mutually_exclusive_group()
    source.add_argument("--ppb", metavar="DIR", help="the PPB-2017 folder (default: synthetic)")
    source.add_argument(
        "--image-folder",
        metavar="DIR",
        help="your own labelled test set: one sub-folder per class (with --groups)",
    )
    evaluate.add_argument(
        "--groups",
        metavar="CSV",
        help="with --image-folder: columns file (path inside DIR, e.g. faces/0001.png), "
        "skin_type and gender, one row per face",
    )
    evaluate.add_argument(
        "--face-folder",
        default="faces",
        help="with --image-folder: the class folder of faces (default faces)",
    )
    evaluate.add_argument(
        "--n-test-per-group",
        type=positive_int,
        metavar="N",
        default=DEMO.n_test_per_group,
        help=f"synthetic test faces per group (default {DEMO.n_test_per_group})",
    )
    evaluate.add_argument(
        "--image-size",
        type=image_size,
        metavar="PIXELS",
        default=DEMO.image_size,
        help="image side for models that do not record it, e.g. pipelines",
    )
    evaluate.add_argument(
        "--seed",
        type=seed_value,
        default=0,
        help="seed of the synthetic draw (the test draw is offset from it)",
    )
    _add_out(evaluate, "debias-evaluation")


def _add_audit(commands):
    audit = commands.add_parser(
        "audit",
        help="show which training faces a DB-VAE upweights and what they share",
        description="Weight the training faces as a saved DB-VAE's resampler would, show "
        "the most and least upweighted, and (for labelled data such as the synthetic faces) "
        "count which attribute values are enriched among the top weights.",
    )
    audit.add_argument("model", help="a DB-VAE saved by 'debias-estimators train'")
    _add_allow_pickle(audit)
    _add_device(audit)
    _add_source(audit, sized=False)
    audit.add_argument(
        "--top-fraction",
        type=fraction,
        default=0.1,
        help="share of faces counted as top and bottom (default 0.1)",
    )
    _add_out(audit, "debias-audit")


def _keys(methods):
    return ", ".join(method.key for method in methods)


def _add_fpr(parser):
    parser.add_argument(
        "--fpr",
        type=fraction,
        default=0.05,
        help="matched false-positive rate: each model's threshold accepts this share of "
        "held-out non-faces (default 0.05)",
    )


def _add_allow_pickle(parser):
    parser.add_argument(
        "--allow-pickle",
        action="store_true",
        help="also load a joblib pickle; loading a pickle runs code from the file, so use only "
        "files you trust",
    )


def _add_source(parser, *, sized=True):
    data = parser.add_argument_group("training data (default: synthetic biased faces)")
    source = data.add_mutually_exclusive_group()
    source.add_argument("--h5", metavar="FILE", help="HDF5 file in the MIT lab's layout")
    source.add_argument("--image-folder", metavar="DIR", help="one sub-folder per class")
    source.add_argument("--lfw", action="store_true", help="scikit-image's 200 LFW crops")
    data.add_argument(
        "--face-folder",
        default="faces",
        help="with --image-folder: the class folder of faces (default faces)",
    )
    data.add_argument(
        "--max-images",
        type=positive_int,
        metavar="N",
        help="with --h5: read a random subset of this many images",
    )
    data.add_argument(
        "--n-train",
        type=positive_int,
        metavar="N",
        default=DEMO.n_train,
        help=f"synthetic training images (default {DEMO.n_train})",
    )
    if sized:
        data.add_argument(
            "--image-size",
            type=image_size,
            metavar="PIXELS",
            default=DEMO.image_size,
            help=f"image side in pixels (default {DEMO.image_size})",
        )
    data.add_argument("--seed", type=seed_value, default=0, help="seed of the data and the model")


def _add_common(parser, *, seed=True):
    if seed:
        parser.add_argument(
            "--seed", type=seed_value, default=0, help="seed of the data and the models"
        )
    _add_device(parser)
    parser.add_argument(
        "--no-progress", action="store_true", help="no progress bars and no per-epoch lines"
    )


def _add_device(parser):
    parser.add_argument("--device", default="cpu", help="torch device, e.g. cuda (default cpu)")


def _add_out(parser, default):
    parser.add_argument(
        "--out", default=default, metavar="DIR", help=f"report folder (default ./{default})"
    )
    parser.add_argument(
        "--force", action="store_true", help="write into a report folder that already holds files"
    )
