"""scikit-learn estimators backed by skorch: the DB-VAE and the standard CNN baseline."""

from ._cnn import CNNClassifier
from ._dbvae import DebiasedVAEClassifier
from ._distributed import AcceleratedDebiasedVAEClassifier
from ._group_dro import GroupDROClassifier
from ._jtt import JTTClassifier
from ._lff import LfFClassifier
from ._progress import EpochProgress
from ._resampling import LatentResampling

__all__ = [
    "AcceleratedDebiasedVAEClassifier",
    "CNNClassifier",
    "DebiasedVAEClassifier",
    "EpochProgress",
    "GroupDROClassifier",
    "JTTClassifier",
    "LatentResampling",
    "LfFClassifier",
]
