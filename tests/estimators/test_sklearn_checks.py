"""scikit-learn's own estimator checks, on small fast settings."""

import pytest
from sklearn.utils import estimator_checks
from sklearn.utils.estimator_checks import parametrize_with_checks

from debias_estimators import DebiasedVAEClassifier, LatentDensityResampler
from debias_estimators.estimators import all_methods
from debias_estimators.preprocessing import ImageTransformer

# Minibatch SGD draws random batches, so weighting a sample k times is not the same fit as
# repeating it k times; sklearn marks this check the same way for SGDClassifier and MLPClassifier.
STOCHASTIC = {
    "check_sample_weight_equivalence_on_dense_data": (
        "stochastic minibatch training: integer weights and repeated samples give different "
        "batch draws"
    ),
}
# The lab's weights: each latent dimension's log-weights are normalised over the samples scored
# together before the dimensions are combined, so a sample's score depends on the others.
BATCH_NORMALISED = {
    "check_methods_subset_invariance": (
        "score_samples normalises each dimension's log-weights over the samples it is given"
    ),
}

# Small, fast settings; each estimator takes those it has a parameter of. Without
# sensitive_features (sklearn's checks pass none) group DRO trains on one group.
FAST = {
    "latent_dim": 2,
    "identification_epochs": 1,
    "hidden_units": (16,),
    "max_epochs": 20,
    "batch_size": 32,
    "lr": 1e-2,
    "random_state": 0,
}


def _fast(cls, **params):
    accepted = cls().get_params(deep=False)
    return cls(**{name: value for name, value in FAST.items() if name in accepted}, **params)


CHECKED = [
    *(_fast(method.estimator) for method in all_methods(variants=False)),
    # The stratified batches cut their own epochs (n // batch_size batches, a fixed share of
    # positives at their head): the checks' tiny and one-sided data go through that path too.
    _fast(DebiasedVAEClassifier, stratified_batches=True),
    LatentDensityResampler(bins=5, random_state=0),
]


def _expected_failures(estimator):
    if isinstance(estimator, LatentDensityResampler):
        return BATCH_NORMALISED
    return STOCHASTIC


@parametrize_with_checks(CHECKED, expected_failed_checks=_expected_failures)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


# parametrize_with_checks runs nothing on an estimator whose input tags refuse 2-D arrays: all
# its data checks feed feature matrices, which ImageTransformer rightly rejects. These checks
# need no data, or only an unfitted transform that must raise.
API_CHECKS = [
    estimator_checks.check_estimator_cloneable,
    estimator_checks.check_estimator_repr,
    estimator_checks.check_estimator_tags_renamed,
    estimator_checks.check_valid_tag_types,
    estimator_checks.check_mixin_order,
    estimator_checks.check_no_attributes_set_in_init,
    estimator_checks.check_parameters_default_constructible,
    estimator_checks.check_get_params_invariance,
    estimator_checks.check_set_params,
    estimator_checks.check_do_not_raise_errors_in_init_or_set_params,
]
IMAGE_TRANSFORMER_CHECKS = [*API_CHECKS, estimator_checks.check_transformers_unfitted]


@pytest.mark.parametrize("check", IMAGE_TRANSFORMER_CHECKS, ids=lambda check: check.__name__)
def test_image_transformer_checks(check):
    check("ImageTransformer", ImageTransformer(size=16))


# A row that trains another row's method on another backend (the accelerated DB-VAE) shares that
# method's training code, whose fits the full checks above exercise (two minutes more on two
# cores); its own constructor and parameters are checked here, its fit by the persistence tests.
VARIANTS = [method.estimator for method in all_methods() if method.variant_of is not None]


@pytest.mark.parametrize("check", API_CHECKS, ids=lambda check: check.__name__)
@pytest.mark.parametrize("cls", VARIANTS, ids=lambda cls: cls.__name__)
def test_variant_api_checks(cls, check):
    check(cls.__name__, _fast(cls))
