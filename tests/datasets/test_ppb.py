import numpy as np
import pytest
from PIL import Image

from debias_estimators.datasets import load_ppb

HEADER = "Id,File,Gender,Numeric,Skin Color,Country"
ROWS = [
    "1,a.jpg,Male,1,lighter,Iceland",
    "2,b.png,female,5,darker,Rwanda",
    "3,c.jpg,Female,2,,Finland",  # skin color missing: types 1-3 are lighter
    "4,d.png,male,6,,Senegal",  # ... and 4-6 darker
]


def _photo(width, height, seed):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (height, width, 3), dtype=np.uint8)


def _make_ppb(root, header=HEADER, rows=ROWS, sizes=((40, 30), (30, 50), (25, 25), (60, 40))):
    """Write a PPB-2017 folder with an old-Mac (\\r) metadata file."""
    folder = root / "PPB-2017"
    (folder / "imgs").mkdir(parents=True)
    for i, (row, size) in enumerate(zip(rows, sizes, strict=False)):
        name = next(cell for cell in row.split(",") if cell.endswith((".jpg", ".png")))
        Image.fromarray(_photo(*size, seed=i)).save(folder / "imgs" / name)
    (folder / "PPB-2017-metadata.csv").write_bytes("\r".join([header, *rows, ""]).encode())
    return folder


def test_loads_images_and_attributes(tmp_path):
    folder = _make_ppb(tmp_path)
    data = load_ppb(folder, image_size=24)
    assert data.images.shape == (4, 24, 24, 3)
    assert data.images.dtype == np.uint8
    np.testing.assert_array_equal(data.target, 1)
    attrs = data.attributes
    assert list(attrs["gender"]) == ["male", "female", "female", "male"]
    assert list(attrs["skin_type"]) == ["lighter", "darker", "lighter", "darker"]
    assert list(attrs["fitzpatrick"]) == [1, 5, 2, 6]
    assert attrs["fitzpatrick"].dtype == "Int64"
    assert list(attrs["country"]) == ["Iceland", "Rwanda", "Finland", "Senegal"]
    assert list(attrs["file"]) == ["a.jpg", "b.png", "c.jpg", "d.png"]
    assert data.filenames[1].endswith("b.png")


def test_parent_folder_non_square_size_and_return_X_y(tmp_path):
    _make_ppb(tmp_path)
    X, y = load_ppb(tmp_path, image_size=(20, 16), return_X_y=True)
    assert X.shape == (4, 20, 16, 3)
    assert y.shape == (4,)


def test_center_crop_keeps_the_middle(tmp_path):
    folder = _make_ppb(tmp_path, rows=ROWS[:1])
    wide = np.zeros((20, 40, 3), dtype=np.uint8)
    wide[:, :10] = [0, 0, 255]  # blue margins left and right
    wide[:, 30:] = [0, 0, 255]
    wide[:, 10:30] = [255, 0, 0]  # red middle square
    Image.fromarray(wide).save(folder / "imgs" / "a.jpg", quality=100)
    cropped = load_ppb(folder, image_size=8).images[0]
    stretched = load_ppb(folder, image_size=8, center_crop=False).images[0]
    assert cropped[..., 0].min() > 200 and cropped[..., 2].max() < 60
    assert stretched[:, 0, 2].min() > 200  # the blue margin is still there


def test_skin_type_from_fitzpatrick_when_column_is_absent(tmp_path):
    rows = ["a.jpg,male,3", "b.png,female,4"]
    folder = _make_ppb(tmp_path, header="file,gender,numeric", rows=rows)
    attrs = load_ppb(folder, image_size=16).attributes
    assert list(attrs["skin_type"]) == ["lighter", "darker"]
    assert "country" not in attrs


def test_attributes_feed_a_fairlearn_report(tmp_path):
    from fairlearn.metrics import MetricFrame
    from sklearn.metrics import recall_score

    data = load_ppb(_make_ppb(tmp_path), image_size=16)
    predicted = np.array([1, 0, 1, 1])
    frame = MetricFrame(
        metrics=recall_score,
        y_true=data.target,
        y_pred=predicted,
        sensitive_features=data.attributes[["skin_type", "gender"]],
    )
    assert frame.by_group.loc[("darker", "female")] == 0.0
    assert frame.by_group.loc[("lighter", "male")] == 1.0


def test_missing_column_is_named(tmp_path):
    rows = [row.split(",", 3)[0] + "," + row.split(",")[1] for row in ROWS]
    folder = _make_ppb(tmp_path, header="id,file", rows=rows)
    with pytest.raises(ValueError, match=r"gender.*skin color \(or numeric\)"):
        load_ppb(folder)


def test_missing_image_file_is_named(tmp_path):
    folder = _make_ppb(tmp_path)
    (folder / "imgs" / "c.jpg").unlink()
    with pytest.raises(FileNotFoundError, match="c.jpg"):
        load_ppb(folder)


def test_unreadable_image_is_named(tmp_path):
    folder = _make_ppb(tmp_path)
    (folder / "imgs" / "b.png").write_bytes(b"this is not a PNG")
    with pytest.raises(ValueError, match="b.png"):
        load_ppb(folder)


def test_missing_metadata(tmp_path):
    with pytest.raises(FileNotFoundError, match="PPB-2017-metadata.csv"):
        load_ppb(tmp_path)


@pytest.mark.parametrize(
    ("row", "match"),
    [
        ("1,a.jpg,robot,1,lighter,Iceland", "gender must be female or male"),
        ("1,a.jpg,male,7,,Iceland", "Fitzpatrick types 1-6"),
        ("1,a.jpg,male,2,pale,Iceland", "lighter or darker"),
        ("1,a.jpg,male,,,Iceland", "neither skin color nor numeric"),
    ],
)
def test_bad_values(tmp_path, row, match):
    folder = _make_ppb(tmp_path, rows=[row])
    with pytest.raises(ValueError, match=match):
        load_ppb(folder)


def test_bad_image_size(tmp_path):
    with pytest.raises(ValueError, match="image_size"):
        load_ppb(_make_ppb(tmp_path), image_size=None)
