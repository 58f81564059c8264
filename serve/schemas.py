"""Request and response schemas of the prediction API (inputs and outputs are separate models).

Shapes and types are checked by pydantic; the size limits come from :class:`serve.settings.Settings` at run
time (:func:`limit_errors`) and are written into the OpenAPI document (:func:`document_limits`), so a client
sees the limits the running server enforces. Every error names the field, what was expected and what came in.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import HTTPException
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StrictFloat,
    StrictInt,
    StringConstraints,
    Tag,
    field_validator,
)

from model.text import INVISIBLE_CHARS
from serve.settings import Settings

Decision = Literal["ad", "review", "genuine"]


def _encodable(value: str | None, what: str) -> str | None:
    """Values echoed back in responses must be valid Unicode (no lone surrogates)."""
    if value is not None:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ValueError(
                f"{what} must be valid Unicode text; got a lone surrogate at position {exc.start}"
            ) from None
    return value


# -- inputs ------------------------------------------------------------------------------------------------
#: "Not blank": at least one character that is not whitespace. The server tests it with this pattern through
#: Python's ``re`` (``regex_engine="python-re"`` below), the same engine schema-driven clients such as
#: schemathesis use, and the OpenAPI document states the same pattern, so both sides agree on what is blank.
NON_BLANK = r"\S"
_NON_BLANK = re.compile(NON_BLANK)
#: A keyword must keep a character after text normalisation (else it would match nothing, and the comment scorer
#: refuses it): one that is neither whitespace nor a character normalisation deletes.
VISIBLE = f"[^\\s{INVISIBLE_CHARS}]"
#: What a pattern means, for the 422 of a value that does not match it.
PATTERN_MEANINGS = {
    NON_BLANK: "must not be blank",
    VISIBLE: "must contain a visible character (not only whitespace, control or zero-width characters)",
}


def _json_integer(value: Any) -> Any:
    """A JSON integer as JSON Schema defines one: a number with no fractional part (``3`` or ``3.0``); never a
    boolean or a string, which pydantic's lax mode would turn into 1/0 or parse."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise ValueError("must be a whole number (a JSON integer)")


#: A count: a whole number >= 0 as the schema's ``"type": "integer", "minimum": 0`` admits, nothing else.
Count = Annotated[int, Field(ge=0), BeforeValidator(_json_integer)]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", regex_engine="python-re")


class CommentIn(_Input):
    """A comment as an object; a bare string is accepted wherever a comment is."""

    text: str = Field(description="the comment text")
    likes: Count | None = Field(None, description="like count (a whole number; not a boolean or a string)")
    author: str | None = Field(
        None, description="commenter id or name (water detection: the same commenter on many of a creator's notes)"
    )
    time: StrictFloat | StrictInt | datetime | None = Field(
        None, description="when it was posted: seconds since the epoch or an ISO 8601 date-time (water: bursts)"
    )


def _comment_kind(value: Any) -> str:
    return "str" if isinstance(value, str) else "CommentIn"


#: A comment: a string or a :class:`CommentIn`. Discriminated, so an object is validated only as an object and
#: its errors name its field (``comments[0].likes``), not both union branches.
CommentItem = Annotated[
    Annotated[str, Tag("str")] | Annotated[CommentIn, Tag("CommentIn")], Discriminator(_comment_kind)
]
UNION_TAGS = frozenset({"str", "CommentIn"})

#: A keyword or keyword-set name: not blank (the lengths are the server's limits, see :func:`document_limits`).
Keyword = Annotated[str, StringConstraints(pattern=VISIBLE)]
#: Keyword sets: name -> at least one keyword.
KeywordSets = dict[Keyword, Annotated[list[Keyword], Field(min_length=1)]]


def _check_keywords(value: KeywordSets | None) -> KeywordSets | None:
    if value is not None:
        for name, words in value.items():
            _encodable(name, "a keyword-set name")
            for w in words:
                _encodable(w, f"keyword in set {name!r}")
    return value


def blank_note_schema(schema: dict[str, Any]) -> None:
    """State the rule "title and text may not both be blank" (:func:`check_not_blank`) in a note's schema (a
    ``json_schema_extra``): text or title matches NON_BLANK."""
    schema["anyOf"] = [
        {"properties": {"text": {"pattern": NON_BLANK}}},
        {"properties": {"title": {"pattern": NON_BLANK}}, "required": ["title"]},
    ]


def check_not_blank(text: str, info: Any) -> str:
    """The validator of a note's ``text`` (after its ``title``): title and text may not both be blank; the
    schema says so with :func:`blank_note_schema`."""
    if not _NON_BLANK.search(text) and not _NON_BLANK.search(str(info.data.get("title") or "")):
        raise ValueError("title and text are both blank; at least one must contain text")
    return text


class NoteIn(_Input):
    """One note to check before it is published."""

    model_config = ConfigDict(json_schema_extra=blank_note_schema)

    id: str | None = Field(None, max_length=200, description="optional id, echoed in the result")
    title: str = Field("", description="the note's title")
    text: str = Field(description="the note's body; title and text may not both be blank")
    comments: list[CommentItem] | None = Field(None, description="comments to score (optional)")
    keywords: KeywordSets | None = Field(
        None, description="keyword sets for comment scoring, e.g. {'brand': ['兰若', '兰若面霜']}"
    )

    @field_validator("id")
    @classmethod
    def _id_encodable(cls, value: str | None) -> str | None:
        return _encodable(value, "id")

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str, info: Any) -> str:
        return check_not_blank(value, info)

    @field_validator("keywords")
    @classmethod
    def _keywords(cls, value: KeywordSets | None) -> KeywordSets | None:
        return _check_keywords(value)

    def as_note(self) -> dict[str, Any]:
        comments = None
        if self.comments is not None:
            comments = [
                c if isinstance(c, str) else c.model_dump(mode="json", exclude_none=True) for c in self.comments
            ]
        return {"id": self.id, "title": self.title, "text": self.text, "comments": comments}


class BatchIn(_Input):
    notes: list[NoteIn] = Field(min_length=1, description="notes to check; results come back in the same order")


class CommentsIn(_Input):
    comments: list[CommentItem] = Field(description="the comments to score")
    note_text: str = Field("", description="the note's own title and text (flags comments that copy it)")
    keywords: KeywordSets | None = Field(None, description="keyword sets, e.g. {'brand': ['兰若'], 'rival': ['雪岚']}")

    @field_validator("keywords")
    @classmethod
    def _keywords(cls, value: KeywordSets | None) -> KeywordSets | None:
        return _check_keywords(value)


# -- outputs -----------------------------------------------------------------------------------------------
class SpanOut(BaseModel):
    field: Literal["title", "text"] = Field(description="the field of the note the span is in")
    start: int = Field(description="offset of the first character (Python string index of the field as sent)")
    end: int = Field(description="offset after the last character; text == note[field][start:end]")
    text: str = Field(description="the writer's own words, exactly as sent")


class HighlightOut(SpanOut):
    weight: float = Field(description="contribution to the log-odds; positive pushes towards 'ad'")
    category: str = Field(description="contact, price, call_to_action, brand, merchant, disclosure, link, …")


class ReasonOut(BaseModel):
    category: str = Field(description="contact, price, call_to_action, brand, merchant, disclosure, link, …")
    label_zh: str = Field(description="the category in Chinese, e.g. 联系方式")
    label_en: str = Field(description="the category in English, e.g. contact details")
    direction: Literal["ad", "genuine"] = Field(description="which way this reason pushes the decision")
    weight: float = Field(description="summed contribution of its highlights to the log-odds")
    evidence: list[SpanOut] = Field(description="the highlighted spans behind it, strongest first")


class AdviceOut(BaseModel):
    zh: str
    en: str


class CommentScoreOut(BaseModel):
    index: int = Field(description="position of the comment in the request")
    label: Literal["positive", "neutral", "negative"] = Field(description="sentiment label")
    positive_probability: float | None = Field(description="P(positive); null for an empty comment")
    keyword_hits: dict[str, list[str]] = Field(description="keywords of each set found in the comment")
    truncated: bool = Field(description="the comment was longer than the sentiment model reads")
    empty: bool = Field(False, description="the comment was blank")
    suspect: bool = Field(False, description="looks like bought or templated engagement ('water')")
    suspect_reason: (
        Literal["empty", "emoji_only", "copies_note", "duplicate", "template", "same_commenter", "burst"] | None
    ) = Field(None, description="why it is suspect; null when it is not")


class CommentReportOut(BaseModel):
    n_comments: int
    comments: list[CommentScoreOut]
    keyword_ratio: dict[str, float] = Field(description="share of comments mentioning each keyword set")
    keyword_ratio_weighted: dict[str, float | None] = Field(
        default_factory=dict, description="the same, weighted by 1 + likes; null values when no comment has likes"
    )
    keyword_hits: dict[str, dict[str, int]] = Field(description="per set, how many comments contain each keyword")
    matched_comments: dict[str, list[int]] = Field(description="per set, indices of the comments that hit it")
    label_counts: dict[str, int] = Field(description="comments per sentiment label")
    positive_share: float | None = Field(description="positive / (positive + negative); null when none is polar")
    positive_share_weighted: float | None = Field(None, description="the same weighted by 1 + likes")
    n_truncated: int = 0
    n_empty: int = 0
    water_ratio: float = Field(0.0, description="share of suspect comments")
    suspect_reasons: dict[str, int] = Field(default_factory=dict, description="suspect comments per reason")
    keyword_ratio_clean: dict[str, float] = Field(
        default_factory=dict, description="keyword_ratio over the comments that are not suspect"
    )
    label_counts_clean: dict[str, int] = Field(default_factory=dict, description="label_counts without suspects")
    positive_share_clean: float | None = Field(None, description="positive_share without suspect comments")


class CommentsOut(CommentReportOut):
    model_version: str


class CheckOut(BaseModel):
    id: str | None = None
    decision: Decision = Field(description="'ad' at or above threshold, 'review' at or above review_threshold")
    ad_probability: float = Field(description="calibrated probability that the note is an advertisement")
    threshold: float
    review_threshold: float
    highlights: list[HighlightOut] = Field(
        description="spans of the title and text as sent that drove the decision, strongest first, non-overlapping"
    )
    reasons: list[ReasonOut] = Field(description="at most `top` readable reasons, strongest first")
    advice: AdviceOut | None = Field(description="one sentence for the writer when the note is flagged")
    comments: CommentReportOut | None = Field(None, description="comment scores, when comments were sent")
    model_version: str


class BatchOut(BaseModel):
    n: int
    results: list[CheckOut]
    model_version: str


class OperatingPoint(BaseModel):
    threshold: float
    review_threshold: float
    overridden: bool = Field(description="thresholds set by the server's settings instead of the model card")


class ModelsOut(BaseModel):
    ad: dict[str, Any] = Field(description="the ad model's card, as stored in its artifact")
    comments: dict[str, Any] | None = Field(description="the comment-sentiment model's card, when loaded")
    operating_point: OperatingPoint


class HealthOut(BaseModel):
    status: Literal["ok"]


class DatabaseStatusOut(BaseModel):
    status: Literal["ok", "unavailable"]
    dialect: str = Field(description="sqlite or postgresql")
    url: str = Field(description="the database URL, password hidden")
    revision: str | None = Field(description="the schema's migration revision")
    error: str | None = Field(None, description="why the database is unavailable")


class ReadyOut(BaseModel):
    status: Literal["ready", "loading"]
    ad_model: str | None = None
    comment_model: str | None = None
    load_seconds: float | None = None
    load_steps: dict[str, float] | None = Field(
        None, description="seconds of each start-up step: reading each model and warming it up"
    )
    checks_run_in: Literal["model processes", "worker threads"] | None = Field(
        None, description="where notes are checked: child processes beside the event loop, or threads of this one"
    )
    model_processes: dict[str, int] | None = Field(
        None,
        description="model processes started, alive, stopped (SIGSTOP) and failed (died, hung or stopped during a "
        "request: killed and reaped; its work is done by the worker itself, no request is lost; not restarted)",
    )
    database: DatabaseStatusOut | None = Field(
        None,
        description="the appeals database: 'ok' or 'unavailable' (with why); the server stays ready without it, "
        "since only the appeal routes need it",
    )


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


# -- limits ------------------------------------------------------------------------------------------------
def strip_union_tags(loc: list[str | int]) -> list[str | int]:
    """Drop the union-branch tag pydantic puts after ``comments[i]`` in error locations."""
    return [
        p
        for i, p in enumerate(loc)
        if not (p in UNION_TAGS and i >= 2 and isinstance(loc[i - 1], int) and loc[i - 2] == "comments")
    ]


def field_path(loc: tuple[str | int, ...] | list[str | int]) -> str:
    """``("body", "notes", 3, "text")`` -> ``notes[3].text``."""
    out = ""
    for part in loc:
        if part == "body" and not out:
            continue
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "body"


def _too_long(loc: tuple[str | int, ...], limit: int, value: str | list[Any], noun: str) -> dict[str, Any]:
    kind = "list" if isinstance(value, list) else "string"
    return {
        "loc": loc,
        "msg": f"{kind} must have at most {limit} {noun} (the server's limit). Got {len(value)} {noun}",
        "type": "too_long",
        "input": None,
    }


def _comment_errors(comments: list[CommentIn | str] | None, s: Settings, loc: tuple[str | int, ...]) -> list[dict]:
    errors: list[dict[str, Any]] = []
    if comments is None:
        return errors
    if len(comments) > s.max_comments:
        errors.append(_too_long((*loc, "comments"), s.max_comments, comments, "items"))
        return errors
    for i, c in enumerate(comments):
        text = c if isinstance(c, str) else c.text
        if len(text) > s.max_comment_chars:
            where = (*loc, "comments", i) if isinstance(c, str) else (*loc, "comments", i, "text")
            errors.append(_too_long(where, s.max_comment_chars, text, "characters"))
    return errors


def _keyword_errors(keywords: KeywordSets | None, s: Settings, loc: tuple[str | int, ...]) -> list[dict]:
    errors: list[dict[str, Any]] = []
    if keywords is None:
        return errors
    if len(keywords) > s.max_keyword_sets:
        errors.append(_too_long((*loc, "keywords"), s.max_keyword_sets, list(keywords), "items"))
        return errors
    for name, words in keywords.items():
        if len(name) > s.max_keyword_chars:
            errors.append(_too_long((*loc, "keywords", name[:40]), s.max_keyword_chars, name, "characters"))
        if len(words) > s.max_keywords_per_set:
            errors.append(_too_long((*loc, "keywords", name[:40]), s.max_keywords_per_set, words, "items"))
        for j, w in enumerate(words):
            if len(w) > s.max_keyword_chars:
                errors.append(_too_long((*loc, "keywords", name[:40], j), s.max_keyword_chars, w, "characters"))
    return errors


def note_limit_errors(note: NoteIn, s: Settings, loc: tuple[str | int, ...] = ("body",)) -> list[dict[str, Any]]:
    errors: list[dict[str, Any]] = []
    if len(note.title) > s.max_title_chars:
        errors.append(_too_long((*loc, "title"), s.max_title_chars, note.title, "characters"))
    if len(note.text) > s.max_text_chars:
        errors.append(_too_long((*loc, "text"), s.max_text_chars, note.text, "characters"))
    errors += _comment_errors(note.comments, s, loc)
    errors += _keyword_errors(note.keywords, s, loc)
    return errors


def note_chars(note: NoteIn) -> int:
    """What a note costs to check, in characters: title, text and comment texts."""
    return len(note.title) + len(note.text) + comment_chars(note.comments)


def comment_chars(comments: list[CommentIn | str] | None) -> int:
    return sum(len(c if isinstance(c, str) else c.text) for c in comments or ())


def budget_error(chars: int, s: Settings, comments: int = 0) -> HTTPException | None:
    """The 413 of a request holding more than ``max_request_chars`` characters (:func:`note_chars`), or more than
    ``max_request_comment_chars`` of them in comments, else None."""
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


def batch_limit_errors(batch: BatchIn, s: Settings) -> list[dict[str, Any]]:
    if len(batch.notes) > s.max_batch:
        return [_too_long(("body", "notes"), s.max_batch, batch.notes, "items")]
    errors: list[dict[str, Any]] = []
    for i, note in enumerate(batch.notes):
        errors += note_limit_errors(note, s, ("body", "notes", i))
    return errors


def comments_limit_errors(body: CommentsIn, s: Settings) -> list[dict[str, Any]]:
    return _comment_errors(body.comments, s, ("body",)) + _keyword_errors(body.keywords, s, ("body",))


def document_limits(openapi: dict[str, Any], s: Settings) -> dict[str, Any]:
    """Write the server's limits into the OpenAPI document's input schemas (maxLength / maxItems)."""
    schemas = openapi.get("components", {}).get("schemas", {})

    def prop(model: str, name: str) -> dict[str, Any]:
        return schemas.get(model, {}).get("properties", {}).get(name, {})

    def set_on(p: dict[str, Any], key: str, value: int) -> None:
        for alt in p.get("anyOf", [p]):
            if alt.get("type") in ("string", "array"):
                alt[key] = value

    set_on(prop("NoteIn", "title"), "maxLength", s.max_title_chars)
    set_on(prop("NoteIn", "text"), "maxLength", s.max_text_chars)
    set_on(prop("CommentIn", "text"), "maxLength", s.max_comment_chars)
    for model in ("NoteIn", "CommentsIn"):
        comments = prop(model, "comments")
        set_on(comments, "maxItems", s.max_comments)
        for alt in comments.get("anyOf", [comments]):
            items = alt.get("items", {})
            for item in items.get("oneOf", items.get("anyOf", [])):
                if item.get("type") == "string":
                    item["maxLength"] = s.max_comment_chars
        keywords = prop(model, "keywords")
        for alt in keywords.get("anyOf", [keywords]):
            if alt.get("type") == "object":
                alt.pop("patternProperties", None)  # every name matches it: additionalProperties says it all
                alt["maxProperties"] = s.max_keyword_sets
                alt["propertyNames"] = {"maxLength": s.max_keyword_chars, "pattern": VISIBLE}
                alt["additionalProperties"] = {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": s.max_keywords_per_set,
                    "items": {"type": "string", "pattern": VISIBLE, "maxLength": s.max_keyword_chars},
                }
    set_on(prop("BatchIn", "notes"), "maxItems", s.max_batch)
    return openapi
