"""What a feature column means to a person: ``word__⟦cue:price⟧ 0`` reads "cue: price + a number".

:func:`feature_label` names any feature of the pipeline; :class:`Placeholders` tells, for one prepared document,
which placeholders (``⟦…⟧``) a character n-gram came from, so it is named after them, not as characters the writer
never typed. :class:`model.classifier.AdModel` uses both for its feature-level explanations.
"""

from __future__ import annotations

from bisect import bisect_right

from model.cues import CUE_PATTERNS
from model.text import PLACEHOLDER_RE


def feature_label(feature: str) -> tuple[str, str]:
    """Map a pipeline feature name to (human label, kind)."""
    group, _, name = feature.partition("__")
    if group == "char":
        if "⟦" in name or "⟧" in name:  # n-grams overlapping a placeholder such as ⟦cue:price⟧ or ⟦tag:…⟧
            inner = name.replace("⟦", "‹").replace("⟧", "›")
            return f"characters “{inner}” at the edge of a hashtag, emoji or cue marker", "chars"
        return f"characters “{name}”", "chars"
    words = name.split(" ")
    labels: list[str] = []
    kinds: set[str] = set()
    for w in words:
        if w.startswith("⟦") and w.endswith("⟧"):
            kind, _, value = w[1:-1].partition(":")
            if kind == "cue":
                pattern = CUE_PATTERNS.get(value)
                labels.append(f"cue: {pattern.label if pattern else value.replace('_', ' ')}")
            elif kind == "tag":
                labels.append(f"hashtag #{value}#")
            elif kind == "emo":
                labels.append(f"emoji [{value}]")
            elif kind == "n_tags":
                labels.append(f"number of hashtags ≤{value}" if not value.endswith("+") else f"{value} hashtags")
            elif kind == "c":
                what, _, level = value.partition(":")
                labels.append(
                    f"comments: {level} comment(s)"
                    if what == "n"
                    else f"comments: {level} share of {what.replace('_', ' ')}"
                )
            elif kind == "mention":
                labels.append("@mention")
            elif kind == "has":
                labels.append(f"has a {value}")
            elif kind == "comments" and not value:
                labels.append("the comments section")
            else:
                labels.append(w)
            kinds.add(kind)
        elif w == "0":
            labels.append("a number")
            kinds.add("word")
        else:
            labels.append(w)
            kinds.add("word")
    kind = "word" if kinds == {"word"} else sorted(kinds - {"word"})[0]
    return (" " if kind == "word" else " + ").join(labels), kind


class Placeholders:
    """The placeholders (``⟦…⟧``) of one prepared document, to name the character n-grams found only inside them.
    Found once per document, on the first look-up; each n-gram then costs a substring test, and a scan only when
    it is marker-only."""

    def __init__(self, doc: str) -> None:
        self.doc = doc
        self.spans: list[tuple[int, int]] | None = None  # found on the first look-up (most reasons are not chars)

    def _find(self) -> list[tuple[int, int]]:
        self.text = self.doc.lower()  # the vectorizer lower-cases: an occurrence it sees is never missed
        self.spans = [(m.start(), m.end()) for m in PLACEHOLDER_RE.finditer(self.text)]
        self.starts = [a for a, _ in self.spans]
        # the text with every placeholder blanked out (same length, so positions agree)
        self.outside = PLACEHOLDER_RE.sub(lambda m: "\x00" * len(m.group()), self.text)
        return self.spans

    def source(self, gram: str) -> list[str] | None:
        """The placeholders holding every occurrence of ``gram``, in order of appearance; None when it occurs
        anywhere else (it is then the writer's own text), is not found, or contains whitespace."""
        spans = self._find() if self.spans is None else self.spans
        if not gram or not spans or gram in self.outside or any(c.isspace() for c in gram):
            return None
        found: list[str] = []
        at = self.text.find(gram)
        if at < 0:
            return None
        while at >= 0:
            k = bisect_right(self.starts, at) - 1
            if k < 0 or at + len(gram) > self.spans[k][1]:  # straddles a placeholder's edge
                return None
            marker = self.doc[self.spans[k][0] : self.spans[k][1]]
            if marker not in found:
                found.append(marker)
            at = self.text.find(gram, at + 1)
        return found


def marker_source(doc: str, gram: str) -> list[str] | None:
    """:meth:`Placeholders.source` for one n-gram of one document."""
    return Placeholders(doc).source(gram)
