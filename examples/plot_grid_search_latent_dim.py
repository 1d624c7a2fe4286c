"""
Choosing the latent dimension with GridSearchCV
===============================================

The DB-VAE is a scikit-learn estimator, so its hyperparameters can be tuned with
:class:`~sklearn.model_selection.GridSearchCV`. Here we search over ``latent_dim`` with
balanced accuracy as the score, then report the best model per skin type x gender group with
a fairlearn :class:`~fairlearn.metrics.MetricFrame`. Cross-validated accuracy alone does not
tell whether a model is fair: the group report does.
"""

# %%
import os
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from fairlearn.metrics import MetricFrame, count
from sklearn.metrics import recall_score
from sklearn.model_selection import GridSearchCV

from debias_estimators import DebiasedVAEClassifier
from debias_estimators.datasets import make_balanced_faces, make_biased_faces

QUICK = os.environ.get("DEBIAS_EXAMPLES_QUICK") == "1"
HERE = Path(__file__).parent if "__file__" in globals() else Path.cwd()
OUT = Path(os.environ.get("DEBIAS_EXAMPLES_OUT") or HERE)
SIZE = 32

N_FACES = 60 if QUICK else 1000
train = make_biased_faces(N_FACES, N_FACES, SIZE, random_state=0)
test = make_balanced_faces(20 if QUICK else 100, image_size=SIZE, random_state=1)

# %%
# Two folds over two latent sizes: four fits and a refit of the best on all the data.
search = GridSearchCV(
    DebiasedVAEClassifier(n_filters=8, max_epochs=1 if QUICK else 2, random_state=0),
    param_grid={"latent_dim": [8, 100]},
    scoring="balanced_accuracy",
    cv=2,
)
search.fit(train.images, train.target)
results = pd.DataFrame(search.cv_results_)[["param_latent_dim", "mean_test_score"]]
print(results)
print("best:", search.best_params_)

# %%
# The fairlearn report of the best model on the balanced test faces.
faces = test.target == 1
report = MetricFrame(
    metrics={"recall": recall_score, "count": count},
    y_true=test.target[faces],
    y_pred=search.predict(test.images[faces]),
    sensitive_features=test.attributes.loc[faces, ["skin_type", "gender"]],
)
print(report.by_group)
print("largest recall gap between groups:", report.difference()["recall"])

fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8), layout="constrained")
left.bar(results["param_latent_dim"].astype(str), results["mean_test_score"])
left.set_ylim(0.5, 1.0)
left.set_xlabel("latent_dim")
left.set_ylabel("balanced accuracy (2-fold CV)")
left.set_title("Grid search")
recall = 100 * report.by_group["recall"]
right.bar([f"{s}\n{g}" for s, g in recall.index], recall.to_numpy())
right.set_ylim(0, 105)
right.set_ylabel("recall (%)")
right.set_title(f"Best model (latent_dim={search.best_params_['latent_dim']}) per group")
fig.savefig(OUT / "plot_grid_search_latent_dim.png", dpi=100)
