"""Helpers of ``weight_targeting.py``: weights brought to one effective sample size, and tables.

Every weighting is compared at the same effective sample size (ESS, ``(sum w)**2 / sum w**2``,
as a share of the faces): its log-weights ``l`` are raised to ``softmax(t * l)`` with the one
exponent ``t >= 0`` whose ESS is the target. ``t`` above 1 sharpens a flat rule, below 1
tempers a steep one; the ESS falls as ``t`` grows, so bisection finds it. The bisection is the
library's :func:`debias_estimators.resampling.weights_at_ess`, which the DB-VAE's
``weighting="difficulty"`` uses too.
"""

import numpy as np
import pandas as pd

from debias_estimators.resampling import weights_at_ess

__all__ = ["boosts", "recalls", "value_labels", "weights_at_ess"]


def value_labels(attributes):
    """``attribute=value`` labels of every face, one column per attribute (as strings)."""
    return {column: attributes[column].astype(str) for column in attributes.columns}


def boosts(attributes, weights):
    """Share of each attribute value and its boost: share of the mass / share of the faces."""
    mass = np.asarray(weights, dtype=np.float64)
    mass = mass / mass.sum()
    rows = []
    for column, values in value_labels(attributes).items():
        share = values.value_counts(normalize=True)
        if len(share) < 2:
            continue
        resampled = pd.Series(mass).groupby(values.to_numpy()).sum()
        for value, fraction in share.items():
            rows.append(
                {
                    "value": f"{column}={value}",
                    "share": float(fraction),
                    "boost": float(resampled[value] / fraction),
                }
            )
    return pd.DataFrame(rows)


def recalls(attributes, predicted):
    """Recall (share of faces predicted faces) of every attribute value, and overall."""
    predicted = np.asarray(predicted, dtype=bool)
    rows = [{"value": "all", "recall": float(predicted.mean())}]
    for column, values in value_labels(attributes).items():
        if values.nunique() < 2:
            continue
        for value, recall in pd.Series(predicted).groupby(values.to_numpy()).mean().items():
            rows.append({"value": f"{column}={value}", "recall": float(recall)})
    return pd.DataFrame(rows)
