"""Phrases grouped into readable reasons, and the one sentence of advice for a flagged writer."""

from __future__ import annotations

import re

from model.highlights.categories import (
    CATEGORIES,
    MIN_PHRASE_WEIGHT,
    QUOTE_CHARS,
    Highlight,
    ReadableReason,
    Span,
    as_quoted,
    quote_key,
)
from model.simplified import to_simplified

#: Categories a reason towards "genuine" may have: a price or a call to action that happens to lower the
#: probability is shown as a green highlight, but "call to action" is no reason a note reads as genuine.
_GENUINE_CATEGORIES = frozenset({"personal", "wording", "hashtag", "mention", "emoji"})
#: What a writer can point to in the note: contact details, links, shops, offers and prices, calls to action,
#: merchant wording, addresses and opening hours, disclosures, giveaways. Wording, hashtags, @mentions and brand names
#: are in every note, honest or not: when the two strongest reasons towards ad are only of those, the advice also
#: names the strongest of these (a note told "用词 and 话题标签" did not learn that its "戳主页" counted too).
_CONCRETE_CATEGORIES = frozenset(
    {"contact", "link", "channel", "price", "amount", "call_to_action", "merchant", "place", "disclosure", "giveaway"}
)


#: The labels of the reasons whose evidence is no cue: the writer's other words, plain hashtags, emoji and @mentions
#: (of no brand's account), which the model weighs one way or the other for no rule a writer could point to. They
#: name the model's leaning, not a fact of the words: "用词 wording" read as a judgement of them ("mainly because of
#: the wording (“最近”)"); "多见于广告的用词" (more common in ads), tried next, stated a frequency the data often
#: contradicts (a writer-eye review: “想问” is in 0 of the 274 labelled ads and 4 honest notes; the weights are of
#: character n-grams, not of the phrase quoted). And a note's plain hashtags, emoji or @mentions leaning both ways
#: were two reasons of one name ("话题标签 +0.92" and "话题标签 −1.00"). A highlight keeps its category's short label
#: (用词, 话题标签, 表情, @提及), its direction beside it.
DIRECTED_LABELS: dict[tuple[str, str], tuple[str, str]] = {
    ("wording", "ad"): ("模型认为偏向广告的用词", "words the model associates with ads"),
    ("personal", "genuine"): ("模型认为偏向真实分享的用词", "words the model associates with honest sharing"),
    ("hashtag", "ad"): ("模型认为偏向广告的话题标签", "hashtags the model associates with ads"),
    ("hashtag", "genuine"): ("模型认为偏向真实分享的话题标签", "hashtags the model associates with honest sharing"),
    ("emoji", "ad"): ("模型认为偏向广告的表情", "emoji the model associates with ads"),
    ("emoji", "genuine"): ("模型认为偏向真实分享的表情", "emoji the model associates with honest sharing"),
    ("mention", "ad"): ("模型认为偏向广告的@提及", "@mentions the model associates with ads"),
    ("mention", "genuine"): ("模型认为偏向真实分享的@提及", "@mentions the model associates with honest sharing"),
}


def reasons(highlights: list[Highlight], *, top: int = 8, evidence: int = 5) -> list[ReadableReason]:
    """Highlights grouped by category and direction, at most ``top``, strongest first; a group lighter than
    :data:`~model.highlights.categories.MIN_PHRASE_WEIGHT` in all is no reason (its highlights stay)."""
    groups: dict[tuple[str, str], list[Highlight]] = {}
    for h in highlights:
        direction = "ad" if h.weight > 0 else "genuine"
        if direction == "genuine" and h.category not in _GENUINE_CATEGORIES:
            continue
        groups.setdefault((h.category, direction), []).append(h)
    out = []
    for (category, direction), hs in groups.items():
        weight = round(sum(h.weight for h in hs), 4)
        # lighter than any phrase of words shown ("+0.00 → ad 话题标签 “#护肤”": told a writer their hashtag counted
        # towards ad for a weight no decision feels); not contact details towards ad, which send a note to review
        # whatever their weight (AdModel.decide) and are what the writer would change
        if abs(weight) < MIN_PHRASE_WEIGHT and not (category == "contact" and weight > 0):
            continue
        zh, en = DIRECTED_LABELS.get((category, direction)) or CATEGORIES[category]
        out.append(ReadableReason(category, zh, en, direction, weight, _evidence(hs, evidence)))
    out.sort(key=lambda r: (-abs(r.weight), r.category))
    return out[: max(top, 0)]


def _evidence(hs: list[Highlight], n: int) -> tuple[Span, ...]:
    """The evidence of one reason: its ``n`` strongest highlights, a word the note repeats taken once before any
    second copy of it. Five copies of "京东" or "必备" were the whole evidence of a reason (one word, quoted once),
    and hid the other brands or phrases it was given for; repeats fill what distinct words leave."""
    if len(hs) <= 1 or n <= 0:
        return tuple(h.span for h in hs[: max(n, 0)])
    firsts: list[Highlight] = []
    again: list[Highlight] = []
    seen: set[str] = set()
    for h in hs:
        key = quote_key(as_quoted(h.text))
        if key in seen:
            again.append(h)
        else:
            seen.add(key)
            firsts.append(h)
            if len(firsts) == n:
                break
    return tuple(h.span for h in (firsts + again)[:n])


def declared_first(
    readable: list[ReadableReason], declared: tuple[Span, ...], *, evidence: int = 5
) -> list[ReadableReason]:
    """The readable reasons of a note that declares itself an ad (``declared``: its declarations, see
    :mod:`model.declared`), the disclosure first whatever its weight: its evidence the declared words, then any other
    disclosure weighed towards ad; its weight that of the disclosure highlights towards ad, the declarations' included
    when the highlights are :func:`~model.highlights.with_declared`'s (0 when none leans towards ad: the rule, not the
    weight, decided). The other reasons follow in their order. ``readable`` as it is when nothing is declared."""
    if not declared:
        return readable
    weighed = next((r for r in readable if r.category == "disclosure" and r.direction == "ad"), None)
    more = [e for e in weighed.evidence if not any(_overlap(e, d) for d in declared)] if weighed else []
    zh, en = CATEGORIES["disclosure"]
    first = ReadableReason("disclosure", zh, en, "ad", weighed.weight if weighed else 0.0,
                           (*declared, *more)[:evidence])  # fmt: skip
    return [first, *(r for r in readable if r is not weighed)]


def _overlap(a: Span, b: Span) -> bool:
    return a.field == b.field and a.start < b.end and b.start < a.end


_DECISION_ZH = {"ad": "可能被判为广告", "review": "需要人工复核"}
_DECISION_EN = {"ad": "reads as an advertisement", "review": "needs a human review"}


#: A note with fewer letters or digits than this is short enough for the advice to say so when no phrase of it points
#: to an ad ("common when a note is very short"); a longer one is told that its score is spread over many words.
SHORT_NOTE_LETTERS = 20


def advice(
    decision: str,
    readable: list[ReadableReason],
    declared: Span | None = None,
    *,
    letters: int | None = None,
    contact_decided: bool = False,
    help_notice: bool = False,
) -> dict[str, str] | None:
    """One sentence for the writer when a note is flagged: what drove it, and that an honest note can be
    appealed. None for genuine notes. A note that declares itself an ad (``declared``: the words that do) is told so,
    quoting them, and how to appeal if they are no such declaration; one sent to review by its messenger id alone
    (``contact_decided``, :meth:`model.classifier.AdModel.decide`) is told that. ``letters``: the letters and
    digits of the note (None: unknown, taken as short), so that a long note with no phrase towards ad is not told
    it is very short. ``help_notice``: the note reads as a search for someone or something lost or a call for help
    (:func:`is_help_notice`), whose contact details are not offered as a change but to keep."""
    if declared is not None:
        t = as_quoted(declared.text)
        quoted = t if len(t) <= QUOTE_CHARS else t[: QUOTE_CHARS - 1] + "…"
        return {
            "zh": f"这条笔记自己声明是广告（“{quoted}”），所以判为广告，与模型的广告概率无关。"
            "如果这不是你对本篇的广告声明（例如你在谈论别人的广告），可以提出申诉由人工复核。",
            "en": f"This note declares itself an ad (“{quoted}”), so it is decided an ad whatever the model's ad "
            "probability. If that is not your declaration that this note is an ad (you are writing about someone "
            "else's ads, say), you can appeal for a human review.",
        }
    if decision not in _DECISION_ZH:
        return None
    towards_ad = [r for r in readable if r.direction == "ad"]
    contact = next((r for r in towards_ad if r.category == "contact"), None)
    if contact_decided and contact is not None:
        # The rule decided, not the words: "mainly because of the wording (“妈妈说”、“最近”)" named what did not
        # send the note to review (a second walkthrough).
        zh_next, en_next = _what_next([contact], "review", help_notice)
        return {
            "zh": f"这条笔记需要人工复核，因为它留有联系方式（{contact.quoted(2)}）："
            f"留有微信、QQ 或 LINE 账号的笔记都由人工阅读，无论广告概率多少。{zh_next}",
            "en": f"This note needs a human review because it gives contact details ({contact.quoted(2, ', ')}): "
            f"a note giving a WeChat, QQ or LINE account is read by a person whatever its ad probability. {en_next}",
        }
    # A reason named beside the strongest must carry a share of its weight: a merchant word at +0.03 beside wording
    # at +0.47 was named a main reason, and the writer offered to change it, for next to nothing.
    # (with a rounding allowance: 0.1 * 1.5 is 0.15000000000000002, and 0.15 is a tenth of 1.5)
    least = NAMED_SHARE * towards_ad[0].weight - 1e-9 if towards_ad else 0.0
    drivers = [r for i, r in enumerate(towards_ad[:2]) if i == 0 or r.weight >= least]
    if not drivers and decision == "review" and letters is not None and letters >= SHORT_NOTE_LETTERS:
        # A long note whose ad score is spread over many words, each too faint to show (a text repeated dozens of
        # times shares every word's weight among its copies): "common when a note is very short" would blame a
        # shortness it does not have.
        return {
            "zh": "这条笔记需要人工复核：没有哪个词句单独指向广告（模型的判断分散在许多词上，每个都很弱），"
            "所以由人工阅读，而不是直接判为广告。如果这是你的真实个人分享，可以提出申诉。",
            "en": "This note needs a human review: no single phrase of it points to an ad (the model's score is spread "
            "over many words, each faint), so a person reads it rather than the model calling it an ad. If it is your "
            "honest personal sharing, you can appeal.",
        }
    if not drivers and decision == "review":
        # No phrase points to an ad (a bare number, a word or two): a person reads the note; the model makes no
        # ad verdict it cannot show the writer a reason for (AdModel.decide).
        return {
            "zh": "这条笔记需要人工复核：没有哪个词句指向广告（笔记很短时常见），所以由人工阅读，而不是直接判为广告。"
            "如果这是你的真实个人分享，可以提出申诉。",
            "en": "This note needs a human review: no phrase of it points to an ad (common when a note is very short), "
            "so a person reads it rather than the model calling it an ad. If it is your honest personal sharing, you "
            "can appeal.",
        }
    if not drivers:
        # Nothing is highlighted towards ad (a very short note, or many faint words): there are no phrases to
        # reword, so the writer is told so and pointed to the appeal alone.
        return {
            "zh": f"这条笔记{_DECISION_ZH[decision]}，但没有哪个词句单独起决定作用，是整体写法所致。"
            "如果这是你的真实个人分享，可以提出申诉由人工复核。",
            "en": f"This note {_DECISION_EN[decision]}, but no single phrase drove the decision: its overall wording "
            "did. If it is your honest personal sharing, you can appeal for a human review.",
        }
    # Two reasons of the model's leaning say it once, before both: "模型认为偏向广告的用词（…）和模型认为偏向广告的
    # 话题标签（…）" said it twice, and "…的用词（…）和话题标签（…）" left the second a bare noun after the quotes. The
    # second then does not quote again a word the first quotes as a hashtag (“#美甲”, “美甲”).
    merged = len(drivers) == 2 and all((r.category, "ad") in DIRECTED_LABELS for r in drivers)
    names = [CATEGORIES[r.category] if merged else (r.label_zh, r.label_en) for r in drivers]
    besides = [(), tuple(drivers[0].quotes()[:2])] if merged else [()] * len(drivers)
    said = list(zip(drivers, names, besides, strict=True))
    zh_parts = [f"{zh}（{r.quoted(2, besides=b)}）" for r, (zh, _), b in said]
    # "because of the call to action (…)": the categories are names, and English wants the article
    en_parts = [f"the {en} ({r.quoted(2, ', ', besides=b)})" for r, (_, en), b in said]
    zh_lead, en_lead = ("模型认为偏向广告的两类内容：", "what the model associates with ads: ") if merged else ("", "")
    # Contact details are named whenever the note has them: what a funnel to a private channel most plainly is. (A
    # reason is one category and direction, so no contact reason follows one among the drivers.)
    # Before any other concrete reason: a note of brands, a counter and a WeChat id was told of 购买渠道 (“专柜”)
    # and not of the id, which was its fourth reason.
    rest = towards_ad[len(drivers) :]
    also = next((r for r in rest if r.category == "contact"), None)
    # A shop or marketplace among the drivers is where the writer bought, a fact they keep: it does not stand for the
    # concrete reason ("天猫买的…私信我" was told 购买渠道 and 用词, and not of its 私信).
    # Nor is a call to action quoting only the words of a purchase (入手, 回购): a street vendor's "入手的这个小推车"
    # (the cart they bought) was told "还有购买引导（“入手”）" as what else sent the note to review.
    if also is None and not any(r.category in _CONCRETE_CATEGORIES and r.category != "channel" for r in drivers):
        also = next((r for r in rest if r.category in _CONCRETE_CATEGORIES and not _only_purchase_words(r)), None)
    zh_also = f"，还有{also.label_zh}（{also.quoted(2)}）" if also else ""
    en_also = f", and also the {also.label_en} ({also.quoted(2, ', ')})" if also else ""
    zh_next, en_next = _what_next([*drivers, *([also] if also else [])], decision, help_notice)
    return {
        "zh": f"这条笔记{_DECISION_ZH[decision]}，主要因为{zh_lead}{'和'.join(zh_parts)}{zh_also}。{zh_next}",
        "en": f"This note {_DECISION_EN[decision]}, mainly because of {en_lead}{' and '.join(en_parts)}{en_also}. "
        f"{en_next}",
    }


#: The least share (a tenth) of the strongest reason's weight towards ad that a second reason needs to be named a
#: main reason in the advice. (A concrete reason after them is named with "还有", whatever its weight.)
NAMED_SHARE = 0.1


#: What a writer chose to write the way promotion is written, and can change without hiding anything that happened:
#: contact details and links (the platform's own rules ask for them off a note), calls to action, sales-pitch
#: phrases, merchant wording, giveaways. Everything else a flag names may be a fact of the writer's experience: the
#: brand and product they used, what they paid, where they bought it, whom they tagged, and "用词" — the model's
#: words, which are as often the product itself (蛋白粉, 面霜, 洗衣液) or the writer's life (最近, 夏天) as a sales
#: word. A disclosure (合作, 品牌方) is no style either: asking to reword one is asking to hide a sponsorship.
_CHANGEABLE_CATEGORIES = ("contact", "link", "call_to_action", "sales_tone", "merchant", "giveaway")


def _what_next(named: list[ReadableReason], decision: str = "ad", help_notice: bool = False) -> tuple[str, str]:
    """The advice's last sentence for a note flagged ``decision`` for the reasons ``named`` (those the advice
    quotes): an offer to change only what is of :data:`_CHANGEABLE_CATEGORIES`, never to remove or reword the rest,
    and the appeal. A note sent to review is read by a person already: its writer is not told to ask for one, but
    that an appeal lets them say what the note is (a writer was told to "appeal for a human review" of a note going
    to one). A help notice's contact details are not offered as a change: the writer is told to keep them."""
    changeable = [r for r in named if r.category in _CHANGEABLE_CATEGORIES and not _only_purchase_words(r)]
    keep = ("", "")
    if any(r.category == "contact" for r in changeable):
        keep = _KEEP_FOR_HELP if help_notice else _KEEP_CONTACT
        if help_notice:
            changeable = [r for r in changeable if r.category != "contact"]
    if decision == "review":
        zh_appeal, en_appeal = "；你也可以提出申诉，说明笔记的情况", "; you can also appeal, saying what the note is"
    else:
        zh_appeal, en_appeal = "提出申诉由人工复核", "appeal for a human review"
    zh_keep, en_keep = keep
    if not changeable:
        if decision == "review":
            return (
                "人工复核时会读你的笔记：如果这是你的真实个人分享，不必改写你的经历，也不必删去你真实用过的品牌、"
                f"产品、价格或购买渠道{zh_appeal}。{zh_keep}",
                "A person reads the note in the review: if it is your honest personal sharing, there is no need to "
                "reword your experience or to remove the brands, products, prices or shops you really used"
                f"{en_appeal}.{en_keep}",
            )
        return (
            "如果这是你的真实个人分享，不必改写你的经历，也不必删去你真实用过的品牌、产品、价格或购买渠道，"
            f"可以{zh_appeal}。{zh_keep}",
            "If it is your honest personal sharing, there is no need to reword your experience or to remove the "
            f"brands, products, prices or shops you really used: {en_appeal}.{en_keep}",
        )
    zh = _series([r.label_zh for r in changeable], "、", "和")
    en = _series([f"the {r.label_en}" for r in changeable], ", ", " and ")
    if decision == "review":
        return (
            f"人工复核时会读你的笔记：如果这是你的真实个人分享，可以修改其中的{zh}（不必删去你真实用过的品牌、产品、"
            f"价格或购买渠道）{zh_appeal}。{zh_keep}",
            f"A person reads the note in the review: if it is your honest personal sharing, you can change {en} "
            f"(there is no need to remove the brands, products, prices or shops you really used){en_appeal}."
            f"{en_keep}",
        )
    return (
        f"如果这是你的真实个人分享，可以修改其中的{zh}（不必删去你真实用过的品牌、产品、价格或购买渠道），"
        f"或{zh_appeal}。{zh_keep}",
        f"If it is your honest personal sharing, you can change {en} (there is no need to remove the brands, "
        f"products, prices or shops you really used) or {en_appeal}.{en_keep}",
    )


#: Words that tell a purchase the way a writer tells their own: bought (入手), bought again (回购), stocked up (囤货,
#: 囤). A pitch uses them too (无限回购, 值得入手), and they stay its cues; but the advice does not offer to change
#: them, which asked an honest writer ("自费回购第三瓶", the whole point of the note) to hide that they bought again.
_PURCHASE_WORDS = frozenset({"回购", "入手", "囤货", "囤"})


def _only_purchase_words(reason: ReadableReason) -> bool:
    """Whether ``reason`` is a sales-pitch phrase or a call to action quoting nothing but :data:`_PURCHASE_WORDS`."""
    return reason.category in ("sales_tone", "call_to_action") and all(
        to_simplified(q.strip()) in _PURCHASE_WORDS for q in reason.quotes()
    )  # read as the model reads them: 回購 too


#: Said whenever the advice offers to change contact details: the model cannot tell a number a note exists to give
#: (a lost pet's owner, a call for help, the scammer's id a warning quotes) from a funnel to a private channel, and
#: a writer told only "you can change the contact details" would take the number out of a note that needs it.
_KEEP_CONTACT = (
    "但如果联系方式正是这条笔记需要的（寻找走失的人、宠物或失物，求助，提醒他人防骗），请保留，申诉时说明即可。",
    " But if the note needs its contact details (to find a lost person, pet or item, to ask for help, to warn "
    "others of a scam), keep them and say so in the appeal.",
)


#: Said instead of offering to change contact details when the note reads as a help notice (:func:`is_help_notice`):
#: a lost grandmother's notice was told first to change the number, then to keep it (a writer's walkthrough).
_KEEP_FOR_HELP = (
    "这条笔记像是寻人、寻物或求助：请保留其中的联系方式，申诉时说明即可。",
    " This note reads as a search for someone or something lost, or a call for help: keep its contact details and "
    "say so in the appeal.",
)
#: What a help notice says of itself: a search for a missing person, pet or thing (寻人, 走失, 寻猫, 失物, 捡到),
#: a call for blood or help (献血, 求助). Read in simplified characters. Only the advice reads it: the decision is
#: the model's and the rules' (an advertiser can write these words too; a person reads the appeal).
_HELP_NOTICE_RE = re.compile(
    r"寻人|寻狗|寻猫|寻宠|寻物|失物|走失|走丢|丢失|失踪|(?:狗|猫|狗狗|猫咪|宠物|钱包|手机|包|证件|工牌|钥匙)丢了|"
    r"捡到|拾到|献血|捐血|血小板|求助|不见咗|执到(?!宝)|"
    r"(?<![a-z])(?:lost|missing|found)\s(?:my\s|our\s|a\s)?(?:dog|cat|pet|puppy|kitten|wallet|phone|person)(?![\w-])"
)


def is_help_notice(text: str) -> bool:
    """Whether a note's text (title and text, simplified) reads as a help notice (:data:`_HELP_NOTICE_RE`)."""
    return _HELP_NOTICE_RE.search(text.lower()) is not None


def _series(items: list[str], comma: str, last: str) -> str:
    """Items as "a, b and c": ``comma`` between all but the last two, ``last`` between those."""
    return comma.join(items[:-1]) + last + items[-1] if len(items) > 1 else items[0]
