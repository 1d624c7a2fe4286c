"""skorch-style nested parameters on the estimators: ``optimizer__weight_decay`` and the like.

skorch routes a parameter named ``<prefix>__<name>`` to the part of the net the prefix names.
The estimators accept the same names in ``set_params`` and ``GridSearchCV`` grids and keep
them in ``net_params``, the dict handed to the net when ``fit`` builds it. ``get_params()``
lists them inside ``net_params`` (so :func:`sklearn.base.clone` copies them) and, with
``deep=True``, under their own names too.
"""

import inspect

from skorch import NeuralNet

__all__ = ["NET_PREFIXES", "NetParamsMixin", "split_net_params"]

#: The prefixes routed to the skorch net, as skorch names them.
NET_PREFIXES = (
    "module",
    "criterion",
    "optimizer",
    "iterator_train",
    "iterator_valid",
    "callbacks",
)

# Set by the estimator itself from its own parameters; a nested name would contradict them.
_RESERVED = {
    "module__in_shape": "the shape of X",
    "module": "the estimator's class",
    "criterion": "the estimator's class",
    "seed": "random_state",
}
# What skorch's NeuralNet takes by name, and the prefixes it routes (compile__, dataset__...).
_SKORCH_NAMES = set(inspect.signature(NeuralNet.__init__).parameters) - {"self", "kwargs"}
_SKORCH_PREFIXES = {*NET_PREFIXES, *NeuralNet.prefixes_}


def split_net_params(params):
    """Separate the skorch-style nested parameters from the others.

    Parameters
    ----------
    params : dict
        Parameter names and values.

    Returns
    -------
    net_params : dict
        The names of the form ``<prefix>__<name>`` with a prefix of :data:`NET_PREFIXES`.
    others : dict
        The remaining parameters.
    """
    net, others = {}, {}
    for key, value in params.items():
        prefix, sep, _ = key.partition("__")
        (net if sep and prefix in NET_PREFIXES else others)[key] = value
    return net, others


class NetParamsMixin:
    """Route ``<prefix>__<name>`` parameters to the skorch net, through ``net_params``."""

    def set_params(self, **params):
        """Set parameters, including skorch-style nested ones for the net.

        Parameters
        ----------
        **params : dict
            Estimator parameters, and net parameters such as ``optimizer__weight_decay``,
            ``module__dropout``, ``iterator_train__num_workers``, ``iterator_valid__batch_size``
            or ``callbacks__<name>__<param>``; the latter are merged into ``net_params`` and
            checked by ``fit``.

        Returns
        -------
        self : object
            The estimator.
        """
        nested, others = split_net_params(params)
        if nested:
            base = others.get("net_params", self.net_params) or {}
            others["net_params"] = {**dict(base), **nested}
        return super().set_params(**others)

    def get_params(self, deep=True):
        """Get the parameters, with the nested net parameters listed when ``deep``.

        Parameters
        ----------
        deep : bool, default=True
            Also list sub-estimators' parameters and the entries of ``net_params``.

        Returns
        -------
        params : dict
            Parameter names mapped to their values.
        """
        params = super().get_params(deep=deep)
        if deep and isinstance(self.net_params, dict):
            params.update(self.net_params)
        return params

    def _check_net_params(self, net_params):
        # Called by fit, before training: set_params only stores, as scikit-learn asks.
        if not isinstance(net_params, dict):
            raise TypeError(f"net_params must be a dict, got {type(net_params).__name__}.")
        own = set(super().get_params(deep=False))
        for key in net_params:
            prefix, _, name = key.partition("__")
            if key in _RESERVED:
                raise ValueError(f"{key} is set from {_RESERVED[key]}; it cannot be set.")
            if key in own:
                raise ValueError(
                    f"net_params holds {key!r}, the estimator's own parameter; set {key}= instead."
                )
            _check_skorch_name(key, prefix, name)
            if prefix in ("module", "criterion") and name in own:
                raise ValueError(
                    f"{key} would override the estimator's own parameter {name!r}; "
                    f"set {name}= instead."
                )


def _check_skorch_name(key, prefix, name):
    # skorch would refuse an unknown name only when the net is built, from inside skorch.
    if key in _SKORCH_NAMES or (name and prefix in _SKORCH_PREFIXES):
        return
    raise ValueError(
        f"net_params holds {key!r}, which is no parameter of skorch's NeuralNet: expected one of "
        f"its arguments (such as 'iterator_valid') or '<prefix>__<name>' with a prefix among "
        f"{sorted(_SKORCH_PREFIXES)}."
    )
