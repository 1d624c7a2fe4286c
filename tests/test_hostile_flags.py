"""Yes/no arguments that guard something: a truthy string never opens them."""

import joblib
import pandas as pd
import pytest

from debias_estimators import CNNClassifier, load_model, save_model
from debias_estimators.reporting import Report


class _Tripwire:
    """Unpickling it writes a file: proof that code from the pickle ran."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (str(self.path), "w"))


@pytest.mark.parametrize("flag", ["no", "False", 1, None])
def test_allow_pickle_must_be_a_bool_and_nothing_runs(flag, tmp_path):
    pickle = tmp_path / "model.pkl"
    joblib.dump(_Tripwire(tmp_path / "ran"), pickle)
    with pytest.raises(TypeError, match="allow_pickle must be True or False"):
        load_model(pickle, allow_pickle=flag)
    assert not (tmp_path / "ran").exists()


@pytest.mark.parametrize("flag", ["no", 1])
def test_overwrite_and_force_must_be_bools(flag, tmp_path):
    kept = tmp_path / "model.zip"
    kept.write_bytes(b"kept")
    clf = CNNClassifier(hidden_units=(4,), max_epochs=1, random_state=0)
    clf.fit([[0.0, 1.0], [1.0, 0.0], [0.0, 0.5], [1.0, 0.2]], [0, 1, 0, 1])
    with pytest.raises(TypeError, match="overwrite must be True or False"):
        save_model(clf, kept, overwrite=flag)
    assert kept.read_bytes() == b"kept"
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine")
    with pytest.raises(TypeError, match="force must be True or False"):
        Report(tmp_path / "full", "t", force=flag)


def test_a_report_that_fails_removes_what_it_wrote(tmp_path):
    folder = tmp_path / "report"
    with pytest.raises(RuntimeError), Report(folder, "t") as report:
        report.add_text("half")
        report.add_table(pd.DataFrame({"a": [1]}), "table")
        assert (folder / "table.csv").is_file()
        raise RuntimeError("interrupted")
    assert not folder.exists()
    # In a folder that held files (force=True), what was written stays.
    folder.mkdir()
    (folder / "keep.txt").write_text("mine")
    with pytest.raises(RuntimeError), Report(folder, "t", force=True) as report:
        report.add_table(pd.DataFrame({"a": [1]}), "table")
        raise RuntimeError("interrupted")
    assert sorted(p.name for p in folder.iterdir()) == ["keep.txt", "table.csv"]
