import numpy as np
import pytest
from PIL import Image

from debias_estimators.datasets import load_image_folder


def _save(path, width, height, value):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.full((height, width, 3), value, dtype=np.uint8)).save(path)


@pytest.fixture
def folder(tmp_path):
    """Two classes, three formats, two sizes, and files that must be skipped."""
    _save(tmp_path / "bright" / "a.png", 20, 20, 200)
    _save(tmp_path / "bright" / "b.JPG", 30, 20, 180)
    _save(tmp_path / "dark" / "c.bmp", 20, 20, 30)
    (tmp_path / "dark" / "notes.txt").write_text("not an image")
    _save(tmp_path / "dark" / ".hidden.png", 20, 20, 0)
    _save(tmp_path / ".cache" / "d.png", 20, 20, 0)
    return tmp_path


def test_classes_from_folders(folder):
    data = load_image_folder(folder, image_size=16)
    assert data.images.shape == (3, 16, 16, 3)
    assert data.images.dtype == np.uint8
    assert list(data.target_names) == ["bright", "dark"]
    np.testing.assert_array_equal(data.target, [0, 0, 1])
    assert [name.rsplit("/", 1)[-1] for name in data.filenames] == ["a.png", "b.JPG", "c.bmp"]
    assert abs(int(data.images[0].mean()) - 200) <= 1
    assert abs(int(data.images[2].mean()) - 30) <= 1


def test_grey_output_and_return_X_y(folder):
    X, y = load_image_folder(folder, image_size=(12, 10), channels=1, return_X_y=True)
    assert X.shape == (3, 12, 10, 1)
    assert len(y) == 3


def test_keep_size_when_sizes_match(tmp_path):
    _save(tmp_path / "a" / "1.png", 18, 18, 10)
    _save(tmp_path / "b" / "2.png", 18, 18, 20)
    assert load_image_folder(tmp_path, image_size=None).images.shape == (2, 18, 18, 3)


def test_sizes_that_do_not_match(folder):
    with pytest.raises(ValueError, match="sizes do not match"):
        load_image_folder(folder, image_size=None)


def test_unreadable_image_is_named(folder):
    (folder / "bright" / "broken.png").write_bytes(b"\x89PNG truncated")
    with pytest.raises(ValueError, match="broken.png"):
        load_image_folder(folder)


def test_empty_class_folder_is_named(folder):
    (folder / "empty").mkdir()
    with pytest.raises(ValueError, match=r"\['empty'\]"):
        load_image_folder(folder)


def test_no_class_folders(tmp_path):
    _save(tmp_path / "loose.png", 10, 10, 0)  # a file in root is no class
    with pytest.raises(ValueError, match="no class folders"):
        load_image_folder(tmp_path)


def test_missing_root(tmp_path):
    with pytest.raises(FileNotFoundError, match="nowhere"):
        load_image_folder(tmp_path / "nowhere")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"image_size": 0}, "image_size"),
        ({"image_size": (3,)}, "image_size"),
        ({"channels": 4}, "channels"),
    ],
)
def test_bad_arguments(folder, kwargs, match):
    with pytest.raises(ValueError, match=match):
        load_image_folder(folder, **kwargs)


def test_positive_names_the_folder_of_target_1(folder):
    data = load_image_folder(folder, image_size=16, positive="bright")
    np.testing.assert_array_equal(data.target, [1, 1, 0])
    assert list(data.target_names) == ["dark", "bright"]
    (folder / "grey").mkdir()
    _save(folder / "grey" / "e.png", 20, 20, 120)
    three = load_image_folder(folder, image_size=16, positive="dark")
    np.testing.assert_array_equal(three.target, [0, 0, 1, 0])
    assert list(three.target_names) == ["bright+grey", "dark"]


def test_an_unknown_positive_folder_is_named(folder):
    with pytest.raises(ValueError, match=r"positive='faces' is not a class folder.*'bright'"):
        load_image_folder(folder, positive="faces")


@pytest.mark.parametrize(
    "names", [("faces", "other"), ("face", "nonface"), ("positive", "rest"), ("1", "none")]
)
def test_a_positive_class_numbered_0_is_warned_about(tmp_path, names):
    for value, name in enumerate(names):
        _save(tmp_path / name / "x.png", 16, 16, 50 * value)
    with pytest.warns(UserWarning, match=rf"pass positive='{names[0]}'"):
        data = load_image_folder(tmp_path, image_size=16)
    np.testing.assert_array_equal(data.target, [0, 1])
    quiet = load_image_folder(tmp_path, image_size=16, positive=names[0])  # no warning
    np.testing.assert_array_equal(quiet.target, [1, 0])


def test_no_warning_when_the_names_say_nothing_or_agree(tmp_path):
    for name in ("background", "faces"):
        _save(tmp_path / name / "x.png", 16, 16, 10)
    data = load_image_folder(tmp_path, image_size=16)  # faces sorts last: target 1
    assert list(data.target_names) == ["background", "faces"]


def test_a_link_out_of_the_folder_is_refused(tmp_path):
    root = tmp_path / "data"
    _save(root / "faces" / "a.png", 20, 20, 200)
    _save(root / "other" / "b.png", 20, 20, 30)
    _save(tmp_path / "secret" / "s.png", 20, 20, 90)
    (root / "faces" / "link.png").symlink_to(tmp_path / "secret" / "s.png")
    with pytest.raises(ValueError, match="outside it"):
        load_image_folder(root, image_size=16, positive="faces")
    # A link that stays inside the folder is read like any file.
    (root / "faces" / "link.png").unlink()
    (root / "faces" / "inner.png").symlink_to(root / "other" / "b.png")
    assert len(load_image_folder(root, image_size=16, positive="faces").target) == 3
