"""scikit-learn estimators backed by skorch: the DB-VAE, the standard CNN and the other methods.

:func:`all_methods` lists the family, one :class:`Method` row per estimator. A method is its
own module: the public class (an explicit signature, the shared parameter docs filled in) and
its training strategy, which the class builds from its parameters in ``_training_strategy()``:
the module and criterion, the callbacks between epochs, what the batches carry, the loss and
the state kept beside the weights. The shared net calls only the strategy.
"""

from ._cnn import CNNClassifier
from ._dbvae import DebiasedVAEClassifier
from ._distributed import AcceleratedDebiasedVAEClassifier
from ._george import GEORGEClassifier
from ._group_dro import GroupDROClassifier
from ._jtt import JTTClassifier
from ._lff import LfFClassifier
from ._progress import EpochProgress
from ._registry import Method, all_methods, get_method, method_of
from ._resampling import LatentResampling

__all__ = [
    "AcceleratedDebiasedVAEClassifier",
    "CNNClassifier",
    "DebiasedVAEClassifier",
    "EpochProgress",
    "GEORGEClassifier",
    "GroupDROClassifier",
    "JTTClassifier",
    "LatentResampling",
    "LfFClassifier",
    "Method",
    "all_methods",
    "get_method",
    "method_of",
]
