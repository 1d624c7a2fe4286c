"""Each benchmark script runs end to end on tiny settings (no figure is asserted)."""

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.mark.parametrize(
    "script, csv",
    [
        ("throughput.py", "throughput.csv"),
        ("latency.py", "latency.csv"),
        ("resampling_overhead.py", "resampling_agreement.csv"),
        # These start a fresh Python (torch and all) for every configuration they measure.
        pytest.param("memory.py", "memory.csv", marks=pytest.mark.slow),
        pytest.param("lazy_h5_memory.py", "lazy_h5_memory.csv", marks=pytest.mark.slow),
        ("scaling.py", "scaling.csv"),
        pytest.param("debiasing_effect.py", "debiasing_effect.csv", marks=pytest.mark.slow),
        pytest.param("debiasing_grid.py", "debiasing_grid_runs.csv", marks=pytest.mark.slow),
        ("method_comparison.py", "method_comparison.csv"),
    ],
)
def test_benchmark_runs_on_smoke_settings(script, csv, tmp_path):
    cmd = [sys.executable, str(BENCHMARKS / script), "--smoke", "--out", str(tmp_path)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / csv).stat().st_size > 0
    assert "----" in done.stdout  # a table was printed
