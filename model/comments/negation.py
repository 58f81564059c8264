"""Negation and doubt around a keyword hit, for keyword sets whose meaning a negation reverses.

Each keyword set says what a negated hit means (``negation`` in the keyword file; :data:`NEGATION_MODES`):

- ``ignore`` (the default, right for brand and product names: 没用过兰若 still talks about 兰若): every hit counts.
- ``cancel`` (``purchase_intent``): a negated hit is no hit — 不会再回购了, 不想入, 没被种草, 不冲了 say the reader
  will not buy.
- ``cancel_unless_question`` (``ad_suspicion``): a negated hit is no hit when its clause asserts it (不是广告, 没恰饭,
  不像软广: the reader vouches for the note) and counts when the clause asks or doubts (不是广告吧, 不会是托吧？,
  难道不是恰饭吗: the reader suspects an ad).

A hit is negated when a negator of the sentiment lexicon (:mod:`model.comments.lexicon`: 不, 没, 没有, 别, 无, 不是,
不会 ...) comes before it in its clause with at most a few *bridge* words between them: the lexicon's degree words
(不太想买, 不是很想入) and words of will, plan, voice or manner (不会再回购, 不打算种草了, 没被种草, 不是在打广告,
不像广告). Any other word between ends the scope — 没看懂哪里买 negates 看懂, not the question, and 不会再被这种广告骗了
still calls it an ad — so the scope is narrower than the lexicon's six characters for sentiment words, except
after its opinion verbs (不觉得这个是广告, 不认为博主在恰饭). As in the lexicon, 没想到 / 不得不 / 不知道 negate
nothing, 特别 and 出没 hold no negator and 别太 / 不要太 intensify; an A-not-A question (是不是广告, 会不会是托,
有没有链接) negates nothing, and neither do 怕不是 / 莫不是 / 还不是 / 岂不是 (怕不是恰饭 = probably paid). A keyword
inside a longer hit shares its negation (不是打广告: 广告 too). A negation after the keyword (回购是不可能的) is not
read.

This only decides which hits count; the sentiment model's document is built apart from it (``lexicon``), so
nothing here changes what that model sees. Texts are in :func:`model.comments.normalise.normalize_for_matching` form.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import lru_cache

from model.comments.lexicon import (
    DEGREE,
    INTENSIFIERS,
    LONG_NEGATORS,
    NON_NEGATING,
    NOT_NEGATORS,
    SCOPE_CHARS,
    SCOPE_END_RE,
    polarity_words,
)
from model.emoji_codes import EMOJI_CODE_RE

IGNORE = "ignore"
CANCEL = "cancel"
CANCEL_UNLESS_QUESTION = "cancel_unless_question"
NEGATION_MODES = (IGNORE, CANCEL, CANCEL_UNLESS_QUESTION)

#: Words that may sit between a negator and the keyword it negates: the lexicon's degree words, then will (想, 要,
#: 打算), modality (会, 能, 可能, 敢), repetition (再), voice and aspect (被, 在), likeness (像) and opinion verbs.
_KEYWORD_BRIDGES = (
    "会", "再", "想", "要", "打算", "准备", "考虑", "敢", "被", "在", "用", "去", "能", "可能", "像", "认为", "感觉",
    "需要", "必要", "一定", "舍得", "值得",
)  # fmt: skip
_BRIDGES = tuple(sorted({*DEGREE, *_KEYWORD_BRIDGES}, key=len, reverse=True))
#: How many characters of bridge words a negator reaches across (不会再考虑回购: 4).
_MAX_BRIDGE_CHARS = 6
#: The lexicon's long-scope negators that reach a keyword across other words too, with the lexicon's limits (six
#: characters, no conjunction, 了, intensifier or emoji code between): its opinion verbs (不觉得这个是广告,
#: 不认为博主在恰饭). Not 没 / 没有 (没看懂哪里买 still asks where to buy) nor 不会再 (不会再被这种广告骗了 still
#: calls it an ad); with bridge words they reach 不会再考虑回购 and 没有被种草.
_LONG_KEYWORD_NEGATORS = tuple(n for n in LONG_NEGATORS if n.endswith(("觉得", "感觉", "认为")))
#: Phrases holding a negator that negate nothing after them: the lexicon's, and rhetorical ones that assert.
_KEYWORD_NON_NEGATING = (*NON_NEGATING, "怕不是", "莫不是", "还不是", "岂不是", "可不是", "不好意思")
_CLAUSE_PUNCT = "，,。.！!？?；;～~\n…"
_CLAUSE_PUNCT_RE = re.compile("[" + re.escape(_CLAUSE_PUNCT) + "]")
#: What a clause may trail off with after its last word: spaces, these particles, "..." and emoji codes.
_TRAILING_CHARS = frozenset("啊呀哈哦啦嘿呵吖捏")
#: A clause that asks: a question particle at its end (好用不 asks too, as in the lexicon) ...
_QUESTION_ENDINGS = ("吗", "么", "嘛", "呢", "吧", "咩", "不", "没")
#: ... or a word of doubt anywhere in it (a bare 不会是广告 is left out: 我觉得不会是广告 vouches; with 吧 it asks),
#: sarcasm included, which asserts the opposite of its negation (不是广告才怪, 要说不是恰饭我不信, 说不是托谁信).
_SARCASM = ("才怪", "就怪了", "谁信", "我不信", "鬼才信", "骗鬼")
_DOUBT_RE = re.compile(r"难道|莫非|该不会|有没有可能|是不是|会不会|怕不是|莫不是|" + "|".join(_SARCASM))
#: A clause that only asks for agreement with the one before it (不是恰饭，对吧), or scoffs at it (不是托，鬼才信).
_TAG_QUESTIONS = frozenset({"对吧", "是吧", "对不对", "是不是", "对吗", "是吗", "吧", "吗", "没错吧", *_SARCASM})


@lru_cache(maxsize=1)
def _negators() -> tuple[str, ...]:
    return tuple(sorted(polarity_words()[2], key=len, reverse=True))


class _Phrases:
    """Whether a character belongs to an occurrence of one of some phrases (one regex, not a loop over them)."""

    def __init__(self, phrases: tuple[str, ...]) -> None:
        alternation = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
        self._re = re.compile(f"(?=({alternation}))")  # every start, longest phrase there
        self._longest = max(map(len, phrases))

    def cover(self, text: str, pos: int) -> bool:
        for m in self._re.finditer(text, max(0, pos - self._longest + 1), pos + self._longest):
            if m.start() > pos:
                return False
            if pos < m.end(1):
                return True
        return False


_NON_NEGATING_PHRASES = _Phrases(_KEYWORD_NON_NEGATING)
_NOT_NEGATOR_PHRASES = _Phrases(NOT_NEGATORS)


@lru_cache(maxsize=1)
def _negator_chars_re() -> re.Pattern[str]:
    """The one-character negators (不, 没, 别, 无); every longer negator holds one of them (不太, 没有, 一点都不),
    so a text without any negates nothing (the common, fast case)."""
    single = {n for n in _negators() if len(n) == 1}
    if not all(any(c in single for c in n) for n in _negators()):  # a negator no scan would see
        return re.compile(".", re.S)
    return re.compile("[" + re.escape("".join(sorted(single))) + "]")


def may_negate(text: str) -> bool:
    """False when no hit in ``text`` can be negated (it holds no negator character)."""
    return _negator_chars_re().search(text) is not None


def is_negated(text: str, start: int) -> bool:
    """Whether the keyword hit beginning at ``text[start]`` is negated in its clause."""
    pos = start
    negators = _negators()
    if not _negator_chars_re().search(text, max(0, start - _MAX_BRIDGE_CHARS - 4), start):
        return False
    while pos > 0:
        for negator in negators:  # longest first: 没有 before 没
            if text.endswith(negator, 0, pos):
                n = pos - len(negator)
                if not _NOT_NEGATOR_PHRASES.cover(text, n + len(negator) - 1):  # 特别想买: 别 is no negator
                    return _negates(text, n)
                break
        for bridge in _BRIDGES:  # longest first
            if text.endswith(bridge, 0, pos) and start - pos + len(bridge) <= _MAX_BRIDGE_CHARS:
                pos -= len(bridge)
                break
        else:
            break
    return _long_scope(text, start)


def _long_scope(text: str, start: int) -> bool:
    """Whether an opinion verb or 不会再 a few words before ``text[start]`` negates it (不觉得这个是广告)."""
    for negator in _LONG_KEYWORD_NEGATORS:
        n = text.rfind(negator, max(0, start - SCOPE_CHARS - len(negator)), start)
        if n == -1:
            continue
        gap = text[n + len(negator) : start]
        if SCOPE_END_RE.search(gap) or any(p in gap for p in _CLAUSE_PUNCT) or _NON_NEGATING_PHRASES.cover(text, n):
            continue
        return True
    return False


def _negates(text: str, n: int) -> bool:
    """Whether the negator starting at ``text[n]`` negates what follows it."""
    if _NON_NEGATING_PHRASES.cover(text, n) or text.startswith(INTENSIFIERS, n):
        return False
    # An A-not-A question (是不是, 会不会, 有没有, 可不可以) asks; it does not deny.
    return not (n > 0 and n + 1 < len(text) and text[n - 1] == text[n + 1])


def _clause_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """``(first, last)``: the clause around ``text[start:end]`` is ``text[first:last]``."""
    first = max(text.rfind(p, 0, start) for p in _CLAUSE_PUNCT) + 1
    last = min((i for i in (text.find(p, end) for p in _CLAUSE_PUNCT) if i != -1), default=len(text))
    return first, last


def strip_trailing(clause: str) -> str:
    """``clause`` without what it trails off with (spaces, 啊呀哈哦啦嘿呵吖捏, "...", emoji codes such as
    ``[哈哈r]``), read from the end: linear in what is stripped. (An anchored regex, ``(?:…)+$``, is tried at every
    position of the clause and runs the whole trailing run from each: 0.4 s of CPU for a 5,000-character comment of
    啊啊啊…x, quadratic.)"""
    end = len(clause)
    while end:
        c = clause[end - 1]
        if c in _TRAILING_CHARS or c.isspace():
            end -= 1
        elif c == "." and clause.endswith("...", 0, end):
            end -= 3
        elif (
            c == "]"
            and (opening := clause.rfind("[", 0, end - 1)) != -1
            and EMOJI_CODE_RE.fullmatch(clause, opening, end)
        ):
            end = opening
        else:
            break
    return clause[:end]


def is_question(text: str, start: int, end: int) -> bool:
    """Whether the clause holding ``text[start:end]`` asks or doubts: a question mark after it, a question
    particle at its end (不是广告吧, 是托吗), a word of doubt in it (难道, 该不会) or a tag question after
    it (…，对吧). For many hits of one text, :class:`Clauses` answers the same."""
    return _asks(text, *_clause_bounds(text, start, end))


class Clauses:
    """The clauses of one text, for the many keyword hits a long comment may hold: :meth:`is_question` of each hit,
    a clause's bounds found by bisection over where the text's clause punctuation is and each clause read once.
    Per hit, searching back and forth for every punctuation mark and reading the clause again cost the square of
    the text's length (a comment of 不是广告 written 1,250 times: 0.4 s of CPU)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._marks = [m.start() for m in _CLAUSE_PUNCT_RE.finditer(text)]
        self._asks: dict[tuple[int, int], bool] = {}

    def is_question(self, start: int, end: int) -> bool:
        """:func:`is_question` of ``self.text[start:end]``."""
        marks = self._marks
        i = bisect_left(marks, start)  # marks before the hit: [:i]
        j = bisect_left(marks, end, i)  # the first at or after its end
        bounds = (marks[i - 1] + 1 if i else 0, marks[j] if j < len(marks) else len(self.text))
        answer = self._asks.get(bounds)
        if answer is None:
            answer = self._asks[bounds] = _asks(self.text, *bounds)
        return answer


def _asks(text: str, first: int, last: int) -> bool:
    """:func:`is_question` of the clause ``text[first:last]``."""
    clause = strip_trailing(text[first:last])
    if clause.endswith(_QUESTION_ENDINGS) or _DOUBT_RE.search(clause):
        return True
    after = last
    while after < len(text) and text[after] in _CLAUSE_PUNCT:
        if text[after] in "?？":
            return True
        after += 1
    if after == last or after >= len(text):
        return False
    _, next_last = _clause_bounds(text, after, after)
    return strip_trailing(text[after:next_last]) in _TAG_QUESTIONS
