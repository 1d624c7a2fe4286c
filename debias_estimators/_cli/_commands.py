"""The four commands: each hands the parsed values to one experiment and prints what it found."""

import torch

from ..experiments._audit import audit_saved_model
from ..experiments._demo import run_demo
from ..experiments._evaluate import evaluate_saved_model
from ..experiments._train import train_and_save

__all__ = ["COMMANDS"]


def train_command(args, echo):
    """Train one of the methods and save it to ``--output``."""
    train_and_save(
        args.model,
        args.output,
        source=args.source,
        settings=args.settings,
        params=args.params[args.model],
        random_state=args.seed,
        device=args.device,
        progress=not args.no_progress,
        overwrite=args.force,
        log=echo,
    )


def demo_command(args, echo):
    """Train the models on the skewed draw, compare them per group, write the report."""
    if args.threads:
        torch.set_num_threads(args.threads)
    run = run_demo(
        args.models,
        settings=args.settings,
        params=args.params,
        random_state=args.seed,
        n_init=args.seeds,
        fpr=args.fpr,
        device=args.device,
        progress=not args.no_progress,
        out=args.out,
        force=args.force,
        log=echo,
    )
    echo(str(run))


def evaluate_command(args, echo):
    """Evaluate a saved model, print its tables and write the report."""
    run = evaluate_saved_model(
        args.model,
        test=args.source,
        n_draws=args.seeds,
        fpr=args.fpr,
        image_size=args.image_size,
        allow_pickle=args.allow_pickle,
        device=args.device,
        out=args.out,
        force=args.force,
        log=echo,
    )
    echo(str(run))


def audit_command(args, echo):
    """Weight the training faces under a saved DB-VAE; print the enrichment, write the report."""
    run = audit_saved_model(
        args.model,
        source=args.source,
        top_fraction=args.top_fraction,
        allow_pickle=args.allow_pickle,
        device=args.device,
        out=args.out,
        force=args.force,
        log=echo,
    )
    echo(str(run))


COMMANDS = {
    "demo": demo_command,
    "train": train_command,
    "evaluate": evaluate_command,
    "audit": audit_command,
}
