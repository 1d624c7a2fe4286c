"""Which faces does each weighting reach? The targeting yardstick, at one effective sample size.

A DB-VAE is trained at its defaults on the skewed draw of ``make_biased_faces``. Every
candidate weighting of its training faces (``_targeting_rules.RULES``: the paper's histogram
rules, cross-fitted difficulty alone, smoothed or combined with latent rarity, GEORGE-style
clusters, an error model on the latent means, a density ratio, and two references that read
the labels) is brought to the same effective sample size (``--ess``, 30 % of the faces by
default) by the one exponent on its log-weights that reaches it: a flat rule is sharpened, a
steep one tempered (``debias_estimators.resampling.weights_at_ess``). For every attribute value
the script reports the *boost*: its share of the resampled mass over its share of the faces.

Beside the boosts stands which values the detector actually misses more: the recall of every
value from cross-fitted predictions (``--folds`` DB-VAEs, each trained on the other folds, their
classifier head scoring the held-out faces), and the *miss ratio*, a value's out-of-fold miss
rate over all faces' miss rate. The full model's recall on fresh faces is printed too. A
weighting targets well when it boosts darker faces strongly and boosts no value that the
detector does not miss more.

Run ``python benchmarks/weight_targeting.py`` (about a minute and a half per seed on one CPU
thread, at the defaults) or ``--smoke``.
"""

import argparse
import time

import numpy as np
import pandas as pd
import torch
from _common import machine, print_table, write_csv
from _targeting import boosts, recalls, weights_at_ess
from _targeting_rules import RULES, Signals
from sklearn.model_selection import StratifiedKFold

from debias_estimators import DebiasedVAEClassifier
from debias_estimators.datasets import make_biased_faces

DARKER = "skin_type=darker"
BOOSTED, MISSED_MORE = 1.5, 1.25  # a boost this large needs a miss ratio at least this large


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--regime", default="32:8000", help="image size:training images")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--folds", type=int, default=2, help="cross-fitting folds")
    parser.add_argument("--ess", type=float, default=0.3, help="effective sample size share")
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    parser.add_argument("--out", default=None, help="folder for the CSV files")
    parser.add_argument(
        "--dbvae",
        nargs="+",
        default=[],
        metavar="NAME=VALUE",
        help="parameters of every DB-VAE trained, to shape its latent space, e.g. latent_dim=8 "
        "kl_weight=0.005 (default: the estimator's)",
    )
    parser.add_argument("--smoke", action="store_true", help="tiny run to check the script")
    args = parser.parse_args(argv)
    args.dbvae = dict(_parameter(text, parser) for text in args.dbvae)
    try:  # a bad value stops before training
        DebiasedVAEClassifier(**args.dbvae)._validate_params()
    except ValueError as error:
        parser.error(f"--dbvae: {error}")
    if args.smoke:
        args.regime, args.seeds, args.epochs = "16:240", [0], 1
    args.size, args.n_train = (int(v) for v in args.regime.split(":"))
    return args


# Set by the script itself for every DB-VAE it trains.
_SET_HERE = {"max_epochs", "random_state", "warm_start"}
_WORDS = {"none": None, "true": True, "false": False}


def _parameter(text, parser):
    """``name=value`` -> (name, value): an int, a float, none/true/false, or else the text."""
    name, sep, value = text.partition("=")
    if not sep or name not in DebiasedVAEClassifier().get_params() or name in _SET_HERE:
        parser.error(
            f"--dbvae: {text!r} is not NAME=VALUE for a DebiasedVAEClassifier parameter the "
            f"script does not set itself ({', '.join(sorted(_SET_HERE))})"
        )
    if value.lower() in _WORDS:
        return name, _WORDS[value.lower()]
    for kind in (int, float):
        try:
            return name, kind(value)
        except ValueError:
            pass
    return name, value


def _log_loss(p_face):
    return -np.log(np.clip(p_face, 1e-7, 1 - 1e-7))


def train(args, seed):
    """Fit the full model and the cross-fitted ones; return the signals and the recalls."""
    data = make_biased_faces(args.n_train // 2, args.n_train // 2, args.size, random_state=seed)
    X, y, faces = data.images, data.target, data.target == 1
    # The full model: one epoch first, to read each face's early training loss, then the rest.
    clf = DebiasedVAEClassifier(max_epochs=1, warm_start=True, random_state=seed, **args.dbvae)
    clf.fit(X, y)
    early_loss = _log_loss(clf.predict_proba(X[faces])[:, 1])
    if args.epochs > 1:
        clf.set_params(max_epochs=args.epochs - 1).fit(X, y)
    Z = clf.transform(X[faces])
    # Cross-fitting: each face is scored by a DB-VAE that did not train on it.
    oof = np.empty(len(y))
    splits = StratifiedKFold(args.folds, shuffle=True, random_state=seed).split(X, y)
    for fold, (fit_rows, held_out) in enumerate(splits, start=1):
        model = DebiasedVAEClassifier(
            max_epochs=args.epochs, random_state=seed + 100 * fold, **args.dbvae
        )
        oof[held_out] = model.fit(X[fit_rows], y[fit_rows]).predict_proba(X[held_out])[:, 1]
    attributes = data.attributes[faces].reset_index(drop=True)
    signals = Signals(Z, _log_loss(oof[faces]), oof[faces] < 0.5, early_loss, attributes)
    test = make_biased_faces(args.n_train // 2, 20, args.size, random_state=seed + 1000)
    test_faces = test.target == 1
    on_test = clf.predict(test.images[test_faces]) == 1
    recall = recalls(attributes, ~signals.error).rename(columns={"recall": "OOF recall"})
    test_recall = recalls(test.attributes[test_faces].reset_index(drop=True), on_test)
    recall = recall.merge(test_recall.rename(columns={"recall": "test recall"}), how="left")
    miss_all = 1 - recall["OOF recall"].iloc[0]
    recall["miss ratio"] = (1 - recall["OOF recall"]) / miss_all if miss_all > 0 else np.nan
    return signals, recall


def run(args):
    boost_rows, recall_rows = [], []
    for seed in args.seeds:
        start = time.perf_counter()
        signals, recall = train(args, seed)
        recall_rows.append(recall.assign(seed=seed))
        for code, _, rule in RULES:
            log_w = np.asarray(rule(signals), dtype=np.float64)
            weights, exponent, reached = weights_at_ess(log_w, args.ess)
            table = boosts(signals.attributes, weights)
            boost_rows.append(table.assign(seed=seed, rule=code, exponent=exponent, ess=reached))
        print(f"  seed {seed}: {time.perf_counter() - start:.0f} s", flush=True)
    return pd.concat(boost_rows, ignore_index=True), pd.concat(recall_rows, ignore_index=True)


def _range(values, digits=2):
    return f"{values.median():.{digits}f} [{values.min():.{digits}f}-{values.max():.{digits}f}]"


def summarise(boost_runs, recall_runs):
    """Per rule and value: boost median, min and max; per value: recalls and miss ratio."""
    columns = ["OOF recall", "test recall", "miss ratio"]
    recall = recall_runs.groupby("value", sort=False)[columns].median().add_suffix(" median")
    recall["OOF recall range"] = recall_runs.groupby("value", sort=False)["OOF recall"].agg(
        lambda v: f"{v.min():.3f}-{v.max():.3f}"
    )
    grouped = boost_runs.groupby(["rule", "value"], sort=False)["boost"]
    summary = grouped.agg(["median", "min", "max"]).add_prefix("boost ").reset_index()
    return summary.merge(recall, left_on="value", right_index=True, how="left"), recall


def verdicts(summary, boost_runs):
    """One line per rule: darker boost, the most boosted value, boosts the misses do not back."""
    rows = []
    for code, name, _ in RULES:
        table = summary[summary["rule"] == code].set_index("value")
        runs = boost_runs[boost_runs["rule"] == code]
        darker = runs.loc[runs["value"] == DARKER, "boost"]
        top = table["boost median"].idxmax()
        unbacked = table[
            (table["boost median"] >= BOOSTED) & (table["miss ratio median"] < MISSED_MORE)
        ]
        rows.append(
            {
                "rule": code,
                "weighting": name,
                "exponent": runs.groupby("seed")["exponent"].first().median(),
                "darker boost": _range(darker),
                "shadow boost": _range(runs.loc[runs["value"] == "contrast=low", "boost"]),
                "most boosted": f"{top} {table.loc[top, 'boost median']:.2f}",
                "its miss ratio": table.loc[top, "miss ratio median"],
                "boosted, not missed more": ", ".join(
                    f"{v} {b:.2f}" for v, b in unbacked["boost median"].items()
                )
                or "-",
                "goal": "yes" if darker.median() >= 4 and unbacked.empty else "no",
            }
        )
    return pd.DataFrame(rows)


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    print(f"Machine: {machine()}", flush=True)
    start = time.perf_counter()
    boost_runs, recall_runs = run(args)
    write_csv(boost_runs.round(4).to_dict("records"), "weight_targeting_runs", args.out)
    write_csv(recall_runs.round(4).to_dict("records"), "weight_targeting_recall_runs", args.out)
    summary, recall = summarise(boost_runs, recall_runs)
    write_csv(summary.round(4).to_dict("records"), "weight_targeting", args.out)
    print_table(
        recall.reset_index().round(3).to_dict("records"),
        "Which values the detector misses: out-of-fold recall (median, range over seeds), the "
        "full model's recall on fresh faces, and the miss ratio (a value's OOF miss rate / all):",
    )
    wide = summary.pivot(index="value", columns="rule", values="boost median")
    values = [value for value in recall.index if value != "all"]
    wide = wide.reindex(index=values, columns=[code for code, _, _ in RULES])
    wide.insert(0, "miss ratio", recall["miss ratio median"])
    print_table(
        wide.reset_index().round(2).to_dict("records"),
        f"Boost of every value at an ESS of {args.ess:.0%} of the faces (median over seeds):",
    )
    table = verdicts(summary, boost_runs)
    write_csv(table.round(3).to_dict("records"), "weight_targeting_verdicts", args.out)
    print_table(
        table.round(2).to_dict("records"),
        f"Per weighting (median [min-max] over seeds; goal: darker >= 4x and no value boosted "
        f">= {BOOSTED}x with a miss ratio under {MISSED_MORE}):",
    )
    print(
        f"\nSettings: {args.size} px, {args.n_train // 2} faces + {args.n_train // 2} non-faces, "
        f"seeds {args.seeds}, {args.epochs} epochs, {args.folds} folds, ESS {args.ess}, "
        f"{args.threads} torch thread(s); DB-VAE {args.dbvae or 'defaults'}"
    )
    print(f"Wall time: {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
