"""An embedded benchmark of biased faces: procedural photographs whose bias is known.

``make_biased_faces`` draws RGB images of faces and hard non-faces with an attribute table.
Its default proportions are skewed the way face collections are: darker skin (5 %), hats,
glasses, dim light and turned heads are rare. ``make_balanced_faces`` draws the balanced test
set, equal numbers in the four skin type x gender groups, as the Pilot Parliaments Benchmark.

Why a detector trained on the default draw is biased
----------------------------------------------------
Nothing makes darker faces harder to draw or to see: they have the same geometry, features
and feature sizes, their eye whites stand out more against the skin, and a detector trained
on a draw balanced by skin type finds them as well as lighter ones. The bias comes from how
often each kind of image occurs in training, in two ways:

* darker faces are rare (5 % of faces by default, 2 % darker women), while the hard non-faces
  are not rare in dark tones: featureless heads and skin-coloured blobs take their skin from
  all six Fitzpatrick types alike, and dark round objects (balls, pots, busts on a stand) are
  brown or black. A classifier that minimises the average training loss on a few thousand
  images learns the cues of the majority and, for dark ovals, leans on the prior that they
  are non-faces.
* some images are ambiguous whatever the amount of data: faces in deep shadow (8 % of every
  skin type) keep only a trace of their features, and statues (0.8 % of the non-faces) are
  drawn exactly as darker faces in shadow. The best any classifier can do with such an image
  is to follow the training frequencies: statues outnumber shadowed darker faces about two to
  one, so both are called non-faces, while shadowed lighter faces, which have no look-alike,
  are found. Trained on a draw balanced by skin type, the shadowed darker faces outnumber the
  statues and are found too. This part of the gap does not close with more data, and
  resampling rare faces (the DB-VAE) removes it at the price of calling the statues faces.

``benchmarks/bias_gap.py`` measures the gap of the standard CNN at 32 and 64 pixels with 4,000
and 20,000 training images, and the control trained on a draw balanced by skin type.
"""

import numbers

import numpy as np

from ..._images import MIN_IMAGE_SIZE
from ..._random import as_generator
from .._bunch import finish
from ._attributes import (
    ATTRIBUTE_COLUMNS,
    draw_face_attributes,
    draw_nonface_attributes,
    resolve_proportions,
    to_frame,
)
from ._canvas import Grid
from ._faces import render_faces
from ._nonfaces import render_nonfaces

__all__ = ["make_balanced_faces", "make_biased_faces"]

# Images are drawn in fixed chunks (one random stream each), so results do not depend on memory.
_CHUNK = 128


def make_biased_faces(
    n_faces=1000,
    n_nonfaces=1000,
    image_size=64,
    proportions=None,
    *,
    shuffle=True,
    random_state=None,
    return_X_y=False,
):
    """Draw synthetic face and non-face photographs with a known, skewed make-up.

    Parameters
    ----------
    n_faces : int, default=1000
        Number of faces (target 1).
    n_nonfaces : int, default=1000
        Number of non-faces (target 0).
    image_size : int, default=64
        Height and width of the images in pixels, at least 16.
    proportions : dict, optional
        ``{attribute: {value: proportion}}`` overriding :data:`DEFAULT_PROPORTIONS`; an
        attribute's proportions must sum to 1, values left out get 0. Face attributes are
        ``skin_type``, ``gender``, ``glasses``, ``hat``, ``lighting``, ``pose`` and
        ``background``; ``kind`` sets the mix of non-faces. Counts follow the proportions
        exactly, up to rounding.
    shuffle : bool, default=True
        Mix faces and non-faces; if false, faces come first.
    random_state : int, numpy.random.Generator or None, default=None
        Seed; the same seed gives the same images.
    return_X_y : bool, default=False
        Return ``(images, target)`` instead of a Bunch.

    Returns
    -------
    data : sklearn.utils.Bunch
        ``images`` (uint8, ``(n, image_size, image_size, 3)``, RGB), ``target`` (1 face,
        0 non-face), ``attributes`` (DataFrame, one row per image: ``kind``, ``skin_type``,
        ``gender``, ``fitzpatrick``, ``glasses``, ``hat``, ``lighting``, ``pose``,
        ``background``; face attributes are missing for non-faces), ``target_names``,
        ``proportions`` (the proportions used) and ``DESCR``.
    (images, target) : tuple of ndarray
        If ``return_X_y`` is true.

    Raises
    ------
    ValueError
        If a count or the size is invalid, or the proportions are (see
        :data:`DEFAULT_PROPORTIONS`).

    See Also
    --------
    make_balanced_faces : The balanced test draw.

    Examples
    --------
    >>> from debias_estimators.datasets import make_biased_faces
    >>> data = make_biased_faces(n_faces=20, n_nonfaces=20, image_size=32, random_state=0)
    >>> data.images.shape
    (40, 32, 32, 3)
    """
    counts = _check_count(n_faces, "n_faces"), _check_count(n_nonfaces, "n_nonfaces")
    size = _check_size(image_size)
    resolved = resolve_proportions(proportions)
    rng = as_generator(random_state)
    faces = draw_face_attributes(counts[0], resolved, rng)
    return _draw(faces, counts[1], size, resolved, rng, shuffle, return_X_y)


def make_balanced_faces(
    n_per_group=100,
    n_nonfaces=0,
    image_size=64,
    proportions=None,
    *,
    shuffle=True,
    random_state=None,
    return_X_y=False,
):
    """Draw the balanced test set: equal numbers of each skin type x gender group.

    Like the Pilot Parliaments Benchmark, it holds as many lighter and darker, female and male
    faces; other attributes follow ``proportions`` (by default the skewed training ones, so
    that only the groups change between training and test).

    Parameters
    ----------
    n_per_group : int, default=100
        Faces per group (lighter/darker x female/male).
    n_nonfaces : int, default=0
        Non-faces to add, for measuring false positives.
    image_size : int, default=64
        Height and width in pixels, at least 16.
    proportions : dict, optional
        Proportions of the other attributes; ``skin_type`` and ``gender`` are not allowed.
    shuffle : bool, default=True
        Mix the images; if false, they come group by group, non-faces last.
    random_state : int, numpy.random.Generator or None, default=None
        Seed.
    return_X_y : bool, default=False
        Return ``(images, target)`` instead of a Bunch.

    Returns
    -------
    data : sklearn.utils.Bunch or tuple
        As :func:`make_biased_faces`.

    Raises
    ------
    ValueError
        If a count or the size is invalid, or ``proportions`` sets the balanced groups.
    """
    n = _check_count(n_per_group, "n_per_group")
    fixed = sorted({"skin_type", "gender"} & set(proportions or {}))
    if fixed:
        raise ValueError(
            f"make_balanced_faces balances {fixed} itself; leave them out of proportions."
        )
    counts = _check_count(n_nonfaces, "n_nonfaces")
    size = _check_size(image_size)
    resolved = resolve_proportions(proportions)
    rng = as_generator(random_state)
    skin = np.repeat(["lighter", "darker"], 2 * n)
    gender = np.tile(np.repeat(["female", "male"], n), 2)
    faces = draw_face_attributes(4 * n, resolved, rng, skin_type=skin, gender=gender)
    return _draw(faces, counts, size, resolved, rng, shuffle, return_X_y)


def _check_count(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise ValueError(f"{name} must be a non-negative int; got {value!r}.")
    return int(value)


def _check_size(value):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < MIN_IMAGE_SIZE:
        raise ValueError(f"image_size must be an int of at least {MIN_IMAGE_SIZE}; got {value!r}.")
    return int(value)


def _draw(faces, n_nonfaces, size, proportions, rng, shuffle, return_X_y):
    nonfaces = draw_nonface_attributes(n_nonfaces, proportions, rng)
    table = {name: np.concatenate([faces[name], nonfaces[name]]) for name in ATTRIBUTE_COLUMNS}
    n = len(table["kind"])
    if n == 0:
        raise ValueError("Nothing to draw: the counts of faces and non-faces are both 0.")
    order = rng.permutation(n) if shuffle else np.arange(n)
    table = {name: column[order] for name, column in table.items()}
    images = _render(table, size, proportions, rng)
    target = (table["kind"] == "face").astype(np.int64)
    return finish(
        return_X_y,
        images=images,
        target=target,
        attributes=to_frame(table),
        proportions=proportions,
        DESCR=__doc__,
    )


def _render(table, size, proportions, rng):
    n = len(table["kind"])
    grid = Grid(size)
    images = np.empty((n, size, size, 3), dtype=np.uint8)
    seeds = rng.integers(0, 2**63, size=-(-n // _CHUNK))
    for start, seed in zip(range(0, n, _CHUNK), seeds, strict=True):
        rows = slice(start, start + _CHUNK)
        chunk_rng = np.random.default_rng(seed)
        is_face = table["kind"][rows] == "face"
        index = np.flatnonzero(is_face) + start
        if len(index):
            chunk = {name: column[index] for name, column in table.items()}
            images[index] = render_faces(grid, chunk, chunk_rng)
        index = np.flatnonzero(~is_face) + start
        if len(index):
            images[index] = render_nonfaces(grid, table["kind"][index], proportions, chunk_rng)
    return images
