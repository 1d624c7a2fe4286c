"""K initialisations of each method on the same data, scored at a matched operating point.

For one regime (image size x training images x data seed) every setting trains K times from
different initialisations on the same skewed draw of ``make_biased_faces``. Each run saves its
face scores (``predict_proba``) on two held-out sets, so that every figure can be computed
afterwards by the library's own comparison (:mod:`debias_estimators.comparison`):

* **calibration non-faces**, drawn from the training distribution: the threshold that rejects
  ``1 - fpr`` of them is the model's matched operating point;
* **the test draw** of ``make_balanced_faces`` (as many faces of each skin type x gender group,
  other attributes as in training, and non-faces), with every attribute of each face.

The CNN trains 2K times: K initialisations are the baseline and K more (seeds offset by
``NULL_SEED_OFFSET``) are the null, the baseline against itself.

Run one regime, resumably (finished runs are skipped), e.g. two processes side by side::

    python benchmarks/comparison_grid.py run --regime 32:20000 --inits 0 2 4 6
    python benchmarks/comparison_grid.py run --regime 32:20000 --inits 1 3 5 7

and tabulate every finished run with ``python benchmarks/comparison_grid.py table``.
"""

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from _common import HEADLINE_FIGURES, RESULTS, draw_regime, machine

from debias_estimators import CNNClassifier, DebiasedVAEClassifier
from debias_estimators.comparison import compare_runs
from debias_estimators.evaluation import evaluate_scores

# Committed: every figure of the comparison tables is recomputed from these runs.
OUT = Path(__file__).resolve().parent / "comparison_runs"
NULL_SEED_OFFSET = 1000
# key -> (display name, estimator parameters; None is the CNN)
SETTINGS = {
    "cnn": ("CNN", None),
    "cnn_null": ("CNN, other initialisations", None),
    "dbvae_none": ("DB-VAE no resampling", {"alpha": None}),
    "dbvae_paper": ("DB-VAE paper (product, a=0.01)", {"alpha": 0.01, "combine": "product"}),
    "dbvae_lab": ("DB-VAE lab (max, a=1e-3)", {"alpha": 1e-3, "combine": "max"}),
    "dbvae_default": ("DB-VAE library (geometric, a=0.05)", {}),
    "dbvae_difficulty": (
        "DB-VAE difficulty weighting (ESS 0.3)",
        {"weighting": "difficulty"},
    ),
    "dbvae_floor": (
        "DB-VAE max a=1e-3 floor=0.5 warm-up 1",
        {"alpha": 1e-3, "combine": "max", "ess_floor": 0.5, "warmup_epochs": 1},
    ),
}


def parse_regime(spec):
    """``SIZE:N_TRAIN[:DATA_SEED]`` -> (size, n_train, data_seed)."""
    parts = [int(p) for p in spec.split(":")]
    if len(parts) not in (2, 3):
        raise SystemExit(f"--regime: {spec!r} is not SIZE:N_TRAIN[:DATA_SEED]")
    return (*parts, 0) if len(parts) == 2 else tuple(parts)


def regime_dir(out, size, n_train, data_seed):
    return Path(out) / f"{size}px_{n_train}_d{data_seed}"


def make_model(key, init, epochs):
    params = SETTINGS[key][1]
    if key == "cnn_null":
        return CNNClassifier(max_epochs=epochs, random_state=init + NULL_SEED_OFFSET)
    if params is None:
        return CNNClassifier(max_epochs=epochs, random_state=init)
    return DebiasedVAEClassifier(max_epochs=epochs, random_state=init, **params)


def _save_npz(path, **arrays):
    tmp = path.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, **arrays)
    os.replace(tmp, path)


def run(args):
    size, n_train, data_seed = parse_regime(args.regime)
    folder = regime_dir(args.out, size, n_train, data_seed)
    folder.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(args.threads)
    print(f"Machine: {machine()}", flush=True)
    train, test, calibration = draw_regime(
        size, n_train, data_seed, args.n_test_per_group, args.n_calibration
    )
    test_file = folder / "test.csv"
    if not test_file.exists():
        tmp = folder / f"test.{os.getpid()}.csv"
        test.attributes.assign(target=test.target).to_csv(tmp, index=False)
        os.replace(tmp, test_file)
    for init in args.inits:
        for key in args.settings:
            path = folder / f"{key}_{init}.npz"
            if path.exists():
                continue
            model = make_model(key, init, args.epochs)
            start = time.perf_counter()
            model.fit(train.images, train.target)
            fit_s = time.perf_counter() - start
            meta = {
                "setting": SETTINGS[key][0],
                "key": key,
                "init": init,
                "epochs": args.epochs,
                "fit_s": fit_s,
                "threads": torch.get_num_threads(),
                "torch": torch.__version__,
                "machine": machine(),
            }
            _save_npz(
                path,
                calibration=model.predict_proba(calibration.images)[:, 1].astype(np.float32),
                test=model.predict_proba(test.images)[:, 1].astype(np.float32),
                meta=json.dumps(meta),
            )
            print(f"  {folder.name} {key} init {init}: {fit_s:.0f} s", flush=True)


def load_runs(folder, fpr):
    """Score every finished run of one regime; return the runs table and the CNN's skin gaps."""
    test = pd.read_csv(folder / "test.csv")
    faces = (test.pop("target") == 1).to_numpy()
    rows, gaps = [], []
    for path in sorted(folder.glob("*_[0-9]*.npz")):
        with np.load(path) as run:
            meta = json.loads(str(run["meta"]))
            evaluation = evaluate_scores(run["test"], faces, test, run["calibration"], fpr=fpr)
        rows.append(
            {
                "method": meta["setting"],
                "init": meta["init"],
                **evaluation.figures(),
                "fit_s": meta["fit_s"],
                "threads": meta["threads"],
            }
        )
        skin = evaluation.attributes.query("attribute == 'skin_type' and operating_point == 'FPR'")
        recall = skin.set_index("value")["recall"]
        gaps.append({"method": meta["setting"], "gap": recall["lighter"] - recall["darker"]})
    if not rows:  # a regime whose first runs are still training
        return pd.DataFrame(), pd.DataFrame()
    order = {name: i for i, (name, _) in enumerate(SETTINGS.values())}
    runs = pd.DataFrame(rows).sort_values(["method", "init"], key=lambda c: c.map(order).fillna(c))
    return runs.reset_index(drop=True), pd.DataFrame(gaps)


SHOWN = [
    "worst group at FPR",
    "E[A] at FPR",
    "Var[A] at FPR",
    "worst value at FPR",
    "Var values at FPR",
    "min group AUC",
    "non-faces rejected at threshold",
]


def tabulate(args):
    for folder in sorted(p for p in Path(args.out).iterdir() if (p / "test.csv").exists()):
        runs, gaps = load_runs(folder, args.fpr)
        if runs.empty:
            continue
        baseline, null = SETTINGS[args.baseline][0], SETTINGS["cnn_null"][0]
        if baseline not in set(runs.method):
            continue
        # The null is the CNN's retrained against itself: it speaks for a CNN baseline only.
        has_null = args.baseline == "cnn" and null in set(runs.method)
        comparison = compare_runs(runs, baseline, null=null if has_null else None)
        cnn_gap = gaps[gaps.method == SETTINGS["cnn"][0]]["gap"]
        print(
            f"\n== {folder.name}: {len(runs)} runs, fits {runs.fit_s.sum() / 60:.0f} min "
            f"at {sorted(set(runs.threads))} thread(s); matched FPR {args.fpr:.0%}"
        )
        print(
            f"CNN lighter - darker recall gap at the matched FPR: median {cnn_gap.median():.1f} "
            f"points (range {cnn_gap.min():.1f} to {cnn_gap.max():.1f})"
        )
        medians = comparison.summary.pivot(index="method", columns="figure", values="median")
        counts = comparison.summary.groupby("method")["n"].max()
        print(
            medians[SHOWN]
            .assign(K=counts)
            .loc[list(dict.fromkeys(runs.method))]
            .round(2)
            .to_string()
        )
        diffs = comparison.differences[comparison.differences.figure.isin(SHOWN)]
        cells = diffs.apply(
            lambda r: (
                f"{r['difference']:+.2f} [{r['low']:+.2f}, {r['high']:+.2f}] "
                f"{'=' if r['verdict'] == 'within noise' else r['verdict']}"
            ),
            axis=1,
        )
        table = diffs.assign(cell=cells).pivot(index="method", columns="figure", values="cell")
        print(
            f"\nDifference of medians to the {baseline} "
            "[95 % bootstrap interval over initialisations]:"
        )
        print(table[SHOWN].to_string())
        if args.baseline == "cnn":  # the committed tables are against the CNN
            comparison.differences.round(3).to_csv(folder / "differences.csv", index=False)
            comparison.summary.round(3).to_csv(folder / "summary.csv", index=False)
        if args.rst:
            print(rst_rows(folder.name, runs, comparison))


def rst_rows(regime, runs, comparison):
    """Return the rows of the benchmarks page's csv-table: medians, differences, verdicts."""
    summary = comparison.summary.set_index(["method", "figure"])
    differences = comparison.differences.set_index(["method", "figure"])
    lines = []
    for method in dict.fromkeys(runs["method"]):
        cells = [regime, method, str(int(summary.loc[(method, "E[A] at FPR"), "n"]))]
        for figure in HEADLINE_FIGURES:
            median = summary.loc[(method, figure), "median"]
            if (method, figure) in differences.index:
                row = differences.loc[(method, figure)]
                verdict = "" if row["verdict"] == "within noise" else f" {row['verdict']}"
                cells.append(
                    f"{median:.1f} ({row['difference']:+.1f} [{row['low']:+.1f}, "
                    f"{row['high']:+.1f}]{verdict})"
                )
            else:
                cells.append(f"{median:.1f}")
        cells.append(f"{summary.loc[(method, 'min group AUC'), 'median']:.2f}")
        cells.append(f"{summary.loc[(method, 'non-faces rejected at threshold'), 'median']:.1f}")
        lines.append("   " + ", ".join(f'"{c}"' for c in cells))
    return "\n".join(lines)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="a seconds-long run and table")
    parser.add_argument("--out", default=OUT, help="folder of the regimes' runs")
    commands = parser.add_subparsers(dest="command")
    runner = commands.add_parser("run", help="train and score the runs of one regime")
    runner.add_argument("--regime", required=True, help="SIZE:N_TRAIN[:DATA_SEED]")
    runner.add_argument("--inits", type=int, nargs="+", default=list(range(8)))
    runner.add_argument("--settings", nargs="+", default=list(SETTINGS), choices=list(SETTINGS))
    runner.add_argument("--epochs", type=int, default=6)
    runner.add_argument("--threads", type=int, default=1)
    runner.add_argument("--n-test-per-group", type=int, default=500)
    runner.add_argument("--n-calibration", type=int, default=4000)
    table = commands.add_parser("table", help="tabulate the finished runs")
    table.add_argument("--fpr", type=float, default=0.05)
    table.add_argument("--rst", action="store_true", help="also print the docs' table rows")
    table.add_argument(
        "--baseline",
        default="cnn",
        choices=list(SETTINGS),
        help="the setting every other is compared with (default cnn, with its null)",
    )
    args = parser.parse_args(argv)
    if args.smoke:
        # A smoke run never writes into the committed runs.
        args.out = RESULTS / "comparison_smoke" if args.out == OUT else args.out
        smoke = ["--regime", "16:120", "--inits", "0", "1", "2", "--epochs", "1"]
        smoke += ["--settings", "cnn", "cnn_null", "dbvae_default"]
        smoke += ["--n-test-per-group", "8", "--n-calibration", "40"]
        run(parser.parse_args(["--out", str(args.out), "run", *smoke]))
        return parser.parse_args(["--out", str(args.out), "table", "--rst"])
    if args.command is None:
        parser.error("name a command: run or table (or pass --smoke)")
    return args


def main(argv=None):
    args = parse_args(argv)
    if args.command == "run":
        run(args)
    else:
        tabulate(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
