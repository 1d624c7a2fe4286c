import numpy as np
import pytest

from debias_estimators._random import as_generator, resolve_seed


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


def test_one_seed_helper_draws_the_numbers_it_drew_before():
    assert resolve_seed(7) == 7 and resolve_seed(np.int64(7)) == 7
    # A RandomState gives the seed it always gave, to the estimators and the generators.
    drawn = np.random.RandomState(0).randint(0, 2**31 - 1)
    assert resolve_seed(np.random.RandomState(0)) == drawn
    legacy = as_generator(np.random.RandomState(0)).integers(1000, size=5)
    np.testing.assert_array_equal(legacy, np.random.default_rng(drawn).integers(1000, size=5))
    assert 0 <= resolve_seed(None) < 2**31 - 1
