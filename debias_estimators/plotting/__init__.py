"""Figures for DB-VAE experiments: group metrics, faces, reconstructions, traversals, curves.

Every function takes plain arrays, tables or histories (never a model), returns a
:class:`matplotlib.figure.Figure` and, given ``path``, saves it there. Figures are made with
:class:`~matplotlib.figure.Figure` directly, not with pyplot, so no GUI backend is touched and
they can be drawn in threads or on headless machines. matplotlib is imported inside the
functions: the rest of the package works without it.

Images may be shaped ``(n, H, W)`` (grey), ``(n, H, W, C)`` or ``(n, C, H, W)`` with one or
three channels, as ``uint8`` in ``0..255`` or floats in ``[0, 1]``; see
:func:`debias_estimators._images.infer_layout` for how the layout is told.
"""

from ._curves import plot_training_curves
from ._faces import plot_extreme_faces
from ._grid import plot_image_grid
from ._groups import plot_group_metrics
from ._reconstructions import plot_reconstructions
from ._roc import plot_group_roc
from ._traversal import plot_latent_traversal

__all__ = [
    "plot_extreme_faces",
    "plot_group_metrics",
    "plot_group_roc",
    "plot_image_grid",
    "plot_latent_traversal",
    "plot_reconstructions",
    "plot_training_curves",
]
