"""How do the debiasing methods compare? The CNN, the DB-VAE, label-free baselines, an oracle.

Every method trains with the same budget of epochs on the default skewed draw of
``make_biased_faces`` and is scored on the balanced test draw of ``make_balanced_faces`` (faces
of the four skin type x gender groups, and non-faces): E[A], Var[A] and the worst group's recall
(the DB-VAE paper's Table 1, in % and %²), the non-face accuracy and the fit time. The methods:

* every method of the package's registry (``debias_estimators.estimators.all_methods``, one
  row per method: the CNN, the biased baseline, first) at its defaults; those that need groups
  see the training groups, passed as ``sensitive_features``.
* ``Oracle reweighting`` (``--methods`` key ``oracle``): the CNN with ``sample_weight`` the
  inverse frequency of each training
  face's skin type x gender group (non-faces weigh 1, faces weigh 1 on average), computed from
  the training attributes a label-free method never sees.

Per regime (image size x training images) and method it prints each figure as mean ± spread over
the seeds (spread: half the range, max - min over 2), and the ratio of the mean fit time to the
CNN's. With ``--lfw`` every method also trains on scikit-image's real LFW subset (100 faces, 100
non-faces, 25x25 grey; no group labels, so the oracle and group DRO are left out there) and is
scored by overall accuracy on a fixed stratified split (70 % train, 30 % test).

Run ``python benchmarks/method_comparison.py`` (the default: 2 regimes x 3 seeds x every
method, hours on 2 CPU cores), ``--regimes 32:1000 --seeds 0 --epochs 2`` for a small real run,
or ``--smoke`` for a seconds-long check. Results go to
``benchmarks/results/method_comparison_runs.csv`` and ``method_comparison.csv``.
"""

import argparse
import time

import numpy as np
import pandas as pd
from _common import GROUPS, group_scores, machine, print_table, write_csv
from sklearn.model_selection import train_test_split

from debias_estimators import CNNClassifier
from debias_estimators.datasets import load_lfw_subset, make_balanced_faces, make_biased_faces
from debias_estimators.estimators import all_methods

ORACLE = "Oracle reweighting"
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
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
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


def group_keys(attributes):
    """One label per training sample: ``skin_type/gender`` for faces, ``non-face`` otherwise."""
    skin, gender = (attributes[column].astype(object).to_numpy() for column in GROUPS)
    keys = np.array([f"{s}/{g}" for s, g in zip(skin, gender, strict=True)], dtype=object)
    return np.where(attributes[GROUPS].isna().any(axis=1).to_numpy(), "non-face", keys)


def oracle_weights(attributes, target):
    """Inverse frequency of each face's group (faces average 1); non-faces weigh 1."""
    keys = pd.Series(group_keys(attributes))
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
        kwargs["sensitive_features"] = group_keys(attributes)
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
    rows = []
    for size, n_train in args.regimes:
        for seed in args.seeds:
            half = n_train // 2
            train = make_biased_faces(half, half, size, random_state=seed)
            n = args.n_test_per_group
            test = make_balanced_faces(n, 4 * n, size, random_state=10_000 + seed)
            for method in args.methods:
                clf = make_model(method, args, seed)
                fit_s = fit(clf, method, train.images, train.target, train.attributes)
                row = {"data": f"{size}px/{n_train}", "method": method, "seed": seed}
                rows.append({**row, **group_scores(clf, test), "fit_s": fit_s})
                print(
                    f"  {size}px {n_train} seed {seed} {method}: E[A] {rows[-1]['E[A]']:.2f} "
                    f"Var[A] {rows[-1]['Var[A]']:.2f} worst {rows[-1]['worst_group']:.1f} "
                    f"non-faces {rows[-1]['nonface_acc']:.1f} ({fit_s:.1f} s)",
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


def _mean_spread(values):
    values = values.dropna()
    if values.empty:
        return "-"
    return f"{values.mean():.2f} ± {(values.max() - values.min()) / 2:.2f}"


def summary(runs, metrics):
    """Per data set and method: each metric as mean ± spread, and the fit-time ratio to the CNN."""
    out = []
    for (data, method), part in runs.groupby(["data", "method"], sort=False):
        cnn = runs[(runs["data"] == data) & (runs["method"] == "CNN")]["fit_s"]
        ratio = part["fit_s"].mean() / cnn.mean() if len(cnn) else float("nan")
        row = {"data": data, "method": method, "seeds": len(part)}
        row.update({metric: _mean_spread(part[metric]) for metric in metrics})
        row["fit s"] = _mean_spread(part["fit_s"])
        row["fit time / CNN"] = round(ratio, 2)
        out.append(row)
    return pd.DataFrame(out)


def main(argv=None):
    args = parse_args(argv)
    print(f"Machine: {machine()}", flush=True)
    print(f"Methods: {args.methods}", flush=True)
    start = time.perf_counter()
    warm_up(args)
    runs = run(args)
    tables = [summary(runs, ["E[A]", "Var[A]", "worst_group", "nonface_acc"])]
    if args.lfw:
        lfw = run_lfw(args)
        runs = pd.concat([runs, lfw], ignore_index=True)
        tables.append(summary(lfw, ["accuracy"]))
    write_csv(runs.to_dict("records"), "method_comparison_runs", args.out)
    table = pd.concat(tables, ignore_index=True).fillna("")
    title = "Mean ± spread (half the range) over seeds (accuracies in %, Var[A] in %²):"
    print_table(table.to_dict("records"), title)
    write_csv(table.to_dict("records"), "method_comparison", args.out)
    settings = {k: v for k, v in vars(args).items() if k != "out"}
    print(f"\nSettings: {settings}")
    print(f"Wall time: {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
