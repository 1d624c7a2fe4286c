"""What an experiment hands back: its models, its tables and the report it wrote."""

from dataclasses import dataclass, field

from ._console import print_run

__all__ = ["ExperimentRun"]


@dataclass
class ExperimentRun:
    """The outcome of :func:`run_demo`, :func:`evaluate_saved_model` or :func:`audit_saved_model`.

    Parameters
    ----------
    report : Report
        The report, written.
    seconds : float
        Wall time of the whole experiment.
    models : dict of str to estimator
        The fitted models by display name (the first initialisation of each).
    evaluation : Evaluation, optional
        Per-group tables, the bias summary and the figures at the matched FPR.
    enrichment : pandas.DataFrame, optional
        Share of each attribute value among the top resampling weights
        (:func:`~debias_estimators.audit.attribute_enrichment`).
    top_fraction : float, optional
        The share of faces ``enrichment`` counts as top and bottom.
    comparison : Comparison, optional
        Several initialisations per method against the baseline.
    test_draws : pandas.DataFrame, optional
        The bias summary's spread over several synthetic test draws.
    n_init : int, default=1
        Initialisations per method of ``comparison``.
    fpr : float, optional
        The matched false-positive rate of ``evaluation`` and ``comparison``.

    Notes
    -----
    ``str(run)`` is what the command line prints: the tables of the evaluation, the
    enrichment, the comparison and the test draws, and where the report is.
    """

    report: object
    seconds: float
    models: dict = field(default_factory=dict)
    evaluation: object = None
    enrichment: object = None
    top_fraction: float | None = None
    comparison: object = None
    test_draws: object = None
    n_init: int = 1
    fpr: float | None = None

    def __str__(self):
        lines = []
        print_run(self, lines.append)
        return "\n".join(lines)
