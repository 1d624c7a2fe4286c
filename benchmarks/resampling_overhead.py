"""What adaptive resampling costs per epoch, and how close cached latents come to a full pass.

It trains the DB-VAE on N random faces and as many non-faces, once with a full encoding pass
over the faces at every epoch start (``resample_latents="encode"``, the paper) and once with
cached latents (``"cached"``), and reads from ``history_`` each epoch's seconds (``dur``) and
the seconds of them its resampling took (``resample_dur``: the encoding pass, if any, and the
histogram weights). Measured inside the fit, after a warm-up fit in the same process, so the
share is of a real epoch. Finally it trains on the synthetic benchmark with cached latents and
compares the weights they give with those of a full encoding pass at the same moment
(Spearman rank correlation).
"""

import argparse

import numpy as np
from _common import machine, print_table, random_faces, write_csv
from scipy.stats import spearmanr

from debias_estimators import DebiasedVAEClassifier, LatentDensityResampler
from debias_estimators.datasets import make_biased_faces


def _fit(n_faces, size, latent_dim, epochs, source):
    X, y = random_faces(2 * n_faces, size)
    return DebiasedVAEClassifier(
        max_epochs=epochs, latent_dim=latent_dim, resample_latents=source, random_state=0
    ).fit(X, y)


def _shares(n_faces, size, latent_dim, epochs, source):
    clf = _fit(n_faces, size, latent_dim, epochs, source)
    resample = np.asarray(clf.history_[:, "resample_dur"])
    epoch = np.asarray(clf.history_[:, "dur"])
    share = 100 * resample / epoch
    later = slice(1, None)  # the first epoch encodes every face under either source
    return {
        "faces": n_faces,
        "source": source,
        "epoch_s": float(np.median(epoch[later])),
        "resample_s": float(np.median(resample[later])),
        "share_%": float(np.median(share[later])),
        "share_by_epoch_%": " / ".join(f"{v:.2f}" for v in share),
        "encoded_by_epoch": " / ".join(str(v) for v in clf.history_[:, "n_encoded"]),
    }


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
    parser.add_argument("--faces", type=int, nargs="+", default=[2000, 10_000])
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--latent-dim", type=int, default=100)
    parser.add_argument("--epochs", type=int, default=4, help="at least 2")
    parser.add_argument("--agree-n", type=int, default=3000, help="images for the agreement fit")
    parser.add_argument("--agree-size", type=int, default=32)
    parser.add_argument("--agree-epochs", type=int, default=4)
    parser.add_argument("--out", default=None, help="folder for the CSV")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, for tests")
    args = parser.parse_args(argv)
    if args.smoke:
        args.faces, args.size, args.latent_dim, args.epochs = [100], 16, 8, 3
        args.agree_n, args.agree_size, args.agree_epochs = 120, 16, 2
    if args.epochs < 2:
        parser.error("--epochs must be at least 2: the first epoch is reported apart")
    print(f"resampling overhead; {machine()}")
    _fit(min(args.faces[0], 500), args.size, args.latent_dim, 1, "encode")  # warm-up
    rows = [
        _shares(n_faces, args.size, args.latent_dim, args.epochs, source)
        for n_faces in args.faces
        for source in ("encode", "cached")
    ]
    print_table(
        rows,
        f"resampling's share of each epoch, measured in the fit ({args.size}x{args.size}x3, "
        f"latent_dim={args.latent_dim}; median over epochs 2 to {args.epochs})",
    )
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
