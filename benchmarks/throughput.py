"""Training throughput of the estimators against plain PyTorch loops, side by side.

The library and the reference loop (``reference.py``) train on the same uint8 images for the
same epochs, in rounds of one run each, in a new random order every round, in one process.
Each run's wall time covers everything the fit does (batch conversion, the resampling passes,
the optimiser), after one small untimed fit of each side. A contender's ratio is the median
over rounds of the reference's time in the round over its own; above 1 the library is faster.
"""

import argparse

import numpy as np
from _common import load_reference, machine, print_table, random_faces, timed, write_csv

from debias_estimators import CNNClassifier, DebiasedVAEClassifier

CACHED = {"resample_latents": "cached"}
# Adam's fused kernel (one pass over all parameters per step): the same update as the
# reference's Adam, summed in another order.
FUSED = {"net_params": {"optimizer__fused": True}}


def _ours(make, X, y):
    clf, seconds = timed(make().fit, X, y)
    return seconds


def _rounds(contenders, X, y, repeat):
    """Time every contender once per round, in a new random order each round.

    The machine's speed drifts within minutes: a fixed order would give the same contenders
    the same slow stretches, where a shuffled one spreads them over all.
    """
    times = {name: [] for name in contenders}
    order = list(contenders)
    rng = np.random.default_rng(0)
    for _ in range(repeat):
        for name in rng.permutation(order):
            run = contenders[name]
            times[name].append(timed(run)[1] if name == "reference" else _ours(run, X, y))
    return times


def _warm_up(ref, model, X, y):
    """Fit the plain loop and the library once, untimed: a process's first fits run slower."""
    if model == "DB-VAE":
        ref.train_reference_dbvae(X, y, epochs=1)
        DebiasedVAEClassifier(max_epochs=1, random_state=0).fit(X, y)
    else:
        ref.train_reference_cnn(X, y, epochs=1)
        CNNClassifier(max_epochs=1, random_state=0).fit(X, y)


def main(argv=None):
    """Run the comparison and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=4000)
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-compile", action="store_true", help="skip the torch.compile runs")
    parser.add_argument("--only", nargs="+", default=None, help="these contenders only")
    parser.add_argument("--model", choices=("DB-VAE", "CNN"), default=None, help="only this one")
    parser.add_argument("--out", default=None, help="folder for the CSV")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, for tests")
    args = parser.parse_args(argv)
    if args.smoke:
        args.n, args.size, args.epochs, args.repeat, args.no_compile = 96, 16, 1, 1, True
    ref = load_reference()
    X, y = random_faces(args.n, args.size)
    e = args.epochs
    contenders = {
        "DB-VAE": (
            lambda: ref.train_reference_dbvae(X, y, epochs=e),
            {
                "library": lambda: DebiasedVAEClassifier(max_epochs=e, random_state=0),
                "library, cached latents": lambda: DebiasedVAEClassifier(
                    max_epochs=e, random_state=0, resample_latents="cached"
                ),
                "library, compile": lambda: DebiasedVAEClassifier(
                    max_epochs=e, random_state=0, compile=True
                ),
                "library, stratified": lambda: DebiasedVAEClassifier(
                    max_epochs=e, random_state=0, stratified_batches=True
                ),
                "library, stratified + cached": lambda: DebiasedVAEClassifier(
                    max_epochs=e, random_state=0, stratified_batches=True, **CACHED
                ),
                "library, stratified + cached + compile": lambda: DebiasedVAEClassifier(
                    max_epochs=e, random_state=0, stratified_batches=True, compile=True, **CACHED
                ),
                "library, fused Adam": lambda: DebiasedVAEClassifier(
                    max_epochs=e, random_state=0, **FUSED
                ),
                "library, stratified + fused Adam": lambda: DebiasedVAEClassifier(
                    max_epochs=e, random_state=0, stratified_batches=True, **FUSED
                ),
                "library, stratified + cached + fused Adam": lambda: DebiasedVAEClassifier(
                    max_epochs=e, random_state=0, stratified_batches=True, **CACHED, **FUSED
                ),
            },
        ),
        "CNN": (
            lambda: ref.train_reference_cnn(X, y, epochs=e),
            {
                "library": lambda: CNNClassifier(max_epochs=e, random_state=0),
                "library, compile": lambda: CNNClassifier(
                    max_epochs=e, random_state=0, compile=True
                ),
                "library, fused Adam": lambda: CNNClassifier(max_epochs=e, random_state=0, **FUSED),
            },
        ),
    }
    print(f"throughput: {args.n} images {args.size}x{args.size}x3, {e} epochs; {machine()}")
    rows = []
    for model, (reference, variants) in contenders.items():
        if args.no_compile:
            variants = {k: v for k, v in variants.items() if "compile" not in k}
        if args.only:
            variants = {k: v for k, v in variants.items() if k in args.only}
        if args.model not in (None, model):
            continue
        _warm_up(ref, model, X[:256], y[:256])
        times = _rounds({"reference": reference, **variants}, X, y, args.repeat)
        for name, seconds in times.items():
            paired = np.asarray(times["reference"]) / np.asarray(seconds)
            rows.append(
                {
                    "model": model,
                    "contender": name,
                    "images_per_s": args.n * e / np.median(seconds),
                    "ratio_to_reference": float(np.median(paired)),
                    "ratio_range": f"{paired.min():.2f}-{paired.max():.2f}",
                    "median_s": float(np.median(seconds)),
                    "runs": len(seconds),
                }
            )
    print_table(
        rows,
        "training throughput (wall time of the whole fit; ratio: median and range over rounds "
        "of the reference's time in the round over the contender's)",
    )
    write_csv(rows, "throughput", args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
