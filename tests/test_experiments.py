"""The experiments behind the commands, called as a script would: checks first, then the work."""

import ast
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import debias_estimators
from debias_estimators import load_model
from debias_estimators.cli import main
from debias_estimators.experiments import (
    DEMO,
    TestSource,
    TrainingSource,
    audit_saved_model,
    evaluate,
    evaluate_saved_model,
    train_and_save,
)

TINY = {"max_epochs": 1, "n_filters": 4, "batch_size": 32}
SOURCE = TrainingSource(n_train=120, random_state=0)


def _quiet(*_):
    pass


@pytest.fixture(scope="module")
def saved_cnn(tmp_path_factory):
    path = tmp_path_factory.mktemp("models") / "cnn.zip"
    train_and_save(
        "cnn", path, source=SOURCE, image_size=16, params=TINY, progress=False, log=_quiet
    )
    return path


def test_train_and_save_writes_the_model_it_returns(tmp_path):
    lines = []
    model = train_and_save(
        "cnn",
        tmp_path / "m.zip",
        source=SOURCE,
        image_size=16,
        params=TINY,
        progress=False,
        log=lines.append,
    )
    X = SOURCE.load((16, 16, 3)).images[:10]
    np.testing.assert_allclose(
        load_model(tmp_path / "m.zip").predict_proba(X), model.predict_proba(X), atol=1e-6
    )
    assert model.max_epochs == 1 and model.n_filters == 4  # the params over the settings
    assert model.lr == DEMO.lr  # a setting no param replaced
    assert lines[0].startswith("Training set: synthetic biased faces (120 images, seed 0)")


def test_train_and_save_checks_before_it_reads_or_writes(tmp_path):
    path = tmp_path / "m.zip"
    path.write_bytes(b"kept")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        train_and_save("cnn", path, source=SOURCE, params=TINY, log=_quiet)
    with pytest.raises(ValueError, match="'lr' parameter"):
        train_and_save("cnn", tmp_path / "n.zip", params={"lr": -1.0}, log=_quiet)
    # Both sources given: refused when the data is read, after the cheap checks, before fit.
    with pytest.raises(ValueError, match="one source of training images"):
        train_and_save(
            "cnn",
            tmp_path / "n.zip",
            source=TrainingSource(image_folder=str(tmp_path), lfw=True),
            params=TINY,
            log=_quiet,
        )
    assert path.read_bytes() == b"kept" and not (tmp_path / "n.zip").exists()


def test_a_test_source_refuses_what_does_not_go_together(tmp_path):
    with pytest.raises(ValueError, match="ppb or image_folder"):
        TestSource(ppb=str(tmp_path), image_folder=str(tmp_path)).load((16, 16, 3))
    with pytest.raises(ValueError, match="give image_folder too"):
        TestSource(groups="groups.csv").load((16, 16, 3))
    assert TestSource().synthetic and not TestSource(ppb=str(tmp_path)).synthetic


def test_evaluate_saved_model_is_the_evaluation_of_the_loaded_model(saved_cnn, tmp_path):
    test = TestSource(n_per_group=5, random_state=3)
    run = evaluate_saved_model(saved_cnn, test=test, n_draws=2, out=tmp_path / "r", log=_quiet)
    # Independently: load the model, draw the same test set, evaluate.
    expected = evaluate({"CNN": load_model(saved_cnn)}, test.load((16, 16, 3)))
    pd.testing.assert_frame_equal(run.evaluation.summary, expected.summary)
    assert list(run.test_draws["n_seeds"].unique()) == [2]
    assert (tmp_path / "r" / "report.md").is_file() and list(run.models) == ["CNN"]


def test_the_command_prints_and_writes_what_the_library_call_returns(saved_cnn, tmp_path):
    run = evaluate_saved_model(
        saved_cnn, test=TestSource(n_per_group=5), out=tmp_path / "lib", log=_quiet
    )
    argv = ["evaluate", str(saved_cnn), "--n-test-per-group", "5", "--out", str(tmp_path / "cli")]
    assert main(argv) == 0
    written = pd.read_csv(tmp_path / "cli" / "summary.csv", index_col=0)
    pd.testing.assert_frame_equal(
        written, run.evaluation.summary.rename_axis(written.index.name), check_dtype=False
    )


def test_experiments_refuse_before_loading_or_writing(saved_cnn, tmp_path):
    with pytest.raises(ValueError, match="n_draws > 1"):
        evaluate_saved_model(saved_cnn, test=TestSource(ppb=str(tmp_path)), n_draws=2)
    with pytest.raises(ValueError, match="needs a DB-VAE"):
        audit_saved_model(saved_cnn, out=tmp_path / "audit", log=_quiet)
    assert not (tmp_path / "audit").exists()


def _raised_texts(path):
    """The string pieces of every ``raise`` in a module."""
    for node in ast.walk(ast.parse(Path(path).read_text())):
        if isinstance(node, ast.Raise):
            for part in ast.walk(node):
                if isinstance(part, ast.Constant) and isinstance(part.value, str):
                    yield part.value


def test_library_messages_name_parameters_not_command_line_options():
    package = Path(debias_estimators.__file__).parent
    library = [p for p in package.rglob("*.py") if "_cli" not in p.parts and p.name != "cli.py"]
    flagged = [
        (p.relative_to(package).as_posix(), text)
        for p in library
        for text in _raised_texts(p)
        if re.search(r"(^|\s)--[a-z]", text)
    ]
    assert len(library) > 40 and flagged == []
