"""Which faces does the latent resampling favour? The boost of each attribute under each rule.

A DB-VAE is trained at its defaults on the skewed draw of ``make_biased_faces``; its encoder
then gives the latent means of the training faces, and several weightings are computed from
them. For each, the script prints the effective sample size (as a share of the faces) and the
*boost* of some attributes: how many times more often a face with that value is drawn than in
the data (:func:`~debias_estimators.analysis.attribute_enrichment`'s ``boost``). Darker faces
are 5 % of the training faces, so a boost of about 10 would balance them; a rule that boosts
lighting as much as skin chases the wrong rarity.

The weightings: the library's histogram rules (the lab's ``max``, the default ``geometric``,
the paper's ``product`` tempered to half the faces, since untempered it collapses), the lab's
rule tempered to the same floor, and two density estimates from outside the library (a k-nearest
neighbour and a Gaussian mixture density on the first two principal components of the latent
means, tempered likewise with :func:`~debias_estimators.resampling.tempered_weights`). Last, an
oracle that sees the skin type and balances it, to show what balancing would take.

Run ``python benchmarks/weight_targeting.py`` (a few minutes on 2 CPU cores) or ``--smoke``.
"""

import argparse
import time

import numpy as np
import pandas as pd
from _common import machine, print_table, write_csv
from sklearn.decomposition import PCA
from sklearn.mixture import GaussianMixture
from sklearn.neighbors import NearestNeighbors

from debias_estimators import DebiasedVAEClassifier, LatentDensityResampler
from debias_estimators.analysis import attribute_enrichment
from debias_estimators.datasets import make_biased_faces
from debias_estimators.resampling import tempered_weights

# (attribute, value) pairs whose boost is reported, and their column names.
ATTRIBUTES = {
    "darker": ("skin_type", "darker"),
    "darker in shadow": ("skin_contrast", "darker/low"),
    "shadow": ("contrast", "low"),
    "bright light": ("lighting", "bright"),
    "dim light": ("lighting", "dim"),
    "cluttered": ("background", "cluttered"),
    "female": ("gender", "female"),
}
FLOOR = 0.5


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--regimes", nargs="+", default=["32:8000", "64:4000"])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--out", default=None, help="folder for the CSV")
    parser.add_argument("--smoke", action="store_true", help="tiny run to check the script")
    args = parser.parse_args(argv)
    if args.smoke:
        args.regimes, args.seeds, args.epochs = ["16:200"], [0], 1
    args.regimes = [tuple(int(v) for v in regime.split(":")) for regime in args.regimes]
    return args


def _histogram_rule(combine, alpha, ess_floor=None):
    resampler = LatentDensityResampler(
        alpha=alpha, combine=combine, ess_floor=ess_floor, min_ess_fraction=0
    )
    return lambda Z, attributes: resampler.fit(Z).sample_weight_


def _components(Z):
    """Project the latent means on their first two principal components, whitened."""
    return PCA(2, whiten=True, random_state=0).fit_transform(Z)


def _knn_on_components(Z, attributes, k=20):
    P = _components(Z)
    distance, _ = NearestNeighbors(n_neighbors=k + 1).fit(P).kneighbors(P)
    # The k-NN density falls as r**2 in two dimensions: log weight = 2 log r.
    return tempered_weights(2 * np.log(distance[:, -1] + 1e-12), FLOOR)[0]


def _mixture_on_components(Z, attributes):
    P = _components(Z)
    mixture = GaussianMixture(5, random_state=0).fit(P)
    return tempered_weights(-mixture.score_samples(P), FLOOR)[0]


def _skin_oracle(Z, attributes):
    share = attributes["skin_type"].map(attributes["skin_type"].value_counts(normalize=True))
    return 1.0 / share.to_numpy()


RULES = {
    "lab (max, a=1e-3)": _histogram_rule("max", 1e-3),
    "default (geometric, a=0.05)": _histogram_rule("geometric", 0.05),
    f"lab, ESS floor {FLOOR}": _histogram_rule("max", 1e-3, FLOOR),
    f"paper (product, a=0.01), ESS floor {FLOOR}": _histogram_rule("product", 0.01, FLOOR),
    f"kNN density on 2 components, ESS floor {FLOOR}": _knn_on_components,
    f"Gaussian mixture on 2 components, ESS floor {FLOOR}": _mixture_on_components,
    "oracle: skin types balanced": _skin_oracle,
}


def boosts(attributes, weights):
    """Effective sample share and the boost of each reported attribute value."""
    table = attribute_enrichment(attributes, weights).set_index(["attribute", "value"])
    row = {"ESS share": 1.0 / np.sum((weights / weights.sum()) ** 2) / len(weights)}
    for name, key in ATTRIBUTES.items():
        row[name] = table["boost"].get(key, np.nan)
    return row


def run(args):
    rows = []
    for size, n_train in args.regimes:
        for seed in args.seeds:
            data = make_biased_faces(n_train // 2, n_train // 2, size, random_state=seed)
            start = time.perf_counter()
            clf = DebiasedVAEClassifier(max_epochs=args.epochs, random_state=seed)
            clf.fit(data.images, data.target)
            faces = data.target == 1
            attributes = data.attributes[faces].reset_index(drop=True)
            skin, contrast = attributes["skin_type"].astype(str), attributes["contrast"].astype(str)
            attributes["skin_contrast"] = skin + "/" + contrast
            Z = clf.transform(data.images[faces])
            for rule, weigh in RULES.items():
                weights = np.asarray(weigh(Z, attributes), dtype=np.float64)
                row = {"regime": f"{size}px/{n_train}", "seed": seed, "rule": rule}
                rows.append({**row, **boosts(attributes, weights)})
            print(f"  {size}px {n_train} seed {seed}: {time.perf_counter() - start:.0f} s")
    return pd.DataFrame(rows)


def main(argv=None):
    args = parse_args(argv)
    print(f"Machine: {machine()}", flush=True)
    start = time.perf_counter()
    runs = run(args)
    write_csv(runs.round(4).to_dict("records"), "weight_targeting_runs", args.out)
    columns = ["ESS share", *ATTRIBUTES]
    median = runs.groupby(["regime", "rule"], sort=False)[columns].median().reset_index()
    print_table(
        median.round(2).to_dict("records"),
        "Boost of each attribute value (times its share in the data), median over seeds:",
    )
    write_csv(median.round(3).to_dict("records"), "weight_targeting", args.out)
    print(f"\nSettings: regimes {args.regimes}, seeds {args.seeds}, epochs {args.epochs}")
    print(f"Wall time: {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
