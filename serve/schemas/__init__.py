"""Request and response schemas of the HTTP API (inputs and outputs are separate models), one module per route
family: :mod:`.check`, :mod:`.comments`, :mod:`.appeals`, :mod:`.model`, :mod:`.health`; what their inputs
share is in :mod:`.validation`, the error responses in :mod:`.errors`.

Shapes and types are checked by pydantic; the size limits come from :class:`serve.settings.Settings` at run
time (the ``*_limit_errors`` functions) and are written into the OpenAPI document (:mod:`.openapi`), so a client
sees the limits the running server enforces. Every error names the field, what was expected and what came in.

The names the routes and the app use are importable from here.
"""

from serve.schemas.check import (
    BatchIn,
    BatchOut,
    CheckOut,
    NoteIn,
    batch_limit_errors,
    batch_size_errors,
    note_chars,
    note_limit_errors,
)
from serve.schemas.comments import CommentsIn, CommentsOut, comment_chars, comments_limit_errors
from serve.schemas.errors import ERROR_RESPONSES, PATTERN_MEANINGS, ErrorOut, field_path, strip_union_tags
from serve.schemas.health import HealthOut, ReadyOut
from serve.schemas.model import ModelsOut, OperatingPoint
from serve.schemas.openapi import document_limits
from serve.schemas.validation import budget_error

__all__ = [
    "ERROR_RESPONSES",
    "PATTERN_MEANINGS",
    "BatchIn",
    "BatchOut",
    "CheckOut",
    "CommentsIn",
    "CommentsOut",
    "ErrorOut",
    "HealthOut",
    "ModelsOut",
    "NoteIn",
    "OperatingPoint",
    "ReadyOut",
    "batch_limit_errors",
    "batch_size_errors",
    "budget_error",
    "comment_chars",
    "comments_limit_errors",
    "document_limits",
    "field_path",
    "note_chars",
    "note_limit_errors",
    "strip_union_tags",
]
