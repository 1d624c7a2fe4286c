"""What adaptive resampling costs per epoch, and how close cached latents come to a full pass.

For N training faces (and as many non-faces) it times the two parts of a resampling step, the
no-grad encoding pass over the faces and the histogram weights, and sets them against the time
of an epoch of training on 2N images (from the training rate measured on a short fit). With
``resample_latents="cached"`` the encoding pass disappears after the first epoch. Finally it
trains on the synthetic benchmark with cached latents and compares the weights they give with
those of a full encoding pass at the same moment (Spearman rank correlation).
"""

import argparse

import numpy as np
from _common import machine, print_table, random_faces, timed, write_csv
from scipy.stats import spearmanr

from debias_estimators import DebiasedVAEClassifier, LatentDensityResampler
from debias_estimators.datasets import make_biased_faces
from debias_estimators.estimators._data import ArrayDataset, check_inputs
from debias_estimators.estimators._resampling import encode_means
from debias_estimators.nn import DBVAE


def _training_rate(size, n=2000):
    X, y = random_faces(n, size)
    clf = DebiasedVAEClassifier(max_epochs=1, alpha=None, random_state=0)
    _, seconds = timed(clf.fit, X, y)
    return n / seconds


def _step_times(n_faces, size, latent_dim):
    X, _ = random_faces(n_faces, size)
    X = check_inputs(X)
    module = DBVAE(X.shape[1:], latent_dim=latent_dim)
    dataset = ArrayDataset(X, np.ones(n_faces))
    idx = np.arange(n_faces)
    encode_means(module, dataset, idx[:1024])  # warm-up
    mu, encode_s = timed(encode_means, module, dataset, idx)
    _, hist_s = timed(LatentDensityResampler().fit, mu)
    return encode_s, hist_s


def _cached_vs_full(n, size, epochs, seed=0):
    data = make_biased_faces(n_faces=n // 2, n_nonfaces=n // 2, image_size=size, random_state=seed)
    X, y = data.images, data.target
    clf = DebiasedVAEClassifier(
        max_epochs=epochs, random_state=seed, resample_latents="cached", latent_dim=32
    ).fit(X, y)
    faces = np.flatnonzero(y == 1)
    cache = dict(clf.net_.callbacks_)["latent_resampling"]._cache[faces]
    w_cached = LatentDensityResampler().fit(cache).sample_weight_
    w_full = LatentDensityResampler().fit(clf.transform(X[faces])).sample_weight_
    top = max(1, len(faces) // 10)
    overlap = len(np.intersect1d(np.argsort(w_cached)[-top:], np.argsort(w_full)[-top:])) / top
    return spearmanr(w_cached, w_full).statistic, overlap


def main(argv=None):
    """Run the measurements and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--faces", type=int, nargs="+", default=[20_000, 100_000])
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--latent-dim", type=int, default=100)
    parser.add_argument("--agree-n", type=int, default=3000, help="images for the agreement fit")
    parser.add_argument("--agree-size", type=int, default=32)
    parser.add_argument("--agree-epochs", type=int, default=4)
    parser.add_argument("--out", default=None, help="folder for the CSV")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, for tests")
    args = parser.parse_args(argv)
    if args.smoke:
        args.faces, args.size, args.latent_dim = [200], 16, 8
        args.agree_n, args.agree_size, args.agree_epochs = 120, 16, 2
    print(f"resampling overhead; {machine()}")
    rate = _training_rate(args.size, n=200 if args.smoke else 2000)
    rows = []
    for n_faces in args.faces:
        encode_s, hist_s = _step_times(n_faces, args.size, args.latent_dim)
        epoch_s = 2 * n_faces / rate
        rows.append(
            {
                "faces": n_faces,
                "epoch_training_s": epoch_s,
                "encode_pass_s": encode_s,
                "histograms_s": hist_s,
                "share_full_pass_%": 100 * (encode_s + hist_s) / (epoch_s + encode_s + hist_s),
                "share_cached_%": 100 * hist_s / (epoch_s + hist_s),
            }
        )
    print_table(rows, f"per-epoch cost ({args.size}x{args.size}x3, latent_dim={args.latent_dim})")
    write_csv(rows, "resampling_overhead", args.out)
    rho, overlap = _cached_vs_full(args.agree_n, args.agree_size, args.agree_epochs)
    agreement = [
        {
            "images": args.agree_n,
            "epochs": args.agree_epochs,
            "spearman_cached_vs_full": float(rho),
            "top10%_overlap": overlap,
        }
    ]
    print_table(agreement, "weights from cached latents vs a full encoding pass")
    write_csv(agreement, "resampling_agreement", args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
