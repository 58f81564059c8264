"""Notes to the documents the vectorizers see: the title and text prepared (:func:`model.text.prepare_document`),
plus comment-signal tokens when a model asks for them.

:class:`DocumentBuilder` is the logic of the ``NoteDocuments`` pipeline step without scikit-learn, so inference
(:class:`model.classifier.AdModel`) and training build the same document from a note.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from model.errors import InvalidNoteError
from model.notes import Note, parse_note
from model.text import COMMENTS_MARKER, Prepared, prepare_comment_text, prepare_document


def note_document(
    note: Note, cues: list[tuple[str, str]] | None = None, fields: dict[str, Prepared] | None = None
) -> str:
    """The document the vectorizers see for a note (title and body; comments are scored separately). When
    ``cues`` is a list, the cues found are appended to it; when ``fields`` is a dict, the normalised fields and
    their cue spans are stored in it (see :func:`model.text.prepare_document`)."""
    return prepare_document(note.title, note.text, cues=cues, fields=fields)


def _comment_bucket(n: int) -> str:
    return "1" if n <= 1 else "3" if n <= 3 else "10" if n <= 10 else "10+"


def as_notes(notes: Any, *, name: str = "notes") -> list[Note]:
    """Validate a *list* of notes (dicts, :class:`Note` or strings); a bare string is a clear error."""
    if isinstance(notes, (str, bytes, dict, Note)):
        raise InvalidNoteError(
            f"'{name}' must be a list of notes (strings, dicts or Note objects). Got a single "
            f"{type(notes).__name__} instead; wrap it in a list."
        )
    try:
        items = list(notes)
    except TypeError:
        raise InvalidNoteError(f"'{name}' must be a list of notes. Got {type(notes).__name__} instead.") from None
    return [parse_note(n, where=f"{name}[{i}]: ") for i, n in enumerate(items)]


class DocumentBuilder:
    """Notes to the prepared documents the vectorizers see (the logic of the ``NoteDocuments`` pipeline step,
    without scikit-learn). Parameters as :class:`model.pipeline.NoteDocuments`."""

    def __init__(
        self,
        *,
        comment_keywords: dict[str, list[str]] | None = None,
        comment_exclude: dict[str, list[str]] | None = None,
        comment_text: bool = False,
    ) -> None:
        self.comment_keywords = comment_keywords
        self.comment_exclude = comment_exclude
        self.comment_text = comment_text

    def _keyword_matcher(self) -> Any:
        # Built on first use and rebuilt if the keyword parameters change (``NoteDocuments.set_params``).
        cached = self.__dict__.get("_matcher")
        if cached is None or cached[0] != (self.comment_keywords, self.comment_exclude):
            from model.comments import KeywordMatcher

            matcher = KeywordMatcher(self.comment_keywords or {}, exclude=self.comment_exclude or None)
            cached = ((self.comment_keywords, self.comment_exclude), matcher)
            self.__dict__["_matcher"] = cached
        return cached[1]

    def document(
        self, note: Note, cues: list[tuple[str, str]] | None = None, fields: dict[str, Prepared] | None = None
    ) -> str:
        """The prepared document of one validated note, with comment-signal tokens when configured; the note's
        cues are appended to ``cues`` when it is a list, its prepared fields stored in ``fields`` when a dict."""
        doc = note_document(note, cues, fields)
        if not (self.comment_keywords or self.comment_text):
            return doc
        texts = [c.text for c in note.comments if c.text.strip()]
        if not texts:
            return doc
        if self.comment_text:
            doc = f"{doc} {COMMENTS_MARKER} {prepare_comment_text(texts)}"
        if not self.comment_keywords:
            return doc
        hits = self._keyword_matcher().match_many(texts)
        n = len(texts)
        tokens = [f"⟦c:n:{_comment_bucket(n)}⟧"]
        for name in self.comment_keywords:
            share = sum(1 for h in hits if h.get(name)) / n
            level = "0" if share == 0 else "low" if share <= 0.1 else "mid" if share <= 0.3 else "high"
            tokens.append(f"⟦c:{name}:{level}⟧")
        return doc + " " + " ".join(tokens)

    def documents(self, notes: Iterable[Note]) -> list[str]:
        return [self.document(n) for n in notes]
