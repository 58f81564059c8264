"""Note files as the commands that stream them read them: the shared reader's rows, and on stderr what a file as a
whole suggests, in the words ``score`` uses while planning its chunks ("note: FILE: the first row is not JSON: is
this really JSON Lines? ...", "the file is empty (no rows)")."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

from model.notes import EMPTY_CSV_HINT, EMPTY_FILE_HINT, HEADER_ONLY_HINT, Record, iter_records

#: What says a file holds no rows, which ``evaluate`` says in its own words (of its figures).
_NO_ROWS = frozenset({EMPTY_FILE_HINT, EMPTY_CSV_HINT, HEADER_ONLY_HINT})


def note_file_records(path: str | Path, *, encoding: str | None = None, empty: bool = True) -> Iterator[Record]:
    """:func:`model.notes.iter_records` of ``path``, each hint about the file printed (``note: PATH: ...``) as soon
    as the reader has it: one that the first row is no JSON comes before that row's error. ``empty``: whether to say
    that a file holds no rows (``evaluate`` says it in its own words, of the figures)."""
    hints: list[str] = []
    shown = 0
    warned = 0
    for rec in iter_records(path, encoding=encoding, hints=hints):
        shown = _show(path, hints, shown, empty)
        if rec.warning:
            warned += 1
            if warned <= MAX_ROW_WARNINGS:
                print(f"note: {rec.where}{rec.warning}", file=sys.stderr)
        yield rec
    _show(path, hints, shown, empty)
    if warned > MAX_ROW_WARNINGS:
        print(f"note: {path}: {warned} rows with warnings, the first {MAX_ROW_WARNINGS} shown", file=sys.stderr)


#: Rows whose warning is printed per file; the rest are counted (an archive of thousands of short rows should
#: not bury the summary).
MAX_ROW_WARNINGS = 5


def _show(path: str | Path, hints: list[str], shown: int, empty: bool) -> int:
    for hint in hints[shown:]:
        if empty or hint not in _NO_ROWS:
            print(f"note: {path}: {hint}", file=sys.stderr)
    return len(hints)
