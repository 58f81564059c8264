"""What a writer is shown: the categories of evidence, the thresholds that decide what is worth showing, and
the highlight and reason records."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from model.cue_patterns import CAMPAIGN_WORDS
from model.simplified import to_simplified
from model.text import CLEANUP_RE, clean_up, fold_nfkc, normalize_text

#: Writer-facing categories: code -> (Chinese, English).
CATEGORIES: dict[str, tuple[str, str]] = {
    "contact": ("联系方式", "contact details"),
    "link": ("链接导流", "links"),
    "channel": ("购买渠道", "shops and sales channels"),
    "price": ("价格优惠", "price or discount"),
    "amount": ("价格", "prices"),
    "call_to_action": ("购买引导", "call to action"),
    "brand": ("品牌推广", "brand campaign"),
    "festival": ("购物节话题", "shopping-festival topic"),
    "brand_name": ("品牌与产品名", "brand or product names"),
    "merchant": ("商家用语", "merchant wording"),
    "place": ("地址与营业时间", "address or opening hours"),
    "disclosure": ("合作披露", "sponsorship disclosure"),
    "giveaway": ("抽奖福利", "giveaway or lucky draw"),
    "sales_tone": ("推销话术", "sales-pitch phrase"),
    "hashtag": ("话题标签", "hashtags"),
    "mention": ("@提及", "@mentions"),
    # The writer's other words, towards ad (wording) or genuine (personal), with the direction beside them. Their
    # reasons are named for what they are, the model's leaning (reasons.DIRECTED_LABELS): as 用词 "wording" alone
    # they read as a judgement of the writer's words, and 个人体验 "personal experience" called “其中”, “本期” or
    # a product's name an experience.
    "wording": ("用词", "words"),
    "personal": ("用词", "words"),
    # the platform's emoji codes, [笑哭R], [doge]: a writer-eye review found them told 个人体验 or 用词
    "emoji": ("表情", "emoji"),
}

_CUE_CATEGORY = {
    "wechat": "contact",
    "qq": "contact",
    "email": "contact",
    "phone": "contact",
    "url": "link",
    "price": "price",
    "call_to_action": "call_to_action",
    "merchant": "merchant",
    "disclosure": "disclosure",
    "giveaway": "giveaway",
    "sales_tone": "sales_tone",
    "repeated_brand_tag": "brand",
    "brand_mention": "brand_name",
    "brand_mention_latin": "brand_name",
    "product_model": "brand_name",
    # 专柜 (a brand's counter), 旗舰店, 直播间, 小程序, 官网: where to buy, named by honest notes too ("专柜价太贵了");
    # as "links and shop funnels" a writer who never posted a link read that they had funnelled readers to one
    "shop_funnel": "channel",
    "no_ad_claim": "personal",
}

#: A note's features carried back to the text: the strongest by |contribution|, at least MIN_FEATURES of them and
#: more until they carry COVERED_SHARE of the note's whole |contribution|, at most MAX_FEATURES. A fixed 64 left a
#: long note's reasons with a small part of its score (a flagged note of 800+ characters: its reasons towards ad
#: summed to a median +1.29 log-odds, against +3.06 for notes under 200; the features never carried back held about
#: two thirds of it): the reasons a writer read did not account for the verdict. Carrying all of them costs a 300-
#: character check 45% more time; 60% of the share, 15% (benchmarks in the findings).
MIN_FEATURES = 64
MAX_FEATURES = 256
COVERED_SHARE = 0.6
#: Highlights one check returns at most, strongest first: a note repeating a cue between other words thousands of
#: times would otherwise get a response as long as itself, and no writer reads past the first few dozen.
MAX_HIGHLIGHTS = 100
#: Evidence longer than this is quoted by its start in a reason's one-line text and in the advice.
QUOTE_CHARS = 24
#: A character whose attributed weight is below this (log-odds) belongs to no phrase.
MIN_CHAR_WEIGHT = 0.004
#: A phrase of the writer's words lighter than this (log-odds) is not shown.
MIN_PHRASE_WEIGHT = 0.02

#: Words that carry grammar, not content: never shown on their own.
FUNCTION_WORDS = frozenset(
    (
        "了 的 和 与 及 是 在 也 就 都 很 还 又 吗 吧 啊 呢 哦 呀 嘛 啦 着 过 把 被 让 给 从 对 这 那 个 一 "
        "我 你 他 她 它 们 有 不 没 会 能 要 去 来 说 到 上 下 里 得 地 之 而 或 但 "
        "就是 还是 一个 这个 那个 我们 你们 他们 自己 什么 怎么 然后 因为 所以 如果 可以 已经 真的 非常 比较 "
        "一下 一些 还有 没有 不是 之前 以前 之后 以后 但是 不过 一直 那种 这种 平时 还能 其实 "
        # adverbs of time and mood a writer cannot act on alone ("现在" was a main reason in advice)
        "现在 原来 正在 一定 的话 时候 后来 只是 其他 有点 即可 刚刚 这条 不少 好了 一共 里面 已经 居然 "
        # English: articles, pronouns, auxiliaries, prepositions, conjunctions and degree words, which a note in
        # English or mixing it in has as many of as a Chinese one has 的 and 了 ("what", "me", "much" were shown)
        "the a an and or but nor so if as than then too very of to in on at by for with from into about over "
        "under up down out off is it its am are was were be been being do does did have has had will would can "
        "could shall should may might must i me my mine we us our you your he him his she her they them their "
        "this that these those what which who whom whose when where why how there here all any both each some "
        "such no not only just also more most much many own same again once "
        # the "vs" of a comparison ("小棕瓶 vs 小黑瓶"), which a writer-eye review found shown as 个人体验
        "vs versus"
    ).split()
)


#: The longest Chinese function word (of :data:`FUNCTION_WORDS`), in characters.
_LONGEST_CJK_FUNCTION = max(len(w) for w in FUNCTION_WORDS if not w.isascii())
#: Every character of a Chinese function word: a word holding any other is no run of them, which most phrases are
#: not (checked before the search for a reading: a check asks about a dozen to twenty phrases, about 6 us each).
_FUNCTION_CHARS = frozenset(c for w in FUNCTION_WORDS if not w.isascii() for c in w)


def only_function_words(word: str) -> bool:
    """Whether ``word`` is made of function words alone (:func:`is_function_word`, or Chinese ones written
    together: 我的, 就能, 给你, 来啦, 也不是), which tell a writer nothing: each alone was never shown, two together
    were (我的 in 123 notes' highlights)."""
    if is_function_word(word):
        return True
    if any(c.isascii() for c in word):  # Latin words are told apart by spaces, which no phrase of them lacks
        return False
    if not _FUNCTION_CHARS.issuperset(word):
        return False
    # the ways to read word[:i] as function words, shortest pieces last: a note's phrase is a few characters long
    ok = [True] + [False] * len(word)
    for i in range(1, len(word) + 1):
        ok[i] = any(ok[j] and word[j:i] in FUNCTION_WORDS for j in range(max(0, i - _LONGEST_CJK_FUNCTION), i))
    return ok[-1]


def is_function_word(word: str) -> bool:
    """Whether ``word`` is a function word as the model reads it: full-width and styled Latin (ＭＹ, 𝓶𝔂) fold to
    ASCII first, as normalisation folds them, so a styled title hides the same words as a plain one."""
    if word.lower() in FUNCTION_WORDS:
        return True
    # only full-width and styled letters (U+FF21 on, 𝓶 in U+1D400 on) fold to other words; Chinese never needs it
    return not word.isascii() and max(word) >= "\uff01" and fold_nfkc(word).lower() in FUNCTION_WORDS


#: A campaign hashtag that is a shopping festival's topic, not a brand's: it opens with the festival (#双十一,
#: #双11必买清单, #1年1度购物狂欢, #618好物), as the platform's own topics do. Writers tag them on honest hauls
#: too (#双十一变美众测局 on a note saying "无广！"), and "brand campaign" told such a writer they had run one.
#: A festival tag naming a brand (#兰蔻双十一, #京东双十一…), opening with one (#小米科技年货节) or holding another
#: campaign word (#双十一超级品牌日, #618官方旗舰店, #双十一宠粉福利) stays ``brand``. Not 618 or 11 before another
#: digit or a price (#6188, #618元入手).
_FESTIVAL_TOPIC_RE = re.compile(
    r"#(?:我的|1年1度|一年一度)?(?:双11|双十一|618|年货节|购物节|购物狂欢|好物节|大促)(?![\d元块])"
)
#: The festival words of :data:`model.cue_patterns.CAMPAIGN_WORDS`, taken out before looking for another; 购物狂欢
#: whole first, or 狂欢 alone would leave the 购物节 of "#双十一购物狂欢节" to be read as another campaign word.
_FESTIVAL_WORD_RE = re.compile(r"双11|双十一|618|年货节|购物狂欢|购物节|狂欢|好物节|大促")
_CAMPAIGN_RE = re.compile(CAMPAIGN_WORDS)


def is_festival_topic(tag: str) -> bool:
    """Whether the hashtag ``tag`` (as sent, ``#双十一[话题]#`` or ``#双十一``) opens with a shopping festival and
    holds no other campaign word. Read as the model reads it (:func:`~model.text.normalize_text`: ＃雙１１, a
    zero-width space inside)."""
    norm = normalize_text(tag)
    return _FESTIVAL_TOPIC_RE.match(norm) is not None and _CAMPAIGN_RE.search(_FESTIVAL_WORD_RE.sub("", norm)) is None


#: The marketplaces and booking platforms of the brand lexicon (``model/lexicons/brands.txt``, normalised): where
#: a writer bought or booked, shown as ``channel`` (购买渠道), as 淘宝 and 旗舰店 (the ``shop_funnel`` cue) are, not
#: as a brand named: a walkthrough's parent, "在天猫买的，270一罐", was told 品牌与产品名 “天猫”, and a seller on 闲鱼
#: the same. Only the category shown changes; the model reads them as it did.
MARKETPLACES = frozenset(
    "天猫 京东 拼多多 淘宝 得物 唯品会 闲鱼 美团 饿了么 携程 飞猪 去哪儿网 去哪儿旅行 同程 大众点评".split()
)


#: What is left of a price cue that is an amount alone ("¥49", "1,299元", "4块钱") once its digits, currency signs
#: and units are gone: nothing. "价格优惠" told a writer listing what they paid for a rented flat's furniture
#: (¥49、¥99、¥35) that they had offered a discount; an offer (原价, 8折, 满300减50, 领券) keeps that name.
_AMOUNT_PARTS_RE = re.compile(r"[\d\s.,，、¥￥$]+|元|块钱|块|rmb")
#: Merchant words that label a fact of a place: where it is and when it opens. A diner's tip gives them as a shop
#: does ("地址：愚园路123号"): "商家用语" told a café's visitor that they wrote as the café would.
PLACE_FACTS = frozenset({"地址", "营业时间"})


def cue_category(name: str, text: str | None = None) -> str:
    """The writer-facing category of a cue kind; ``text``, the characters it matched as sent, when known. A brand or
    product named is ``brand_name``: an honest comparison names brands too, and "brand campaign" would tell its
    writer they ran one (so is a brand's @mention, shown whole by :mod:`model.highlights.fields`: a writer may tag a
    brand to complain); a marketplace of the lexicon (:data:`MARKETPLACES`) is ``channel``. The cues of a campaign
    (its hashtags, a brand repeated across title, hashtags and text) are ``brand``. A price that is an amount alone
    is ``amount`` (价格), not a discount; an address or opening hours (:data:`PLACE_FACTS`) is ``place``, not
    merchant wording. Only the category shown changes: the model reads every one of them as it did."""
    if text is not None:
        if name == "brand_mention" and normalize_text(text) in MARKETPLACES:
            return "channel"
        if name == "price":
            norm = normalize_text(text)
            # an amount of nothing (0元, ¥0.00) is no price paid: it is "free", an offer
            if not _AMOUNT_PARTS_RE.sub("", norm) and any(c in "123456789" for c in norm):
                return "amount"
        # read as the model reads them: a Taiwanese diner's 營業時間 too
        if name == "merchant" and to_simplified(normalize_text(text).strip(":： ")) in PLACE_FACTS:
            return "place"
    if name in _CUE_CATEGORY:
        return _CUE_CATEGORY[name]
    return "brand" if name.startswith("brand") else "wording"


# A check builds dozens of these records. The __init__ a frozen dataclass generates stores each field with its own
# object.__setattr__ call; the ones below store them all with one (the same instance, at half the cost).
# tests/test_highlights_equivalence.py checks each __init__ against the fields.
_set = object.__setattr__


@dataclass(frozen=True, init=False)
class Span:
    """``text == note[field][start:end]`` of the note as it was sent."""

    field: str
    start: int
    end: int
    text: str

    def __init__(self, field: str, start: int, end: int, text: str) -> None:
        _set(self, "__dict__", {"field": field, "start": start, "end": end, "text": text})

    def to_dict(self) -> dict[str, Any]:
        """``{field, start, end, text}``: the span as the API, ``score`` rows and the database give it."""
        return dict(self.__dict__)


@dataclass(frozen=True, init=False)
class Highlight:
    field: str
    start: int
    end: int
    text: str
    weight: float  # contribution to the log-odds; positive pushes towards "ad"
    category: str

    def __init__(self, field: str, start: int, end: int, text: str, weight: float, category: str) -> None:
        _set(
            self,
            "__dict__",
            {"field": field, "start": start, "end": end, "text": text, "weight": weight, "category": category},
        )

    @property
    def span(self) -> Span:
        return Span(self.field, self.start, self.end, self.text)

    def to_dict(self) -> dict[str, Any]:
        """``{field, start, end, text, weight, category}``: the highlight as the API gives it."""
        return dict(self.__dict__)


#: The line breaks str.splitlines finds.
_LINE_BREAKS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")
#: A line break with the whitespace around it: tried where a run of whitespace starts, which the whole run's match
#: starts at anyway (tried from every space of a long run, it read the rest of the run each time: the square of it).
_LINE_BREAK_RE = re.compile(r"(?<!\s)\s*(?:\r\n|[" + "".join(sorted(_LINE_BREAKS)) + r"])\s*")


def one_line(text: str) -> str:
    """Evidence ``text`` as a quote on one line: each line break, with the whitespace around it, one space. A
    phrase of text spaced out line by line ("加\\n微\\n信") is quoted "加 微 信"; its span keeps the text as sent."""
    if _LINE_BREAKS.isdisjoint(text):  # most quotes: nothing to replace, and no regex to run
        return text
    return _LINE_BREAK_RE.sub(" ", text)


#: A platform topic tag as the note's export writes it, ``#宜家[话题]#``: the writer typed ``#宜家`` and picked the
#: topic; ``[话题]#`` is the platform's markup, which no writer sees in the app.
#: The name is up to 40 code points of anything but "#", brackets, whitespace and U+FEFF (a zero-width no-break
#: space, which JavaScript, unlike Python, calls whitespace). The API sends the quotes (a reason's ``quotes``, the
#: declaration's ``quoted``), so that no page needs a rule of its own.
_PLATFORM_TAG_RE = re.compile(r"#([^#\[\]\s\x1c-\x1f\x85\ufeff]{1,40})\[话题\]#")


def unmarked_tags(text: str) -> str:
    """``text`` with each platform topic tag as typed: “#宜家”, not “#宜家[话题]#”."""
    return _PLATFORM_TAG_RE.sub(r"#\1", text) if "[话题]#" in text else text


def as_quoted(text: str) -> str:
    """Evidence ``text`` as the writer is shown it in a quote: on one line (:func:`one_line`), a platform topic tag
    as typed (:func:`unmarked_tags`), without the invisible characters the model reads past (zero-width, direction
    marks, controls: :data:`model.text.CLEANUP_RE`). A right-to-left override typed in "加\u202e微信" went into the
    advice unclosed and turned the rest of its sentence around on any page showing it. Only the quote: the evidence
    span keeps the text as sent."""
    shown = unmarked_tags(one_line(text))
    if CLEANUP_RE.search(shown):  # most quotes: nothing to delete
        # as normalize_text reads them: NFKC first, which makes a narrow no-break space a space ("Estée\u202fLauder"
        # is two words), then its clean-up (zero-width and direction marks deleted, control characters a space)
        shown = clean_up(shown.replace("\u202f", " ")) or shown
    # a cue of a label and its colon ("地址：", "微信:") is quoted as the label: the colon opens what follows
    return shown[:-1] if len(shown) > 2 and shown[-1] in "：:" else shown


def quote_key(shown: str) -> str:
    """What makes two quotes of evidence (each on one line, :func:`one_line`) one word to the writer: the same text in
    another case or width ("My", "my"; "ＶＸ", "vx"). NFKC is skipped where it changes nothing (ASCII)."""
    return (shown if shown.isascii() else unicodedata.normalize("NFKC", shown)).casefold()


@dataclass(frozen=True, init=False)
class ReadableReason:
    category: str
    label_zh: str
    label_en: str
    direction: str  # "ad" or "genuine"
    weight: float
    evidence: tuple[Span, ...]

    def __init__(
        self, category: str, label_zh: str, label_en: str, direction: str, weight: float, evidence: tuple[Span, ...]
    ) -> None:
        _set(
            self,
            "__dict__",
            {
                "category": category,
                "label_zh": label_zh,
                "label_en": label_en,
                "direction": direction,
                "weight": weight,
                "evidence": evidence,
            },
        )

    def quotes(self) -> list[str]:
        """The distinct evidence texts as the writer is shown them (:func:`as_quoted`), strongest first: a phrase
        the note repeats once, and one held in another quoted phrase ("煮20" beside "煮20分钟") not again. What
        the API sends as a reason's ``quotes``, and what every quote of the reason is made from."""
        # Worked out once per reason: the advice, check's lines and the API's quotes all ask (the reason is frozen,
        # and the attribute is no field: equality and repr are unchanged)
        found = self.__dict__.get("_quotes")
        if found is None:
            # the same word in another case or width ("My", "my"; "ＶＸ", "vx") is quoted once, as first written
            firsts: dict[str, str] = {}
            for e in self.evidence:
                shown = as_quoted(e.text)
                firsts.setdefault(quote_key(shown), shown)
            found = tuple(t for k, t in firsts.items() if not any(k in other and k != other for other in firsts))
            self.__dict__["_quotes"] = found
        return list(found)

    def quoted(self, n: int | None = None, sep: str = "、", *, besides: tuple[str, ...] = ()) -> str:
        """The first ``n`` of :meth:`quotes`, each in quotation marks; ``besides``: quotes the same sentence gives
        already, which are passed over (a word quoted beside its own hashtag, “美甲” after “#美甲”, says it twice),
        unless nothing else is left."""
        # a phrase of a thousand copies is quoted by its start: the span itself stays exact. Contact details are
        # quoted whole up to twice as long: what the writer is asked to change ("1 3 8 - 0 0 1 3 - 8 0 0 0", 25
        # characters, was quoted "1 3 8 - 0 0 1 3 - 8 0 0…", its number cut)
        most = 2 * QUOTE_CHARS if self.category == "contact" else QUOTE_CHARS
        shown = self.quotes()
        if besides:
            given = {quote_key(q.lstrip("#＃")) for q in besides}
            shown = [q for q in shown if quote_key(q.lstrip("#＃")) not in given] or shown
        return sep.join(f"“{t if len(t) <= most else t[: most - 1] + '…'}”" for t in shown[:n])

    def text(self) -> str:
        """One line for a table, with its weight in log-odds (a moderator reading ``score``'s rows told "用词
        wording: “觉得”" at +0.03 from a festival tag at +2.49 by nothing): ``联系方式 contact details (+1.94):
        “加VX”、“微信”``."""
        return f"{self.label_zh} {self.label_en} ({self.weight:+.2f}): " + self.quoted()
