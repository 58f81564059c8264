"""The note schema and readers for note files (JSON Lines, CSV, Parquet).

A note has ``id``, ``title``, ``text``, ``comments`` (strings or objects with ``text``, optional ``likes`` and
``author``), ``label`` (1/0 or "ad"/"genuine"), and optional ``source`` and ``author``. The CHASM RedNote field
names are accepted too: ``description`` for the text and comment objects with ``content``.

Readers never drop a row silently: each record comes back with its file and line number, either parsed or with
the reason it could not be.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from typing import Any

from model.errors import InvalidNoteError

SUPPORTED_SUFFIXES = (".jsonl", ".ndjson", ".json", ".csv", ".parquet")

_LABELS: dict[Any, int] = {
    1: 1,
    0: 0,
    "1": 1,
    "0": 0,
    "ad": 1,
    "genuine": 0,
    "ads": 1,
    "not_ad": 0,
    "广告": 1,
    "非广告": 0,
}  # fmt: skip  (True/False hash like 1/0)


@dataclass(frozen=True)
class Comment:
    text: str
    likes: int | None = None
    author: str | None = None
    #: When it was posted, in seconds since the epoch (``time``: a number or an ISO 8601 string).
    time: float | None = None


def _comment_time(value: Any, where: str, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    if isinstance(value, str):
        from datetime import datetime

        try:
            t = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            pass
        else:
            return (t if t.tzinfo else t.replace(tzinfo=UTC)).timestamp()
    raise InvalidNoteError(
        f"{where}field '{name}.time' must be seconds since the epoch or an ISO 8601 date-time. Got "
        f"{type_name(value)} {value!r:.60}."
    )


@dataclass(frozen=True)
class Note:
    text: str
    title: str = ""
    comments: tuple[Comment, ...] = ()
    id: str | None = None
    label: int | None = None
    source: str | None = None
    author: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)


def type_name(value: Any) -> str:
    """The JSON name of a value's type for error messages (`null` for None, else the Python type name)."""
    return "null" if value is None else type(value).__name__


def _opt_str(row: Mapping[str, Any], name: str, where: str) -> str | None:
    value = row.get(name)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise InvalidNoteError(f"{where}field '{name}' must be a string. Got {type_name(value)} {value!r:.60}.")
    return str(value)


def parse_label(value: Any, *, where: str = "") -> int:
    """1/0, "ad"/"genuine" (and a few synonyms) to 1/0; anything else is an error naming the value."""
    if isinstance(value, float) and value in (0.0, 1.0):
        value = int(value)
    key = value.strip().lower() if isinstance(value, str) else value
    try:
        return _LABELS[key]
    except (KeyError, TypeError):
        raise InvalidNoteError(
            f'{where}field \'label\' must be 1/0 or "ad"/"genuine". Got {type_name(value)} {value!r:.60}.'
        ) from None


def parse_comment(item: Any, *, where: str = "", index: int = 0) -> Comment:
    """A comment is a string or an object with ``text`` (or CHASM's ``content``), optional ``likes``/``author``."""
    name = f"comments[{index}]"
    if isinstance(item, str):
        return Comment(text=item)
    if isinstance(item, Mapping):
        text = item.get("text", item.get("content"))
        if not isinstance(text, str):
            raise InvalidNoteError(f"{where}field '{name}.text' must be a string. Got {type_name(text)} {text!r:.60}.")
        likes = item.get("likes", item.get("like_count"))
        if likes is not None:
            if isinstance(likes, str) and likes.strip().isdigit():
                likes = int(likes)
            if isinstance(likes, bool) or not isinstance(likes, int) or likes < 0:
                raise InvalidNoteError(
                    f"{where}field '{name}.likes' must be a non-negative integer. Got {type_name(likes)} {likes!r:.60}."
                )
        author = item.get("author", item.get("nickname"))
        time = _comment_time(item.get("time", item.get("created_at")), where, name)
        return Comment(text=text, likes=likes, author=None if author is None else str(author), time=time)
    raise InvalidNoteError(
        f"{where}field '{name}' must be a string or an object with 'text'. Got {type_name(item)} {item!r:.60}."
    )


def parse_note(row: Any, *, where: str = "", require_text: bool = True, require_label: bool = False) -> Note:
    """Validate one record of the note schema and return a :class:`Note`.

    ``row`` may be a mapping or a bare string (the text of a note with no title). ``where`` prefixes error
    messages, e.g. ``"notes.jsonl, line 12: "``.
    """
    if isinstance(row, Note):
        if require_label and row.label is None:
            raise InvalidNoteError(f"{where}field 'label' is required. Got nothing.")
        return row
    if isinstance(row, str):
        row = {"text": row}
    if not isinstance(row, Mapping):
        raise InvalidNoteError(f"{where}a note must be an object or a string. Got {type_name(row)} {row!r:.60}.")
    text_key = "text" if "text" in row else ("description" if "description" in row else "text")
    text = row.get(text_key)
    if isinstance(text, float) and math.isnan(text):
        text = None
    if text is not None and not isinstance(text, str):
        raise InvalidNoteError(f"{where}field '{text_key}' must be a string. Got {type_name(text)} {text!r:.60}.")
    title = _opt_str(row, "title", where) or ""
    comments_raw = row.get("comments")
    if isinstance(comments_raw, float) and math.isnan(comments_raw):
        comments_raw = None
    if comments_raw is None:
        comments: tuple[Comment, ...] = ()
    elif isinstance(comments_raw, (list, tuple)) or _is_array(comments_raw):
        comments = tuple(parse_comment(c, where=where, index=i) for i, c in enumerate(comments_raw))
    else:
        raise InvalidNoteError(
            f"{where}field 'comments' must be a list of strings or objects with 'text'. "
            f"Got {type_name(comments_raw)} {comments_raw!r:.60}."
        )
    if require_text and not (text or "").strip() and not title.strip():
        raise InvalidNoteError(f"{where}field 'text' is required and must be a non-empty string. Got {text!r:.60}.")
    label_raw = row.get("label")
    if isinstance(label_raw, float) and math.isnan(label_raw):
        label_raw = None
    label = None if label_raw is None else parse_label(label_raw, where=where)
    if require_label and label is None:
        raise InvalidNoteError(f'{where}field \'label\' is required (1/0 or "ad"/"genuine"). Got nothing.')
    known = {"id", "title", "text", "description", "comments", "label", "source", "author"}
    return Note(
        text=text or "",
        title=title,
        comments=comments,
        id=_opt_str(row, "id", where),
        label=label,
        source=_opt_str(row, "source", where),
        author=_opt_str(row, "author", where),
        extra={k: v for k, v in row.items() if k not in known},
    )


def _is_array(value: Any) -> bool:
    return type(value).__name__ == "ndarray"


@dataclass(frozen=True)
class Record:
    """One raw row of a file: ``data`` when it could be read, else ``error`` says why."""

    path: str
    line: int
    data: dict[str, Any] | None
    error: str | None = None

    @property
    def where(self) -> str:
        return f"{self.path}, line {self.line}: "


def iter_records(path: str | Path, *, encoding: str | None = None) -> Iterator[Record]:
    """Yield every row of a JSON Lines, CSV or Parquet file as a :class:`Record`, in order.

    ``line`` is the physical line for JSON Lines, the data row number (header is line 1) for CSV and the
    1-based row number for Parquet. Undecodable bytes and invalid JSON become records with an ``error``.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise InvalidNoteError(
            f"{path}: unsupported file type {suffix or '(none)'!r}; expected one of {', '.join(SUPPORTED_SUFFIXES)}."
        )
    if suffix == ".parquet":
        yield from _iter_parquet(path)
        return
    raw = path.read_bytes()
    text = _decode(raw, path, encoding)
    if suffix == ".csv":
        yield from _iter_csv(text, str(path))
    else:
        yield from _iter_jsonl(text, str(path))


def _decode(raw: bytes, path: Path, encoding: str | None) -> str:
    if encoding:
        return raw.decode(encoding)
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        try:
            return raw.decode("gb18030")
        except UnicodeDecodeError:
            raise InvalidNoteError(
                f"{path}: not valid UTF-8 (byte {exc.start}) nor GB18030; pass the file's encoding explicitly."
            ) from None


def _iter_jsonl(text: str, name: str) -> Iterator[Record]:
    for lineno, line in enumerate(io.StringIO(text), 1):
        stripped = line.strip()
        if not stripped:
            continue
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError as exc:
            yield Record(name, lineno, None, f"invalid JSON ({exc.msg} at column {exc.colno})")
            continue
        if not isinstance(data, dict):
            yield Record(name, lineno, None, f"expected a JSON object per line, got {type_name(data)}")
            continue
        yield Record(name, lineno, data)


def _iter_csv(text: str, name: str) -> Iterator[Record]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    for row in reader:
        lineno = reader.line_num
        data: dict[str, Any] = {k: (v if v != "" else None) for k, v in row.items() if k is not None}
        if None in row:
            yield Record(name, lineno, None, "more fields than the header names")
            continue
        comments = data.get("comments")
        if isinstance(comments, str):
            try:
                data["comments"] = json.loads(comments)
            except json.JSONDecodeError:
                yield Record(name, lineno, None, "field 'comments' in a CSV must be a JSON list")
                continue
        yield Record(name, lineno, data)


def _iter_parquet(path: Path) -> Iterator[Record]:
    import pyarrow.parquet as pq

    try:
        table = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises several types for a file that is not Parquet
        raise InvalidNoteError(f"{path}: not a readable Parquet file ({exc}).") from None
    lineno = 0
    for batch in table.iter_batches(batch_size=4096):
        for data in batch.to_pylist():
            lineno += 1
            yield Record(str(path), lineno, data)


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
            if rec.error is not None:
                raise InvalidNoteError(rec.where + rec.error)
            notes.append(parse_note(rec.data, where=rec.where, require_label=require_label, require_text=require_text))
        except InvalidNoteError as exc:
            if not skip_bad_rows:
                raise
            skipped.append(str(exc))
    return notes, skipped
