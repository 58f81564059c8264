"""What the inputs of every route share: the base model, the text rules (valid Unicode, not blank, visible), the
error of a value over one of the server's limits, and the 413 of a request over its character budget."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException
from pydantic import BaseModel, ConfigDict

from model.comments.normalise import VARIATION_SELECTORS
from model.text import INVISIBLE_CHARS
from serve.settings import Settings

#: A keyword must keep a character after text normalisation (else it would match nothing, and the comment scorer
#: refuses it): one that is neither whitespace nor a character normalisation deletes (the model's invisible
#: characters, and the emoji variation selectors keyword matching drops).
VISIBLE = f"[^\\s{INVISIBLE_CHARS}{VARIATION_SELECTORS}]"
#: An ``Idempotency-Key`` header: visible ASCII only (a header is bytes, and a key is compared as sent).
IDEMPOTENCY_KEY = r"^[\x21-\x7e]+$"


class InputModel(BaseModel):
    """A request body: unknown fields are errors, patterns run on Python's ``re``."""

    model_config = ConfigDict(extra="forbid", regex_engine="python-re")


def encodable(value: str | None, what: str) -> str | None:
    """Values echoed back in responses must be valid Unicode (no lone surrogates)."""
    if value is not None:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ValueError(
                f"{what} must be valid Unicode text; got a lone surrogate at position {exc.start}"
            ) from None
    return value


def too_long(
    loc: tuple[str | int, ...], limit: int, value: str | list[Any] | dict[str, Any], noun: str
) -> dict[str, Any]:
    """The 422 error of a value over one of the server's limits, in pydantic's error shape."""
    kind = "list" if isinstance(value, list) else "object" if isinstance(value, dict) else "string"
    return {
        "loc": loc,
        "msg": f"{kind} must have at most {limit} {noun} (the server's limit). Got {len(value)} {noun}",
        "type": "too_long",
        "input": None,
    }


def budget_error(chars: int, s: Settings, comments: int) -> HTTPException | None:
    """The 413 of a request holding more than ``max_request_chars`` characters (:func:`serve.schemas.note_chars`),
    or more than ``max_request_comment_chars`` of them in comments, else None."""
    if chars > s.max_request_chars:
        what, limit, name, got = (
            "characters of titles, texts and comments",
            s.max_request_chars,
            "max_request_chars",
            chars,
        )
    elif comments > s.max_request_comment_chars:
        what, limit, name = "characters of comments", s.max_request_comment_chars, "max_request_comment_chars"
        got = comments
    else:
        return None
    return HTTPException(
        status_code=413,
        detail=f"A request may hold at most {limit} {what} ({name}). Got {got}; send them in several requests.",
    )
