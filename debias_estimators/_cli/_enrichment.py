"""What the resampler uncovers: which faces it upweights, and which attributes they share."""

import numpy as np
import pandas as pd

__all__ = ["attribute_enrichment", "resampling_weights", "strongest_enrichment"]

# Columns with more distinct values than this (file names, ids) are not attributes to count.
MAX_LEVELS = 12


def resampling_weights(clf, faces):
    """Weight faces as the DB-VAE's resampler would, under the trained encoder.

    Parameters
    ----------
    clf : DebiasedVAEClassifier
        A fitted DB-VAE.
    faces : ndarray
        Face images.

    Returns
    -------
    weights : ndarray of shape (n_faces,)
        Sampling probabilities summing to 1; high for faces rare in the latent space.
    """
    return clf.resampling_weights(faces)


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
        ``bottom`` (percent of the faces with that value), and ``enrichment``
        (``top / overall``: above 1 means the resampler favours the value).
    """
    if not 0 < top_fraction <= 0.5:
        raise ValueError(f"top_fraction must be in (0, 0.5]; got {top_fraction!r}.")
    attributes = attributes.reset_index(drop=True)
    n_top = max(1, int(round(top_fraction * len(weights))))
    order = np.argsort(-np.asarray(weights), kind="stable")
    top, bottom = order[:n_top], order[-n_top:]
    rows = []
    for column in _attribute_columns(attributes):
        values = _as_labels(attributes[column])
        overall = values.value_counts(normalize=True)
        top_share = values.iloc[top].value_counts(normalize=True)
        bottom_share = values.iloc[bottom].value_counts(normalize=True)
        for value, share in overall.items():
            rows.append(
                {
                    "attribute": column,
                    "value": value,
                    "overall": 100.0 * share,
                    "top": 100.0 * top_share.get(value, 0.0),
                    "bottom": 100.0 * bottom_share.get(value, 0.0),
                    "enrichment": top_share.get(value, 0.0) / share,
                }
            )
    table = pd.DataFrame(
        rows, columns=["attribute", "value", "overall", "top", "bottom", "enrichment"]
    )
    # Numeric columns even when no attribute varies (a tiny training set): no rows at all.
    table = table.astype({"overall": float, "top": float, "bottom": float, "enrichment": float})
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


def _as_labels(column):
    column = column.astype(object)
    return column.where(column.notna(), "missing").astype(str)


def _attribute_columns(attributes):
    return [
        column
        for column in attributes.columns
        if 1 < attributes[column].nunique(dropna=True) <= MAX_LEVELS
    ]
