"""Which resampling setting debiases on every seed? Regimes x seeds x settings, against the CNN.

Every model trains on the default skewed draw of ``make_biased_faces`` with the same budget and
is scored on the balanced test draw of ``make_balanced_faces`` (faces of the four skin type x
gender groups, and non-faces). For each regime (image size x training images), setting and
seed it records E[A], Var[A] and the worst group's recall (the paper's Table 1, in % and %²),
the non-face accuracy and the fit time; then, per setting, it compares each seed with the CNN
of the same seed and prints the median and the worst seed: the reduction of Var[A], the change
of E[A], of the worst group and of non-face accuracy, and how many seeds lowered Var[A].

It also scores every model as a user without group labels would: ``WorstClusterRecall`` on a
fresh validation draw from the training distribution (faces and non-faces, no groups). Per
regime and seed, the setting that this label-free score picks is compared with the one an
oracle picks by worst-group recall on the balanced test draw.

A regime ``SIZE:N_TRAIN:balanced`` trains on a draw with as many darker as lighter faces, where
the CNN is nearly unbiased: there the DB-VAE should do no harm.

The setting "CNN, another initialisation" is the null: the CNN on the same data from another
seed. Its changes against the CNN are training noise, the yardstick for every other setting.

Run ``python benchmarks/debiasing_grid.py`` (the default grid: about an hour on 2 CPU cores),
``--regimes 32:4000`` for one regime, or ``--smoke`` for a seconds-long check. Results go to
``benchmarks/results/debiasing_grid_runs.csv`` and ``debiasing_grid.csv``; ``--from-runs`` tabulates
the runs files of several invocations (e.g. regimes run in parallel) together.
"""

import argparse
import time

import pandas as pd
from _common import group_scores, machine, print_table, skin_proportions, write_csv
from scipy.stats import binomtest

from debias_estimators import CNNClassifier, DebiasedVAEClassifier
from debias_estimators.datasets import make_balanced_faces, make_biased_faces
from debias_estimators.metrics import WorstClusterRecall

# The CNN of the same data, trained from another initialisation and batch order: its changes
# against the CNN are the training noise that any setting's changes must stand out from.
NULL = "CNN, another initialisation"
# Added to the seed of the NULL setting's CNN.
NULL_SEED_OFFSET = 1000
# name -> DebiasedVAEClassifier parameters (None: the CNN).
SETTINGS = {
    "CNN": None,
    NULL: None,
    "DB-VAE no resampling": {"alpha": None},
    "DB-VAE lab (max, a=1e-3)": {"alpha": 1e-3, "combine": "max", "ess_floor": None},
    "DB-VAE paper (product, a=0.01)": {"alpha": 0.01, "combine": "product", "ess_floor": None},
    "DB-VAE geometric a=0.05": {"alpha": 0.05, "combine": "geometric", "ess_floor": None},
    "DB-VAE geometric a=0.05 warm-up 1": {
        "alpha": 0.05,
        "combine": "geometric",
        "ess_floor": None,
        "warmup_epochs": 1,
    },
    "DB-VAE max a=0.01": {"alpha": 0.01, "combine": "max", "ess_floor": None},
    "DB-VAE max a=1e-3 floor=0.5 warm-up 1": {
        "alpha": 1e-3,
        "combine": "max",
        "ess_floor": 0.5,
        "warmup_epochs": 1,
    },
    "DB-VAE product a=0.01 floor=0.5 warm-up 1": {
        "alpha": 0.01,
        "combine": "product",
        "ess_floor": 0.5,
        "warmup_epochs": 1,
    },
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--regimes",
        nargs="+",
        default=["32:4000", "64:4000"],
        help="SIZE:N_TRAIN pairs; SIZE:N_TRAIN:balanced trains on a draw balanced by skin type",
    )
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--settings", nargs="+", default=list(SETTINGS), choices=list(SETTINGS))
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--latent-dim", type=int, default=100)
    parser.add_argument("--n-test-per-group", type=int, default=250)
    parser.add_argument("--out", default=None, help="folder for the CSV files")
    parser.add_argument(
        "--from-runs",
        nargs="+",
        metavar="CSV",
        help="tabulate debiasing_grid_runs.csv files of earlier runs instead of training",
    )
    parser.add_argument("--smoke", action="store_true", help="tiny run to check the script")
    args = parser.parse_args(argv)
    if args.smoke:
        args.regimes, args.seeds, args.epochs = ["16:120", "16:120:balanced"], [0], 1
        args.n_test_per_group = 8
        args.settings, args.latent_dim = ["CNN", NULL, "DB-VAE max a=1e-3 floor=0.5 warm-up 1"], 4
    args.regimes = [_regime(spec) for spec in args.regimes]
    return args


def _regime(spec):
    """``SIZE:N_TRAIN[:balanced]`` -> (size, n_train, proportions of the training draw)."""
    size, n_train, *draw = spec.split(":")
    if draw not in ([], ["balanced"]):
        raise SystemExit(f"--regimes: {spec!r} is not SIZE:N_TRAIN or SIZE:N_TRAIN:balanced")
    return int(size), int(n_train), skin_proportions(0.5) if draw else None


def regime_name(size, n_train, proportions=None):
    """How tables name a regime, e.g. ``32px/4000`` or ``32px/4000 skin-balanced``."""
    return f"{size}px/{n_train}" + (" skin-balanced" if proportions else "")


def make_model(setting, args, seed):
    params = SETTINGS[setting]
    budget = {"max_epochs": args.epochs, "random_state": seed}
    if setting == NULL:
        return CNNClassifier(**{**budget, "random_state": seed + NULL_SEED_OFFSET})
    if params is None:
        return CNNClassifier(**budget)
    return DebiasedVAEClassifier(latent_dim=args.latent_dim, **budget, **params)


def run(args):
    rows = []
    for size, n_train, proportions in args.regimes:
        for seed in args.seeds:
            half = n_train // 2
            train = make_biased_faces(half, half, size, proportions, random_state=seed)
            n = args.n_test_per_group
            test = make_balanced_faces(n, 4 * n, size, random_state=10_000 + seed)
            # Validation comes from the training distribution, as a user's would.
            valid = make_biased_faces(4 * n, 4 * n, size, proportions, random_state=20_000 + seed)
            for setting in args.settings:
                clf = make_model(setting, args, seed)
                start = time.perf_counter()
                clf.fit(train.images, train.target)
                fit_s = time.perf_counter() - start
                regime = regime_name(size, n_train, proportions)
                row = {"regime": regime, "setting": setting, "seed": seed}
                label_free = 100 * WorstClusterRecall()(clf, valid.images, valid.target)
                rows.append(
                    {**row, **group_scores(clf, test), "label_free": label_free, "fit_s": fit_s}
                )
                print(
                    f"  {regime} seed {seed} {setting}: E[A] {rows[-1]['E[A]']:.2f} "
                    f"Var[A] {rows[-1]['Var[A]']:.2f} non-faces {rows[-1]['nonface_acc']:.1f} "
                    f"({fit_s:.0f} s)",
                    flush=True,
                )
    return pd.DataFrame(rows)


def changes(runs):
    """Each run's changes against the CNN of the same regime and seed (the CNN's rows dropped)."""
    keys = ["regime", "seed"]
    cnn = runs[runs.setting == "CNN"].set_index(keys)
    other = runs[runs.setting != "CNN"]
    base = cnn.loc[list(zip(other.regime, other.seed, strict=True))].reset_index(drop=True)
    other = other.reset_index(drop=True)
    return pd.DataFrame(
        {
            "regime": other["regime"],
            "setting": other["setting"],
            "seed": other["seed"],
            "var_cut": 100 * (1 - other["Var[A]"] / base["Var[A]"]),
            "E[A]": other["E[A]"] - base["E[A]"],
            "worst": other["worst_group"] - base["worst_group"],
            "nonface": other["nonface_acc"] - base["nonface_acc"],
        }
    )


def against_cnn(runs):
    """Per setting and regime: median and worst seed of each change against the CNN."""
    out = []
    for (regime, setting), part in changes(runs).groupby(["regime", "setting"], sort=False):
        out.append(
            {
                "regime": regime,
                "setting": setting,
                "Var[A] cut % median": part["var_cut"].median(),
                "Var[A] cut % worst": part["var_cut"].min(),
                "seeds Var[A] down": f"{int((part['var_cut'] > 0).sum())}/{len(part)}",
                "dE[A] median": part["E[A]"].median(),
                "dE[A] worst": part["E[A]"].min(),
                "d worst group median": part["worst"].median(),
                "d worst group worst": part["worst"].min(),
                "d non-face worst": part["nonface"].min(),
            }
        )
    return pd.DataFrame(out)


def goal_checks(runs):
    """Per setting: how many regime-seeds meet each per-seed goal against the CNN.

    The goals: Var[A] lower, E[A] at most 0.5 points lower, the worst group's recall higher and
    non-face accuracy at most 1 point lower. Skewed and skin-balanced regimes are counted apart.
    A one-sided sign test says how likely as many Var[A] reductions would be by chance alone.
    """
    delta = changes(runs)
    delta["draw"] = (
        delta["regime"].str.contains("skin-balanced").map({True: "skin-balanced", False: "skewed"})
    )
    checks = {
        "Var[A] down": delta["var_cut"] > 0,
        "E[A] within 0.5": delta["E[A]"] >= -0.5,
        "worst group up": delta["worst"] > 0,
        "non-face within 1": delta["nonface"] >= -1.0,
    }
    delta = delta.assign(**checks, **{"all four": pd.concat(checks, axis=1).all(axis=1)})
    out = []
    for (draw, setting), part in delta.groupby(["draw", "setting"], sort=False):
        row = {"draw": draw, "setting": setting, "regime-seeds": len(part)}
        row.update({name: int(part[name].sum()) for name in [*checks, "all four"]})
        # Without any effect, Var[A] would go down on each regime-seed with probability 1/2.
        down = binomtest(row["Var[A] down"], len(part), 0.5, alternative="greater")
        row["p, sign test of Var[A] down"] = round(float(down.pvalue), 3)
        out.append(row)
    return pd.DataFrame(out)


def absolute(runs):
    """Per setting and regime: mean, median and worst seed of E[A] and Var[A]."""
    by = runs.groupby(["regime", "setting"], sort=False)
    return pd.DataFrame(
        {
            "E[A] mean": by["E[A]"].mean(),
            "E[A] median": by["E[A]"].median(),
            "E[A] worst": by["E[A]"].min(),
            "Var[A] mean": by["Var[A]"].mean(),
            "Var[A] median": by["Var[A]"].median(),
            "Var[A] worst": by["Var[A]"].max(),
            "worst group median": by["worst_group"].median(),
            "non-face median": by["nonface_acc"].median(),
            "fit s": by["fit_s"].mean(),
        }
    ).reset_index()


def label_free_choice(runs):
    """Per regime and seed: the setting the label-free score picks against the oracle's pick."""
    out = []
    runs = runs[runs.setting != NULL]
    for (regime, seed), part in runs.groupby(["regime", "seed"], sort=False):
        part = part.set_index("setting")
        picked, best = part["label_free"].idxmax(), part["worst_group"].idxmax()
        out.append(
            {
                "regime": regime,
                "seed": seed,
                "label-free pick": picked,
                "oracle pick": best,
                "same": picked == best,
                "worst group of pick": part.loc[picked, "worst_group"],
                "worst group of oracle": part.loc[best, "worst_group"],
            }
        )
    return pd.DataFrame(out)


def _read_runs(path):
    runs = pd.read_csv(path)
    if "regime" not in runs:  # written before regimes were named in the file
        sizes = zip(runs.image_size, runs.n_train, strict=True)
        runs.insert(0, "regime", [regime_name(size, n_train) for size, n_train in sizes])
    return runs


def main(argv=None):
    args = parse_args(argv)
    start = time.perf_counter()
    if args.from_runs:
        runs = pd.concat([_read_runs(path) for path in args.from_runs], ignore_index=True)
    else:
        print(f"Machine: {machine()}", flush=True)
        runs = run(args)
        write_csv(runs.to_dict("records"), "debiasing_grid_runs", args.out)
    table = absolute(runs)
    print("\nAbsolute figures over seeds (accuracies in %, Var[A] in %²):")
    print(table.round(2).to_string(index=False))
    if "CNN" in args.settings:
        versus = against_cnn(runs)
        print_table(
            versus.round(2).to_dict("records"),
            "Against the CNN of the same seed (points; Var[A] cut in % of the CNN's):",
        )
        write_csv(versus.round(3).to_dict("records"), "debiasing_grid", args.out)
        goals = goal_checks(runs)
        print_table(goals.to_dict("records"), "Regime-seeds meeting each per-seed goal:")
        write_csv(goals.to_dict("records"), "debiasing_grid_goals", args.out)
    choice = label_free_choice(runs)
    print("\nChoosing a setting without group labels (WorstClusterRecall on a validation draw):")
    print(choice.round(2).to_string(index=False))
    print(f"Same pick as the oracle: {int(choice['same'].sum())}/{len(choice)}")
    if args.from_runs:
        print(f"\nTabulated from: {', '.join(args.from_runs)}")
    else:
        settings = {k: v for k, v in vars(args).items() if k not in ("out", "from_runs")}
        print(f"\nSettings: {settings}")
    print(f"Wall time: {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
