"""Characters pushing the same way merged into phrases a writer can read: cues, hashtags, mentions and emoji codes
whole, runs of the writer's words widened to whole words."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from functools import partial
from itertools import accumulate

import numpy as np

from model.highlights.categories import (
    MIN_CHAR_WEIGHT,
    MIN_PHRASE_WEIGHT,
    Highlight,
    only_function_words,
    unmarked_tags,
)
from model.highlights.fields import EMOJI_UNIT, MARKER_UNIT, SEPARATED_NUMBER_RE, NoteField
from model.highlights.symbols import has_symbol_cue, symbols_in_words
from model.simplified import to_simplified
from model.text import CJK_MARKS_RE, DIGIT_FORMS, fold_nfkc, has_cjk_marks


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


def _word_bounds(raw: str, segment: Callable[[str], list[str]]) -> list[int] | None:
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
    """:func:`_word_bounds` of a text with combining marks on its Chinese characters: the words of the text as the
    model reads it, without the marks (the segmenter cuts "周̣末" at the mark), each mark inside the word of the
    character it sits on."""
    kept: list[int] = []  # the offset in ``raw`` of each character that is not such a mark
    pos = 0
    for m in CJK_MARKS_RE.finditer(raw):
        kept += range(pos, m.start())
        pos = m.end()
    kept += range(pos, len(raw))
    bounds = _word_bounds("".join(raw[i] for i in kept), segment)
    if bounds is None:
        return None
    kept.append(len(raw))  # a word ends where the next one starts: after the marks of its last character
    return [kept[b] for b in bounds]


#: Dates and times written in digits: "2025年12月1日", "2025年12月", "11月11日", "15:00", "9：30".
#: (The look-ahead, implied by every branch, lets the search pass a position that is no digit in one step instead
#: of three branch attempts: 2.3 times faster over the Xiaohongshu notes.)
_TIME = r"\d{1,2}[:：]\d{2}"
_DATE_TIME_RE = re.compile(
    r"(?=\d)(?:\d{1,4}年\d{1,2}月(?:\d{1,2}[日号])?|\d{1,2}月\d{1,2}[日号]|" + _TIME + r"(?![\d:：]))"
)
_TIME_COLON_RE = re.compile(r"(?<=\d)[:：](?=\d{2}(?![\d:：]))")


def _time_colons_ok(raw: str, ok: np.ndarray) -> np.ndarray:
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


def _snap(runs: list[tuple[int, int]], bounds: list[int], ok: np.ndarray) -> list[tuple[int, int]]:
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


#: Words that lean on their neighbour: a phrase neither starts with a particle that ends the word before it
#: ("的网红", "了健身房"), a conjunction ("和颜色") or the 完 of a verb the segmenter cut ("用|完皮肤"), nor ends
#: with a conjunction, preposition, adverb, demonstrative or count that begins what follows ("膝盖和", "排队一",
#: "方法很", "面膜真的", "门票599一个"), nor with the 有 or 越 whose object or second half follows ("店最近有|满减",
#: "家具真的越|看越喜欢"), nor with the 的 that ties it to the noun after it ("单车的|车座子", "北京的|地铁"). A word
#: n-gram spanning them puts weight on them; shown, they read as fragments.
_NO_START = frozenset("了 的 得 地 着 过 之 们 个 吗 吧 啊 呢 哦 呀 嘛 啦 和 与 及 或 而 但 是 完".split())
_NO_END = frozenset(
    "和 与 及 或 而 但 也 就 都 很 还 又 把 被 让 给 从 对 在 是 一 这 那 第 有点 有些 比较 非常 特别 太 更 挺 "
    "真的 超 超级 巨 最 十分 相当 蛮 每 各 某 一个 一些 一点 一种 有 越 的 已经 居然 现在 每天 要 能 都能 "
    "像 就像 更像 好像 仿佛 如同 宛如 犹如".split()
)
#: Characters after which a 一 is a digit of a number word ("双十|一", "一百|一"), not the word 一 ("排队一").
_NUMERALS = frozenset("十百千万")


#: Negations: a phrase right after one takes it in, so the writer's "不推荐" is never quoted as "推荐" (the model may
#: still weigh the words towards ad; the phrase then says so with the words the writer wrote). A phrase ending on
#: one takes in the word it negates: "饮食不" and "规律" apart are a fragment and a word saying the opposite.
_NEGATIONS = frozenset(
    "不 没 没有 别 无 未 非 不要 不是 不会 不用 不太 并不 从不 绝不 从没 毫不 千万别 千万不要 千万不能 可别 别再 "
    "不再 再也不 永远不".split()
)


def _close_negation(runs: list[tuple[int, int]], bounds: list[int], raw: str, ok: np.ndarray) -> list[tuple[int, int]]:
    """Each run on word bounds whose last word is a negation (:data:`_NEGATIONS`) widened over the word after it,
    when that word is the writer's own (``ok``) and does not itself lean on the next (:data:`_NO_END`: "没被",
    "不和" would be fragments again); a run it then reaches is joined to it. A run of the negation alone stays as it
    is: a function word, never shown alone, does not become a phrase by taking in its neighbour."""
    out: list[tuple[int, int]] = []
    for a, b in runs:
        j = bisect_left(bounds, b)
        if 0 < j < len(bounds) - 1 and bounds[j] == b and raw[bounds[j - 1] : b] in _NEGATIONS:
            if bounds[j - 1] > a and ok[b : bounds[j + 1]].all() and raw[b : bounds[j + 1]] not in _NO_END:
                b = bounds[j + 1]
        if out and a < out[-1][1]:
            out[-1] = (out[-1][0], max(b, out[-1][1]))
        else:
            out.append((a, b))
    return out


def _with_negation(
    runs: list[tuple[int, int]],
    bounds: list[int],
    raw: str,
    ok: np.ndarray,
    total: Callable[[int, int], float],
) -> list[tuple[int, int]]:
    """Each run on word bounds that follows a negation word (:data:`_NEGATIONS`) of the writer's own words
    widened over it (joined with it when the negation is a run of its own), unless it is in another phrase; also
    over a negation one adverb or verb of perception before it (:data:`_BETWEEN_NEGATION`: "没|怎么|去远方玩",
    "没|明显|变化"): "去远方玩" and "变化" alone quote the writer saying the opposite of what they wrote. That
    second widening is made only when the phrase then still pushes the same way with at least
    :data:`MIN_PHRASE_WEIGHT` (``total``: the weight of a span): it must not hide or turn round what the model
    weighed, nor leave a note decided ad with no phrase towards ad."""
    out: list[tuple[int, int]] = []
    for a, b in runs:
        i = bisect_left(bounds, a)
        if 0 < i < len(bounds) and bounds[i] == a:
            g = bounds[i - 1]
            if raw[g:a] in _NEGATIONS and ok[g:a].all():
                if out and out[-1] == (g, a):  # the negation is a run of its own: one phrase with what it negates
                    out[-1] = (g, b)
                    continue
                if not out or out[-1][1] <= g:
                    a = g
            elif i > 1 and raw[g:a] in _BETWEEN_NEGATION and ok[g:a].all():
                n = bounds[i - 2]
                if raw[n:g] in _NEGATIONS and ok[n:g].all() and _keeps_its_way(total, a, b, n):
                    if out and out[-1] in ((n, g), (n, a)):  # the negation is a run of its own: joined
                        out[-1] = (n, b)
                        continue
                    if not out or out[-1][1] <= n:
                        a = n
        out.append((a, b))
    return out


#: Words a negation reaches over to what it negates: adverbs of manner and degree, the passive 被, modal verbs and
#: verbs of perception ("没怎么去", "没那么好吃", "别被骗", "没觉得差别"), not a word the negation itself negates
#: ("不高兴|还要": the phrase after is no longer negated).
_BETWEEN_NEGATION = frozenset(
    "怎么 怎样 那么 这么 太 很 特别 多 再 被 会 能 想 敢 明显 感觉 觉得 知道 怎么样 一直 完全 真 真的".split()
)


def _keeps_its_way(total: Callable[[int, int], float], a: int, b: int, n: int) -> bool:
    """Whether the run ``[a, b)`` widened to ``n`` still pushes the way it did, by at least MIN_PHRASE_WEIGHT."""
    before, after = total(a, b), total(n, b)
    return abs(after) >= MIN_PHRASE_WEIGHT and (after > 0) == (before > 0)


#: Digits and the separators of a number only: a number ("1.2", "12,999") or a piece of one (the ".0" of "2.0" left
#: when a cue holds the "2").
_NUMBER_PIECE_RE = re.compile(r"[.．,]?\d+(?:[.．,]\d+)*[.．,]?")


#: A time alone ("00:12", "15：00"): read as a number, never a phrase of its own.
_TIME_RE = re.compile(_TIME)


def _is_number(text: str) -> bool:
    return text.isdigit() or _NUMBER_PIECE_RE.fullmatch(text) is not None or _TIME_RE.fullmatch(text) is not None


def _leads_on(raw: str, a: int, b: int) -> bool:
    """Whether the word ``raw[a:b]`` is a number that belongs to the word after it: digits written against a
    letter ("云南6天5" of "6天5晚", "0购物0" of "0购物0自费"), the count of what follows."""
    return _is_number(raw[a:b]) and b < len(raw) and raw[b].isalpha()


#: Measure words and units a number written against them counts ("16管", "5斤", "3条", "2小时").
_MEASURES = frozenset(
    "个 只 条 件 款 种 管 支 瓶 罐 斤 克 公斤 千克 块 元 次 天 周 月 日 号 点 分 秒 小时 分钟 节 张 本 片 盒 包 袋 杯 "
    "碗 份 双 套 位 家 层 度 岁 年 台 锅 晚 名 遍 趟 场 顿 间 辆 部 颗 粒 根 枚 箱 桶 副 届 期 集 页 整天 圈 批".split()
)


#: A count alone: a number in digits or Chinese numerals, with at most one measure word ("三千", "一台", "四个",
#: "两个月" no: "两个" and "月" are two words). As wording it tells a writer nothing to change; as a price the price
#: cue reads it.
_COUNT_RE = re.compile(
    r"[\d零〇一二两三四五六七八九十百千万亿几半]+多?(?:" + "|".join(sorted(_MEASURES, key=len, reverse=True)) + ")?多?"
)


def _is_count(word: str) -> bool:
    return _COUNT_RE.fullmatch(word) is not None


#: Words a measure word after them belongs to as to a number: "这|款面膜" is "this (model of) mask".
_DEMONSTRATIVES = frozenset("这 那 此 该 每 哪 某".split())


def _counted(raw: str, a: int, b: int) -> bool:
    """Whether the word ``raw[a:b]`` is a measure word a number or a demonstrative written against it counts
    ("16|管的", "5|斤微胖", "这|款面膜"): a phrase starting on it has cut it from what it belongs to."""
    return 0 < a and (raw[a - 1].isdecimal() or raw[a - 1] in _DEMONSTRATIVES) and raw[a:b] in _MEASURES


def _leans_on_next(raw: str, a: int, b: int) -> bool:
    """Whether the last word ``raw[a:b]`` of a phrase leans on what follows: a word of :data:`_NO_END` (but not the
    一 of a number word, "双十|一", nor one that ends its clause, "买二送|一，": it counts nothing after it), a number
    counting the next word (:func:`_leads_on`), or the first half of a question "X不X" ("三天过|不|过敏")."""
    word = raw[a:b]
    if word in _NO_END:
        return not (word == "一" and ((a > 0 and raw[a - 1] in _NUMERALS) or not raw[b : b + 1].isalnum()))
    return _leads_on(raw, a, b) or (raw[b : b + 1] == "不" and raw[b + 1 : b + 2] == word[:1])


def _trim(runs: list[tuple[int, int]], bounds: list[int], raw: str) -> list[tuple[int, int]]:
    """Each run snapped to ``bounds`` without leaning words at its start (:data:`_NO_START`, or the word a number
    before it counts, :func:`_counted`) or end (:func:`_leans_on_next`); a run keeps at least one word. A run not on
    word bounds (widening stopped at a cue) is kept."""
    out = []
    for a, b in runs:
        i, j = bisect_left(bounds, a), bisect_left(bounds, b)
        if bounds[i] != a or bounds[j] != b:  # not on word bounds (snapping stopped at a cue): left as it is
            out.append((a, b))
            continue
        if i < j - 1 and _counted(raw, a, bounds[i + 1]):
            i += 1
        while i < j - 1 and raw[bounds[i] : bounds[i + 1]] in _NO_START:
            i += 1
        while i < j - 1 and _leans_on_next(raw, bounds[j - 1], bounds[j]):
            j -= 1
        a, b = bounds[i], bounds[j]
        out.append((a, b))
    return out


#: Words that end the word before them: "学生|党" (students), "懒人|党". A phrase starting on one has cut it from
#: the word it belongs to ("党也能冲").
_SUFFIXES = frozenset("党 族 控 星人 专业户".split())
#: The resultative or potential complement of a verb: "找|不到", "玩|不够", "回复|不|过来". A phrase ending on the
#: verb has cut the verb from the half that says what happens ("不用担心找" of "不用担心找不到车").
_COMPLEMENTS = frozenset("不到 不够 不完 不了 不起 不动 不住 不下 不清 不懂 不见 不着 不来 不出".split())
#: The directional complements written as a word after a separate 不: "回复|不|过来".
_DIRECTIONS = frozenset("过来 过去 出来 出去 起来 下去 上去 进去 回来 回去".split())
#: Currency words a number is split around ("9|块|9": 9.9 yuan).
_CURRENCY_WORDS = frozenset("块 元 毛".split())


def _whole_words(
    runs: list[tuple[int, int]],
    bounds: list[int],
    raw: str,
    ok: np.ndarray,
    total: Callable[[int, int], float],
    marked: bool = False,
) -> list[tuple[int, int]]:
    """Each run on word bounds widened over what the segmenter cut from it, when that is the writer's own words
    (``ok``) and the phrase then still pushes the same way with at least :data:`MIN_PHRASE_WEIGHT`: a suffix it
    starts on takes the word before ("学生党也能冲", :data:`_SUFFIXES`); a number after a currency word takes the
    number and currency before it ("9块9一提", not "9一提"); a verb it ends on takes its complement ("找不到",
    :data:`_COMPLEMENTS`, :data:`_DIRECTIONS`). A run it then reaches is joined to it. ``marked``: the text has
    combining marks on its characters ("不́够́"), read without them."""
    out: list[tuple[int, int]] = []
    last = len(bounds) - 1

    def word(k: int) -> str:
        w = raw[bounds[k] : bounds[k + 1]]
        return CJK_MARKS_RE.sub("", w) if marked else w

    for a, b in runs:
        i, j = bisect_left(bounds, a), bisect_left(bounds, b)
        a2, b2 = a, b
        if bounds[i] == a and bounds[j] == b:
            if i > 0 and word(i) in _SUFFIXES:
                a2 = bounds[i - 1]
            elif i > 1 and _is_number(word(i)) and word(i - 1) in _CURRENCY_WORDS and _is_number(word(i - 2)):
                a2 = bounds[i - 2]
            if j < last and word(j) in _COMPLEMENTS:
                b2 = bounds[j + 1]
            elif j < last - 1 and word(j) == "不" and word(j + 1) in _DIRECTIONS:
                b2 = bounds[j + 2]
            if (a2, b2) != (a, b) and ok[a2:a].all() and ok[b:b2].all():
                before, after = total(a, b), total(a2, b2)
                if abs(after) >= MIN_PHRASE_WEIGHT and (after > 0) == (before > 0):
                    a, b = a2, b2
        if out and a < out[-1][1]:
            out[-1] = (out[-1][0], max(b, out[-1][1]))
        else:
            out.append((a, b))
    return out


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
            if category == EMOJI_UNIT:  # shown as the writer's words are: by the way it pushes, if strong enough
                if abs(total) < MIN_PHRASE_WEIGHT:
                    ok[a:b] = False
                    continue
                category = "wording" if total > 0 else "personal"
            elif category == "personal" and total > 0:
                # A writer's "#无广分享" the model weighs towards ad (the hashtag, not the claim, which the document
                # deletes): "个人体验 → ad" would contradict itself; it is wording that reads as ads do.
                category = "wording"
            units.append((a, b, category, total))
        for a, b, _, _ in units:
            ok[a:b] = False
        # Words, negations and function words are read in simplified characters, as the model reads them (the
        # conversion keeps every offset); the phrase quotes the characters as typed.
        simple = to_simplified(f.raw)
        bounds: list[int] | None = None
        if has_symbol_cue(units, simple):  # few notes: "附链接🔗"
            bounds = _word_bounds(simple, segment) if segment is not None else None
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
            bounds = _word_bounds(simple, segment)
        if bounds is not None:
            ok = _time_colons_ok(simple, ok)
            runs = _trim(_snap(runs, bounds, ok), bounds, simple)
            runs = _whole_words(runs, bounds, simple, ok, partial(_total, w, values), f.marked)
            runs = _with_negation(
                _close_negation(runs, bounds, simple, ok), bounds, simple, ok, partial(_total, w, values)
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
                or _is_number(word)
                or _is_count(word)
                or only_function_words(word)
            ):
                continue
            out.append(Highlight(f.name, a, b, text, round(total, 4), "wording" if total > 0 else "personal"))
    out.sort(key=lambda h: (-abs(h.weight), h.field, h.start))
    return out
