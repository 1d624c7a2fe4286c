import numpy as np
import pandas as pd
import pytest

from debias_estimators.datasets import DEFAULT_PROPORTIONS, make_balanced_faces, make_biased_faces

FACE_COLUMNS = [
    "skin_type",
    "gender",
    "fitzpatrick",
    "glasses",
    "hat",
    "lighting",
    "pose",
    "background",
    "contrast",
]


@pytest.fixture(scope="module")
def faces():
    return make_biased_faces(n_faces=200, n_nonfaces=100, image_size=32, random_state=0)


def test_bunch_shapes_and_types(faces):
    assert faces.images.shape == (300, 32, 32, 3)
    assert faces.images.dtype == np.uint8
    assert faces.target.shape == (300,)
    assert set(np.unique(faces.target)) == {0, 1}
    assert list(faces.target_names) == ["non-face", "face"]
    assert len(faces.attributes) == 300
    assert list(faces.attributes.columns) == ["kind", *FACE_COLUMNS]
    assert faces.attributes["fitzpatrick"].dtype == "Int64"


def test_target_matches_kind_and_nonfaces_lack_face_attributes(faces):
    is_face = (faces.attributes["kind"] == "face").to_numpy()
    np.testing.assert_array_equal(faces.target, is_face.astype(int))
    assert faces.attributes.loc[~is_face, FACE_COLUMNS].isna().all().all()
    assert faces.attributes.loc[is_face, FACE_COLUMNS].notna().all().all()


def test_default_proportions_are_exact_and_skewed(faces):
    attrs = faces.attributes[faces.target == 1]
    counts = attrs["skin_type"].value_counts()
    assert counts["darker"] == round(200 * DEFAULT_PROPORTIONS["skin_type"]["darker"]) == 10
    for name in ["hat", "glasses", "pose"]:
        rare = min(DEFAULT_PROPORTIONS[name].values())
        assert 0.03 <= rare <= 0.15
        assert attrs[name].value_counts().min() == round(200 * rare)
    kinds = faces.attributes.loc[faces.target == 0, "kind"].value_counts()
    assert kinds["dark_round"] == round(100 * DEFAULT_PROPORTIONS["kind"]["dark_round"])


def test_fitzpatrick_agrees_with_skin_type(faces):
    attrs = faces.attributes[faces.target == 1]
    darker = attrs["skin_type"] == "darker"
    assert attrs.loc[darker, "fitzpatrick"].between(4, 6).all()
    assert attrs.loc[~darker, "fitzpatrick"].between(1, 3).all()


def test_custom_proportions():
    data = make_biased_faces(
        40, 10, 16, {"skin_type": {"darker": 1.0}, "kind": {"texture": 1.0}}, random_state=1
    )
    assert (data.attributes["skin_type"].dropna() == "darker").all()
    assert (data.attributes.loc[data.target == 0, "kind"] == "texture").all()


def test_same_seed_same_draw_other_seed_other_draw():
    first = make_biased_faces(30, 30, 16, random_state=3)
    again = make_biased_faces(30, 30, 16, random_state=3)
    other = make_biased_faces(30, 30, 16, random_state=4)
    np.testing.assert_array_equal(first.images, again.images)
    pd.testing.assert_frame_equal(first.attributes, again.attributes)
    assert not np.array_equal(first.images, other.images)


def test_generator_random_state_and_return_X_y():
    X, y = make_biased_faces(10, 5, 16, random_state=np.random.default_rng(0), return_X_y=True)
    assert X.shape == (15, 16, 16, 3)
    assert y.sum() == 10


def test_unshuffled_faces_come_first():
    data = make_biased_faces(6, 4, 16, shuffle=False, random_state=0)
    np.testing.assert_array_equal(data.target, [1] * 6 + [0] * 4)


def _feature_contrast(images):
    """Spread of the luminance in the box of the eyes, nose and mouth."""
    size = images.shape[1]
    box = images[:, size * 7 // 20 : size * 3 // 4, size * 3 // 10 : size * 7 // 10].astype(float)
    return (box @ [0.2125, 0.7154, 0.0721]).reshape(len(images), -1).std(axis=1)


def test_low_contrast_faces_keep_a_trace_of_their_features():
    plain = {"lighting": {"normal": 1.0}, "pose": {"frontal": 1.0}, "hat": {"no": 1.0}}
    # Same seed, so the same people: only the features' contrast differs.
    normal = make_balanced_faces(20, 0, 40, {**plain, "contrast": {"normal": 1.0}}, random_state=0)
    low = make_balanced_faces(20, 0, 40, {**plain, "contrast": {"low": 1.0}}, random_state=0)
    luma = [data.images.astype(float) @ [0.2125, 0.7154, 0.0721] for data in (normal, low)]
    changed = np.abs(luma[0] - luma[1]) > 4
    assert 0.005 < changed.mean() < 0.1  # the features only, not the head or the scene
    # Where the features are, the low-contrast face varies much less than the same face lit.
    ratio = [lo[mask].std() / no[mask].std() for no, lo, mask in zip(*luma, changed, strict=True)]
    assert np.quantile(ratio, 0.9) < 0.7 and np.median(ratio) < 0.5


def test_statues_are_drawn_as_darker_faces_in_deep_shadow():
    # The ambiguity is exact: statues and darker low-contrast faces share every pixel statistic.
    statues = make_biased_faces(0, 300, 24, {"kind": {"statue": 1.0}}, random_state=0)
    faces = make_biased_faces(
        300,
        0,
        24,
        {"skin_type": {"darker": 1.0}, "contrast": {"low": 1.0}},
        random_state=1,
    )
    assert (statues.target == 0).all() and (statues.attributes["kind"] == "statue").all()
    mean_statue = statues.images.reshape(300, -1).mean(axis=0)
    mean_face = faces.images.reshape(300, -1).mean(axis=0)
    # Pixel means agree within sampling noise (per-pixel sd ~ 60 grey levels / sqrt(300)).
    assert np.abs(mean_statue - mean_face).mean() < 5
    assert (
        abs(_feature_contrast(statues.images).mean() - _feature_contrast(faces.images).mean()) < 2
    )


def _centre_luminance(images):
    """Median luminance of the central box (eyes to nose), which is mostly skin in every face."""
    size = images.shape[1]
    box = images[:, size * 2 // 5 : size * 3 // 5, size * 7 // 20 : size * 13 // 20]
    luma = box.astype(float) @ [0.2125, 0.7154, 0.0721]
    return np.median(luma.reshape(len(images), -1), axis=1)


def test_darker_faces_have_darker_skin_pixels():
    plain = {
        "lighting": {"normal": 1.0},
        "pose": {"frontal": 1.0},
        "hat": {"no": 1.0},
        "glasses": {"no": 1.0},
        "background": {"plain": 1.0},
    }
    data = make_balanced_faces(25, 0, 40, plain, random_state=0)
    attrs = data.attributes
    luma = _centre_luminance(data.images)
    darker = (attrs["skin_type"] == "darker").to_numpy()
    # Every darker face is darker than most lighter faces, and the types are ordered.
    auc = (luma[darker][:, None] < luma[~darker][None, :]).mean()
    assert auc > 0.97
    by_type = pd.Series(luma).groupby(attrs["fitzpatrick"].to_numpy()).median()
    assert by_type.is_monotonic_decreasing


def test_balanced_draw_has_equal_groups():
    data = make_balanced_faces(n_per_group=7, n_nonfaces=5, image_size=16, random_state=0)
    groups = data.attributes.groupby(["skin_type", "gender"], observed=True).size()
    assert len(groups) == 4
    assert (groups == 7).all()
    assert (data.target == 0).sum() == 5


def test_balanced_draw_rejects_group_proportions():
    with pytest.raises(ValueError, match="skin_type"):
        make_balanced_faces(5, proportions={"skin_type": {"lighter": 1.0}})


def test_default_proportions_are_read_only():
    with pytest.raises(TypeError):
        DEFAULT_PROPORTIONS["skin_type"]["darker"] = 0.5


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"n_faces": -1}, ValueError, "n_faces"),
        ({"n_nonfaces": 2.5}, ValueError, "n_nonfaces"),
        ({"n_faces": 0, "n_nonfaces": 0}, ValueError, "Nothing to draw"),
        ({"image_size": 8}, ValueError, "image_size"),
        ({"proportions": {"age": {"old": 1.0}}}, ValueError, "Unknown attribute 'age'"),
        ({"proportions": {"hat": {"cap": 1.0}}}, ValueError, "Unknown value"),
        ({"proportions": {"hat": {"yes": 0.5}}}, ValueError, "sum to 1"),
        ({"proportions": {"hat": {"yes": -0.5, "no": 1.5}}}, ValueError, "non-negative"),
        ({"proportions": {"hat": 0.5}}, TypeError, "hat"),
        ({"proportions": [("hat", 0.5)]}, TypeError, "proportions"),
        ({"random_state": "seed"}, TypeError, "random_state"),
    ],
)
def test_bad_arguments(kwargs, error, match):
    args = {"n_faces": 4, "n_nonfaces": 4, "image_size": 16, **kwargs}
    with pytest.raises(error, match=match):
        make_biased_faces(**args)
