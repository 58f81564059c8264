"""Character spans of a text: a set of disjoint spans (:class:`DisjointSpans`), and a text with spans masked
(:func:`mask_spans`). The cue scan (:mod:`model.cues`) and the highlight fields (:mod:`model.highlights.fields`)
use both."""

from __future__ import annotations

from bisect import bisect_left, bisect_right


class DisjointSpans:
    """Non-overlapping ``[start, end)`` spans, kept sorted: :meth:`claim` adds a span unless it overlaps one already
    held, in O(log n) (a note repeating one cue thousands of times must not cost a scan of every earlier match)."""

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []

    def __bool__(self) -> bool:
        return bool(self._starts)

    def free(self, start: int, end: int) -> bool:
        """Whether ``[start, end)`` overlaps no span held. Spans are disjoint and sorted, so only the last one
        starting before ``end`` can overlap (every earlier one ends before it starts)."""
        k = bisect_left(self._starts, end) - 1
        return k < 0 or self._ends[k] <= start

    def claim(self, start: int, end: int) -> bool:
        """Hold ``[start, end)`` if it is free; returns whether it was."""
        if not self.free(start, end):
            return False
        k = bisect_left(self._starts, start)
        self._starts.insert(k, start)
        self._ends.insert(k, end)
        return True

    def overlapping(self, start: int, end: int) -> range:
        """Positions (in order of start) of the spans held that overlap ``[start, end)``: a run of them, from the
        first ending after ``start`` to the last starting before ``end``."""
        return range(bisect_right(self._ends, start), bisect_left(self._starts, end))

    def within(self, start: int, end: int) -> range:
        """Positions (in order of start) of the spans held that lie within ``[start, end]``: from the first starting
        at or after ``start`` to the last ending at or before ``end``."""
        return range(bisect_left(self._starts, start), bisect_right(self._ends, end))

    def span(self, k: int) -> tuple[int, int]:
        """The span held at position ``k`` (in order of start)."""
        return self._starts[k], self._ends[k]


def mask_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with every ``[start, end)`` of ``spans`` written over with ":", positions kept: a contact detail as
    the hashtag patterns see it in the document, where its placeholder (``⟦cue:wechat⟧``, whose ":" no tag name
    may hold unless the platform's ``[话题]#`` closes it) ends any tag typed before it."""
    out = list(text)
    for start, end in spans:
        out[start:end] = ":" * (end - start)
    return "".join(out)
