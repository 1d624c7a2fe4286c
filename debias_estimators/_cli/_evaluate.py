"""``debias-estimators evaluate``: a saved model per group on PPB or the synthetic test set."""

import time

import numpy as np

from ..analysis import face_label, summarize_seeds
from ..reporting import Report
from ._data import load_folder_test_data, load_test_data
from ._models import load_model, model_image_shape, model_name
from ._sections import add_evaluation, add_model_card, add_model_figures
from ._tables import evaluate, print_evaluation

__all__ = ["run_evaluate"]


def run_evaluate(args, echo):
    """Evaluate a saved model, print its tables and write the report.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed options.
    echo : callable
        Prints one message.
    """
    start = time.perf_counter()
    if args.seeds > 1 and (args.ppb or args.image_folder):
        raise ValueError("--seeds draws several synthetic test sets; PPB and a folder are one set.")
    model = load_model(args.model, allow_pickle=args.allow_pickle, device=args.device)
    report = Report(args.out, f"Evaluation of {args.model}", force=args.force)
    shape = model_image_shape(model, args.image_size)
    if args.image_folder:
        test = load_folder_test_data(args.image_folder, args.groups, args.face_folder, shape)
    else:
        if args.groups:
            raise ValueError("--groups goes with --image-folder: the groups of its faces.")
        test = load_test_data(
            shape, seed=args.seed, n_per_group=args.n_test_per_group, ppb=args.ppb
        )
    name = model_name(model)
    echo(f"Test set: {test.source}; the model's label for faces: {_plain(face_label(model))}.")
    evaluation = evaluate({name: model}, test, fpr=args.fpr)
    print_evaluation(evaluation, echo)
    add_evaluation(report, evaluation, test)
    faces = test.faces
    add_model_figures(report, {name: model}, test.images[faces], test.groups[faces], which="test")
    add_model_card(
        report,
        evaluation,
        training_data="not recorded in the model file; `debias-estimators train` prints it "
        "when it trains one.",
    )
    if args.seeds > 1:
        _more_test_draws(args, model, name, shape, evaluation, report, echo)
    report.add_text(f"Wall time: {time.perf_counter() - start:.0f} s.")
    report.write()
    echo(f"\nReport: {report.folder / 'report.md'} ({len(report.files)} files)")


def _plain(label):
    # A numpy scalar prints as np.int64(1) under its repr; a user wants to see the 1.
    return label.item() if isinstance(label, np.generic) else label


def _more_test_draws(args, model, name, shape, first, report, echo):
    """Evaluate on further synthetic test draws; print and add the spread over them."""
    summaries = {args.seed: first.summary}
    for seed in range(args.seed + 1, args.seed + args.seeds):
        test = load_test_data(shape, seed=seed, n_per_group=args.n_test_per_group)
        summaries[seed] = evaluate({name: model}, test, fpr=args.fpr).summary
    table = summarize_seeds(summaries)
    echo(f"\nOver {args.seeds} synthetic test draws (the model's training is not repeated):")
    echo(table.round(2).to_string())
    report.add_heading("Over test draws")
    report.add_table(table.reset_index(), "seeds", index=False)
