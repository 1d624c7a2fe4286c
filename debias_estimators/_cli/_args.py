"""From the parsed options to the values the library takes, with the checks only options need.

The parser reads words; this step turns them into what one call of :mod:`debias_estimators.
experiments` takes: the settings of the run, each trained method's parameters (checked by the
estimator, the option named in the message) and the data sources. Combinations of options that
make no sense are refused here, in the options' own names.
"""

import dataclasses

from ..estimators import get_method
from ..experiments import DEMO, QUICK, TestSource, TrainingSource
from ._options import check_params, estimator_params
from ._parser import build_parser

__all__ = ["parse_args"]


def parse_args(argv=None):
    """Parse the command line and resolve the library's values.

    Parameters
    ----------
    argv : list of str, optional
        The arguments; ``sys.argv[1:]`` by default.

    Returns
    -------
    args : argparse.Namespace
        The options, plus ``settings`` and ``params`` (``train``, ``demo``) and ``source``
        (``train``, ``evaluate``, ``audit``).

    Raises
    ------
    SystemExit
        For ``--help`` or an option argparse refuses.
    ValueError
        For a value the estimator refuses or options that do not go together.
    """
    args = build_parser().parse_args(argv)
    if args.command in ("train", "demo"):
        keys = [args.model] if args.command == "train" else list(args.models)
        args.params = estimator_params(args, [get_method(key) for key in keys])
        for key, params in args.params.items():  # before any data is read
            check_params(get_method(key).estimator(**params), params)
        args.settings = _settings(args)
    if args.command in ("train", "audit"):
        args.source = _training_source(args)
    if args.command == "evaluate":
        args.source = _test_source(args)
    return args


def _settings(args):
    if args.command == "train":
        return _given(DEMO, epochs=args.epochs, image_size=args.image_size)
    return _given(
        QUICK if args.quick else DEMO,
        n_train=args.n_train,
        n_test_per_group=args.n_test_per_group,
        image_size=args.image_size,
        epochs=args.epochs,
    )


def _training_source(args):
    return TrainingSource(
        h5=args.h5,
        image_folder=args.image_folder,
        lfw=args.lfw,
        face_folder=args.face_folder,
        max_images=args.max_images,
        n_train=args.n_train,
        random_state=args.seed,
    )


def _test_source(args):
    if args.seeds > 1 and (args.ppb or args.image_folder):
        raise ValueError("--seeds draws several synthetic test sets; PPB and a folder are one set.")
    if args.image_folder and not args.groups:
        raise ValueError("--image-folder needs --groups: a CSV of the faces' skin type and gender.")
    if args.groups and not args.image_folder:
        raise ValueError("--groups goes with --image-folder: the groups of its faces.")
    return TestSource(
        ppb=args.ppb,
        image_folder=args.image_folder,
        groups=args.groups,
        face_folder=args.face_folder,
        n_per_group=args.n_test_per_group,
        random_state=args.seed,
    )


def _given(settings, **values):
    """Return ``settings`` with the values of the options given; an option left out is None."""
    return dataclasses.replace(settings, **{k: v for k, v in values.items() if v is not None})
