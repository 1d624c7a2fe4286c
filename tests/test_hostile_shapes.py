"""Shapes a user can mean two ways: one image without its batch axis, ragged lists, image_shape.

Each is refused before anything is trained or predicted, by this package, with a message
that names the likely mistake and its fix; a fitted estimator is left as it was.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_hostile import assert_clear_error

from debias_estimators import CNNClassifier, DebiasedVAEClassifier
from debias_estimators.preprocessing import ImageTransformer

from conftest import make_blob_images

TINY = {"n_filters": 1, "hidden_units": (4,), "max_epochs": 1, "batch_size": 8}


@pytest.fixture(scope="module")
def rgb():
    X, y = make_blob_images(n=16, size=16)
    return X, y, DebiasedVAEClassifier(latent_dim=2, **TINY, random_state=0).fit(X, y)


@pytest.fixture(scope="module")
def grey():
    X, y = make_blob_images(n=16, size=16, channels=1)
    X = X[..., 0]
    return X, y, CNNClassifier(**TINY, random_state=0).fit(X, y)


@pytest.mark.parametrize("method", ["predict", "predict_proba", "decision_function", "transform"])
def test_one_rgb_image_without_batch_axis_names_the_fix(rgb, method):
    X, _, est = rgb
    for one in (X[0], np.moveaxis(X[0], -1, 0), X[0].tolist()):
        with pytest.raises(ValueError, match=r"X\[None\]") as info:
            getattr(est, method)(one)
        assert_clear_error(info.value, "one image", str(np.shape(one)))
    assert getattr(est, method)(X[0][None]).shape[0] == 1  # the fix works


def test_one_grey_image_without_batch_axis_names_the_fix(grey):
    X, _, est = grey
    for one in (X[0], X[0][..., None]):
        with pytest.raises(ValueError, match=r"X\[None\]") as info:
            est.predict(one)
        assert_clear_error(info.value, str(one.shape))
    assert est.predict(X[:1]).shape == (1,)


def test_a_batch_shaped_like_one_image_of_another_size_is_not_mistaken(rgb):
    # 16 images of 16x3 pixels is no fitted image: the size message stays.
    _, _, est = rgb
    with pytest.raises(ValueError, match="too small"):
        est.predict(np.zeros((16, 3, 16, 3), np.uint8)[:, :, :, 0])


def _ragged():
    X, _ = make_blob_images(n=3, size=16)
    small, _ = make_blob_images(n=1, size=20)
    return [X[0], X[1], small[0], X[2]]


@pytest.mark.parametrize("as_tuple", [False, True])
def test_ragged_lists_are_refused_by_their_first_two_sizes(rgb, as_tuple):
    X, y, est = rgb
    images = _ragged()
    images = tuple(images) if as_tuple else images
    before = est.decision_function(X)
    for call in (
        lambda: DebiasedVAEClassifier(**TINY).fit(images, [0, 1, 0, 1]),
        lambda: est.predict(images),
        lambda: ImageTransformer(size=16).fit_transform(images),
        lambda: est.fit(images, [0, 1, 0, 1]),
    ):
        with pytest.raises(ValueError) as info:
            call()
        assert_clear_error(info.value, "X[0] has shape (16, 16, 3)", "X[2] has shape (20, 20, 3)")
    np.testing.assert_array_equal(est.decision_function(X), before)


def test_ragged_rows_inside_one_image_are_refused():
    with pytest.raises(ValueError, match=r"X\[1\]") as info:
        ImageTransformer().fit([[[0, 1], [2, 3]], [[0, 1], [2]]])
    assert_clear_error(info.value)


def test_same_sized_lists_still_stack(rgb):
    X, _, est = rgb
    assert est.predict(list(X[:3])).shape == (3,)
    assert ImageTransformer(size=16).fit_transform(list(X[:2])).shape == (2, 16, 16, 3)


BAD_IMAGE_SHAPES = [
    ("16", 16, 3),
    (-16, 16, 3),
    (16.0, 16, 3),
    (True, 16, 3),
    (0, 16, 3),
    (16,),
    (16, 16, 3, 1),
    (None, 16),
]


@pytest.mark.parametrize("image_shape", BAD_IMAGE_SHAPES, ids=repr)
def test_image_shape_must_hold_positive_integers(rgb, image_shape):
    X, y, est = rgb
    rows = X.reshape(len(X), -1)
    with pytest.raises(ValueError, match="image_shape") as info:
        CNNClassifier(image_shape=image_shape, **TINY).fit(rows, y)
    assert_clear_error(info.value, "positive integers", repr(image_shape))


def test_image_shape_as_numpy_integers_reads_rows_as_images(rgb):
    X, y, _ = rgb
    rows = X.reshape(len(X), -1)
    est = CNNClassifier(image_shape=np.array([16, 16, 3]).tolist(), **TINY, random_state=0)
    est.set_params(image_shape=tuple(np.int64(s) for s in (16, 16, 3)))
    assert est.fit(rows, y).input_shape_ == (3, 16, 16)
    assert est.predict(rows).shape == (16,)


@settings(max_examples=25, deadline=None, database=None, derandomize=True)
@given(
    image_shape=st.one_of(
        st.lists(st.integers(-2, 20), min_size=0, max_size=4).map(tuple),
        st.lists(st.floats(-2, 20, allow_nan=False), min_size=2, max_size=3).map(tuple),
        st.text(max_size=4),
        st.lists(st.booleans(), min_size=2, max_size=3).map(tuple),
    )
)
def test_any_image_shape_reads_rows_or_is_refused_by_name(image_shape):
    rows = np.zeros((4, 16 * 16 * 3), np.uint8)
    est = CNNClassifier(image_shape=image_shape, **TINY)
    try:
        est._validate_params()
        est._check_X(rows, reset=True)
    except (ValueError, TypeError) as err:
        assert_clear_error(err, "image_shape")
        return
    assert image_shape in ((16, 16, 3), (16, 48), (48, 16))  # shapes that hold a row
