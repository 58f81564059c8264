"""Explainable commercial-promotion cues found in normalised note text.

Each cue kind is a named regular expression with a human-readable label. Cues feed the classifier as
placeholder tokens (``⟦cue:wechat⟧``) and are reported as reasons, so a writer can see exactly which words of
the note looked commercial. Patterns run on text already passed through :func:`model.text.normalize_text`
(NFKC, lower case), so full-width digits and letters are covered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SEP = r"[\s\-_.·•,，/|~—–]*"  # separators used to split digits so filters miss them


@dataclass(frozen=True)
class CuePattern:
    name: str
    label: str
    pattern: re.Pattern[str]
    replace: bool = False  # contact details: the literal value is replaced by the placeholder


@dataclass(frozen=True)
class Cue:
    name: str
    label: str
    text: str
    start: int
    end: int


def _p(regex: str) -> re.Pattern[str]:
    return re.compile(regex)


_DEFS = [
    CuePattern(
        "url",
        "link / URL",
        _p(r"(?:https?://|www\.)[^\s⟦⟧]+|\b[a-z0-9][a-z0-9-]{1,30}\.(?:com|cn|net|top|cc|xyz|vip|shop)\b[^\s⟦⟧]*"),
        replace=True,
    ),
    CuePattern(
        "wechat",
        "WeChat contact",
        _p(
            r"(?:(?:加|\+|➕)\s*(?:v信|vx|wx|微信|薇信?|威信|v)|v信|vx|wx(?=[:：\s]*[a-z0-9])|威信|薇信|微信号?|"
            r"wechat|绿泡泡|薇(?=[:：\s]*[a-z0-9])|(?<![a-z])v(?=[:：]\s*[a-z0-9]))"
            r"(?:[:：\s]*(?:[a-z][-_a-z0-9]{4,19}|(?:\d" + _SEP + r"){5,11}\d))?"
        ),
        replace=True,
    ),
    CuePattern(
        "qq",
        "QQ contact",
        _p(r"(?:qq|扣扣|企鹅)(?:群|号)?[:：\s]*(?:\d" + _SEP + r"){4,10}\d|(?:qq|扣扣)群"),
        replace=True,
    ),
    CuePattern(
        "phone",
        "phone number",
        _p(r"(?<!\d)(?:1[3-9](?:" + _SEP + r"\d){9}|0\d{2,3}-\d{7,8}|400" + _SEP + r"\d{3}" + _SEP + r"\d{4})(?!\d)"),
        replace=True,
    ),
    CuePattern(
        "price",
        "price or discount",
        _p(
            r"[¥￥$]\s*\d|\d+(?:\.\d+)?\s*(?:元|块钱|rmb)|原价|现价|到手价|券后|优惠券|领券|\d(?:\.\d)?折|打折|"
            r"折扣|包邮|秒杀|特价|限时|满\d+减|立减|低至|价格表|拼团"
        ),
    ),
    CuePattern(
        "call_to_action",
        "call to action",
        _p(
            r"链接|🔗|私信|私我|滴滴我|dd我|主页|橱窗|评论区(?:见|扣|留言|回复)?|下单|点击|戳|扫码|咨询|预约|报名|"
            r"蹲一个|有需要的|需要的(?:宝|姐妹|朋友)|后台|购买|入手|想要同款"
        ),
    ),
    CuePattern(
        "merchant",
        "merchant vocabulary",
        _p(
            r"厂家|工厂|源头|批发|定制|加盟|招商|代理|门店|店铺|实体店|地址[:：]|营业时间|工作室|接单|承接|团购|"
            r"本店|我们店|小店|旗舰店|官方"
        ),
    ),
    CuePattern(
        "disclosure",
        "sponsorship or collaboration",
        _p(r"品牌合作|合作|赞助|广告|推广|推荐官|恰饭|商单|甲方|激励计划|合伙人|体验官|种草官"),
    ),
    CuePattern(
        "giveaway",
        "giveaway / lucky draw",
        _p(r"抽奖|开奖|抽\d+|送\d+份|免费送|福利|中奖|转发抽|关注\+|评论抽"),
    ),
    CuePattern(
        "sales_tone",
        "sales-pitch phrase",
        _p(
            r"闭眼入|谁用谁知道|必入|必买|必备|冲鸭|冲就完了|手慢无|回购|囤货|强烈推荐|安利|yyds|绝绝子|神器|天花板|宝藏"
        ),
    ),
]

CUE_PATTERNS: dict[str, CuePattern] = {c.name: c for c in _DEFS}
CUE_NAMES: tuple[str, ...] = tuple(CUE_PATTERNS)

# -- Pre-checks --------------------------------------------------------------------------------------------------
# Most notes contain no cue at all, yet running the ten patterns costs ~60 us on a 190-character note: several
# patterns open with a lookbehind, a ``\b`` or a mix of character classes, so the regex engine cannot skip ahead
# and tries every position. A *pre-check* is a cheap regex that is a NECESSARY condition for its kind: every
# non-empty match of the kind's pattern contains a match of the pre-check, so when the pre-check finds nothing the
# pattern cannot match either and is skipped. Pre-checks are alternations whose every branch starts with a literal
# character, which lets the engine scan for those characters quickly. They only decide what is *skipped*, never
# what is found; tests/test_prep_parity.py compares the results with the original, unchecked implementation.
# Kinds without an entry are already plain alternations of literals (fast to scan) and serve as their own check.
# Keep these in step with the patterns above when a pattern changes.
_PRECHECKS: dict[str, str] = {
    # "https://" / "http://" / "www." in the first branch; "." + a top-level domain in the second.
    "url": r"://|www\.|\.(?:com|cn|net|top|cc|xyz|vip|shop)",
    # Every branch contains "v", "wx", "微信", "薇", "威信", "wechat" or "绿泡泡".
    "wechat": r"v|wx|微信|薇|威信|wechat|绿泡泡",
    # Both branches start with "qq", "扣扣" or "企鹅".
    "qq": r"qq|扣扣|企鹅",
    # Each branch starts with "1", "0" or "4" followed by at least nine more digits with only separators between
    # them: 1[3-9] + 9 digits, 0 + 2-3 digits + "-" + 7-8 digits, 400 + 3 + 4 digits ("-" is a separator).
    "phone": "|".join(rf"{first}(?:{_SEP}\d){{9}}" for first in "014"),
    # Every branch contains a currency sign, 元/块钱/rmb, 折, 满 + digit, or one of the literal words.
    "price": r"¥|￥|\$|元|块钱|rmb|原价|现价|到手价|券后|优惠券|领券|折|包邮|秒杀|特价|限时|满\d|立减|低至|价格表|拼团",
}

#: (pattern, pre-check or None) in the order of ``_DEFS``, which decides contact-detail precedence.
_SCAN: tuple[tuple[CuePattern, re.Pattern[str] | None], ...] = tuple(
    (c, re.compile(_PRECHECKS[c.name]) if c.name in _PRECHECKS else None) for c in _DEFS
)
# Union of every kind's pre-check (or pattern): no match means no cue of any kind, the common case, decided in one
# fast scan. Joined without wrapping groups so that every top-level branch still starts with a literal.
_ANY_CUE_RE = re.compile("|".join(_PRECHECKS.get(c.name, c.pattern.pattern) for c in _DEFS))


def cue_spans(text: str) -> list[tuple[int, str, int, str]]:
    """Cue matches in ``text`` as ``(start, name, end, matched text)`` tuples, ordered by (start, name): what
    :func:`find_cues` reports, without building :class:`Cue` objects (the document builder needs no more)."""
    if _ANY_CUE_RE.search(text) is None:
        return []
    found: list[tuple[int, str, int, str]] = []
    claimed: list[tuple[int, int]] = []
    for cue, precheck in _SCAN:
        if precheck is not None and precheck.search(text) is None:
            continue
        for m in cue.pattern.finditer(text):
            start, end = m.span()
            if start == end:
                continue
            if cue.replace:
                if any(start < e and s < end for s, e in claimed):
                    continue
                claimed.append((start, end))
            found.append((start, cue.name, end, m.group()))
    # (start, name) is unique: matches of one kind never share a start. So the tuples sort by (start, name) alone.
    found.sort()
    return found


def find_cues(text: str) -> list[Cue]:
    """All cue matches in a normalised text, ordered by position, non-overlapping within a kind.

    Contact-detail kinds (url, phone, wechat, qq) take precedence: a span claimed by one of them is not also
    reported as another contact kind.
    """
    return [Cue(name, CUE_PATTERNS[name].label, matched, start, end) for start, name, end, matched in cue_spans(text)]


def cue_counts(text: str) -> dict[str, int]:
    """Count of each cue kind in a normalised text (every kind present, zero when absent)."""
    counts = dict.fromkeys(CUE_NAMES, 0)
    for _, name, _, _ in cue_spans(text):
        counts[name] += 1
    return counts
