"""How the ``python -m training.*`` tools end on bad input (a missing or invalid config, a bad ``--cv``, a file
that is not there): one ``error:`` line on stderr and exit status 2, as ``notecheck`` ends, not a Python
traceback. A bug still shows its traceback."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from model.errors import InvalidParameterError, NotecheckError


def check_output_dir(path: str | Path) -> Path:
    """The output directory of a training run, refused before any work when it exists as a file: found when
    writing, it cost the whole run (``--cv`` and the ablation write only at the end) and said only "File exists"."""
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise InvalidParameterError(f"-o/--output {out}: exists and is not a directory; name a directory to write.")
    return out


def user_errors(main: Callable[..., int]) -> Callable[..., int]:
    """Wrap a tool's ``main(argv) -> int``: the project's own errors and unreadable files end it with status 2."""

    @functools.wraps(main)
    def wrapped(*args: Any, **kwargs: Any) -> int:
        try:
            return main(*args, **kwargs)
        except KeyboardInterrupt:
            print("\ninterrupted: stopped before it finished", file=sys.stderr)
            return 130
        except NotecheckError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        except FileNotFoundError as exc:
            print(f"error: {exc.filename}: no such file", file=sys.stderr)
            return 2
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename is not None else ""
            print(f"error: {where}{exc.strerror or exc}", file=sys.stderr)
            return 2

    return wrapped
