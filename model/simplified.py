"""Traditional Chinese characters read as their simplified forms, one character for one.

A note written in traditional characters (a writer from Hong Kong or Taiwan, or an ad that switches script to slip
past a filter) was another text to the model: its words, cue phrases, brand names and hashtag markup
(``#蘭蔻[話題]#``) matched nothing learnt from simplified notes, and a campaign note fell from review 0.35 to
genuine 0.02. :func:`model.text.normalize_text` therefore maps each traditional character to its simplified form.

The table is OpenCC's ``t2s`` conversion of each CJK ideograph on its own (not of phrases, but for two words
of :data:`_PHRASES`): a character for a character, so a normalised text keeps its length and every highlight still
maps back to the characters the writer typed. It is built once at import (~10 ms). Its sha256
(:data:`TABLE_SHA256`) is recorded in every model card and checked at load, since another OpenCC release could map a
character differently and so prepare text differently from the model's training.
"""

from __future__ import annotations

import hashlib
import re

#: Ideographs converted: CJK Unified Ideographs and Extension A (compatibility ideographs are unified by NFKC first).
_RANGES = ((0x3400, 0x4DC0), (0x4E00, 0xA000))


def _table() -> dict[int, str]:
    import opencc

    chars = [chr(cp) for lo, hi in _RANGES for cp in range(lo, hi)]
    # one call over all characters, each on its own line: no phrase can form across them
    out = opencc.OpenCC("t2s").convert("\n".join(chars)).split("\n")
    if len(out) != len(chars):  # pragma: no cover - a converter that merged or split lines
        raise RuntimeError("OpenCC t2s did not convert the ideographs one for one")
    return {ord(a): b for a, b in zip(chars, out, strict=True) if a != b and len(b) == 1}


#: Code point of a traditional character -> its simplified form (a ``str.translate`` table).
T2S_TABLE: dict[int, str] = _table()
#: sha256 of the table, as recorded in model cards.
TABLE_SHA256: str = hashlib.sha256(
    "".join(f"{chr(k)}{v}" for k, v in sorted(T2S_TABLE.items())).encode("utf-8")
).hexdigest()


#: Any character the table converts. Most notes hold none: a search in C is about ten times cheaper than
#: ``str.translate``, which looks every character up in a Python dict.
_TRADITIONAL_RE = re.compile("[" + "".join(re.escape(chr(k)) for k in sorted(T2S_TABLE)) + "]")


#: Words of Taiwan and Hong Kong whose characters, simplified one by one, make another word or none: 鏈結 (a web
#: link) is 链接, and 私訊 (a direct message) is 私信. Each is as long as its replacement, so offsets still map back.
#: From OpenCC's Taiwan phrase table (``tw2sp``) and usage; a writer's "私訊我" was read as personal experience while
#: 私信 is a call to action. Not 連結, which is a link but also a bond ("和孩子建立情感連結"): read as 连结, it is a
#: call to action only where it offers a link (:mod:`model.cue_patterns`, "点击连结", "连结在主页").
_PHRASES = {"鏈結": "链接", "私訊": "私信"}
_PHRASE_RE = re.compile("|".join(_PHRASES))


def _phrase(m: re.Match[str]) -> str:
    return _PHRASES[m.group()]


#: Cantonese negations read as the Mandarin ones they are, so that what they negate is read negated: 唔 (not)
#: before a Chinese character as 不, 冇 (have not) as 没, 唔係 (is not; 唔系 once simplified) as 不是, 唔使 (need not)
#: as 不用. A writer's "唔會再回購" was read as the sales pitch 回购 (ad 0.69 against review 0.29 for
#: 不會再回購), "唔包郵" as the offer 包邮 (a walkthrough). 唔好 is "not good" or "don't": 不好, and 不要 in the
#: sales phrase 唔好錯過 (不要错过, not "not good to miss"). Not a 唔 before punctuation or another 唔 (the
#: interjection "唔，", the sound "唔唔") nor 唔該 ("thanks", not 不该 "should not"). Each as long as its
#: replacement.
_CANTONESE = {"唔系": "不是", "唔使": "不用", "唔驶": "不用", "唔好错过": "不要错过", "唔": "不", "冇": "没"}
_CANTONESE_RE = re.compile(r"唔系|唔使|唔驶|唔好错过|(?<!唔)唔(?=[\u4e00-\u9fff])(?![唔该])|冇")


def _cantonese(m: re.Match[str]) -> str:
    return _CANTONESE[m.group()]


def to_simplified(text: str) -> str:
    """``text`` with every traditional character replaced by its simplified form, the few traditional words
    another word translates (:data:`_PHRASES`) replaced by it, and Cantonese negations by Mandarin ones
    (:data:`_CANTONESE`); the same length."""
    if _TRADITIONAL_RE.search(text) is not None:
        text = _PHRASE_RE.sub(_phrase, text).translate(T2S_TABLE)
    if "唔" in text or "冇" in text:
        text = _CANTONESE_RE.sub(_cantonese, text)
    return text
