"""Schemas of comments and keyword sets (``/v1/comments``, and the comments of a note sent to ``/v1/check``):
the comment and keyword inputs, the comment report, and their limits."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    Discriminator,
    Field,
    StrictFloat,
    StrictInt,
    StringConstraints,
    Tag,
    ValidationError,
    ValidatorFunctionWrapHandler,
    field_validator,
)

from model.schema import MAX_LIKES
from serve.schemas.validation import VISIBLE, InputModel, encodable, too_long
from serve.settings import Settings


# -- inputs ------------------------------------------------------------------------------------------------
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
#: A like count: a count a float holds exactly, as the file readers take it (:data:`model.schema.MAX_LIKES`).
Likes = Annotated[int, Field(ge=0, le=MAX_LIKES), BeforeValidator(_json_integer)]


#: What a comment's time is, for its errors: the start of the sentence, the forms follow.
TIME_FORMS = "must be seconds since the epoch as a JSON number"


class CommentIn(InputModel):
    """A comment as an object; a bare string is accepted wherever a comment is."""

    text: str = Field(description="the comment text")
    likes: Likes | None = Field(None, description="like count (a whole number; not a boolean or a string)")
    author: str | None = Field(
        None, description="commenter id or name (water detection: the same commenter on many of a creator's notes)"
    )
    time: StrictFloat | StrictInt | datetime | None = Field(
        None,
        description="when it was posted: seconds since the epoch (a JSON number; not a string, as for likes) or an "
        "ISO 8601 date-time (water: bursts)",
    )

    @field_validator("time", mode="wrap")
    @classmethod
    def _time(cls, value: Any, handler: ValidatorFunctionWrapHandler) -> float | int | datetime | None:
        """One error saying the two forms a time takes, whatever came in. Validated as the union it is typed, a
        bad value got pydantic's three branch errors in one ("Input should be a valid number; or Input should be
        a valid integer; or Input should be a valid datetime ..."), and an infinite number (1e400 in JSON) passed
        here and was refused later by the comment reader as `field 'body'`, saying numbers as text are read."""
        if value is None:
            return None
        if isinstance(value, str):
            try:
                float(value)
            except ValueError:
                pass
            else:  # pydantic would read it as a time by its own rule (milliseconds above 2e10, exponents), which
                # the file readers do not share: seconds are a JSON number, as a like count is
                raise ValueError(f'{TIME_FORMS} (1700000000, not "1700000000") or an ISO 8601 date-time')
        elif isinstance(value, bool) or not isinstance(value, (int, float, datetime)):
            raise ValueError(f"{TIME_FORMS} or an ISO 8601 date-time")
        elif not isinstance(value, datetime):
            try:  # a float's worth of seconds: 10**400 is a JSON integer, 1e400 a JSON number, neither a time
                finite = math.isfinite(float(value))
            except OverflowError:
                finite = False
            if not finite:
                raise ValueError("seconds since the epoch must be a finite number")
        try:
            return handler(value)
        except ValidationError as exc:  # a string that is no ISO 8601 date-time: pydantic's reason why
            why = next((e["msg"] for e in exc.errors() if e["loc"][-1:] == ("datetime",)), "")
            why = why.split(", ", 1)[1] if ", " in why else ""  # "month value is outside expected range of 1-12"
            raise ValueError(f"{TIME_FORMS} or an ISO 8601 date-time" + (f" ({why})" if why else "")) from None


def _comment_kind(value: Any) -> str | None:
    if isinstance(value, str):
        return "str"
    return "CommentIn" if isinstance(value, (dict, CommentIn)) else None


#: The error of a comment that is neither form (a number, a list, null): both forms named, what came in follows.
COMMENT_FORMS = "a comment must be a string or an object with 'text'"

#: A comment: a string or a :class:`CommentIn`. Discriminated, so an object is validated only as an object and
#: its errors name its field (``comments[0].likes``), not both union branches; anything else is one error
#: naming both forms (:data:`COMMENT_FORMS`).
CommentItem = Annotated[
    Annotated[str, Tag("str")] | Annotated[CommentIn, Tag("CommentIn")],
    Discriminator(_comment_kind, custom_error_type="comment_type", custom_error_message=COMMENT_FORMS),
]
UNION_TAGS = frozenset({"str", "CommentIn"})

#: A keyword or keyword-set name: not blank (the lengths are the server's limits, see
#: :func:`serve.schemas.document_limits`).
Keyword = Annotated[str, StringConstraints(pattern=VISIBLE)]
#: Keyword sets: name -> at least one keyword.
KeywordSets = dict[Keyword, Annotated[list[Keyword], Field(min_length=1)]]


def check_keywords(value: KeywordSets | None) -> KeywordSets | None:
    """The validator of a ``keywords`` field: names and keywords are valid Unicode."""
    if value is not None:
        for name, words in value.items():
            encodable(name, "a keyword-set name")
            for w in words:
                encodable(w, f"keyword in set {name!r}")
    return value


class CommentsIn(InputModel):
    comments: list[CommentItem] = Field(description="the comments to score")
    note_text: str = Field("", description="the note's own title and text (flags comments that copy it)")
    keywords: KeywordSets | None = Field(
        None,
        description="keyword sets added to the shipped purchase_intent and ad_suspicion, e.g. {'brand': ['兰若'], "
        "'rival': ['雪岚']}; keywords added to a shipped set follow its negation rule, other sets count every mention",
    )

    @field_validator("keywords")
    @classmethod
    def _keywords(cls, value: KeywordSets | None) -> KeywordSets | None:
        return check_keywords(value)


# -- outputs -----------------------------------------------------------------------------------------------
class CommentScoreOut(BaseModel):
    index: int = Field(description="position of the comment in the request")
    label: Literal["positive", "neutral", "negative"] = Field(
        description="sentiment label: positive_probability against the model's neutral band, except that a comment "
        "made only of questions or requests (好用吗, 求链接) is neutral whatever its probability"
    )
    positive_probability: float | None = Field(
        description="P(positive) from the model's reading of the words (kept for questions and requests, whose "
        "label is neutral regardless); null for an empty comment"
    )
    keyword_hits: dict[str, list[str]] = Field(
        description="keywords of each set found in the comment; a negated hit (不会再回购) is left out of "
        "purchase_intent, and of ad_suspicion unless its clause asks or doubts (不是广告吧 counts, 不是广告 does not)"
    )
    truncated: bool = Field(description="the comment was longer than the sentiment model reads")
    empty: bool = Field(False, description="the comment was blank")
    suspect: bool = Field(False, description="looks like bought or templated engagement ('water')")
    suspect_reason: (
        Literal["empty", "emoji_only", "copies_note", "duplicate", "template", "same_commenter", "burst"] | None
    ) = Field(None, description="why it is suspect; null when it is not")
    creator_reply: bool = Field(
        False,
        description="written by the note's author (its author equals the note's): no water rule judges it, and the "
        "_clean figures leave it out with the suspects, as no comment of the audience",
    )


class CommentReportOut(BaseModel):
    n_comments: int
    comments: list[CommentScoreOut]
    keyword_ratio: dict[str, float | None] = Field(
        description="share of comments mentioning each keyword set; null values when there are no comments"
    )
    keyword_ratio_weighted: dict[str, float | None] = Field(
        default_factory=dict, description="the same, weighted by 1 + likes; null values when no comment has likes"
    )
    keyword_hits: dict[str, dict[str, int]] = Field(description="per set, how many comments contain each keyword")
    matched_comments: dict[str, list[int]] = Field(description="per set, indices of the comments that hit it")
    label_counts: dict[str, int] = Field(description="comments per sentiment label")
    positive_share: float | None = Field(description="positive / (positive + negative); null when none is polar")
    positive_share_weighted: float | None = Field(None, description="the same weighted by 1 + likes")
    n_truncated: int = Field(
        0, description="comments longer than the sentiment model reads (1,000 characters; keywords: all of them)"
    )
    n_empty: int = 0
    water_ratio: float | None = Field(0.0, description="share of suspect comments; null when there are no comments")
    suspect_reasons: dict[str, int] = Field(default_factory=dict, description="suspect comments per reason")
    keyword_ratio_clean: dict[str, float | None] = Field(
        default_factory=dict,
        description="keyword_ratio over the audience's comments (neither suspect nor a creator reply); null "
        "values when none is left",
    )
    label_counts_clean: dict[str, int] = Field(
        default_factory=dict, description="label_counts without suspects and creator replies"
    )
    positive_share_clean: float | None = Field(
        None, description="positive_share without suspect comments and creator replies"
    )
    n_creator_replies: int = Field(
        0, description="comments by the note's author that no water rule flags, left out of the _clean figures"
    )


class CommentsOut(CommentReportOut):
    model_version: str


# -- limits ------------------------------------------------------------------------------------------------
def comment_errors(comments: list[CommentIn | str] | None, s: Settings, loc: tuple[str | int, ...]) -> list[dict]:
    """The limit errors of a ``comments`` list at ``loc``: too many comments, or comments too long."""
    errors: list[dict[str, Any]] = []
    if comments is None:
        return errors
    if len(comments) > s.max_comments:
        errors.append(too_long((*loc, "comments"), s.max_comments, comments, "items"))
        return errors
    for i, c in enumerate(comments):
        text = c if isinstance(c, str) else c.text
        if len(text) > s.max_comment_chars:
            where = (*loc, "comments", i) if isinstance(c, str) else (*loc, "comments", i, "text")
            errors.append(too_long(where, s.max_comment_chars, text, "characters"))
    return errors


def keyword_errors(keywords: KeywordSets | None, s: Settings, loc: tuple[str | int, ...]) -> list[dict]:
    """The limit errors of a ``keywords`` field at ``loc``: too many sets or keywords, or names too long."""
    errors: list[dict[str, Any]] = []
    if keywords is None:
        return errors
    if len(keywords) > s.max_keyword_sets:
        errors.append(too_long((*loc, "keywords"), s.max_keyword_sets, dict(keywords), "keyword sets"))
        return errors
    for name, words in keywords.items():
        if len(name) > s.max_keyword_chars:
            errors.append(too_long((*loc, "keywords", name[:40]), s.max_keyword_chars, name, "characters"))
        if len(words) > s.max_keywords_per_set:
            errors.append(too_long((*loc, "keywords", name[:40]), s.max_keywords_per_set, words, "items"))
        for j, w in enumerate(words):
            if len(w) > s.max_keyword_chars:
                errors.append(too_long((*loc, "keywords", name[:40], j), s.max_keyword_chars, w, "characters"))
    return errors


def comment_chars(comments: list[CommentIn | str] | None) -> int:
    return sum(len(c if isinstance(c, str) else c.text) for c in comments or ())


def note_text_limit(s: Settings) -> int:
    """The most characters a ``note_text`` may hold: the note's title and text at their limits, a line between."""
    return s.max_title_chars + 1 + s.max_text_chars


def comments_limit_errors(body: CommentsIn, s: Settings) -> list[dict[str, Any]]:
    errors = comment_errors(body.comments, s, ("body",)) + keyword_errors(body.keywords, s, ("body",))
    if len(body.note_text) > note_text_limit(s):  # the note's own text: within the note's limits, as in /v1/check
        errors.append(too_long(("body", "note_text"), note_text_limit(s), body.note_text, "characters"))
    return errors
