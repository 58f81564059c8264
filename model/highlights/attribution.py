"""Each feature's contribution to the log-odds carried back to the characters of the fields it came from."""

from __future__ import annotations

from bisect import bisect_right

import numpy as np

from model.highlights.categories import COVERED_SHARE, MAX_FEATURES, MIN_FEATURES
from model.highlights.fields import NoteField
from model.spans import DisjointSpans
from model.text import (
    PLACEHOLDER_RE,
)


# -- attribution -------------------------------------------------------------------------------------------
def _marker_spans(fields: list[NoteField], marker: str) -> list[tuple[int, int, int]]:
    shown_by = _DOCUMENT_CUES.get(marker, (marker,))  # a document-level cue: by the brand names and hashtags behind it
    return [(k, a, b) for k, f in enumerate(fields) for m in shown_by for a, b in f.markers.get(m, ())]


#: Cues the document builder adds for the note as a whole, and the spans that show them.
_DOCUMENT_CUES = {
    "⟦cue:repeated_brand_tag⟧": ("⟦hashtag⟧",),
    "⟦cue:brand_repeated⟧": ("⟦cue:brand_mention⟧", "⟦cue:brand_mention_latin⟧", "⟦cue:product_model⟧"),
}


# What one item of a feature asks for: a word's token found in the text, a character n-gram found in the text
# (else inside the document's placeholders), a placeholder token placed at its markup, or nothing (comment text).
_FIND, _CHAR, _MARKER, _NOWHERE = 0, 1, 2, 3
_Item = tuple[int, str, int]  # (what, string, n: the item carries 1/n of its feature's contribution)
Parsed = tuple[_Item, ...]


def parse_feature(name: str) -> Parsed:
    """What attribution asks of feature ``name`` (``word__…`` / ``char__…``), item by item. The same features come
    back note after note: a model keeps the parse of each column (:meth:`model.AdModel.highlights`)."""
    part, _, term = name.partition("__")
    if part == "char":
        return ((_CHAR, term, 1),)
    tokens = term.split(" ")
    n = len(tokens)
    return tuple((_MARKER if t.startswith("⟦") else _NOWHERE if t.startswith("c:") else _FIND, t, n) for t in tokens)


class _Markers:
    """The placeholders of one document, to place the character n-grams found only inside them (``ue:`` of
    ``⟦cue:price⟧``), with their spans in the fields. Placeholders with no span there (``⟦has:title⟧``) place
    nothing, so an n-gram inside only those is settled without a search."""

    def __init__(self, doc: str, fields: list[NoteField]) -> None:
        found = dict.fromkeys(PLACEHOLDER_RE.findall(doc))
        self.placed = [(m, spans) for m in found if (spans := _marker_spans(fields, m))]
        # Placeholders cut out (no n-gram holds a NUL, so none is found across a cut): is an n-gram outside them?
        self.outside = "\x00".join(PLACEHOLDER_RE.split(doc)) if self.placed else doc

    def spans(self, gram: str) -> list[tuple[int, int, int]]:
        """The spans of the placeholders holding every occurrence of ``gram``; none when it also occurs outside
        them."""
        if not self.placed or gram in self.outside:
            return []
        return [span for m, spans in self.placed if gram in m for span in spans]


def attribute(fields: list[NoteField], doc: str, names: list[str], contributions: list[float]) -> dict[str, np.ndarray]:
    """Per-character weights of each field from features ``names`` (``word__…`` / ``char__…``) and their
    contributions to the log-odds (see :func:`attribute_parsed`)."""
    return attribute_parsed(fields, doc, [parse_feature(name) for name in names], contributions)


def attribute_parsed(
    fields: list[NoteField], doc: str, features: list[Parsed], contributions: list[float]
) -> dict[str, np.ndarray]:
    """Per-character weights of each field from features (as :func:`parse_feature` reads them) and their
    contributions to the log-odds.

    Each item of a feature (a character n-gram, or one token of a word n-gram, carrying its share) is shared
    equally among its occurrences, and each occurrence's share among the characters it covers. The per-character
    weights are summed in the order of the features and of their occurrences: the same order, so the same sums,
    as placing each feature on its own (``tests/test_highlights_equivalence.py`` keeps that reference)."""
    # Per field, the spans laid down so far: starts, ends and the weight per character of each.
    starts: list[list[int]] = [[] for _ in fields]
    ends: list[list[int]] = [[] for _ in fields]
    per_char: list[list[float]] = [[] for _ in fields]
    found: dict[str, list[tuple[int, int, int]]] = {}  # string -> its occurrences (tokens recur across features)
    markers: _Markers | None = None
    # The search texts as one, so that a string costs one search, not one per field: joined by a NUL (never in a
    # feature, so none is found across fields). ``firsts``: where each field after the first starts in it.
    search = "\x00".join(f.search for f in fields)
    s_starts: list[int] = []
    s_ends: list[int] = []
    firsts: list[int] = []
    for k, f in enumerate(fields):
        if k:
            s_starts.append(0)
            s_ends.append(0)
            firsts.append(len(s_starts))
        s_starts += f.search_starts  # type: ignore[arg-type]
        s_ends += f.search_ends  # type: ignore[arg-type]
    gapped = any(f.gaps for f in fields)
    # The deleted claims of each field (disjoint): those inside a span are found by bisection (scanning every claim
    # for every occurrence of every string cost the square of a note of claims).
    held = [_disjoint(f.gaps) for f in fields] if gapped else []
    for items, value in zip(features, contributions, strict=True):
        for what, s, n in items:
            if what == _MARKER:
                where = _marker_spans(fields, s)
            elif what == _NOWHERE:
                continue
            else:
                if what == _FIND or ("⟦" not in s and "⟧" not in s):
                    where = found.get(s)  # type: ignore[assignment]
                    if where is None:  # every occurrence: (field position, original start, original end)
                        where = found[s] = []
                        last = len(s) - 1
                        at = search.find(s)
                        while at >= 0:
                            where.append((bisect_right(firsts, at), s_starts[at], s_ends[at + last]))
                            at = search.find(s, at + 1)
                else:
                    where = []
                if not where and what == _CHAR:
                    markers = markers or _Markers(doc, fields)
                    where = markers.spans(s)
            if where:
                share = value / n / len(where)
                if not gapped:  # most notes: no deleted claim to step over
                    for k, a, b in where:
                        if b > a:
                            starts[k].append(a)
                            ends[k].append(b)
                            per_char[k].append(share / (b - a))
                    continue
                for k, a, b in where:
                    if b > a:
                        gaps = fields[k].gaps
                        inside = [held[k].span(i) for i in held[k].within(a, b)] if gaps else ()
                        if not inside:
                            starts[k].append(a)
                            ends[k].append(b)
                            per_char[k].append(share / (b - a))
                            continue
                        # An n-gram read across a deleted claim ("了,单" of "了,不是广告,单"): its share goes to its
                        # own characters, none to the claim's (added over the span, taken back over each gap).
                        covered = (b - a) - sum(h - g for g, h in inside)
                        if covered <= 0:
                            continue
                        x = share / covered
                        for g, h, y in ((a, b, x), *((g, h, -x) for g, h in inside)):
                            starts[k].append(g)
                            ends[k].append(h)
                            per_char[k].append(y)
    weights = {}
    for k, f in enumerate(fields):
        # A difference array: + the per-character weight where a span starts, - where it ends, then a running
        # sum. bincount adds in input order, as adding span after span does.
        if per_char[k]:
            x = np.array(per_char[k])
            diff = np.bincount(starts[k] + ends[k], weights=np.concatenate([x, -x]), minlength=len(f.raw) + 1)
        else:
            diff = np.zeros(len(f.raw) + 1)
        weights[f.name] = diff[:-1].cumsum()
    return weights


def _disjoint(gaps: list[tuple[int, int]]) -> DisjointSpans:
    """A field's deleted claims, in order and apart as the document builder cuts them, held for their queries."""
    held = DisjointSpans()
    for g, h in gaps:
        held.claim(g, h)
    return held


def strongest(
    contrib: np.ndarray, k: int = MIN_FEATURES, *, share: float = COVERED_SHARE, most: int = MAX_FEATURES
) -> np.ndarray:
    """Positions of the largest |contributions|: the ``k`` largest (all when fewer), and more, largest first, until
    they hold ``share`` of the sum of all |contributions|, at most ``most``."""
    if len(contrib) <= k:
        return np.arange(len(contrib))
    size = np.abs(contrib)
    order = np.argsort(-size, kind="stable")  # ties in column order: the same note picks the same features
    held = np.cumsum(size[order])
    need = int(np.searchsorted(held, share * held[-1])) + 1  # the fewest whose sum reaches the share
    return order[: min(max(k, need), most)]
