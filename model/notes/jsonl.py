"""JSON Lines rows: one JSON object per physical line, a key given twice refused."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import IO, Any

from model.notes.files import MAX_ROW_BYTES, UTF8_BOM, Record, decode_line, is_utf8, read_line, too_long
from model.schema import type_name

TOO_DEEP = "invalid JSON (nested too deeply: more levels than Python's JSON reader takes)"
TOO_LONG_NUMBER = f"invalid JSON (a number of more than {sys.get_int_max_str_digits():,} digits)"


class RepeatedKeyError(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key
        self.path: tuple[str | int, ...] = ()  # where in the document, when the reader knows it


def unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object, refusing a key given twice: the JSON reader keeps the last value and drops the other
    silently (``{"text": "a", "text": "b"}``), and which one the writer meant is not for notecheck to guess."""
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise RepeatedKeyError(key)
            seen.add(key)
    return out


def repeated_key(key: str, where: str = "") -> str:
    """Why an object giving ``key`` twice is refused; ``where`` names the object (``comments[0]``) when not the
    top level."""
    place = f", {where}" if where else ""
    return f"the key {key!r} is given twice in one object{place}; which value is meant is not clear"


class _Pairs(list):
    """A JSON object as its list of pairs, repeats kept."""


def repeat_path(text: str | bytes) -> tuple[str | int, ...]:
    """The keys and indices to the first repeated key of the JSON document ``text`` (``("comments", 0, "text")``)
    in the order :func:`unique_keys` meets it (an object after everything inside it, when it closes); ``()`` when
    none. Parses ``text`` again keeping every pair: only for a document already refused."""
    return _repeat_path(json.loads(text, object_pairs_hook=_Pairs), ()) or ()


def _repeat_path(value: Any, path: tuple[str | int, ...]) -> tuple[str | int, ...] | None:
    if isinstance(value, _Pairs):
        for key, item in value:
            found = _repeat_path(item, (*path, key))
            if found:
                return found
        seen: set[str] = set()
        for key, _ in value:
            if key in seen:
                return (*path, key)
            seen.add(key)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found = _repeat_path(item, (*path, i))
            if found:
                return found
    return None


def place(path: tuple[str | int, ...]) -> str:
    """``("comments", 0)`` -> ``comments[0]``."""
    return "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else str(p)) for i, p in enumerate(path))


#: The JSON reader of note rows (a decoder built once costs less per row than ``json.loads``' keyword handling).
ROW_DECODER = json.JSONDecoder(object_pairs_hook=unique_keys)


def parse_json_line(text: str) -> tuple[dict[str, Any] | None, str | None]:
    """A JSON Lines row: ``(object, None)``, or ``(None, why not)``."""
    try:
        data = ROW_DECODER.decode(text)
    except json.JSONDecodeError as exc:
        return None, f"invalid JSON ({_where_invalid(text, exc)})"
    except RepeatedKeyError as exc:
        return None, f"invalid JSON row ({repeated_key(exc.key, place(repeat_path(text)[:-1]))})"
    except RecursionError:  # one corrupt or hostile row must not stop the reading of the others
        return None, TOO_DEEP
    except ValueError:  # the one other way json.loads fails: an integer longer than Python converts
        return None, TOO_LONG_NUMBER
    if not isinstance(data, dict):
        return None, f"expected a JSON object per line, got {type_name(data)}"
    return data, None


def _where_invalid(text: str, exc: json.JSONDecodeError) -> str:
    """What is wrong with a row and at which column of its line. The line ending is no part of the row: read with
    it, a row cut short (``{"text": "abc"`` and a line break) was said to fail at column 1, of the line after."""
    row = text.rstrip("\r\n")
    if exc.pos >= len(row):  # only the error path pays for reading the row again
        try:
            ROW_DECODER.decode(row)
        except json.JSONDecodeError as inner:
            exc = inner
        except ValueError:  # pragma: no cover - the row failed as JSON with its line ending; so it does without
            pass
    # json's own message may end in "at" ("Invalid control character at"): said once, with the column
    return f"{exc.msg.removesuffix(' at')} at column {exc.colno}"


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
        if line.startswith(UTF8_BOM) and (encoding is None or is_utf8(encoding)):
            # files joined with cat keep each one's byte-order mark at the start of a line: not part of the row
            line = line[len(UTF8_BOM) :]
        text, problem = decode_line(line, encoding)
        data, problem = (None, problem) if problem else parse_json_line(text)
        yield Record(name, lineno, data, problem)
