import numpy as np
import pytest

from debias_estimators.datasets._random import as_generator


def test_ints_seed_new_generators_and_generators_pass_through():
    assert as_generator(3).integers(1000) == np.random.default_rng(3).integers(1000)
    rng = np.random.default_rng(0)
    assert as_generator(rng) is rng
    legacy = as_generator(np.random.RandomState(0))
    again = as_generator(np.random.RandomState(0))
    assert legacy.integers(1000) == again.integers(1000)
    assert isinstance(as_generator(None), np.random.Generator)


@pytest.mark.parametrize(
    ("random_state", "error", "match"),
    [
        (-1, ValueError, "non-negative, got -1"),
        ("seed", TypeError, "got str"),
        (2.5, TypeError, "got float"),
    ],
)
def test_bad_random_states_are_named(random_state, error, match):
    with pytest.raises(error, match=match):
        as_generator(random_state)
