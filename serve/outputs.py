"""Writing one output file whole or not at all, with one error naming the file the user asked for; the format an
output's extension picks (:func:`format_of`).

``review -o`` and ``appeals export -o`` write through a temporary file beside the output that replaces it at the
end. Left to itself a failure named that temporary file (``/proc/.q.csv.4711.tmp: no such file``) or a parent
that is in the way (``afile: File exists`` for ``afile/q.csv``), neither of which the user typed.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TextIO

from model.errors import InvalidParameterError, OutputError


def format_of(path: Path, formats: Mapping[str, str], option: str = "-o/--output") -> str:
    """The format an output file's extension picks (``formats``: extension, lower case, to format). Any other
    extension is refused before any work, naming the ``option`` that gave the path, every extension accepted and
    the path that came in: a format guessed from an unknown extension would be a file nothing reads as meant."""
    kind = formats.get(path.suffix.lower())
    if kind is None:
        accepted = list(formats)
        listed = ", ".join(accepted[:-1]) + f" or {accepted[-1]}" if len(accepted) > 1 else accepted[0]
        got = f"extension {path.suffix!r}" if path.suffix else "no extension"
        raise InvalidParameterError(
            f"{option} must end in {listed} (the extension picks the format). Got {str(path)!r} ({got})."
        )
    return kind


def _blocking_parent(path: Path) -> Path | None:
    """The nearest parent of ``path`` that exists and is not a directory, if any."""
    for parent in path.parents:
        if parent.exists():
            return None if parent.is_dir() else parent
    return None


def make_dir(path: Path) -> None:
    """Create the output directory ``path`` (and its parents), or :class:`OutputError` naming it: left to itself,
    ``/proc/nope/x`` ended as "error: /proc/nope: no such file", which reads as a missing input."""
    blocking = _blocking_parent(path / "x")
    if blocking is not None:
        raise OutputError(f"cannot write {path}: {blocking} is not a directory")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None


@contextlib.contextmanager
def replacing(path: Path, *, newline: str | None = None) -> Iterator[TextIO]:
    """A UTF-8 text handle whose content replaces ``path`` when the block ends without an error (directories
    created as needed). A failure to create, write or replace raises :class:`OutputError` naming ``path`` and leaves
    no temporary file; ``path`` keeps what it held before."""
    if path.is_dir():
        raise OutputError(f"cannot write {path}: it is a directory")
    blocking = _blocking_parent(path)
    if blocking is not None:
        raise OutputError(f"cannot write {path}: {blocking} is not a directory")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "w", encoding="utf-8", newline=newline) as handle:
            yield handle
        os.replace(tmp, path)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
