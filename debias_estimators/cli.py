"""The ``debias-estimators`` command line: ``demo``, ``train``, ``evaluate`` and ``audit``.

Run ``debias-estimators --help`` (or ``python -m debias_estimators --help``). Mistakes such
as a missing file or a bad option end with one line on stderr and exit code 2.
"""

import sys

from ._cli._args import parse_args
from ._cli._commands import COMMANDS
from ._cli._parser import PROG

__all__ = ["main"]

# What the library raises for a user's mistake: a bad value, a missing or unreadable file, a
# training run whose loss overflowed. A TypeError is a programming error and shows its traceback.
USER_ERRORS = (ValueError, OSError, FloatingPointError)
# The library's messages name its parameters; here the user set them through these options.
OPTION_OF_PARAMETER = {
    "force=True": "--force",
    "overwrite=True": "--force",
    "allow_pickle=True": "--allow-pickle",
    "face_folder=NAME": "--face-folder",
    "image_size=PIXELS": "--image-size",
}


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
        args = parse_args(argv)
        COMMANDS[args.command](args, _echo)
    except SystemExit as exit_:  # --help, or a bad option argparse already reported
        return _exit_code(exit_.code)
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
