"""Highlights and readable reasons: the model's evidence as spans of the note exactly as the writer sent it.

The classifier scores a *prepared document* (normalised, digits as ``0``, contact details replaced by
placeholders, see :func:`model.text.prepare_document`), so its features are not the writer's words. This module
carries every feature's contribution to the log-odds (TF-IDF value × coefficient) back to the characters of the
submitted ``title`` and ``text`` it came from:

1. each field is normalised with an *offset map*: every normalised character knows the span of the original it
   came from (NFKC can turn one character into several or drop one; whitespace runs collapse);
2. a word or character n-gram is found in the normalised field (digit runs read as ``0``, replaced contact
   details masked), a placeholder (``⟦cue:wechat⟧``, ``⟦tag:…⟧``, ``⟦emo:…⟧``, ``⟦mention⟧``) at the span of
   the cue or markup it stands for; its contribution is shared equally among its occurrences and among the
   characters each covers;
3. characters pushing the same way are merged into phrases (split at whitespace and at cue boundaries), each
   with the summed weight and a category: the cue it overlaps, else ``wording`` towards ad or ``personal``
   towards genuine;
4. phrases a writer cannot act on (digits or punctuation only, a lone character, function words) and the platform's
   note tag markers (``[时刻]``) are not shown; a cue of a symbol alone ("🔗") is quoted with the words it is written
   against (:mod:`~model.highlights.symbols`).

Features with no place in the text (``⟦has:title⟧``, the hashtag-count bucket, comment signals) keep their
weight in the probability but are never shown. Only the strongest features are attributed (at least
``MIN_FEATURES``, more until they carry ``COVERED_SHARE`` of the note's |contribution|, at most ``MAX_FEATURES``):
the faintest ones change no phrase a person would read.

The work is split by step: :mod:`~model.highlights.fields` (1), :mod:`~model.highlights.attribution` (2),
:mod:`~model.highlights.phrases` and :mod:`~model.highlights.symbols` (3, 4), :mod:`~model.highlights.reasons`
(readable reasons and advice), :mod:`~model.highlights.declared` (the words of a note that declares itself an ad,
shown as the rule weighs them), and :mod:`~model.highlights.categories` (what a writer is shown and the records).
"""

from __future__ import annotations

from collections.abc import Callable

from model.highlights.attribution import Parsed, attribute, attribute_parsed, parse_feature, strongest
from model.highlights.categories import (
    CATEGORIES,
    FUNCTION_WORDS,
    MAX_FEATURES,
    MAX_HIGHLIGHTS,
    MIN_CHAR_WEIGHT,
    MIN_PHRASE_WEIGHT,
    QUOTE_CHARS,
    Highlight,
    ReadableReason,
    Span,
    as_quoted,
    cue_category,
)
from model.highlights.declared import with_declared
from model.highlights.fields import markup_spans, note_fields
from model.highlights.phrases import phrases
from model.highlights.reasons import advice, declared_first, is_help_notice, reasons
from model.text import Prepared

__all__ = [
    "CATEGORIES",
    "FUNCTION_WORDS",
    "MAX_FEATURES",
    "MAX_HIGHLIGHTS",
    "MIN_CHAR_WEIGHT",
    "MIN_PHRASE_WEIGHT",
    "QUOTE_CHARS",
    "Highlight",
    "Parsed",
    "ReadableReason",
    "Span",
    "advice",
    "as_quoted",
    "attribute",
    "attribute_parsed",
    "cue_category",
    "declared_first",
    "explain_spans",
    "is_help_notice",
    "markup_spans",
    "note_fields",
    "parse_feature",
    "phrases",
    "reasons",
    "strongest",
    "with_declared",
]


def explain_spans(
    title: str,
    text: str,
    doc: str,
    names: list[str],
    contributions: list[float],
    prepared: dict[str, Prepared] | None = None,
    segment: Callable[[str], list[str]] | None = None,
) -> list[Highlight]:
    """Highlights of one note from its document's strongest features (see the module docstring); with
    ``segment`` (the model tokenizer's word segmentation) phrases of the writer's words end on whole words."""
    fields = note_fields(title, text, prepared)
    return phrases(fields, attribute(fields, doc, names, contributions), segment)
