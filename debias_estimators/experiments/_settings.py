"""The demo's data and training budget, in one place.

Both models get the same budget. The defaults aim at a clear bias gap for the CNN and a run of
under five minutes on two CPU cores; ``QUICK`` is a run of under a minute. At 64 pixels the
synthetic task is easy enough that the CNN shows little gap; at 32 pixels it misses darker
faces more often.
"""

from dataclasses import dataclass

from ..estimators import DebiasedVAEClassifier
from ._checks import check_count, check_image_size

__all__ = ["DEMO", "QUICK", "DemoSettings"]


_DBVAE_DEFAULTS = DebiasedVAEClassifier().get_params(deep=False)


@dataclass(frozen=True)
class DemoSettings:
    """Sizes and hyperparameters of the demo run.

    Parameters
    ----------
    n_train : int, default=8000
        Training images, half of them faces.
    n_test_per_group : int, default=250
        Test faces per skin type x gender group.
    image_size : int, default=32
        Side of the square RGB images, in pixels.
    epochs : int, default=6
        Training epochs of every model (the estimators' ``max_epochs``).
    batch_size : int, default=32
        Batch size of every model.
    n_filters : int, default=12
        Channels of the first convolutional block; later blocks have 2, 4 and 6 times as many.
    lr : float, default=5e-4
        Adam's learning rate.
    latent_dim : int, default=100
        Latent dimensions of the models that have a latent space.
    alpha : float
        The DB-VAE's resampling ``alpha``: the estimator's default.
    combine : str
        The DB-VAE's rule combining the per-dimension densities: the estimator's default.
    kl_weight : float, default=5e-4
        Weight of the KL term of the DB-VAE's loss.
    """

    n_train: int = 8000  # training images, half of them faces
    n_test_per_group: int = 250  # test faces per skin type x gender group
    image_size: int = 32
    epochs: int = 6
    batch_size: int = 32
    n_filters: int = 12
    lr: float = 5e-4
    latent_dim: int = 100
    # The resampling settings are the estimator's own defaults: one default, in one place.
    alpha: float = _DBVAE_DEFAULTS["alpha"]
    combine: str = _DBVAE_DEFAULTS["combine"]
    kl_weight: float = 5e-4

    def __post_init__(self):
        # The sizes of the draws are refused here, by name; the estimators check the rest.
        for name in ("n_train", "n_test_per_group", "epochs"):
            check_count(name, getattr(self, name))
        if self.n_train < 2:
            raise ValueError(
                f"n_train must be at least 2 (faces and non-faces); got {self.n_train}."
            )
        check_image_size(self.image_size)


DEMO = DemoSettings()
QUICK = DemoSettings(n_train=1200, n_test_per_group=60, epochs=2, n_filters=8)
