"""Hyperparameter search on a dask cluster through joblib, one torch thread per worker."""

import joblib
import numpy as np
import pytest
import torch
from sklearn.model_selection import GridSearchCV

from debias_estimators import DebiasedVAEClassifier

from conftest import make_blob_images

distributed = pytest.importorskip("distributed")

GRID = {"latent_dim": [2, 4], "alpha": [1e-3, None]}
TINY = dict(n_filters=2, batch_size=8, max_epochs=1, random_state=0)


@pytest.fixture(scope="module")
def client():
    """Two single-threaded worker processes; the nanny starts them with OMP_NUM_THREADS=1."""
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def test_workers_run_one_torch_thread_each(client):
    threads = client.run(torch.get_num_threads)
    assert list(threads.values()) == [1, 1]


def test_grid_search_on_the_cluster_matches_a_local_one(client):
    X, y = make_blob_images(32)
    search = GridSearchCV(DebiasedVAEClassifier(**TINY), GRID, cv=2, n_jobs=-1)
    with distributed.get_task_stream(client) as tasks, joblib.parallel_backend("dask"):
        search.fit(X, y)
    assert len(tasks.data) >= 8  # the 4 settings x 2 folds ran on the workers
    assert search.predict(X).shape == (32,)

    local = GridSearchCV(DebiasedVAEClassifier(**TINY), GRID, cv=2, n_jobs=1)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as on the workers, so the float rounding agrees
    try:
        local.fit(X, y)
    finally:
        torch.set_num_threads(threads)
    np.testing.assert_array_equal(
        search.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"]
    )
    assert search.best_params_ == local.best_params_
