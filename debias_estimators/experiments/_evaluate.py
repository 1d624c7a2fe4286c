"""Evaluate a saved model per group on a labelled test set, as a report."""

import time

import numpy as np

from ..analysis import evaluate_models, face_label, summarize_seeds
from ..persistence import load_model
from ..reporting import Report
from ._checks import check_count, check_fraction, check_image_size, check_kinds
from ._data import FaceData
from ._docs import shared_docs
from ._models import model_image_shape, model_name
from ._run import ExperimentRun
from ._sections import add_evaluation, add_model_card, add_model_figures
from ._settings import DEMO
from ._sources import TestSource

__all__ = ["evaluate", "evaluate_saved_model"]


@shared_docs
def evaluate_saved_model(
    path,
    *,
    test=None,
    n_draws=1,
    fpr=0.05,
    image_size=DEMO.image_size,
    allow_pickle=False,
    device="cpu",
    out="debias-evaluation",
    force=False,
    log=print,
):
    """Evaluate a saved model per skin type x gender group and write the report.

    Parameters
    ----------
    path : str or os.PathLike
        A model saved by :func:`~debias_estimators.persistence.save_model` (or, with
        ``allow_pickle``, a joblib pickle).
    test : TestSource, optional
        The labelled test set; the synthetic balanced draw by default.
    n_draws : int, default=1
        Synthetic test draws (seeds from ``test.random_state`` on); from 2 on, the spread of the
        bias summary over them is reported. The model is not retrained.
    %(fpr)s
    image_size : int, default=32
        Side of RGB images for models that do not record their input, e.g. pipelines.
    %(allow_pickle)s
    %(device)s
    out : str or os.PathLike, default="debias-evaluation"
        The report folder.
    %(force)s
    %(log)s

    Returns
    -------
    run : ExperimentRun
        The model, its evaluation, the spread over test draws (``n_draws > 1``) and the report.
    """
    start = time.perf_counter()
    check_kinds(test=(test, (TestSource, type(None))), log=(log, callable))
    test = TestSource() if test is None else test
    check_count("n_draws", n_draws)
    check_image_size(image_size)
    check_fraction("fpr", fpr)
    if n_draws > 1 and not test.synthetic:
        raise ValueError("n_draws > 1 draws several synthetic test sets; PPB and a folder are one.")
    model = load_model(path, allow_pickle=allow_pickle, device=device)
    # A failure removes what the report wrote: no half a report is left.
    with Report(out, f"Evaluation of {path}", force=force) as report:
        shape = model_image_shape(model, image_size)
        data = test.load(shape)
        name = model_name(model)
        log(f"Test set: {data.source}; the model's label for faces: {_plain(face_label(model))}.")
        evaluation = evaluate({name: model}, data, fpr=fpr)
        add_evaluation(report, evaluation, data)
        faces = data.faces
        add_model_figures(
            report, {name: model}, data.images[faces], data.groups[faces], which="test"
        )
        add_model_card(
            report,
            evaluation,
            training_data="not recorded in the model file.",
        )
        draws = None
        if n_draws > 1:
            draws = _over_test_draws(model, name, shape, test, n_draws, evaluation, fpr)
            report.add_heading("Over test draws")
            report.add_table(draws.reset_index(), "seeds", index=False)
        report.add_text(f"Wall time: {time.perf_counter() - start:.0f} s.")
        report.write()
    return ExperimentRun(
        report,
        time.perf_counter() - start,
        models={name: model},
        evaluation=evaluation,
        test_draws=draws,
        fpr=fpr,
    )


@shared_docs
def evaluate(models, test, *, calibration=None, fpr=0.05):
    """Evaluate fitted models per group on a test set of :class:`FaceData`.

    See :func:`~debias_estimators.analysis.evaluate_models`, which this calls.

    Parameters
    ----------
    models : dict of {str: estimator}
        Fitted classifiers by display name.
    test : FaceData
        Test images with skin type and gender for the faces.
    calibration : ndarray, optional
        Held-out non-faces that set the matched threshold; else the test non-faces.
    %(fpr)s

    Returns
    -------
    evaluation : Evaluation
        The per-group table, the bias summary and the figures at the matched FPR.
    """
    check_kinds(models=(models, dict), test=(test, FaceData))
    if not models:
        raise ValueError("models is empty: give one or more fitted models by name.")
    if test.groups is None:
        raise ValueError(f"The test set ({test.source}) has no skin type and gender columns.")
    return evaluate_models(
        models,
        test.images,
        test.faces,
        test.groups,
        attributes=test.attributes.reset_index(drop=True),
        X_calibration=calibration,
        fpr=fpr,
    )


def _plain(label):
    # A numpy scalar prints as np.int64(1) under its repr; a user wants to see the 1.
    return label.item() if isinstance(label, np.generic) else label


def _over_test_draws(model, name, shape, test, n_draws, first, fpr):
    """Return the bias summary's spread over further synthetic test draws."""
    summaries = {test.random_state: first.summary}
    for seed in range(test.random_state + 1, test.random_state + n_draws):
        data = test.load(shape, random_state=seed)
        summaries[seed] = evaluate({name: model}, data, fpr=fpr).summary
    return summarize_seeds(summaries)
