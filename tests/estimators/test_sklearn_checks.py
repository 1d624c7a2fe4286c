"""scikit-learn's own estimator checks, on small fast settings."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from debias_estimators import CNNClassifier, DebiasedVAEClassifier

# Minibatch SGD draws random batches, so weighting a sample k times is not the same fit as
# repeating it k times; sklearn marks this check the same way for SGDClassifier and MLPClassifier.
STOCHASTIC = {
    "check_sample_weight_equivalence_on_dense_data": (
        "stochastic minibatch training: integer weights and repeated samples give different "
        "batch draws"
    ),
}

CHECKED = [
    DebiasedVAEClassifier(
        latent_dim=2, hidden_units=(16,), max_epochs=20, batch_size=32, lr=1e-2, random_state=0
    ),
    CNNClassifier(hidden_units=(16,), max_epochs=20, batch_size=32, lr=1e-2, random_state=0),
]


@parametrize_with_checks(CHECKED, expected_failed_checks=lambda est: STOCHASTIC)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)
