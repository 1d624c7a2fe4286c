"""
A fairlearn disparity report: CNN vs DB-VAE
===========================================

fairlearn measures how a classifier's errors differ between groups. On faces only, the recall
of each skin type x gender group is its detection rate, and the *equal opportunity
difference* is the gap between the best and the worst group. We compare the standard CNN and
the DB-VAE on both axes with :func:`fairlearn.metrics.plot_model_comparison`: up is less fair,
right is more accurate.

Both models train for seconds (800 faces per class, 4 epochs, one seed), so where they land
is that of a short run: the DB-VAE can come out behind the CNN on both axes.
:doc:`/benchmarks` compares them over several seeds and training settings.
"""

# %%
import os
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from fairlearn.metrics import (
    MetricFrame,
    equal_opportunity_difference,
    plot_model_comparison,
)
from sklearn.metrics import recall_score

from debias_estimators import CNNClassifier, DebiasedVAEClassifier
from debias_estimators.datasets import make_balanced_faces, make_biased_faces

QUICK = os.environ.get("DEBIAS_EXAMPLES_QUICK") == "1"
HERE = Path(__file__).parent if "__file__" in globals() else Path.cwd()
OUT = Path(os.environ.get("DEBIAS_EXAMPLES_OUT") or HERE)
N_FACES = 100 if QUICK else 800
SIZE = 32

train = make_biased_faces(N_FACES, N_FACES, image_size=SIZE, random_state=0)
test = make_balanced_faces(25 if QUICK else 100, image_size=SIZE, random_state=1)
faces = test.target == 1
X_test, y_test = test.images[faces], test.target[faces]
groups = test.attributes.loc[faces, ["skin_type", "gender"]]

budget = {"max_epochs": 1 if QUICK else 4, "random_state": 0}
models = {
    "CNN": CNNClassifier(**budget),
    "DB-VAE": DebiasedVAEClassifier(latent_dim=100, **budget),
}
predictions = {
    name: m.fit(train.images, train.target).predict(X_test) for name, m in models.items()
}

# %%
# One MetricFrame per model: recall per group, its range and ratio.
rows = {}
for name, y_pred in predictions.items():
    frame = MetricFrame(
        metrics=recall_score, y_true=y_test, y_pred=y_pred, sensitive_features=groups
    )
    rows[name] = {
        "recall": frame.overall,
        "worst group": " / ".join(frame.by_group.idxmin()),
        "worst recall": frame.group_min(),
        "difference": frame.difference(),
        "ratio": frame.ratio(),
        "equal opportunity difference": equal_opportunity_difference(
            y_test, y_pred, sensitive_features=groups
        ),
    }
print(pd.DataFrame(rows).T.to_string())

# %%
fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
plot_model_comparison(
    y_preds=predictions,
    y_true=y_test,
    sensitive_features=groups,
    x_axis_metric=recall_score,
    y_axis_metric=equal_opportunity_difference,
    point_labels=True,
    ax=ax,
)
ax.set_xlabel("recall on the balanced test faces")
ax.set_ylabel("equal opportunity difference")
ax.set_title("Accuracy vs disparity")
fig.savefig(OUT / "plot_fairlearn_disparity.png", dpi=100)
