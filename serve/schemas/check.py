"""Schemas of ``/v1/check`` and ``/v1/check/batch``: the note, its check result, and the note and batch limits."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, ValidatorFunctionWrapHandler, field_validator
from pydantic_core import PydanticCustomError

from model.schema import BLANK_NOTE, NON_BLANK, is_blank
from serve.schemas.comments import (
    CommentItem,
    CommentReportOut,
    KeywordSets,
    check_keywords,
    comment_chars,
    comment_errors,
    keyword_errors,
)
from serve.schemas.validation import InputModel, encodable, too_long
from serve.settings import Settings

Decision = Literal["ad", "review", "genuine"]
CATEGORY_CODES = (
    "contact, price, amount, call_to_action, brand, festival, brand_name, merchant, place, disclosure, link, channel, …"
)


# -- inputs ------------------------------------------------------------------------------------------------
class _Unsent(str):
    """The default of a note's ``text``: an empty string :func:`check_not_blank` tells apart from one sent."""


#: A note's ``text`` when the body has none (a title alone is a note, as in the file readers).
UNSENT = _Unsent()


def blank_note_schema(schema: dict[str, Any]) -> None:
    """State the rule "title and text may not both be blank" (:func:`check_not_blank`) in a note's schema (a
    ``json_schema_extra``): text is sent and matches NON_BLANK, or title is."""
    schema["anyOf"] = [
        {"properties": {"text": {"pattern": NON_BLANK}}, "required": ["text"]},
        {"properties": {"title": {"pattern": NON_BLANK}}, "required": ["title"]},
    ]


def check_not_blank(value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo) -> str:
    """The wrap validator of a note's ``text`` (after its ``title``; the field's default is :data:`UNSENT`,
    validated too): text may be left out, but title and text may not both be blank, in the words of
    :func:`model.schema.parse_note`; the schema says so with :func:`blank_note_schema`. Text left out with a
    blank title is a ``missing`` error (what came in: nothing)."""
    sent = value is not UNSENT
    text = handler(value) if sent else ""
    if is_blank(text) and is_blank(info.data.get("title")):
        if not sent:
            raise PydanticCustomError("missing", BLANK_NOTE)
        raise ValueError(BLANK_NOTE)
    return text


class NoteIn(InputModel):
    """One note to check before it is published."""

    model_config = ConfigDict(json_schema_extra=blank_note_schema)

    id: str | None = Field(None, max_length=200, description="optional id, echoed in the result")
    title: str = Field("", description="the note's title")
    text: str = Field(
        default_factory=lambda: UNSENT,  # a factory: a default that is not JSON is left out of the schema
        validate_default=True,
        description="the note's body; may be left out or blank when the title is not blank (not both blank)",
    )
    comments: list[CommentItem] | None = Field(
        None,
        description="comments to score (optional); an empty list is a note with no comments, reported as "
        "/v1/comments/score reports none (n_comments 0, ratios and shares null)",
    )
    keywords: KeywordSets | None = Field(
        None,
        description="keyword sets for comment scoring, e.g. {'brand': ['兰若', '兰若面霜']}; sent without comments, "
        "the note is scored as having none (the report names every set, each ratio null)",
    )

    @field_validator("id")
    @classmethod
    def _id_encodable(cls, value: str | None) -> str | None:
        return encodable(value, "id")

    @field_validator("text", mode="wrap")
    @classmethod
    def _not_blank(cls, value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo) -> str:
        return check_not_blank(value, handler, info)

    @field_validator("keywords")
    @classmethod
    def _keywords(cls, value: KeywordSets | None) -> KeywordSets | None:
        return check_keywords(value)

    def as_note(self) -> dict[str, Any]:
        comments = None
        if self.comments is not None:
            comments = [
                c if isinstance(c, str) else c.model_dump(mode="json", exclude_none=True) for c in self.comments
            ]
        return {"id": self.id, "title": self.title, "text": self.text, "comments": comments}


class BatchIn(InputModel):
    notes: list[NoteIn] = Field(min_length=1, description="notes to check; results come back in the same order")


# -- outputs -----------------------------------------------------------------------------------------------
class SpanOut(BaseModel):
    field: Literal["title", "text"] = Field(description="the field of the note the span is in")
    start: int = Field(description="offset of the first character (Python string index of the field as sent)")
    end: int = Field(description="offset after the last character; text == note[field][start:end]")
    text: str = Field(description="the writer's own words, exactly as sent")


class HighlightOut(SpanOut):
    weight: float = Field(
        description="contribution to the log-odds; positive pushes towards 'ad'. The words by which a note declares "
        "itself an ad (`declared`) are one highlight of category `disclosure` weighing what the rule gives them: "
        "their own weight plus what the note lacks to reach the threshold, at least 0.02, so always towards 'ad'"
    )
    category: str = Field(description=CATEGORY_CODES)


class DeclaredOut(SpanOut):
    quoted: str = Field(
        description="the declaring words as the writer is shown them in a quote: on one line, a platform topic tag "
        "as typed ('#广告', not '#广告[话题]#')"
    )


class ReasonOut(BaseModel):
    category: str = Field(description=CATEGORY_CODES)
    label_zh: str = Field(
        description="the category in Chinese, e.g. 联系方式; of the writer's other words, plain hashtags, emoji and "
        "@mentions, the model's leaning with its direction, e.g. 模型认为偏向广告的用词"
    )
    label_en: str = Field(
        description="the category in English, e.g. contact details; words the model associates with ads"
    )
    direction: Literal["ad", "genuine"] = Field(description="which way this reason pushes the decision")
    weight: float = Field(description="summed contribution of its highlights to the log-odds")
    evidence: list[SpanOut] = Field(description="the highlighted spans behind it, strongest first")
    quotes: list[str] = Field(
        description="the evidence as the writer is shown it in a quote, strongest first: each phrase once (in "
        "another case or width too, and none held in another quote), on one line, a platform topic tag as typed "
        "('#宜家', not '#宜家[话题]#'); `evidence` keeps the spans as sent"
    )


class AdviceOut(BaseModel):
    zh: str
    en: str


class CheckOut(BaseModel):
    id: str | None = None
    decision: Decision = Field(
        description="'ad' when the note declares itself an ad (see `declared`); else 'ad' at or above threshold when "
        "a phrase of the note points to an ad in at least 4 letters or digits ('review' when no phrase does or the "
        "note is shorter: a person reads it), else 'review' at or "
        "above review_threshold or when the note offers a messenger id (see `contact`), else 'genuine'"
    )
    ad_probability: float = Field(
        description="calibrated probability that the note is an advertisement: the model's own, also when the note "
        "declares itself one"
    )
    threshold: float
    review_threshold: float
    declared: DeclaredOut | None = Field(
        description="the writer's own words declaring the note an ad (a label such as #广告, #ad, #sponsored, "
        "【广告】, or 本篇是广告; never a denial, a question or talk about ads), which decided it 'ad' whatever "
        "ad_probability; null when the decision is the thresholds'"
    )
    contact: bool = Field(
        False,
        description="the note offers a messenger id (a WeChat, QQ or LINE id; not a phone number, nor 微信 without "
        "an id), which makes it 'review' at least whatever ad_probability: a funnel written after a long diary scores "
        "low, each word's weight shrinking as a note grows",
    )
    highlights: list[HighlightOut] = Field(
        description="spans of the title and text as sent that drove the decision, strongest first, non-overlapping"
    )
    reasons: list[ReasonOut] = Field(
        description="at most `top` readable reasons, strongest first; when the note declares itself an ad, the "
        "`disclosure` reason quoting its words comes first whatever its weight"
    )
    advice: AdviceOut | None = Field(description="one sentence for the writer when the note is flagged")
    comments: CommentReportOut | None = Field(
        None, description="comment scores, when comments (an empty list too) or keyword sets were sent; else null"
    )
    model_version: str


class BatchOut(BaseModel):
    n: int
    results: list[CheckOut]
    model_version: str


# -- limits ------------------------------------------------------------------------------------------------
def note_limit_errors(note: NoteIn, s: Settings, loc: tuple[str | int, ...] = ("body",)) -> list[dict[str, Any]]:
    errors: list[dict[str, Any]] = []
    if len(note.title) > s.max_title_chars:
        errors.append(too_long((*loc, "title"), s.max_title_chars, note.title, "characters"))
    if len(note.text) > s.max_text_chars:
        errors.append(too_long((*loc, "text"), s.max_text_chars, note.text, "characters"))
    errors += comment_errors(note.comments, s, loc)
    errors += keyword_errors(note.keywords, s, loc)
    return errors


def note_chars(note: NoteIn) -> int:
    """What a note costs to check, in characters: title, text and comment texts."""
    return len(note.title) + len(note.text) + comment_chars(note.comments)


def batch_size_errors(notes: list[Any], s: Settings) -> list[dict[str, Any]]:
    """The error of a batch of more than ``max_batch`` notes (none otherwise), whether or not its notes are valid."""
    return [too_long(("body", "notes"), s.max_batch, notes, "items")] if len(notes) > s.max_batch else []


def batch_limit_errors(batch: BatchIn, s: Settings) -> list[dict[str, Any]]:
    if too_many := batch_size_errors(batch.notes, s):
        return too_many
    errors: list[dict[str, Any]] = []
    for i, note in enumerate(batch.notes):
        errors += note_limit_errors(note, s, ("body", "notes", i))
    return errors
