"""Text files a user names (configs, keyword sets, dictionaries) are UTF-8; one that is not is refused with where.

Python's own error ("'utf-8' codec can't decode byte 0xd6 in position 11") reached users as a traceback or, where
a JSON reader caught every ``ValueError``, as a wrong reason. Note files are read by :mod:`model.notes`, which also
takes GB18030 and a named ``--encoding``; these small files are UTF-8 only, as their formats say."""

from __future__ import annotations

import codecs
from pathlib import Path

from model.errors import InvalidParameterError


def not_utf8(data: bytes, exc: UnicodeDecodeError) -> str:
    """Where in ``data`` the UTF-8 decoding failed, as the end of a sentence naming the file."""
    return _not_utf8_at(data, exc.start)


def byte_place(data: bytes, at: int) -> tuple[int, int]:
    """(line, byte of that line), both from 1, of the byte at offset ``at`` of ``data``."""
    return data.count(b"\n", 0, at) + 1, at - (data.rfind(b"\n", 0, at) + 1) + 1


def _not_utf8_at(data: bytes, at: int) -> str:
    line, column = byte_place(data, at)
    return (
        f"is not UTF-8 (byte 0x{data[at]:02x} at line {line}, byte {column} of the line); save it as UTF-8, "
        "e.g. iconv -f gbk -t utf-8"
    )


def decode_utf8(data: bytes, what: str) -> str:
    """``data`` decoded (a UTF-8 byte-order mark dropped), or :class:`InvalidParameterError` saying "{what} is not
    UTF-8 (...)": ``what`` names the file."""
    start = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        return data[start:].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidParameterError(f"{what} {_not_utf8_at(data, exc.start + start)}.") from None


def read_utf8(path: str | Path, what: str) -> str:
    """The text of ``path`` as :func:`decode_utf8` decodes it, ``what`` naming the kind of file. ``OSError`` (a
    missing file) is left to the caller, which knows its words."""
    return decode_utf8(Path(path).read_bytes(), f"{what} {path}")
