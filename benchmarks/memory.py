"""Peak memory of training on many 64x64 RGB images held as uint8, against a float32 copy.

Each configuration runs in a fresh subprocess that draws N uint8 images, optionally converts
them to float32 in [0, 1] first (what a loop that normalises up front holds), and fits a
``DebiasedVAEClassifier`` for a fixed number of batches, the first epoch's resampling pass over
all faces included. The peak resident set size (``ru_maxrss``) is set against the raw uint8
size of the images.
"""

import argparse
import json
import resource
import subprocess
import sys

import numpy as np
from _common import StopAfter, machine, print_table, write_csv


def _peak_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(n, size, store, batches):
    from debias_estimators import DebiasedVAEClassifier

    before = _peak_mib()
    rng = np.random.default_rng(0)
    X = np.empty((n, size, size, 3), np.uint8)
    for start in range(0, n, 10_000):  # in chunks, so drawing needs no big temporary
        X[start : start + 10_000] = rng.integers(0, 256, X[start : start + 10_000].shape, np.uint8)
    y = np.arange(n) % 2
    if store == "float32":
        X = X.astype(np.float32)
        X *= 1 / 255
    clf = DebiasedVAEClassifier(max_epochs=1, random_state=0, callbacks=[StopAfter(batches)])
    clf.fit(X, y)
    raw = n * size * size * 3 / 2**20
    print(json.dumps({"before_data_mib": before, "peak_mib": _peak_mib(), "raw_uint8_mib": raw}))


def main(argv=None):
    """Run each configuration in a subprocess and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--batches", type=int, default=100, help="training steps per run")
    parser.add_argument("--stores", nargs="+", default=["uint8", "float32"])
    parser.add_argument("--out", default=None, help="folder for the CSV")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, for tests")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.smoke:
        args.n, args.size, args.batches = 200, 16, 2
    if args.child:
        _child(args.n, args.size, args.child, args.batches)
        return 0
    print(f"memory: {args.n} images {args.size}x{args.size}x3; {machine()}")
    rows = []
    for store in args.stores:
        cmd = [sys.executable, __file__, "--child", store, "--n", str(args.n)]
        cmd += ["--size", str(args.size), "--batches", str(args.batches)]
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
        fig = json.loads(out.strip().splitlines()[-1])
        rows.append(
            {
                "stored_as": store,
                "raw_uint8_MiB": fig["raw_uint8_mib"],
                "peak_RSS_MiB": fig["peak_mib"],
                "peak_over_raw": fig["peak_mib"] / fig["raw_uint8_mib"],
                "peak_minus_runtime_over_raw": (fig["peak_mib"] - fig["before_data_mib"])
                / fig["raw_uint8_mib"],
            }
        )
    print_table(rows, "peak resident memory while training (runtime = torch and libraries)")
    write_csv(rows, "memory", args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
