"""The error responses every route documents, and how a validation error's location and pattern are put into
words for the client (``notes[3].text``, "must not be blank")."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, Field

from model.schema import NON_BLANK
from serve.schemas.comments import UNION_TAGS
from serve.schemas.validation import IDEMPOTENCY_KEY, VISIBLE

#: What a pattern means, for the 422 of a value that does not match it.
PATTERN_MEANINGS = {
    NON_BLANK: "must not be blank",
    VISIBLE: "must contain a visible character (not only whitespace, control or zero-width characters)",
    IDEMPOTENCY_KEY: "must be visible ASCII characters only (letters, digits, punctuation; no spaces), e.g. a UUID",
}


class ErrorItem(BaseModel):
    loc: list[str | int]
    field: str
    msg: str
    type: str


class ErrorOut(BaseModel):
    message: str = Field(description="what was wrong, naming the field")
    detail: list[ErrorItem] | str | None = None


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "malformed Content-Length header"},
    401: {"model": ErrorOut, "description": "missing or invalid API key (only when keys are configured)"},
    413: {
        "model": ErrorOut,
        "description": "request body larger than max_body_bytes, or more characters of titles, texts and comments "
        "than max_request_chars (of comments: max_request_comment_chars)",
    },
    422: {"model": ErrorOut, "description": "invalid JSON, field or limit; the field is named"},
    503: {"model": ErrorOut, "description": "models not loaded yet"},
}


#: The tags pydantic puts after a field of a scalar union (``time: float | int | datetime``): a branch of the
#: schema, not a field the client sent.
SCALAR_TAGS = frozenset({"float", "int", "datetime", "date", "str", "bool"})


def strip_union_tags(loc: list[str | int]) -> list[str | int]:
    """Drop the union-branch tags pydantic puts in error locations: after ``comments[i]`` (a string or an object)
    and after a field of a scalar union (``comments[0].time.float``), so the location names what was sent."""
    out = [
        p
        for i, p in enumerate(loc)
        if not (p in UNION_TAGS and i >= 2 and isinstance(loc[i - 1], int) and loc[i - 2] == "comments")
    ]
    if len(out) >= 2 and out[-1] in SCALAR_TAGS and isinstance(out[-2], str) and out[-2] != "body":
        out.pop()
    return out


def field_path(loc: tuple[str | int, ...] | list[str | int]) -> str:
    """``("body", "notes", 3, "text")`` -> ``notes[3].text``. A key the client chose that is not a plain name (a
    keyword set named "", " " or "a.b") is quoted, ``keywords["a.b"][0]``, and pydantic's ``[key]`` (the key
    itself is invalid) is said in words: ``keywords[""] (the key)``, where ``keywords..[key]`` left the reader to
    guess what stood between the dots."""
    out = ""
    for part in loc:
        if part == "body" and not out:
            continue
        if isinstance(part, int):
            out += f"[{part}]"
        elif part == "[key]":
            out += " (the key)"
        elif not part.isidentifier():
            out += f"[{json.dumps(part, ensure_ascii=not part.isprintable())}]"
        else:
            out += f".{part}" if out else part
    return out or "body"
