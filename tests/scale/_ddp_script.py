"""Fit the accelerated DB-VAE on tiny images in every process of a launch; save what each saw.

Run by ``test_distributed.py`` through ``accelerate launch --num_processes 2 --cpu``; writes
``rank<r>.npz`` into the folder given as the only argument.
"""

import hashlib
import pickle
import sys
from pathlib import Path

import numpy as np
import torch
from skorch.callbacks import Callback

from debias_estimators import LatentDensityResampler
from debias_estimators.estimators._distributed import AcceleratedDebiasedVAEClassifier
from debias_estimators.estimators._resampling import encode_means

N_SAMPLES, BATCH_SIZE, EPOCHS = 64, 8, 2


def make_images(n=N_SAMPLES, size=16, seed=0):
    """Draw noise images, a bright blob on the faces (y == 1); the same on every rank."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    X = rng.uniform(0, 0.5, size=(n, size, size, 3))
    X[y == 1, 4:12, 4:12] += 0.5
    return (X * 255).astype(np.uint8), y


class RecordEpochs(Callback):
    """Keep each epoch's sampling weights, the rank's training draws and a local encoding."""

    def initialize(self):
        self.weights_, self.draws_, self.local_edges_, self.shared_edges_ = [], [], [], []
        return self

    def on_epoch_begin(self, net, dataset_train=None, **kwargs):
        # Runs after the resampling callback: encode all the positives here, on this rank
        # alone, to check that the gathered means covered every one of them.
        resampling = dict(net.callbacks_)["latent_resampling"]
        module = net.accelerator.unwrap_model(net.module_)
        positives = np.flatnonzero(dataset_train.y > 0.5)
        mu = encode_means(module, dataset_train, positives, device=net.accelerator.device)
        local = LatentDensityResampler(bins=resampling.resampler.bins).fit(mu)
        self.local_edges_.append(np.asarray(local.bin_edges_))
        self.shared_edges_.append(np.asarray(resampling.resampler.bin_edges_))
        self.weights_.append(net.train_sampler_.weights.numpy().copy())
        self.draws_.append([])

    def on_batch_begin(self, net, batch=None, training=False, **kwargs):
        if training:
            self.draws_[-1].append(batch[1]["index"].cpu().numpy())


def main(out):
    X, y = make_images()
    recorder = RecordEpochs()
    clf = AcceleratedDebiasedVAEClassifier(
        latent_dim=4,
        n_filters=2,
        bins=5,
        batch_size=BATCH_SIZE,
        max_epochs=EPOCHS,
        random_state=0,
        callbacks=[("record", recorder)],
    ).fit(X, y)
    rank = clf.accelerator_.process_index
    state = clf.net_.module_.state_dict()
    digest = hashlib.sha256(b"".join(v.cpu().numpy().tobytes() for v in state.values()))
    restored = pickle.loads(pickle.dumps(clf))
    record = dict(clf.net_.callbacks_)["record"]
    results = {
        "rank": rank,
        "world_size": clf.accelerator_.num_processes,
        "seed": clf.net_.seed,
        "n_samples": len(X),
        "batch_size": BATCH_SIZE,
        "params_sha256": digest.hexdigest(),
        "predict": clf.predict(X),
        "decision": clf.decision_function(X),
        "restored_decision": restored.decision_function(X),
        "final_weights": clf.sample_weight_,
        "module_on": str(next(clf.net_.module_.parameters()).device),
    }
    for epoch in range(EPOCHS):
        results[f"weights_{epoch}"] = record.weights_[epoch]
        results[f"draws_{epoch}"] = np.stack(record.draws_[epoch])
        results[f"local_edges_{epoch}"] = record.local_edges_[epoch]
        results[f"shared_edges_{epoch}"] = record.shared_edges_[epoch]
    np.savez(Path(out) / f"rank{rank}.npz", **results)
    torch.distributed.barrier() if torch.distributed.is_initialized() else None


if __name__ == "__main__":
    main(sys.argv[1])
