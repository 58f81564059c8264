"""CSV rows: a strict parser over decoded physical lines, each record numbered by the line it starts on."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import IO, Any

from model.notes.files import MAX_ROW_BYTES, NoteFileError, Record, decode_line, read_line, too_long
from model.notes.jsonl import (
    ROW_DECODER,
    TOO_DEEP,
    TOO_LONG_NUMBER,
    RepeatedKeyError,
    place,
    repeat_path,
    repeated_key,
)


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
    """One CSV record: empty cells are None, missing trailing cells too (with a warning naming the named columns
    they leave empty: a row cut short by a broken export reads as a note without its text or comments, which
    nobody would otherwise see); ``comments`` is a JSON list."""
    data: dict[str, Any] = {k: (v if v != "" else None) for k, v in zip(header, values, strict=False)}
    for k in header[len(values) :]:
        data[k] = None
    missing = [k for k in header[len(values) :] if k]  # a sheet's unnamed trailing columns are no field
    warning = (
        f"fewer fields than the header names ({len(values)} of {len(header)}): "
        f"{', '.join(repr(k) for k in missing)} read as empty"
        if missing
        else None
    )
    comments = data.get("comments")
    if isinstance(comments, str):
        try:
            data["comments"] = ROW_DECODER.decode(comments)
        except RepeatedKeyError as exc:
            where = place(("comments", *repeat_path(comments)[:-1]))
            why = f"field 'comments' in a CSV: {repeated_key(exc.key, where)}."
            return Record(name, lineno, data, why, warning=warning)
        except RecursionError:
            return Record(name, lineno, data, f"field 'comments' in a CSV: {TOO_DEEP}.", warning=warning)
        except json.JSONDecodeError as exc:
            # The row's data stays with the error: its output row keeps the row's id, so it can be traced.
            why = (
                f"field 'comments' in a CSV must be a JSON list of strings or objects with 'text'. Got "
                f"{comments!r:.60}, which is not JSON ({exc.msg} at character {exc.pos})."
            )
            return Record(name, lineno, data, why, warning=warning)
        except ValueError:
            return Record(name, lineno, data, f"field 'comments' in a CSV: {TOO_LONG_NUMBER}.", warning=warning)
    return Record(name, lineno, data, warning=warning)
