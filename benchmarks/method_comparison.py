"""How do the debiasing methods compare? The CNN, the DB-VAE, label-free baselines, an oracle.

Every method trains with the same budget of epochs on one skewed draw of ``make_biased_faces``
per regime, from several initialisations (``--seeds``), and the CNN from as many more
(``random_state`` + 1,000) as the null. Each run is scored on the balanced test draw of
``make_balanced_faces`` (faces of the four skin type x gender groups, and non-faces) at a
matched operating point: the threshold that accepts 5 % of held-out non-faces of the training
distribution (:func:`debias_estimators.evaluation.evaluate_detector`). The methods:

* every method of the package's registry (``debias_estimators.estimators.all_methods``, one
  row per method: the CNN, the biased baseline, first) at its defaults; those that need groups
  see the training groups, passed as ``sensitive_features``.
* ``Oracle reweighting`` (``--methods`` key ``oracle``): the CNN with ``sample_weight`` the
  inverse frequency of each training
  face's skin type x gender group (non-faces weigh 1, faces weigh 1 on average), computed from
  the training attributes a label-free method never sees.

Per regime (image size x training images) and method it prints the median over the
initialisations of the worst group's recall, E[A], Var[A] and the worst attribute value at the
matched FPR, the difference of each to the CNN's median with a 95 % bootstrap interval and a
verdict (:func:`debias_estimators.comparison.compare_runs`; three initialisations or more), and
the ratio of the mean fit time to the CNN's. With ``--lfw`` every method also trains on
scikit-image's real LFW subset (100 faces, 100 non-faces, 25x25 grey; no group labels, so the
oracle and group DRO are left out there) and is scored by overall accuracy on a fixed
stratified split (70 % train, 30 % test), median and range over the initialisations.

Run ``python benchmarks/method_comparison.py`` (the default: 2 regimes x 3 initialisations x
every method and the null, hours on 2 CPU cores), ``--regimes 32:1000 --seeds 0 1 2 --epochs
2`` for a small real run, or ``--smoke`` for a seconds-long check. Results go to
``benchmarks/results/method_comparison_runs.csv`` and ``method_comparison.csv``.
"""

import argparse
import time

import numpy as np
import pandas as pd
from _common import HEADLINE_FIGURES, draw_regime, machine, print_table, write_csv
from sklearn.model_selection import train_test_split

from debias_estimators import CNNClassifier
from debias_estimators.comparison import NULL_SEED_OFFSET, compare_runs
from debias_estimators.datasets import group_labels, load_lfw_subset, make_biased_faces
from debias_estimators.estimators import all_methods
from debias_estimators.evaluation import evaluate_detector

ORACLE = "Oracle reweighting"
# The CNN from other initialisations: its differences to the CNN are training noise.
NULL = "CNN, other initialisations"
# The registry's methods by display name, then the oracle, which only this benchmark has.
METHODS = {method.name: method for method in all_methods(variants=False)}
ALL_METHODS = [*METHODS, ORACLE]
# --methods takes the registry's keys (cnn, dbvae, ...) and "oracle".
KEYS = {**{method.key: name for name, method in METHODS.items()}, "oracle": ORACLE}
# Methods that need the training groups (absent on the LFW subset).
NEEDS_GROUPS = {name for name, method in METHODS.items() if method.needs_groups} | {ORACLE}


def available_methods():
    """Return the keys of every method, in the registry's order, the oracle last."""
    return list(KEYS)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--regimes", nargs="+", default=["32:4000", "64:4000"], help="SIZE:N_TRAIN pairs"
    )
    parser.add_argument(
        "--seeds", type=int, nargs="+", default=[0, 1, 2], help="initialisations of each method"
    )
    parser.add_argument("--data-seed", type=int, default=0, help="seed of the data draws")
    parser.add_argument(
        "--methods", nargs="+", default=None, help=f"from {', '.join(KEYS)} (default: all)"
    )
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--n-test-per-group", type=int, default=250)
    parser.add_argument("--lfw", action="store_true", help="also train on the real LFW subset")
    parser.add_argument("--out", default=None, help="folder for the CSV files")
    parser.add_argument("--smoke", action="store_true", help="tiny run to check the script")
    args = parser.parse_args(argv)
    if args.smoke:
        args.regimes, args.seeds, args.epochs, args.n_test_per_group = ["16:120"], [0], 1, 8
        args.lfw = True
    available = available_methods()
    unknown = [m for m in args.methods or () if m not in available]
    if unknown:
        parser.error(f"unknown methods {unknown}; available: {available}")
    args.methods = [KEYS[key] for key in args.methods or available]
    args.regimes = [tuple(int(v) for v in regime.split(":")) for regime in args.regimes]
    return args


def make_model(method, args, seed):
    """Return the estimator of ``method`` with the shared budget."""
    budget = {"max_epochs": args.epochs, "random_state": seed}
    if method == ORACLE:
        return CNNClassifier(**budget)
    return METHODS[method].estimator(**budget)


def oracle_weights(attributes, target):
    """Inverse frequency of each face's group (faces average 1); non-faces weigh 1."""
    keys = pd.Series(group_labels(attributes))
    faces = np.asarray(target) == 1
    counts = keys[faces].map(keys[faces].value_counts())
    weights = np.ones(len(keys))
    inverse = 1.0 / counts.to_numpy(dtype=float)
    weights[faces] = inverse * (faces.sum() / inverse.sum())
    return weights


def fit(clf, method, X, y, attributes=None):
    """Fit ``clf`` as ``method`` fits; return the fit time in seconds."""
    kwargs = {}
    if method == ORACLE:
        kwargs["sample_weight"] = oracle_weights(attributes, y)
    elif method in NEEDS_GROUPS:
        kwargs["sensitive_features"] = group_labels(attributes)
    start = time.perf_counter()
    clf.fit(X, y, **kwargs)
    return time.perf_counter() - start


def warm_up(args):
    """Fit every method once on a few images, untimed: the first fit pays torch's start-up."""
    size = args.regimes[0][0]
    data = make_biased_faces(16, 16, size, random_state=0)
    for method in args.methods:
        fit(make_model(method, args, 0), method, data.images, data.target, data.attributes)


def run(args):
    """Train every method from each seed on one draw per regime; score at the matched FPR."""
    rows = []
    for size, n_train in args.regimes:
        n = args.n_test_per_group
        train, test, held_out = draw_regime(size, n_train, args.data_seed, n, 4 * n)
        plan = [(method, 0) for method in args.methods]
        if "CNN" in args.methods:
            plan.append((NULL, NULL_SEED_OFFSET))
        for seed in args.seeds:
            for method, offset in plan:
                source = "CNN" if method == NULL else method
                clf = make_model(source, args, seed + offset)
                fit_s = fit(clf, source, train.images, train.target, train.attributes)
                evaluation = evaluate_detector(
                    clf, test.images, test.target == 1, test.attributes, held_out.images
                )
                figures = evaluation.figures()
                row = {"data": f"{size}px/{n_train}", "method": method, "seed": seed + offset}
                rows.append({**row, **figures, "fit_s": fit_s})
                print(
                    f"  {size}px {n_train} seed {seed + offset} {method}: worst group "
                    f"{figures['worst group at FPR']:.1f} E[A] {figures['E[A] at FPR']:.2f} "
                    f"Var[A] {figures['Var[A] at FPR']:.2f} at 5 % FPR ({fit_s:.1f} s)",
                    flush=True,
                )
    return pd.DataFrame(rows)


def run_lfw(args):
    """Overall accuracy on the real LFW subset, a fixed stratified split, every seed."""
    X, y = load_lfw_subset(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, stratify=y, random_state=0
    )
    rows = []
    for seed in args.seeds:
        for method in [m for m in args.methods if m not in NEEDS_GROUPS]:
            clf = make_model(method, args, seed)
            fit_s = fit(clf, method, X_train, y_train)
            accuracy = 100 * clf.score(X_test, y_test)
            rows.append(
                {
                    "data": "LFW",
                    "method": method,
                    "seed": seed,
                    "accuracy": accuracy,
                    "fit_s": fit_s,
                }
            )
            print(
                f"  LFW seed {seed} {method}: accuracy {accuracy:.1f} ({fit_s:.1f} s)", flush=True
            )
    return pd.DataFrame(rows)


def _fit_ratio(runs, data, part):
    cnn = runs[(runs["data"] == data) & (runs["method"] == "CNN")]["fit_s"]
    return round(part["fit_s"].mean() / cnn.mean(), 2) if len(cnn) else float("nan")


def summary(runs):
    """Per regime and method: medians at the matched FPR, differences to the CNN, verdicts."""
    out = []
    for data, regime in runs.groupby("data", sort=False):
        has_null = NULL in set(regime["method"])
        comparison = compare_runs(
            regime, "CNN", null=NULL if has_null else None, figures=HEADLINE_FIGURES
        )
        medians = comparison.summary.set_index(["method", "figure"])["median"]
        differences = comparison.differences.set_index(["method", "figure"])
        for method, part in regime.groupby("method", sort=False):
            row = {"data": data, "method": method, "initialisations": len(part)}
            for figure in HEADLINE_FIGURES:
                cell = f"{medians[(method, figure)]:.2f}"
                if (method, figure) in differences.index:
                    d = differences.loc[(method, figure)]
                    cell += f" ({d['difference']:+.2f} [{d['low']:+.2f}, {d['high']:+.2f}] "
                    cell += f"{d['verdict']})"
                row[figure] = cell
            row["fit time / CNN"] = _fit_ratio(runs, data, part)
            out.append(row)
    return pd.DataFrame(out)


def lfw_summary(runs):
    """Per method on LFW: median accuracy and its range over the initialisations."""
    out = []
    for method, part in runs.groupby("method", sort=False):
        accuracy = part["accuracy"]
        out.append(
            {
                "data": "LFW",
                "method": method,
                "initialisations": len(part),
                "accuracy": f"{accuracy.median():.2f} [{accuracy.min():.2f}, {accuracy.max():.2f}]",
                "fit time / CNN": _fit_ratio(runs, "LFW", part),
            }
        )
    return pd.DataFrame(out)


def main(argv=None):
    args = parse_args(argv)
    print(f"Machine: {machine()}", flush=True)
    print(f"Methods: {args.methods}", flush=True)
    start = time.perf_counter()
    warm_up(args)
    runs = run(args)
    tables = [summary(runs)]
    if args.lfw:
        lfw = run_lfw(args)
        runs = pd.concat([runs, lfw], ignore_index=True)
        tables.append(lfw_summary(lfw))
    write_csv(runs.to_dict("records"), "method_comparison_runs", args.out)
    table = pd.concat(tables, ignore_index=True).fillna("")
    title = (
        "Median over initialisations at a matched 5 % FPR (recall and E[A] in %, Var[A] in %²); "
        "in brackets the difference to the CNN's median, its 95 % interval and the verdict:"
    )
    print_table(table.to_dict("records"), title)
    write_csv(table.to_dict("records"), "method_comparison", args.out)
    settings = {k: v for k, v in vars(args).items() if k != "out"}
    print(f"\nSettings: {settings}")
    print(f"Wall time: {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
