"""Whole experiments, each one call: train and save a model, evaluate it, audit it, the demo.

Each function takes plain values, checks them before any data is read, writes its model file or
report folder atomically and returns what it found. The command line ``debias-estimators``
parses its options, calls one of them and prints the result.
"""

from ._audit import audit_saved_model
from ._data import FaceData
from ._demo import run_demo
from ._evaluate import evaluate, evaluate_saved_model
from ._run import ExperimentRun
from ._settings import DEMO, QUICK, DemoSettings
from ._sources import TestSource, TrainingSource
from ._train import train_and_save

__all__ = [
    "DEMO",
    "QUICK",
    "DemoSettings",
    "ExperimentRun",
    "FaceData",
    "TestSource",
    "TrainingSource",
    "audit_saved_model",
    "evaluate",
    "evaluate_saved_model",
    "run_demo",
    "train_and_save",
]
