"""
Debiasing on the synthetic benchmark
====================================

The synthetic benchmark draws faces whose make-up is skewed the way face collections are:
darker-skinned faces are 5 % of the training faces, and hats, dim light and turned heads are
rare too. We train the standard CNN and the DB-VAE with the same budget on that draw and
compare how many faces of each skin type x gender group they detect on a balanced test set.

The DB-VAE never sees the group labels: it resamples the faces that are rare in its own
latent space. The right panel shows which faces that is: the share of darker-skinned faces
among the training faces it samples most often, against their share overall.

The run is sized for seconds on a CPU (800 faces per class, 4 epochs, one seed). At that
budget the comparison is noisy, and the DB-VAE's recall can stay below the CNN's;
:doc:`/benchmarks` compares the two over several seeds and training settings.
"""

# %%
# Settings. ``DEBIAS_EXAMPLES_QUICK=1`` shrinks the run to a smoke test, and
# ``DEBIAS_EXAMPLES_OUT`` names the folder the figure is saved to.
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from debias_estimators import CNNClassifier, DebiasedVAEClassifier
from debias_estimators.datasets import make_balanced_faces, make_biased_faces
from debias_estimators.metrics import compare_models, metric_frames, summary_table
from debias_estimators.plotting import plot_group_metrics

QUICK = os.environ.get("DEBIAS_EXAMPLES_QUICK") == "1"
HERE = Path(__file__).parent if "__file__" in globals() else Path.cwd()
OUT = Path(os.environ.get("DEBIAS_EXAMPLES_OUT") or HERE)
N_FACES = 100 if QUICK else 800
EPOCHS = 1 if QUICK else 4
SIZE = 32

# %%
# The skewed training draw (half faces, half hard non-faces) and the balanced test draw.
train = make_biased_faces(N_FACES, N_FACES, image_size=SIZE, random_state=0)
test = make_balanced_faces(25 if QUICK else 100, image_size=SIZE, random_state=1)
groups = ["skin_type", "gender"]
print(train.attributes.loc[train.target == 1, "skin_type"].value_counts(normalize=True))

# %%
# Both models share the encoder architecture and the training budget.
budget = {"max_epochs": EPOCHS, "batch_size": 32, "random_state": 0}
models = {
    "CNN": CNNClassifier(**budget),
    "DB-VAE": DebiasedVAEClassifier(latent_dim=100, **budget),
}
for model in models.values():
    model.fit(train.images, train.target)

# %%
# Recall per group on the balanced test faces, and the paper's summary: E[A] and Var[A].
table = compare_models(models, test.images, test.target, test.attributes[groups])
frames = metric_frames(models, test.images, test.target, test.attributes[groups])
print(summary_table(frames)[["E[A]", "Var[A]", "worst_group", "worst_group_value"]])

# %%
# Which training faces does the DB-VAE sample most? ``sample_weight_`` holds the last
# epoch's sampling probabilities in training-set order.
faces = train.target == 1
weights = models["DB-VAE"].sample_weight_[faces]
darker = (train.attributes.loc[faces, "skin_type"] == "darker").to_numpy()
order = np.argsort(-weights)
shares = [100 * darker[order[: int(q * len(order))]].mean() for q in (0.05, 0.1, 0.25, 1.0)]

fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
plot_group_metrics(table, "recall", groups=groups, ax=left, title="Faces detected per group")
right.bar(["top 5 %", "top 10 %", "top 25 %", "all faces"], shares, color="tab:orange")
right.set_ylabel("darker-skinned faces (%)")
right.set_title("Share of darker faces among the most upweighted")
fig.savefig(OUT / "plot_debiasing_synthetic.png", dpi=100)
