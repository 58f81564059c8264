"""The per-creator report of a batch run: ``creators.csv``, ``creators.md`` and ``creators.png``.

The same report as ``notecheck creators`` (:func:`serve.creators.write_creator_report`, from the one creator
table :func:`model.comments.creator_table`), most-flagged creators first. Rows are streamed into
:func:`model.comments.aggregate_creators`, which keeps one accumulator per author, never the rows themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from model.comments import aggregate_creators
from model.comments import creator_table as _table
from serve.creators import most_flagged_first, write_creator_report


def _most_flagged(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return most_flagged_first(aggregate_creators(rows))


def creator_table(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The creator table of output rows (decision, ad probability, comment scores), most flagged first."""
    return _table(_most_flagged(rows))


def write_report(rows: Iterable[dict[str, Any]], directory: Path, *, top: int = 20) -> tuple[list[Path], str | None]:
    """Write ``creators.csv``, ``creators.md`` and ``creators.png`` (the ``top`` most-flagged creators) in
    ``directory``; returns the paths and a note about the chart's font (None when names could be drawn)."""
    return write_creator_report(aggregate_creators(rows), Path(directory), top=top)
