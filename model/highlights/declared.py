"""The words by which a note declares itself an ad, as highlights that agree with the verdict they decided.

A note that declares itself an ad (:mod:`model.declared`) is decided ``ad`` whatever the model's probability. The
model's own highlights may weigh those very words towards genuine (``#ad`` weighs -0.08 on the shipped model: no
labelled note carries it), so a client showing only the highlights painted the words that decided the verdict
green. :func:`with_declared` makes each declaration one highlight of category ``disclosure`` in place of the model's
highlights inside it, weighing what the rule makes it weigh: its words' own weight (what the model's highlights
inside it carried) plus, when the note is below the ad threshold, the log-odds it lacks to reach it (shared equally
when it declares itself more than once), so that the declarations carry the note to the threshold, as the rule
decides; never less than :data:`MIN_PHRASE_WEIGHT`, so a declaration always leans towards ad. Only declared notes
come here: the highlights of every other note are the model's, untouched.
"""

from __future__ import annotations

from model.highlights.categories import MAX_HIGHLIGHTS, MIN_PHRASE_WEIGHT, Highlight, Span
from model.spans import DisjointSpans


def with_declared(highlights: list[Highlight], declared: tuple[Span, ...], lift: float) -> list[Highlight]:
    """``highlights`` (non-overlapping, as :func:`model.highlights.phrases` gives them) with each of the disjoint
    ``declared`` spans as one ``disclosure`` highlight; ``lift``: the log-odds the note lacks to reach the ad
    threshold (0 at or above it), shared among the declarations. A highlight partly inside a declaration keeps its
    words outside it, with their share of its weight by characters, when they still make a phrase worth showing."""
    if not declared:
        return highlights
    own = [0.0] * len(declared)
    out: list[Highlight] = []
    # Per field, the declarations (disjoint) and their positions in ``declared``, in order: those a highlight overlaps
    # are found by bisection (every declaration against every highlight was the square of a note of them).
    by_field: dict[str, tuple[DisjointSpans, list[int]]] = {}
    for k in sorted(range(len(declared)), key=lambda k: (declared[k].field, declared[k].start)):
        spans, ks = by_field.setdefault(declared[k].field, (DisjointSpans(), []))
        spans.claim(declared[k].start, declared[k].end)
        ks.append(k)
    for h in highlights:
        spans, ks = by_field.get(h.field, (DisjointSpans(), []))
        inside = [ks[i] for i in spans.overlapping(h.start, h.end)]
        if not inside:
            out.append(h)
            continue
        per_char = h.weight / (h.end - h.start)
        for k in inside:
            d = declared[k]
            own[k] += per_char * (min(h.end, d.end) - max(h.start, d.start))
        out += _outside(h, [declared[k] for k in inside], per_char)
    share = lift / len(declared)
    marks = [
        Highlight(d.field, d.start, d.end, d.text, round(max(w + share, MIN_PHRASE_WEIGHT), 4), "disclosure")
        for d, w in zip(declared, own, strict=True)
    ]
    out.sort(key=_order)
    return sorted([*marks, *out[: max(MAX_HIGHLIGHTS - len(marks), 0)]], key=_order)  # the declarations always stay


def _order(h: Highlight) -> tuple[float, str, int]:
    return (-abs(h.weight), h.field, h.start)  # as model.highlights.phrases sorts


def _outside(h: Highlight, spans: list[Span], per_char: float) -> list[Highlight]:
    """The pieces of ``h`` outside ``spans`` (sorted, inside ``h``'s field), trimmed of spaces, that hold a letter or
    digit and weigh at least :data:`MIN_PHRASE_WEIGHT`."""
    pieces, at = [], h.start
    for d in sorted(spans, key=lambda s: s.start):
        pieces.append((at, max(at, d.start)))
        at = max(at, d.end)
    pieces.append((at, h.end))
    out = []
    for a, b in pieces:
        weight = round(per_char * (b - a), 4)  # spaces trimmed below keep their share in the piece
        text = h.text[a - h.start : b - h.start]
        a += len(text) - len(text.lstrip())
        b -= len(text) - len(text.rstrip())
        text = text.strip()
        if any(c.isalnum() for c in text) and abs(weight) >= MIN_PHRASE_WEIGHT:
            out.append(Highlight(h.field, a, b, text, weight, h.category))
    return out
