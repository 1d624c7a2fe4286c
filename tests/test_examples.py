"""Each gallery example runs to the end on tiny settings and saves its figure."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).parents[1] / "examples").glob("plot_*.py"))


def test_the_gallery_has_its_examples():
    names = {path.stem for path in EXAMPLES}
    assert {
        "plot_debiasing_synthetic",
        "plot_grid_search_latent_dim",
        "plot_fairlearn_disparity",
        "plot_lfw_pipeline",
    } <= names


@pytest.mark.slow  # a fresh Python per example, each about ten seconds
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.stem)
def test_example_runs_and_saves_its_figure(example, tmp_path):
    env = {
        **os.environ,
        "DEBIAS_EXAMPLES_QUICK": "1",
        "DEBIAS_EXAMPLES_OUT": str(tmp_path),
        "MPLBACKEND": "Agg",
    }
    result = subprocess.run(
        [sys.executable, "-W", "error", str(example)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    figure = tmp_path / f"{example.stem}.png"
    assert figure.read_bytes()[:4] == b"\x89PNG"
    docstring = example.read_text().split('"""')[1].strip().splitlines()
    assert set(docstring[1]) == {"="} and len(docstring[1]) == len(docstring[0])  # a title
