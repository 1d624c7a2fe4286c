import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline

from debias_estimators.datasets import load_lfw_subset, make_biased_faces
from debias_estimators.preprocessing import ImageTransformer


def test_grey_to_rgb_resized_uint8():
    grey = np.full((4, 25, 25), 0.5, dtype=np.float32)
    out = ImageTransformer(size=32).fit_transform(grey)
    assert out.shape == (4, 32, 32, 3) and out.dtype == np.uint8
    assert (out == 128).all()


def test_rgb_to_grey_float():
    rgb = np.zeros((2, 8, 8, 3), dtype=np.uint8)
    rgb[..., 1] = 255  # pure green
    out = ImageTransformer(size=None, channels=1, dtype="float32").fit_transform(rgb)
    assert out.shape == (2, 8, 8, 1) and out.dtype == np.float32
    np.testing.assert_allclose(out, 0.7154, atol=1e-4)


def test_identity_keeps_pixels(blob_images):
    X, _ = blob_images
    out = ImageTransformer(size=None, channels=None).fit_transform(X)
    np.testing.assert_array_equal(out, X)


def test_channels_first_input_comes_out_channels_last(blob_images):
    X, _ = blob_images
    nchw = np.moveaxis(X, -1, 1)
    out = ImageTransformer(size=16, data_format="channels_first").fit_transform(nchw)
    np.testing.assert_array_equal(out, X)


def test_ambiguous_layout_needs_data_format():
    X = np.zeros((2, 3, 5, 3), dtype=np.uint8)
    with pytest.raises(ValueError, match="Ambiguous"):
        ImageTransformer().fit(X)
    assert ImageTransformer(size=None, data_format="channels_last").fit_transform(X).shape == (
        2,
        3,
        5,
        3,
    )


def test_downsizing_is_anti_aliased():
    checks = (np.indices((64, 64)).sum(axis=0) % 2 * 255).astype(np.uint8)[None]
    out = ImageTransformer(size=16, channels=1).fit_transform(checks)
    assert abs(float(out.mean()) - 127.5) < 2
    assert out.std() < 10  # no moire of black and white pixels


def test_non_square_size_and_center_crop():
    wide = np.zeros((1, 10, 30, 3), dtype=np.uint8)
    wide[:, :, 10:20] = 255  # white middle third
    cropped = ImageTransformer(size=(5, 5), center_crop=True).fit_transform(wide)
    stretched = ImageTransformer(size=(5, 5)).fit_transform(wide)
    assert cropped.min() > 240
    assert stretched[0, :, 0].max() < 20
    assert ImageTransformer(size=(6, 12)).fit_transform(wide).shape == (1, 6, 12, 3)


def test_fitted_attributes_and_clone(blob_images):
    X, _ = blob_images
    transformer = ImageTransformer(size=32, channels=1).fit(X)
    assert transformer.input_shape_ == (16, 16, 3)
    assert transformer.output_shape_ == (32, 32, 1)
    assert transformer.n_features_in_ == 16 * 16 * 3
    assert clone(transformer).get_params() == transformer.get_params()
    assert not hasattr(clone(transformer), "output_shape_")


def test_transform_before_fit():
    with pytest.raises(NotFittedError):
        ImageTransformer().transform(np.zeros((1, 8, 8), dtype=np.uint8))


def test_kept_size_and_channels_must_match_fit(blob_images):
    X, _ = blob_images
    with pytest.raises(ValueError, match="sizes do not match"):
        ImageTransformer(size=None).fit(X).transform(X[:, :8, :8])
    with pytest.raises(ValueError, match="Channel counts do not match"):
        ImageTransformer(channels=None).fit(X).transform(X[..., 0])


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"size": 0}, "size"),
        ({"size": (4, 4, 4)}, "size"),
        ({"channels": 2}, "channels"),
        ({"dtype": "int16"}, "dtype"),
        ({"data_format": "nhwc"}, "data_format"),
    ],
)
def test_bad_parameters(blob_images, params, match):
    with pytest.raises(ValueError, match=match):
        ImageTransformer(**params).fit(blob_images[0])


def test_bad_images():
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        ImageTransformer().fit(np.full((1, 8, 8), 3.0))
    with pytest.raises(TypeError, match="numeric"):
        ImageTransformer().fit(np.full((1, 8, 8), "a"))


def test_pipeline_with_dbvae_on_loader_outputs():
    from debias_estimators import DebiasedVAEClassifier

    X, y = load_lfw_subset(return_X_y=True)
    X, y = X[80:120], y[80:120]  # 20 faces, 20 non-faces keep it quick
    pipe = make_pipeline(
        ImageTransformer(size=16),
        DebiasedVAEClassifier(n_filters=4, max_epochs=1, random_state=0),
    )
    pipe.fit(X, y)
    assert pipe.predict(X).shape == (40,)
    synthetic, _ = make_biased_faces(8, 8, 20, random_state=0, return_X_y=True)
    assert pipe.predict(synthetic).shape == (16,)
