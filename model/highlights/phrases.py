"""Characters pushing the same way merged into phrases a writer can read: cues, hashtags, mentions and emoji codes
whole, runs of the writer's words widened to whole words."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np

from model.highlights.categories import (
    MIN_CHAR_WEIGHT,
    MIN_PHRASE_WEIGHT,
    Highlight,
    only_function_words,
    unmarked_tags,
)
from model.highlights.fields import EMOJI_UNIT, MARKER_UNIT, NoteField
from model.highlights.fragments import close_negation, is_count, is_number, trim, whole_words, with_negation
from model.highlights.symbols import has_symbol_cue, symbols_in_words
from model.highlights.word_bounds import snap, time_colons_ok, word_bounds
from model.simplified import to_simplified
from model.text import CJK_MARKS_RE


# -- phrases -----------------------------------------------------------------------------------------------
def _runs_of_units(f: NoteField) -> list[tuple[int, int, str]]:
    """The units of ``f`` with runs of one cue joined: copies of one cue separated by nothing a writer reads
    ("加微信加微信…", "V信 V信") are one phrase; different cues ("领券，原价") stay apart. Shown apart, a cue
    repeated a thousand times would split its weight a thousand ways into highlights too faint to show, and the
    note would be flagged with no reason.
    Hashtags, @mentions and emoji codes stay apart: each is its own item."""
    out: list[tuple[int, int, str]] = []
    last = ""  # the text of the previous unit (one copy of it, when joined)
    for a, b, category in f.units:
        text = f.raw[a:b]
        if out and category == out[-1][2] and category not in ("hashtag", "mention", EMOJI_UNIT) and text == last:
            pa, pb, _ = out[-1]
            if not f.content[pb:a].any():
                out[-1] = (pa, b, category)
                continue
        out.append((a, b, category))
        last = text
    return out


def _faint_but_strong(units: list[tuple[int, int, str, float]]) -> frozenset[str]:
    """Categories whose units are each too faint to show but together matter: a cue repeated between other words
    thousands of times spreads its weight over every copy. They are shown anyway (strongest first, up to
    :data:`MAX_HIGHLIGHTS`), or the note would be flagged with no reason at all."""
    visible: set[str] = set()
    sums: dict[str, float] = {}
    for _, _, category, total in units:
        sums[category] = sums.get(category, 0.0) + total
        if abs(total) >= MIN_CHAR_WEIGHT:
            visible.add(category)
    return frozenset(c for c, t in sums.items() if c not in visible and abs(t) >= MIN_PHRASE_WEIGHT)


def _total(w: np.ndarray, values: list[float], a: int, b: int) -> float:
    """``float(w[a:b].sum())``, the same bits: numpy's pairwise sum adds fewer than 8 numbers one by one, in
    order, to 0.0, which a Python loop over ``values`` (``w.tolist()``) does without an array call
    (``tests/test_highlights_equivalence.py`` holds numpy to it)."""
    if b - a < 8:
        total = 0.0
        for x in values[a:b]:
            total += x
        return total
    return float(w[a:b].sum())


#: Shopping festivals a hashtag of digits alone names (#520, #1111, #1212): a tag of the writer's, shown as any other.
_FESTIVAL_NUMBERS = frozenset({"38", "99", "520", "618", "816", "1111", "1212"})


def _number_tag(text: str) -> bool:
    """Whether a hashtag is a number alone ("#2026", "#190[话题]#"), not a shopping festival's (#1111, #520)."""
    tag = unmarked_tags(text).strip("#＃ ")
    return not any(map(str.isalpha, tag)) and tag not in _FESTIVAL_NUMBERS


def phrases(
    fields: list[NoteField], weights: dict[str, np.ndarray], segment: Callable[[str], list[str]] | None = None
) -> list[Highlight]:
    """Non-overlapping phrases, sorted by |weight| (largest first): each cue, hashtag or @mention whole, and
    runs of the writer's other words whose characters push the same way (ended by anything but a letter or
    digit). Runs are found with array operations: a note has hundreds of characters but few phrases.

    All of them: readable reasons are grouped from the whole list (a long note repeating its cues between other
    words has thousands of phrases, and reasons taken from the strongest hundred would lose whole categories);
    a check shows only the first :data:`MAX_HIGHLIGHTS`."""
    out: list[Highlight] = []
    for f in fields:
        w = weights[f.name]
        n = len(w)
        if not n:
            continue
        ok = f.content.copy()  # the writer's letters and digits outside cues and markup
        values = w.tolist()  # the weights as Python floats, for sums of a few (:func:`_total`)
        units = []
        for a, b, category in _runs_of_units(f):
            if category == MARKER_UNIT:  # the platform's markup: neither shown nor part of a phrase of the writer's
                ok[a:b] = False
                continue
            if category == "hashtag" and _number_tag(f.raw[a:b]):
                ok[a:b] = False  # "#2026", "#190": a number tagged says nothing a writer could change or explain
                continue
            total = _total(w, values, a, b)
            if category == EMOJI_UNIT:  # shown if strong enough, as what it is: "个人体验 “[笑哭R]”" was no experience
                if abs(total) < MIN_PHRASE_WEIGHT:
                    ok[a:b] = False
                    continue
            elif category == "personal" and f.raw[a] in "#＃":
                # A writer's "#无广分享" (a claim in a hashtag: its cue's category) is a hashtag either way: shown as
                # words, its note's tags were split between two kinds of reason
                category = "hashtag"
            elif category == "personal" and total > 0:
                # a claim the model weighs towards ad (its words, not the claim, which the document deletes) is
                # words that lean towards ad
                category = "wording"
            units.append((a, b, category, total))
        for a, b, _, _ in units:
            ok[a:b] = False
        # Words, negations and function words are read in simplified characters, as the model reads them (the
        # conversion keeps every offset); the phrase quotes the characters as typed.
        simple = to_simplified(f.raw)
        bounds: list[int] | None = None
        if has_symbol_cue(units, simple):  # few notes: "附链接🔗"
            bounds = word_bounds(simple, segment) if segment is not None else None
            units = symbols_in_words(units, simple, ok, w, bounds, partial(_total, w, values))
        faint = _faint_but_strong(units)
        for a, b, category, total in units:
            if abs(total) >= MIN_CHAR_WEIGHT or (total and category in faint):
                out.append(Highlight(f.name, a, b, f.raw[a:b], round(total, 4), category))
        # 0: no phrase here; 1: pushes towards ad; 2: towards genuine
        key = np.where(ok & (np.abs(w) >= MIN_CHAR_WEIGHT), np.where(w > 0, 1, 2), 0)
        change = np.empty(n, dtype=bool)  # where a run starts: the first character, and wherever the key changes
        change[0] = True
        np.not_equal(key[1:], key[:-1], out=change[1:])
        starts = change.nonzero()[0]
        ends = np.empty_like(starts)
        ends[:-1] = starts[1:]
        ends[-1] = n
        totals = np.add.reduceat(w, starts)
        # Runs hold letters and digits only: readable when two or more characters, not all digits, not a function
        # word; and strong enough to matter (a phrase of 0.01 log-odds changes no decision). Then widened to whole
        # words (a lone strong character stays unshown: growing each into its word doubled the phrases to show).
        cand = (key[starts] > 0) & (ends - starts >= 2) & (np.abs(totals) >= MIN_PHRASE_WEIGHT)
        runs = list(zip(starts[cand].tolist(), ends[cand].tolist(), strict=True))
        if bounds is None and segment is not None and runs:
            bounds = word_bounds(simple, segment)
        if bounds is not None:
            ok = time_colons_ok(simple, ok)
            runs = trim(snap(runs, bounds, ok), bounds, simple)
            runs = whole_words(runs, bounds, simple, ok, partial(_total, w, values), f.marked)
            runs = with_negation(
                close_negation(runs, bounds, simple, ok), bounds, simple, ok, partial(_total, w, values)
            )
        for a, b in runs:
            if f.joined:  # a phrase of spaced-out text starts and ends on a character, not on a separator
                while a < b and a in f.joined:
                    a += 1
                while b > a and b - 1 in f.joined:
                    b -= 1
            total = _total(w, values, a, b)
            text = f.raw[a:b]
            # read as the model reads it: spaced-out "1/9/9" is the number 199, "的 了" no word
            word = "".join(c for i, c in enumerate(simple[a:b], a) if i not in f.joined) if f.joined else simple[a:b]
            if f.marked:  # "了̣" is the function word 了
                word = CJK_MARKS_RE.sub("", word)
            if (
                b - a < 2
                or len(word) < 2
                or abs(total) < MIN_PHRASE_WEIGHT
                or is_number(word)
                or is_count(word)
                or only_function_words(word)
            ):
                continue
            out.append(Highlight(f.name, a, b, text, round(total, 4), "wording" if total > 0 else "personal"))
    out.sort(key=lambda h: (-abs(h.weight), h.field, h.start))
    return out
