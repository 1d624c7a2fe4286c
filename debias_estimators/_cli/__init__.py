"""The parts of the ``debias-estimators`` command line; :mod:`debias_estimators.cli` runs it."""
