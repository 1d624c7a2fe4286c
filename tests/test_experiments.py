"""The experiments behind the commands, called as a script would: checks first, then the work."""

import ast
import dataclasses
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
    DemoSettings,
    TestSource,
    TrainingSource,
    audit_saved_model,
    evaluate,
    evaluate_saved_model,
    run_demo,
    train_and_save,
)

TINY = {"max_epochs": 1, "n_filters": 4, "batch_size": 32}
SOURCE = TrainingSource(n_train=120, random_state=0)
AT_16 = dataclasses.replace(DEMO, image_size=16)  # the demo's budget on 16-pixel images


def _quiet(*_):
    pass


@pytest.fixture(scope="module")
def saved_cnn(tmp_path_factory):
    path = tmp_path_factory.mktemp("models") / "cnn.zip"
    train_and_save(
        "cnn", path, source=SOURCE, settings=AT_16, params=TINY, progress=False, log=_quiet
    )
    return path


def test_train_and_save_writes_the_model_it_returns(tmp_path):
    lines = []
    model = train_and_save(
        "cnn",
        tmp_path / "m.zip",
        source=SOURCE,
        settings=AT_16,
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


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (lambda d: TrainingSource(image_folder=d, lfw=True), "one source of training images"),
        (lambda d: TrainingSource(max_images=5), "give h5 too"),
        (lambda d: TrainingSource(h5=d, max_images=0), "max_images must be a positive"),
        (lambda d: TrainingSource(n_train=True), "n_train must be a positive"),
        (lambda d: TestSource(ppb=d, image_folder=d, groups="g.csv"), "ppb or image_folder"),
        (lambda d: TestSource(groups="groups.csv"), "give image_folder too"),
        (lambda d: TestSource(image_folder=d), "needs groups=CSV"),
        (lambda d: TestSource(n_per_group=0), "n_per_group must be a positive"),
        (lambda d: TrainingSource(h5=""), "h5 must name a file"),
        (lambda d: TestSource(ppb=" "), "ppb must name a file"),
        (lambda d: DemoSettings(n_train="120"), "n_train must be a positive"),
        (lambda d: DemoSettings(n_train=1), "n_train must be at least 2"),
        (lambda d: DemoSettings(image_size=8), "image_size must be at least"),
        (lambda d: DemoSettings(epochs=0), "epochs must be a positive"),
    ],
)
def test_a_source_refuses_what_does_not_go_together_when_made(make, fragment, tmp_path):
    with pytest.raises(ValueError, match=fragment):
        make(str(tmp_path))


def test_only_a_drawn_test_set_can_be_drawn_again(tmp_path):
    assert TestSource().synthetic and not TestSource(ppb=str(tmp_path)).synthetic


def test_evaluate_saved_model_is_the_evaluation_of_the_loaded_model(saved_cnn, tmp_path):
    test = TestSource(n_per_group=5, random_state=3)
    run = evaluate_saved_model(saved_cnn, test=test, n_draws=2, out=tmp_path / "r", log=_quiet)
    # Independently: load the model, draw the same test set, evaluate.
    expected = evaluate({"CNN": load_model(saved_cnn)}, test.load((16, 16, 3)))
    pd.testing.assert_frame_equal(run.evaluation.summary, expected.summary)
    assert list(run.test_draws["n_seeds"].unique()) == [2]
    assert (tmp_path / "r" / "report.md").is_file() and list(run.models) == ["CNN"]


def test_the_command_prints_and_writes_what_the_library_call_returns(saved_cnn, tmp_path, capsys):
    lines = []
    run = evaluate_saved_model(
        saved_cnn, test=TestSource(n_per_group=5), out=tmp_path / "lib", log=lines.append
    )
    argv = ["evaluate", str(saved_cnn), "--n-test-per-group", "5", "--out", str(tmp_path / "cli")]
    assert main(argv) == 0
    written = pd.read_csv(tmp_path / "cli" / "summary.csv", index_col=0)
    pd.testing.assert_frame_equal(
        written, run.evaluation.summary.rename_axis(written.index.name), check_dtype=False
    )
    # The console shows the log, then str(run): the same text but for the folder and the time.
    printed = capsys.readouterr().out.replace(str(tmp_path / "cli"), str(tmp_path / "lib"))
    expected = "\n".join([*lines, str(run)])
    assert "Summary over the groups" in expected and "Report: " in expected

    def drop_time(text):
        return [line for line in text.strip().splitlines() if "wall time" not in line]

    assert drop_time(printed) == drop_time(expected)


def test_experiments_refuse_before_loading_or_writing(saved_cnn, tmp_path):
    out = tmp_path / "report"
    with pytest.raises(ValueError, match="n_draws > 1"):
        evaluate_saved_model(saved_cnn, test=TestSource(ppb=str(tmp_path)), n_draws=2, out=out)
    with pytest.raises(ValueError, match="fpr must be a number in"):
        evaluate_saved_model(tmp_path / "absent.zip", fpr=1.5, out=out)
    with pytest.raises(ValueError, match="top_fraction must be a number in"):
        audit_saved_model(tmp_path / "absent.zip", top_fraction=0.9, out=out)
    with pytest.raises(ValueError, match="needs a DB-VAE"):
        audit_saved_model(saved_cnn, out=out, log=_quiet)
    with pytest.raises(ValueError, match="needs the training groups"):
        train_and_save("groupdro", tmp_path / "m.zip", log=_quiet)
    assert not out.exists() and not (tmp_path / "m.zip").exists()


@pytest.mark.parametrize(
    ("kwargs", "error", "fragment"),
    [
        ({"params": {"jtt": {}}}, ValueError, "methods that are not trained"),
        ({"params": {"lr": 0.1}}, ValueError, "methods that are not trained"),
        ({"params": [("cnn", {})]}, TypeError, "params must be a dict"),
        ({"params": {"cnn": {"latent_dim": 4}}}, ValueError, "no parameter"),
        ({"params": {"cnn": {"random_state": 1}}}, ValueError, "experiment's own argument"),
        ({"params": {"cnn": {"lr": -1.0}}}, ValueError, "'lr' parameter"),
        ({"models": ("cnn", "cnn")}, ValueError, "distinct methods"),
        ({"models": ("cnn", "nope")}, ValueError, "Unknown method"),
        ({"n_init": 0}, ValueError, "n_init must be a positive"),
        ({"fpr": 0.0}, ValueError, "fpr must be a number"),
    ],
)
def test_run_demo_refuses_before_it_draws_or_writes(kwargs, error, fragment, tmp_path):
    kwargs = {"models": ("cnn",), **kwargs}
    with pytest.raises(error, match=fragment):
        run_demo(**kwargs, out=tmp_path / "report", log=_quiet)
    assert not (tmp_path / "report").exists()


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda d: run_demo("cnn", out=d), "models must be list or tuple"),
        (lambda d: run_demo(("cnn",), settings={"epochs": 1}, out=d), "settings must be"),
        (lambda d: run_demo(("cnn",), log="print", out=d), "log must be a callable"),
        (lambda d: train_and_save("cnn", d / "m.zip", source="faces.h5"), "source must be"),
        (lambda d: evaluate_saved_model(d / "m.zip", test="ppb", out=d), "test must be"),
        (lambda d: audit_saved_model(d / "m.zip", source=d, out=d), "source must be"),
        (lambda d: train_and_save("cnn", d / "m.zip", progress="no"), "progress must be"),
        (lambda d: run_demo(("cnn",), progress=None, out=d), "progress must be"),
        (lambda d: TrainingSource(lfw="no"), "lfw must be True or False"),
    ],
)
def test_experiments_name_an_argument_of_the_wrong_kind(call, fragment, tmp_path):
    # (progress, overwrite and the like must be real bools: see test_hostile_flags.py)
    with pytest.raises(TypeError, match=fragment):
        call(tmp_path / "out")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("seed", [None, -1, 1.5, True])
def test_a_source_takes_a_non_negative_integer_seed(seed):
    with pytest.raises(ValueError, match="random_state must be a non-negative integer"):
        TrainingSource(random_state=seed)
    with pytest.raises(ValueError, match="random_state must be a non-negative integer"):
        TestSource(random_state=seed)


class _SecondDrawFails(TestSource):
    """The first test draw as usual; the second fails, after tables and figures are written."""

    def load(self, shape, *, random_state=None):
        if random_state is not None:
            raise RuntimeError("interrupted")
        return super().load(shape)


def test_an_experiment_that_fails_leaves_no_half_report(saved_cnn, tmp_path):
    out = tmp_path / "r"
    with pytest.raises(RuntimeError, match="interrupted"):
        evaluate_saved_model(
            saved_cnn, test=_SecondDrawFails(n_per_group=4), n_draws=2, out=out, log=_quiet
        )
    assert not out.exists()  # summary.csv, groups.csv and the figures were written, then removed


def test_run_demo_gives_each_method_its_own_parameters(tmp_path):
    settings = DemoSettings(
        n_train=120, n_test_per_group=4, image_size=16, epochs=1, n_filters=4, latent_dim=4
    )
    run = run_demo(
        ("cnn", "dbvae"),
        settings=settings,
        params={"dbvae": {"lr": 1e-2}, "cnn": {"n_filters": 3}},
        progress=False,
        out=tmp_path / "r",
        log=_quiet,
    )
    cnn, dbvae = run.models["CNN"], run.models["DB-VAE"]
    assert (cnn.lr, dbvae.lr) == (settings.lr, 1e-2)  # the DB-VAE's lr stays its own
    assert (cnn.n_filters, dbvae.n_filters) == (3, settings.n_filters)
    assert dbvae.latent_dim == 4 and cnn.max_epochs == dbvae.max_epochs == 1
    text = (tmp_path / "r" / "report.md").read_text()
    # Given to one of two methods that have it: the shared setting stays, the own value beside.
    assert f"- `lr`: {settings.lr}" in text and "- `DB-VAE parameters`: lr=0.01" in text


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
