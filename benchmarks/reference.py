"""Plain PyTorch reference loops for the DB-VAE and the standard CNN.

A self-contained training loop of the debiasing variational autoencoder (DB-VAE) of
Amini et al., "Uncovering and Mitigating Algorithmic Bias through Learned Latent
Structure" (AIES 2019), in the form popularised by MIT 6.S191 lab 2, plus the plain
CNN it is compared with. Nothing here imports ``debias_estimators``: the point is to
have an independent yardstick for the speed and the results of the library.

Data are uint8 NHWC numpy arrays; every batch is converted on the fly
(index, ``torch.from_numpy``, permute to NCHW, float, divide by 255).

Conventions of these loops:

* one epoch is ``n_train // batch_size`` optimisation steps, for both models;
* a DB-VAE batch holds ``batch_size // 2`` faces (``y == 1``) drawn without
  replacement with the debiasing weights, the rest non-faces drawn uniformly;
* the debiasing weights are recomputed at the start of every epoch from the latent
  means of every training face (encoder in eval mode, no gradients);
* the CNN sees a fresh uniform permutation each epoch, the last incomplete batch is
  dropped.

Run ``python benchmarks/reference.py --help`` for the speed measurement.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

__all__ = [
    "ReferenceCNN",
    "ReferenceDBVAE",
    "dbvae_loss",
    "histogram_weights",
    "predict_reference",
    "train_reference_cnn",
    "train_reference_dbvae",
]

# (kernel, padding, channel multiplier) of the four encoder blocks, all stride 2.
_ENCODER_BLOCKS = ((5, 2, 1), (5, 2, 2), (3, 1, 4), (3, 1, 6))


def _conv_out(size, kernel, padding, stride=2):
    """Spatial size after a convolution."""
    return (size + 2 * padding - kernel) // stride + 1


def _encoder_sizes(height, width):
    """Spatial sizes ``[(H, W), (H1, W1), ..., (H4, W4)]`` through the encoder."""
    sizes = [(height, width)]
    for kernel, padding, _ in _ENCODER_BLOCKS:
        h, w = sizes[-1]
        sizes.append((_conv_out(h, kernel, padding), _conv_out(w, kernel, padding)))
    if min(sizes[-1]) < 1:
        raise ValueError(f"images of {height}x{width} are too small for four stride-2 blocks")
    return sizes


def _make_encoder(in_shape, n_filters, n_outputs):
    """Four conv blocks then a two-layer head with ``n_outputs`` outputs."""
    channels, height, width = in_shape
    layers = []
    c_in = channels
    for kernel, padding, mult in _ENCODER_BLOCKS:
        c_out = n_filters * mult
        layers += [
            nn.Conv2d(c_in, c_out, kernel_size=kernel, stride=2, padding=padding),
            nn.ReLU(),
            nn.BatchNorm2d(c_out),
        ]
        c_in = c_out
    h4, w4 = _encoder_sizes(height, width)[-1]
    layers += [
        nn.Flatten(),
        nn.Linear(c_in * h4 * w4, 512),
        nn.ReLU(),
        nn.Linear(512, n_outputs),
    ]
    return nn.Sequential(*layers)


class ReferenceCNN(nn.Module):
    """Standard CNN classifier: the encoder with a single logit.

    Parameters
    ----------
    in_shape : tuple of int
        ``(C, H, W)`` of the inputs.
    n_filters : int, default=12
        Base number of convolution filters.
    """

    def __init__(self, in_shape, n_filters=12):
        super().__init__()
        self.encoder = _make_encoder(in_shape, n_filters, 1)

    def forward(self, x):
        """Return the logits, shape ``(B,)``."""
        return self.encoder(x)[:, 0]

    def logit(self, x):
        """Return the class logits, shape ``(B,)``."""
        return self.forward(x)


class _Decoder(nn.Module):
    """Mirror of the encoder, producing exactly the input's shape."""

    def __init__(self, in_shape, n_filters, latent_dim):
        super().__init__()
        channels, height, width = in_shape
        sizes = _encoder_sizes(height, width)
        self.start = (6 * n_filters, *sizes[-1])
        self.fc = nn.Linear(latent_dim, int(np.prod(self.start)))
        # Channels walk back 6n -> 4n -> 2n -> n -> C; kernels 3, 3, 5, 5.
        chans = [6 * n_filters, 4 * n_filters, 2 * n_filters, n_filters, channels]
        layers = []
        for i, (kernel, padding, _) in enumerate(reversed(_ENCODER_BLOCKS)):
            (h_in, w_in), (h_out, w_out) = sizes[4 - i], sizes[3 - i]
            # A stride-2 transposed conv gives 2 * in - 2 * padding + kernel - 2 + op;
            # output_padding picks the size the matching encoder block started from.
            base_h = 2 * h_in - 2 * padding + kernel - 2
            base_w = 2 * w_in - 2 * padding + kernel - 2
            layers.append(
                nn.ConvTranspose2d(
                    chans[i],
                    chans[i + 1],
                    kernel_size=kernel,
                    stride=2,
                    padding=padding,
                    output_padding=(h_out - base_h, w_out - base_w),
                )
            )
            if i < 3:
                layers.append(nn.ReLU())
        self.deconv = nn.Sequential(*layers)

    def forward(self, z):
        h = F.relu(self.fc(z))
        return self.deconv(h.view(-1, *self.start))


class ReferenceDBVAE(nn.Module):
    """Debiasing VAE: the encoder outputs a class logit and the latent Gaussian.

    Parameters
    ----------
    in_shape : tuple of int
        ``(C, H, W)`` of the inputs.
    latent_dim : int, default=100
        Dimension of the latent space.
    n_filters : int, default=12
        Base number of convolution filters.
    """

    def __init__(self, in_shape, latent_dim=100, n_filters=12):
        super().__init__()
        self.latent_dim = latent_dim
        self.encoder = _make_encoder(in_shape, n_filters, 2 * latent_dim + 1)
        self.decoder = _Decoder(in_shape, n_filters, latent_dim)

    def encode(self, x):
        """Return ``(logit, mu, logvar)`` of shapes ``(B,)``, ``(B, L)``, ``(B, L)``."""
        out = self.encoder(x)
        d = self.latent_dim
        return out[:, 0], out[:, 1 : d + 1], out[:, d + 1 :]

    def logit(self, x):
        """Return the class logits, shape ``(B,)``."""
        return self.encode(x)[0]

    def forward(self, x):
        """Return ``(logit, mu, logvar, x_hat)``; ``z`` is drawn by reparameterisation."""
        logit, mu, logvar = self.encode(x)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        return logit, mu, logvar, self.decoder(z)


def dbvae_loss(logit, mu, logvar, x, x_hat, y, kl_weight=5e-4):
    """Mean DB-VAE loss over a batch.

    Per sample: binary cross-entropy of the logit, plus, for faces only
    (``y == 1``), ``kl_weight * KL + reconstruction`` where
    ``KL = 0.5 * sum(exp(logvar) + mu**2 - 1 - logvar)`` over the latent dimensions
    and the reconstruction is the mean absolute error over C, H, W.

    Parameters
    ----------
    logit : torch.Tensor
        Class logits, shape ``(B,)``.
    mu, logvar : torch.Tensor
        Latent means and log-variances, shape ``(B, L)``.
    x, x_hat : torch.Tensor
        Inputs and reconstructions, shape ``(B, C, H, W)``.
    y : torch.Tensor
        Labels in {0, 1}, ``B`` elements (``(B,)`` or ``(B, 1)``; flattened).
    kl_weight : float, default=5e-4
        Weight of the KL term.

    Returns
    -------
    torch.Tensor
        Scalar loss.
    """
    batch = logit.shape[0]
    if y.numel() != batch:
        raise ValueError(f"y has {y.numel()} elements for a batch of {batch}")
    y = y.reshape(batch).to(logit.dtype)
    logit = logit.reshape(batch)
    bce = F.binary_cross_entropy_with_logits(logit, y, reduction="none")
    kl = 0.5 * torch.sum(torch.exp(logvar) + mu.pow(2) - 1.0 - logvar, dim=1)
    recon = torch.mean(torch.abs(x - x_hat), dim=(1, 2, 3))
    face = (y == 1).to(logit.dtype)
    return torch.mean(bce + face * (kl_weight * kl + recon))


def histogram_weights(mu, bins=10, alpha=1e-3):
    """Debiasing sampling weights from latent means.

    For every latent dimension the values are binned with ``np.histogram`` into
    ``bins`` equal bins; the density of a bin is its count divided by ``n`` (the
    outer edges are treated as open, so values are assigned to the end bins).
    A sample gets ``1 / (density + alpha)`` in that dimension, normalised over the
    samples; the weight is the maximum over dimensions, normalised to sum to one.

    Parameters
    ----------
    mu : array-like of shape (n_samples, n_dims)
        Latent means (a 1-D array is one dimension).
    bins : int, default=10
        Number of histogram bins per dimension.
    alpha : float, default=1e-3
        Smoothing added to the density.

    Returns
    -------
    numpy.ndarray of shape (n_samples,)
        Sampling probabilities, summing to one.
    """
    mu = np.asarray(mu, dtype=np.float64)
    if mu.ndim == 1:
        mu = mu[:, None]
    n = mu.shape[0]
    if n == 0:
        return np.zeros(0)
    cols = np.ascontiguousarray(mu.T)
    weights = np.zeros(n)
    for col in cols:
        counts, edges = np.histogram(col, bins=bins)
        inner = edges[1:-1]
        idx = np.searchsorted(inner, col, side="right")  # edges[i] <= x < edges[i+1]
        p = 1.0 / (counts[idx] / n + alpha)
        np.maximum(weights, p / p.sum(), out=weights)
    return weights / weights.sum()


def _to_tensor(X_uint8, device="cpu"):
    """Uint8 NHWC numpy batch -> float NCHW tensor in [0, 1] on ``device`` (sent as uint8)."""
    return torch.from_numpy(X_uint8).to(device).permute(0, 3, 1, 2).float().div_(255.0)


def _autocast(device, amp):
    """bfloat16 autocast on ``device`` when ``amp``, else a context that changes nothing."""
    return torch.autocast(torch.device(device).type, dtype=torch.bfloat16, enabled=amp)


def _check_data(X, y):
    X = np.asarray(X)
    y = np.asarray(y).reshape(-1)
    if X.ndim != 4 or X.dtype != np.uint8:
        raise ValueError("X must be a uint8 array of shape (n, H, W, C)")
    if len(X) != len(y):
        raise ValueError("X and y have different lengths")
    if not np.isin(y, (0, 1)).all():
        raise ValueError("y must hold 0 (non-face) and 1 (face) only")
    X = np.ascontiguousarray(X)
    return X, y.astype(np.int64)


@torch.no_grad()
def _encode_means(model, X, batch_size=1024, device="cpu"):
    """Latent means of ``X`` with the encoder in eval mode, in float32."""
    was_training = model.training
    model.eval()
    try:
        out = [
            model.encode(_to_tensor(X[i : i + batch_size], device))[1]
            for i in range(0, len(X), batch_size)
        ]
    finally:
        model.train(was_training)
    return torch.cat(out).cpu().numpy()


def train_reference_dbvae(
    X,
    y,
    *,
    epochs,
    batch_size=32,
    lr=5e-4,
    latent_dim=100,
    n_filters=12,
    kl_weight=5e-4,
    alpha=1e-3,
    bins=10,
    seed=0,
    encode_batch_size=1024,
    device="cpu",
    amp=False,
):
    """Train a DB-VAE with adaptive resampling of the faces.

    Parameters
    ----------
    X : numpy.ndarray of shape (n, H, W, C), dtype uint8
        Training images.
    y : array-like of shape (n,)
        1 for faces, 0 for non-faces; both classes must be present.
    epochs : int
        Number of epochs of ``n // batch_size`` steps each.
    batch_size : int, default=32
        Images per step, half faces (weighted) and half non-faces (uniform).
    lr : float, default=5e-4
        Adam learning rate.
    latent_dim : int, default=100
        Latent dimension.
    n_filters : int, default=12
        Base number of convolution filters.
    kl_weight : float, default=5e-4
        Weight of the KL term.
    alpha : float, default=1e-3
        Histogram smoothing.
    bins : int, default=10
        Histogram bins per latent dimension.
    seed : int, default=0
        Seed of the torch initialisation, noise and batch sampling.
    encode_batch_size : int, default=1024
        Batch size of the no-grad encoding pass before each epoch.
    device : str, default="cpu"
        Where the model trains (e.g. ``"cuda"``); batches are sent as uint8.
    amp : bool, default=False
        Run the training steps' forward pass and loss under bfloat16 autocast (mixed
        precision); the encoding pass stays in float32, as in the library.

    Returns
    -------
    dict
        ``model`` (the trained :class:`ReferenceDBVAE`, in eval mode),
        ``train_seconds`` (optimisation steps only, batch preparation included),
        ``images_per_second`` (training images / ``train_seconds``),
        ``resample_seconds`` (encoding plus histograms, all epochs),
        ``encode_seconds``, ``histogram_seconds``, ``encode_images_per_second``,
        ``total_seconds``, ``n_images`` (training images processed),
        ``face_weights`` (weights of the last epoch, aligned with the faces in
        the order they appear in ``X``) and ``losses`` (mean loss per epoch).
    """
    X, y = _check_data(X, y)
    faces = np.flatnonzero(y == 1)
    others = np.flatnonzero(y == 0)
    if len(faces) == 0 or len(others) == 0:
        raise ValueError("both faces and non-faces are needed")
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = ReferenceDBVAE(X.shape[3:] + X.shape[1:3], latent_dim, n_filters).to(device)
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    n_face, n_other = batch_size // 2, batch_size - batch_size // 2
    steps = len(X) // batch_size
    X_faces = X[faces]
    train_s = encode_s = hist_s = 0.0
    n_images = n_encoded = 0
    losses = []
    weights = None
    t_start = time.perf_counter()
    for _ in range(epochs):
        t0 = time.perf_counter()
        mu = _encode_means(model, X_faces, encode_batch_size, device)
        t1 = time.perf_counter()
        weights = histogram_weights(mu, bins=bins, alpha=alpha)
        t2 = time.perf_counter()
        encode_s += t1 - t0
        hist_s += t2 - t1
        n_encoded += len(X_faces)
        total = 0.0
        t0 = time.perf_counter()
        for _ in range(steps):
            fi = rng.choice(faces, n_face, replace=n_face > len(faces), p=weights)
            oi = rng.choice(others, n_other, replace=n_other > len(others))
            idx = np.concatenate([fi, oi])
            xb = _to_tensor(X[idx], device)
            yb = torch.from_numpy(y[idx]).float().to(device)
            with _autocast(device, amp):
                logit, mu_b, logvar_b, x_hat = model(xb)
                loss = dbvae_loss(logit, mu_b, logvar_b, xb, x_hat, yb, kl_weight)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += loss.item()
            n_images += len(idx)
        train_s += time.perf_counter() - t0
        losses.append(total / max(steps, 1))
    total_s = time.perf_counter() - t_start
    model.eval()
    return {
        "model": model,
        "train_seconds": train_s,
        "images_per_second": n_images / train_s if train_s > 0 else float("nan"),
        "resample_seconds": encode_s + hist_s,
        "encode_seconds": encode_s,
        "histogram_seconds": hist_s,
        "encode_images_per_second": n_encoded / encode_s if encode_s > 0 else float("nan"),
        "total_seconds": total_s,
        "n_images": n_images,
        "face_weights": weights,
        "losses": losses,
    }


def train_reference_cnn(
    X, y, *, epochs, batch_size=32, lr=5e-4, n_filters=12, seed=0, device="cpu", amp=False
):
    """Train the standard CNN with binary cross-entropy on shuffled batches.

    Parameters
    ----------
    X : numpy.ndarray of shape (n, H, W, C), dtype uint8
        Training images.
    y : array-like of shape (n,)
        Labels in {0, 1}.
    epochs : int
        Number of epochs; each is a fresh permutation cut into ``n // batch_size``
        full batches.
    batch_size : int, default=32
        Images per step.
    lr : float, default=5e-4
        Adam learning rate.
    n_filters : int, default=12
        Base number of convolution filters.
    seed : int, default=0
        Seed of the torch initialisation and of the shuffling.
    device : str, default="cpu"
        Where the model trains (e.g. ``"cuda"``); batches are sent as uint8.
    amp : bool, default=False
        Run the forward pass and the loss under bfloat16 autocast (mixed precision).

    Returns
    -------
    dict
        ``model`` (the trained :class:`ReferenceCNN`, in eval mode),
        ``train_seconds``, ``images_per_second``, ``n_images`` and ``losses``
        (mean loss per epoch).
    """
    X, y = _check_data(X, y)
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = ReferenceCNN(X.shape[3:] + X.shape[1:3], n_filters).to(device)
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    steps = len(X) // batch_size
    train_s = 0.0
    n_images = 0
    losses = []
    for _ in range(epochs):
        t0 = time.perf_counter()
        order = rng.permutation(len(X))
        total = 0.0
        for s in range(steps):
            idx = order[s * batch_size : (s + 1) * batch_size]
            xb = _to_tensor(X[idx], device)
            yb = torch.from_numpy(y[idx]).float().to(device)
            with _autocast(device, amp):
                loss = F.binary_cross_entropy_with_logits(model(xb).float(), yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += loss.item()
            n_images += len(idx)
        train_s += time.perf_counter() - t0
        losses.append(total / max(steps, 1))
    model.eval()
    return {
        "model": model,
        "train_seconds": train_s,
        "images_per_second": n_images / train_s if train_s > 0 else float("nan"),
        "n_images": n_images,
        "losses": losses,
    }


@torch.no_grad()
def predict_reference(model, X, batch_size=1024):
    """Probability of the face class for uint8 NHWC images.

    Parameters
    ----------
    model : ReferenceCNN or ReferenceDBVAE
        A trained model; it is put in eval mode.
    X : numpy.ndarray of shape (n, H, W, C), dtype uint8
        Images.
    batch_size : int, default=1024
        Inference batch size.

    Returns
    -------
    numpy.ndarray of shape (n,)
        ``sigmoid(logit)`` per image.
    """
    X = np.ascontiguousarray(X)
    model.eval()
    device = next(model.parameters()).device
    out = [
        torch.sigmoid(model.logit(_to_tensor(X[i : i + batch_size], device)))
        for i in range(0, len(X), batch_size)
    ]
    if not out:
        return np.zeros(0)
    return torch.cat(out).cpu().numpy().astype(np.float64)


def _random_data(n, size, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 256, size=(n, size, size, 3), dtype=np.uint8)
    y = np.arange(n) % 2
    return X, y


def _bench_once(X, y, epochs):
    """One timed run of both loops plus a warm encoding pass; returns a dict of rates."""
    dbvae = train_reference_dbvae(X, y, epochs=epochs)
    cnn = train_reference_cnn(X, y, epochs=epochs)
    _encode_means(dbvae["model"], X[:256])  # warm-up
    t0 = time.perf_counter()
    _encode_means(dbvae["model"], X)
    encode_warm = len(X) / (time.perf_counter() - t0)
    return {
        "dbvae": dbvae["images_per_second"],
        "cnn": cnn["images_per_second"],
        "encode_train": dbvae["encode_images_per_second"],
        "encode_warm": encode_warm,
        "resample": dbvae["resample_seconds"],
    }


def main(argv=None):
    """Time the reference loops on random data and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=4000, help="training images (half faces)")
    parser.add_argument("--size", type=int, default=64, help="image height and width")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument(
        "--repeat", type=int, default=1, help="timed runs; the table gives the best and the median"
    )
    parser.add_argument("--hist-n", type=int, default=100_000, help="faces in the histogram timing")
    parser.add_argument(
        "--hist-dims", type=int, default=100, help="latent dims in the histogram timing"
    )
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, for tests")
    args = parser.parse_args(argv)
    if args.smoke:
        args.n, args.size, args.epochs, args.repeat = 128, 32, 1, 1
        args.hist_n, args.hist_dims = 2000, 10

    load = os.getloadavg()[0]  # other processes compete for the same cores
    X, y = _random_data(args.n, args.size)
    runs = [_bench_once(X, y, args.epochs) for _ in range(max(args.repeat, 1))]
    mu = np.random.default_rng(0).standard_normal((args.hist_n, args.hist_dims))
    histogram_weights(mu)  # warm-up: the first call also pays for fresh memory pages
    hist_times = []
    for _ in range(max(args.repeat, 3)):
        t0 = time.perf_counter()
        histogram_weights(mu)
        hist_times.append(time.perf_counter() - t0)

    print(
        f"reference loops: n={args.n} ({args.size}x{args.size}x3), epochs={args.epochs}, "
        f"runs={len(runs)}, torch {torch.__version__}, {torch.get_num_threads()} threads, "
        f"load average before the run {load:.2f}"
    )

    def rate(key):
        values = [r[key] for r in runs]
        return f"{max(values):,.0f}", f"{np.median(values):,.0f}", "images/s"

    def seconds(values):
        return f"{min(values):.3f}", f"{np.median(values):.3f}", "s"

    rows = [
        ("DB-VAE training", *rate("dbvae")),
        ("CNN training", *rate("cnn")),
        ("DB-VAE encoding, in training", *rate("encode_train")),
        ("DB-VAE encoding, warm", *rate("encode_warm")),
        ("DB-VAE resampling, all epochs", *seconds([r["resample"] for r in runs])),
        (
            f"histogram weights {args.hist_n:,} x {args.hist_dims}",
            *seconds(hist_times),
        ),
    ]
    w0 = max(len(r[0]) for r in rows)
    w1 = max(len("best"), *(len(r[1]) for r in rows))
    w2 = max(len("median"), *(len(r[2]) for r in rows))
    print(f"{'measure':<{w0}}  {'best':>{w1}}  {'median':>{w2}}  unit")
    print(f"{'-' * w0}  {'-' * w1}  {'-' * w2}  {'-' * 8}")
    for name, best, median, unit in rows:
        print(f"{name:<{w0}}  {best:>{w1}}  {median:>{w2}}  {unit}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
