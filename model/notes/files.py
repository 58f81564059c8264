"""What every note-file format shares: the suffixes and the format each means, whole-file checks (:func:`sniff`),
the :class:`Record` of one row, and reading and decoding one physical line within the row-size limit."""

from __future__ import annotations

import codecs
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import IO, Any

from model.errors import InvalidNoteError
from model.simplified import to_simplified

#: Accepted input suffixes (lower case) and the format each one means.
FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv", ".parquet": "parquet"}
SUPPORTED_SUFFIXES = tuple(FORMATS)
MAX_ROW_BYTES = 16 << 20
UTF8_BOM = b"\xef\xbb\xbf"


class NoteFileError(InvalidNoteError):
    """A file cannot be read as notes at all (as opposed to one bad row in it); ``reason`` says why."""

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path, self.reason = str(path), reason
        super().__init__(f"{path}: {reason}.")


@dataclass(frozen=True)
class Record:
    """One raw row of a file: ``data`` when it could be read; ``error`` says why the row is not a note (its
    ``data`` is then kept when the row could be read, for its id); ``warning`` what was read of a row that may not
    be what its writer meant (a CSV row shorter than its header: its missing cells read as empty)."""

    path: str
    line: int
    data: dict[str, Any] | None
    error: str | None = None
    unit: str = "line"  # what ``line`` counts: a Parquet file has rows, not lines
    warning: str | None = None

    @property
    def where(self) -> str:
        return f"{self.path}, {self.unit} {self.line}: "


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
        whole = not fh.read(1)  # the head is the whole file (a file of exactly 4,096 bytes too)
    if kind == "jsonl" and _json_array(head.lstrip(UTF8_BOM).lstrip(), whole=whole):
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
    if b"\x00" in head and _binary(head):
        return f"{what} holds binary data (NUL bytes), not {expected}"
    return None


def _binary(head: bytes) -> bool:
    """Whether NUL bytes in ``head`` make it binary data (an image, a database, UTF-16 or UTF-32 text) rather than
    text with a damaged row: at least one byte in a hundred is NUL, or the lines without one hold control bytes no
    text has (PNG's "\\x89PNG\\r\\n\\x1a\\n\\x00…"). A NUL in one row of a text file is that row's error: refusing the
    file for it lost every other row (an archive of 5,000 notes scored none). Counted in bytes, not lines: a head
    of long rows holds only a line or two, and "most lines" then refused a file for one NUL again."""
    if head.count(b"\x00") * 100 >= len(head):
        return True
    return any(_CONTROL_RE.search(line) for line in head.split(b"\n") if b"\x00" not in line)


#: Control bytes that no text line holds (tab, carriage return and escape aside).
_CONTROL_RE = re.compile(rb"[\x01-\x08\x0b\x0c\x0e-\x1a\x1c-\x1f\x7f]")


def _json_array(head: bytes, *, whole: bool) -> bool:
    """Whether a file starting with ``head`` (``whole``: all of it) is one JSON array: it opens with "[" on a line
    that is no JSON value of its own ("[", '[{"text": "x"},'), or it is that one line. A JSON Lines file whose
    first line is a stray list ('["header"]') is a file with one bad row, not an array (every row was lost)."""
    if not head.startswith(b"["):
        return False
    first, newline, rest = head.partition(b"\n")
    if not rest.strip() and whole:
        return True  # the array on one line ('[{"text": "x"}]'), as a JSON dump writes it
    if not newline and not whole:
        return True  # a first line longer than the head: no JSON Lines file opens with such a list
    try:
        json.loads(first.decode("utf-8", "replace"))  # a GB18030 line is judged by its shape, not its bytes
    except ValueError:
        return True
    return False


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


#: Codecs named when ``--encoding`` is refused, as what it expects.
ENCODING_EXAMPLES = "big5, gb18030, utf-8"
#: Bytes every encoding a note file can be in reads as themselves: the reader splits lines at the byte \n and
#: decodes each line alone, so an encoding that writes ASCII otherwise (UTF-16, UTF-32, EBCDIC) cannot be read.
_ASCII_PROBE = b'{"id": "a-1", "text": "x"},\r\n'


def encoding_problem(name: str) -> str | None:
    """Why note files cannot be decoded with the codec ``name`` (one sentence naming it and what is expected), or
    None when they can. Checked before any file is read, so that a bad ``--encoding`` costs no run."""
    try:
        codecs.lookup(name)
    except LookupError:
        return f"{name!r} is not an encoding Python knows; expected a codec name such as {ENCODING_EXAMPLES}"
    try:
        keeps_ascii = _ASCII_PROBE.decode(name) == _ASCII_PROBE.decode("ascii")
    except LookupError:  # a codec from bytes to bytes (rot13, base64, hex), which bytes.decode refuses
        return f"{name!r} is not a text encoding; expected a codec name such as {ENCODING_EXAMPLES}"
    except (UnicodeError, ValueError):
        keeps_ascii = False
    if not keeps_ascii:
        return (
            f"{name!r} does not keep ASCII characters as single bytes, which note files read line by line need; "
            f"expected an encoding that does, such as {ENCODING_EXAMPLES} (convert a UTF-16 or UTF-32 file to UTF-8)"
        )
    return None


def decode_line(raw: bytes, encoding: str | None, *, stdin: bool = False) -> tuple[str, str | None]:
    """Decode one line: strictly with ``encoding`` when given, else UTF-8 and then GB18030. Returns the text and,
    when the bytes are not valid in that encoding, the reason (the text then has replacement characters); a line
    that reads as GB18030 but looks like Big5 (:func:`_looks_like_big5`), or that is UTF-8 text the ``encoding``
    given misreads (:func:`utf8_misread`), gets a reason too, not a garbled text.

    With ``stdin`` the bytes are standard input read whole (``check -``), decoded by the same rules, and each reason
    is a sentence about it (``standard input is ...``) in the same words, but for those naming where the bytes are
    (standard input wherever a line's reason says the line) and how their encoding is given: only ``--encoding``
    (standard input is never a training data set)."""
    if encoding:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as exc:
            why = not_in_encoding(raw, encoding, exc, stdin=stdin)
            return raw.decode(encoding, "replace"), f"standard input is {why}" if stdin else why
        return text, utf8_misread(raw, text, encoding, stdin=stdin)
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        not_utf8 = exc.start + 1
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "replace"), _neither_utf8_nor_gb18030(not_utf8, stdin)
    if _looks_like_big5(raw, text):
        return text, _looks_like_big5_reason(stdin)
    return text, None


def _neither_utf8_nor_gb18030(byte: int, stdin: bool) -> str:
    """The reason for bytes neither encoding read without one reads, the first one UTF-8 cannot read at ``byte``."""
    if stdin:
        return (
            f"standard input is neither UTF-8 (byte {byte} of standard input) nor GB18030; pass its encoding with "
            "--encoding, e.g. --encoding big5"
        )
    return (
        f"neither UTF-8 (byte {byte} of the line) nor GB18030; pass the file's encoding with --encoding, e.g. "
        f"--encoding big5{IN_A_TRAINING_CONFIG}"
    )


def _looks_like_big5_reason(stdin: bool) -> str:
    subject, config = ("standard input", "") if stdin else ("it", IN_A_TRAINING_CONFIG)
    return (
        f"{subject} looks like Big5 (traditional Chinese as Hong Kong and Taiwan write it): read as GB18030 it is "
        f"mostly rare characters; pass --encoding big5{config}, or convert it to UTF-8 (iconv -f big5 -t utf-8)"
    )


#: Characters at U+0800 and above (3- and 4-byte UTF-8: every hanzi, kana, full-width mark, emoji) a line valid as
#: UTF-8 must hold to be called UTF-8 text when another encoding was asked for. GBK, GB18030 and Big5 text is
#: rarely valid UTF-8, and then nearly always as 2-byte sequences (挺值 in GBK reads as UTF-8 "ֵͦ"): no line of the
#: shared corpora encoded as GB18030 or Big5 (269,400 lines: rows, title and text, lines of a text) holds even one;
#: of 3,000,000 random strings of 4-10 characters drawn uniformly from the corpora's 6,019 GBK-encodable characters
#: (the worst case: rare characters have the most varied bytes) 4 hold 3 and none 4 (none in 12,000,000 over four
#: seeds), and of as many Big5 strings none more than 2. UTF-8 Chinese has one per character, so a line of four or
#: more hanzi is caught: 9,597 of the 9,653 UTF-8 lines of the corpora that GB18030 reads without an error (the
#: other 80,129 non-ASCII lines fail GB18030 already). benchmarks/encoding_misread.py measures all three.
UTF8_MISREAD_MIN_CHARS = 4
_BELOW_U0800_LEADS = bytes(range(0xE0))  # deleted, they leave the lead bytes of 3- and 4-byte sequences


@cache
def is_utf8(encoding: str) -> bool:
    """Whether ``encoding`` names UTF-8 (any spelling, with or without the byte-order mark)."""
    return codecs.lookup(encoding).name in ("utf-8", "utf-8-sig")


def utf8_misread(raw: bytes, text: str, encoding: str, *, stdin: bool = False) -> str | None:
    """Why ``text``, ``raw`` decoded with the ``encoding`` given, is a misreading of UTF-8 text, or None. GB18030
    reads most UTF-8 Chinese without an error, as other characters (你好 as 浣犲ソ): a line valid as UTF-8 that
    holds at least :data:`UTF8_MISREAD_MIN_CHARS` characters from U+0800 up is UTF-8, not ``encoding``. Runs only
    when ``encoding`` is not UTF-8; on a GB18030 line it costs a UTF-8 decode that fails within a few bytes."""
    if raw.isascii() or is_utf8(encoding):
        return None
    try:
        utf8 = raw.decode("utf-8")  # first: it stops within bytes on most GB18030 lines, the count reads them all
    except UnicodeDecodeError:
        return None
    if len(raw.translate(None, _BELOW_U0800_LEADS)) < UTF8_MISREAD_MIN_CHARS:
        return None
    what, without = ("standard input", "--encoding") if stdin else ("the line", "an encoding")
    start = next(i for i, ch in enumerate(utf8) if not ch.isascii())  # the same index in both: ASCII before it
    return (
        f"{what} is UTF-8 text ({_excerpt(utf8, start)}), which {encoding} ({_given(encoding, stdin)}) misreads as "
        f"{_excerpt(text, start)}; UTF-8 is read without {without}: drop it, or pass --encoding utf-8"
    )


def _excerpt(text: str, start: int, size: int = 12) -> str:
    """``size`` characters of ``text`` from ``start``, quoted (control characters escaped), … when there is more."""
    text = text.rstrip("\r\n")
    part = text[start : start + size]
    return repr(part + "…" if len(text) > start + size else part)


def not_in_encoding(raw: bytes, encoding: str, exc: UnicodeDecodeError, *, stdin: bool = False) -> str:
    """Why ``raw``, a line of a note file (or standard input, ``stdin``), is not text in the ``encoding`` given:
    the encoding and the option that gave it, the first byte it cannot read and its value, and what the bytes are
    instead when that can be told (UTF-8, GB18030, Big5), e.g. ``not valid big5 (--encoding big5, or encoding =
    "big5" in a training config): byte 1 of the line is 0xE5; the line is UTF-8 text, which is read without
    an encoding``."""
    bad = " ".join(f"0x{b:02X}" for b in raw[exc.start : exc.end][:4])
    what = "standard input" if stdin else "the line"
    return (
        f"not valid {encoding} ({_given(encoding, stdin)}): byte {exc.start + 1} of {what} is {bad}"
        f"{_what_it_is(raw, encoding, what, stdin)}"
    )


def _given(encoding: str, stdin: bool) -> str:
    """The option that gives ``encoding``: ``--encoding``, or for a file a training config's ``encoding``."""
    option = f"--encoding {encoding}"
    return option if stdin else f'{option}, or encoding = "{encoding}" in a training config'


def _what_it_is(raw: bytes, encoding: str, what: str, stdin: bool) -> str:
    """``; <what> is UTF-8 text …`` when bytes not in ``encoding`` read as another encoding a note file is written
    in, else ``""``."""
    given = codecs.lookup(encoding).name
    without = "--encoding" if stdin else "an encoding"
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if given != "utf-8":
            return f"; {what} is UTF-8 text, which is read without {without}"
    try:
        gb18030 = raw.decode("gb18030")
    except UnicodeDecodeError:
        return ""
    if given != "big5" and _looks_like_big5(raw, gb18030):
        big5 = _given("big5", stdin)
        return f"; {what} looks like Big5 (traditional Chinese as Hong Kong and Taiwan write it): pass {big5}"
    chars = _ideographs(gb18030)
    # GB18030 reads nearly any bytes, as rare characters: only everyday characters say the bytes are GB18030
    if given != "gb18030" and chars and sum(map(_common, chars)) >= 0.9 * len(chars):
        return f"; {what} is GB18030 (or GBK) text, which is read without {without}"
    return ""


#: Where a training run is given the encoding: its files are named in the config, not on the command line.
IN_A_TRAINING_CONFIG = ' (in a training config, encoding = "big5" in its [[dataset]])'


def _ideographs(text: str) -> list[str]:
    return [c for c in text if "\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf"]


def _common(ch: str) -> bool:
    """One of the 6,763 everyday characters of GB 2312."""
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _looks_like_big5(raw: bytes, gb18030: str) -> bool:
    """Big5 bytes are nearly all valid GB18030, so a Big5 line read as GB18030 is text, but a text of rare
    characters (加微信領券 comes out 稬獺烩ㄩ). The line is called Big5 when at least a quarter of its ideographs
    read as GB18030 are outside GB 2312 and, read as Big5, nine in ten are everyday characters once simplified:
    no GB18030 line of the shared corpora (20,732 notes, 2,390 of them in traditional characters) is, and 981 of
    992 of the traditional notes Big5 can encode are."""
    chars = _ideographs(gb18030)
    if len(chars) < 4 or sum(map(_common, chars)) > 0.75 * len(chars):
        return False
    try:
        big5 = _ideographs(raw.decode("big5"))
    except UnicodeDecodeError:
        return False
    return len(big5) >= 4 and sum(_common(c) for c in to_simplified("".join(big5))) >= 0.9 * len(big5)


#: How the error of a row over the size limit ends: the row was never read (nothing of it is JSON or not).
SKIPPED_UNREAD = "it was skipped unread"


def too_long(size: int, limit: int) -> str:
    return f"the row is {size:,} bytes, more than the limit of {limit:,} bytes per row; {SKIPPED_UNREAD}"
