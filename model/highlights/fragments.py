"""Phrases that read as the writer's words, not fragments of them: runs of characters pushing the same way
trimmed of the words that lean on their neighbour (particles, conjunctions, counts) and widened over what the
segmenter cut from them (a negation, a suffix, a verb's complement)."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable

import numpy as np

from model.highlights.categories import MIN_PHRASE_WEIGHT
from model.highlights.word_bounds import TIME
from model.text import CJK_MARKS_RE

#: Words that lean on their neighbour: a phrase neither starts with a particle that ends the word before it
#: ("的网红", "了健身房"), a conjunction ("和颜色") or the 完 of a verb the segmenter cut ("用|完皮肤"), nor ends
#: with a conjunction, preposition, adverb, demonstrative or count that begins what follows ("膝盖和", "排队一",
#: "方法很", "面膜真的", "门票599一个"), nor with the 有 or 越 whose object or second half follows ("店最近有|满减",
#: "家具真的越|看越喜欢"), nor with the 的 that ties it to the noun after it ("单车的|车座子", "北京的|地铁"). A word
#: n-gram spanning them puts weight on them; shown, they read as fragments.
_NO_START = frozenset("了 的 得 地 着 过 之 们 个 吗 吧 啊 呢 哦 呀 嘛 啦 和 与 及 或 而 但 是 完".split())
_NO_END = frozenset(
    "和 与 及 或 而 但 也 就 都 很 还 又 把 被 让 给 从 对 在 是 一 这 那 第 有点 有些 比较 非常 特别 太 更 挺 "
    "真的 超 超级 巨 最 十分 相当 蛮 每 各 某 一个 一些 一点 一种 有 越 的 已经 居然 现在 每天 要 能 都能".split()
)
#: Words that lean on the word after them, when one follows in the clause: "适合各种|场合", "复刻旧款再|研究",
#: "少女感直接|拉满", "就容易|干燥", "这家店可以|吃", "抗老有多|明显", "都像|电影". A phrase ending on one takes that
#: word in (a measure word with the word it counts: "客厅像|个|装饰品"; :func:`whole_words`): trimmed instead, the
#: weight the model put on them would go unshown ("每一帧都像" +0.36, "每一帧" +0.10), and "不像" would be left a
#: bare negation ("味道变的不"). Ending a clause they are the writer's last word ("真的可以。").
_BEFORE_A_WORD = frozenset("各种 再 直接 容易 可以 多 像 就像 更像 好像 仿佛 如同 宛如 犹如".split())
#: Characters after which a 一 is a digit of a number word ("双十|一", "一百|一"), not the word 一 ("排队一").
_NUMERALS = frozenset("十百千万")


#: Negations: a phrase right after one takes it in, so the writer's "不推荐" is never quoted as "推荐" (the model may
#: still weigh the words towards ad; the phrase then says so with the words the writer wrote). A phrase ending on
#: one takes in the word it negates: "饮食不" and "规律" apart are a fragment and a word saying the opposite.
_NEGATIONS = frozenset(
    "不 没 没有 别 无 未 非 不要 不是 不会 不用 不太 并不 从不 绝不 从没 毫不 千万别 千万不要 千万不能 可别 别再 "
    "不再 再也不 永远不".split()
)


def close_negation(runs: list[tuple[int, int]], bounds: list[int], raw: str, ok: np.ndarray) -> list[tuple[int, int]]:
    """Each run on word bounds whose last word is a negation (:data:`_NEGATIONS`) widened over the word after it,
    when that word is the writer's own (``ok``) and does not itself lean on the next (:data:`_NO_END`: "没被",
    "不和" would be fragments again); a run it then reaches is joined to it. A run of the negation alone stays as it
    is: a function word, never shown alone, does not become a phrase by taking in its neighbour."""
    out: list[tuple[int, int]] = []
    for a, b in runs:
        j = bisect_left(bounds, b)
        if 0 < j < len(bounds) and bounds[j] == b and raw[bounds[j - 1] : b] in _NEGATIONS and bounds[j - 1] > a:
            if j < len(bounds) - 1 and ok[b : bounds[j + 1]].all() and raw[b : bounds[j + 1]] not in _NO_END:
                b = bounds[j + 1]
            else:  # what it negates cannot be taken ("问题不|在灯"): no phrase ends on a bare negation
                b = _without_leaning_end(bounds, raw, a, bounds[j - 1])
        if out and a < out[-1][1]:
            out[-1] = (out[-1][0], max(b, out[-1][1]))
        else:
            out.append((a, b))
    return out


def _without_leaning_end(bounds: list[int], raw: str, a: int, b: int) -> int:
    """The end of ``[a, b)`` (on word bounds) without the words at its end that lean on what follows
    (:func:`_leans_on_next`), keeping at least one word: where a phrase cut short now ends ("现在电话都|打" of
    "现在电话都打不通了" ends "现在电话")."""
    i, j = bisect_left(bounds, a), bisect_left(bounds, b)
    while i < j - 1 and _leans_on_next(raw, bounds[j - 1], bounds[j]):
        j -= 1
    return bounds[j]


def with_negation(
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
_TIME_RE = re.compile(TIME)


def is_number(text: str) -> bool:
    return text.isdigit() or _NUMBER_PIECE_RE.fullmatch(text) is not None or _TIME_RE.fullmatch(text) is not None


def _leads_on(raw: str, a: int, b: int) -> bool:
    """Whether the word ``raw[a:b]`` is a number that belongs to the word after it: digits written against a
    letter ("云南6天5" of "6天5晚", "0购物0" of "0购物0自费"), the count of what follows."""
    return is_number(raw[a:b]) and b < len(raw) and raw[b].isalpha()


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


def is_count(word: str) -> bool:
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


def trim(runs: list[tuple[int, int]], bounds: list[int], raw: str) -> list[tuple[int, int]]:
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
_COMPLEMENTS = frozenset("不到 不了 不起 不住 不下 不见 不来 不出 不上 不够 不着".split())
#: Complements that are no other word after a noun either: taken after a verb of any length ("打|不通", "看|不清").
#: (Not 不够 or 不上: after a noun they say "not enough" or "does not attend", "颜值|不够|高", "宝宝|不上|幼儿园".)
_PLAIN_COMPLEMENTS = frozenset("不通 不完 不动 不清 不懂".split())
#: Verbs of two characters that take 不上 ("联系|不上": cannot reach).
_SHANG_VERBS = frozenset("联系 登录 登陆 连接 接通".split())
#: The directional complements written as a word after a separate 不: "回复|不|过来".
_DIRECTIONS = frozenset("过来 过去 出来 出去 起来 下去 上去 进去 回来 回去".split())
#: Currency words a number is split around ("9|块|9": 9.9 yuan).
_CURRENCY_WORDS = frozenset("块 元 毛".split())

#: Adverbs that begin what follows them: "焦虑都可以先|暂停".
_ADVERBS = frozenset("先 才 便 却 也 再 还 又 就 都 刚 正 将 已".split())
#: Pronouns: "我|不住" is "I don't stay", no verb's complement.
_PRONOUNS = frozenset("我 你 您 他 她 它 咱".split())


def _stands_alone(raw: str, bounds: list[int], j: int) -> bool:
    """Whether the word ``j`` can end a phrase: it does not lean on the next word in turn ("可以|在", "都可以|先"),
    nor is it a count or measure word of what follows ("直接|三|色", "像|个|装饰品")."""
    a, b = bounds[j], bounds[j + 1]
    word = CJK_MARKS_RE.sub("", raw[a:b])
    return not (_leans_on_next(raw, a, b) or is_count(word) or is_number(word) or word in _MEASURES or word in _ADVERBS)


#: Words holding a 越 that is not the 越 of 越…越: "去越南越便宜" is no "越X越Y" from its first 越.
_NOT_YUE = frozenset(
    "越南 超越 卓越 优越 穿越 跨越 飞越 越野 越狱 越剧 翻越 逾越 越界 越级 越位 越过 清越 激越".split()
)
#: Likening words: they take the word after them only when it is a word of two or more characters ("都像|电影"),
#: not a verb cut from its object ("皮肤就像|剥|了壳").
_LIKENING = frozenset("像 就像 更像 好像 仿佛 如同 宛如 犹如".split())


def _complement_follows(raw: str, bounds: list[int], j: int, word: Callable[[int], str]) -> bool:
    """Whether the words from ``j`` are the complement of the verb ``j - 1`` ends on (never a pronoun: "我|不住"):
    one of :data:`_PLAIN_COMPLEMENTS` ("打|不通", "看|不清"), 不上 after :data:`_SHANG_VERBS` ("联系|不上"); one of
    :data:`_COMPLEMENTS` after a verb of one character ("找|不到", "玩|不够"; not "泳池|不住", "颜值|不够") and not
    before a number (不到 + a number is "less than": "店|不到|十点"); or 不 + a direction ("回复|不|过来")."""
    verb = word(j - 1)
    if verb in _PRONOUNS:
        return False
    if word(j) in _PLAIN_COMPLEMENTS or (word(j) == "不上" and verb in _SHANG_VERBS):
        return True
    if word(j) in _COMPLEMENTS:
        after = raw[bounds[j + 1] : bounds[j + 1] + 1]
        return len(verb) == 1 and not (after.isdigit() or is_count(after))
    return j < len(bounds) - 2 and word(j) == "不" and word(j + 1) in _DIRECTIONS


def whole_words(
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
    :func:`_complement_follows`); the first half of 越…越 takes its second ("能越卖越好"); a word of
    :data:`_BEFORE_A_WORD` takes the word after it, unless that one leans on the next in turn ("可以|在"), counts it
    ("直接|三|色") or is an adverb ("可以|先"). A run it then reaches is joined to it, so the widening is judged by
    the sum of all it joins. ``marked``: the text has combining marks on its characters ("不́够́"), read without
    them."""
    out: list[tuple[int, int]] = []
    last = len(bounds) - 1

    def word(k: int) -> str:
        w = raw[bounds[k] : bounds[k + 1]]
        return CJK_MARKS_RE.sub("", w) if marked else w

    for k, (a, b) in enumerate(runs):
        i, j = bisect_left(bounds, a), bisect_left(bounds, b)
        a2, b2 = a, b
        complement = False  # b2 takes the complement of the verb the run ends on
        if bounds[i] == a and bounds[j] == b:
            if i > 0 and word(i) in _SUFFIXES:
                a2 = bounds[i - 1]
            elif i > 1 and word(i - 1) in _CURRENCY_WORDS and is_number(word(i)) and is_number(word(i - 2)):
                a2 = bounds[i - 2]
            if j < last and _complement_follows(raw, bounds, j, word):
                b2 = bounds[j + 2] if word(j) == "不" else bounds[j + 1]
                complement = True
            elif j < last and word(j - 1) == "不错" and word(j) == "过":  # "不错过" (not miss), cut as 不错|过
                b2 = bounds[j + 1]
            elif (
                j < last - 1
                and word(j) == "越"
                and any("越" in word(n) and word(n) not in _NOT_YUE for n in range(i, j))
            ):  # the second half of 越…越: "越卖|越好"
                b2 = bounds[j + 2]
            elif j < last and word(j - 1) in _BEFORE_A_WORD and raw[b].isalnum():
                if _stands_alone(raw, bounds, j) and (word(j - 1) not in _LIKENING or len(word(j)) > 1):
                    b2 = bounds[j + 1]
                elif word(j) in _MEASURES and j + 1 < last and raw[bounds[j + 1]].isalnum():
                    if _stands_alone(raw, bounds, j + 1):  # "像|个|装饰品": the measure with what it counts
                        b2 = bounds[j + 2]
            if (a2, b2) != (a, b) and ok[a2:a].all() and ok[b:b2].all():
                # judged with the phrases it reaches, which it will be joined to: "也可以" taking 参考 would join
                # "参考一下" and turn its sum round (then too faint to show: the writer's words vanished)
                a3 = out[-1][0] if out and a2 < out[-1][1] else a2
                b3 = runs[k + 1][1] if k + 1 < len(runs) and b2 > runs[k + 1][0] else b2
                before, after = total(a, b), total(a3, max(b2, b3))
                if abs(after) >= MIN_PHRASE_WEIGHT and (after > 0) == (before > 0):
                    a, b = a2, b2
                elif complement and i < j - 1:
                    # a verb whose complement pushes the other way: the phrase without the verb, never the verb
                    # saying the opposite of what the writer wrote ("现在电话都打" of "现在电话都打不通了")
                    b = _without_leaning_end(bounds, raw, a, bounds[j - 1])
        if out and a < out[-1][1]:
            out[-1] = (out[-1][0], max(b, out[-1][1]))
        else:
            out.append((a, b))
    return out
