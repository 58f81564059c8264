"""SIGTERM ends a command as Ctrl-C does, with its own words and status.

Without a handler SIGTERM (``kill PID``, a job scheduler's or container's stop) killed a command outright: exit
status 143 and not a word on stderr, and ``score`` gave no hint that ``--resume`` continues. A Ctrl-C goes through
every command's ``KeyboardInterrupt`` path (the worker pool shut down, the progress bar closed, temporary files
removed, one ``interrupted:`` line). :func:`sigterm_as_interrupt` makes SIGTERM raise :class:`Terminated`, a
``KeyboardInterrupt``, so it takes that same path; :func:`serve.cli.run_reporting` then says ``terminated:`` and
exits 143 (128 + SIGTERM, what a shell reports for a process the signal killed, so scripts that test for it still
see it).
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

#: Exit status of a command stopped by SIGTERM (128 + 15), as Ctrl-C's is 130 (128 + SIGINT).
TERMINATED_STATUS = 128 + signal.SIGTERM
INTERRUPTED_STATUS = 128 + signal.SIGINT

_received = threading.Event()


class Terminated(KeyboardInterrupt):
    """Raised in the main thread on SIGTERM (see the module docstring)."""


def _raise_terminated(signum: int, frame: Any) -> None:
    _received.set()
    raise Terminated


def received() -> bool:
    """Whether SIGTERM arrived while :func:`sigterm_as_interrupt` was in force: a signal sent to the whole process
    group also ends the worker processes, and the pool may report them lost before the handler's exception is
    seen; the run was still stopped on purpose, not by a crash."""
    return _received.is_set()


def status_of(exc: KeyboardInterrupt) -> int:
    """143 for SIGTERM, 130 for Ctrl-C."""
    return TERMINATED_STATUS if isinstance(exc, Terminated) else INTERRUPTED_STATUS


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM raises :class:`Terminated` in the main thread while in this block (nothing changes elsewhere:
    only the main thread can set a handler). The handler found is put back after it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _received.clear()
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def stop_line(message: str) -> str:
    """``message`` as the one line a stopped command prints on stderr: on a terminal it starts on a line of its own
    (after the "^C" the terminal echoed), elsewhere (a log, a pipe) it is the line, no blank line before it."""
    try:
        terminal = sys.stderr.isatty()
    except (AttributeError, ValueError):  # stderr closed (`2>&-`: None) or its file closed: no terminal
        terminal = False
    return f"\n{message}" if terminal else message
