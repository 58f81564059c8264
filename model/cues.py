"""Explainable commercial-promotion cues found in normalised note text: the scan.

The cue kinds (each a named regular expression with a human-readable label, see :mod:`model.cue_patterns`) feed
the classifier as placeholder tokens (``⟦cue:wechat⟧``) and are reported as reasons, so a writer can see exactly
which words of the note looked commercial. This module finds them in a text already passed through
:func:`model.text.normalize_text`: contact details first and exclusive, claims deleted with nothing read inside
them, no product model inside a contact detail or a price.
"""

from __future__ import annotations

import re

from model.cue_patterns import (  # noqa: F401 (HASHTAG_RE, hashtag_regex, CuePattern: re-exported)
    ANY_CUE_RE,
    CUE_NAMES,
    CUE_PATTERNS,
    HASHTAG_RE,
    KEEPS_SPAN,
    LEXICON_KINDS,
    LEXICON_SCAN,
    SCAN,
    Cue,
    CuePattern,
    hashtag_regex,
)
from model.lexicon import BRAND_LEXICON, BRANDS, read_lexicon  # noqa: F401 (re-exported)
from model.spans import DisjointSpans, mask_spans


def cue_spans(text: str) -> list[tuple[int, str, int, str]]:
    """Cue matches in ``text`` as ``(start, name, end, matched text)`` tuples, ordered by (start, name): what
    :func:`find_cues` reports, without building :class:`Cue` objects (the document builder needs no more)."""
    found: list[tuple[int, str, int, str]] = []
    for cue in LEXICON_SCAN:  # never contact details, so they take no part in the precedence below
        found += [(m.start(), cue.name, m.end(), m.group()) for m in cue.pattern.finditer(text)]
    if ANY_CUE_RE.search(text) is None:
        found.sort()
        return found
    claimed = DisjointSpans()
    claims = DisjointSpans()  # deleted claims: no other cue is read inside one (the 广告 of 不是广告)
    contacts = DisjointSpans()  # replaced contact details: no model name is read inside one (abc123 of 加v:abc123)
    prices = DisjointSpans()  # nor inside a price: the lily20 of "use my code lily20" is a discount code
    contact_spans: list[tuple[int, int]] = []
    for cue, precheck in SCAN:
        if precheck is not None and precheck.search(text) is None:
            continue
        if cue.counts_as is not None:
            found += _counted_as(cue, text, found)
            continue
        source = mask_spans(text, contact_spans) if cue.outside_contacts and contact_spans else text
        for m in cue.pattern.finditer(source):
            start, end = m.span()
            if start == end:
                continue
            if (cue.replace or cue.delete) and not claimed.claim(start, end):
                continue
            if cue.delete:
                claims.claim(start, end)
            elif cue.replace:
                contacts.claim(start, end)
                contact_spans.append((start, end))
            elif cue.name == "price":
                prices.claim(start, end)
            elif cue.name == "product_model" and (
                not (contacts.free(start, end) and prices.free(start, end)) or _is_quantity(text, start, end, found)
            ):
                continue
            found.append((start, cue.name, end, text[start:end]))
    if claims:
        found = [f for f in found if KEEPS_SPAN[f[1]] or claims.free(f[0], f[2])]
    # (start, name) is unique: matches of one kind never share a start. So the tuples sort by (start, name) alone.
    found.sort()
    return found


#: A quantity written after what it counts: x and a number right after a Chinese word, ending the item ("修复霜 x2，",
#: "蛋挞x18", "奶冻卷 x3 * 香葱牛扎饼"). A model name goes on into a word, a hashtag's markup or a series word
#: ("影石全景相机X5[话题]", "有X4这款", "vivo X200 Ultra").
_QUANTITY_RE = re.compile(r"(?:(?<=[\u4e00-\u9fff])|(?<=[\u4e00-\u9fff]\s))x\d{1,2}(?=$|[^\w\[#@.\-]|\.(?!\d))")


#: What a model name follows and a quantity does not (a quantity follows the thing it counts): a brand whose name
#: is an everyday word, which the lexicon reads only with a product (荣耀X2, 小米x1), ThinkPad's nickname
#: (小黑X61), a word that names one phone or machine (第四部x2, 两台x1, 上一部手机是X1, 行货的X200) or a verb
#: (升级x2, 换x2, 加上X1, 决定了x2, 推荐X200, 不如X88: shopping reviews).
_MODEL_BEFORE = re.compile(r"(?:荣耀|小米|红米|苹果|联想|小黑|美的|大众|[部台款是的了换用买级上荐择到入如])\s?$")


def _is_quantity(text: str, start: int, end: int, found: list[tuple[int, str, int, str]]) -> bool:
    """Whether the product model ``text[start:end]`` is a quantity (:data:`_QUANTITY_RE`), not a model after its
    brand ("宝马x5。", :data:`_MODEL_BEFORE`): 2 genuine labelled notes list what they bought or ate with 8 such
    counts, and a writer was told "x2" of "理肤泉B5修复霜 x2" was a product name."""
    m = _QUANTITY_RE.match(text, start)
    if m is None or m.end() != end or _MODEL_BEFORE.search(text, max(0, start - 3), start) is not None:
        return False
    before = start - 1 if text[start - 1].isspace() else start
    return not any(b == before and name in LEXICON_KINDS for _, name, b, _ in found)


#: What sets a clause off: spaces and the punctuation between clauses (normalised: "，" is ","; "|" as in titles).
_CLAUSE_SEP = frozenset(" ,.!?;:、~。|/")


def removed_spans(text: str, spans: list[tuple[int, str, int, str]]) -> list[tuple[int, int, str]]:
    """What the document cuts out of ``text`` (given its :func:`cue_spans`), in order, as ``(start, end, kind)``:
    each contact detail (replaced by its placeholder) and each claim (deleted). A claim that stands as a clause of
    its own (only separators or the edge of the text on both sides) goes with the separator that set it off, so
    the rest reads as if it had never been written: "用了两年了，不是广告，单纯分享" leaves "用了两年了，单纯分享", not
    "了，，单纯" (whose ",," n-grams were weighed). The separator before it goes (the one after ends the previous
    clause), or the one after it when it opens the text. A claim inside a sentence ("自费买的") takes no
    separator. Never into a neighbouring contact detail or claim."""
    kept = [(start, end, name) for start, name, end, _ in spans if KEEPS_SPAN[name]]
    out: list[tuple[int, int, str]] = []
    opens = 0  # where the text opens: after claims (and separators) that open it ("无广，不是广告，…")
    for k, (start, end, name) in enumerate(kept):
        if CUE_PATTERNS[name].delete:
            lo = out[-1][1] if out else 0
            hi = kept[k + 1][0] if k + 1 < len(kept) else len(text)
            a, b = start, end
            while a > lo and text[a - 1] in _CLAUSE_SEP:
                a -= 1
            while b < hi and text[b] in _CLAUSE_SEP:
                b += 1
            first = a == opens
            if (a == start and not first) or (b == end < len(text)):
                pass  # a word touches it: part of a sentence
            elif not first:
                start = a
            else:
                start, end = a, b
                opens = end
        out.append((start, end, name))
    return out


def _counted_as(cue: CuePattern, text: str, found: list[tuple[int, str, int, str]]) -> list[tuple[int, str, int, str]]:
    """Matches of a kind reported as another (``counts_as``), over the span of its ``group``; not where a cue of
    that other kind is found already (@安踏官方 is one mention of 安踏, by the lexicon)."""
    same = [(a, b) for a, name, b, _ in found if name == cue.counts_as or name in LEXICON_KINDS]
    out = []
    for m in cue.pattern.finditer(text):
        start, end = m.span(cue.group)
        if start < end and not any(a < end and start < b for a, b in same):
            out.append((start, cue.counts_as, end, m.group(cue.group)))
    return out


def is_brand_handle(mention: str) -> bool:
    """Whether an @mention (``@`` and the handle, normalised) is a brand's account: a handle ending in an account
    word, or naming a lexicon brand. The document keeps such a handle as the brand's words, not as ``⟦mention⟧``,
    which learnt "someone tags a friend or the platform" (towards genuine)."""
    if CUE_PATTERNS["brand_account"].pattern.fullmatch(mention):
        return True
    return any(c.pattern.search(mention) for c in LEXICON_SCAN)


def find_cues(text: str) -> list[Cue]:
    """All cue matches in a normalised text, ordered by position, non-overlapping within a kind.

    Contact-detail kinds (url, phone, wechat, qq) take precedence: a span claimed by one of them is not also
    reported as another contact kind, nor read as a product model name (the abc123 of "加v:abc123").
    """
    return [Cue(name, CUE_PATTERNS[name].label, matched, start, end) for start, name, end, matched in cue_spans(text)]


def cue_counts(text: str) -> dict[str, int]:
    """Count of each cue kind in a normalised text (every kind present, zero when absent)."""
    counts = dict.fromkeys(CUE_NAMES, 0)
    for _, name, _, _ in cue_spans(text):
        counts[name] += 1
    return counts
