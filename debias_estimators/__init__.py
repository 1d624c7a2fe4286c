"""Debiasing variational autoencoders as scikit-learn estimators.

The DB-VAE of Amini et al. (AIES 2019) learns a latent space of the positive class (faces)
without group labels and resamples training faces in inverse proportion to their latent density,
so that rare faces are seen more often.
"""

from .estimators import (
    AcceleratedDebiasedVAEClassifier,
    CNNClassifier,
    DebiasedVAEClassifier,
    GEORGEClassifier,
    GroupDROClassifier,
    JTTClassifier,
    LfFClassifier,
)
from .persistence import load_model, save_model
from .preprocessing import ImageTransformer
from .resampling import LatentDensityResampler, ResamplingCollapseWarning

__version__ = "0.1.0"

__all__ = [
    "AcceleratedDebiasedVAEClassifier",
    "CNNClassifier",
    "DebiasedVAEClassifier",
    "GEORGEClassifier",
    "GroupDROClassifier",
    "ImageTransformer",
    "JTTClassifier",
    "LatentDensityResampler",
    "LfFClassifier",
    "ResamplingCollapseWarning",
    "__version__",
    "load_model",
    "save_model",
]
