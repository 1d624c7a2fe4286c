"""Fit time of the DB-VAE as the training set grows: it should grow linearly.

One epoch (the resampling pass included) for each N, after an untimed warm-up fit (a
process's first fit runs slower); the last column divides by N, so a flat column means linear
scaling.
"""

import argparse

from _common import machine, print_table, random_faces, timed, write_csv

from debias_estimators import DebiasedVAEClassifier


def main(argv=None):
    """Time one epoch per training-set size and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5_000, 10_000, 20_000, 40_000])
    parser.add_argument("--image-size", type=int, default=64)
    parser.add_argument("--out", default=None, help="folder for the CSV")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, for tests")
    args = parser.parse_args(argv)
    if args.smoke:
        args.sizes, args.image_size = [64, 128], 16
    print(f"scaling: one epoch, {args.image_size}x{args.image_size}x3; {machine()}")
    X, y = random_faces(min(256, args.sizes[0]), args.image_size)
    DebiasedVAEClassifier(max_epochs=1, random_state=0).fit(X, y)  # warm-up, untimed
    rows = []
    for n in args.sizes:
        X, y = random_faces(n, args.image_size)
        _, seconds = timed(DebiasedVAEClassifier(max_epochs=1, random_state=0).fit, X, y)
        rows.append({"n_images": n, "fit_s": seconds, "ms_per_image": 1000 * seconds / n})
    base = rows[0]["ms_per_image"]
    for row in rows:
        row["relative_to_smallest"] = row["ms_per_image"] / base
    print_table(rows, "fit time against training-set size")
    write_csv(rows, "scaling", args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
