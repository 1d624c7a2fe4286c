"""The debiasing effect on the synthetic benchmark: the biased CNN against the DB-VAE.

Every model trains on the default skewed draw of ``make_biased_faces`` with the same budget
(epochs, batch size, learning rate) and is scored on the balanced test draw (equal counts of
skin type x gender, faces only, as PPB). The DB-VAE runs over the paper's alpha grid and both
combine rules, each for several seeds. For each setting: E[A] and Var[A] of the four group
accuracies (the paper's Table 1, percent and percent squared), the worst group's accuracy, the
darker-lighter gap, and overall accuracy on a held-out skewed draw (faces and non-faces), each
as mean and standard deviation over seeds.
"""

import argparse
import itertools

import numpy as np
import pandas as pd
from _common import machine, print_table, timed, write_csv

from debias_estimators import CNNClassifier, DebiasedVAEClassifier
from debias_estimators.datasets import make_balanced_faces, make_biased_faces
from debias_estimators.metrics import bias_summary, group_metric_frame

GROUPS = ["skin_type", "gender"]


def _settings(alphas, combines, extra_cached):
    yield "CNN", {}
    for combine, alpha in itertools.product(combines, alphas):
        yield f"DB-VAE {combine} a={alpha:g}", {"alpha": alpha, "combine": combine}
    if extra_cached:
        yield (
            f"DB-VAE max a={alphas[-1]:g} cached",
            {"alpha": alphas[-1], "combine": "max", "resample_latents": "cached"},
        )
    yield "DB-VAE no resampling", {"alpha": None}


def _make(name, params, budget, latent_dim, seed):
    if name == "CNN":
        return CNNClassifier(random_state=seed, **budget)
    return DebiasedVAEClassifier(random_state=seed, latent_dim=latent_dim, **budget, **params)


def _score(clf, test, held_out):
    faces = test.target == 1
    mf = group_metric_frame(
        test.target[faces], clf.predict(test.images[faces]), test.attributes.loc[faces, GROUPS]
    )
    summary = bias_summary(mf, "accuracy")
    by_skin = mf.by_group["accuracy"].groupby(level="skin_type").mean()
    return {
        "E[A]": summary["E[A]"],
        "Var[A]": summary["Var[A]"],
        "worst_group_acc": summary["worst_group_value"],
        "darker_minus_lighter": 100 * (by_skin["darker"] - by_skin["lighter"]),
        "overall_acc": 100 * clf.score(held_out.images, held_out.target),
    }


def _last_ess_percent(clf):
    """Effective sample size of the last epoch's face weights, in % of the faces (NaN if none)."""
    history = getattr(clf, "history_", None)
    if history is None or "sample_ess_fraction" not in history[-1]:
        return float("nan")
    return 100 * history[-1, "sample_ess_fraction"]


def main(argv=None):
    """Train every setting for every seed and print the summary table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-train", type=int, default=8000, help="images, half faces")
    parser.add_argument("--n-test-per-group", type=int, default=250)
    parser.add_argument("--image-size", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--latent-dim", type=int, default=100)
    parser.add_argument("--lr", type=float, default=5e-4)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--alphas", type=float, nargs="+", default=[0.1, 0.05, 0.01, 0.001])
    parser.add_argument("--combines", nargs="+", default=["max", "product", "geometric"])
    parser.add_argument("--no-cached", action="store_true", help="skip the cached-latents run")
    parser.add_argument("--out", default=None, help="folder for the CSV")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, for tests")
    args = parser.parse_args(argv)
    if args.smoke:
        args.n_train, args.n_test_per_group, args.image_size, args.epochs = 120, 8, 16, 1
        args.seeds, args.alphas, args.combines, args.latent_dim = [0], [0.01], ["max"], 4
    print(
        f"debiasing effect: {args.n_train} training images {args.image_size}px, "
        f"{args.epochs} epochs, seeds {args.seeds}; {machine()}"
    )
    runs = []
    for seed in args.seeds:
        half = args.n_train // 2
        train = make_biased_faces(half, half, image_size=args.image_size, random_state=seed)
        test = make_balanced_faces(
            args.n_test_per_group, image_size=args.image_size, random_state=1000 + seed
        )
        held_out = make_biased_faces(
            args.n_test_per_group * 2,
            args.n_test_per_group * 2,
            image_size=args.image_size,
            random_state=2000 + seed,
        )
        for name, params in _settings(args.alphas, args.combines, not args.no_cached):
            budget = {"max_epochs": args.epochs, "lr": args.lr}
            clf = _make(name, params, budget, args.latent_dim, seed)
            _, seconds = timed(clf.fit, train.images, train.target)
            scores = _score(clf, test, held_out)
            ess = _last_ess_percent(clf)
            runs.append({"setting": name, "seed": seed, "fit_s": seconds, **scores, "ess_%": ess})
            print(
                f"  seed {seed} {name}: E[A] {scores['E[A]']:.2f} Var[A] {scores['Var[A]']:.2f} "
                f"ESS {ess:.1f} %"
            )
    frame = pd.DataFrame(runs)
    write_csv(runs, "debiasing_effect_runs", args.out)
    stats = frame.drop(columns="seed").groupby("setting", sort=False).agg(["mean", "std"])
    rows = []
    for setting, row in stats.iterrows():
        out = {"setting": setting}
        metrics = ["E[A]", "Var[A]", "worst_group_acc", "darker_minus_lighter", "overall_acc"]
        for metric in metrics:
            mean, std = row[(metric, "mean")], row[(metric, "std")]
            out[metric] = f"{mean:.2f} ± {0 if np.isnan(std) else std:.2f}"
        out["ess_%"] = row[("ess_%", "mean")]
        out["fit_s"] = row[("fit_s", "mean")]
        rows.append(out)
    print_table(rows, "mean ± std over seeds (accuracies in %, Var[A] in %²)")
    write_csv(rows, "debiasing_effect", args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
