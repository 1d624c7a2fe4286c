"""``debias-estimators audit``: which training faces a DB-VAE upweights, and what they share.

This is the "uncovering" half of the DB-VAE: without group labels, the faces its resampler
draws most often are those rare in its latent space (or, with ``weighting="difficulty"``, those
whose latent neighbours held-out models miss); where the training set has attribute labels,
counting them among the top weights shows which groups the model upweights.
"""

from ..audit import attribute_enrichment, resampling_weights
from ..estimators import DebiasedVAEClassifier
from ..reporting import Report
from ._data import load_training_data
from ._models import load_model, model_image_shape
from ._sections import add_enrichment, extreme_faces_figure
from ._tables import print_enrichment

__all__ = ["run_audit"]


def run_audit(args, echo):
    """Weight the training faces under a saved DB-VAE; write the grid and the table.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed options.
    echo : callable
        Prints one message.
    """
    model = load_model(args.model, allow_pickle=args.allow_pickle, device=args.device)
    if not isinstance(model, DebiasedVAEClassifier):
        raise ValueError(
            f"{args.model} holds a {type(model).__name__}; audit needs a DB-VAE "
            f"(train it with --model dbvae)."
        )
    report = Report(args.out, f"Audit of {args.model}", force=args.force)
    data = load_training_data(args, model_image_shape(model))
    faces = data.images[data.faces]
    if len(faces) < 2:
        raise ValueError(
            f"The training set ({data.source}) holds {len(faces)} face(s); weighting needs at "
            f"least two."
        )
    echo(f"Training set: {data.source}: {len(faces)} faces.")
    if getattr(model, "weighting", "density") == "difficulty":
        loss = getattr(model, "crossfit_loss_", None)
        if loss is None or len(loss) != len(data.target):
            raise ValueError(
                f"{args.model} weights faces by their cross-fitted losses, kept for the "
                f"{'no' if loss is None else len(loss)} samples it was trained on; audit it on "
                f"that training set (the options train had), not on {len(data.target)} samples."
            )
        weights = resampling_weights(model, faces, loss=loss[data.faces])
        rule = "by the cross-fitted loss of its latent neighbours (weighting=difficulty)"
    else:
        weights = resampling_weights(model, faces)
        rule = "in inverse proportion to its density in the latent space"
    report.add_text(
        f"Training set: {data.source}. The DB-VAE's resampler weights each face {rule}; w is "
        "the rate relative to uniform sampling."
    )
    report.add_figure(
        extreme_faces_figure(faces, weights),
        "extreme_faces",
        caption="The faces drawn most and least often.",
    )
    if data.attributes is None:
        echo("The training set has no attribute labels: only the grid of faces is written.")
    else:
        table = attribute_enrichment(data.attributes[data.faces], weights, args.top_fraction)
        print_enrichment(table, args.top_fraction, echo, whole_table=True)
        add_enrichment(report, table, args.top_fraction)
    report.write()
    echo(f"\nReport: {report.folder / 'report.md'} ({len(report.files)} files)")
