"""Run every benchmark in turn (``make bench``); ``--smoke`` runs each on tiny settings."""

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = [
    "reference.py",
    "throughput.py",
    "latency.py",
    "resampling_overhead.py",
    "memory.py",
    "lazy_h5_memory.py",
    "scaling.py",
    "bias_gap.py",
    "debiasing_effect.py",
    "comparison_grid.py",
    "weight_targeting.py",
    "method_comparison.py",
    "readme_figure.py",
]


def main(argv=None):
    """Run the scripts one after another; stop at the first failure."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny settings, for tests")
    parser.add_argument("--only", nargs="+", default=None, help="scripts to run")
    args = parser.parse_args(argv)
    for script in args.only or SCRIPTS:
        if not (HERE / script).exists():
            print(f"== {script}: missing, skipped")
            continue
        start = time.perf_counter()
        print(f"== {script}", flush=True)
        cmd = [sys.executable, str(HERE / script), *(["--smoke"] if args.smoke else [])]
        subprocess.run(cmd, check=True)
        print(f"== {script}: {time.perf_counter() - start:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
