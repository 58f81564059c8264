"""How the ``python -m training.*`` tools end on bad input (a missing or invalid config, a bad ``--cv``, a file
that is not there): one ``error:`` line on stderr and exit status 2, as ``notecheck`` ends, not a Python
traceback. A bug still shows its traceback, with the status a bug has."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from model.errors import InvalidParameterError
from serve.cli import run_reporting


def check_output_dir(path: str | Path) -> Path:
    """The output directory of a training run, refused before any work when it exists as a file: found when
    writing, it cost the whole run (``--cv`` and the ablation write only at the end) and said only "File exists"."""
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise InvalidParameterError(f"-o/--output {out}: exists and is not a directory; name a directory to write.")
    return out


def user_errors(main: Callable[..., int]) -> Callable[..., int]:
    """Wrap a tool's ``main(argv) -> int`` to end as ``notecheck`` commands end (:func:`serve.cli.run_reporting`):
    the project's own errors and unreadable files with one line and status 2, Ctrl-C with 130."""

    @functools.wraps(main)
    def wrapped(*args: Any, **kwargs: Any) -> int:
        return run_reporting(lambda: main(*args, **kwargs), f"python -m {_module_name(main)}")

    return wrapped


def _module_name(main: Callable[..., int]) -> str:
    """The tool's module as the user typed it: run with ``python -m``, its ``__module__`` is ``__main__``."""
    if main.__module__ != "__main__":
        return main.__module__
    spec = getattr(sys.modules["__main__"], "__spec__", None)
    return spec.name if spec is not None else Path(sys.argv[0]).stem
