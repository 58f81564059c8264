"""Each feature's contribution to the log-odds carried back to the characters of the fields it came from."""

from __future__ import annotations

import numpy as np

from model.highlights.categories import MAX_FEATURES
from model.highlights.fields import _Field
from model.text import (
    PLACEHOLDER_RE,
)


# -- attribution -------------------------------------------------------------------------------------------
def _occurrences(fields: list[_Field], gram: str) -> list[tuple[_Field, int, int]]:
    """Original spans of every occurrence of ``gram`` in the search texts: (field, start, end)."""
    out = []
    for f in fields:
        at = f.search.find(gram)
        while at >= 0:
            a, b = f.search_starts[at], f.search_ends[at + len(gram) - 1]  # type: ignore[index]
            out.append((f, a, b))
            at = f.search.find(gram, at + 1)
    return out


def _marker_spans(fields: list[_Field], marker: str) -> list[tuple[_Field, int, int]]:
    if marker in _DOCUMENT_CUES:  # a document-level cue: placed on the brand names and hashtags behind it
        return [(f, a, b) for f in fields for m in _DOCUMENT_CUES[marker] for a, b in f.markers.get(m, ())]
    return [(f, a, b) for f in fields for a, b in f.markers.get(marker, ())]


#: Cues the document builder adds for the note as a whole, and the spans that show them.
_DOCUMENT_CUES = {
    "⟦cue:repeated_brand_tag⟧": ("⟦hashtag⟧",),
    "⟦cue:brand_repeated⟧": ("⟦cue:brand_mention⟧", "⟦cue:brand_mention_latin⟧", "⟦cue:product_model⟧"),
}


def _spread(spans: dict[str, list[tuple[int, int, float]]], where: list[tuple[_Field, int, int]], value: float) -> None:
    """Share ``value`` equally among the occurrences ``where`` (and among the characters each covers)."""
    if where:
        share = value / len(where)
        for f, a, b in where:
            if b > a:
                spans[f.name].append((a, b, share / (b - a)))


class _Markers:
    """The placeholders of one document, to place the character n-grams found only inside them (``ue:`` of
    ``⟦cue:price⟧``)."""

    def __init__(self, doc: str) -> None:
        self.markers = list(dict.fromkeys(m.group() for m in PLACEHOLDER_RE.finditer(doc)))
        self.outside = PLACEHOLDER_RE.sub(lambda m: "\x00" * len(m.group()), doc) if self.markers else doc

    def holding(self, gram: str) -> list[str]:
        """The placeholders holding every occurrence of ``gram``; empty when it also occurs outside them."""
        if not self.markers or gram in self.outside:
            return []
        return [m for m in self.markers if gram in m]


def attribute(fields: list[_Field], doc: str, names: list[str], contributions: list[float]) -> dict[str, np.ndarray]:
    """Per-character weights of each field from features ``names`` (``word__…`` / ``char__…``) and their
    contributions to the log-odds."""
    spans: dict[str, list[tuple[int, int, float]]] = {f.name: [] for f in fields}
    markers: _Markers | None = None
    for name, value in zip(names, contributions, strict=True):
        part, _, term = name.partition("__")
        if part == "char":
            where = _occurrences(fields, term) if "⟦" not in term and "⟧" not in term else []
            if not where:
                markers = markers or _Markers(doc)
                where = [span for m in markers.holding(term) for span in _marker_spans(fields, m)]
            _spread(spans, where, value)
            continue
        tokens = term.split(" ")
        for token in tokens:
            if token.startswith("⟦"):
                where = _marker_spans(fields, token)
            elif token.startswith("c:"):
                where = []  # comment text: scored, but not part of the note's title or text
            else:
                where = _occurrences(fields, token)
            _spread(spans, where, value / len(tokens))
    weights = {}
    for f in fields:
        # A difference array: + the per-character weight where a span starts, - where it ends, then a running sum.
        diff = np.zeros(len(f.raw) + 1)
        mine = spans[f.name]
        if mine:
            a, b, x = (np.array(v) for v in zip(*mine, strict=True))
            np.add.at(diff, a.astype(np.int64), x)
            np.add.at(diff, b.astype(np.int64), -x)
        weights[f.name] = np.cumsum(diff[:-1])
    return weights


def strongest(contrib: np.ndarray, k: int = MAX_FEATURES) -> np.ndarray:
    """Positions of the ``k`` largest |contributions| (all when fewer), in no particular order."""
    if len(contrib) <= k:
        return np.arange(len(contrib))
    return np.argpartition(-np.abs(contrib), k)[:k]
