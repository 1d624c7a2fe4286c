import pickle

import numpy as np
from sklearn.model_selection import cross_val_score

from debias_estimators import CNNClassifier

from conftest import make_blob_images


def small(**params):
    defaults = {"n_filters": 2, "max_epochs": 2, "batch_size": 16, "random_state": 0}
    return CNNClassifier(**{**defaults, **params})


def test_fit_predict_transform(blob_images):
    X, y = blob_images
    clf = small().fit(X, y)
    assert clf.predict(X).shape == (48,)
    assert clf.predict_proba(X).shape == (48, 2)
    assert clf.transform(X).shape == (48, 512)
    assert len(clf.history_) == 2
    assert not hasattr(clf, "sample_weight_")


def test_learns_and_is_deterministic():
    X, y = make_blob_images(n=128, size=16)
    a = small(max_epochs=6, lr=3e-3).fit(X, y)
    assert a.score(X, y) > 0.9
    b = small(max_epochs=6, lr=3e-3).fit(X, y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))


def test_pickle_and_cross_validation(blob_images):
    X, y = blob_images
    clf = small().fit(X, y)
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))
    scores = cross_val_score(small(max_epochs=1), X, y, cv=2)
    assert scores.shape == (2,)


def test_grey_images_and_vectors():
    X, y = make_blob_images(n=40, size=25, channels=1)
    clf = small(max_epochs=1).fit(X[..., 0], y)
    assert clf.transform(X[..., 0]).shape == (40, 512)
    vectors = np.random.default_rng(0).normal(size=(40, 5))
    clf = small(max_epochs=1, hidden_units=(8,)).fit(vectors, y)
    assert clf.transform(vectors).shape == (40, 8)


def test_a_sample_predicts_the_same_alone_or_in_any_batch(blob_images):
    X, y = blob_images
    clf = small(max_epochs=1, n_filters=12).fit(X, y)  # the lab's widths: torch's own kernels
    for name in ("decision_function", "transform"):
        out = getattr(clf, name)(X)
        for n in (1, 3, 7):
            np.testing.assert_array_equal(getattr(clf, name)(X[:n]), out[:n], err_msg=name)
