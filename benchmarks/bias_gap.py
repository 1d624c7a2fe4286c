"""How much worse does the standard CNN find rare faces? The bias gap of the baseline.

Trains ``CNNClassifier`` on the default skewed draw of ``make_biased_faces`` (darker skin
5 % of faces) and measures its recall per skin type x gender group on the balanced test draw
of ``make_balanced_faces``, for several seeds and in several regimes (image size x number of
training images; by default 32 and 64 pixels x 4,000 and 20,000 images). With ``--control``
it also trains on a draw balanced by skin type (everything else equal): the gap that remains
there is what darker faces cost intrinsically, the difference is what their rarity costs.
``--darker-shares 0.1`` also trains on draws with 10 % darker faces: what twice as many
(fresh) darker faces would buy, a ceiling for a resampler that draws them twice as often.

Run ``python benchmarks/bias_gap.py`` (about 30 minutes on 2 CPU cores for the four regimes,
twice that with ``--control``; ``--image-sizes 32 --n-trains 4000`` for one regime) or
``--smoke`` for a seconds-long check. Results go to ``benchmarks/results/bias_gap.csv``.
"""

import argparse
import itertools
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from _common import GROUPS, RESULTS, machine, skin_proportions

from debias_estimators import CNNClassifier
from debias_estimators.datasets import make_balanced_faces, make_biased_faces


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument(
        "--n-trains", type=int, nargs="+", default=[4000, 20000], help="images, half faces"
    )
    parser.add_argument("--n-test-per-group", type=int, default=250)
    parser.add_argument("--image-sizes", type=int, nargs="+", default=[32, 64])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--control", action="store_true", help="also train skin-balanced")
    parser.add_argument(
        "--darker-shares",
        type=float,
        nargs="+",
        default=[],
        help="also train on draws with these shares of darker faces (e.g. 0.1: twice the default)",
    )
    parser.add_argument("--smoke", action="store_true", help="tiny run to check the script")
    parser.add_argument("--out", type=Path, default=RESULTS / "bias_gap.csv")
    args = parser.parse_args(argv)
    if args.smoke:
        args.seeds, args.n_trains, args.n_test_per_group, args.epochs = [0], [200], 10, 1
        args.image_sizes = [32]
    return args


def recall_table(clf, test):
    """Recall per skin type x gender group and for each skin type, on the faces of ``test``."""
    faces = test.target == 1
    frame = test.attributes[faces].copy()
    frame["detected"] = clf.predict(test.images[faces]) == 1
    table = frame.groupby(GROUPS, observed=True)["detected"].mean()
    by_skin = frame.groupby("skin_type", observed=True)["detected"].mean()
    for skin, value in by_skin.items():
        table[(skin, "all")] = value
    specificity = 1 - clf.predict(test.images[~faces]).mean() if (~faces).any() else np.nan
    return table, specificity


def run_seed(seed, args, regime, proportions, train_name):
    start = time.perf_counter()
    size, n_train = regime
    half = n_train // 2
    train = make_biased_faces(half, half, size, proportions, random_state=seed)
    test = make_balanced_faces(
        args.n_test_per_group, 4 * args.n_test_per_group, size, random_state=10_000 + seed
    )
    torch.manual_seed(seed)
    clf = CNNClassifier(
        n_filters=12, max_epochs=args.epochs, batch_size=32, lr=5e-4, random_state=seed, verbose=0
    )
    clf.fit(train.images, train.target)
    table, specificity = recall_table(clf, test)
    where = {"image_size": size, "n_train": n_train, "train": train_name, "seed": seed}
    rows = [{**where, "skin_type": s, "gender": g, "recall": r} for (s, g), r in table.items()]
    rows.append({**where, "skin_type": "non-faces", "gender": "all", "recall": specificity})
    print(f"  {size}px {n_train} {train_name} seed {seed}: {time.perf_counter() - start:.0f} s")
    return rows


def report(frame):
    for (size, n_train), part in frame.groupby(["image_size", "n_train"], sort=False):
        print(f"\n=== {size}x{size} pixels, {n_train} training images ===")
        report_regime(part)
    print("\nGap lighter - darker recall (points) by regime, mean [min, max] over seeds:")
    print(gap_table(frame).to_string())


def gap_table(frame):
    """Lighter minus darker recall per regime and training draw, over seeds."""
    faces = frame[frame.gender == "all"].pivot_table(
        index=["image_size", "n_train", "train", "seed"], columns="skin_type", values="recall"
    )
    gap = 100 * (faces["lighter"] - faces["darker"])
    by = gap.groupby(["image_size", "n_train", "train"], sort=False)
    return pd.DataFrame({"mean": by.mean(), "min": by.min(), "max": by.max()}).round(1)


def report_regime(frame):
    faces = frame[frame.skin_type != "non-faces"]
    for train_name, part in faces.groupby("train", sort=False):
        wide = part.pivot_table(index=["skin_type", "gender"], columns="seed", values="recall")
        wide["mean"] = wide.mean(axis=1)
        wide = wide.reindex(
            [(s, g) for s in ("lighter", "darker") for g in ("female", "male", "all")]
        )
        print(f"\nRecall of faces by group, trained on the {train_name} draw:")
        print((100 * wide).round(1).to_string())
        gap = wide.loc[("lighter", "all")] - wide.loc[("darker", "all")]
        print(
            "Gap lighter - darker (points): "
            + "  ".join(f"{c}: {100 * v:.1f}" for c, v in gap.items())
        )
        spec = frame[(frame.train == train_name) & (frame.skin_type == "non-faces")]
        print(f"Specificity on non-faces (mean): {100 * spec.recall.mean():.1f} %")


def main(argv=None):
    args = parse_args(argv)
    print(f"Machine: {machine()}", flush=True)
    start = time.perf_counter()
    plans = [("skewed", None)] + (
        [("skin-balanced", skin_proportions(0.5))] if args.control else []
    )
    for share in args.darker_shares:
        if not 0 < share < 1:
            raise SystemExit(f"--darker-shares: {share} is not between 0 and 1")
        plans.append((f"darker {100 * share:g} %", skin_proportions(share)))
    rows = []
    for regime in itertools.product(args.image_sizes, args.n_trains):
        for train_name, proportions in plans:
            for seed in args.seeds:
                rows += run_seed(seed, args, regime, proportions, train_name)
    frame = pd.DataFrame(rows)
    report(frame)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(args.out, index=False)
    print(f"\nSettings: {vars(args)}")
    print(f"Wall time: {time.perf_counter() - start:.0f} s; results in {args.out}")


if __name__ == "__main__":
    main()
