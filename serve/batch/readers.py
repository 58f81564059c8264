"""Reading rows: a chunk of an input file (with :mod:`model.notes`, the reader of every command), and a finished
output back (a file, or the Dask engine's partitioned directory)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from model.notes import (
    PhysicalLines,
    Record,
    csv_field_limit,
    csv_records,
    jsonl_records,
    open_parquet,
    parquet_records,
)
from serve.batch.plan import Chunk, Plan
from serve.batch.writers import part_name


def read_chunk(chunk: Chunk) -> Iterator[Record]:
    """The records of one chunk, in order: the records :func:`model.notes.iter_records` gives for those rows,
    read by the same code from the chunk's offset."""
    if chunk.kind == "error":
        yield Record(chunk.name, 0, None, chunk.error)
        return
    if chunk.kind == "parquet":
        yield from parquet_records(open_parquet(chunk.path), chunk.name, start=chunk.start, count=chunk.count)
        return
    with open(chunk.path, "rb") as fh:
        fh.seek(chunk.start)
        if chunk.kind == "jsonl":
            yield from jsonl_records(fh, chunk.name, first_line=chunk.first_line, count=chunk.count,
                                     encoding=chunk.encoding, limit=chunk.max_row_bytes)  # fmt: skip
            return
        csv_field_limit()
        lines = PhysicalLines(fh, chunk.encoding, chunk.max_row_bytes)
        yield from csv_records(lines, csv.reader(iter(lines)), list(chunk.header), chunk.name,
                               lines_before=chunk.first_line, count=chunk.count)  # fmt: skip


def iter_output_rows(output: Path, fmt: str, plan: Plan | None = None) -> Iterator[dict[str, Any]]:
    """Rows of a finished output (a file, or a partitioned directory from the Dask engine), in order."""
    if output.is_dir():
        if plan is not None:
            parts = [output / part_name(c.index, fmt) for c in plan.chunks]
        else:
            parts = sorted(output.glob(f"part-*.{fmt}"))
        for p in parts:
            yield from _iter_file_rows(p, fmt)
    else:
        yield from _iter_file_rows(output, fmt)


def _iter_file_rows(path: Path, fmt: str) -> Iterator[dict[str, Any]]:
    if fmt == "jsonl":
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                yield json.loads(line)
    elif fmt == "csv":
        with open(path, encoding="utf-8", newline="") as fh:
            for raw in csv.DictReader(fh):
                row: dict[str, Any] = {k: (v if v != "" else None) for k, v in raw.items()}
                row["line"] = int(row["line"])
                for k in ("ad_probability", "threshold", "review_threshold"):
                    row[k] = None if row[k] is None else float(row[k])
                for k in ("reasons", "comments"):
                    row[k] = None if row[k] is None else json.loads(row[k])
                row["reasons"] = row["reasons"] or []
                yield row
    else:
        import pyarrow.parquet as pq

        for batch in pq.ParquetFile(path).iter_batches(batch_size=4096):
            yield from batch.to_pylist(maps_as_pydicts="strict")  # the maps of `comments` as the dicts of JSON
