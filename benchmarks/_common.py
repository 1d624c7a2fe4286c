"""Shared helpers of the benchmark scripts: data, scores, timing, tables, CSV files."""

import csv
import importlib.util
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import torch
from skorch.callbacks import EarlyStopping

from debias_estimators.datasets import make_balanced_faces, make_biased_faces
from debias_estimators.metrics import bias_summary, group_metric_frame

RESULTS = Path(__file__).resolve().parent / "results"
# The groups of the synthetic benchmark's faces: skin type x gender.
GROUPS = ["skin_type", "gender"]


def skin_proportions(darker_share):
    """``make_biased_faces`` proportions with ``darker_share`` of the faces darker."""
    return {"skin_type": {"lighter": 1 - darker_share, "darker": darker_share}}


def group_scores(clf, test):
    """E[A], Var[A] and worst group's recall on the test faces; accuracy on its non-faces."""
    faces = test.target == 1
    frame = group_metric_frame(
        test.target[faces], clf.predict(test.images[faces]), test.attributes.loc[faces, GROUPS]
    )
    summary = bias_summary(frame, "accuracy")
    nonface = 100 * (clf.predict(test.images[~faces]) == 0).mean()
    return {
        "E[A]": summary["E[A]"],
        "Var[A]": summary["Var[A]"],
        "worst_group": summary["worst_group_value"],
        "nonface_acc": nonface,
    }


class StopAfter(EarlyStopping):
    """End training after ``n_batches`` training steps, as a deliberate stop.

    skorch ends its loop on a ``KeyboardInterrupt``; the estimators re-raise one that no
    ``EarlyStopping`` raised (Ctrl-C), so this stop is an ``EarlyStopping`` of its own kind.
    """

    def __init__(self, n_batches):
        self.n_batches = n_batches

    def on_train_begin(self, net, **kwargs):
        self.seen_ = 0

    def on_epoch_end(self, net, **kwargs):
        pass  # no validation score to watch

    def on_train_end(self, net, **kwargs):
        pass  # no best weights to restore

    def on_batch_end(self, net, training=False, **kwargs):
        self.seen_ += int(training)
        if self.seen_ >= self.n_batches:
            raise KeyboardInterrupt


# The figures the comparison tables show, at the matched false-positive rate.
HEADLINE_FIGURES = ["worst group at FPR", "E[A] at FPR", "Var[A] at FPR", "worst value at FPR"]


def draw_regime(size, n_train, data_seed, n_test_per_group, n_calibration):
    """Return the ``(train, test, calibration)`` draws one comparison regime uses.

    The skewed training draw (half faces, seed ``data_seed``), the balanced test draw
    (``n_test_per_group`` faces per group and four times as many non-faces, ``data_seed`` +
    10,000) and ``n_calibration`` held-out non-faces of the training distribution, which set
    the matched threshold (``data_seed`` + 20,000).
    """
    half = n_train // 2
    train = make_biased_faces(half, n_train - half, size, random_state=data_seed)
    n = n_test_per_group
    test = make_balanced_faces(n, 4 * n, size, random_state=10_000 + data_seed)
    calibration = make_biased_faces(0, n_calibration, size, random_state=20_000 + data_seed)
    return train, test, calibration


def machine():
    """Describe the machine a figure was measured on."""
    return (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"torch {torch.__version__} ({torch.get_num_threads()} threads), "
        f"load average {os.getloadavg()[0]:.2f} at start"
    )


def random_faces(n, size=64, seed=0):
    """Random uint8 images, half of them labelled faces (for speed, not accuracy)."""
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 256, size=(n, size, size, 3), dtype=np.uint8)
    return X, np.arange(n) % 2


def load_reference():
    """Import ``benchmarks/reference.py`` (benchmarks is not a package)."""
    path = Path(__file__).resolve().parent / "reference.py"
    spec = importlib.util.spec_from_file_location("reference", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["reference"] = module
    spec.loader.exec_module(module)
    return module


def timed(fn, *args, **kwargs):
    """Return ``(result, seconds)`` of one call."""
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - start


def print_table(rows, title=None):
    """Print a list of dicts as an aligned text table."""
    if title:
        print(f"\n{title}")
    if not rows:
        return
    columns = list(rows[0])
    cells = [[_fmt(row[c]) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for r in cells:
        print("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)))


def _fmt(value):
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 100 else f"{value:,.0f}"
    return str(value)


def write_csv(rows, name, out_dir=None):
    """Write rows (dicts) to ``<out_dir>/<name>.csv`` and return the path."""
    out = Path(out_dir) if out_dir else RESULTS
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.csv"
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {path}")
    return path
