"""Peak memory of fitting from an HDF5 file read lazily, as the file grows.

For each size the script writes an HDF5 file in the MIT lab's layout (``images`` ``(n, 64, 64,
3)`` ``uint8``, ``labels`` ``(n, 1)``), chunk by chunk, then fits a ``DebiasedVAEClassifier``
in a fresh subprocess from ``load_h5_faces(path, lazy=True)`` for a fixed number of training
steps, the first epoch's resampling pass over all the faces included (it reads every face from
the file). The peak resident set size (``ru_maxrss``) of that process should stay flat as the
file grows; loading the file whole (``lazy=False``) is measured alongside for contrast.
DataLoader workers (``--num-workers``) read the training batches in separate processes, whose
peak is reported apart.
"""

import argparse
import json
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

import h5py
import numpy as np
from _common import StopAfter, machine, print_table, write_csv

CHUNK = 5_000


def _peak_mib(who=resource.RUSAGE_SELF):
    return resource.getrusage(who).ru_maxrss / 1024


def write_h5(path, n, size):
    """Write ``n`` random ``uint8`` images and 0/1 labels, ``CHUNK`` images at a time."""
    rng = np.random.default_rng(0)
    with h5py.File(path, "w") as file:
        images = file.create_dataset(
            "images", (n, size, size, 3), np.uint8, chunks=(64, size, size, 3)
        )
        for start in range(0, n, CHUNK):
            stop = min(start + CHUNK, n)
            images[start:stop] = rng.integers(0, 256, (stop - start, size, size, 3), np.uint8)
        file["labels"] = (np.arange(n) % 2)[:, None]


def _child(path, lazy, batches, num_workers):
    from debias_estimators import DebiasedVAEClassifier
    from debias_estimators.datasets import load_h5_faces

    before = _peak_mib()
    X, y = load_h5_faces(path, lazy=lazy, return_X_y=True)
    net_params = {}
    if num_workers:
        net_params = {
            "iterator_train__num_workers": num_workers,
            # HDF5 does not survive fork: each worker reopens the file from its path.
            "iterator_train__multiprocessing_context": "spawn",
        }
    clf = DebiasedVAEClassifier(
        latent_dim=16,
        n_filters=4,
        max_epochs=1,
        random_state=0,
        callbacks=[StopAfter(batches)],
        net_params=net_params,
    )
    clf.fit(X, y)
    print(
        json.dumps(
            {
                "before_data_mib": before,
                "peak_mib": _peak_mib(),
                "workers_peak_mib": _peak_mib(resource.RUSAGE_CHILDREN) if num_workers else 0.0,
            }
        )
    )


def main(argv=None):
    """Write the files, fit from each in a subprocess and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 40_000])
    parser.add_argument("--size", type=int, default=64, help="image side in pixels")
    parser.add_argument("--batches", type=int, default=50, help="training steps per run")
    parser.add_argument("--modes", nargs="+", default=["lazy", "eager"])
    parser.add_argument("--num-workers", type=int, default=0, help="DataLoader workers")
    parser.add_argument("--out", default=None, help="folder for the CSV")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, for tests")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.smoke:
        args.sizes, args.size, args.batches = [100], 16, 2
    if args.child:
        lazy = args.modes[0] == "lazy"
        _child(args.child, lazy, args.batches, args.num_workers)
        return 0
    print(f"lazy_h5_memory: {args.size}x{args.size}x3 images, sizes {args.sizes}; {machine()}")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            path = Path(tmp) / f"faces_{n}.h5"
            write_h5(path, n, args.size)
            for mode in args.modes:
                cmd = [sys.executable, __file__, "--child", str(path), "--modes", mode]
                cmd += ["--batches", str(args.batches), "--num-workers", str(args.num_workers)]
                out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
                fig = json.loads(out.strip().splitlines()[-1])
                rows.append(
                    {
                        "images": n,
                        "mode": mode,
                        "file_MiB": path.stat().st_size / 2**20,
                        "num_workers": args.num_workers,
                        "runtime_MiB": fig["before_data_mib"],
                        "peak_RSS_MiB": fig["peak_mib"],
                        "workers_peak_RSS_MiB": fig["workers_peak_mib"],
                    }
                )
            path.unlink()
    print_table(rows, "peak resident memory of the fitting process (runtime = torch and libraries)")
    write_csv(rows, "lazy_h5_memory", args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
