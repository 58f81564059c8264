"""Text normalisation for keyword matching: NFKC, lower case, traditional -> simplified Chinese (OpenCC ``t2s``),
no emoji variation selectors, no spaces between Chinese characters. Keywords and comments are both put in this
form before matching."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from model.text import normalize_text

_CJK_SPACE_RE = re.compile(r"(?<=[^\x00-\x7f])\s+(?=[^\x00-\x7f])")
#: Emoji and text presentation selectors: "❤️" is "❤" drawn in colour, one keyword either way. Matching deletes
#: them, so a keyword of nothing else is no keyword (the API's schema says so: serve.schemas.validation.VISIBLE).
VARIATION_SELECTORS = "\ufe0e\ufe0f"
_VARIATION_SELECTORS_RE = re.compile(f"[{VARIATION_SELECTORS}]")


@lru_cache(maxsize=1)
def _t2s() -> Any:
    """The OpenCC traditional-to-simplified converter (immutable once built; shared read-only)."""
    import opencc

    return opencc.OpenCC("t2s")


def _finish(text: str) -> str:
    if VARIATION_SELECTORS[0] in text or VARIATION_SELECTORS[1] in text:
        text = _VARIATION_SELECTORS_RE.sub("", text)
    return _CJK_SPACE_RE.sub("", text)


def normalize_for_matching(text: str) -> str:
    """The form keywords and comments are matched in: :func:`model.text.normalize_text` (NFKC, lower case, no
    zero-width characters, collapsed whitespace), then traditional -> simplified, then no emoji variation selector
    and no spaces between non-ASCII characters. OpenCC converts whole phrases here (項鍊 -> 项链), so the text
    reaches it in its own script: the model's one-character table would have made 項鍊 项炼 first."""
    return _finish(_t2s().convert(normalize_text(text, simplified=False)))


def normalize_many(texts: Sequence[str]) -> list[str]:
    """:func:`normalize_for_matching` for many texts with one OpenCC call (normalised texts hold no newline)."""
    if not texts:
        return []
    normed = [normalize_text(t, simplified=False) for t in texts]
    converted = _t2s().convert("\n".join(normed)).split("\n")
    if len(converted) != len(normed):  # never expected; fall back to one call per text
        converted = [_t2s().convert(t) for t in normed]
    return [_finish(t) for t in converted]


def latin_kind(ch: str) -> int:
    """1 for a Latin letter, 2 for an ASCII digit, 0 for anything else: what decides where a Latin keyword's edge
    may fall. A letter next to a letter is inside a word (``ai`` of ``said``); a letter next to a digit is a word
    before a number (``Dior`` of ``Dior999``, a brand and its shade), and a digit next to a digit is inside a number
    (``5g`` of ``15g``)."""
    if not ch.isascii():
        return 0
    return 1 if ch.isalpha() else 2 if ch.isdigit() else 0
