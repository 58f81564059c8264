"""The server's size limits, written into the OpenAPI document's input schemas, so a client sees the limits the
running server enforces (pydantic states only the fixed rules)."""

from __future__ import annotations

from typing import Any

from serve.schemas.comments import note_text_limit
from serve.schemas.validation import VISIBLE
from serve.settings import Settings


def document_limits(openapi: dict[str, Any], s: Settings) -> dict[str, Any]:
    """Write the server's limits into the OpenAPI document's input schemas (maxLength / maxItems)."""
    schemas = openapi.get("components", {}).get("schemas", {})

    def prop(model: str, name: str) -> dict[str, Any]:
        return schemas.get(model, {}).get("properties", {}).get(name, {})

    def set_on(p: dict[str, Any], key: str, value: int) -> None:
        for alt in p.get("anyOf", [p]):
            if alt.get("type") in ("string", "array"):
                alt[key] = value

    for model in ("NoteIn", "AppealNoteIn"):  # an appealed note is checked again, within the same limits
        set_on(prop(model, "title"), "maxLength", s.max_title_chars)
        set_on(prop(model, "text"), "maxLength", s.max_text_chars)
    set_on(prop("CommentIn", "text"), "maxLength", s.max_comment_chars)
    set_on(prop("CommentsIn", "note_text"), "maxLength", note_text_limit(s))
    for model in ("NoteIn", "AppealNoteIn", "CommentsIn"):
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
