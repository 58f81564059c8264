"""Fake-engagement ("water") detection: which comments of a creator's notes look bought or templated.

Comments are judged per creator (all of one author's notes at once), because bought engagement repeats across
notes. Each comment gets at most one reason, the first that applies in this order:

- ``empty`` — nothing but whitespace;
- ``emoji_only`` — only emoji codes (``[赞R]``), emoji or punctuation: a sticker, no words;
- ``copies_note`` — the comment is (nearly) a piece of the note's own text (char 3-grams, containment);
- ``duplicate`` — an exact or near duplicate (char 2-gram Jaccard >= ``duplicate_jaccard``) of another comment on
  any of the creator's notes, for comments that say at least ``min_duplicate_chars`` word characters
  (:func:`info_length`: 哈哈哈哈哈哈 says one, 求链接求链接 three); a comment that asks or requests (请问是什么牌子的,
  身高160能穿吗) and says fewer than ``min_duplicate_question_chars`` is one only among ``question_family`` or
  more alike: short replies such as 好美 or 求链接, and the same short question from two or three readers, repeat
  honestly, a question posted alike by a dozen accounts does not; one commenter's same words posted
  ``repeat_min`` times or more on one note are duplicates however short (好用好用 five times; not 谢谢, which says
  one character);
- ``template`` — templated praise: saying at least ``min_template_chars`` word characters, made (``generic_share`` or
  more) of generic-praise words (博主, 好棒, 支持一下, 已关注 ...: the slots bought comments are filled from)
  and praising (one of :data:`PRAISE_CORE`), when the creator has at least ``template_min_family`` such
  comments; lone generic praise is not flagged. Honest comments of five or more characters made only of such
  words are rare (none of the 640 written comments of ``benchmarks/data/xhs_comments_dev.jsonl``);
- ``same_commenter`` — (when comments carry an ``author``) a commenter present on at least
  ``same_commenter_min_notes`` notes and at least ``same_commenter_share`` of the creator's notes;
- ``burst`` — (when comments carry a ``time``) one of at least ``burst_min`` comments of a note inside
  ``burst_seconds``, at a rate ``burst_factor`` times the note's mean rate or more.

The creator's own replies (a comment whose ``author`` is the notes' author, :func:`is_creator`) are no engagement
bought for them: only ``empty`` and ``emoji_only`` apply to them, and they count towards no other comment's
duplicate, template family or burst. A creator answering fans on every note is not a commenter on half of them.

Near-duplicate candidates come from MinHash LSH (``datasketch``: a maintained implementation of the
hashing and banding, which a hand-written one would have to re-derive and test), then each candidate pair is
checked with the exact Jaccard of its shingle sets, so the LSH only decides what is compared.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from model.emoji_codes import EMOJI_CODE_RE
from model.errors import InvalidParameterError
from model.notes import Comment
from model.schema import is_blank
from model.simplified import to_simplified

if TYPE_CHECKING:
    from model.comments.crossnote import CreatorFacts

#: Marks comment ``k`` of the flattened list with a reason (the first reason given stays).
_Mark = Callable[[int, str], None]

REASONS = ("empty", "emoji_only", "copies_note", "duplicate", "template", "same_commenter", "burst")


#: Generic praise: words that say nothing about the note in particular (bought comments are made of them).
GENERIC_PRAISE = (
    "博主", "小姐姐", "姐姐", "姐妹", "宝子", "宝宝", "up主", "作者", "好棒", "太棒", "真棒", "很棒", "棒棒", "好美",
    "好好看", "太好看", "真好看", "好看", "好赞", "点赞", "已赞", "支持", "已关注", "关注了", "关注", "加油", "优秀",
    "厉害", "爱了", "好喜欢", "喜欢", "不错", "真不错", "好用", "推荐", "强烈推荐", "写得", "写的", "分享", "谢谢",
    "感谢", "收藏", "已收藏", "学到了", "有用", "干货", "绝了", "yyds", "绝绝子", "宝藏", "互关", "互粉", "回关",
    "打卡", "沙发", "前排", "好文", "种草", "真的", "超级", "非常", "特别", "一下", "大家", "必须", "一定", "好",
    "太", "真", "超", "很", "了", "啊", "呀", "哦", "哈", "吧", "呢", "啦", "的", "给", "我", "你", "也", "都", "就",
    "这", "个", "是", "nice", "赞", "棒", "美", "爱", "顶", "冲",
)  # fmt: skip
#: A templated comment praises: at least one of these (干货，收藏了 is generic but no praise template).
PRAISE_CORE = ("棒", "赞", "支持", "关注", "厉害", "优秀", "加油", "好看", "好美", "推荐", "yyds", "绝绝子", "nice")


def word_chars(text: str) -> str:
    """Letters and digits of ``text`` (NFKC, lower case, traditional Chinese characters as simplified ones, as
    :mod:`model.simplified` reads them), without emoji codes, emoji, punctuation or spaces. So a comment bought in
    both scripts is one duplicate, and templated praise in traditional characters is made of the generic words."""
    text = EMOJI_CODE_RE.sub("", to_simplified(unicodedata.normalize("NFKC", text).lower()))
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


def info_length(chars: str) -> int:
    """How many characters a comment's word characters ``chars`` say: a run of one character counts once (哈哈哈哈
    is 哈), and a phrase said again and again counts once (求链接求链接 is 求链接, 好好看好好看 is 好看). Readers
    who laugh, or ask for the link twice over, write alike without being bought."""
    runs = "".join(ch for k, ch in enumerate(chars) if k == 0 or ch != chars[k - 1])
    n = len(runs)
    if n < 2:
        return n
    # the shortest period from the prefix function (linear: a comment may be 10,000 characters)
    border = [0] * n
    for i in range(1, n):
        k = border[i - 1]
        while k and runs[i] != runs[k]:
            k = border[k - 1]
        border[i] = k + 1 if runs[i] == runs[k] else k
    period = n - border[-1]
    return period if 2 * period <= n else n


#: What makes a comment a question or a request (求链接, 求分享): a question mark, or a word that asks.
_ASKS_RE = re.compile(r"[?？]|请问|什么|哪|多少|怎么|如何|吗|求|是不是|有没有|能不能|可不可以")


def asks(text: str) -> bool:
    """Whether a comment asks or requests (请问是什么牌子的, 身高160能穿吗, 求链接), in its text as sent: the same
    short question comes from many readers of one note."""
    return _ASKS_RE.search(to_simplified(text)) is not None


def is_creator(author: str | None, creator: str | None) -> bool:
    """Whether a comment's ``author`` is the notes' ``creator``: the same name but for case and the spaces around
    it ("Alice " replying under "Alice")."""
    return author is not None and creator is not None and author.strip().casefold() == creator.strip().casefold()


def shingles(text: str, n: int) -> set[str]:
    """Character n-grams of ``text`` (the whole text when shorter than ``n``)."""
    if len(text) <= n:
        return {text} if text else set()
    return {text[i : i + n] for i in range(len(text) - n + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


@lru_cache(maxsize=1)
def _generic_automaton() -> object:
    import ahocorasick

    automaton = ahocorasick.Automaton()
    for word in GENERIC_PRAISE:
        automaton.add_word(word, len(word))
    automaton.make_automaton()
    return automaton


def generic_coverage(chars: str) -> float:
    """Share of the word characters ``chars`` covered by generic-praise words."""
    if not chars:
        return 0.0
    covered = np.zeros(len(chars), dtype=bool)
    for end, length in _generic_automaton().iter(chars):
        covered[end - length + 1 : end + 1] = True
    return float(covered.mean())


@lru_cache(maxsize=16)
def _lsh_params(threshold: float, num_perm: int) -> tuple[int, int]:
    """datasketch's optimal (bands, rows) for ``threshold``: it integrates numerically on every MinHashLSH(),
    which costs more than hashing a creator's comments, so it is computed once per setting."""
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    return lsh.b, lsh.r


@dataclass(frozen=True)
class CreatorNote:
    """One note of a creator as water detection sees it: the note's own text and its comments."""

    text: str
    comments: Sequence[Comment]


class WaterDetector:
    """Flag suspect comments over all notes of one creator (see the module docstring for the rules).

    Parameters are stored as given and checked by :meth:`flag`; defaults were set on injected-water archives
    (``tests/test_water.py``) to keep genuine comments flagged under 3%.
    """

    def __init__(
        self,
        *,
        min_duplicate_chars: int = 6,
        min_duplicate_question_chars: int = 10,
        question_family: int = 4,
        duplicate_jaccard: float = 0.7,
        copy_containment: float = 0.8,
        min_copy_chars: int = 8,
        generic_share: float = 0.85,
        min_template_chars: int = 5,
        template_min_family: int = 3,
        repeat_min: int = 3,
        same_commenter_min_notes: int = 3,
        same_commenter_share: float = 0.5,
        burst_seconds: float = 60.0,
        burst_min: int = 5,
        burst_factor: float = 10.0,
        num_perm: int = 64,
        seed: int = 1,
    ) -> None:
        self.min_duplicate_chars = min_duplicate_chars
        self.min_duplicate_question_chars = min_duplicate_question_chars
        self.question_family = question_family
        self.duplicate_jaccard = duplicate_jaccard
        self.copy_containment = copy_containment
        self.min_copy_chars = min_copy_chars
        self.generic_share = generic_share
        self.min_template_chars = min_template_chars
        self.template_min_family = template_min_family
        self.repeat_min = repeat_min
        self.same_commenter_min_notes = same_commenter_min_notes
        self.same_commenter_share = same_commenter_share
        self.burst_seconds = burst_seconds
        self.burst_min = burst_min
        self.burst_factor = burst_factor
        self.num_perm = num_perm
        self.seed = seed

    def _check(self) -> None:
        for name in ("min_duplicate_chars", "min_duplicate_question_chars", "min_copy_chars", "min_template_chars",
                     "template_min_family", "repeat_min", "question_family", "same_commenter_min_notes", "burst_min",
                     "num_perm"):  # fmt: skip
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise InvalidParameterError(f"The '{name}' parameter of WaterDetector must be an int >= 1. Got {v!r}.")
        for name in ("duplicate_jaccard", "copy_containment", "generic_share",
                     "same_commenter_share"):  # fmt: skip
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 < v <= 1:
                raise InvalidParameterError(
                    f"The '{name}' parameter of WaterDetector must be a number in (0, 1]. Got {v!r}."
                )
        for name in ("burst_seconds", "burst_factor"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not v > 0:
                raise InvalidParameterError(f"The '{name}' parameter of WaterDetector must be a number > 0. Got {v!r}.")

    def duplicate_kind(self, text: str, chars: str) -> int:
        """How a comment (``text`` as sent, ``chars`` its :func:`word_chars`) may be a duplicate: 0 not at all (it
        says fewer than ``min_duplicate_chars`` characters, :func:`info_length`), 2 only in a family of
        ``question_family`` or more (a short question or request), 1 as soon as another is alike."""
        if len(chars) < self.min_duplicate_chars:
            return 0  # the cheap test first: most comments are short
        n = info_length(chars)
        if n < self.min_duplicate_chars:
            return 0
        return 2 if n < self.min_duplicate_question_chars and asks(text) else 1

    def _duplicate_clusters(self, idx: list[int], chars: list[str], kinds: list[int]) -> list[list[int]]:
        """The clusters of near-alike comments among ``idx`` that are duplicates: two or more alike, or, when every
        one of them is a short question (kind 2), ``question_family`` or more."""
        grams = [shingles(c, 2) if kinds[k] else set() for k, c in enumerate(chars)]
        return [
            cluster
            for cluster in self._clusters(idx, chars, grams, self.duplicate_jaccard)
            if len(cluster) > 1 and (len(cluster) >= self.question_family or any(kinds[k] == 1 for k in cluster))
        ]

    def may_template(self, chars: str) -> bool:
        """Whether a comment's word characters ``chars`` are templated praise (see the module docstring)."""
        return (
            len(chars) >= self.min_template_chars
            and any(w in chars for w in PRAISE_CORE)
            and generic_coverage(chars) >= self.generic_share
            and info_length(chars) >= self.min_template_chars
        )

    def duplicate_texts(self, chars: Sequence[str], kinds: Sequence[int] | None = None) -> set[str]:
        """Which of a creator's comments, given as their word characters (one entry per comment, repeats kept,
        each of :meth:`duplicate_kind` ``kinds``, 1 when not given), are duplicates of others."""
        self._check()
        chars = list(chars)
        kinds = [1] * len(chars) if kinds is None else list(kinds)
        return {
            chars[k] for cluster in self._duplicate_clusters(list(range(len(chars))), chars, kinds) for k in cluster
        }

    def flag(
        self, notes: Sequence[CreatorNote], facts: CreatorFacts | None = None, *, creator: str | None = None
    ) -> list[list[str | None]]:
        """For each note, for each comment: its suspect reason, or None.

        ``facts`` (from a first pass over all of the creator's notes, :mod:`model.comments.crossnote`) answer the
        rules that look across notes (duplicate, template, same commenter) when ``notes`` are only some of them.
        ``creator``: the notes' author (``facts`` know it too), whose own replies are not judged as engagement."""
        self._check()
        reasons: list[list[str | None]] = [[None] * len(n.comments) for n in notes]
        if facts is not None:
            creator = facts.creator
        # every comment may be empty or emoji only; the creator's own replies are left out of every other rule
        flat: list[tuple[int, int]] = []
        chars: list[str] = []
        for i, n in enumerate(notes):
            for j, c in enumerate(n.comments):
                said = word_chars(c.text)
                if is_blank(c.text):
                    reasons[i][j] = "empty"
                elif not said:
                    reasons[i][j] = "emoji_only"
                if not is_creator(c.author, creator):
                    flat.append((i, j))
                    chars.append(said)

        def mark(k: int, reason: str) -> None:
            i, j = flat[k]
            if reasons[i][j] is None:
                reasons[i][j] = reason

        self._copies(notes, flat, chars, mark)
        kinds = [self.duplicate_kind(notes[i].comments[j].text, chars[k]) for k, (i, j) in enumerate(flat)]
        dup_idx = [k for k, kind in enumerate(kinds) if kind]
        if facts is not None:
            for k in dup_idx:
                if facts.is_duplicate(chars[k]):
                    mark(k, "duplicate")
        else:
            for cluster in self._duplicate_clusters(dup_idx, chars, kinds):
                for k in cluster:
                    mark(k, "duplicate")
        self._repeats(notes, flat, chars, mark)
        generic = [k for k, c in enumerate(chars) if self.may_template(c)]
        if facts.template_family if facts is not None else len(generic) >= self.template_min_family:
            for k in generic:
                mark(k, "template")
        if facts is not None:
            for k, (i, j) in enumerate(flat):
                author = notes[i].comments[j].author
                if author and facts.is_repeat_commenter(author):
                    mark(k, "same_commenter")
        else:
            self._same_commenter(notes, flat, mark)
        self._bursts(notes, flat, mark)
        return reasons

    def _copies(self, notes: Sequence[CreatorNote], flat: list[tuple[int, int]], chars: list[str], mark: _Mark) -> None:
        note_grams = [shingles(word_chars(n.text), 3) for n in notes]
        for k, (i, _) in enumerate(flat):
            c = chars[k]
            if len(c) < self.min_copy_chars or not note_grams[i]:
                continue
            grams = shingles(c, 3)
            if len(grams & note_grams[i]) / len(grams) >= self.copy_containment:
                mark(k, "copies_note")

    def _clusters(self, idx: list[int], chars: list[str], grams: list[set[str]], threshold: float) -> list[list[int]]:
        """Connected groups of ``idx`` linked by Jaccard >= ``threshold`` (candidates from MinHash LSH)."""
        if len(idx) < 2:
            return [[k] for k in idx]
        parent = {k: k for k in idx}

        def find(k: int) -> int:
            while parent[k] != k:
                parent[k] = parent[parent[k]]
                k = parent[k]
            return k

        def union(a: int, b: int) -> None:
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)

        first: dict[str, int] = {}  # identical texts need no hashing
        rest = []
        for k in idx:
            if chars[k] in first:
                union(first[chars[k]], k)
            else:
                first[chars[k]] = k
                rest.append(k)
        if len(rest) > 1:
            from datasketch import MinHash, MinHashLSH

            lsh = MinHashLSH(num_perm=self.num_perm, params=_lsh_params(threshold, self.num_perm))
            hashes = MinHash.bulk([[g.encode("utf-8") for g in grams[k]] for k in rest], num_perm=self.num_perm,
                                  seed=self.seed)  # fmt: skip
            for k, h in zip(rest, hashes, strict=True):
                for other in lsh.query(h):
                    if find(other) != find(k) and jaccard(grams[k], grams[other]) >= threshold:
                        union(k, other)
                lsh.insert(k, h)
        groups: dict[int, list[int]] = {}
        for k in idx:
            groups.setdefault(find(k), []).append(k)
        return list(groups.values())

    def _repeats(
        self, notes: Sequence[CreatorNote], flat: list[tuple[int, int]], chars: list[str], mark: _Mark
    ) -> None:
        """One commenter's same words (word characters) posted ``repeat_min`` times or more on one note: within a
        note, so a chunk of ``score`` holds all of them."""
        said: dict[tuple[int, str, str], list[int]] = {}
        for k, (i, j) in enumerate(flat):
            author = notes[i].comments[j].author
            if author and info_length(chars[k]) >= 2:  # 谢谢 to three readers says one character
                said.setdefault((i, author, chars[k]), []).append(k)
        for ks in said.values():
            if len(ks) >= self.repeat_min:
                for k in ks:
                    mark(k, "duplicate")

    def _same_commenter(self, notes: Sequence[CreatorNote], flat: list[tuple[int, int]], mark: _Mark) -> None:
        on_notes: dict[str, set[int]] = {}
        for i, n in enumerate(notes):
            for c in n.comments:
                if c.author:
                    on_notes.setdefault(c.author, set()).add(i)
        if not on_notes:
            return
        need = max(self.same_commenter_min_notes, math.ceil(self.same_commenter_share * len(notes)))
        suspects = {a for a, s in on_notes.items() if len(s) >= need}
        for k, (i, j) in enumerate(flat):
            if notes[i].comments[j].author in suspects:
                mark(k, "same_commenter")

    def _bursts(self, notes: Sequence[CreatorNote], flat: list[tuple[int, int]], mark: _Mark) -> None:
        judged: list[list[int]] = [[] for _ in notes]  # per note, the comments judged (flat positions), in order
        for k, (i, _) in enumerate(flat):
            judged[i].append(k)
        for i, n in enumerate(notes):
            times = [(t, k) for k in judged[i] if (t := getattr(n.comments[flat[k][1]], "time", None)) is not None]
            if len(times) < self.burst_min:
                continue
            times.sort()
            t = np.array([x for x, _ in times], dtype=np.float64)
            span = max(float(t[-1] - t[0]), self.burst_seconds)
            expected = len(t) * self.burst_seconds / span
            need = max(self.burst_min, self.burst_factor * expected)
            ends = np.searchsorted(t, t + self.burst_seconds, side="right")
            in_burst = np.zeros(len(t), dtype=bool)
            for a in np.flatnonzero(ends - np.arange(len(t)) >= need):
                in_burst[a : ends[a]] = True
            for (_, k), hit in zip(times, in_burst, strict=True):
                if hit:
                    mark(k, "burst")
