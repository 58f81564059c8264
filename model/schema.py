"""The note schema: :class:`Note` and :class:`Comment`, and validation of one record into them.

A note has ``id``, ``title``, ``text``, ``comments`` (strings or objects with ``text``, optional ``likes`` and
``author``), ``label`` (1/0 or "ad"/"genuine"), and optional ``source`` and ``author``. The CHASM RedNote field
names are accepted too: ``description`` for the text and comment objects with ``content``. Reading files of notes
is :mod:`model.notes`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

from model.errors import InvalidNoteError

#: The longest title and text a note may have, in characters, for every command that checks or scores notes
#: (``check``, ``score``) and the server's default (``NOTECHECK_MAX_TEXT_CHARS``, ``NOTECHECK_MAX_TITLE_CHARS``).
#: A longer note is refused with an error naming the field, never cut: Xiaohongshu notes are at most 1,000
#: characters, so a longer one is not a note as written, and a decision on part of it would mislead.
MAX_TEXT_CHARS = 20_000
MAX_TITLE_CHARS = 1_000

#: What a note needs, in every error about a blank note (the file readers here, the API's 422): text, or a title.
BLANK_NOTE = "required when the title is blank: a note needs text or a title that is not blank"

#: "Not blank": a character outside every engine's whitespace and outside what normalisation deletes as drawn as
#: nothing (:func:`model.text.normalize_text`: control characters, the soft hyphen, zero-width and bidi marks, the
#: placeholder brackets ⟦⟧). A note of only those would be judged on an empty document, so it is blank.
#: Python's ``\s`` holds U+001C–U+001F, which Unicode's White_Space (Rust's regex, used by schema validators such as
#: jsonschema-rs) does not; ECMAScript's holds U+FEFF and lacks U+0085. Naming them all makes the file readers, the
#: API and the pattern its OpenAPI document states agree on which notes are blank, whatever engine reads the
#: pattern. tests/test_text.py checks every code point against normalize_text.
NON_BLANK = (
    r"[^\s\x00-\x08\x0e-\x1f\x7f-\x9f\xad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\u27e6\u27e7\ufeff"
    r"\ufff9-\ufffb]"
)
_NON_BLANK_RE = re.compile(NON_BLANK)


def is_blank(value: str | None) -> bool:
    """Whether ``value`` is missing or holds no character outside whitespace (:data:`NON_BLANK`)."""
    return value is None or _NON_BLANK_RE.search(value) is None


#: What a blank note holds (the complement of NON_BLANK), at either end of a name: an export's padding, " 小美 " or
#: "小美\u200b", is no part of it.
_BLANK_CHAR = "[" + NON_BLANK[2:]
_EDGES_RE = re.compile(f"^{_BLANK_CHAR}+|{_BLANK_CHAR}+$")


def author_or_none(value: str | None) -> str | None:
    """A note's author without the spaces around it, None when blank (:func:`is_blank`): notes with a blank author
    are not one creator whose comments are judged together (water rules) and reported as a creator named "". The
    spaces of an export's padding are no part of the name: " 小美 " and "小美" were two creators, shown alike, each
    with half the notes the water rules judge together."""
    return None if is_blank(value) else _EDGES_RE.sub("", value)  # type: ignore[arg-type]


_LABELS: dict[Any, int] = {
    1: 1,
    0: 0,
    "1": 1,
    "0": 0,
    # a CSV cell is text: what JSON gives as 1.0 or true (a pandas column with gaps is float) comes as "1.0", "True"
    "1.0": 1,
    "0.0": 0,
    "true": 1,
    "false": 0,
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


#: Seconds since the epoch written as text ("1700000000", "1700000000.5"): read as the number, as a like count
#: written as text is (exports keep numbers as text). A string that is an ISO 8601 date ("20240101") stays that
#: date: an export writing compact dates means the day, not 1970-08-23.
SECONDS_TEXT = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")


def _comment_time(value: Any, where: str, name: str) -> float | None:
    """A comment's ``time`` in seconds since the epoch: a number, a number written as text
    (:data:`SECONDS_TEXT`), or an ISO 8601 date-time (UTC when it names no offset)."""
    if value is None:
        return None
    from datetime import datetime

    t = value if isinstance(value, datetime) else None
    number = value
    if isinstance(value, str):
        text = value.strip()
        if not SECONDS_TEXT.fullmatch(text) or len(text) == 8:  # eight digits may be a compact date
            try:  # UTC as Z, or z as RFC 3339 allows (and the API takes): fromisoformat reads neither
                t = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
            except ValueError:
                pass
        if t is None and SECONDS_TEXT.fullmatch(text):
            number = float(text)  # inf when too long: refused below, as such a number is
    if isinstance(number, (int, float)) and not isinstance(number, bool):
        try:
            seconds = float(number)
        except OverflowError:  # an integer beyond any float (JSON integers have no limit): no time
            seconds = math.inf
        if math.isfinite(seconds):
            return seconds
    if t is not None:
        try:
            return (t if t.tzinfo else t.replace(tzinfo=UTC)).timestamp()
        except (OverflowError, ValueError, OSError):  # e.g. year 1 with a positive UTC offset
            pass
    raise InvalidNoteError(
        f"{where}field '{name}.time' must be seconds since the epoch (a number, also written as text: "
        f'"1700000000") or an ISO 8601 date-time. Got {type_name(value)} {value!r:.60}.'
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


def got(value: Any) -> str:
    """What came in, for the end of an error message: ``null``, or the type and the value (cut at 60 characters)."""
    return "null" if value is None else f"{type(value).__name__} {value!r:.60}"


def _opt_str(row: Mapping[str, Any], name: str, where: str) -> str | None:
    value = row.get(name)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        # an id, a source, an author or a title may be a number an export wrote without quotes (2024, 618): a whole
        # one is read as its digits, so the message says so ("must be a string" was said of a title 2024 taken)
        raise InvalidNoteError(
            f"{where}field '{name}' must be a string (or a whole number, read as its digits). "
            f"Got {type_name(value)} {value!r:.60}."
        )
    return str(value)


def _author(row: Mapping[str, Any], where: str) -> str | None:
    """The note's creator; a blank one ("", spaces) is no author (:func:`author_or_none`)."""
    return author_or_none(_opt_str(row, "author", where))


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


_WAN = re.compile(r"(\d+(?:\.\d+)?)\s*[万wW]")
#: The largest like count: the largest whole number a float64 holds exactly (like-weighted shares sum counts as
#: floats; a count of 10**400 overflowed, and 1e308 twice summed to inf).
MAX_LIKES = 2**53 - 1
_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+")


def _likes(value: Any) -> Any:
    """A like count as an int when it is one in another form: "12", 12.0 (a float column, as pandas writes a
    column with gaps), "1.2万" (how Xiaohongshu shows counts, as scraped exports keep them), "10万+" (how it shows
    100,000 and more: at least that many), "1,234"; NaN (a gap) and a blank string (an empty cell) are None.
    Anything else is returned as it came, for the caller to refuse."""
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return int(value) if value.is_integer() else value
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        text = text.removesuffix("+").rstrip() if len(text) > 1 else text
        if _GROUPED.fullmatch(text):
            text = text.replace(",", "")
        if text.isdecimal():  # not isdigit: "²" is a digit that int() cannot read
            return int(text) if len(text) <= 4000 else text  # longer: more than int() reads; refused as too large
        wan = _WAN.fullmatch(text)
        if wan:
            return round(float(wan.group(1)) * 10_000)
    return value


#: The keys a comment object is read from (other keys are kept out of the way, as a row's extra fields are).
_COMMENT_KEYS = frozenset({"text", "content", "likes", "like_count", "author", "nickname", "time", "created_at"})


def parse_comment(item: Any, *, where: str = "", index: int = 0) -> Comment:
    """A comment is a string or an object with ``text`` (or CHASM's ``content``), optional ``likes``/``author``."""
    name = f"comments[{index}]"
    if isinstance(item, str):
        return Comment(text=item)
    if isinstance(item, Mapping):
        text = _comment_text(item, where, name)
        if not isinstance(text, str):
            came = got(text) if "text" in item or "content" in item else "nothing"
            other = [k for k in item if k not in _COMMENT_KEYS]
            # a misspelt key ({"txt": ...}) is what the writer of the row would look for
            also = f" (the comment's keys: {', '.join(map(repr, other))})" if came == "nothing" and other else ""
            raise InvalidNoteError(f"{where}field '{name}.text' must be a string. Got {came}{also}.")
        likes = _likes(item.get("likes", item.get("like_count")))
        if isinstance(likes, str) and likes.isdecimal():
            raise InvalidNoteError(
                f"{where}field '{name}.likes' must be at most {MAX_LIKES:,}. Got a number of {len(likes)} digits."
            )
        if likes is not None:
            if isinstance(likes, bool) or not isinstance(likes, int) or likes < 0:
                raise InvalidNoteError(
                    f"{where}field '{name}.likes' must be a non-negative integer. Got {type_name(likes)} {likes!r:.60}."
                )
            if likes > MAX_LIKES:
                shown = str(likes) if likes < 10**60 else f"a number of {len(str(likes))} digits"
                raise InvalidNoteError(f"{where}field '{name}.likes' must be at most {MAX_LIKES:,}. Got {shown}.")
        author = item.get("author", item.get("nickname"))
        time = _comment_time(item.get("time", item.get("created_at")), where, name)
        return Comment(text=text, likes=likes, author=None if author is None else str(author), time=time)
    raise InvalidNoteError(
        f"{where}field '{name}' must be a string or an object with 'text'. Got {type_name(item)} {item!r:.60}."
    )


def _comment_text(item: Mapping[str, Any], where: str, name: str) -> Any:
    """A comment's ``text``, or CHASM's ``content``; with both, the one holding the comment (an empty ``text``
    left ``content`` unread and the comment counted as empty), and two different texts are refused, as a note's
    ``text`` and ``description`` are."""
    text = item.get("text", item.get("content"))
    if "text" not in item or "content" not in item:
        return text
    content = item["content"]
    if not (isinstance(text, str) or text is None) or not isinstance(content, str):
        return text
    if text is None:
        return content
    if is_blank(text):
        return text if is_blank(content) else content
    if not is_blank(content) and content != text:
        raise InvalidNoteError(
            f"{where}fields '{name}.text' and '{name}.content' both hold a comment's text, and they differ; give one "
            f"of them. Got text {text!r:.40} and content {content!r:.40}."
        )
    return text


def _text_field(row: Mapping[str, Any], where: str) -> str | None:
    """The note's text: ``text``, or CHASM's ``description``. A file merging both kinds of rows has both columns,
    one of them empty in each row: the one holding the note counts (an empty ``text`` ignored a ``description``
    holding it). Two different texts are refused: which one is meant is not clear."""
    if "description" not in row:  # most rows
        return _text_value(row, "text", where)
    text, description = _text_value(row, "text", where), _text_value(row, "description", where)
    if is_blank(text):
        return description if "text" not in row or not is_blank(description) else text
    if not is_blank(description) and description != text:
        raise InvalidNoteError(
            f"{where}fields 'text' and 'description' both hold a note's text, and they differ; give one of them. "
            f"Got text {text!r:.40} and description {description!r:.40}."
        )
    return text


def _text_value(row: Mapping[str, Any], key: str, where: str) -> str | None:
    value = row.get(key)
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is not None and not isinstance(value, str):
        raise InvalidNoteError(f"{where}field '{key}' must be a string. Got {type_name(value)} {value!r:.60}.")
    return value


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
    text = _text_field(row, where)
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
    if require_text and is_blank(text) and is_blank(title):
        # A note with a title may have no text (as in the API), so say what is missing: both fields are blank.
        got = "nothing" if text is None else f"{text!r:.60}"
        raise InvalidNoteError(f"{where}field 'text' is {BLANK_NOTE}. Got {got}.")
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
        author=_author(row, where),
        extra={k: v for k, v in row.items() if k not in known},
    )


def _is_array(value: Any) -> bool:
    return type(value).__name__ == "ndarray"


def check_length(note: Note, *, where: str = "", max_text_chars: int = MAX_TEXT_CHARS,
                 max_title_chars: int = MAX_TITLE_CHARS) -> Note:  # fmt: skip
    """``note`` when its text and title are within the limits, else :class:`InvalidNoteError` naming the field."""
    for name, value, limit in (("title", note.title, max_title_chars), ("text", note.text, max_text_chars)):
        if len(value) > limit:
            raise InvalidNoteError(
                f"{where}field '{name}' must be at most {limit:,} characters. Got {len(value):,} characters."
            )
    return note
