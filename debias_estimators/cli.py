"""The ``debias-estimators`` command line: ``demo``, ``train``, ``evaluate`` and ``audit``.

Run ``debias-estimators --help`` (or ``python -m debias_estimators --help``). Mistakes such
as a missing file or a bad option end with one line on stderr and exit code 2.
"""

import sys

from ._cli._audit import run_audit
from ._cli._demo import run_demo
from ._cli._evaluate import run_evaluate
from ._cli._parser import PROG, build_parser
from ._cli._train import run_train

__all__ = ["main"]

COMMANDS = {"demo": run_demo, "train": run_train, "evaluate": run_evaluate, "audit": run_audit}
# What the library raises for a user's mistake: a bad value, a missing or unreadable file, a
# training run whose loss overflowed. A TypeError is a programming error and shows its traceback.
USER_ERRORS = (ValueError, OSError, FloatingPointError)
# The library's messages name its parameters; here the user set them through these options.
OPTION_OF_PARAMETER = {"force=True": "--force", "allow_pickle=True": "--allow-pickle"}


def main(argv=None):
    """Run the command line.

    Parameters
    ----------
    argv : list of str, optional
        The arguments; ``sys.argv[1:]`` by default.

    Returns
    -------
    status : int
        0 on success, 2 for a user's mistake, 130 when interrupted.
    """
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit_:  # --help, or a bad option already reported
        return _exit_code(exit_.code)
    try:
        COMMANDS[args.command](args, _echo)
    except USER_ERRORS as err:
        print(f"{PROG}: error: {_message(err)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    return 0


def _echo(message=""):
    print(message, flush=True)


def _message(err):
    text = str(err).strip() or type(err).__name__
    for parameter, option in OPTION_OF_PARAMETER.items():
        text = text.replace(parameter, option)
    if isinstance(err, OSError) and err.filename and str(err.filename) not in text:
        text = f"{text}: {err.filename}"
    return " ".join(text.split())  # one line, however the library phrased it


def _exit_code(code):
    if code is None:
        return 0
    return code if isinstance(code, int) else 2
