"""The synthetic benchmark: procedural faces and hard non-faces with known attributes.

One idea per module: :mod:`._attributes` draws the attribute table, :mod:`._canvas`,
:mod:`._palette`, :mod:`._heads` and :mod:`._scenery` paint, :mod:`._faces` and
:mod:`._nonfaces` render the two kinds of image, :mod:`._make` puts them together.
"""

from ._attributes import DEFAULT_PROPORTIONS
from ._make import make_balanced_faces, make_biased_faces

__all__ = ["DEFAULT_PROPORTIONS", "make_balanced_faces", "make_biased_faces"]
