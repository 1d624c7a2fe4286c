"""The README's figure and numbers: the demo's setting over K initialisations, at a matched FPR.

Trains the CNN and the DB-VAE of ``make demo`` (the demo's data and budget, the estimators'
defaults) from K initialisations each on the same draw, and the CNN from K more as the null;
scores every run at a matched 5 % false-positive rate (threshold on held-out non-faces) with
:func:`debias_estimators.comparison.compare_methods`; draws each group's median recall with
its range over the initialisations (``docs/_static/demo_group_recall.png``) and prints the
figures the README quotes.

Run ``python benchmarks/readme_figure.py`` (about ten minutes on two CPU cores with one torch
thread), ``--smoke`` for a seconds-long check.
"""

import argparse
import time
from pathlib import Path

import pandas as pd
import torch
from _common import HEADLINE_FIGURES, RESULTS, draw_regime, machine

from debias_estimators import CNNClassifier, DebiasedVAEClassifier
from debias_estimators.comparison import compare_methods

FIGURE = Path(__file__).resolve().parents[1] / "docs" / "_static" / "demo_group_recall.png"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n-init", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", default=None, help="folder for the CSV and the figure")
    parser.add_argument("--smoke", action="store_true", help="tiny run to check the script")
    args = parser.parse_args(argv)
    # The data and budget of ``make demo`` (seed 0: its draws use seeds 0, 10,000 and 20,000).
    args.n_train, args.size, args.epochs, args.n_test = 8000, 32, 6, 250
    if args.smoke:
        args.n_init, args.n_train, args.size, args.epochs, args.n_test = 3, 120, 16, 1, 8
    return args


def group_recall_rows(name, seed, evaluation):
    """Each headline group's recall at the matched FPR, as rows."""
    groups = evaluation.groups[evaluation.groups["operating_point"] == "FPR"]
    return [
        {
            "model": name,
            "init": seed,
            "group": f"{row.skin_type} / {row.gender}",
            "recall": row.recall,
        }
        for row in groups.itertuples()
    ]


def draw(recalls, fpr, path):
    """Median recall per group and model, the bar's whisker the range over initialisations."""
    from matplotlib.figure import Figure

    stats = recalls.groupby(["group", "model"], sort=False)["recall"].agg(["median", "min", "max"])
    groups = list(dict.fromkeys(recalls["group"]))
    models = list(dict.fromkeys(recalls["model"]))
    fig = Figure(figsize=(6.4, 3.6), dpi=120, layout="constrained")
    ax = fig.add_subplot()
    width = 0.8 / len(models)
    for i, model in enumerate(models):
        part = stats.xs(model, level="model").loc[groups]
        x = [g + (i - (len(models) - 1) / 2) * width for g in range(len(groups))]
        errors = [part["median"] - part["min"], part["max"] - part["median"]]
        ax.bar(x, part["median"], width, yerr=errors, capsize=3, label=model)
    ax.set_xticks(range(len(groups)), groups)
    ax.set_ylabel(f"Faces detected at {fpr:.0%} FPR (%)")
    ax.set_ylim(max(0, recalls["recall"].min() - 10), 100)
    n_init = recalls.groupby("model")["init"].nunique().min()
    ax.set_title(f"Median over {n_init} initialisations; whiskers: lowest to highest", fontsize=9)
    ax.legend(fontsize=8, loc="lower right")
    fig.savefig(path)


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    print(f"Machine: {machine()}", flush=True)
    start = time.perf_counter()
    n = args.n_test
    train, test, held_out = draw_regime(args.size, args.n_train, 0, n, 4 * n)
    budget = {"max_epochs": args.epochs}
    rows = []
    comparison = compare_methods(
        {"CNN": CNNClassifier(**budget), "DB-VAE": DebiasedVAEClassifier(**budget)},
        train.images,
        train.target,
        test.images,
        test.target == 1,
        test.attributes,
        held_out.images,
        baseline="CNN",
        n_init=args.n_init,
        callback=lambda name, seed, model, ev: rows.extend(group_recall_rows(name, seed, ev)),
    )
    recalls = pd.DataFrame(rows)
    out = Path(args.out) if args.out else RESULTS
    out.mkdir(parents=True, exist_ok=True)
    figure = FIGURE if args.out is None and not args.smoke else out / FIGURE.name
    draw(recalls[recalls["model"] != comparison.null], 0.05, figure)
    recalls.to_csv(out / "readme_group_recall.csv", index=False)
    comparison.differences.to_csv(out / "readme_differences.csv", index=False)
    medians = recalls.groupby(["model", "group"], sort=False)["recall"].median().unstack()
    print("\nMedian recall per group at 5 % FPR (%):")
    print(medians.round(1).to_string())
    table = comparison.differences[comparison.differences["figure"].isin(HEADLINE_FIGURES)]
    print("\nDifference of medians to the CNN [95 % interval over initialisations]:")
    print(
        table[["method", "figure", "baseline", "value", "low", "high", "verdict"]]
        .round(2)
        .to_string(index=False)
    )
    print(
        f"\nFigure: {figure}\n{args.n_init} initialisations, {args.n_train} training images, "
        f"{args.size} px, {args.epochs} epochs; wall time {time.perf_counter() - start:.0f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
