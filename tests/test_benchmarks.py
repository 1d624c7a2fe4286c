"""Each benchmark script runs end to end on tiny settings (no figure is asserted)."""

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.mark.parametrize(
    "script, csv, extra",
    [
        ("throughput.py", "throughput.csv", []),
        ("latency.py", "latency.csv", []),
        ("resampling_overhead.py", "resampling_agreement.csv", []),
        # These start a fresh Python (torch and all) for every configuration they measure.
        pytest.param("memory.py", "memory.csv", [], marks=pytest.mark.slow),
        pytest.param("lazy_h5_memory.py", "lazy_h5_memory.csv", [], marks=pytest.mark.slow),
        ("scaling.py", "scaling.csv", []),
        pytest.param("debiasing_effect.py", "debiasing_effect.csv", [], marks=pytest.mark.slow),
        ("method_comparison.py", "method_comparison.csv", []),
        # a latent space shaped otherwise than the estimator's default
        ("weight_targeting.py", "weight_targeting.csv", ["--dbvae", "latent_dim=3"]),
    ],
)
def test_benchmark_runs_on_smoke_settings(script, csv, extra, tmp_path):
    cmd = [sys.executable, str(BENCHMARKS / script), "--smoke", "--out", str(tmp_path), *extra]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / csv).stat().st_size > 0
    assert "----" in done.stdout  # a table was printed
    if extra:
        assert "DB-VAE {'latent_dim': 3}" in done.stdout


@pytest.mark.parametrize(
    "given, message",
    [
        ("latent_dim=0", "--dbvae: The 'latent_dim' parameter"),
        ("max_epochs=3", "does not set itself"),  # the script's own --epochs
    ],
)
def test_weight_targeting_refuses_a_bad_dbvae_parameter_before_training(given, message):
    cmd = [sys.executable, str(BENCHMARKS / "weight_targeting.py"), "--dbvae", given]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and message in done.stderr


def test_throughput_runs_in_mixed_precision(tmp_path):
    # The path a GPU run takes (--device cuda --amp), on the CPU: bfloat16 autocast for the
    # reference, Accelerate's mixed precision for the library; the CNN is left out.
    pytest.importorskip("accelerate")  # the "scale" extra, absent from `make test-min`
    cmd = [sys.executable, str(BENCHMARKS / "throughput.py"), "--smoke", "--amp"]
    cmd += ["--only", "library", "--out", str(tmp_path)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    table = pd.read_csv(tmp_path / "throughput.csv")
    assert list(table["model"]) == ["DB-VAE", "DB-VAE"]
    assert list(table["contender"]) == ["reference", "library"]
    assert "bfloat16 mixed precision" in done.stdout


def test_comparison_grid_trains_scores_and_compares_initialisations(tmp_path):
    # Three initialisations each of the CNN, its null and the DB-VAE, then the table.
    cmd = [
        sys.executable,
        str(BENCHMARKS / "comparison_grid.py"),
        "--smoke",
        "--out",
        str(tmp_path),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    folder = tmp_path / "16px_120_d0"
    assert sorted(p.name for p in folder.glob("*.npz")) == [
        f"{key}_{init}.npz" for key in ("cnn", "cnn_null", "dbvae_default") for init in range(3)
    ]
    differences = pd.read_csv(folder / "differences.csv")
    assert set(differences["method"]) == {
        "CNN, other initialisations",
        "DB-VAE library (geometric, a=0.05)",
    }
    assert set(differences["verdict"]) <= {"better", "worse", "within noise"}
    assert "Difference of medians to the CNN" in done.stdout
    # A second run finds every run done and trains nothing: resumable, nothing rewritten.
    written = {p.name: p.stat().st_mtime_ns for p in folder.glob("*.npz")}
    again = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0 and " init " not in again.stdout
    assert {p.name: p.stat().st_mtime_ns for p in folder.glob("*.npz")} == written
    # Against another setting: no null (it is the CNN's), the CNN-based tables left alone.
    table = [sys.executable, str(BENCHMARKS / "comparison_grid.py"), "--out", str(tmp_path)]
    table += ["table", "--baseline", "dbvae_default"]
    other = subprocess.run(table, capture_output=True, text=True, timeout=300)
    assert other.returncode == 0, other.stderr[-2000:]
    assert "Difference of medians to the DB-VAE library" in other.stdout
    assert pd.read_csv(folder / "differences.csv").equals(differences)


def test_readme_figure_draws_medians_over_initialisations(tmp_path):
    cmd = [sys.executable, str(BENCHMARKS / "readme_figure.py"), "--smoke", "--out", str(tmp_path)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    recalls = pd.read_csv(tmp_path / "readme_group_recall.csv")
    # Three initialisations of each model and of the null, four groups each.
    assert recalls.groupby("model")["init"].nunique().to_dict() == {
        "CNN": 3,
        "DB-VAE": 3,
        "CNN, other initialisations": 3,
    }
    assert len(recalls) == 3 * 3 * 4
    assert (tmp_path / "demo_group_recall.png").stat().st_size > 0
