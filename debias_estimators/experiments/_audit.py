"""Which training faces a saved DB-VAE upweights, and what they share, as a report.

This is the "uncovering" half of the DB-VAE: without group labels, the faces its resampler
draws most often are those rare in its latent space (or, with ``weighting="difficulty"``, those
whose latent neighbours held-out models miss); where the training set has attribute labels,
counting them among the top weights shows which groups the model upweights.
"""

import time

from ..audit import attribute_enrichment, resampling_weights
from ..estimators import DebiasedVAEClassifier
from ..persistence import load_model
from ..reporting import Report
from ._checks import check_fraction, check_kinds
from ._docs import shared_docs
from ._models import model_image_shape, model_name
from ._run import ExperimentRun
from ._sections import add_enrichment, extreme_faces_figure
from ._sources import TrainingSource

__all__ = ["audit_saved_model"]


@shared_docs
def audit_saved_model(
    path,
    *,
    source=None,
    top_fraction=0.1,
    allow_pickle=False,
    device="cpu",
    out="debias-audit",
    force=False,
    log=print,
):
    """Weight the training faces under a saved DB-VAE; write the grid of faces and the table.

    Parameters
    ----------
    path : str or os.PathLike
        A DB-VAE saved by :func:`~debias_estimators.persistence.save_model` (or, with
        ``allow_pickle``, a joblib pickle).
    source : TrainingSource, optional
        The training images; the skewed synthetic draw by default.
    top_fraction : float, default=0.1
        Share of faces counted as top and bottom.
    %(allow_pickle)s
    %(device)s
    out : str or os.PathLike, default="debias-audit"
        The report folder.
    %(force)s
    %(log)s

    Returns
    -------
    run : ExperimentRun
        The model, the enrichment table (where the faces carry attributes) and the report.
    """
    start = time.perf_counter()
    check_kinds(source=(source, (TrainingSource, type(None))), log=(log, callable))
    check_fraction("top_fraction", top_fraction, high=0.5, high_included=True)
    model = load_model(path, allow_pickle=allow_pickle, device=device)
    if not isinstance(model, DebiasedVAEClassifier):
        raise ValueError(
            f"{path} holds a {type(model).__name__}; an audit needs a DB-VAE (method 'dbvae')."
        )
    # A failure removes what the report wrote: no half a report is left.
    with Report(out, f"Audit of {path}", force=force) as report:
        data = (TrainingSource() if source is None else source).load(model_image_shape(model))
        faces = data.images[data.faces]
        if len(faces) < 2:
            raise ValueError(
                f"The training set ({data.source}) holds {len(faces)} face(s); weighting needs at "
                f"least two."
            )
        log(f"Training set: {data.source}: {len(faces)} faces.")
        weights, rule = _weights(model, path, data, faces)
        report.add_text(
            f"Training set: {data.source}. The DB-VAE's resampler weights each face {rule}; w is "
            "the rate relative to uniform sampling."
        )
        report.add_figure(
            extreme_faces_figure(faces, weights),
            "extreme_faces",
            caption="The faces drawn most and least often.",
        )
        enrichment = None
        if data.attributes is None:
            log("The training set has no attribute labels: only the grid of faces is written.")
        else:
            enrichment = attribute_enrichment(data.attributes[data.faces], weights, top_fraction)
            add_enrichment(report, enrichment, top_fraction)
        report.write()
    return ExperimentRun(
        report,
        time.perf_counter() - start,
        models={model_name(model): model},
        enrichment=enrichment,
        top_fraction=top_fraction,
    )


def _weights(model, path, data, faces):
    """Return the faces' resampling weights and the rule that made them, in words."""
    if getattr(model, "weighting", "density") != "difficulty":
        rule = "in inverse proportion to its density in the latent space"
        return resampling_weights(model, faces), rule
    loss = getattr(model, "crossfit_loss_", None)
    if loss is None or len(loss) != len(data.target):
        raise ValueError(
            f"{path} weights faces by their cross-fitted losses, kept for the "
            f"{'no' if loss is None else len(loss)} samples it was trained on; audit it on "
            f"that training set (the one it was trained on), not on {len(data.target)} samples."
        )
    rule = "by the cross-fitted loss of its latent neighbours (weighting=difficulty)"
    return resampling_weights(model, faces, loss=loss[data.faces]), rule
