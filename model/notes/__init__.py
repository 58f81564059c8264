"""Reading note files: the one streaming reader every command uses (``train``, ``evaluate``, ``comments``,
``creators``, ``review``, ``score``).

Formats follow the file's suffix (:data:`FORMATS`): JSON Lines (``.jsonl``, ``.ndjson``, ``.json``), CSV with a
header, Parquet. The reader never drops a row silently and never refuses a whole file for one bad row: each row
comes back as a :class:`Record` with its file and line number, either with its data or with the reason it could
not be read (an *error row*; ``--skip-bad-rows`` skips and lists those where a command stops on them).

The same rules hold for every command:

- **Decoding, per physical line.** A UTF-8 byte-order mark at the start of the file is dropped; each line is
  decoded as UTF-8, else GB18030 (so GBK files, and files that mix UTF-8 and GBK lines, read correctly). A line
  that is neither is an error row naming the byte, and a line that reads as GB18030 but looks like Big5 is an error
  row naming Big5. With ``encoding`` (``--encoding`` of each command, ``encoding`` of a training ``[[dataset]]``)
  every line is decoded strictly with it.
- **Line numbers.** JSON Lines: the physical line (1-based; blank lines are not rows). CSV: the physical line
  where the record *starts* (the header is line 1, so the first record is line 2 and a record whose quoted field
  spans lines 2-4 is line 2). Parquet: the 1-based row number.
- **Size.** A line longer than ``max_row_bytes`` (16 MiB) is an error row, skipped over without being held in
  memory.
- **Whole-file problems** (an unsupported suffix, a file that is not what its suffix says: UTF-16, compressed,
  binary, Parquet named .jsonl, a JSON array, an unreadable Parquet file) raise :class:`NoteFileError` from
  :func:`iter_records`; ``notecheck score`` turns them into one error row with line 0 (see :func:`sniff`).

The lower-level record generators (:func:`jsonl_records`, :func:`csv_records`, :func:`parquet_records`) read from
an offset for a given number of rows, so the parallel scorer (:mod:`serve.batch`) reads its chunks with exactly
the code :func:`iter_records` uses for a whole file.

The formats live in :mod:`model.notes.jsonl`, :mod:`model.notes.csv_rows` and :mod:`model.notes.parquet`, what
they share (the :class:`Record`, whole-file checks, one physical line read and decoded) in :mod:`model.notes.files`;
every name is importable from ``model.notes``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from model.errors import InvalidNoteError
from model.notes.csv_rows import (
    PhysicalLines,
    csv_field_limit,
    csv_reader,
    csv_records,
    csv_row,
    read_csv_header,
)
from model.notes.files import (
    FORMATS,
    MAX_ROW_BYTES,
    SKIPPED_UNREAD,
    SUPPORTED_SUFFIXES,
    UTF8_BOM,
    NoteFileError,
    Record,
    decode_line,
    encoding_problem,
    file_format,
    not_text,
    read_line,
    skip_bom,
    sniff,
    too_long,
)
from model.notes.jsonl import (
    TOO_DEEP,
    TOO_LONG_NUMBER,
    RepeatedKeyError,
    jsonl_records,
    parse_json_line,
    repeat_path,
    repeated_key,
    unique_keys,
)
from model.notes.parquet import open_parquet, parquet_records
from model.schema import (
    MAX_TEXT_CHARS,
    MAX_TITLE_CHARS,
    Comment,
    Note,
    check_length,
    parse_comment,
    parse_label,
    parse_note,
    type_name,
)

__all__ = [
    "EMPTY_CSV_HINT",
    "EMPTY_FILE_HINT",
    "FORMATS",
    "HEADER_ONLY_HINT",
    "JSON_HEADER_HINT",
    "MAX_ROW_BYTES",
    "MAX_TEXT_CHARS",
    "MAX_TITLE_CHARS",
    "NOT_JSONL_HINT",
    "SUPPORTED_SUFFIXES",
    "TOO_DEEP",
    "TOO_LONG_NUMBER",
    "UTF8_BOM",
    "Comment",
    "Note",
    "NoteFileError",
    "PhysicalLines",
    "Record",
    "RepeatedKeyError",
    "check_length",
    "csv_field_limit",
    "csv_header_hint",
    "csv_reader",
    "csv_records",
    "csv_row",
    "decode_line",
    "encoding_problem",
    "file_format",
    "iter_records",
    "jsonl_records",
    "no_text_column_hint",
    "not_text",
    "open_parquet",
    "parquet_records",
    "parse_comment",
    "parse_json_line",
    "parse_label",
    "parse_note",
    "parse_record",
    "read_csv_header",
    "read_line",
    "read_notes",
    "repeat_path",
    "repeated_key",
    "skip_bom",
    "sniff",
    "too_long",
    "type_name",
    "unique_keys",
]


#: What a command says of a file whose rows will all be errors, or that adds no row: the same words in every
#: command that reads note files (``score`` finds them while planning its chunks, the others while reading).
NOT_JSONL_HINT = "the first row is not JSON: is this really JSON Lines? Every row that is not JSON becomes an error row"
EMPTY_FILE_HINT = "the file is empty (no rows)"
EMPTY_CSV_HINT = "the file is empty (no header, no rows)"
HEADER_ONLY_HINT = "the file has a header but no rows"
JSON_HEADER_HINT = "the header looks like JSON: is this JSON Lines named .csv? Rows will lack a 'text' field"


#: Rows that are JSON a reader declines (nested too deeply, a number too long): no sign of another format.
_READ_LIMITS = (TOO_DEEP, TOO_LONG_NUMBER)


def csv_header_hint(header: list[str]) -> str | None:
    """What a CSV file's header suggests: JSON Lines named .csv, or no column a note's text can come from."""
    if header and header[0].startswith("{"):
        return JSON_HEADER_HINT
    return no_text_column_hint(header)


def no_text_column_hint(columns: list[str]) -> str | None:
    """The hint for a CSV or Parquet file with no column a note's text can come from (None when it has one)."""
    if {"text", "description"} & set(columns):
        return None
    return (
        f"no 'text' (or 'description') column; the columns are: {', '.join(columns)}. Rows without a title are "
        "error rows"
    )


def iter_records(
    path: str | Path,
    *,
    encoding: str | None = None,
    max_row_bytes: int = MAX_ROW_BYTES,
    hints: list[str] | None = None,
) -> Iterator[Record]:
    """Stream every row of a JSON Lines, CSV or Parquet file as a :class:`Record`, in order (see the module
    docstring for decoding, line numbers and errors). Memory is bounded by one row (Parquet: one batch).
    ``hints``, when given, receives what the file as a whole suggests (:data:`NOT_JSONL_HINT`,
    :data:`EMPTY_FILE_HINT`, a CSV header that is JSON or has no text column, ...), for the command to show."""
    kind = file_format(path)
    name = str(path)
    why = sniff(path, kind)
    if why:
        raise NoteFileError(name, why)
    said = hints if hints is not None else []
    rows = 0
    if kind == "parquet":
        pf = open_parquet(path)
        if hint := no_text_column_hint(list(pf.schema_arrow.names)):
            said.append(hint)
        for rec in parquet_records(pf, name):
            rows += 1
            yield rec
        if not rows:
            said.append(EMPTY_FILE_HINT)
        return
    with open(path, "rb") as fh:
        skip_bom(fh)
        if kind == "jsonl":
            read = False  # the first row read (one over the size limit is skipped unread): is it JSON?
            for rec in jsonl_records(fh, name, encoding=encoding, limit=max_row_bytes):
                rows += 1
                if not read and not (rec.error or "").endswith(SKIPPED_UNREAD):
                    read = True
                    if rec.error and rec.error.startswith("invalid JSON (") and rec.error not in _READ_LIMITS:
                        said.append(NOT_JSONL_HINT)
                yield rec
            if not rows:
                said.append(EMPTY_FILE_HINT)
            return
        csv_field_limit()
        lines = PhysicalLines(fh, encoding, max_row_bytes)
        reader = csv_reader(lines)
        header = read_csv_header(lines, reader, name)
        if header is None:
            said.append(EMPTY_CSV_HINT)
            return
        if hint := csv_header_hint(header):
            said.append(hint)
        for rec in csv_records(lines, reader, header, name):
            rows += 1
            yield rec
        if not rows:
            said.append(HEADER_ONLY_HINT)


def read_notes(
    path: str | Path,
    *,
    require_label: bool = False,
    require_text: bool = True,
    skip_bad_rows: bool = False,
    encoding: str | None = None,
) -> tuple[list[Note], list[str]]:
    """Read and validate every note in a file.

    Returns ``(notes, skipped)`` where ``skipped`` lists ``"file, line N: reason"`` for every row that was left
    out. Without ``skip_bad_rows`` the first bad row raises :class:`InvalidNoteError` naming file, line and
    reason.
    """
    notes: list[Note] = []
    skipped: list[str] = []
    for rec in iter_records(path, encoding=encoding):
        try:
            notes.append(parse_record(rec, require_label=require_label, require_text=require_text))
        except InvalidNoteError as exc:
            if not skip_bad_rows:
                raise
            skipped.append(str(exc))
    return notes, skipped


def parse_record(rec: Record, *, require_label: bool = False, require_text: bool = True) -> Note:
    """The :class:`Note` of a record; :class:`InvalidNoteError` (naming file and line) for an error row or a row
    that breaks the schema."""
    if rec.error is not None:
        raise InvalidNoteError(rec.where + rec.error)
    return parse_note(rec.data, where=rec.where, require_label=require_label, require_text=require_text)
