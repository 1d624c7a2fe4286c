"""Data-parallel training through Accelerate: two CPU processes (gloo) agree, and one is exact."""

import inspect
import os
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from sklearn.base import clone

from debias_estimators import DebiasedVAEClassifier

from conftest import make_blob_images

accelerate = pytest.importorskip("accelerate")

from debias_estimators.estimators._distributed import (  # noqa: E402
    AcceleratedDebiasedVAEClassifier,
)

SCRIPT = Path(__file__).with_name("_ddp_script.py")
TINY = dict(latent_dim=4, n_filters=2, batch_size=8, max_epochs=1, random_state=0)


@pytest.fixture(scope="module")
def two_ranks(tmp_path_factory):
    """Run the script on two CPU processes with torchrun; return each rank's results."""
    out = tmp_path_factory.mktemp("ddp")
    env = {
        **os.environ,
        "ACCELERATE_USE_CPU": "1",  # gloo on the CPU, also where a GPU is present
        "OMP_NUM_THREADS": "1",
        "PYTHONWARNINGS": "ignore",
    }
    command = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",  # a local rendezvous on a free port
        "--nproc_per_node",
        "2",
        str(SCRIPT),
        str(out),
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return [dict(np.load(out / f"rank{rank}.npz")) for rank in (0, 1)]


@pytest.mark.slow  # torchrun starts two processes
def test_two_processes_train_one_model(two_ranks):
    first, second = two_ranks
    assert first["world_size"] == second["world_size"] == 2
    assert first["seed"] == second["seed"]
    assert first["params_sha256"] == second["params_sha256"]
    np.testing.assert_array_equal(first["decision"], second["decision"])
    assert set(np.unique(first["predict"])) <= {0, 1}
    # unwrapped at the end of training: the fitted estimator pickles and predicts alike
    np.testing.assert_array_equal(first["restored_decision"], first["decision"])
    assert str(first["module_on"]) == "cpu"


@pytest.mark.slow
def test_ranks_share_weights_and_draw_one_weighted_sample(two_ranks):
    first, second = two_ranks
    n, batch_size = int(first["n_samples"]), int(first["batch_size"])
    generator = torch.Generator().manual_seed(int(first["seed"]))
    for epoch in range(2):
        weights = first[f"weights_{epoch}"]
        np.testing.assert_array_equal(weights, second[f"weights_{epoch}"])
        assert weights.sum() == pytest.approx(1.0)
        assert np.ptp(weights[1::2]) > 0  # the faces are reweighted
        # the latent means gathered from both ranks cover all the faces
        for rank in two_ranks:
            np.testing.assert_allclose(
                rank[f"shared_edges_{epoch}"], rank[f"local_edges_{epoch}"], atol=1e-5
            )
        # rank r trains on batches r, r + 2, ... of the one draw a single process would make
        draw = torch.multinomial(torch.as_tensor(weights), n, True, generator=generator)
        batches = draw.numpy().reshape(-1, batch_size)
        np.testing.assert_array_equal(first[f"draws_{epoch}"], batches[0::2])
        np.testing.assert_array_equal(second[f"draws_{epoch}"], batches[1::2])


def test_one_process_is_the_plain_estimator():
    X, y = make_blob_images(32)
    accelerator = accelerate.Accelerator(cpu=True)
    accelerated = AcceleratedDebiasedVAEClassifier(accelerator=accelerator, **TINY).fit(X, y)
    plain = DebiasedVAEClassifier(**TINY).fit(X, y)
    np.testing.assert_array_equal(accelerated.sample_weight_, plain.sample_weight_)
    np.testing.assert_array_equal(accelerated.decision_function(X), plain.decision_function(X))
    assert clone(accelerated).get_params()["accelerator"] is not None
    restored = pickle.loads(pickle.dumps(accelerated))
    np.testing.assert_array_equal(restored.predict(X), plain.predict(X))
    accelerated.partial_fit(X, y)  # prepared again for one more epoch
    assert len(accelerated.history_) == 2


def test_parameters_mirror_the_plain_estimator():
    def defaults(cls):
        params = inspect.signature(cls.__init__).parameters.values()
        return {p.name: p.default for p in params if p.name != "self"}

    accelerated = defaults(AcceleratedDebiasedVAEClassifier)
    assert accelerated.pop("accelerator") is None
    assert accelerated == defaults(DebiasedVAEClassifier)


@pytest.mark.parametrize(
    "settings",
    [
        {"stratified_batches": True},
        {"resample_latents": "cached"},
        {"stratified_batches": True, "resample_latents": "cached"},
    ],
)
def test_one_process_tuned_paths_are_the_plain_estimators(settings, monkeypatch):
    # Accelerate's training step replaces TrainingNet's: the stratified static slice must
    # still reach the module, and the cached latents must come out as without Accelerate.
    from debias_estimators.nn import DBVAE

    slices = []
    forward = DBVAE.forward

    def recording(self, x, decode_mask=None, n_decode=None):
        if self.training:
            slices.append(n_decode)
        return forward(self, x, decode_mask=decode_mask, n_decode=n_decode)

    monkeypatch.setattr(DBVAE, "forward", recording)
    X, y = make_blob_images(32)
    params = {**TINY, "max_epochs": 2, **settings}
    accelerator = accelerate.Accelerator(cpu=True)
    accelerated = AcceleratedDebiasedVAEClassifier(accelerator=accelerator, **params).fit(X, y)
    accelerated_slices, slices[:] = list(slices), []
    plain = DebiasedVAEClassifier(**params).fit(X, y)
    assert accelerated_slices == slices
    stratified = settings.get("stratified_batches", False)
    assert set(slices) == ({4} if stratified else {None})  # half of each batch of 8
    np.testing.assert_array_equal(accelerated.sample_weight_, plain.sample_weight_)
    np.testing.assert_array_equal(accelerated.decision_function(X), plain.decision_function(X))
    assert accelerated.history_[:, "n_encoded"] == plain.history_[:, "n_encoded"]
