"""Prediction latency and throughput of the estimators against a plain PyTorch forward pass.

One image (a face detector's call on one window) and a batch of images, each predicted by the
fitted estimator (``predict_proba`` on uint8 images: validation, conversion, the forward pass in
eval mode) and by the plain reference model of ``reference.py`` (``predict_reference``: the same
conversion and forward pass, nothing else), alternating in one process. The weights do not
matter for speed; both models have the default architecture. ``speed_ratio`` is the plain
time over the library's: above 1 the library is faster.
"""

import argparse
import time

from _common import load_reference, machine, print_table, random_faces, write_csv

from debias_estimators import CNNClassifier, DebiasedVAEClassifier


def _alternate(calls, repeat):
    """Best seconds of each call, run in turn ``repeat`` times after one warm-up each.

    The best of many runs, as ``timeit`` advises: on a shared machine the others' load only
    ever adds time, and alternating the calls exposes both to the same load.
    """
    for fn in calls.values():
        fn()
    times = {name: [] for name in calls}
    for _ in range(repeat):
        for name, fn in calls.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: min(seconds) for name, seconds in times.items()}


def main(argv=None):
    """Fit briefly, time both predictions and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--batch", type=int, default=512, help="images of the throughput row")
    parser.add_argument("--repeat", type=int, default=100, help="one-image calls timed")
    parser.add_argument("--repeat-batch", type=int, default=12, help="batch calls timed")
    parser.add_argument("--out", default=None, help="folder for the CSV")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, for tests")
    args = parser.parse_args(argv)
    if args.smoke:
        args.size, args.batch, args.repeat, args.repeat_batch = 16, 40, 5, 2
    ref = load_reference()
    X, y = random_faces(max(args.batch, 64), args.size)
    shape = (3, args.size, args.size)
    contenders = {
        "DB-VAE": (DebiasedVAEClassifier, ref.ReferenceDBVAE(shape)),
        "CNN": (CNNClassifier, ref.ReferenceCNN(shape)),
    }
    print(f"latency: {args.size}x{args.size}x3 uint8 images; {machine()}")
    rows = []
    for model, (estimator, plain) in contenders.items():
        clf = estimator(max_epochs=1, random_state=0).fit(X[:64], y[:64])
        plain.eval()
        for task, images, repeat in (
            ("1 image", X[:1], args.repeat),
            (f"{args.batch} images", X[: args.batch], args.repeat_batch),
        ):
            seconds = _alternate(
                {
                    "library": lambda images=images, clf=clf: clf.predict_proba(images),
                    "plain": lambda images=images, m=plain: ref.predict_reference(m, images),
                },
                repeat,
            )
            rows.append(
                {
                    "model": model,
                    "task": task,
                    "library_ms": 1e3 * seconds["library"],
                    "plain_ms": 1e3 * seconds["plain"],
                    "library_img_per_s": len(images) / seconds["library"],
                    "speed_ratio": seconds["plain"] / seconds["library"],
                    "calls": repeat,
                }
            )
    print_table(rows, "prediction on the CPU (best of alternating calls; ratio above 1: faster)")
    write_csv(rows, "latency", args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
