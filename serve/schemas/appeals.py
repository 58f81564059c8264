"""Request and response schemas of the appeals API (inputs and outputs are separate models).

Appeal text is stored verbatim, so it must be storable everywhere: valid Unicode and no NUL character (PostgreSQL
text cannot hold one). Limits: the note's are the server's check limits (:func:`serve.schemas.note_limit_errors`),
the statement's is :data:`MAX_STATEMENT_CHARS`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, ValidatorFunctionWrapHandler, field_validator

from model.schema import NON_BLANK
from serve.schemas.check import UNSENT, Decision, NoteIn, SpanOut, blank_note_schema, check_not_blank
from serve.schemas.comments import CommentItem
from serve.schemas.validation import encodable

MAX_STATEMENT_CHARS = 1_000
MAX_RESOLUTION_CHARS = 2_000
MAX_MODERATOR_CHARS = 200

Label = Literal["genuine", "ad"]
Status = Literal["open", "upheld", "overturned"]
#: Which appeals ``GET /v1/appeals?status=`` lists: one literal of every value (not ``Status | Literal["all"]``),
#: so that a value outside it is one 422 on the field ``status`` listing them all, not one error per branch of a
#: union, each under a location naming a pydantic tag (``query.status.literal['open','upheld','overturned']``).
StatusFilter = Literal[Status, "all"]


def _storable(value: str | None, what: str) -> str | None:
    encodable(value, what)
    if value is not None and "\x00" in value:
        at = value.index("\x00")
        raise ValueError(f"{what} must not contain the NUL character (U+0000); got one at position {at}")
    return value


def _comment_texts(comments: list[Any] | None) -> list[str]:
    return [c if isinstance(c, str) else c.text for c in comments or ()]


#: What :func:`_storable` requires of a string, as a pattern for the schema: no NUL character.
STORABLE = r"^[^\x00]*$"


def storable_schema(schema: dict[str, Any]) -> None:
    """State the rule of :func:`_storable` in an input's schema (a ``json_schema_extra``): every string property,
    and the strings and comment texts of a ``comments`` list, match :data:`STORABLE`; so a schema-driven client
    can predict the 422 of a NUL character."""
    for prop in schema.get("properties", {}).values():
        for alt in prop.get("anyOf", [prop]):
            if alt.get("type") == "string" and "enum" not in alt:
                own = alt.get("pattern")
                if own is None or own == STORABLE:
                    alt["pattern"] = STORABLE
                else:  # the field's own rule ("not blank") stays: a string schema holds one pattern, allOf both
                    alt.setdefault("allOf", []).append({"pattern": STORABLE})
            items = alt.get("items", {}).get("oneOf", [])
            for i, item in enumerate(items):
                if item.get("type") == "string":
                    item["pattern"] = STORABLE
                elif "$ref" in item:  # a CommentIn, which elsewhere may hold a NUL: the rule is added here only
                    items[i] = {"allOf": [item], "properties": {"text": {"pattern": STORABLE}}}


def _note_schema(schema: dict[str, Any]) -> None:
    blank_note_schema(schema)  # the rule of check_not_blank
    storable_schema(schema)


# -- inputs ------------------------------------------------------------------------------------------------
class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra=storable_schema)


class AppealNoteIn(_Input):
    """The note as the writer submitted it (and as the model saw it)."""

    model_config = ConfigDict(json_schema_extra=_note_schema)

    id: str | None = Field(None, max_length=200, description="the platform's id of the note (optional)")
    title: str = Field("", description="the note's title")
    text: str = Field(
        default_factory=lambda: UNSENT,  # a factory: a default that is not JSON is left out of the schema
        validate_default=True,
        description="the note's body; may be left out or blank when the title is not blank (not both blank)",
    )
    comments: list[CommentItem] | None = Field(None, description="the note's comments (optional)")

    @field_validator("id", "title", "text")
    @classmethod
    def _storable_text(cls, value: str | None, info: Any) -> str | None:
        return _storable(value, info.field_name)

    @field_validator("comments")
    @classmethod
    def _storable_comments(cls, value: list[Any] | None) -> list[Any] | None:
        for i, text in enumerate(_comment_texts(value)):
            _storable(text, f"comments[{i}]")
        return value

    @field_validator("text", mode="wrap")
    @classmethod
    def _not_blank(cls, value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo) -> str:
        return check_not_blank(value, handler, info)

    def as_note_in(self) -> NoteIn:
        return NoteIn(id=self.id, title=self.title, text=self.text, comments=self.comments)


class AppealIn(_Input):
    """A writer disputes the decision on a note."""

    note: AppealNoteIn
    claimed_label: Label = Field(description="what the writer says the note is: 'genuine' or 'ad'")
    statement: str = Field(
        min_length=1,
        max_length=MAX_STATEMENT_CHARS,
        pattern=NON_BLANK,
        description="the writer's statement, in their own words (not blank)",
    )

    @field_validator("statement")
    @classmethod
    def _statement(cls, value: str) -> str:
        return _storable(value, "statement") or ""


class ResolveIn(_Input):
    """A moderator's decision on an open appeal."""

    label: Label = Field(description="what the note is: 'genuine' or 'ad'")
    note: str = Field("", max_length=MAX_RESOLUTION_CHARS, description="the moderator's note to the writer")
    moderator: str | None = Field(
        None,
        max_length=MAX_MODERATOR_CHARS,
        pattern=NON_BLANK,  # the record says who decided: a blank name would record nobody
        description="who decided, not blank (default: which moderator key was used)",
    )

    @field_validator("note", "moderator")
    @classmethod
    def _storable_text(cls, value: str | None, info: Any) -> str | None:
        return _storable(value, info.field_name)


# -- outputs -----------------------------------------------------------------------------------------------
class NoteOut(BaseModel):
    id: str | None
    title: str
    text: str
    comments: list[Any] | None


class ModelViewOut(BaseModel):
    version: str = Field(description="the model that decided")
    decision: Decision
    ad_probability: float
    threshold: float
    review_threshold: float
    margin: float = Field(description="|logit(ad_probability) - logit(threshold)|: small means the model was unsure")
    highlights: list[Any] = Field(description="the highlighted spans of the check result at the time")
    declared: SpanOut | None = Field(
        None,
        description="the note's own words declaring it an ad, which decided it 'ad' whatever ad_probability (the "
        "check's `declared`); null when the thresholds decided",
    )


class ResolutionOut(BaseModel):
    label: Label
    moderator: str | None
    note: str | None
    resolved_at: str


class AppealOut(BaseModel):
    id: str
    status: Status = Field(description="'open'; 'overturned' when the model was wrong; 'upheld' when it was right")
    created_at: str
    note: NoteOut
    claimed_label: Label
    statement: str
    model: ModelViewOut
    resolution: ResolutionOut | None = Field(description="null while the appeal is open")


class AppealCreatedOut(BaseModel):
    id: str
    status: Status = Field(
        description="'open' when filed; a repeat of the request (Idempotency-Key) gets the appeal as it is now"
    )
    status_url: str = Field(description="where to follow the appeal: GET it for its status")
    created_at: str
    model: ModelViewOut


class AppealListOut(BaseModel):
    appeals: list[AppealOut] = Field(
        description="those of notes that declared themselves ads first (oldest first), then the least certain "
        "decisions, then the oldest"
    )
    total: int = Field(description="appeals with this status in all (the list is one page of them)")
    limit: int
    offset: int
