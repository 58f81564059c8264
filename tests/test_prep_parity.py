"""The fast text preparation and tokenization give byte-identical output to the original implementations.

model/text.py, model/cues.py and model/tokenize.py were optimised without changing their output, so models trained
with NORMALIZATION_VERSION "2" stay valid. The ``_reference_*`` functions below are verbatim copies of the
implementations before that work (renamed, with their regexes); every test compares the live code with them on
tricky strings, on every code point, on the shared corpora (when present) and on generated text.

The cue patterns themselves are not copied: ``_reference_find_cues`` runs the original algorithm over the live
``model.cue_patterns.DEFS``, so a later change to a pattern is checked against the pre-checks that let find_cues skip it.
Version "3" added cue kinds (brand campaign tags, brand mentions, product models, brand accounts, shop funnels,
phone numbers in Chinese numerals) and the document-level ``⟦cue:brand_repeated⟧``, whose finder
(``model.brand_repeats.repeated_brands``) has no optimised twin, so the reference document calls it as it is. Version "4"
deletes hashtag markup residue (a stray ``[话题]``, ``[话``, ``题]``) left after tags and emoji codes are replaced.
Version "5" added the ``no_ad_claim`` cue (a pattern of ``DEFS``, so the reference runs it as it is); version "6"
deletes its text from the document (``CuePattern.delete``), which the reference does as it replaces contact details,
version "7" reads denials (不是广告) as the same claim and finds no other cue inside a claim. Version "8" reads hashtags
typed by hand (``#A #B``) as tags of their own (the hashtag regex, ``model.cues.HASHTAG_RE``, is a pattern like the
cues': the reference runs it as it is), reports an @mention of a brand account as a mention of the brand
(``CuePattern.counts_as`` over the span of its ``group``, not where the brand's own cue is found already) and keeps
its handle as words instead of ``⟦mention⟧`` (``model.cues.is_brand_handle``, run as it is), and adds
funnel denials (没有链接) to the claim. Version "9" counts a brand known from its account for ``brand_repeated``
wherever the note writes it (``repeated_brands``, called as it is). Version "10" deletes a claim standing as a
clause of its own with the separator that set it off (``model.cues.removed_spans``; the reference cuts by string
operations), reads no product model name inside a contact detail or before a currency or unit, and reads a WeChat
id behind decorations (both in the patterns, run as they are). Version "11" reads amounts whole (patterns, run as
they are) and brand campaign tags with contact details masked (``CuePattern.outside_contacts``: the reference masks
them by string operations). Version "12" reads fewer words as cues (no 激励计划 or 心动 campaign word, 去哪儿 only
as 去哪儿网 / 去哪儿旅行 in the lexicon; patterns and lexicon, run as they are). Version "13" deletes the other
invisible format characters of the BMP (soft hyphen U+00AD and others, in the reference's zero-width class), reads
English funnel phrases as cues of the existing kinds ("20% off", "link in bio", "#ad"; patterns, run as they are),
no product model in a word, a space and one digit ("about 5") and none inside a price (the code of "use my code
lily20": the reference drops it as it drops one inside a contact detail). Version "14" reads only platform emoji
codes as codes (``[笑哭R]``, ``[doge]``; not ``[推荐]`` or ``[1]``, which stay words): the shape is
``model.emoji_codes.EMOJI_CODE_RE``, a pattern like the hashtags', run as it is. Version "15" reads "gifted" as a
disclosure only in its disclosure forms (``#gifted``, ``(gifted)``, ``pr gifted``, ``gifted by @…``; a pattern, run as
it is). Version "16" reads no brand inside a word that holds its name without being it (吉利丁, 北京东路, 地方太,
三星级: the lexicon's ``!`` lines, guards inside the brand pattern, run as it is) and no 红旗, 北面 or 简爱.
Version "17" reads traditional Chinese characters as simplified ones, one for one (``model.simplified.T2S_TABLE``,
a table built from OpenCC, used as it is). Version "18" reads text spaced out character by character ("加 微 信",
"原/价/1/9/9") as the words it spells (``model.spaced``; the reference joins runs by a loop of its own); version "19"
also with a full stop or a symbol or emoji between the characters ("加.微.信", "私🌟信🌟下🌟单", "加❤️微❤️信"). Version
"20" reads a run whose last character has a particle glued to it ("加 微 信 领 券哦"), three characters that spell a
cue word ("私 信 我"; the reference runs the cue patterns as they are) and a symbol separator with a space on each
side ("加 ❤️ 微 ❤️ 信"); the reference's loop resumes after a run it passes over, as the regex search does. It also
reads an id behind the word for it ("加微信号 abc123", "微信公众号:abc2015") or of a few letters then digits ("vx:ab12")
as part of the contact detail, not as a product model name (a pattern, run as it is). Version "21" also takes a
symbol separator with a space on one side ("加❤️ 微❤️ 信", "加 ❤️微 ❤️信") and three characters spelling a cue word
whose last has sentence-final particles glued to it ("私 信 我哦"), both in the reference loop; and reads an id of
letters, a space and digits after a colon ("vx:abc 123") and more ids after the first ("vx:abc123 / def456") as one
contact detail (a pattern, run as it is). Version "22" reads the single digits written in enclosed forms NFKC leaves
alone or makes more of (❶ ➀ ➊ ⓵ ⓿ 🄋 🄌, and ⑴ which NFKC makes "(1)") as the ASCII digit before NFKC
(``model.text.DIGIT_FORMS``; the reference spells its own table out), and no @mention without a letter, ideograph or
digit in its handle ("@_@", "@."; the reference leaves such a handle it matched as it is). Version "23" opens no
@mention at the "@" that closes an emoticon ("@_@小明": the reference leaves a handle after "@_" as it is), reads
letters, a space and digits after a colon as an id when the writer's words follow glued to it ("vx:abc 123有事找我")
and a letters-only id after "、" or 或 ("微信:abc123、lanruo"; patterns, run as they are); and three spaced-out
characters opening with a contact or call to action whose last is glued to more ("私 信 我领取") or whose two gaps
differ ("加 微/信 吧"), in the reference loop, which goes on at the next character when three fail that.
Version "44" reads two traditional words as the mainland words they translate (鏈結 链接, 私訊 私信, before the
table; the reference spells them out) and no product model in a quantity after what it counts ("修复霜 x2"; the
reference's own reading of the rule, ``_reference_is_quantity``). Version "45" reads Cantonese negations as Mandarin
ones (唔 before a Chinese character 不, 冇 没, 唔系 不是, 唔使 不用, 唔好错过 不要错过; not 唔该; the reference
reads them character by character, ``_reference_cantonese``). Version "46" reads a LINE id of an official account
("LINE：@shopmei") or of letters alone after 加LINE and a colon ("加我LINE：meimeiya") as a contact detail (a
pattern, run as it is). Version "47" reads no call to action in a booking the writer made or a place needs (提前预约,
预约了) and no disclosure in the ads an app shows (系统广告, 看广告; patterns, run as they are). Version "48" reads
fewer of those as bookings (已预约, 预约挂号, 提前预约 before what is booked: invitations stay), 广告 after 看, 去 or 软件
as before, and LINE ids more carefully (no friend's @mention nor transit line; 加入LINE好友, LINE ID; patterns, run as
they are). Version "49" reads an invitation after 提前预约 (提前预约体验, 提前预约享8折) as one again and only a thing
booked after it not (门票, 体检…), a mobile number as a LINE id, no friend's "@handle" after 加line好友 nor a handle as
a product model (patterns, run as they are). Version "50" reads an all-digit LINE id only in a mobile number's
shape, no JR line as a contact, and 提前预约了 as an invitation unless a booked thing follows (patterns, run as they
are). Version "51" reads LINE groups (加入LINE社群) as a channel and no thanks as a LINE id, a code after 口令 or 暗号
as a discount, no call to action in what the writer did (咨询了, 预约的, 提前两天预约, 入手一周, 扫码点餐, 购买前,
商家后台, 有人私信), no merchant word in 工厂店 or 团购券, no disclosure in 冒充品牌方, no merchant word in 官方客服,
and everyday words that hold a brand (三星堆, 四小天鹅, 一路奔驰, 财运旺旺) as no brand (patterns and the lexicon, run as
they are). Version "52" keeps a scam warned of (有人私信要我转账, 陌生人拉你进群), a group the writer joined, a booking
others made (他们预约了) and a shopper's outlet (耐克工厂店价格…) out of those cues, and reads the offers they had lost
(购买前需联系客服, 扫码点单赠饮品, 入手7天无理由退换, 关注公众号私信领取) again (patterns, run as they are). Version
"53" reads a paid deal denied with its partner or its money (没有和任何品牌合作, 没有任何机构赞助, 无任何合作,
非商业合作, 未收取任何推广费) as a claim, not a disclosure, unless the sentence goes on to a deal after all (patterns,
run as they are). Version "54" reads the same denial in other words (零合作, 0合作, 不存在任何合作, 不涉及商业推广,
没接任何广告, 没有恰饭, 不恰饭) as a claim where it is said of the note (本篇…, …纯分享) and no deal follows (patterns,
run as they are).
"""

from __future__ import annotations

import json
import random
import re
import sys
import threading
import unicodedata
from itertools import islice
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import model.tokenize as tokenize_module
from model.brand_repeats import repeated_brands
from model.cue_patterns import DEFS, FIRST_CHARS, PRECHECKS
from model.cues import (
    CUE_PATTERNS,
    HASHTAG_RE,
    Cue,
    cue_counts,
    find_cues,
    is_brand_handle,
)
from model.emoji_codes import EMOJI_CODE_RE
from model.simplified import T2S_TABLE
from model.spaced import despace
from model.text import (
    _COMPAT,
    _WS_RE,
    COMMENTS_MARKER,
    NORMALIZATION_VERSION,
    fold_nfkc,
    normalize_text,
    prepare_comment_text,
    prepare_document,
)
from model.tokenize import NoteTokenizer

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
#: (corpus, rows read: None = all)
CORPORA = [
    ("ads/xhs_labelled.jsonl", None),
    ("ads/whu_train.jsonl", 3000),
    ("sentiment/weibo_dev.jsonl", 3000),
    ("ads/sms_promo.jsonl", 3000),
]

# -- Reference implementations (NORMALIZATION_VERSION "2", before the speed work) --------------------------------
_REF_PLACEHOLDER_RE = re.compile(r"⟦[^⟦⟧\s]{1,48}⟧")
_REF_COMMENTS_MARKER = "⟦comments⟧"
_REF_ZERO_WIDTH_RE = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202f\u2060-\u206f\ufeff\ufff9-\ufffb]")
_REF_WS_RE = re.compile(r"\s+")
_REF_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_REF_HASHTAG_RE = HASHTAG_RE
_REF_EMOJI_CODE_RE = EMOJI_CODE_RE
_REF_MENTION_RE = re.compile(r"@[\w\-·.]{1,30}")


def _reference_mention(m: re.Match[str]) -> str:
    if not any(c.isalnum() for c in m.group()[1:]):  # version "22": no letter, ideograph or digit, no one named
        return m.group()
    before = m.string[max(m.start() - 2, 0) : m.start()]
    if len(before) == 2 and before[0] == "@" and before[1] in "-·._":  # version "23": the "@" closing "@_@"
        return m.group()
    return m.group()[1:] if is_brand_handle(m.group()) else " ⟦mention⟧ "


_REF_TAG_RESIDUE_RE = re.compile(r"\[话(?:题\]?)?|话?题\]")
_REF_DIGITS_RE = re.compile(r"\d+(?:\.\d+)?")
_REF_PLACEHOLDER_CHARS_RE = re.compile("[⟦⟧]")
_REF_ASCII_PUNCT_RE = re.compile(r"[!-/:-@\[-`{-~]+")


def _reference_prepare_comment_text(texts: list[str], *, max_comments: int = 50, max_chars: int = 300) -> str:
    parts = [_REF_DIGITS_RE.sub("0", _reference_normalize_text(t)[:max_chars]) for t in texts[:max_comments]]
    return " ".join(p for p in parts if p)


_REF_DIGIT_FORMS = str.maketrans(
    {
        **dict(zip("⑴⑵⑶⑷⑸⑹⑺⑻⑼", "123456789", strict=True)),
        **dict(zip("❶❷❸❹❺❻❼❽❾", "123456789", strict=True)),
        **dict(zip("➀➁➂➃➄➅➆➇➈", "123456789", strict=True)),
        **dict(zip("➊➋➌➍➎➏➐➑➒", "123456789", strict=True)),
        **dict(zip("⓵⓶⓷⓸⓹⓺⓻⓼⓽", "123456789", strict=True)),
        **dict.fromkeys("⓿\U0001f10b\U0001f10c", "0"),
    }
)


def _reference_normalize_text(text: str) -> str:
    if not isinstance(text, str):
        raise TypeError(f"normalize_text expects a str, got {type(text).__name__}")
    text = unicodedata.normalize("NFKC", text.translate(_REF_DIGIT_FORMS))
    text = _REF_ZERO_WIDTH_RE.sub("", text)
    text = _REF_CONTROL_RE.sub(" ", text)
    text = text.encode("utf-8", "replace").decode("utf-8") if _reference_has_surrogates(text) else text
    text = _REF_PLACEHOLDER_CHARS_RE.sub(" ", text)
    text = _reference_without_cjk_marks(text)
    text = text.lower().replace("鏈結", "链接").replace("私訊", "私信")
    text = text.translate(T2S_TABLE)
    text = _reference_cantonese(text)  # version "45"
    return _reference_despace(_REF_WS_RE.sub(" ", text).strip())


def _reference_cantonese(text: str) -> str:
    """Cantonese negations as Mandarin ones, character by character: 唔好错过 不要错过, 唔系 不是, 唔使 / 唔驶 不用,
    冇 没, and 唔 不 before a Chinese character other than 唔 or 该 (唔该 is "thanks") and not after another 唔."""
    words = (("唔好错过", "不要错过"), ("唔系", "不是"), ("唔使", "不用"), ("唔驶", "不用"))
    out, i = [], 0
    while i < len(text):
        word = next((w for w in words if text.startswith(w[0], i)), None)
        if word is not None:
            out.append(word[1])
            i += len(word[0])
            continue
        c, after = text[i], text[i + 1 : i + 2]
        if c == "冇":
            c = "没"
        elif c == "唔" and text[i - 1 : i] != "唔" and after and "\u4e00" <= after <= "\u9fff" and after not in "唔该":
            c = "不"
        out.append(c)
        i += 1
    return "".join(out)


_REF_IDEOGRAPHS = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))
_REF_COMBINING = ((0x0300, 0x036F), (0x1AB0, 0x1AFF), (0x1DC0, 0x1DFF), (0x20D0, 0x20FF), (0xFE20, 0xFE2F))


def _reference_without_cjk_marks(text: str) -> str:
    """Combining marks deleted where they sit on a Chinese character (after it, or after marks on it)."""
    out: list[str] = []
    on_ideograph = False
    for ch in text:
        cp = ord(ch)
        if any(lo <= cp <= hi for lo, hi in _REF_COMBINING):
            if on_ideograph:
                continue
        else:
            on_ideograph = any(lo <= cp <= hi for lo, hi in _REF_IDEOGRAPHS)
        out.append(ch)
    return "".join(out)


_REF_SPACED_SEPARATORS = " /|-*_~·+."


def _reference_mark(text: str, i: int) -> str:
    """The separator mark starting at ``text[i]``: one of the plain ones, or a symbol or emoji with its U+FE0F;
    else ""."""
    ch = text[i] if i < len(text) else ""
    if ch and ch in _REF_SPACED_SEPARATORS:
        return ch
    cp = ord(ch) if ch else 0
    if 0x2600 <= cp <= 0x27BF or 0x2B00 <= cp <= 0x2BFF or 0x1F300 <= cp <= 0x1FAFF:
        return ch + "\ufe0f" if text[i + 1 : i + 2] == "\ufe0f" else ch
    return ""


def _reference_separator(text: str, i: int) -> str:
    """The separator starting at ``text[i]`` when a letter, digit or ideograph follows it: a mark, or a mark other
    than the space with a space on one side or each (" ❤️ ", " ❤️", "❤️ "); else "". At most one of those is
    followed by a letter, digit or ideograph."""
    sep = _reference_mark(text, i)
    if sep == " ":
        inner = _reference_mark(text, i + 1)
        if inner not in ("", " "):
            sep = f" {inner} " if text[i + 1 + len(inner) : i + 2 + len(inner)] == " " else f" {inner}"
    elif sep and text[i + len(sep) : i + len(sep) + 1] == " ":
        sep += " "
    return sep if sep and text[i + len(sep) : i + len(sep) + 1].isalnum() else ""


#: Sentence-final particles, which may be glued to the last of three characters ("私 信 我哦").
_REF_PARTICLES = "哦噢喔啊呀吧啦嘛呢哈哇嗷呐耶咯哟唷嘞呗"
#: The cue kinds a three-character run must spell one of (the brand lexicon's and product models do not count).
_REF_CUE_WORD_KINDS = [c for c in DEFS if c.name not in ("brand_mention", "brand_mention_latin", "product_model")]
#: The kinds three characters must open with when their last is glued to more or their separators differ.
_REF_OPENING_KINDS = [c for c in DEFS if c.replace or c.name == "call_to_action"]


def _reference_despace(text: str) -> str:
    """Runs of single letters, digits or ideographs, each set off by one and the same separator, with at least two
    that are not digits, written without their separators: a scan, one run at a time. At each position, four or
    more characters (the last one glued to more letters or digits only when it is neither a Latin letter nor a
    digit, else the run ends before it); else three, the third glued to nothing or to particles only, that spell a
    cue word. A candidate that fails the digits or the cue-word rule is passed over whole, as a regex search resumes
    after its match."""
    out: list[str] = []
    i, n = 0, len(text)

    def glued(k: int) -> bool:  # text[k] has a letter or digit right after it
        return k + 1 < n and text[k + 1].isalnum()

    while i < n:
        sep = _reference_separator(text, i + 1) if text[i].isalnum() and (i == 0 or not text[i - 1].isalnum()) else ""
        if sep:
            step = 1 + len(sep)
            last = i  # the run's last character: extend while the separator and one more character follow
            while last + step < n and text[last + 1 : last + step] == sep and text[last + step].isalnum():
                last += step
            longest = (last - i) // step + 1
            if glued(last) and (text[last].isdecimal() or (text[last].isascii() and text[last].isalpha())):
                last -= step  # a Latin letter or digit glued to more starts a word of its own: the run ends before it
            three = False
            if (last - i) // step + 1 < 4:
                k = i + 2 * step + 1  # what follows the third character: nothing glued, or particles only
                while k < n and text[k] in _REF_PARTICLES:
                    k += 1
                three = longest >= 3 and not (k < n and text[k].isalnum())
                last = i + 2 * step
            if not three and last <= i + 2 * step:
                # Version "23": three characters whose last is glued to more than particles (not a Latin letter or
                # digit), or with a second separator of their own, that open with a contact or call to action.
                j = i + 2 * step if longest >= 3 else 0
                if not j and longest == 2 and (sep2 := _reference_separator(text, i + step + 1)):
                    j = i + step + 1 + len(sep2)
                # Strict: nothing glued to the third character but particles; else it is no Latin letter or digit.
                k = j + 1
                while j and k < n and text[k] in _REF_PARTICLES:
                    k += 1
                strict = not (k < n and text[k].isalnum())
                if j and (strict or not (text[j].isdecimal() or (text[j].isascii() and text[j].isalpha()))):
                    chars = text[i] + text[i + step] + text[j]
                    if sum(not c.isdigit() for c in chars) >= 2 and any(
                        c.pattern.match(chars) for c in _REF_OPENING_KINDS
                    ):
                        out.append(chars)
                        i = j + 1
                        continue
            if three or last > i + 2 * step:
                chars = text[i : last + 1 : step]
                if sum(not c.isdigit() for c in chars) >= 2 and (
                    not three or any(c.pattern.search(chars) for c in _REF_CUE_WORD_KINDS)
                ):
                    out.append(chars)
                else:
                    out.append(text[i : last + 1])  # passed over whole
                i = last + 1
                continue
        out.append(text[i])
        i += 1
    return "".join(out)


def _reference_has_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _reference_bucket(n: int, edges: tuple[int, ...]) -> str:
    for edge in edges:
        if n <= edge:
            return str(edge)
    return f"{edges[-1]}+"


def _reference_markup_to_tokens(text: str) -> tuple[str, list[str]]:
    tags: list[str] = []

    def tag(m: re.Match[str]) -> str:
        name = m.group(1).strip()
        if not name:
            return " "
        tags.append(name)
        return f" ⟦tag:{name.replace(' ', '_')[:40]}⟧ {name} "

    text = _REF_HASHTAG_RE.sub(tag, text)
    text = _REF_EMOJI_CODE_RE.sub(lambda m: f" ⟦emo:{m.group(1)}⟧ ", text)
    text = _REF_TAG_RESIDUE_RE.sub(" ", text)
    text = _REF_MENTION_RE.sub(_reference_mention, text)
    return text, tags


def _reference_prepare_document(title: str | None, text: str | None) -> str:
    parts: list[str] = []
    all_tags: list[str] = []
    n_cues = 0
    normalized = {"title": "", "text": ""}
    for field, value in (("title", title), ("text", text)):
        if not value:
            continue
        norm = _reference_normalize_text(value)
        if not norm:
            continue
        normalized[field] = norm
        norm, cue_tokens = _reference_replace_cues(norm)
        n_cues += len(cue_tokens)
        norm, tags = _reference_markup_to_tokens(norm)
        all_tags.extend(tags)
        norm = _REF_DIGITS_RE.sub("0", norm)
        if field == "title":
            parts.append("⟦has:title⟧")
        parts.append(norm)
        parts.extend(cue_tokens)
    parts.append(f"⟦n_tags:{_reference_bucket(len(all_tags), (0, 2, 5))}⟧")
    if _reference_repeated_tag_stem(all_tags):
        parts.append("⟦cue:repeated_brand_tag⟧")
    if repeated_brands(normalized["title"], normalized["text"]):
        parts.append("⟦cue:brand_repeated⟧")
    return _REF_WS_RE.sub(" ", " ".join(parts)).strip()


_REF_CLAUSE_SEP = " ,.!?;:、~。|/"


def _reference_cut(text: str, cues: list[Cue]) -> list[tuple[int, int, Cue]]:
    """The spans cut out: contact details as found; a claim standing as a clause of its own with the separators
    before it (after it when nothing but cut claims and separators precede it)."""
    kept = [c for c in cues if CUE_PATTERNS[c.name].replace or CUE_PATTERNS[c.name].delete]
    cut: list[tuple[int, int, Cue]] = []
    for i, c in enumerate(kept):
        start, end = c.start, c.end
        if CUE_PATTERNS[c.name].delete:
            lo = cut[-1][1] if cut else 0
            hi = kept[i + 1].start if i + 1 < len(kept) else len(text)
            before = text[lo:start]
            after = text[end:hi]
            lead = len(before) - len(before.rstrip(_REF_CLAUSE_SEP))
            trail = len(after) - len(after.lstrip(_REF_CLAUSE_SEP))
            bounds = [0] + [x for a, b, _ in cut for x in (a, b)] + [start - lead]
            left = "".join(text[bounds[j] : bounds[j + 1]] for j in range(0, len(bounds), 2))
            opens = not left and all(CUE_PATTERNS[x.name].delete for _, _, x in cut)
            alone_after = trail > 0 or end == len(text)
            if opens and alone_after:
                start, end = start - lead, end + trail
            elif lead and alone_after:
                start -= lead
        cut.append((start, end, c))
    return cut


def _reference_replace_cues(text: str) -> tuple[str, list[str]]:
    cues = _reference_find_cues(text)
    tokens = [f"⟦cue:{c.name}⟧" for c in cues]
    out = text
    for start, end, cue in reversed(_reference_cut(text, cues)):
        kept = f" ⟦cue:{cue.name}⟧ " if CUE_PATTERNS[cue.name].replace else ""
        out = out[:start] + kept + out[end:]
        tokens.remove(f"⟦cue:{cue.name}⟧")
    return out, tokens


def _reference_repeated_tag_stem(tags: list[str]) -> bool:
    if len(tags) < 3:
        return False
    counts: dict[str, int] = {}
    for tag in set(tags):
        stem = tag[:2]
        if len(stem) == 2 and not stem.isdigit():
            counts[stem] = counts.get(stem, 0) + 1
    return max(counts.values(), default=0) >= 3


def _reference_find_cues(text: str) -> list[Cue]:
    found: list[Cue] = []
    claimed: list[tuple[int, int]] = []
    masked = text  # contact details written over with ":"
    for cue in DEFS:
        if cue.counts_as is not None:
            continue
        for m in cue.pattern.finditer(masked if cue.outside_contacts else text):
            if m.end() == m.start():
                continue
            if cue.replace or cue.delete:
                if any(m.start() < e and s < m.end() for s, e in claimed):
                    continue
                claimed.append((m.start(), m.end()))
            if cue.replace:
                masked = masked[: m.start()] + ":" * (m.end() - m.start()) + masked[m.end() :]
            found.append(Cue(cue.name, cue.label, text[m.start() : m.end()], m.start(), m.end()))
    for cue in DEFS:
        if cue.counts_as is None:
            continue
        same = [c for c in found if c.name == cue.counts_as or c.name.startswith("brand_mention")]
        for m in cue.pattern.finditer(text):
            start, end = m.span(cue.group)
            if start < end and not any(start < c.end and c.start < end for c in same):
                kind = CUE_PATTERNS[cue.counts_as]
                found.append(Cue(kind.name, kind.label, m.group(cue.group), start, end))
    claims = [(c.start, c.end) for c in found if CUE_PATTERNS[c.name].delete]
    contacts = [(c.start, c.end) for c in found if CUE_PATTERNS[c.name].replace or c.name == "price"]
    found = [
        c
        for c in found
        if CUE_PATTERNS[c.name].replace
        or CUE_PATTERNS[c.name].delete
        or not any(c.start < e and s < c.end for s, e in claims)
    ]
    found = [c for c in found if c.name != "product_model" or not any(c.start < e and s < c.end for s, e in contacts)]
    found = [c for c in found if c.name != "product_model" or not _reference_is_quantity(text, c, found)]
    found.sort(key=lambda c: (c.start, c.name))
    return found


def _reference_is_quantity(text: str, cue: Cue, found: list[Cue]) -> bool:
    """x and one or two digits after a Chinese character (a space between allowed), ending the item (not going on
    into a word, "[", "#", "@", "-" or a decimal), and not after a lexicon brand, an everyday-word brand, a verb, a
    measure word or a copula."""
    word = cue.text
    if not (len(word) in (2, 3) and word[0] == "x" and word[1:].isdigit()):
        return False
    before = text[: cue.start]
    gap = before[-1:] if before[-1:].isspace() else ""
    prev = before[: len(before) - len(gap)][-1:]
    if not ("\u4e00" <= prev <= "\u9fff"):
        return False
    after = text[cue.end : cue.end + 2]
    if after[:1] and (
        after[0].isalnum() or after[0] == "_" or after[0] in "[#@-" or (after[0] == "." and after[1:2].isdigit())
    ):
        return False
    stem = before[: len(before) - len(gap)]
    if (
        any(stem.endswith(w) for w in ("荣耀", "小米", "红米", "苹果", "联想", "小黑", "美的", "大众"))
        or prev in "部台款是的了换用买级上荐择到入如"
    ):
        return False
    return not any(c.name.startswith("brand_mention") and c.end == cue.start - len(gap) for c in found)


def _reference_is_noise(token: str) -> bool:
    if token.isalnum():
        return False
    return all(unicodedata.category(ch)[0] in "PZC" for ch in token)


def _reference_tokenize(tok: NoteTokenizer, doc: str) -> list[str]:
    """``NoteTokenizer.__call__`` as it was, run with ``tok``'s own segmenter and stop words."""

    def tokens(doc: str) -> list[str]:
        cut = tok._cut()
        out: list[str] = []
        pos = 0
        sub = _REF_ASCII_PUNCT_RE.sub
        for m in _REF_PLACEHOLDER_RE.finditer(doc):
            if m.start() > pos:
                out.extend(cut(sub(" ", doc[pos : m.start()])))
            out.append(m.group(0))
            pos = m.end()
        if pos < len(doc):
            out.extend(cut(sub(" ", doc[pos:])))
        stop = tok._stop
        return [t for t in out if not _reference_is_noise(t) and t not in stop]

    body, marker, comments = doc.partition(_REF_COMMENTS_MARKER)
    if not marker:
        return tokens(doc)
    result = tokens(body)
    result.append(_REF_COMMENTS_MARKER)
    result.extend(t if t.startswith("⟦") else "c:" + t for t in tokens(comments))
    return result


# -- Helpers -----------------------------------------------------------------------------------------------------
_RJIEBA = NoteTokenizer(backend="rjieba")
_RJIEBA_STOP = NoteTokenizer(backend="rjieba", stopwords=["的", "了", "⟦has:title⟧", "c"], hmm=False)


def _outcome(fn, *args):
    """The result of ``fn(*args)``, or the type of the exception it raised (both sides must fail alike)."""
    try:
        return ("ok", fn(*args))
    except Exception as exc:  # any failure must be the same failure on both sides
        return ("raised", type(exc))


def _check_text(value: str) -> None:
    """normalize_text, find_cues (on raw and normalised text) and cue_counts agree with the reference."""
    norm = _reference_normalize_text(value)
    assert normalize_text(value) == norm
    assert find_cues(norm) == _reference_find_cues(norm)
    assert find_cues(value) == _reference_find_cues(value)
    expected = dict.fromkeys((c.name for c in DEFS if c.counts_as is None), 0)
    for cue in _reference_find_cues(norm):
        expected[cue.name] += 1
    assert cue_counts(norm) == expected


def _check_note(title: str | None, text: str | None, tokenizers=(_RJIEBA, _RJIEBA_STOP)) -> None:
    """prepare_document and the tokenizers (on the document, and with a comment section) agree."""
    doc = _reference_prepare_document(title, text)
    assert prepare_document(title, text) == doc
    comments = [t for t in (title, text) if t]
    assert prepare_comment_text(comments) == _reference_prepare_comment_text(comments)
    full = f"{doc} {COMMENTS_MARKER} {_reference_prepare_comment_text(comments)}"
    for tok in tokenizers:
        assert tok(doc) == _reference_tokenize(tok, doc)
        assert tok(full) == _reference_tokenize(tok, full)


# -- (a) Tricky strings ------------------------------------------------------------------------------------------
TRICKY = [
    "",
    " ",
    "\t\n\r\n  \u3000\xa0",
    "😀😀🍅 🔗",
    "👨‍👩‍👧 ❤️ ✨",
    "ＡＢＣ１２３，！：？（全角）～｜；",
    "…‼⁉℃①②③⑴⒈Ⓐ㊙㎡🉑🈶𝙖𝘼𝟿🯱",
    "控制\x00字\x07符\x1f\x7f\x85\x9f",
    "零\u200b宽\u200d字\ufeff符\u2028\u2060",
    "坏\ud800字\udfff",
    "\ud83d\ude00",
    "⟦cue:x⟧ ⟦tag:伪造⟧⟦⟧ ⟦ ⟧ ⟦comments⟧ 评论",
    "⟦!!⟧ ⟦，。⟧⟦😀⟧ ⟦_⟧x⟦ ⟧ ⟦1⟧ ⟦a,b⟧ ⟦\u3000⟧",  # placeholder-shaped, some all punctuation
    "#话题[话题]# #Blackpink香港演唱会[话题]##格力空调[话题]##格力王者柜机[话题]##格力立式空调[话题]#",
    "#  [话题]# ## #a#b# #" + "长" * 45 + "#",
    "#露营 #穿搭,#日常 色号#01 3#楼 #00:06[时刻]#开场 #ai #chatgpt[话题]# # 周黑鸭 # #a#b[话题]# #" + "长" * 35,
    "@蕉下官方 @珂卡芙官方旗舰店 @abc_official @安踏官方 @周黑鸭官方微博 @官方旗舰店 没有链接,私信我 不卖关子",
    "珂卡芙 abc #珂卡芙好物 #abcd @珂卡芙官方旗舰店 @abc_official @安踏跑步官方",
    "[笑哭R] [doge] [吐舌头H] [话题] [] [很长很长很长很长很长的表情] [R]",
    "@小明 @name_1 @a.b-c·d @ 你好@",
    "表情@_@ 哈 @. 空 @_a @-.·x @__ @·-· 好 @_@小明",
    "@_@xiaomei 你好 @_@@小红 x@_@_@y @.@abc @-@蕉下官方 汤圆哦@_@1288元 a@_@",
    "私 信 我领取 加 微/信 吧 比 淘 宝还差 2004-6-1 I S B N 元 /2 电 2 充 / 预 约 电话 加 ❤️微❤️ 信 私 信/我 加 微/a哦",
    "vx：abc 123有事找我 微信：abc 123号 vx:abc 100多 vx:abc 123abc 微信：abc 123人都加了",
    "微信：abc123、defgh 微信：abc123、defghi 微信：abc123、谢谢 微信：abc123，hello大家 微信：abc123或defghi、xyz_12",
    "看这里 https://xhslink.com/a/abc www.example.cn/x abc.com xyz.top?x=1 http://",
    "电话 138 1234 5678，138-1234-5678，1 3 8 1 2 3 4 5 6 7 8，010-12345678，400-123-4567，12345678901234",
    "V信 lanruo888 vx: abc_123 加ＶＸ：ａｂｃ_１２３ 薇: abc12345 +v 13812345678 wx 1 3 8 1 2 3 4 5 6 7 8 v：abc",
    "wx 1 3 8 1 2 3 4 5 6 7 8",
    "wx:abc_123 wechat: hello_world 绿泡泡 威信 微信号",
    "qq 12345 678 扣扣群 企鹅号: 1234567",
    "原价¥199 现价99元 领券 打8折 8.5折 满100减20 ￥ 9 块钱 30rmb $5",
    "原价¥1,280 到手1,299元 ￥2,499.00元 12,3456 1,2,3 95折 满300减50元 $1,299.99 评论区扣1 评论区扣 111 评论区扣12",
    "#宠粉vx:abc123 #vx: abc123 #上新加v:abc_12345[话题]# #新品 wx:abc12345 #官方 #年货节微信abc12345#",
    "链接在主页，私信我 评论区见 有需要的宝 抽奖 送3份 关注+ 品牌合作 闭眼入 yyds 源头厂家 地址：xx路",
    "line one\r\nline two\rline three\nline four",
    "İstanbul ǅ ß ﬁ Ⅻ ＫＥＹ",
    "e\u0301 a\u0308\u0301 \u1100\u1161\u11a8 가\u11a8 \u0f73 \u0958",
    "check-in 0-0 t_t a+b c#d e&f 99.9% 1.2.3 ...!!!???",
    "3.14159 ٣٤٥ ０８ 1,000,000 2024年1月1日",
    "繁體中文的筆記，很好看！",
    "vx：abc 123 微信: abc 123人 vx:abc123 / def456、ghi_jk, thanks wx:ab 12 vx：abc 12.5",
    "加❤️ 微❤️ 信 私🌟 信🌟 下🌟 单 加 ❤️微 ❤️信 a/ b/ c/ d 私 信 我哦 加 微 信吧~ 比 淘 宝还差 官 网 可查 x ❤️y❤️ z",
    "ab" * 3000,
    "今天天气很好，去公园散步了。" * 300,
    "#好物[话题]# 加vx: abc123，好看[笑哭R]！电话13812345678 " * 50,
]


@pytest.mark.parametrize("value", TRICKY)
def test_tricky_strings_text_and_cues(value):
    _check_text(value)


@pytest.mark.parametrize("value", TRICKY)
def test_tricky_strings_documents_and_tokens(value):
    for title, text in ((None, value), (value, None), (value, value), ("", value), ("标题", value)):
        _check_note(title, text)
    # The tokenizer also takes arbitrary text (lone surrogates make both versions fail the same way).
    for tok in (_RJIEBA, _RJIEBA_STOP):
        assert _outcome(tok, value) == _outcome(_reference_tokenize, tok, value)


def test_tricky_strings_jieba_backend():
    tok = NoteTokenizer(backend="jieba")
    for value in TRICKY[:-3]:
        doc = prepare_document("标题", value)
        assert tok(doc) == _reference_tokenize(tok, doc)


def test_non_strings_still_rejected():
    with pytest.raises(TypeError, match="expects a str, got bytes"):
        normalize_text(b"abc")  # type: ignore[arg-type]


def test_every_branch_of_the_cue_union_starts_with_a_literal():
    """The union of the cue kinds' pre-checks (``model.cue_patterns.ANY_CUE_RE``) settles most notes in one scan
    only while every top-level branch starts with a literal character: the regex engine then skips ahead to the
    characters that can start a match. One branch led by a class ("[无非]商单", normalisation 26) cost document
    preparation 30 us a note (61 -> 90 us on the Xiaohongshu notes; ``benchmarks/baseline_compare.py``). The
    stdlib's own parser is read because it is the structure the engine optimises."""
    from re import _constants, _parser

    from model.cue_patterns import ANY_CUE_RE

    (op, (_, branches)), *rest = _parser.parse(ANY_CUE_RE.pattern).data
    assert op is _constants.BRANCH and not rest
    led = [str(b.data[0])[:60] for b in branches if b.data[0][0] is not _constants.LITERAL]
    assert not led, f"branches of ANY_CUE_RE not led by a literal: {led}"


def test_normalization_version_unchanged():
    # The references above are version "54". A change of output needs a new version AND new references.
    assert NORMALIZATION_VERSION == "54"


# -- Every code point --------------------------------------------------------------------------------------------
def _all_code_point_chunks(size: int = 256):
    cps = [cp for cp in range(sys.maxunicode + 1) if not 0xD800 <= cp <= 0xDFFF]
    for i in range(0, len(cps), size):
        yield "".join(map(chr, cps[i : i + size]))


def test_every_code_point_normalizes_like_the_reference():
    for chunk in _all_code_point_chunks():
        # Alone, between combining marks, and after letters they could compose with.
        for text in (chunk, "\u0301".join(chunk), "a" + "e".join(chunk) + "\u0308"):
            assert normalize_text(text) == _reference_normalize_text(text), repr(text[:20])


def test_fast_nfkc_equals_unicodedata_in_every_context():
    # fold_nfkc pre-replaces the characters of _COMPAT; check each next to characters that compose or reorder. Enclosed
    # digits (model.text.DIGIT_FORMS) are digits before NFKC.
    contexts = ("{}", "a{}\u0301", "e\u0301{}\u0308", "\u1100{}\u1161", "{}\u0327\u0301", "가{}\u11a8", "{}{}")
    for ctx in contexts:
        text = "|".join(ctx.format(ch, ch) for ch in _COMPAT)
        assert fold_nfkc(text) == unicodedata.normalize("NFKC", text.translate(_REF_DIGIT_FORMS)), ctx
    assert all(_COMPAT[ch] == unicodedata.normalize("NFKC", ch.translate(_REF_DIGIT_FORMS)) != ch for ch in _COMPAT)
    # The enclosed digits are read as digits before NFKC, next to anything.
    for ctx in contexts:
        text = "|".join(ctx.format(ch, ch) for ch in "⑴❶➀➊⓵⓿\U0001f10b\U0001f10c⑩❿⓾⓫⒈🄂")
        assert fold_nfkc(text) == unicodedata.normalize("NFKC", text.translate(_REF_DIGIT_FORMS)), ctx


def test_split_join_collapses_exactly_what_the_whitespace_regex_matches():
    every = "".join(chr(cp) for cp in range(sys.maxunicode + 1) if not 0xD800 <= cp <= 0xDFFF)
    assert set("".join(_WS_RE.findall(every))) == {ch for ch in every if ch.isspace()}
    # The tokenizer skips whitespace-only segments: every token cut from them would be noise.
    assert all(_reference_is_noise(ch) for ch in every if ch.isspace())
    for ch in (ch for ch in every if ch.isspace()):
        text = f"{ch}a{ch}{ch}b{ch}"
        assert " ".join(text.split()) == _REF_WS_RE.sub(" ", text).strip() == "a b"


def test_noise_filter_for_every_code_point():
    # The live filter keeps ``t.isalnum() or not noise[t]`` (a cache of _is_noise) where the reference kept
    # ``not _is_noise(t)``.
    noise = NoteTokenizer()._noise
    for cp in range(0, sys.maxunicode + 1, 5):
        ch = chr(cp)
        for token in (ch, ch + " "):
            assert (token.isalnum() or not noise[token]) == (not _reference_is_noise(token)), hex(cp)


# -- (b) Shared corpora ------------------------------------------------------------------------------------------
def _corpus_rows(name: str, limit: int | None) -> list[dict]:
    path = SHARED_DATA / name
    if not path.is_file():
        pytest.skip(f"{path} is not present on this machine")
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in islice(fh, limit)]


@pytest.mark.parametrize(("name", "limit"), CORPORA)
def test_shared_corpus_parity(name, limit):
    rows = _corpus_rows(name, limit)
    assert rows and all("text" in row for row in rows)  # titles exist only in the Xiaohongshu corpus
    jieba_tok = NoteTokenizer(backend="jieba")
    for i, row in enumerate(rows):
        title, text = row.get("title"), row.get("text")
        for value in (title, text):
            if value:
                _check_text(value)
        _check_note(title, text, tokenizers=(_RJIEBA, _RJIEBA_STOP, jieba_tok) if i < 150 else (_RJIEBA,))


def test_generated_spaced_text_is_read_like_the_reference():
    # Runs of characters with one separator between them (plain, a symbol, a symbol with a space on one side or
    # each), sometimes broken or glued to particles or words: despace joins exactly what the reference loop joins.
    rng = random.Random(21)
    seps = [" ", "/", ".", "~", "🌟", "❤️", "❤", " ❤️ ", " ❤️", "❤️ ", " / ", "/ ", " /", "、", "  "]
    chars = "加微信私我下单淘宝好ab12哦吧啦x预约电"
    for _ in range(20000):
        pieces = []
        for _ in range(rng.randrange(1, 4)):
            sep = rng.choice(seps)
            run = sep.join(rng.choice(chars) for _ in range(rng.randrange(2, 7)))
            if rng.random() < 0.3:  # a separator of its own in each gap
                run = "".join(rng.choice(chars) + rng.choice(seps) for _ in range(rng.randrange(1, 4)))
                run += rng.choice(chars)
            pieces.append(run + rng.choice(["", "", "哦", "吧啦", "好", "a", " ", "~", rng.choice(seps)]))
        text = "".join(pieces)
        assert despace(text) == _reference_despace(text), text


# -- Generated text ----------------------------------------------------------------------------------------------
_ANY_CHAR = st.characters(codec=None, exclude_categories=())  # every code point, lone surrogates included
# Characters the optimised paths branch on: markup, placeholders, cue words, digits and separators, compatibility
# forms, combining marks, whitespace and controls.
_INTERESTING = st.sampled_from(
    list("#[]@⟦⟧:：._-/|~，。！?？ \t\n\r\u3000\xa0\u200b\x07\ufeff0123456789０１٣vVwxqQ加+➕信薇微威")
    + list("元折满¥￥$话题笑哭rhcomhttps://www.链接私信主页合作推广抽奖必入宝藏厂家店")
    + ["…", "‼", "①", "℃", "㊙", "🉑", "𝙖", "e\u0301", "\u0308", "\u1100\u1161", "😀", "🔗", "\ud800"]
    + ["#好物[话题]#", "[笑哭R]", "@小明", "⟦cue:url⟧", "⟦!⟧", "⟦，⟧", "https://a.cn/x", "138 1234 5678", "V信", "\r\n"]
)
_NOISY_TEXT = st.lists(st.one_of(_INTERESTING, _ANY_CHAR), max_size=80).map("".join)
_RANDOM_TEXT = st.text(alphabet=_ANY_CHAR, max_size=200)
_SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


@_SETTINGS
@given(title=st.one_of(st.none(), _RANDOM_TEXT, _NOISY_TEXT), text=st.one_of(st.none(), _RANDOM_TEXT, _NOISY_TEXT))
def test_generated_text_matches_reference(title, text):
    for value in (title, text):
        if value is not None:
            _check_text(value)
    _check_note(title, text)
    for value in (title, text):
        if value is not None:
            assert _outcome(_RJIEBA, value) == _outcome(_reference_tokenize, _RJIEBA, value)


#: At least one match of every branch of each pattern that has a pre-check.
PRECHECK_EXAMPLES = {
    "url": [
        "https://a",
        "http://a.b",
        "www.a",
        "ab.com",
        "a1.cn/x",
        "xx.net",
        "xx.top",
        "xx.cc",
        "xx.xyz",
        "xx.vip",
        "xx.shop",
    ],
    "wechat": [
        "加v信",
        "+vx",
        "➕ wx",
        "加微信",
        "加薇",
        "加薇信",
        "加威信",
        "加v",
        "v信",
        "vx",
        "wx:abc",
        "wx 1",
        "威信",
        "薇信",
        "微信:",
        "微信 a",
        "微信公众号:abc123",
        "微信公众平台",
        "微信群",
        "微信同号",
        "微信同手机号",
        "vx同手机号",
        "wx同号",
        "v同号",
        "微信同电话",
        "v我:mei8886",
        "v 我 : mei8886",
        "微信搜 mei8886",
        "wx搜 mei8886",
        "🛰 xmm0909",
        "ライン:lip_shop99",
        "wx是 abc123",
        "w x是 mei_bai888",
        "v x:abc123",
        "微信二维码",
        "微信商城",
        "微信咨询",
        "关注微信",
        "扫微信",
        "扫描微信",
        "官方微信",
        "此号微信",
        "本号微信",
        "1微信",
        "1，微信",
        "微信同步",
        "微信同上",
        "微信号",
        "wechat",
        "绿泡泡",
        "薇:a",
        "薇 1",
        "v:a",
        "v：1",
        "vx: abcde12",
        "vx:abc 123",
        "微信: abc123、def456",
    ],
    "qq": [
        "qq12345",
        "qq群",
        "扣扣1234 5",
        "企鹅号:12345",
        "qq号 1-2-3-4-5",
        "扣扣群",
        "企鹅群：12345",
        "qq 八五零八七四一三六",
        "qq号是八五零八七",
        "qq邮箱:850874136",
        "企鹅号:八五零八七四",
        "q群:八五零八七四",
        "q q:3 2 8 5 5",
        "q q 328551706",
    ],
    "email": ["850874136@qq.com", "a.b-c@mail.example.com.cn", "bd@dingkeji.com"],
    "phone": [
        "13812345678",
        "13 8 1 2 3 4 5 6 7 8",
        "138-1234-5678",
        "010-12345678",
        "0755-1234567",
        "400-123-4567",
        "400 123 4567",
        "4001234567",
        "19٣12345678",
        "1 3 8 - 6 7 2 1 - 0 4 5 9",
        "壹叁捌陆柒贰壹零肆伍玖",
        "幺三八六七二一零四五九",
        "1三8六7二1零4五9",
    ],
    "product_model": ["x300", "tt350", "mate60 pro", "iphone15", "x5", "k 300 max", "iphone 15", "v15 pro"],
    "brand_campaign_tag": [
        "#海尔年货节[话题]#",
        "#我和我的家乡#",
        "#小狗越用越香[话题]#",
        "#618大促#",
        "#国风合伙人[话题]#",
        "#宠粉vx:abc123",
    ],
    "brand_account": ["@小熊官方", "@abcofficial", "@某某旗舰店", "@x官方微博", "@abc_official"],
    "shop_funnel": [
        "小程序",
        "直播间",
        "某宝",
        "淘宝",
        "tb店",
        "拼夕夕",
        "搜同款",
        "search店",
        "同款链接",
        "店铺名",
        "进店",
        "旗舰店",
        "专柜",
        "官网",
    ],
    "price": [
        "¥5",
        "￥ 5",
        "$5",
        "5元",
        "5 块钱",
        "5rmb",
        "1.5 元",
        "¥1,280.50元",
        "12,999 rmb",
        "95折",
        "原价",
        "现价",
        "到手价",
        "券后",
        "优惠券",
        "领券",
        "8折",
        "8.5折",
        "打折",
        "折扣",
        "包邮",
        "秒杀",
        "特价",
        "限时",
        "满100减",
        "满100减20元",
        "满三百减五十",
        "满两百元减三十块",
        "满三佰减伍拾",
        "满3百减50",
        "立减",
        "低至",
        "价格表",
        "拼团",
    ],
}


def test_precheck_examples_cover_every_kind():
    assert sorted(PRECHECK_EXAMPLES) == sorted(PRECHECKS)


@pytest.mark.parametrize(("kind", "example"), [(k, e) for k, v in PRECHECK_EXAMPLES.items() for e in v])
def test_precheck_finds_every_branch(kind, example):
    matches = [m.group() for m in CUE_PATTERNS[kind].pattern.finditer(example)]
    assert matches, f"{example!r} is not a {kind} cue: fix the example"
    assert all(re.search(PRECHECKS[kind], m) for m in matches)
    for text in (example, f"今天{example}好", f"a{example}1", normalize_text(example)):
        assert find_cues(text) == _reference_find_cues(text)


@pytest.mark.parametrize("kind", sorted(PRECHECKS))
def test_precheck_is_a_necessary_condition(kind):
    """Every text a cue pattern matches also matches its pre-check (else find_cues would skip real cues)."""
    pattern = CUE_PATTERNS[kind].pattern
    precheck = re.compile(PRECHECKS[kind])

    @settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(match=st.from_regex(pattern, fullmatch=True), before=_NOISY_TEXT, after=_NOISY_TEXT)
    def check(match, before, after):
        assert precheck.search(match), match
        text = before + match + after
        assert find_cues(text) == _reference_find_cues(text)

    check()


def _as_written(kind: str) -> re.Pattern[str]:
    """The pattern of ``kind`` without its gate (``model.cue_patterns.gated``)."""
    pattern = CUE_PATTERNS[kind].pattern.pattern
    prefix = f"(?=[{FIRST_CHARS[kind]}])(?:"
    assert pattern.startswith(prefix) and pattern.endswith(")")
    return re.compile(pattern[len(prefix) : -1])


@pytest.mark.parametrize("kind", sorted(FIRST_CHARS))
def test_gated_pattern_finds_what_the_pattern_as_written_finds(kind):
    """A gate only lets the engine skip positions no match can start at: the same matches, everywhere."""
    gated, written = CUE_PATTERNS[kind].pattern, _as_written(kind)
    first = re.compile(f"[{FIRST_CHARS[kind]}]")

    def same(text):
        assert [(m.span(), m.group()) for m in gated.finditer(text)] == [
            (m.span(), m.group()) for m in written.finditer(text)
        ], text

    for example in PRECHECK_EXAMPLES.get(kind, ()):
        for text in (example, f"今天{example}好", f"a{example}1", f"{example}{example}"):
            same(text)

    @settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(match=st.from_regex(written, fullmatch=True), before=_NOISY_TEXT, after=_NOISY_TEXT)
    def check(match, before, after):
        assert first.match(match), match
        same(before + match + after)

    check()


def test_price_numbers_start_where_a_digit_run_starts():
    """The price pattern tries a number only where a digit run starts (or three digits before a thousands
    separator): the same prices as the pattern tried at every digit, which cost the square of a long run's length."""
    from model.cue_parts import AMOUNT_START, RUN_START

    price = CUE_PATTERNS["price"].pattern
    assert AMOUNT_START in price.pattern and RUN_START in price.pattern
    everywhere = re.compile(price.pattern.replace(AMOUNT_START, "").replace(RUN_START, ""))

    @settings(max_examples=600, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(st.text(alphabet="0123456789,.元块钱折%offrmb ¥满减x", max_size=30))
    def check(text):
        assert [(m.span(), m.group()) for m in price.finditer(text)] == [
            (m.span(), m.group()) for m in everywhere.finditer(text)
        ]

    check()
    for text in ("1234,567元", "12,345,6789元", "1.2345折", "12345 % off", "满1000减100元", "1,280元"):
        assert [m.group() for m in price.finditer(text)] == [m.group() for m in everywhere.finditer(text)]


# -- The noise cache ---------------------------------------------------------------------------------------------
def test_noise_cache_is_bounded_and_does_not_change_tokens(monkeypatch):
    monkeypatch.setattr(tokenize_module, "_NOISE_CACHE_MAX", 3)
    tok = NoteTokenizer(stopwords=["的"])
    doc = prepare_document("标题", "我的天，今天去了公园！！#好物[话题]# 很好看[笑哭R] 😀 ~~ ……")
    for _ in range(3):
        assert tok(doc) == _reference_tokenize(tok, doc)
        assert 0 < len(tok._noise) <= 3


def test_noise_cache_is_per_tokenizer_and_not_pickled():
    import pickle

    a, b = NoteTokenizer(), NoteTokenizer(stopwords=["的"])
    assert a("我的天，好！") == ["我", "的", "天", "好"] and b("我的天，好！") == ["我", "天", "好"]
    assert a._noise is not b._noise and a._noise["，"] and not a._noise["😀"]
    assert "_noise" not in a.__getstate__()
    assert len(pickle.loads(pickle.dumps(a))._noise) == 0


def test_tokenizer_shared_between_threads():
    tok = NoteTokenizer()
    docs = [prepare_document("标题", value) for value in TRICKY[:-3]] * 4
    expected = [_reference_tokenize(tok, d) for d in docs]
    results: dict[int, list[list[str]]] = {}

    def work(i: int) -> None:
        results[i] = [tok(d) for d in docs]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 4 and all(r == expected for r in results.values())
