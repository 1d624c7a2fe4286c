"""The parameter docs the estimators share, written once and filled into each class's docstring.

A class docstring names a shared parameter by a placeholder on a line of its own, ``%(lr)s``,
indented as a parameter line of the Parameters section; :func:`fill_param_docs` substitutes the
entries of :data:`SHARED_PARAM_DOCS` at that indentation (imbalanced-learn's ``Substitution``
pattern, without %-formatting the rest of the text). A class whose parameter means something
more writes that entry out itself.
"""

import re

__all__ = ["SHARED_PARAM_DOCS", "fill_docs", "fill_param_docs"]

#: The shared entries of the Parameters sections, by parameter name, and the fitted attributes
#: all the estimators have (``fitted_attributes``), as written at no indentation.
SHARED_PARAM_DOCS = {
    "n_filters": """n_filters : int, default=12
    Channels of the first convolutional block; later blocks have 2, 4 and 6 times as many.""",
    "hidden_units": """hidden_units : tuple of int, default=(64, 64)
    Hidden layer widths for feature vectors (two-dimensional ``X``).""",
    "lr": """lr : float, default=5e-4
    Learning rate.""",
    "batch_size": """batch_size : int, default=32
    Training batch size.""",
    "max_epochs": """max_epochs : int, default=10
    Epochs of :meth:`fit`.""",
    "warm_start": """warm_start : bool, default=False
    Let :meth:`fit` on a fitted estimator continue from the current weights for
    ``max_epochs`` more epochs, instead of starting afresh.""",
    "optimizer": """optimizer : type, default=torch.optim.Adam
    A torch optimizer class.""",
    "pos_label": """pos_label : label, optional
    The positive class (faces); ``None`` means ``classes_[1]``, i.e. 1 for 0/1 labels.""",
    "random_state": """random_state : None, int or numpy.random.RandomState, default=None
    Seeds weight initialisation and batch order; an int makes ``fit`` repeatable on CPU.""",
    "device": """device : str, default="cpu"
    Torch device, e.g. ``"cuda"``.""",
    "compile": """compile : bool, default=False
    Compile the module with ``torch.compile`` (through skorch): slower first epoch, faster
    later ones.""",
    "callbacks": """callbacks : list of skorch callbacks, optional
    Added to the net's callbacks (e.g. ``skorch.callbacks.ProgressBar()``).""",
    "train_split": """train_split : callable, optional
    skorch's validation split, e.g. ``skorch.dataset.ValidSplit(5)``; none by default.""",
    "verbose": """verbose : int, default=0
    skorch's verbosity: 1 prints a line per epoch.""",
    "image_shape": """image_shape : tuple of int, optional
    ``(H, W)`` or ``(H, W, C)``: read the rows of two-dimensional ``X`` as images.""",
    "data_format": """data_format : {"auto", "channels_last", "channels_first"}, default="auto"
    Layout of four-dimensional ``X``; see :mod:`debias_estimators._images`.""",
    "net_params": """net_params : dict, optional
    Further skorch parameters, e.g. ``{"optimizer__weight_decay": 1e-4}``. Such
    parameters can also be set one by one, as in skorch: ``set_params(optimizer__weight_decay
    =1e-4)`` (prefixes ``module``, ``criterion``, ``optimizer``, ``iterator_train``,
    ``iterator_valid``, ``callbacks``), which ``GridSearchCV`` grids can search.""",
    "checkpoint": """checkpoint : str or path-like, optional
    A directory where :meth:`fit` saves a checkpoint every ``checkpoint_every`` epochs, to
    resume a run after a crash: a later ``fit`` of the same run (the same parameters, apart
    from ``max_epochs``, ``callbacks`` and ``verbose``, and the same data) goes on from it,
    to the weights an uninterrupted run would have had (on the same machine and torch thread
    count). A finished fit removes its checkpoint; another run's is refused, not
    overwritten. Only a fit from scratch is checkpointed. See the user guide's "Long runs".""",
    "checkpoint_every": """checkpoint_every : int, default=1
    Epochs between two checkpoints, when ``checkpoint`` is set.""",
    # The Attributes section's entries that every fitted estimator has.
    "fitted_attributes": """classes_ : ndarray of shape (2,)
    The two labels.
pos_label_ : label
    The positive class.
input_shape_ : tuple of int
    Shape of one sample as the module sees it, ``(C, H, W)`` or ``(n_features,)``.
n_features_in_ : int
    Number of values per sample.""",
}


_PLACEHOLDER = re.compile(r"^( *)%\((\w+)\)s$", flags=re.MULTILINE)


def fill_param_docs(cls):
    """Fill the shared parameter docs into a class's docstring (a class decorator).

    Parameters
    ----------
    cls : type
        A class whose docstring holds ``%(name)s`` placeholders for names of
        :data:`SHARED_PARAM_DOCS`.

    Returns
    -------
    cls : type
        The same class, its docstring filled.
    """
    return fill_docs(cls, SHARED_PARAM_DOCS)


def fill_docs(obj, entries):
    """Fill ``%(name)s`` placeholder lines of ``obj``'s docstring with ``entries``.

    Parameters
    ----------
    obj : class or function
        Its docstring holds placeholders, each on a line of its own.
    entries : dict of str to str
        The text of each placeholder, written at no indentation; it is indented as the
        placeholder is.

    Returns
    -------
    obj : class or function
        The same object, its docstring filled.
    """

    def placed(match):
        indent, name = match.groups()
        return "\n".join(indent + line for line in entries[name].splitlines())

    if obj.__doc__:  # None under python -OO
        obj.__doc__ = _PLACEHOLDER.sub(placed, obj.__doc__)
    return obj
