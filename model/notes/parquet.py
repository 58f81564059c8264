"""Parquet rows, read by row group so a chunk of rows costs only the groups that hold it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from model.notes.files import UTF8_BOM, NoteFileError, Record


def open_parquet(path: str | Path) -> Any:
    """A ``pyarrow.parquet.ParquetFile``; :class:`NoteFileError` when the file is not Parquet or names a column
    twice (a row read as a dict would keep the last one's value and drop the other without a word, where a CSV
    header or a JSON row naming a field twice is refused)."""
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises several types for a file that is not Parquet
        raise NoteFileError(path, f"not a readable Parquet file ({exc}){_what_text_it_is(path)}") from None
    repeated = _repeated_name(list(pf.schema_arrow), "")
    if repeated:
        raise NoteFileError(path, f"the Parquet file names {repeated}; rename one")
    return pf


def _what_text_it_is(path: str | Path) -> str:
    """``; it is JSON Lines text: rename it to .jsonl`` (or CSV) when a file named .parquet starts as one, as a
    Parquet file named .jsonl is told to be renamed; else ``""``."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return ""
    first = head.lstrip(UTF8_BOM).lstrip().split(b"\n", 1)[0].strip()
    if first.startswith(b"{") and first.endswith(b"}"):
        return "; it is JSON Lines text: rename it to .jsonl"
    if b"," in first and b"\x00" not in head and (b"text" in first or b"title" in first):
        return "; it is CSV text: rename it to .csv"
    return ""


def _repeated_name(fields: list[Any], parent: str) -> str | None:
    """The first column, or field of a struct column (``comments[].text``), named twice among ``fields`` or
    below them, worded for an error; None when every name is unique. pyarrow cannot even turn a struct with a
    repeated field into a dict."""
    import pyarrow as pa

    first: dict[str, int] = {}
    for i, f in enumerate(fields, 1):
        if f.name in first:
            what = f"column {f.name!r}" if not parent else f"field {parent + f.name!r} of a struct"
            return f"{what} twice ({'columns' if not parent else 'fields'} {first[f.name]} and {i})"
        first[f.name] = i
        t = f.type
        while pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t):
            t = t.value_type
        if pa.types.is_struct(t):
            inner = _repeated_name([t.field(k) for k in range(t.num_fields)], f"{parent}{f.name}.")
            if inner:
                return inner
    return None


def parquet_records(pf: Any, name: str, *, start: int = 0, count: int | None = None) -> Iterator[Record]:
    """Records of rows ``start`` .. ``start + count`` (to the end when None) of a Parquet file, reading only the
    row groups that hold them; row ``i`` (0-based) is line ``i + 1``."""
    meta = pf.metadata
    end = meta.num_rows if count is None else min(meta.num_rows, start + count)
    groups, offset, skip = [], 0, 0
    for g in range(meta.num_row_groups):
        n = meta.row_group(g).num_rows
        if offset + n > start and offset < end:
            if not groups:
                skip = start - offset
            groups.append(g)
        offset += n
    lineno, remaining = start, end - start
    if not groups or remaining <= 0:
        return
    for batch in pf.iter_batches(batch_size=4096, row_groups=groups):
        if skip >= batch.num_rows:
            skip -= batch.num_rows
            continue
        batch = batch.slice(skip, min(remaining, batch.num_rows - skip))
        skip = 0
        for data in batch.to_pylist():
            lineno += 1
            remaining -= 1
            yield Record(name, lineno, data, unit="row")
        if remaining <= 0:
            return
