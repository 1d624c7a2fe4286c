"""The shared parameter docs are filled into every estimator's docstring."""

import inspect

import pytest

from debias_estimators.estimators import all_methods
from debias_estimators.estimators._docs import SHARED_PARAM_DOCS, fill_param_docs


@pytest.mark.parametrize("method", all_methods(), ids=lambda method: method.key)
def test_no_placeholder_is_left(method):
    doc = inspect.getdoc(method.estimator)
    assert "%(" not in doc
    assert SHARED_PARAM_DOCS["fitted_attributes"] in doc or "As for" in doc  # the variant refers on


def test_an_entry_is_filled_at_the_docstring_indentation():
    @fill_param_docs
    class Example:
        """Summary.

        Parameters
        ----------
        %(net_params)s
        """

    assert SHARED_PARAM_DOCS["net_params"] in inspect.getdoc(Example)
