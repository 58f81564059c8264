"""Reading rows: a chunk of an input file (with :mod:`model.notes`, the reader of every command), and a finished
output back (a file, or the Dask engine's partitioned directory)."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from model.notes import (
    PhysicalLines,
    Record,
    csv_field_limit,
    csv_reader,
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
        yield from csv_records(lines, csv_reader(lines), list(chunk.header), chunk.name,
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

        pf = pq.ParquetFile(path)
        converters = {f.name: c for f in pf.schema_arrow if (c := _maps_as_dicts(f.type)) is not None}
        for batch in pf.iter_batches(batch_size=4096):
            for row in batch.to_pylist():
                for name, convert in converters.items():
                    row[name] = convert(row[name])
                yield row


def _maps_as_dicts(kind: Any) -> Callable[[Any], Any] | None:
    """A function turning a Python value of Arrow type ``kind`` with its maps as key-value lists (pyarrow's
    default) into the same value with dicts, as JSON Lines rows have them; None when ``kind`` holds no map.
    pyarrow's own ``maps_as_pydicts`` does the same about five times slower on the `comments` column."""
    import pyarrow as pa

    if pa.types.is_map(kind):
        item = _maps_as_dicts(kind.item_type)
        if item is None:
            return lambda v: None if v is None else dict(v)
        return lambda v: None if v is None else {k: item(x) for k, x in v}
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        value = _maps_as_dicts(kind.value_type)
        return None if value is None else (lambda v: None if v is None else [value(x) for x in v])
    if pa.types.is_struct(kind):
        fields = {f.name: c for f in kind if (c := _maps_as_dicts(f.type)) is not None}
        if not fields:
            return None

        def struct(v: Any) -> Any:
            if v is not None:
                for name, convert in fields.items():
                    v[name] = convert(v[name])
            return v

        return struct
    return None
