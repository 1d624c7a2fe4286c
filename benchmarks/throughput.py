"""Training throughput of the estimators against plain PyTorch loops, side by side.

The library and the reference loop (``reference.py``) train on the same uint8 images for the
same epochs, in rounds of one run each, in a new random order every round, in one process.
Each run's wall time covers everything the fit does (batch conversion, the resampling passes,
the optimiser), after one small untimed fit of each side. A contender's ratio is the median
over rounds of the reference's time in the round over its own; above 1 the library is faster.

``--device cuda`` trains both sides on a GPU. ``--amp`` runs the training steps in bfloat16
mixed precision, the reference under ``torch.autocast`` and the library through
:class:`~debias_estimators.AcceleratedDebiasedVAEClassifier` with Accelerate's
``mixed_precision="bf16"`` (its own class, with Accelerate's overhead); both encoding passes
stay in float32. The CNN has no mixed-precision path in the library and is left out then.
Compiled contenders compile in the warm-up, so their rows are steady-state speeds.
"""

import argparse
from functools import partial

import numpy as np
import torch
from _common import load_reference, machine, print_table, random_faces, timed, write_csv

from debias_estimators import (
    AcceleratedDebiasedVAEClassifier,
    CNNClassifier,
    DebiasedVAEClassifier,
)

CACHED = {"resample_latents": "cached"}
STRATIFIED = {"stratified_batches": True}
# Adam's fused kernel (one pass over all parameters per step): the same update as the
# reference's Adam, summed in another order.
FUSED = {"net_params": {"optimizer__fused": True}}
COMPILE = {"compile": True}

# Each contender: the estimator's settings beside the defaults.
DBVAE_CONTENDERS = {
    "library": {},
    "library, cached latents": CACHED,
    "library, compile": COMPILE,
    "library, stratified": STRATIFIED,
    "library, stratified + cached": {**STRATIFIED, **CACHED},
    "library, stratified + cached + compile": {**STRATIFIED, **CACHED, **COMPILE},
    "library, fused Adam": FUSED,
    "library, stratified + fused Adam": {**STRATIFIED, **FUSED},
    "library, stratified + cached + fused Adam": {**STRATIFIED, **CACHED, **FUSED},
}
CNN_CONTENDERS = {"library": {}, "library, compile": COMPILE, "library, fused Adam": FUSED}


def _bf16_accelerator(device):
    from accelerate import Accelerator
    from accelerate.utils import DistributedDataParallelKwargs

    # The estimator's own default accelerator, with mixed precision, on the CPU or the GPU
    # (the first one: Accelerate picks it for a single process).
    ddp = DistributedDataParallelKwargs(find_unused_parameters=True)
    cpu = torch.device(device).type == "cpu"
    return Accelerator(mixed_precision="bf16", cpu=cpu, kwargs_handlers=[ddp])


def _estimator(model, args, epochs, **settings):
    """Make the library's estimator for ``model`` on ``args.device``, bf16 with ``args.amp``."""
    common = {"max_epochs": epochs, "random_state": 0, "device": args.device, **settings}
    if model == "CNN":
        return CNNClassifier(**common)
    if args.amp:
        return AcceleratedDebiasedVAEClassifier(
            accelerator=_bf16_accelerator(args.device), **common
        )
    return DebiasedVAEClassifier(**common)


def _timed_fit(make, X, y):
    """Return the seconds of ``make().fit(X, y)``; the estimator is built before the clock."""
    return timed(make().fit, X, y)[1]


def _rounds(contenders, repeat):
    """Run every contender (a function returning its seconds) once per round, shuffled.

    The machine's speed drifts within minutes: a fixed order would give the same contenders
    the same slow stretches, where a shuffled one spreads them over all.
    """
    times = {name: [] for name in contenders}
    rng = np.random.default_rng(0)
    for _ in range(repeat):
        for name in rng.permutation(list(contenders)):
            times[name].append(contenders[name]())
    return times


def _warm_up(reference, makes, X, y):
    """Fit the plain loop and the library once, untimed: a process's first fits run slower."""
    reference(X, y, epochs=1)
    for make in makes:
        make(1).fit(X, y)


def _compare(model, args, ref, X, y):
    """Time the reference and the library's contenders for ``model``; return the table rows."""
    e = args.epochs
    train = ref.train_reference_dbvae if model == "DB-VAE" else ref.train_reference_cnn
    reference = partial(train, device=args.device, amp=args.amp)
    settings = DBVAE_CONTENDERS if model == "DB-VAE" else CNN_CONTENDERS
    names = [
        name
        for name in settings
        if not (args.no_compile and "compile" in name) and (args.only is None or name in args.only)
    ]
    compiled = [partial(_estimator, model, args, **settings[n]) for n in names if "compile" in n]
    _warm_up(reference, [partial(_estimator, model, args), *compiled], X[:256], y[:256])
    contenders = {
        "reference": lambda: timed(reference, X, y, epochs=e)[1],
        **{
            name: partial(_timed_fit, partial(_estimator, model, args, e, **settings[name]), X, y)
            for name in names
        },
    }
    times = _rounds(contenders, args.repeat)
    rows = []
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
    return rows


def _check_args(parser, args):
    known = set(DBVAE_CONTENDERS) | set(CNN_CONTENDERS)
    unknown = sorted(set(args.only or ()) - known)
    if unknown:
        parser.error(f"--only: no contender named {unknown}; known: {sorted(known)}")
    if args.amp and args.model == "CNN":
        parser.error("--amp runs the DB-VAE only: the library has no mixed-precision CNN")
    if torch.device(args.device).type == "cuda" and not torch.cuda.is_available():
        parser.error(f"--device {args.device}: torch sees no CUDA device here")


def _device_name(device):
    if torch.device(device).type == "cuda":
        return f"{device} ({torch.cuda.get_device_name(torch.device(device))})"
    return device


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
    parser.add_argument("--device", default="cpu", help='where both sides train, e.g. "cuda"')
    parser.add_argument("--amp", action="store_true", help="bfloat16 mixed precision (DB-VAE)")
    parser.add_argument("--out", default=None, help="folder for the CSV")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, for tests")
    args = parser.parse_args(argv)
    if args.smoke:
        args.n, args.size, args.epochs, args.repeat, args.no_compile = 96, 16, 1, 1, True
    _check_args(parser, args)
    models = [m for m in ("DB-VAE", "CNN") if args.model in (None, m)]
    if args.amp and "CNN" in models:
        print("--amp: the CNN is left out (the library has no mixed-precision path for it)")
        models.remove("CNN")
    ref = load_reference()
    X, y = random_faces(args.n, args.size)
    print(
        f"throughput: {args.n} images {args.size}x{args.size}x3, {args.epochs} epochs, "
        f"device {_device_name(args.device)}{', bfloat16 mixed precision' if args.amp else ''}; "
        f"{machine()}"
    )
    rows = [row for model in models for row in _compare(model, args, ref, X, y)]
    print_table(
        rows,
        "training throughput (wall time of the whole fit; ratio: median and range over rounds "
        "of the reference's time in the round over the contender's)",
    )
    write_csv(rows, "throughput", args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
