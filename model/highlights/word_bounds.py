"""Where the writer's words start and end in a field as sent: the model tokenizer's segmentation of the text as
the model reads it, mapped back to offsets of the raw text (letters in other forms, combining marks, numbers, dates
and times each read as the model reads them)."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from itertools import accumulate

import numpy as np

from model.highlights.fields import SEPARATED_NUMBER_RE
from model.text import CJK_MARKS_RE, DIGIT_FORMS, fold_nfkc, has_cjk_marks

_SURROGATE_RE = re.compile("[\ud800-\udfff]")


#: Where letters and digits NFKC makes ASCII of lie: super- and subscripts, letterlike and enclosed forms, full
#: width, mathematical. The enclosed digits of ``model.text.DIGIT_FORMS`` outside them are added from that table
#: (:func:`_form_blocks`).
_NFKC_FORM_BLOCKS = (
    (0x2070, 0x209F),
    (0x2100, 0x214F),
    (0x2460, 0x24FF),
    (0xFF10, 0xFF5A),
    (0x1D400, 0x1D7FF),
)


def _form_blocks() -> tuple[tuple[int, int], ...]:
    """:data:`_NFKC_FORM_BLOCKS` and, for the characters of ``model.text.DIGIT_FORMS`` outside them (the dingbat
    circled digits ❶ ➀ ➊ and their zeros 🄋 🄌), ranges from the table itself, so a form added to it is searched
    for too. Characters at most two code points apart share a range: the tens between the dingbat digits (❿ ➉)
    are not translated, and one range is searched faster than three."""
    outside = sorted(cp for cp in map(ord, DIGIT_FORMS) if not any(lo <= cp <= hi for lo, hi in _NFKC_FORM_BLOCKS))
    runs: list[tuple[int, int]] = []
    for cp in outside:
        if runs and cp - runs[-1][1] <= 2:
            runs[-1] = (runs[-1][0], cp)
        else:
            runs.append((cp, cp))
    return tuple(sorted((*_NFKC_FORM_BLOCKS, *runs)))


_ASCII_FORM_BLOCKS = _form_blocks()


def _ascii_forms() -> dict[int, str]:
    """Letters and digits written in other forms — full width (ｄａｉｌｙ), mathematical styles (𝓭𝓪𝓲𝓵𝔂), circled,
    letterlike — mapped to the ASCII character normalisation makes of them (NFKC, and
    ``model.text.DIGIT_FORMS``). The model reads them normalised, as one word;
    the segmenter, given them as sent, cuts them into single characters, so a word's weight would be shown on a
    piece of it ("ｄａ〔ｉｌ〕ｙ")."""
    table: dict[int, str] = {}
    for lo, hi in _ASCII_FORM_BLOCKS:
        for cp in range(lo, hi + 1):
            form = fold_nfkc(chr(cp))  # NFKC, enclosed digits as digits (model.text.DIGIT_FORMS)
            if len(form) == 1 and form.isascii() and form.isalnum():
                table[cp] = form
    return table


_ASCII_FORMS = _ascii_forms()
#: Any character of the blocks of :data:`_ASCII_FORMS`: most texts have none, and a search for a few ranges costs
#: a twentieth of translating them (a class listing each character costs ten times the translation).
_ASCII_FORMS_RE = re.compile("[" + "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in _ASCII_FORM_BLOCKS) + "]")
#: Runs of them: what is translated. A Chinese note often has one or two (its full-width "：" and "？" are in a
#: block), and translating only the runs costs a tenth of translating the whole text by the table.
_ASCII_FORM_RUNS_RE = re.compile(_ASCII_FORMS_RE.pattern + "+")


def _ascii_run(m: re.Match[str]) -> str:
    return m.group().translate(_ASCII_FORMS)


def word_bounds(raw: str, segment: Callable[[str], list[str]]) -> list[int] | None:
    """Offsets in ``raw`` where a word starts or ends, by ``segment``; None when its pieces do not tile ``raw``."""
    if has_cjk_marks(raw):
        return _bounds_past_marks(raw, segment)
    if not raw.isascii() and _ASCII_FORMS_RE.search(raw) is not None:  # one character for one keeps offsets
        raw = _ASCII_FORM_RUNS_RE.sub(_ascii_run, raw)
    if _SURROGATE_RE.search(raw) is not None:  # the segmenter takes UTF-8
        raw = _SURROGATE_RE.sub("\ufffd", raw)
    bounds = list(accumulate(map(len, segment(raw)), initial=0))
    if bounds[-1] != len(raw):
        return None
    if SEPARATED_NUMBER_RE.search(raw) is not None:  # a number is one word, whatever the segmenter cut ("12", ",")
        inside = {i for m in SEPARATED_NUMBER_RE.finditer(raw) for i in range(m.start() + 1, m.end())}
        bounds = [b for b in bounds if b not in inside]
    if "月" in raw or ":" in raw or "：" in raw:
        # a date or time is one word: "11月11日", "15:00" ("1|日|15|:|00"). Its bounds replace those inside it, in
        # place: rebuilding and sorting all of a field's bounds cost a check more than the rest of this function.
        for m in _DATE_TIME_RE.finditer(raw):
            a, b = m.span()
            i, j = bisect_right(bounds, a), bisect_left(bounds, b)  # bounds[i:j] lie inside; bounds[0] is 0 <= a
            bounds[i:j] = ([] if bounds[i - 1] == a else [a]) + ([] if bounds[j] == b else [b])
    return bounds


def _bounds_past_marks(raw: str, segment: Callable[[str], list[str]]) -> list[int] | None:
    """:func:`word_bounds` of a text with combining marks on its Chinese characters: the words of the text as the
    model reads it, without the marks (the segmenter cuts "周̣末" at the mark), each mark inside the word of the
    character it sits on."""
    kept: list[int] = []  # the offset in ``raw`` of each character that is not such a mark
    pos = 0
    for m in CJK_MARKS_RE.finditer(raw):
        kept += range(pos, m.start())
        pos = m.end()
    kept += range(pos, len(raw))
    bounds = word_bounds("".join(raw[i] for i in kept), segment)
    if bounds is None:
        return None
    kept.append(len(raw))  # a word ends where the next one starts: after the marks of its last character
    return [kept[b] for b in bounds]


#: Dates and times written in digits: "2025年12月1日", "2025年12月", "11月11日", "15:00", "9：30".
#: (The look-ahead, implied by every branch, lets the search pass a position that is no digit in one step instead
#: of three branch attempts: 2.3 times faster over the Xiaohongshu notes.)
TIME = r"\d{1,2}[:：]\d{2}"
_DATE_TIME_RE = re.compile(
    r"(?=\d)(?:\d{1,4}年\d{1,2}月(?:\d{1,2}[日号])?|\d{1,2}月\d{1,2}[日号]|" + TIME + r"(?![\d:：]))"
)
_TIME_COLON_RE = re.compile(r"(?<=\d)[:：](?=\d{2}(?![\d:：]))")


def time_colons_ok(raw: str, ok: np.ndarray) -> np.ndarray:
    """``ok`` with the colon of each time ("15:00") between the writer's digits marked as theirs too: a phrase
    widened to the word "15:00" takes it whole instead of stopping at the colon ("1日15")."""
    if ":" not in raw and "：" not in raw:
        return ok
    ok = ok.copy()
    for m in _TIME_COLON_RE.finditer(raw):
        i = m.start()
        if ok[i - 1] and ok[i + 1]:
            ok[i] = True
    return ok


def snap(runs: list[tuple[int, int]], bounds: list[int], ok: np.ndarray) -> list[tuple[int, int]]:
    """Each run widened to the words it cuts through, on a side only where the added characters are all ``ok``
    (the writer's words, outside cues, hashtags and mentions); runs that then share a word become one phrase
    (its weight is the word's net weight, whichever way its characters pushed)."""
    bad = (~ok).nonzero()[0].tolist()  # where widening must stop: a side is widened only when none lies in it
    out: list[tuple[int, int]] = []
    for a, b in runs:
        a2 = bounds[bisect_right(bounds, a) - 1]
        b2 = bounds[bisect_left(bounds, b)]
        if a2 < a and bisect_left(bad, a2) != bisect_left(bad, a):
            a2 = a
        if b2 > b and bisect_left(bad, b) != bisect_left(bad, b2):
            b2 = b
        if out and a2 < out[-1][1]:
            out[-1] = (out[-1][0], max(b2, out[-1][1]))
        else:
            out.append((a2, b2))
    return out
