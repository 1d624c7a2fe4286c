import ast
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from skorch.history import History

from debias_estimators import _images, plotting
from debias_estimators.metrics import compare_models, metric_frames
from debias_estimators.plotting import (
    plot_extreme_faces,
    plot_group_metrics,
    plot_group_roc,
    plot_image_grid,
    plot_latent_traversal,
    plot_reconstructions,
    plot_training_curves,
)

from conftest import make_blob_images

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def assert_png(path):
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC
    assert len(data) > 1000


def titles(fig):
    return [ax.get_title() for ax in fig.axes]


@pytest.fixture
def comparison():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 2))
    y = (X[:, 0] > -0.5).astype(int)
    skin = np.where(X[:, 1] > 0, "darker", "lighter").astype(object)
    gender = np.where(np.arange(80) % 2 == 0, "female", "male").astype(object)
    skin[y == 0] = None
    gender[y == 0] = None
    models = {
        "standard": LogisticRegression().fit(X, y),
        "always_face": DummyClassifier(strategy="constant", constant=1).fit(X, y),
    }
    sf = pd.DataFrame({"skin_type": skin, "gender": gender})
    return models, X, y, sf


def imported_modules(module, *, top_level_only):
    """Top-level package names a module imports (its own body only, or anywhere in it)."""
    tree = ast.parse(Path(module.__file__).read_text())
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    names = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_plotting_imports_matplotlib_lazily_and_never_torch():
    # the package must import without matplotlib, and plotting must not need torch
    assert "matplotlib" not in imported_modules(plotting, top_level_only=True)
    assert "torch" not in imported_modules(plotting, top_level_only=False)
    assert not {"torch", "matplotlib"} & imported_modules(_images, top_level_only=False)


def test_image_grid_colour_uint8(tmp_path):
    images, _ = make_blob_images(n=11, size=8)
    path = tmp_path / "grid.png"
    fig = plot_image_grid(
        images, titles=[f"#{i}" for i in range(11)], ncols=4, title="Faces", path=path
    )
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 11
    assert titles(fig)[:2] == ["#0", "#1"]
    assert fig.get_suptitle() == "Faces"
    assert_png(path)


def test_image_grid_grey_and_channels_first():
    grey = np.random.default_rng(0).random((3, 8, 8))
    fig = plot_image_grid(grey)
    assert all(ax.images[0].get_cmap().name == "gray" for ax in fig.axes)
    rgb_first = np.random.default_rng(0).random((2, 3, 8, 8)).astype(np.float32)
    fig = plot_image_grid(rgb_first)
    assert fig.axes[0].images[0].get_array().shape == (8, 8, 3)


def test_image_grid_rejects_bad_input():
    images = np.zeros((3, 8, 8))
    with pytest.raises(ValueError, match="titles has 2 entries for 3 images"):
        plot_image_grid(images, titles=["a", "b"])
    with pytest.raises(ValueError, match="ncols must be a positive integer"):
        plot_image_grid(images, ncols=0)
    with pytest.raises(ValueError, match="Float pixels"):
        plot_image_grid(images + 2)


def test_extreme_faces_rows(tmp_path):
    images, _ = make_blob_images(n=10, size=8)
    weights = np.arange(10) / 45.0
    path = tmp_path / "extremes.png"
    fig = plot_extreme_faces(images, weights, n=3, path=path)
    assert len(fig.axes) == 6
    expected = [f"w = {w:.3g}" for w in weights[[9, 8, 7, 0, 1, 2]]]
    assert titles(fig) == expected
    rows = [sub.get_suptitle() for sub in fig.subfigs]
    assert rows[0].startswith("Highest") and rows[1].startswith("Lowest")
    assert_png(path)


def test_extreme_faces_checks_weights():
    images = np.zeros((4, 8, 8))
    assert len(plot_extreme_faces(images, [1, 2, 3, 4], n=10).axes) == 8
    with pytest.raises(ValueError, match="weights has 3 entries for 4 images"):
        plot_extreme_faces(images, [1, 2, 3])
    with pytest.raises(ValueError, match="non-negative"):
        plot_extreme_faces(images, [1, -2, 3, 4])
    with pytest.raises(ValueError, match="n must be a positive integer"):
        plot_extreme_faces(images, [1, 2, 3, 4], n=0)


def test_reconstructions(tmp_path):
    images, _ = make_blob_images(n=6, size=8, dtype=np.float32)
    path = tmp_path / "recon.png"
    fig = plot_reconstructions(images, images[::-1], n=4, path=path)
    assert len(fig.axes) == 8
    assert [sub.get_suptitle() for sub in fig.subfigs] == ["Original", "Reconstruction"]
    assert_png(path)
    with pytest.raises(ValueError, match="same shape"):
        plot_reconstructions(images, images[:, :4])


def test_latent_traversal(tmp_path):
    decoded = np.random.default_rng(0).random((5, 8, 8, 1))
    path = tmp_path / "traversal.png"
    fig = plot_latent_traversal(decoded, np.linspace(-2, 2, 5), dim=3, path=path)
    assert len(fig.axes) == 5
    assert titles(fig)[0] == "z[3] = -2"
    assert fig.get_suptitle() == "Latent traversal of dimension 3"
    assert_png(path)
    with pytest.raises(ValueError, match="values has 4 entries for 5 images"):
        plot_latent_traversal(decoded, [0, 1, 2, 3])


def test_group_metrics_from_table(comparison, tmp_path):
    models, X, y, sf = comparison
    table = compare_models(models, X, y, sf)
    path = tmp_path / "groups.png"
    fig = plot_group_metrics(table, "recall", path=path)
    ax = fig.axes[0]
    assert len(ax.containers) == 2
    heights = [bar.get_height() for bar in ax.containers[0]]
    expected = table.loc[table["model"] == "standard", "recall"] * 100
    assert heights == pytest.approx(expected.tolist())
    assert [t.get_text() for t in ax.get_xticklabels()][0] == "darker\nfemale"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["standard", "always_face"]
    assert ax.get_ylabel() == "recall (%)"
    assert ax.get_title() == "Recall by group"
    assert_png(path)


def test_group_metrics_from_frames_on_given_axes(comparison):
    models, X, y, sf = comparison
    frames = metric_frames(models, X, y, sf)
    fig = Figure()
    ax = fig.add_subplot()
    assert plot_group_metrics(frames, "accuracy", ax=ax, title="Accuracy") is fig
    assert ax.get_title() == "Accuracy"


def test_group_metrics_rejects_bad_input(comparison):
    models, X, y, sf = comparison
    table = compare_models(models, X, y, sf)
    with pytest.raises(ValueError, match="'f1' column"):
        plot_group_metrics(table, "f1")
    with pytest.raises(ValueError, match="not a rate"):
        plot_group_metrics(table, "count")
    with pytest.raises(ValueError, match="several rows"):
        plot_group_metrics(pd.concat([table, table]))
    with pytest.raises(TypeError, match="Expected a table"):
        plot_group_metrics([1, 2, 3])


def test_training_curves_from_skorch_history(tmp_path):
    history = History()
    for epoch in range(1, 5):
        history.new_epoch()
        history.record("epoch", epoch)
        history.record("train_loss", 1.0 / epoch)
        history.record("train_loss_best", True)
        history.record("dur", 0.1)
        if epoch != 2:
            history.record("valid_loss", 1.2 / epoch)
        history.record("sample_ess", 40.0 - epoch)
        history.record("valid_acc", 0.5 + 0.1 * epoch)
    path = tmp_path / "curves.png"
    fig = plot_training_curves(history, path=path)
    assert len(fig.axes) == 3
    labels = [ax.get_legend_handles_labels()[1] for ax in fig.axes]
    assert labels == [["train_loss", "valid_loss"], ["sample_ess"], ["valid_acc"]]
    assert np.isnan(fig.axes[0].lines[1].get_ydata()[1])
    assert_png(path)


def test_training_curves_plots_only_what_exists():
    fig = plot_training_curves(pd.DataFrame({"train_loss": [0.9, 0.5, 0.4]}))
    assert len(fig.axes) == 1
    assert list(fig.axes[0].lines[0].get_xdata()) == [1, 2, 3]
    with pytest.raises(ValueError, match="non-empty list"):
        plot_training_curves([])
    with pytest.raises(ValueError, match="Nothing to plot"):
        plot_training_curves([{"epoch": 1, "dur": 0.3}])
    with pytest.raises(TypeError, match="must be a dict"):
        plot_training_curves([0.5, 0.4])


def test_plot_group_roc_draws_one_curve_per_group(tmp_path):
    from debias_estimators.evaluation import group_roc_curves

    scores = np.array([0.9, 0.8, 0.3, 0.6, 0.2, 0.1, 0.7])
    faces = np.array([1, 1, 1, 1, 0, 0, 0], dtype=bool)
    groups = pd.Series(["a", "a", "b", "b", None, None, None])
    curves = group_roc_curves(scores, faces, groups)
    assert set(curves["group"]) == {"a", "b"}
    path = tmp_path / "roc.png"
    fig = plot_group_roc(curves, fpr=0.05, path=path)
    ax = fig.axes[0]
    labels = [line.get_label() for line in ax.get_lines()]
    assert sum(label.startswith(("a", "b")) for label in labels) == 2
    assert path.exists()
    with pytest.raises(ValueError, match="columns"):
        plot_group_roc(pd.DataFrame({"x": [1]}))
