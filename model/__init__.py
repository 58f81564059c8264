"""notecheck inference: tell soft-text ads from genuine sharing in Chinese notes, with reasons."""

from model.artifacts import load_model, save_model
from model.classifier import AdModel, CheckResult
from model.cues import find_cues
from model.errors import (
    InvalidNoteError,
    InvalidParameterError,
    ModelIntegrityError,
    ModelLoadError,
    ModelVersionError,
    NotecheckError,
    UntrustedTypesError,
)
from model.explanation import Explanation, Reason
from model.notes import Comment, Note, parse_note, read_notes
from model.text import normalize_text, prepare_document
from model.tokenize import NoteTokenizer

__all__ = [
    "AdModel",
    "CheckResult",
    "Comment",
    "Explanation",
    "InvalidNoteError",
    "InvalidParameterError",
    "ModelIntegrityError",
    "ModelLoadError",
    "ModelVersionError",
    "Note",
    "NoteTokenizer",
    "NotecheckError",
    "Reason",
    "UntrustedTypesError",
    "find_cues",
    "load_model",
    "normalize_text",
    "parse_note",
    "prepare_document",
    "read_notes",
    "save_model",
]
