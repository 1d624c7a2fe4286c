"""The command line, driven in-process on tiny settings: every subcommand and its errors."""

import subprocess
import sys

import h5py
import joblib
import numpy as np
import pandas as pd
import pytest
import torch
from PIL import Image

from debias_estimators import (
    CNNClassifier,
    DebiasedVAEClassifier,
    GroupDROClassifier,
    JTTClassifier,
    LfFClassifier,
    load_model,
)
from debias_estimators.cli import main
from debias_estimators.estimators import all_methods
from debias_estimators.experiments import evaluate
from debias_estimators.experiments._data import load_test_data
from debias_estimators.experiments._models import model_name
from debias_estimators.experiments._text import SUMMARY_COLUMNS

from conftest import check_in_chromium, make_blob_images

TINY_DATA = ["--n-train", "120", "--seed", "0"]
TINY_MODEL = ["--epochs", "1", "--n-filters", "4", "--no-progress"]
TINY_LATENT = ["--latent-dim", "4"]  # a DB-VAE's only: the other methods refuse it
DEMO_FILES = [
    "report.md",
    "report.html",
    "summary.csv",
    "groups.csv",
    "enrichment.csv",
    "group_recall.png",
    "extreme_faces.png",
    "reconstructions.png",
    "latent_traversal.png",
    "training_curves_cnn.png",
    "training_curves_db_vae.png",
    "roc_cnn.png",
    "roc_db_vae.png",
]


def assert_user_error(capsys, status, *fragments):
    """Exit code 2 and a single stderr line naming the problem, no traceback."""
    err = capsys.readouterr().err
    assert status == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "error:" in lines[0] and "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0]


@pytest.fixture(scope="module")
def saved_dbvae(tmp_path_factory):
    path = tmp_path_factory.mktemp("models") / "dbvae.zip"
    argv = ["train", *TINY_DATA, "--image-size", "16", *TINY_MODEL, *TINY_LATENT]
    argv += ["--output", str(path)]
    own = ["--ess-floor", "0.5", "--warmup-epochs", "1"]  # options made from the parameters
    assert main([*argv, "--alpha", "0.05", "--combine", "geometric", *own]) == 0
    return path


@pytest.fixture(scope="module")
def saved_cnn(tmp_path_factory):
    path = tmp_path_factory.mktemp("models") / "cnn.zip"
    argv = ["train", "--model", "cnn", *TINY_DATA, "--image-size", "16", *TINY_MODEL]
    # Checkpointed every epoch: a finished fit leaves its checkpoint folder empty.
    checkpoints = tmp_path_factory.mktemp("checkpoints")
    argv += ["--checkpoint", str(checkpoints), "--checkpoint-every", "1"]
    assert main([*argv, "--output", str(path)]) == 0
    assert list(checkpoints.iterdir()) == []
    return path


def test_module_help_runs_as_a_program():
    result = subprocess.run(
        [sys.executable, "-m", "debias_estimators", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    for command in ("demo", "train", "evaluate", "audit"):
        assert command in result.stdout


def test_demo_prints_tables_shows_progress_and_writes_report(tmp_path, capsys):
    out = tmp_path / "report"
    argv = ["demo", "--quick", *TINY_DATA, "--image-size", "16", "--epochs", "1"]
    status = main([*argv, "--latent-dim", "4", "--n-test-per-group", "5", "--out", str(out)])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    for text in ("CNN", "DB-VAE", "E[A]", "Var[A]", "darker", "female", "Total wall time"):
        assert text in captured.out
    # off a terminal (as here), one plain line per epoch and model instead of bars
    assert "\r" not in captured.err and "resampling pass" not in captured.err
    epoch_lines = [line for line in captured.err.splitlines() if ": epoch " in line]
    assert [line.split(",")[0] for line in epoch_lines] == ["CNN: epoch 1/1", "DB-VAE: epoch 1/1"]
    assert all("train_loss=" in line for line in epoch_lines)
    assert "\x1b[" not in captured.out  # skorch's epoch table, without colours off a terminal
    for name in DEMO_FILES:
        assert (out / name).stat().st_size > 0, name
    report = (out / "report.md").read_text()
    for name in DEMO_FILES[2:]:
        assert f"({name})" in report
    assert "## Model card" in report and "Intended use" in report
    page = check_in_chromium(out / "report.html")
    assert page["images"] == page["rendered"] == len([n for n in DEMO_FILES if n.endswith(".png")])
    summary = pd.read_csv(out / "summary.csv", index_col="model")
    intervals = pd.read_csv(out / "intervals.csv")
    assert set(intervals["model"]) == set(summary.index) and "95 % bootstrap" in captured.out
    assert list(summary.index) == ["CNN", "DB-VAE"]
    assert {"E[A]", "Var[A]", "worst_group", "nonface_accuracy"} <= set(summary.columns)
    # the console's summary table names its columns as summary.csv does
    header = next(line for line in captured.out.splitlines() if line.lstrip().startswith("E[A]"))
    assert header.split() == [c for c in SUMMARY_COLUMNS if c in summary.columns]
    assert set(header.split()) <= set(summary.columns)
    groups = pd.read_csv(out / "groups.csv")
    assert len(groups) == 8 and set(groups["count"]) == {5}


def test_demo_refuses_a_non_empty_folder_without_force(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine")
    status = main(["demo", "--quick", "--out", str(tmp_path)])
    assert_user_error(capsys, status, "--force")
    assert (tmp_path / "notes.txt").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_train_saves_a_model_load_model_reads(saved_dbvae):
    clf = load_model(saved_dbvae)
    assert isinstance(clf, DebiasedVAEClassifier)
    assert clf.latent_dim == 4 and clf.input_shape_ == (3, 16, 16)
    assert (clf.alpha, clf.combine) == (0.05, "geometric")
    assert (clf.ess_floor, clf.warmup_epochs) == (0.5, 1)
    X, _ = make_blob_images(n=4, size=16)
    assert clf.predict(X).shape == (4,)


def test_train_refuses_to_replace_a_file_without_force(saved_dbvae, capsys):
    before = saved_dbvae.read_bytes()
    status = main(["train", "--output", str(saved_dbvae)])
    assert_user_error(capsys, status, "--force")
    assert saved_dbvae.read_bytes() == before


def test_train_reads_the_lab_h5_layout(tmp_path, capsys):
    X, y = make_blob_images(n=40, size=20)
    path = tmp_path / "train_face.h5"
    with h5py.File(path, "w") as f:
        f["images"] = X[..., ::-1]  # the lab's file is BGR
        f["labels"] = y[:, None].astype(np.float32)
    out = tmp_path / "model.zip"
    argv = ["train", "--h5", str(path), "--max-images", "30", "--image-size", "16"]
    assert main([*argv, "--model", "cnn", *TINY_MODEL, "-o", str(out)]) == 0
    assert "of its 30 images" in capsys.readouterr().out
    assert isinstance(load_model(out), CNNClassifier)


def _write_pngs(folder, images):
    folder.mkdir(parents=True)
    for i, image in enumerate(images):
        Image.fromarray(image).save(folder / f"{i:03d}.png")


def test_train_reads_an_image_folder(tmp_path, capsys):
    X, y = make_blob_images(n=24, size=16)
    _write_pngs(tmp_path / "data" / "faces", X[y == 1])
    _write_pngs(tmp_path / "data" / "background", X[y == 0])
    argv = ["train", "--image-folder", str(tmp_path / "data"), "--image-size", "16"]
    out = tmp_path / "model.zip"
    assert main([*argv, "--model", "cnn", *TINY_MODEL, "-o", str(out)]) == 0
    assert "12 of its 24 images are faces" in capsys.readouterr().out
    status = main([*argv, "--face-folder", "people", "-o", str(tmp_path / "other.zip")])
    assert_user_error(capsys, status, "people", "--face-folder")


def test_train_on_the_lfw_subset(tmp_path):
    out = tmp_path / "lfw.zip"
    argv = ["train", "--lfw", "--image-size", "16", "--model", "cnn", *TINY_MODEL, "-o", str(out)]
    assert main(argv) == 0
    assert load_model(out).input_shape_ == (3, 16, 16)


def test_evaluate_on_the_synthetic_test_set(saved_dbvae, tmp_path, capsys):
    out = tmp_path / "eval"
    argv = ["evaluate", str(saved_dbvae), "--n-test-per-group", "5", "--out", str(out)]
    assert main(argv) == 0
    captured = capsys.readouterr().out
    assert "DB-VAE" in captured and "E[A]" in captured
    assert "the model's label for faces: 1." in captured  # not np.int64(1)
    for name in (
        "report.md",
        "summary.csv",
        "groups.csv",
        "group_recall.png",
        "extreme_faces.png",
        "latent_traversal.png",
        "training_curves_db_vae.png",
    ):
        assert (out / name).is_file(), name


def _write_ppb(root):
    folder = root / "PPB-2017"
    rows = []
    rng = np.random.default_rng(0)
    for i, (gender, numeric) in enumerate([("Female", 1), ("Male", 5), ("female", 6), ("M", 2)]):
        name = f"{i}.jpg"
        rows.append(
            {
                "id": i,
                "file": name,
                "gender": gender,
                "numeric": numeric,
                "skin color": "darker" if numeric >= 4 else "lighter",
                "country": "X",
            }
        )
        image = rng.integers(0, 256, size=(30, 24, 3), dtype=np.uint8)
        (folder / "imgs").mkdir(parents=True, exist_ok=True)
        Image.fromarray(image).save(folder / "imgs" / name)
    pd.DataFrame(rows).to_csv(folder / "PPB-2017-metadata.csv", index=False)


def test_evaluate_on_ppb(saved_cnn, tmp_path, capsys):
    _write_ppb(tmp_path)
    out = tmp_path / "eval"
    assert main(["evaluate", str(saved_cnn), "--ppb", str(tmp_path), "--out", str(out)]) == 0
    assert "Pilot Parliaments" in capsys.readouterr().out
    groups = pd.read_csv(out / "groups.csv")
    assert set(groups["skin_type"]) == {"lighter", "darker"} and groups["count"].sum() == 4


def test_evaluate_on_ones_own_image_folder_and_groups_csv(saved_cnn, tmp_path, capsys):
    X, y = make_blob_images(n=24, size=16)
    _write_pngs(tmp_path / "test" / "faces", X[y == 1])
    _write_pngs(tmp_path / "test" / "other", X[y == 0])
    rows = [
        {"file": f"faces/{i:03d}.png", "skin_type": ("darker", "lighter")[i % 2], "gender": "f"}
        for i in range(12)
    ]
    pd.DataFrame(rows).to_csv(tmp_path / "groups.csv", index=False)
    out = tmp_path / "eval"
    argv = ["evaluate", str(saved_cnn), "--image-folder", str(tmp_path / "test")]
    assert main([*argv, "--groups", str(tmp_path / "groups.csv"), "--out", str(out)]) == 0
    assert "with groups from" in capsys.readouterr().out
    groups = pd.read_csv(out / "groups.csv")
    assert set(groups["skin_type"]) == {"darker", "lighter"}
    assert groups["count"].tolist() == [6, 6]
    summary = pd.read_csv(out / "summary.csv")
    assert "nonface_accuracy" in summary.columns  # the 12 images of other/ are non-faces


@pytest.mark.parametrize(
    "extra, fragment",
    [
        ([], "--image-folder needs --groups"),
        (["--groups", "{bad_csv}"], "lacks the column(s) ['gender']"),
        (["--groups", "{stray_csv}"], "not images in"),
        (["--face-folder", "people", "--groups", "{stray_csv}"], "no class folder 'people'"),
    ],
)
def test_evaluate_on_a_folder_names_its_mistakes(extra, fragment, saved_cnn, tmp_path, capsys):
    X, y = make_blob_images(n=8, size=16)
    _write_pngs(tmp_path / "test" / "faces", X[y == 1])
    _write_pngs(tmp_path / "test" / "other", X[y == 0])
    pd.DataFrame({"file": ["faces/000.png"], "skin_type": ["darker"]}).to_csv(
        tmp_path / "bad.csv", index=False
    )
    pd.DataFrame({"file": ["faces/999.png"], "skin_type": ["x"], "gender": ["y"]}).to_csv(
        tmp_path / "stray.csv", index=False
    )
    paths = {"bad_csv": tmp_path / "bad.csv", "stray_csv": tmp_path / "stray.csv"}
    extra = [e.format(**paths) for e in extra]
    argv = ["evaluate", str(saved_cnn), "--image-folder", str(tmp_path / "test"), *extra]
    status = main([*argv, "--out", str(tmp_path / "eval")])
    assert_user_error(capsys, status, fragment)


def test_audit_counts_attributes_of_the_top_weights(saved_dbvae, tmp_path, capsys):
    out = tmp_path / "audit"
    assert main(["audit", str(saved_dbvae), *TINY_DATA, "--out", str(out)]) == 0
    assert "enrichment" in capsys.readouterr().out
    table = pd.read_csv(out / "enrichment.csv")
    assert {"skin_type", "gender"} <= set(table["attribute"])
    assert (out / "extreme_faces.png").is_file() and (out / "report.md").is_file()


def test_audit_needs_a_dbvae(saved_cnn, tmp_path, capsys):
    status = main(["audit", str(saved_cnn), "--out", str(tmp_path / "audit")])
    assert_user_error(capsys, status, "DB-VAE")


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["evaluate", "missing.zip"], "No such model file"),
        (["evaluate", "{tmp}", "--out", "{tmp}/r"], "is a folder; give the model file"),
        (["train", "--h5", "missing.h5", "-o", "{tmp}/new.zip"], "missing.h5"),
        (["evaluate", "{tmp}/junk.zip", "--out", "{tmp}/r"], "Cannot load"),
        (["evaluate", "{tmp}/m.zip", "--ppb", "{tmp}/nowhere", "--out", "{tmp}/r"], "PPB"),
        (["train", "--epochs", "many"], "--epochs"),
        (["train", "--alpha", "-1"], "--alpha"),
        (["train", "--model", "cnn", "--ess-floor", "0.5"], "no parameter of the CNN"),
        (["train", "--model", "jtt", "--upweight", "0.5"], "--upweight: "),  # the estimator's check
        (["train", "--resample-latents", "disk"], "choose from cached, encode"),
        (["train", "--lfw", "--h5", "x.h5"], "not allowed"),
        (["demo", "--image-size", "8"], "at least 16"),
        (
            ["demo", "--models", "cnn,jtt", "--q", "0.5", "--out", "{tmp}/r"],
            "the CNN (cnn) or the JTT (jtt)",
        ),
        (["demo", "--models", "jtt", "--upweight", "0.5", "--out", "{tmp}/r"], "upweight"),
        (["fit"], "invalid choice"),
        ([], "required"),
    ],
)
def test_user_mistakes_end_in_one_line_and_exit_2(argv, fragment, saved_cnn, tmp_path, capsys):
    (tmp_path / "junk.zip").write_text("not a model")
    (tmp_path / "m.zip").write_bytes(saved_cnn.read_bytes())
    status = main([a.format(tmp=tmp_path) for a in argv])
    assert_user_error(capsys, status, fragment)


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_an_absent_device_is_refused_before_training(tmp_path, capsys):
    status = main(["train", "--device", "cuda", "-o", str(tmp_path / "m.zip")])
    assert_user_error(capsys, status, "CUDA")


class _OpensAFile:
    """A pickle that creates a file when loaded: stands for any code a pickle can run."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_evaluate_refuses_a_pickle_unless_allowed(saved_cnn, tmp_path, capsys):
    marker = tmp_path / "code-ran"
    crafted = tmp_path / "crafted.joblib"
    joblib.dump(_OpensAFile(marker), crafted)
    status = main(["evaluate", str(crafted), "--out", str(tmp_path / "r")])
    assert_user_error(capsys, status, "--allow-pickle")
    assert not marker.exists() and not (tmp_path / "r").exists()
    pickled = tmp_path / "cnn.joblib"
    joblib.dump(load_model(saved_cnn), pickled)
    argv = ["evaluate", str(pickled), "--n-test-per-group", "4", "--out", str(tmp_path / "r")]
    assert main(argv) == 2
    assert main([*argv, "--allow-pickle"]) == 0


def test_evaluation_reads_the_face_label_of_the_model():
    test = load_test_data((16, 16, 3), seed=0, n_per_group=6)
    X, y = make_blob_images(n=40, size=16)
    params = {"n_filters": 2, "max_epochs": 1, "random_state": 0}
    reference = evaluate({"m": CNNClassifier(**params).fit(X, y)}, test)
    for labels, pos_label in [(y + 1, None), (np.where(y == 1, "face", "nonface"), "face")]:
        model = CNNClassifier(pos_label=pos_label, **params).fit(X, labels)
        result = evaluate({"m": model}, test)
        pd.testing.assert_frame_equal(result.summary, reference.summary)
        pd.testing.assert_frame_equal(result.groups, reference.groups)


def test_evaluate_and_audit_load_the_model_onto_the_device_asked_for(saved_cnn, tmp_path, capsys):
    # A model whose settings name another device (as one trained on a GPU does) predicts where
    # --device says; an unknown device is refused before any work.
    model = load_model(saved_cnn)
    model.device = "cuda:3"
    pickled = tmp_path / "gpu.joblib"
    joblib.dump(model, pickled)
    out = tmp_path / "r"
    argv = ["evaluate", str(pickled), "--allow-pickle", "--n-test-per-group", "4"]
    assert main([*argv, "--device", "cpu", "--out", str(out)]) == 0
    status = main([*argv, "--device", "nonsense", "--out", str(tmp_path / "r2")])
    assert_user_error(capsys, status, "nonsense")
    assert not (tmp_path / "r2").exists()
    assert load_model(pickled, allow_pickle=True, device="cpu").device == "cpu"


def test_demo_over_initialisations_compares_any_methods_with_the_null(tmp_path, capsys):
    # Any combination of methods: the first is the baseline (no fixed names such as "DB-VAE").
    out = tmp_path / "report"
    argv = ["demo", "--quick", *TINY_DATA, "--image-size", "16", "--epochs", "1", "--seeds", "3"]
    argv += ["--models", "cnn,jtt", "--n-test-per-group", "5", "--no-progress", "--out", str(out)]
    assert main([*argv, "--threads", "1", "--fpr", "0.1"]) == 0
    printed = capsys.readouterr().out
    assert "Over 3 initialisations on the same data, matched 10% FPR" in printed
    assert "JTT against the CNN: worst group at FPR" in printed
    assert "against its own other initialisations (the null)" in printed
    runs = pd.read_csv(out / "runs.csv")
    assert runs.groupby("method").size().to_dict() == {
        "CNN": 3,
        "JTT": 3,
        "CNN, other initialisations": 3,
    }
    assert sorted(runs[runs.method == "CNN, other initialisations"]["init"]) == [1000, 1001, 1002]
    differences = pd.read_csv(out / "differences.csv")
    assert set(differences["method"]) == {"JTT", "CNN, other initialisations"}
    assert set(differences["verdict"]) <= {"better", "worse", "within noise"}
    report = (out / "report.md").read_text()
    assert "`torch threads`: 1" in report and "`matched FPR`: 0.1" in report
    matched = pd.read_csv(out / "matched.csv")
    assert set(matched["operating_point"]) == {"threshold", "FPR"}
    assert (out / "roc_cnn.png").exists() and (out / "attribute_recall.csv").exists()


def test_evaluate_over_test_draws_reports_the_spread(saved_cnn, tmp_path, capsys):
    out = tmp_path / "r"
    argv = ["evaluate", str(saved_cnn), "--n-test-per-group", "4", "--seeds", "3"]
    assert main([*argv, "--out", str(out)]) == 0
    assert "Over 3 synthetic test draws" in capsys.readouterr().out
    assert (pd.read_csv(out / "seeds.csv")["n_seeds"] == 3).all()
    status = main([*argv, "--ppb", str(tmp_path), "--out", str(tmp_path / "r2")])
    assert_user_error(capsys, status, "--seeds")


def test_train_offers_each_method_parameter_with_its_docs(capsys):
    assert main(["train", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert (
        "--warmup-epochs N Epochs trained with uniform sampling before resampling starts. "
        "[dbvae, accelerated-dbvae; default 0]"
    ) in out
    assert "--n-clusters N Clusters per class at most" in out and "[george; default 4]" in out
    assert "--eta" in out and "--device" in out  # group DRO's parameter, through GEORGE


def test_each_method_is_named_by_its_own_class():
    names = [model_name(cls()) for cls in (CNNClassifier, DebiasedVAEClassifier, JTTClassifier)]
    names += [model_name(LfFClassifier()), model_name(GroupDROClassifier())]
    assert names == ["CNN", "DB-VAE", "JTT", "LfF", "group DRO"]
    assert [model_name(m.estimator()) for m in all_methods()] == [m.name for m in all_methods()]


def test_demo_trains_the_methods_asked_for_side_by_side(tmp_path, capsys):
    out = tmp_path / "report"
    argv = ["demo", "--quick", *TINY_DATA, "--image-size", "16", "--epochs", "1"]
    argv += ["--models", "cnn,jtt,lff,groupdro", "--no-progress", "--out", str(out)]
    # an option made from a parameter reaches each chosen method that has it
    assert main([*argv, "--upweight", "3", "--lr", "0.002"]) == 0
    printed = capsys.readouterr().out
    report = (out / "report.md").read_text()
    assert "`JTT parameters`: lr=0.002, upweight=3.0" in report
    assert "`lr`: 0.002" in report  # the settings the models trained with
    assert "`LfF parameters`: lr=0.002" in report
    summary = pd.read_csv(out / "summary.csv", index_col="model")
    assert list(summary.index) == ["CNN", "JTT", "LfF", "group DRO"]
    assert "resampling weights" not in printed  # no DB-VAE, no enrichment table
    assert main(["demo", "--models", "cnn,svm", "--out", str(tmp_path / "x")]) == 2
    assert ", ".join(m.key for m in all_methods()) in capsys.readouterr().err


@pytest.mark.parametrize(
    "kind, name, own",
    [
        ("jtt", "JTT", {"upweight": 5.0}),
        ("lff", "LfF", {"q": 0.5, "ema": 0.0}),
        ("george", "GEORGE", {"n_clusters": 2}),
    ],
)
def test_train_saves_the_label_free_methods_and_evaluate_names_them(
    kind, name, own, tmp_path, capsys
):
    path = tmp_path / f"{kind}.zip"
    argv = ["train", "--model", kind, *TINY_DATA, "--image-size", "16", *TINY_MODEL]
    for key, value in own.items():  # the options made from the estimators' parameters
        argv += [f"--{key.replace('_', '-')}", str(value)]
    assert main([*argv, "--output", str(path)]) == 0
    assert {key: getattr(load_model(path), key) for key in own} == own
    out = tmp_path / "r"
    assert main(["evaluate", str(path), "--n-test-per-group", "4", "--out", str(out)]) == 0
    assert name in capsys.readouterr().out
    assert list(pd.read_csv(out / "summary.csv", index_col="model").index) == [name]


def test_train_prints_the_accelerated_epoch_table_without_colours_off_a_terminal(tmp_path, capsys):
    pytest.importorskip("accelerate")  # the "scale" extra, absent from `make test-min`
    argv = ["train", "--model", "accelerated-dbvae", *TINY_DATA, "--image-size", "16"]
    argv += ["--epochs", "1", "--n-filters", "4", *TINY_LATENT, "-o", str(tmp_path / "m.zip")]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "train_loss" in out and "\x1b[" not in out  # the command line's sink, not print
