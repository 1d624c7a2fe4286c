"""The family of methods as data: one row per debiasing method, read by everything that lists them.

Persistence, the command line, the benchmarks, the API reference and the tests take the set of
methods from :func:`all_methods` instead of naming the classes themselves, so that a new method
is its own module plus one row here. A test fails when a public estimator has no row.
"""

from dataclasses import dataclass

from ._cnn import CNNClassifier
from ._dbvae import DebiasedVAEClassifier
from ._distributed import AcceleratedDebiasedVAEClassifier
from ._george import GEORGEClassifier
from ._group_dro import GroupDROClassifier
from ._jtt import JTTClassifier
from ._lff import LfFClassifier

__all__ = ["Method", "all_methods", "get_method", "method_of"]


@dataclass(frozen=True)
class Method:
    """One debiasing method of the package.

    Parameters
    ----------
    key : str
        Short lower-case name, as the command line takes it (``"dbvae"``).
    estimator : type
        The estimator class.
    name : str
        Display name in tables and reports (``"DB-VAE"``).
    needs_groups : bool
        Whether ``fit`` needs the training groups (``sensitive_features``) to do what the method
        is for; a label-free method does not.
    has_latent_space : bool
        Whether the fitted estimator encodes to and decodes from a latent space (``transform``
        gives latent means, ``decode`` and ``resampling_weights`` exist).
    summary : str
        One line saying what the method does.
    variant_of : str, optional
        The key of the method this row trains on another backend (the accelerated DB-VAE is
        the DB-VAE): a comparison of methods leaves such a row out, as it repeats the other.
    """

    key: str
    estimator: type
    name: str
    needs_groups: bool
    has_latent_space: bool
    summary: str
    variant_of: str | None = None

    def parameters(self):
        """Return the estimator's parameter names and defaults (``get_params(deep=False)``).

        Returns
        -------
        params : dict
            Each parameter of the estimator's signature with its default.
        """
        return self.estimator().get_params(deep=False)


_METHODS = (
    Method("cnn", CNNClassifier, "CNN", False, False, "the standard CNN, the biased baseline"),
    Method(
        "dbvae",
        DebiasedVAEClassifier,
        "DB-VAE",
        False,
        True,
        "resamples faces by their density in a VAE's latent space",
    ),
    Method(
        "accelerated-dbvae",
        AcceleratedDebiasedVAEClassifier,
        "Accelerated DB-VAE",
        False,
        True,
        "the DB-VAE trained through Hugging Face Accelerate (one or several processes)",
        variant_of="dbvae",
    ),
    Method(
        "jtt",
        JTTClassifier,
        "JTT",
        False,
        False,
        "retrains the CNN with the errors of a short first training upweighted",
    ),
    Method(
        "lff",
        LfFClassifier,
        "LfF",
        False,
        False,
        "weights samples by how badly an intentionally biased twin network fits them",
    ),
    Method(
        "groupdro",
        GroupDROClassifier,
        "group DRO",
        True,
        False,
        "minimises the worst group's loss; needs the training groups",
    ),
    Method(
        "george",
        GEORGEClassifier,
        "GEORGE",
        False,
        False,
        "group DRO over clusters of a first CNN's features, found without group labels",
    ),
)


def all_methods(*, needs_groups=None, has_latent_space=None, variants=True):
    """Return the package's debiasing methods, optionally only those of one kind.

    Parameters
    ----------
    needs_groups : bool, optional
        Keep only the methods that need (True) or do without (False) training groups.
    has_latent_space : bool, optional
        Keep only the methods with (True) or without (False) a latent space.
    variants : bool, default=True
        Keep the rows that train another row's method on another backend; False leaves one
        row per method, as a comparison of methods wants.

    Returns
    -------
    methods : list of Method
        In a fixed order, the baseline CNN first.

    Examples
    --------
    >>> from debias_estimators.estimators import all_methods
    >>> [method.key for method in all_methods(has_latent_space=True)]
    ['dbvae', 'accelerated-dbvae']
    """
    return [
        method
        for method in _METHODS
        if needs_groups in (None, method.needs_groups)
        and has_latent_space in (None, method.has_latent_space)
        and (variants or method.variant_of is None)
    ]


def get_method(key):
    """Return the method of a key such as ``"dbvae"``.

    Parameters
    ----------
    key : str
        A method's ``key``.

    Returns
    -------
    method : Method
        Its row.

    Raises
    ------
    ValueError
        If no method has that key; the message lists the keys.
    """
    for method in _METHODS:
        if method.key == key:
            return method
    keys = ", ".join(method.key for method in _METHODS)
    raise ValueError(f"Unknown method {key!r}; the methods are {keys}.")


def method_of(estimator):
    """Return the method an estimator (or estimator class) belongs to, or None.

    A subclass of a method's class belongs to the nearest one in its inheritance: JTT is no CNN
    here, though its class derives from the CNN's.

    Parameters
    ----------
    estimator : object or type
        An estimator or its class.

    Returns
    -------
    method : Method or None
        Its row; None for a class outside the family (a pipeline, say).
    """
    cls = estimator if isinstance(estimator, type) else type(estimator)
    by_class = {method.estimator: method for method in _METHODS}
    for ancestor in cls.__mro__:
        if ancestor in by_class:
            return by_class[ancestor]
    return None
