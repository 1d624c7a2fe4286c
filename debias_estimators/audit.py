"""What a fitted DB-VAE upweights, and what its latent space holds.

What a DB-VAE's resampling uncovers, without group labels, is which faces it upweights; where
the faces have attribute labels, counting them among the top weights shows which groups the
model found rare, and how many times more often each value is drawn than the data holds it. A
latent traversal shows what the latent dimension that varies most over the faces encodes.
"""

import numpy as np
import pandas as pd

from ._group_inputs import attribute_columns

__all__ = [
    "attribute_enrichment",
    "latent_traversal",
    "resampling_weights",
    "strongest_enrichment",
]


def resampling_weights(model, faces, loss=None):
    """Weight faces as a fitted DB-VAE's resampling would, under its trained encoder.

    Parameters
    ----------
    model : DebiasedVAEClassifier
        A fitted DB-VAE; its resampling settings weigh the faces (see
        :meth:`~debias_estimators.DebiasedVAEClassifier.resampling_weights`).
    faces : ndarray
        Face images, at least two.
    loss : ndarray of shape (n_faces,), optional
        The faces' cross-fitted losses, for a model with ``weighting="difficulty"`` (its
        ``crossfit_loss_`` at the training faces' rows).

    Returns
    -------
    weights : ndarray of shape (n_faces,)
        Sampling probabilities summing to 1; high for faces rare in the latent space (or, by
        difficulty, whose latent neighbours are missed more).
    """
    if not callable(getattr(model, "resampling_weights", None)):
        raise TypeError(
            f"resampling_weights needs a DebiasedVAEClassifier; got a {type(model).__name__}."
        )
    if loss is None:
        return model.resampling_weights(faces)
    return model.resampling_weights(faces, loss=loss)


def attribute_enrichment(attributes, weights, top_fraction=0.1):
    """Share of each attribute value among the most and least weighted faces vs overall.

    Parameters
    ----------
    attributes : pandas.DataFrame
        One row per face; columns with one value, or more than 12, are skipped.
    weights : ndarray of shape (n_faces,)
        Resampling weights of the faces.
    top_fraction : float, default=0.1
        Share of the faces counted as most (and as least) weighted.

    Returns
    -------
    table : pandas.DataFrame
        One row per attribute value: ``attribute``, ``value``, ``overall``, ``top`` and
        ``bottom`` (percent of the faces with that value), ``enrichment`` (``top / overall``:
        above 1 means the resampler favours the value), ``resampled`` (percent of an epoch
        drawn by the weights, i.e. the value's share of the weight) and ``boost``
        (``resampled / overall``: how many times more often the value is seen than in the
        data; a value at 5 % needs a boost of 10 to make up half of the epoch).
    """
    if not 0 < top_fraction <= 0.5:
        raise ValueError(f"top_fraction must be in (0, 0.5]; got {top_fraction!r}.")
    attributes = attributes.reset_index(drop=True)
    weights = np.asarray(weights, dtype=np.float64).reshape(-1)
    if len(weights) != len(attributes):
        raise ValueError(f"{len(weights)} weights for {len(attributes)} faces.")
    if not (np.all(np.isfinite(weights)) and np.all(weights >= 0) and weights.sum() > 0):
        raise ValueError("weights must be finite, non-negative and not all zero.")
    mass = weights / weights.sum()
    n_top = max(1, int(round(top_fraction * len(weights))))
    order = np.argsort(-weights, kind="stable")
    top, bottom = order[:n_top], order[-n_top:]
    rows = []
    for column in attribute_columns(attributes):
        values = _as_labels(attributes[column])
        overall = values.value_counts(normalize=True)
        top_share = values.iloc[top].value_counts(normalize=True)
        bottom_share = values.iloc[bottom].value_counts(normalize=True)
        resampled = pd.Series(mass).groupby(values.to_numpy()).sum()
        for value, share in overall.items():
            rows.append(
                {
                    "attribute": column,
                    "value": value,
                    "overall": 100.0 * share,
                    "top": 100.0 * top_share.get(value, 0.0),
                    "bottom": 100.0 * bottom_share.get(value, 0.0),
                    "enrichment": top_share.get(value, 0.0) / share,
                    "resampled": 100.0 * resampled[value],
                    "boost": resampled[value] / share,
                }
            )
    numeric = ["overall", "top", "bottom", "enrichment", "resampled", "boost"]
    table = pd.DataFrame(rows, columns=["attribute", "value", *numeric])
    # Numeric columns even when no attribute varies (a tiny training set): no rows at all.
    table = table.astype(dict.fromkeys(numeric, float))
    return table.sort_values(["attribute", "enrichment"], ascending=[True, False], kind="stable")


def strongest_enrichment(table, n=3):
    """Describe the attribute values most over-represented among the top weights.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`attribute_enrichment`.
    n : int, default=3
        How many to name.

    Returns
    -------
    lines : list of str
        One sentence per value, e.g. ``skin_type = darker: 10.0 % of all faces, 34.0 % of
        the top (3.4x)``.
    """
    best = table[table["enrichment"] > 1].nlargest(n, "enrichment")
    return [
        f"{row.attribute} = {row.value}: {row.overall:.1f} % of all faces, {row.top:.1f} % of "
        f"the most upweighted ({row.enrichment:.1f}x)"
        for row in best.itertuples()
    ]


def latent_traversal(model, faces, *, n_steps=9, quantiles=(0.02, 0.98)):
    """Decode faces along the latent dimension whose means spread widest over ``faces``.

    Parameters
    ----------
    model : DebiasedVAEClassifier
        A fitted DB-VAE (any estimator with ``transform`` to latent means and ``decode``).
    faces : ndarray
        Face images, at least two.
    n_steps : int, default=9
        Points along the dimension.
    quantiles : tuple of float, default=(0.02, 0.98)
        The first and last point, as quantiles of the dimension's means over ``faces``.

    Returns
    -------
    dim : int
        The dimension varied: the largest standard deviation of the latent means.
    values : ndarray of shape (n_steps,)
        Its values, evenly spaced between the two quantiles.
    decoded : ndarray
        The images decoded at those points, the other dimensions held at their mean over
        ``faces``.
    """
    if not (
        callable(getattr(model, "transform", None)) and callable(getattr(model, "decode", None))
    ):
        raise TypeError(
            f"latent_traversal needs a model with a latent space (transform and decode), such "
            f"as a DebiasedVAEClassifier; got a {type(model).__name__}."
        )
    low, high = quantiles
    if not 0 <= low < high <= 1:
        raise ValueError(f"quantiles must be two increasing values in [0, 1]; got {quantiles}.")
    Z = model.transform(faces)
    dim = int(np.argmax(Z.std(axis=0)))
    values = np.linspace(*np.quantile(Z[:, dim], [low, high]), int(n_steps))
    points = np.repeat(Z.mean(axis=0, keepdims=True), len(values), axis=0)
    points[:, dim] = values
    return dim, values, model.decode(points)


def _as_labels(column):
    column = column.astype(object)
    return column.where(column.notna(), "missing").astype(str)
