"""The parameter docs the experiments share, written once and filled into each function."""

from ..estimators._docs import fill_docs

__all__ = ["shared_docs"]

_ENTRIES = {
    "fpr": """fpr : float, default=0.05
    The matched false-positive rate: each model's threshold accepts this share of held-out
    non-faces.""",
    "allow_pickle": """allow_pickle : bool, default=False
    Also load a joblib pickle; loading one runs code from the file, so use only files you trust.""",
    "device": """device : str, default="cpu"
    Torch device.""",
    "progress": """progress : bool, default=True
    Show a bar over the epochs and one line per epoch.""",
    "force": """force : bool, default=False
    Write into a report folder that already holds files (files of the same name are replaced).""",
    "log": """log : callable, default=print
    Receives one line of progress at a time.""",
}


def shared_docs(function):
    """Fill the shared entries into ``function``'s docstring (a decorator).

    Parameters
    ----------
    function : callable
        Its docstring holds ``%(name)s`` placeholder lines for the shared entries.

    Returns
    -------
    function : callable
        The same function, its docstring filled.
    """
    return fill_docs(function, _ENTRIES)
