"""The debiasing variational autoencoder as a scikit-learn classifier."""

from numbers import Integral, Real

import numpy as np
import torch
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_array, check_is_fitted

from .._difficulty import difficulty_weights
from ..losses import RECON_LOSSES, DBVAELoss
from ..nn import DBVAE
from ..resampling import LatentDensityResampler
from ._base import BaseNetClassifier, _module_device
from ._crossfit import DifficultyWeightingMixin
from ._docs import fill_param_docs
from ._modes import evaluating
from ._params import NET_CONSTRAINTS, store_init_params
from ._resampling import LATENT_SOURCES, LatentResampling
from ._strategy import TrainingStrategy

__all__ = ["DebiasedVAEClassifier"]


@fill_param_docs
class DebiasedVAEClassifier(DifficultyWeightingMixin, BaseNetClassifier):
    """The DB-VAE of Amini et al. (AIES 2019): a classifier that debiases itself while training.

    The encoder is the standard CNN with ``2 * latent_dim + 1`` outputs: the class logit and a
    latent Gaussian (mean, log-variance). The decoder reconstructs the positive class (faces)
    only. At the start of every epoch the training positives are encoded and a
    :class:`~debias_estimators.LatentDensityResampler` weights them in inverse proportion to
    their latent density, so rare positives are drawn more often; the positives keep their share
    of each epoch and the negatives are drawn uniformly. For feature vectors (two-dimensional
    ``X``) MLPs replace the convolutional encoder and decoder.

    Parameters
    ----------
    latent_dim : int, default=100
        Size of the latent space.
    %(n_filters)s
    %(hidden_units)s
    kl_weight : float, default=5e-4
        Weight of the KL term in the loss.
    recon_loss : {"l1", "l2"}, default="l1"
        Mean absolute error (the teaching lab) or mean squared error (the paper).
    alpha : float or None, default=0.05
        Added to the latent densities before inverting: smaller debiases more strongly.
        ``None`` turns resampling off (the network then trains like a plain VAE-classifier).
        The defaults of ``alpha`` and ``combine`` resample gently (an effective sample size
        near 97 % of the positives); the lab's are ``alpha=1e-3``, ``combine="max"``. Judged
        at a matched false-positive rate over eight initialisations (``docs/benchmarks.rst``),
        neither changed the worst group's recall by more than training noise, nor did
        resampling off; the gentle default changes least.
    bins : int, default=10
        Histogram bins per latent dimension.
    combine : {"max", "product", "geometric"}, default="geometric"
        How the dimensions' weights are combined, see :class:`LatentDensityResampler`.
    ess_floor : float or None, default=None
        Temper the resampling weights so that their effective sample size stays at least this
        share of the training positives: a cap on how far resampling departs from the data,
        the same at any sample size and for every combine rule. ``None`` uses the weights as
        the combine rule makes them (the paper and the lab).
    warmup_epochs : int, default=0
        Epochs trained with uniform sampling before resampling starts.
    resample_latents : {"encode", "cached"}, default="encode"
        Where the latent means for resampling come from: a full no-grad encoding pass over the
        training positives at every epoch start (the paper), or the means the previous epoch's
        training steps already computed (no extra pass; positives not drawn yet are encoded).
    stratified_batches : bool, default=False
        Draw each batch's positives and negatives apart, the positives first: every draw picks
        each sample with the same probability as the default sampler (exactly where
        ``batch_size`` times the positives' share is whole, as at half positives), but every
        batch holds that many positives instead of a count that varies from batch to batch,
        and an epoch is ``n_train // batch_size`` full batches. The decoder then takes a
        static slice of the batch rather than a boolean mask, which ``compile=True`` needs to
        decode the positives only. Has no effect when ``alpha`` is None.
    weighting : {"density", "difficulty"}, default="density"
        What the faces' sampling weights follow. ``"density"``: inverse latent density (the
        paper's rule, set by ``alpha``, ``bins``, ``combine`` and ``ess_floor``).
        ``"difficulty"``: how often models that did not train on a face miss its latent
        neighbours; before training, :meth:`fit` trains ``crossfit_folds`` copies of this
        estimator with ``weighting="density"``, each on the other folds, and keeps each
        sample's held-out log-loss (``crossfit_loss_``); at every epoch start the faces'
        latent means and those losses give the weights
        (:func:`~debias_estimators.resampling.difficulty_weights`). It costs about one more
        full fit (fit time about doubles); :meth:`partial_fit` cannot use it. Needs ``alpha``.
    crossfit_folds : int, default=2
        Folds of the cross-fitting (``weighting="difficulty"`` only).
    difficulty_dims : int, default=5
        Latent dimensions, those most correlated with the cross-fitted loss, in which a face's
        neighbours are found (``weighting="difficulty"`` only).
    difficulty_neighbors : int, default=100
        Faces, itself included, whose cross-fitted loss is averaged into a face's difficulty
        (``weighting="difficulty"`` only).
    difficulty_ess : float, default=0.3
        Effective sample size of the difficulty weights, as a share of the faces, in (0, 1);
        the weights are sharpened or tempered to it (``weighting="difficulty"`` only).
    %(lr)s
    %(batch_size)s
    %(max_epochs)s
    %(warm_start)s
    %(optimizer)s
    pos_label : label, optional
        The class whose latent structure is learned and debiased (faces); ``None`` means
        ``classes_[1]``, i.e. 1 for 0/1 labels.
    random_state : None, int or numpy.random.RandomState, default=None
        Seeds initialisation, sampling and the latent noise; an int makes ``fit`` repeatable
        on CPU.
    %(device)s
    %(compile)s
    %(callbacks)s
    %(train_split)s
    verbose : int, default=0
        skorch's verbosity: 1 prints a line per epoch and shows the resampling passes.
    %(image_shape)s
    %(data_format)s
    %(net_params)s
    %(checkpoint)s
    %(checkpoint_every)s

    Attributes
    ----------
    net_ : skorch.NeuralNet
        The trained skorch net; ``net_.module_`` is the :class:`~debias_estimators.nn.DBVAE`.
    %(fitted_attributes)s
    sample_weight_ : ndarray of shape (n_train,)
        The last epoch's sampling probabilities, in training-set order (absent when ``alpha``
        is None).
    resampler_ : LatentDensityResampler or DifficultyResampler
        The resampler as fitted at the last epoch's start, on the training positives.
    crossfit_loss_ : ndarray of shape (n_train,)
        With ``weighting="difficulty"``: each training sample's log-loss of its own class under
        the cross-fitted copy that did not train on it.
    history_ : skorch.History
        Per-epoch record; ``sample_ess`` holds the effective sample size of the weights,
        ``resample_dur`` the seconds of the epoch's ``dur`` spent on resampling at its start
        (both absent when ``alpha`` is None).

    Examples
    --------
    >>> import numpy as np
    >>> from debias_estimators import DebiasedVAEClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.integers(0, 256, size=(40, 16, 16, 3), dtype=np.uint8)
    >>> y = np.arange(40) % 2
    >>> clf = DebiasedVAEClassifier(latent_dim=4, n_filters=2, max_epochs=1, random_state=0)
    >>> clf.fit(X, y).transform(X).shape
    (40, 4)
    """

    _resampling_class = LatentResampling

    _parameter_constraints: dict = {
        **NET_CONSTRAINTS,
        "latent_dim": [Interval(Integral, 1, None, closed="left")],
        "kl_weight": [Interval(Real, 0, None, closed="left")],
        "recon_loss": [StrOptions(set(RECON_LOSSES))],
        # The resampling parameters: as the resampler's; alpha=None turns resampling off.
        "alpha": [*LatentDensityResampler._parameter_constraints["alpha"], None],
        "bins": LatentDensityResampler._parameter_constraints["bins"],
        "combine": LatentDensityResampler._parameter_constraints["combine"],
        "ess_floor": LatentDensityResampler._parameter_constraints["ess_floor"],
        "warmup_epochs": [Interval(Integral, 0, None, closed="left")],
        "resample_latents": [StrOptions(set(LATENT_SOURCES))],
        "stratified_batches": ["boolean"],
        "weighting": [StrOptions({"density", "difficulty"})],
        "crossfit_folds": [Interval(Integral, 2, None, closed="left")],
        "difficulty_dims": [Interval(Integral, 1, None, closed="left")],
        "difficulty_neighbors": [Interval(Integral, 1, None, closed="left")],
        "difficulty_ess": [Interval(Real, 0, 1, closed="neither")],
    }

    def __init__(
        self,
        *,
        latent_dim=100,
        n_filters=12,
        hidden_units=(64, 64),
        kl_weight=5e-4,
        recon_loss="l1",
        alpha=0.05,
        bins=10,
        combine="geometric",
        ess_floor=None,
        warmup_epochs=0,
        resample_latents="encode",
        stratified_batches=False,
        weighting="density",
        crossfit_folds=2,
        difficulty_dims=5,
        difficulty_neighbors=100,
        difficulty_ess=0.3,
        lr=5e-4,
        batch_size=32,
        max_epochs=10,
        warm_start=False,
        optimizer=torch.optim.Adam,
        pos_label=None,
        random_state=None,
        device="cpu",
        compile=False,
        callbacks=None,
        train_split=None,
        verbose=0,
        image_shape=None,
        data_format="auto",
        net_params=None,
        checkpoint=None,
        checkpoint_every=1,
    ):
        store_init_params(self, locals())

    def _training_strategy(self):
        resampling = self._resampling()
        return TrainingStrategy(
            DBVAE,
            DBVAELoss,
            module_params=self._architecture(),
            callbacks=[] if resampling is None else [("latent_resampling", resampling)],
            # Boolean masks have data-dependent shapes, which torch.compile cannot fuse.
            decode_positives_only=not self.compile,
        )

    def _architecture(self):
        """Return the parameters of the module and its loss."""
        return {
            "module__in_shape": self.input_shape_,
            "module__latent_dim": self.latent_dim,
            "module__n_filters": self.n_filters,
            "module__hidden_units": tuple(self.hidden_units),
            "criterion__kl_weight": self.kl_weight,
            "criterion__recon_loss": self.recon_loss,
        }

    @property
    def _n_features_out(self):
        check_is_fitted(self)
        return int(self.net_.module_.latent_dim)

    def _resampling(self):
        """Return the callback that resamples the faces between epochs, or None."""
        if self.alpha is None:
            return None
        difficulty = self.weighting == "difficulty"
        return self._resampling_class(
            self._difficulty_resampler() if difficulty else self._resampler(),
            source=self.resample_latents,
            progress=self.verbose > 0,
            warmup_epochs=self.warmup_epochs,
            stratified=self.stratified_batches,
        )

    def _after_training(self):
        resampling = self.net_.resampling_callback()
        if resampling is not None:
            self.sample_weight_ = resampling.sample_weight_
            self.resampler_ = resampling.resampler

    def _resampler(self):
        """Return the (unfitted) latent density resampler of these settings."""
        return LatentDensityResampler(
            bins=self.bins,
            alpha=LatentDensityResampler().alpha if self.alpha is None else self.alpha,
            combine=self.combine,
            ess_floor=self.ess_floor,
        )

    def resampling_weights(self, X, loss=None):
        """Weight samples as the latent resampling would, under the fitted encoder.

        With ``weighting="density"`` the resampler of the estimator's settings (``bins``,
        ``alpha``, ``combine``, ``ess_floor``) is fitted on the latent means of ``X``, e.g. the
        training faces: the faces it upweights are those rare in the latent space. With
        ``alpha=None`` the resampler's default ``alpha`` is used. With
        ``weighting="difficulty"`` the samples' cross-fitted losses are needed as ``loss``
        (for the training faces, ``crossfit_loss_`` at their rows), and the weights are
        :func:`~debias_estimators.resampling.difficulty_weights` of the estimator's settings.

        Parameters
        ----------
        X : array-like
            Samples as in :meth:`fit`, at least two; usually positives only.
        loss : array-like of shape (n_samples,), optional
            The samples' cross-fitted losses; only and always with ``weighting="difficulty"``.

        Returns
        -------
        weights : ndarray of shape (n_samples,)
            Sampling probabilities summing to 1; high for samples rare in the latent space (or
            whose latent neighbours are missed more).
        """
        if self.weighting == "difficulty" and loss is None:
            raise ValueError(
                'With weighting="difficulty" the weights need the samples\' cross-fitted losses '
                "as loss; for the training faces, crossfit_loss_ at their rows."
            )
        if self.weighting == "density" and loss is not None:
            raise ValueError(
                'loss is for weighting="difficulty"; this estimator weights by density.'
            )
        if loss is None:
            return self._resampler().fit(self.transform(X)).sample_weight_
        weights, _ = difficulty_weights(
            self.transform(X),
            loss,
            n_dims=self.difficulty_dims,
            n_neighbors=self.difficulty_neighbors,
            ess=self.difficulty_ess,
        )
        return weights

    @staticmethod
    def _logit(module, x):
        return module.encode(x)[0]

    def transform(self, X):
        """Latent means of the samples.

        Parameters
        ----------
        X : array-like
            Samples as in :meth:`fit`.

        Returns
        -------
        Z : ndarray of shape (n, latent_dim)
            The encoder's latent means.
        """
        return self._batched(X, lambda module, x: module.encode(x)[1])

    def decode(self, Z):
        """Decode latent vectors into samples.

        Parameters
        ----------
        Z : array-like of shape (n, latent_dim)
            Latent vectors.

        Returns
        -------
        samples : ndarray
            Images ``(n, H, W, C)`` with values clipped to ``[0, 1]``, or vectors
            ``(n, n_features)``.
        """
        check_is_fitted(self)
        Z = check_array(Z, dtype=np.float32)
        if Z.shape[1] != self.latent_dim:
            raise ValueError(f"Z has {Z.shape[1]} columns; latent_dim is {self.latent_dim}.")
        module = self.net_.module_
        with evaluating(module):
            out = module.decode(torch.from_numpy(Z).to(_module_device(module))).cpu().numpy()
        return self._as_samples(out)

    def reconstruct(self, X):
        """Encode to the latent means and decode again.

        Parameters
        ----------
        X : array-like
            Samples as in :meth:`fit`.

        Returns
        -------
        reconstructions : ndarray
            Images ``(n, H, W, C)`` clipped to ``[0, 1]``, or vectors ``(n, n_features)``.
        """
        out = self._batched(X, lambda module, x: module.decode(module.encode(x)[1]), pad=True)
        return self._as_samples(out)

    def _as_samples(self, out):
        if out.ndim == 4:
            return np.clip(np.moveaxis(out, 1, 3), 0.0, 1.0)
        return out
