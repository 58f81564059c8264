"""Reading note files: the one streaming reader every command uses (``train``, ``evaluate``, ``comments``,
``score``).

Formats follow the file's suffix (:data:`FORMATS`): JSON Lines (``.jsonl``, ``.ndjson``, ``.json``), CSV with a
header, Parquet. The reader never drops a row silently and never refuses a whole file for one bad row: each row
comes back as a :class:`Record` with its file and line number, either with its data or with the reason it could
not be read (an *error row*; ``--skip-bad-rows`` skips and lists those where a command stops on them).

The same rules hold for every command:

- **Decoding, per physical line.** A UTF-8 byte-order mark at the start of the file is dropped; each line is
  decoded as UTF-8, else GB18030 (so GBK files, and files that mix UTF-8 and GBK lines, read correctly). A line
  that is neither is an error row naming the byte. With ``encoding`` every line is decoded strictly with it.
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
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from model.errors import InvalidNoteError
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

#: Accepted input suffixes (lower case) and the format each one means.
FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv", ".parquet": "parquet"}
SUPPORTED_SUFFIXES = tuple(FORMATS)
MAX_ROW_BYTES = 16 << 20
UTF8_BOM = b"\xef\xbb\xbf"

__all__ = [
    "FORMATS",
    "MAX_ROW_BYTES",
    "MAX_TEXT_CHARS",
    "MAX_TITLE_CHARS",
    "SUPPORTED_SUFFIXES",
    "Comment",
    "Note",
    "NoteFileError",
    "Record",
    "check_length",
    "iter_records",
    "parse_comment",
    "parse_label",
    "parse_note",
    "read_notes",
    "type_name",
]


class NoteFileError(InvalidNoteError):
    """A file cannot be read as notes at all (as opposed to one bad row in it); ``reason`` says why."""

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path, self.reason = str(path), reason
        super().__init__(f"{path}: {reason}.")


@dataclass(frozen=True)
class Record:
    """One raw row of a file: ``data`` when it could be read; ``error`` says why the row is not a note (its
    ``data`` is then kept when the row could be read, for its id)."""

    path: str
    line: int
    data: dict[str, Any] | None
    error: str | None = None

    @property
    def where(self) -> str:
        return f"{self.path}, line {self.line}: "


def file_format(path: str | Path) -> str:
    """``"jsonl"``, ``"csv"`` or ``"parquet"`` from the suffix; :class:`NoteFileError` for any other suffix."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        why = f"unsupported file type {suffix or '(none)'!r}; expected one of {', '.join(SUPPORTED_SUFFIXES)}"
        raise NoteFileError(path, why)
    return FORMATS[suffix]


def sniff(path: str | Path, kind: str) -> str | None:
    """Why the file cannot be what its suffix says (judged on its first bytes), or None."""
    if kind == "parquet":
        return None  # the Parquet reader checks its magic and footer
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if kind == "jsonl" and head.lstrip(UTF8_BOM).lstrip().startswith(b"["):
        return "the file is a JSON array, not JSON Lines (one object per line); convert it, e.g. jq -c '.[]'"
    return not_text(head, f"{kind.upper()} text")


def not_text(head: bytes, expected: str = "text", what: str = "the file") -> str | None:
    """Why bytes starting with ``head`` are not ``expected`` (UTF-16, Parquet, compressed, binary), or None."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return f"{what} is UTF-16 (byte-order mark); convert it to UTF-8 or GB18030, e.g. with iconv"
    if head.startswith(b"PAR1"):
        return f"{what} is Parquet, not {expected}" + ("; rename it to .parquet" if what == "the file" else "")
    if head.startswith((b"\x1f\x8b", b"PK\x03\x04", b"BZh", b"\xfd7zXZ", b"\x28\xb5\x2f\xfd")):
        return f"{what} is compressed (gzip, zip, bzip2, xz or zstd); decompress it first"
    if b"\x00" in head:
        return f"{what} holds binary data (NUL bytes), not {expected}"
    return None


def skip_bom(fh: IO[bytes]) -> None:
    """Leave ``fh`` (at the start of a file) after a UTF-8 byte-order mark, if there is one."""
    if fh.read(3) != UTF8_BOM:
        fh.seek(0)


def read_line(fh: IO[bytes], limit: int) -> tuple[bytes, int]:
    """One physical line (with its end) of at most ``limit`` bytes; a longer one is skipped over and returned as
    ``(b"", its size)`` without holding it in memory. ``(b"", 0)`` at the end of the file."""
    line = fh.readline(limit + 1)
    if len(line) <= limit or line.endswith(b"\n"):
        return line, 0
    size = len(line)
    while True:
        more = fh.readline(1 << 20)
        size += len(more)
        if not more or more.endswith(b"\n"):
            return b"", size


def decode_line(raw: bytes, encoding: str | None) -> tuple[str, str | None]:
    """Decode one line: strictly with ``encoding`` when given, else UTF-8 and then GB18030. Returns the text and,
    when the bytes are not valid in that encoding, the reason (the text then has replacement characters)."""
    if encoding:
        try:
            return raw.decode(encoding), None
        except UnicodeDecodeError as exc:
            return raw.decode(encoding, "replace"), f"not valid {encoding} (byte {exc.start + 1} of the line)"
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        try:
            return raw.decode("gb18030"), None
        except UnicodeDecodeError:
            return raw.decode("utf-8", "replace"), (
                f"neither UTF-8 (byte {exc.start + 1} of the line) nor GB18030; pass the file's encoding "
                "(--encoding where the command has it)"
            )


def too_long(size: int, limit: int) -> str:
    return f"the row is {size:,} bytes, more than the limit of {limit:,} bytes per row; it was skipped unread"


TOO_DEEP = "invalid JSON (nested too deeply: more levels than Python's JSON reader takes)"
TOO_LONG_NUMBER = f"invalid JSON (a number of more than {sys.get_int_max_str_digits():,} digits)"


class _RepeatedKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object, refusing a key given twice: the JSON reader keeps the last value and drops the other
    silently (``{"text": "a", "text": "b"}``), and which one the writer meant is not for notecheck to guess."""
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _RepeatedKey(key)
            seen.add(key)
    return out


def _repeated(key: str) -> str:
    return f"the key {key!r} is given twice in one object; which value is meant is not clear"


#: The JSON reader of note rows (a decoder built once costs less per row than ``json.loads``' keyword handling).
_ROW_DECODER = json.JSONDecoder(object_pairs_hook=_object)


def parse_json_line(text: str) -> tuple[dict[str, Any] | None, str | None]:
    """A JSON Lines row: ``(object, None)``, or ``(None, why not)``."""
    try:
        data = _ROW_DECODER.decode(text)
    except json.JSONDecodeError as exc:
        return None, f"invalid JSON ({exc.msg} at column {exc.colno})"
    except _RepeatedKey as exc:
        return None, f"invalid JSON row ({_repeated(exc.key)})"
    except RecursionError:  # one corrupt or hostile row must not stop the reading of the others
        return None, TOO_DEEP
    except ValueError:  # the one other way json.loads fails: an integer longer than Python converts
        return None, TOO_LONG_NUMBER
    if not isinstance(data, dict):
        return None, f"expected a JSON object per line, got {type_name(data)}"
    return data, None


def jsonl_records(
    fh: IO[bytes],
    name: str,
    *,
    first_line: int = 1,
    count: int | None = None,
    encoding: str | None = None,
    limit: int = MAX_ROW_BYTES,
) -> Iterator[Record]:
    """Records of ``count`` physical lines (all when None) read from ``fh``'s position, the first being line
    ``first_line``. Blank lines are not rows."""
    lineno = first_line - 1
    while count is None or lineno - first_line + 1 < count:
        line, skipped = read_line(fh, limit)
        if not line and not skipped:
            return
        lineno += 1
        if skipped:
            yield Record(name, lineno, None, too_long(skipped, limit))
            continue
        if not line.strip():
            continue
        text, problem = decode_line(line, encoding)
        data, problem = (None, problem) if problem else parse_json_line(text)
        yield Record(name, lineno, data, problem)


class PhysicalLines:
    """Decoded physical lines from a binary file's position, for the CSV parser; remembers, by line number
    (counted from 1 at the start position), the lines that failed to decode or were too long."""

    def __init__(self, fh: IO[bytes], encoding: str | None, limit: int) -> None:
        self.fh, self.encoding, self.limit = fh, encoding, limit
        self.lines = 0
        self.problems: dict[int, str] = {}

    def __iter__(self) -> Iterator[str]:
        while True:
            line, skipped = read_line(self.fh, self.limit)
            if not line and not skipped:
                return
            self.lines += 1
            if skipped:
                self.problems[self.lines] = too_long(skipped, self.limit)
                yield "\n"
                continue
            text, problem = decode_line(line, self.encoding)
            if problem:
                self.problems[self.lines] = problem
            yield text


def csv_field_limit() -> None:
    """Let the csv module read fields as long as a row may be."""
    if csv.field_size_limit() < MAX_ROW_BYTES:
        csv.field_size_limit(MAX_ROW_BYTES)


def csv_reader(lines: PhysicalLines) -> Any:
    """The CSV parser every reader and the batch planner share. Strict: a quoted field still open at the end of
    the file, or text after a field's closing quote, is an error row instead of the rest of the file swallowed
    into one field (rows lost without a word) or a quote silently dropped."""
    return csv.reader(iter(lines), strict=True)


def _csv_problem(exc: csv.Error, lineno: int, last: int) -> str:
    """The csv module's error in words a writer of the file can act on."""
    msg = str(exc)
    if msg == "unexpected end of data":
        return (
            f"invalid CSV: a quoted field opened in the record starting on line {lineno} is not closed before the "
            f"end of the file (line {last}); every line after it was read into that field"
        )
    if msg.endswith("expected after '\"'"):
        return (
            "invalid CSV: a quoted field is followed by other characters after its closing quote; write a quote "
            'inside a quoted field as two ("")'
        )
    return f"invalid CSV ({msg})"


def read_csv_header(lines: PhysicalLines, reader: Any, name: str) -> list[str] | None:
    """The header (names stripped) from the start of a CSV file; None for an empty file. A name given to two
    columns is refused: a row would keep one of its two values and drop the other without a word."""
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        return None
    except csv.Error as exc:
        raise NoteFileError(name, f"the CSV header cannot be parsed ({exc})") from None
    first: dict[str, int] = {}
    for i, column in enumerate(header, 1):
        if column and column in first:  # unnamed columns (a sheet's empty trailing ones) are no field
            raise NoteFileError(
                name, f"the CSV header names column {column!r} twice (columns {first[column]} and {i}); rename one"
            )
        first.setdefault(column, i)
    return header


def csv_records(
    lines: PhysicalLines,
    reader: Any,
    header: list[str],
    name: str,
    *,
    lines_before: int = 0,
    count: int | None = None,
) -> Iterator[Record]:
    """Records of the next ``count`` CSV records (all when None) of ``reader`` (a ``csv.reader`` over ``lines``).
    ``lines_before`` is the number of physical lines of the file before ``lines`` starts; a record's line is the
    physical line it starts on. A blank line is read as a record but is not a row."""
    done = 0
    while count is None or done < count:
        first = lines.lines + 1
        lineno = lines_before + first
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            done += 1
            yield Record(name, lineno, None, _csv_problem(exc, lineno, lines_before + lines.lines))
            continue
        done += 1
        if not values:
            continue
        problems = [lines.problems[k] for k in range(first, lines.lines + 1) if k in lines.problems]
        if problems:
            yield Record(name, lineno, None, problems[0])
        elif len(values) > len(header):
            why = f"more fields than the header names ({len(values)} fields, {len(header)} columns)"
            yield Record(name, lineno, None, why)
        else:
            yield csv_row(name, lineno, header, values)


def csv_row(name: str, lineno: int, header: list[str], values: list[str]) -> Record:
    """One CSV record: empty cells are None, missing trailing cells too; ``comments`` is a JSON list."""
    data: dict[str, Any] = {k: (v if v != "" else None) for k, v in zip(header, values, strict=False)}
    for k in header[len(values) :]:
        data[k] = None
    comments = data.get("comments")
    if isinstance(comments, str):
        try:
            data["comments"] = _ROW_DECODER.decode(comments)
        except _RepeatedKey as exc:
            return Record(name, lineno, data, f"field 'comments' in a CSV: {_repeated(exc.key)}.")
        except RecursionError:
            return Record(name, lineno, data, f"field 'comments' in a CSV: {TOO_DEEP}.")
        except json.JSONDecodeError as exc:
            # The row's data stays with the error: its output row keeps the row's id, so it can be traced.
            why = (
                f"field 'comments' in a CSV must be a JSON list of strings or objects with 'text'. Got "
                f"{comments!r:.60}, which is not JSON ({exc.msg} at character {exc.pos})."
            )
            return Record(name, lineno, data, why)
        except ValueError:
            return Record(name, lineno, data, f"field 'comments' in a CSV: {TOO_LONG_NUMBER}.")
    return Record(name, lineno, data)


def open_parquet(path: str | Path) -> Any:
    """A ``pyarrow.parquet.ParquetFile``; :class:`NoteFileError` when the file is not Parquet."""
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises several types for a file that is not Parquet
        raise NoteFileError(path, f"not a readable Parquet file ({exc})") from None


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
            yield Record(name, lineno, data)
        if remaining <= 0:
            return


def iter_records(
    path: str | Path, *, encoding: str | None = None, max_row_bytes: int = MAX_ROW_BYTES
) -> Iterator[Record]:
    """Stream every row of a JSON Lines, CSV or Parquet file as a :class:`Record`, in order (see the module
    docstring for decoding, line numbers and errors). Memory is bounded by one row (Parquet: one batch)."""
    kind = file_format(path)
    name = str(path)
    why = sniff(path, kind)
    if why:
        raise NoteFileError(name, why)
    if kind == "parquet":
        yield from parquet_records(open_parquet(path), name)
        return
    with open(path, "rb") as fh:
        skip_bom(fh)
        if kind == "jsonl":
            yield from jsonl_records(fh, name, encoding=encoding, limit=max_row_bytes)
            return
        csv_field_limit()
        lines = PhysicalLines(fh, encoding, max_row_bytes)
        reader = csv_reader(lines)
        header = read_csv_header(lines, reader, name)
        if header is not None:
            yield from csv_records(lines, reader, header, name)


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
