"""Cues written in symbols alone ("🔗") quoted with the writer's words beside them. "购买引导 call to action: “🔗”"
shows a writer an emoji, not what they wrote; "附链接🔗", "穿搭🔗" shows them where."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable

import numpy as np

from model.highlights.categories import MIN_CHAR_WEIGHT, MIN_PHRASE_WEIGHT, is_function_word

#: A unit of a field: (start, end, category, weight).
Unit = tuple[int, int, str, float]

#: The most words a symbol takes in on one side: enough to pass the function words before a content word ("问我要🔗",
#: "🔗它的位置"), few enough that the quote stays about the symbol.
_MAX_WORDS = 3

#: Markup a symbol is never joined with: a hashtag or @mention is its own item.
_MARKUP = frozenset({"hashtag", "mention"})


def has_symbol_cue(units: list[Unit], text: str) -> bool:
    """Whether a cue of ``units`` (not a hashtag or @mention) with a weight has no letter or digit in ``text``."""
    return any(c not in _MARKUP and weight and not _has_letters(text, a, b) for a, b, c, weight in units)


def symbols_in_words(
    units: list[Unit],
    text: str,
    ok: np.ndarray,
    w: np.ndarray,
    bounds: list[int] | None,
    total: Callable[[int, int], float],
) -> list[Unit]:
    """``units`` (by start) with each cue of no letter or digit widened to the writer's words it is written against:
    joined with a cue of its category right beside it ("链接🔗"), else over the words before it ("穿搭🔗", "附🔗"),
    else those after it ("🔗它的位置"), word by word until they hold two letters and a word that is not a function
    word, at most :data:`_MAX_WORDS`. Only the writer's words are taken (``ok``: letters and digits outside cues and
    markup; updated to exclude what is taken), as far as :func:`_may_take` allows: the quote's weight is the sum over
    it, as every highlight's is, and stays the cue's in direction and near it in size. A symbol with no such word
    beside it (alone on its line, between punctuation) stays as it is: it is still the writer's text, and the weight
    it carries is shown rather than hidden.

    ``text``: the field in simplified characters (function words are read so); ``bounds``: its word bounds, None to
    take each run of letters and digits as a word; ``total(a, b)``: the weight of ``[a, b)``."""
    if bounds is None:  # a word is a run of the writer's letters and digits
        bounds = [0, *(np.flatnonzero(ok[1:] != ok[:-1]) + 1).tolist(), len(ok)]
    out: list[Unit] = []
    k = 0
    while k < len(units):
        a, b, category, weight = units[k]
        k += 1
        if category in _MARKUP or not weight or _has_letters(text, a, b):
            out.append((a, b, category, weight))
            continue
        if out and out[-1][1] == a and out[-1][2] == category and out[-1][3] * weight >= 0:
            pa = out.pop()[0]
            out.append((pa, b, category, total(pa, b)))
            continue
        if k < len(units) and units[k][0] == b and units[k][2] == category and units[k][3] * weight >= 0:
            b = units[k][1]
            k += 1
            out.append((a, b, category, total(a, b)))
            continue
        if abs(weight) < MIN_CHAR_WEIGHT:  # one of many faint copies, shown by its category's sum: left as it is
            out.append((a, b, category, weight))
            continue
        a2 = _reach(a, -1, text, ok, w, bounds, total, weight)
        b2 = _reach(b, 1, text, ok, w, bounds, total, weight) if a2 == a else b
        ok[a2:b2] = False
        out.append((a2, b2, category, total(a2, b2)) if (a2, b2) != (a, b) else (a, b, category, weight))
    return out


def _has_letters(text: str, a: int, b: int) -> bool:
    return any(map(str.isalnum, text[a:b]))


def _reach(
    at: int,
    step: int,
    text: str,
    ok: np.ndarray,
    w: np.ndarray,
    bounds: list[int],
    total: Callable[[int, int], float],
    weight: float,
) -> int:
    """How far from ``at`` (a word bound) the words on one side (``step`` -1: before, 1: after) of a cue of
    ``weight`` are taken in: the writer's own (``ok``), up to two letters and a content word, and of those the most
    that :func:`_may_take` allows. ``at`` when none is."""
    i = bisect_left(bounds, at)
    if i == len(bounds) or bounds[i] != at:  # the segmenter put the symbol inside a word: no word beside it to take
        return at
    best, letters, content = at, 0, False
    for _ in range(_MAX_WORDS):
        j = i + step
        if not 0 <= j < len(bounds):
            break
        lo, hi = min(bounds[i], bounds[j]), max(bounds[i], bounds[j])
        if not ok[lo:hi].all():
            break
        i = j
        taken = (bounds[j], at) if step < 0 else (at, bounds[j])
        if _may_take(w, total, weight, *taken):
            best = bounds[j]
        word = text[lo:hi]
        letters += sum(map(str.isalnum, word))
        content = content or not is_function_word(word)
        if letters >= 2 and content:
            break
    return best


def _may_take(w: np.ndarray, total: Callable[[int, int], float], weight: float, a: int, b: int) -> bool:
    """Whether the words ``[a, b)`` may join a cue of ``weight``: together they push against it by less than a phrase
    worth showing (:data:`MIN_PHRASE_WEIGHT`), and the cue keeps its direction, strong enough to show. A cue towards
    genuine takes no character pushing towards ad: a phrase towards ad is what an ad verdict is shown with
    (``model.classifier._explained``), and it must not vanish into a cue weighed the other way."""
    words = total(a, b)
    if words * weight < 0 and abs(words) >= MIN_PHRASE_WEIGHT:
        return False
    if (weight + words) * weight <= 0 or abs(weight + words) < MIN_CHAR_WEIGHT:
        return False
    return weight > 0 or not (w[a:b] >= MIN_CHAR_WEIGHT).any()
