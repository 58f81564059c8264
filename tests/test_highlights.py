"""Highlights and readable reasons: exact spans of the note as sent, never an internal token."""

import itertools
import json
import math
import random
import re
import unicodedata
from functools import partial

import numpy as np
import pytest
from conftest import SAMPLES, with_thresholds
from hypothesis import given, settings
from hypothesis import strategies as st

from model import load_model
from model.cues import CUE_PATTERNS
from model.highlights import CATEGORIES, FUNCTION_WORDS, attribute, markup_spans, note_fields
from model.highlights.categories import ReadableReason, Span
from model.highlights.fields import normalize_aligned
from model.highlights.reasons import DIRECTED_LABELS
from model.text import normalize_text, prepare_document

AD = {"title": "新店开业", "text": "加VX领券，原价199现价99，链接在主页，私信下单"}
DIARY = {"title": "周末爬山", "text": "今天和朋友去爬山，山顶风景很好，下山吃了碗面，累但开心"}

#: Texts whose normalisation changes lengths or positions: full-width forms, ligatures, combining marks, zero-width
#: and control characters, forged placeholders, runs of whitespace, case, emoji and supplementary characters.
ODD = [
    "ＶＸ：ＡＢＣ１２３４５ 全角的联系方式，原价１９９",
    "ﬁne ligature ㎡ ① ② ③ and ½ price 加vx abc12345",
    "电话❶❸❽-❻❼❷❶-⓿❹❺❾ 或 ⑴⑶⑻⑹⑺⑵⑴0⑷⑸⑼ 🄋➀ ❿⓫ 加vx abc12345 @_@ @. @小明",
    "ＶＸ：ＡＢＣ １２３有事找我 微信：abc123、lanruo或def_45 @_@小明 私 信 我领取 加 微/信 吧 预 约 电话",
    "e\u0301 combining accent, cafe\u0301 加微信 abc_12345",
    "zero\u200bwidth\u200d joiner\ufeff 链接在主页 \x07 control",
    "⟦cue:wechat⟧ forged placeholder 加vx abc12345 ⟦has:title⟧",
    "   lots   of\n\n\twhitespace   私信我   下单   ",
    "ΣΑΣ CASE Ὀδυσσεύς 原价199 #兰若面霜[话题]# @兰若官方旗舰店 [笑哭R]",
    "𝙖𝙗𝙘 math letters 🉑 😀😀 emoji 领券 包邮 ¥ 99",
]


@pytest.fixture(scope="module")
def shipped():
    return load_model()


def _assert_exact(note, result):
    spans = [(h.field, h.start, h.end) for h in result.highlights]
    for h in result.highlights:
        assert note.get(h.field, "")[h.start : h.end] == h.text, h
        assert h.end > h.start and h.category in CATEGORIES
    for field in ("title", "text"):  # non-overlapping within a field
        mine = sorted((a, b) for f, a, b in spans if f == field)
        assert all(b <= a2 for (_, b), (a2, _) in itertools.pairwise(mine))
    weights = [abs(h.weight) for h in result.highlights]
    assert weights == sorted(weights, reverse=True)
    for r in result.reasons:
        for e in r.evidence:
            assert note.get(e.field, "")[e.start : e.end] == e.text


@pytest.mark.parametrize("text", ODD)
def test_highlights_are_exact_substrings_of_odd_text(shipped, text):
    note = {"title": text[:10], "text": text}
    _assert_exact(note, shipped.check(note, top=50))


@pytest.mark.parametrize("text", ODD + [n["text"] for n in (AD, DIARY)])
def test_normalisation_offsets_map_back_into_the_text(text):
    norm, starts, ends = normalize_aligned(text)
    assert norm == normalize_text(text) and len(starts) == len(ends) == len(norm)
    assert all(0 <= a < b <= len(text) for a, b in zip(starts, ends, strict=True))
    assert starts == sorted(starts)


@pytest.mark.parametrize(
    "prefix", ["cafe\u0301", "cafe\u0301\u0301 ", "가\u11a8 ", "a\u0308\u0301", "soft\xadhyphen ", "x\u2065y "]
)
def test_characters_composed_by_nfkc_leave_later_highlights_in_place(shipped, prefix):
    # NFKC turns "e" + U+0301 (or a syllable and its final jamo) into one character; the offset map must not shift
    # what follows by one, or "加vx" is shown as "，加v".
    text = prefix + "很好喝，加vx领券，原价199现价99"
    norm, starts, ends = normalize_aligned(text)
    assert norm == normalize_text(text)
    at = norm.index("加")
    assert text[starts[at] : ends[at]] == "加"
    shown = {h.text: h.category for h in shipped.check({"text": text}).highlights}
    assert shown.get("加vx") == "contact" and shown.get("原价") == "price"


#: Characters the normalisation deletes: zero-width, bidi controls, word joiner, line separator, the unassigned
#: U+2065 of its range (which a rule by Unicode category kept, throwing the whole offset map off), the soft hyphen
#: and the other invisible format characters.
DELETED = ["\u200b", "\u200d", "\ufeff", "\u2060", "\u202e", "\u2065", "\u2028", "\u00ad", "\u180e", "\ufff9"]


@pytest.mark.parametrize("inserted", DELETED)
def test_invisible_characters_anywhere_in_a_cue_leave_its_highlight_whole(shipped, inserted):
    # Two invisible characters at every pair of positions inside the contact cue "加vx：abc123" (and one in the
    # price cue after it): the contact highlight runs from its first character as sent to its last, never a
    # character short, and the offsets of every other character stay on it.
    cue, rest = "加vx：abc123", " 领券"
    for i, j in itertools.combinations(range(1, len(cue)), 2):
        text = cue[:i] + inserted + cue[i:j] + inserted + cue[j:] + rest[:2] + inserted + rest[2:]
        norm, starts, ends = normalize_aligned(text)
        assert norm == normalize_text(text)
        for k, c in enumerate(norm):
            if c != " ":
                assert normalize_text(text[starts[k] : ends[k]]) == c, (text, k)
        shown = {h.category: h for h in shipped.check({"text": text}).highlights}
        assert (shown["contact"].start, shown["contact"].end) == (0, len(cue) + 2), text
        assert shown["price"].text.replace(inserted, "") == "领券", text


@pytest.mark.parametrize("prefix", ["MΣ…", "MΣ\u200d ", "ΟΔΥΣΣΕΥΣ…\n\n\n\n", "ΣΑΣ 好看…\n\n\n\n"])
def test_a_word_final_capital_sigma_leaves_the_offset_map_in_place(shipped, prefix):
    # str.lower() makes a capital sigma ending a word "ς" and the same sigma alone "σ": one character either way. The
    # character-by-character map (used when the field changes length: "…" is "...", a zero-width character goes)
    # compared its "σ" with the text's "ς", took them for different texts and placed every span of the field
    # proportionally: a run of line breaks was shown as the contact, "123 领" as the price.
    text = prefix + "加微信 abc123 领券 原价199"
    norm, starts, ends = normalize_aligned(text)
    assert norm == normalize_text(text)
    for k, c in enumerate(norm):
        if c != " ":
            assert c.replace("ς", "σ") in normalize_text(text[starts[k] : ends[k]]).replace("ς", "σ"), (text, k)
    shown = {h.category: h.text for h in shipped.check({"text": text}).highlights}
    assert shown.get("contact") == "加微信 abc123" and shown.get("price") in ("领券", "原价"), shown


@pytest.mark.parametrize(
    "text",
    ["[笑哭R][笑哭R]今天好开心[派对R]", "好吃[doge]，加vx abc123 [哭惹R]#美食[话题]#", "[萌萌哒R]周末[偷笑R]去爬山"],
)
def test_emoji_codes_are_highlighted_whole_with_their_brackets(shipped, text):
    # An emoji code is one token of the document (⟦emo:笑哭⟧), like a hashtag: shown whole, "[笑哭R]", never the
    # word inside its brackets, and quoted so in the reasons.
    codes = [(a, b) for a, b, name_a, name_b in markup_spans(text) if text[a] == "[" and name_a == name_b == a]
    assert codes
    result = shipped.check({"text": text})
    shown = [h for h in result.highlights if h.field == "text"]
    for h in shown:
        for a, b in codes:
            assert h.end <= a or b <= h.start or (h.start, h.end) == (a, b), (h.text, text[a:b])
    whole = [h for h in shown if (h.start, h.end) in codes]
    assert whole and all(h.text[0] == "[" and h.text[-1] == "]" for h in whole)
    assert all(h.category == "emoji" for h in whole)  # 表情, whichever way it pushes: no experience, no wording
    quoted = {s.text for r in result.reasons for s in r.evidence}
    assert {h.text for h in whole} & quoted


@pytest.mark.parametrize("text", ["这款面霜[推荐]真的好用", "参考文献:[1] 鼠宝妈,[6星]灵犀"])
def test_words_in_brackets_are_highlighted_as_words(shipped, text):
    # Only platform codes are emoji codes (model.emoji_codes): a word the writer put in brackets is read and shown
    # as words, never as one code with its brackets.
    assert not markup_spans(text)
    shown = [h for h in shipped.check({"text": text}).highlights if h.field == "text"]
    assert all(h.category != "emoji" and not (h.text.startswith("[") and h.text.endswith("]")) for h in shown)
    if "推荐" in text:
        assert any("推荐" in h.text for h in shown)


def test_ad_note_is_explained_in_the_writers_words(shipped):
    result = shipped.check(AD)
    assert result.decision == "ad"
    top = {h.text: h.category for h in result.highlights if h.weight > 0}
    assert top.get("加VX") == "contact"  # as typed, upper case kept
    assert {"原价", "现价"} <= set(top) and {"链接", "主页"} <= set(top)
    categories = [r.category for r in result.reasons if r.direction == "ad"]
    assert {"contact", "price", "call_to_action"} <= set(categories)
    assert "申诉" in result.advice["zh"] and "appeal" in result.advice["en"]
    assert any(r.label_zh in result.advice["zh"] for r in result.reasons[:2])


ENGLISH_FUNNEL = "OMG this serum changed my life!!! Use my code LILY20 for 20% off, link in bio 💕 #ad"


def test_an_english_funnel_is_explained_by_the_kinds_of_its_cues(shipped):
    # The discount code, the link in bio and the #ad are the cue kinds Chinese notes taught the model (price, call
    # to action, disclosure), shown as the writer typed them; not "wording" alone. (The #ad, a hashtag, also moves
    # the note into the hashtag-count bucket that weighs towards genuine, which its highlight nets against.)
    note = {"text": ENGLISH_FUNNEL}
    result = shipped.check(note)
    _assert_exact(note, result)
    shown = {h.text: h.category for h in result.highlights if h.weight > 0}
    assert shown.get("Use my code LILY20") == "price" and shown.get("20% off") == "price"
    assert shown.get("link in bio") == "call_to_action"
    assert {h.text: h.category for h in result.highlights}.get("#ad") == "disclosure"
    assert {"price", "call_to_action"} <= {r.category for r in result.reasons if r.direction == "ad"}
    cues = {r.feature: r for r in shipped.explain(note, top=50).towards_ad if r.kind == "cue"}
    assert cues["word__⟦cue:disclosure⟧"].evidence == ("#ad",)
    plain = shipped.check({"text": "OMG this serum changed my life!!! My skin feels so soft 💕"})
    assert result.ad_probability > plain.ad_probability


def test_a_word_and_a_small_number_is_no_brand_campaign(shipped):
    result = shipped.check({"text": "about 5 days in Tokyo"})
    assert not [h for h in result.highlights if h.category == "brand"], result.highlights


def test_brands_named_in_a_comparison_are_names_not_a_campaign(shipped):
    """An honest comparison of four creams was told "品牌推广 brand campaign" for naming them: a brand or product
    named is its own category; a campaign hashtag (brand plus slogan) stays a campaign."""
    result = shipped.check(
        {"title": "敏感肌用过的面霜合集", "text": "用过薇诺娜特护霜、玉泽、雅漾和丝塔芙大白罐，现在只用丝塔芙了"}
    )
    named = {h.text: h.category for h in result.highlights if h.text in ("薇诺娜", "玉泽", "雅漾", "丝塔芙")}
    assert named and set(named.values()) == {"brand_name"}, result.highlights
    assert "品牌与产品名 brand or product names" in [f"{r.label_zh} {r.label_en}" for r in result.reasons]
    campaign = shipped.check({"text": "每天一杯拿铁 #瑞幸新品[话题]#"})
    assert [h.category for h in campaign.highlights if h.text == "#瑞幸新品[话题]#"] == ["brand"]
    assert not [h for h in result.highlights + campaign.highlights if h.category == "brand" and "#" not in h.text]


@pytest.mark.parametrize(
    ("tag", "category"),
    [
        ("#双十一变美众测局[话题]#", "festival"),  # an honest haul said "无广！" and was told it ran a brand campaign
        ("#双十一[话题]#", "festival"),
        ("#双11必买清单[话题]#", "festival"),
        ("#１年１度购物狂欢[话题]#", "festival"),  # full-width, as the model reads it
        ("#我的双十一人脉[话题]#", "festival"),
        ("#618好物", "festival"),
        ("#兰蔻双十一[话题]#", "brand"),  # a brand's festival campaign
        ("#双十一兰蔻必买[话题]#", "brand"),  # a brand inside is a brand's campaign wherever it stands
        ("#小米科技年货节[话题]#", "brand"),  # opens with the maker, not the festival
        ("#瑞幸新品[话题]#", "brand"),
        ("#宠粉福利[话题]#", "brand"),
        ("#雙11購物[话题]#", "festival"),  # traditional characters, as the model reads them
        ("#双十一购物狂欢节[话题]#", "festival"),
        ("#双\u200b十一[话题]#", "festival"),
        ("#双十一超级品牌日[话题]#", "brand"),  # another campaign word: a brand's day on the festival
        ("#618官方旗舰店[话题]#", "brand"),
        ("#双十一宠粉福利[话题]#", "brand"),
        ("#618新品首发[话题]#", "brand"),
    ],
)
def test_a_shopping_festival_topic_is_no_brand_campaign(tag, category):
    text = f"买了两件衣服 {tag} 周末穿"
    (field,) = [f for f in note_fields("", text) if f.name == "text"]
    start = text.index(tag)
    assert (start, start + len(tag), category) in field.units, field.units


@pytest.mark.parametrize(
    ("mention", "category"),
    [
        ("@蕉下官方", "brand_name"),  # a brand's account: "官方" was shown apart as merchant wording
        ("@小熊电器官方旗舰店", "brand_name"),  # named, not a campaign: a writer may tag a brand to complain
        ("@兰蔻LANCOME", "brand_name"),  # a lexicon brand's name: "LANCOME" was shown apart as wording
        ("@索尼中国", "brand_name"),  # "中国" was shown apart as wording
    ],
)
def test_a_brands_mention_is_shown_whole(mention, category):
    text = f"感谢{mention} 的邀请，真的好用"
    (field,) = [f for f in note_fields("", text) if f.name == "text"]
    start = text.index(mention)
    inside = [u for u in field.units if start <= u[0] < start + len(mention)]
    assert inside == [(start, start + len(mention), category)], field.units


@pytest.mark.parametrize(
    ("text", "handle", "category"),
    [
        ("@兰蔻官方私信我领取小样", "@兰蔻官方", "brand_name"),  # typed against the next words: they keep theirs
        ("@兰蔻官方超好用的面霜", "@兰蔻官方", "brand_name"),
        ("@dior999好用", "@dior999", "brand_name"),
    ],
)
def test_a_brands_mention_ends_where_the_handle_does(text, handle, category):
    (field,) = [f for f in note_fields("", text) if f.name == "text"]
    assert (0, len(handle), category) in field.units, field.units


def test_a_friends_mention_stays_a_mention():
    text = "谢谢@小红薯 的推荐"
    (field,) = [f for f in note_fields("", text) if f.name == "text"]
    assert (2, 6, "mention") in field.units, field.units


def test_a_soft_hyphen_inside_a_contact_is_shown_as_sent(shipped):
    note = {"text": "加微\u00ad信 abc12345 私聊"}
    result = shipped.check(note)
    _assert_exact(note, result)
    shown = {h.category: h.text for h in result.highlights}
    assert shown.get("contact") == "加微\u00ad信 abc12345"
    assert result.ad_probability == shipped.check({"text": "加微信 abc12345 私聊"}).ad_probability


def test_genuine_diary_has_no_advice_and_is_not_marked_as_ad(shipped):
    result = shipped.check(DIARY)
    assert result.decision == "genuine" and result.advice is None
    assert sum(h.weight for h in result.highlights) < 0


def test_reasons_respect_top_and_order(shipped):
    for top in (0, 1, 3):
        assert len(shipped.check(AD, top=top).reasons) <= top
    weights = [abs(r.weight) for r in shipped.check(AD, top=20).reasons]
    assert weights == sorted(weights, reverse=True)


def _forbidden(highlight):
    """A highlight that must never be shown to a writer: an internal token, punctuation, a lone function word or
    a bare number (a number is shown only as part of a cue: a price, a phone number)."""
    text = highlight.text
    if "⟦" in text or "⟧" in text or not text.strip():
        return True
    stripped = re.sub(r"[\W_]+", "", text)
    plain = highlight.category in ("wording", "personal")  # not a cue (a cue may be a symbol: 🔗, ¥)
    return plain and (stripped.isdigit() or stripped.lower() in FUNCTION_WORDS or len(stripped) < 2)


#: A number as written, separators inside (an ASCII comma only before exactly three digits).
_NUMBER_RE = re.compile(r"\d+(?:[.．]\d+|,\d{3}(?!\d))*")


def _cut_numbers(note, result):
    """Highlights starting or ending inside a number of the note: "¥1" of "¥1,280", "2万" of "1.2万" misquote it."""
    out = []
    for h in result.highlights:
        for m in _NUMBER_RE.finditer(note.get(h.field) or ""):
            if m.start() < h.start < m.end() or m.start() < h.end < m.end():
                out.append((h.text, m.group()))
    return out


#: (text as sent, category, the whole amount or cue as the writer wrote it)
WHOLE = [
    ("这件外套原价¥1,280，现在只要¥899", "amount", "¥1,280"),
    ("到手价1,299元，下单立减200", "amount", "1,299元"),
    ("￥2,499.00 入手的", "amount", "￥2,499.00"),
    ("这台¥12,999，贵", "amount", "¥12,999"),
    ("全场95折", "price", "95折"),
    ("满300减50元", "price", "满300减50元"),
    ("三档价格：¥68/¥198，100盒以上8.5折", "amount", "¥198"),  # a full-width comma ends a clause
    ("到手1，299元", "amount", "299元"),
    ("喜欢的姐妹评论区扣1，我发链接", "call_to_action", "评论区扣1"),
    ("评论区扣 1 我发你", "call_to_action", "评论区扣 1"),
    ("评论区扣111", "call_to_action", "评论区扣111"),
    ("＃宠粉ＶＸ：ａｂｃ１２３", "contact", "ＶＸ：ａｂｃ１２３"),  # not the campaign tag "＃宠粉ＶＸ"
]


@pytest.mark.parametrize(("text", "category", "whole"), WHOLE)
def test_a_highlight_quotes_the_whole_amount_or_cue(shipped, text, category, whole):
    note = {"text": text}
    result = shipped.check(note, top=50)
    _assert_exact(note, result)
    assert (category, whole) in [(h.category, h.text) for h in result.highlights]
    assert not _cut_numbers(note, result)


@pytest.mark.parametrize(
    "text",
    [
        "价格1.2万",
        "这个卖12,999",
        "月薪1.5w，不干涉副业",
        "硬装13.5w，软装2.1w",
        "可以吃的sakuya 2.0 上一篇",
        "9.2一面，9.9二面",
    ],
)
def test_no_highlight_cuts_a_number(shipped, text):
    """A phrase of the writer's words holds a number whole or not at all (its decimals and thousands too)."""
    note = {"title": text, "text": text}
    result = shipped.check(note, top=50)
    _assert_exact(note, result)
    assert not _cut_numbers(note, result)


@pytest.mark.parametrize(
    ("text", "contact"),
    [
        ("＃ＶＸ：ａｂｃ１２３", "ＶＸ：ａｂｃ１２３"),
        ("#vx: abc123 欢迎来问", "vx: abc123"),
        ("#微信: abc123", "微信: abc123"),
    ],
)
def test_a_wechat_id_in_a_hashtag_is_shown_as_a_contact(shipped, text, contact):
    """The document replaces a contact before it reads hashtags, so "#vx:abc123" is no tag there: shown as the
    hashtag "#vx" and the word "abc123", the contact's weight was quoted in pieces under the wrong names."""
    note = {"text": text}
    result = shipped.check(note, top=50)
    _assert_exact(note, result)
    assert ("contact", contact) in [(h.category, h.text) for h in result.highlights]
    assert "hashtag" not in [h.category for h in result.highlights]


def _notes(path, limit):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()[:limit]]


def test_no_reason_is_an_internal_token_on_sample_notes(shipped):
    for note in _notes(SAMPLES / "notes.jsonl", 120):
        result = shipped.check(note, top=50)
        _assert_exact(note, result)
        assert not _cut_numbers(note, result)
        for h in result.highlights:
            assert not _forbidden(h), h


def test_no_reason_is_an_internal_token_on_real_notes(shipped, shared_data):
    notes = _notes(shared_data / "ads" / "xhs_labelled.jsonl", 400)
    for note, result in zip(notes, shipped.check_many(notes, top=50), strict=True):
        _assert_exact(note, result)
        assert not [h for h in result.highlights if _forbidden(h)]
        assert not _cut_numbers(note, result)


def test_score_rows_carry_the_readable_reasons_of_flagged_notes(shipped):
    from model.notes import parse_note

    notes = [parse_note(AD), parse_note(DIARY)]
    reasons = shipped.score(notes, top=3).reasons
    assert reasons[1] == [] and reasons[0]
    assert reasons[0] == [r.text() for r in shipped.check(AD, top=50).reasons if r.direction == "ad"][:3]
    assert all("“" in line and "⟦" not in line for line in reasons[0])


def test_deleting_top_highlights_lowers_the_probability_more_than_random_spans(shipped):
    """Faithfulness, in miniature (the full measurement: python -m training.faithfulness): removing the three
    strongest highlights towards ad lowers the ad probability much more than removing random spans of the same
    lengths."""
    from training.faithfulness import deletion_drops

    notes = [AD, {"title": "", "text": "源头厂家直供，支持定制，V信 abc12345，全国包邮，私信下单"}]
    drops = deletion_drops(shipped, notes, rng=random.Random(0), repeats=5)
    assert drops["top"] and len(drops["top"]) + drops["skipped"] == 2  # short notes may leave no room for spans
    assert np.mean(drops["top"]) > 2 * max(np.mean(drops["random"]), 1e-3)
    assert np.mean(drops["top_log_odds"]) > 2 * max(np.mean(drops["random_log_odds"]), 1e-3)


#: Ads made of many cues: the top three highlights are a few of them, random spans of the same lengths delete
#: other, weaker ad wording (so the random drop is positive and the ratio is defined).
FAITHFULNESS_NOTES = [
    {
        "title": "新店开业",
        "text": "加VX abc12345 领券，原价199现价99，链接在主页，私信下单，全国包邮，欢迎咨询，支持定制，厂家直销",
    },
    {"title": "好物分享", "text": "源头厂家直供，支持定制，全国包邮，私信下单，欢迎咨询，量大从优，限时优惠，下单立减"},
    {
        "title": "限时福利",
        "text": "V信 abc12345，限时优惠，链接在主页，下单立减，全国包邮，私信下单，厂家直销，欢迎咨询",
    },
    {
        "title": "上新啦",
        "text": "原价299现价99，私信下单，全国包邮，链接在主页，欢迎咨询，量大从优，支持定制，限时优惠",
    },
    {
        "title": "福利",
        "text": "关注抽奖送三份，加VX abc12345，链接在主页，全国包邮，私信下单，欢迎咨询，厂家直销，量大从优",
    },
    {
        "title": "厂家直销",
        "text": "量大从优，电话 13812345678，支持定制，全国包邮，私信下单，欢迎咨询，链接在主页，限时优惠",
    },
]


def test_faithfulness_deletes_the_model_phrases_not_a_declaration(shipped):
    """The note "加vx领券 #ad" is flagged by its probability (0.40); its "#ad" is a highlight weighing what the
    declared-ad rule gives it (the model weighs it -0.48), so deleting it would measure the rule, not the model."""
    from training.faithfulness import strongest_towards_ad

    note = {"title": "", "text": "加vx领券 #ad"}
    result = shipped.check(note)
    assert result.ad_probability >= shipped.review_threshold and result.declared is not None
    assert "#ad" in [h.text for h in result.highlights if h.weight > 0]
    assert [h.text for h in strongest_towards_ad(note, result, 3)] == ["加vx", "领券"]
    plain = {"title": "", "text": "加vx领券 好用"}
    assert strongest_towards_ad(plain, shipped.check(plain), 1) == [max(shipped.check(plain).highlights,
                                                                         key=lambda h: h.weight)]  # fmt: skip


def test_faithfulness_ratio_is_above_one_on_constructed_notes(shipped):
    """The protocol end to end on flagged ads: deleting the top three highlights lowers the probability and the
    log-odds more than deleting random spans of the same lengths, by a ratio above one where it is defined (None
    when the random drop is not positive). On these notes, all ad copy at 0.98-0.99, random deletions mostly raise
    the log-odds: the strong features left weigh more once the row is normalised again. So the ratio is usually
    undefined here (on ad-a8e51aec19a6 one of the eight figures below was defined, by a random drop of +0.0001);
    its computation is tested on known drops in the next test, and the shipped model's ratio on validation notes
    is in faithfulness.json."""
    from training.faithfulness import faithfulness

    assert all(r.decision in ("ad", "review") for r in shipped.check_many(FAITHFULNESS_NOTES))
    for seed in range(4):
        result = faithfulness(shipped, FAITHFULNESS_NOTES, seed=seed, repeats=5)
        assert result["n_notes"] + result["n_skipped"] == len(FAITHFULNESS_NOTES) and result["n_notes"] >= 4
        for scale in ("probability", "log_odds"):
            figures = result[scale]
            assert figures["mean_drop_top"] > figures["mean_drop_random"]
            assert figures["difference_ci95"][0] > 0
            assert figures["ratio"] is None or figures["ratio"] > 1


@pytest.mark.parametrize(
    ("random", "ratio", "said"),
    [(0.0, 4213.8, "a division by almost nothing: read its lower bound (20.0×) and the difference of the mean drops"),
     (0.0004, 4213.8, "a division by almost nothing"), (0.01, 18.5, None),
     (-0.002, None, "so there is no ratio to read and the difference of the mean drops, 0.185")],
)  # fmt: skip
def test_a_ratio_over_a_random_drop_of_almost_nothing_says_what_to_read(random, ratio, said):
    """The shipped card read "4213.8× [20.0, unbounded]" with no word that the random spans' mean drop was 0.000."""
    from training.faithfulness import report_lines

    figures = {"mean_drop_top": 0.185, "mean_drop_random": random, "ratio": ratio, "ratio_ci95": [20.0, None],
               "difference": 0.185, "difference_ci95": [0.145, 0.229]}  # fmt: skip
    per = {"n_notes": 39, "n_skipped": 12, "repeats": 20, "probability": figures, "log_odds": figures}
    text = "\n".join(report_lines({"flagged_notes": 51, "markup": per, "anywhere": per}, "cmd"))
    if said is None:
        assert "Random spans of the fair baseline" not in text
    else:
        assert said in text


@pytest.mark.parametrize(
    ("random", "ratio"),
    [
        ([0.02, 0.06, 0.04, 0.04], 6.25),  # 0.25 / 0.04
        ([0.0, 0.0, 0.0, 0.0], None),  # random deletions changed nothing
        ([-0.02, -0.06, -0.04, -0.04], None),  # they raised the probability
    ],
)
def test_faithfulness_ratio_of_mean_drops_is_defined_only_for_a_positive_random_drop(random, ratio):
    from training.faithfulness import _ratio

    top = np.array([0.30, 0.20, 0.25, 0.25])
    figures = _ratio(top, np.array(random), seed=0)
    assert figures["ratio"] == ratio
    assert figures["difference"] == pytest.approx(0.25 - np.mean(random), abs=1e-4)
    assert figures["difference_ci95"][0] > 0
    lo, hi = figures["ratio_ci95"]
    if ratio is None:  # every resample's random drop is at most zero: no bound at all
        assert (lo, hi) == (None, None)
    else:
        assert 1 < lo <= ratio <= hi


def test_random_spans_have_the_lengths_of_the_top_spans_and_avoid_them():
    from training.faithfulness import random_spans

    text = "一二三四五六七八九十" * 3
    for seed in range(20):
        spans = random_spans(text, [2, 3, 4], random.Random(seed), avoid=[(5, 9)])
        assert sorted(b - a for a, b in spans) == [2, 3, 4]
        mine = sorted([*spans, (5, 9)])
        assert all(b1 <= a2 for (_, b1), (a2, _) in itertools.pairwise(mine))
    assert random_spans("一二三", [4], random.Random(0)) is None
    assert random_spans("一二三四五", [2], random.Random(0), avoid=[(1, 4)]) is None


def test_random_spans_never_cut_through_markup():
    """A random span may cover a hashtag, @mention or emoji code whole or edit the name inside it, never cut its
    ``#`` or ``[话题]``: what is left would read as new words."""
    from model.highlights import markup_spans
    from training.faithfulness import random_spans

    text = "今天去了店里 #法式美甲[话题]# 很好看[笑哭R] @小美 #日常[话题]# 下次还来"
    markup = markup_spans(text)
    hashtag = text.index("#法式")
    assert markup[0] == (hashtag, hashtag + len("#法式美甲[话题]#"), hashtag + 1, hashtag + 5)
    assert {text[a:b] for a, b, _, _ in markup} == {"#法式美甲[话题]#", "[笑哭R]", "@小美", "#日常[话题]#"}
    for seed, length in itertools.product(range(30), (1, 2, 3, 6, 10)):
        for a, b in random_spans(text, [length], random.Random(seed), markup=markup) or []:
            for s, e, name_s, name_e in markup:
                whole = a <= s and e <= b
                inside = name_s <= a and b <= name_e and b - a < name_e - name_s
                assert b <= s or e <= a or whole or inside, (text[a:b], text[s:e])


def test_faithfulness_section_is_replaced_not_repeated(tmp_path):
    from training.faithfulness import update_reports

    figures = {"mean_drop_top": 0.2, "mean_drop_random": 0.01, "ratio": 20.0, "ratio_ci95": [9.0, None]}
    per = {"n_notes": 5, "n_skipped": 1, "repeats": 20, "probability": figures, "log_odds": figures}
    result = {"model_version": "m", "flagged_notes": 6, "markup": per, "anywhere": per | {"probability": None}}
    (tmp_path / "report.md").write_text("# r\n\n## Test split\n\nx\n\n## Plots (test split)\n\n![a](a.png)\n")
    (tmp_path / "model_card.md").write_text("# c\n\n## Tokenizer\n\n- backend\n")
    for _ in range(2):
        update_reports(tmp_path, result, "cmd")
    report = (tmp_path / "report.md").read_text()
    assert report.count("## Faithfulness") == 1 and report.index("## Faithfulness") < report.index("## Plots")
    assert (
        "20.0× [9.0, unbounded]" in report
        and "20 draws per note" in report
        and "fair: never cutting" in report
        and "anywhere:" not in report
    )
    card = (tmp_path / "model_card.md").read_text()
    assert card.count("## Faithfulness") == 1 and card.index("## Faithfulness") < card.index("## Tokenizer")
    assert json.loads((tmp_path / "faithfulness.json").read_text()) == result


@pytest.mark.parametrize(
    "text",
    ["加微信" * 3000, "V信 V信，" * 1500, "加微信 好 " * 2000, "点击链接 https://a.cn/x 领券 " * 400],
    ids=["glued", "punctuated", "between-words", "mixed"],
)
def test_a_cue_repeated_thousands_of_times_is_still_the_reason(shipped, text):
    """Its weight is spread over every copy: shown one by one, each copy is too faint and the note would be flagged
    with no reason; copies separated by nothing a writer reads are one phrase, and the response stays bounded."""
    from model.highlights import MAX_HIGHLIGHTS

    note = {"title": "", "text": text}
    result = shipped.check(note)
    assert result.decision == "ad"
    _assert_exact(note, result)
    assert 1 <= len(result.highlights) <= MAX_HIGHLIGHTS
    assert result.reasons and result.reasons[0].direction == "ad"
    assert result.reasons[0].category in {"contact", "link", "price", "call_to_action"}
    quoted = result.reasons[0].text()
    assert len(quoted) < 200, quoted  # a repeated phrase is quoted once
    assert "overall wording" not in result.advice["en"]


#: A note whose every copy has a contact detail, a price and a call to action, between words of a diary.
_REPEATED_AD = "加vx领券，原价199现价99，链接在主页。今天天气很好我们去爬山了。"
_REPEATED_AD_REASONS = {"contact", "price", "call_to_action"}


@pytest.mark.parametrize("copies", [1, 50, 565], ids=["once", "50-copies", "565-copies-20k-chars"])
def test_reasons_are_grouped_from_every_phrase_not_the_shown_ones(shipped, copies):
    """A long note repeating its cues has thousands of phrases; the response shows the strongest hundred, but its
    reasons (and their weights) are those of every phrase: taken from the shown hundred, a note of 565 copies was
    flagged for its contact details alone."""
    from model.documents import as_notes
    from model.highlights import MAX_HIGHLIGHTS

    note = {"title": "", "text": _REPEATED_AD * copies}
    result = shipped.check(note, top=50)
    _assert_exact(note, result)
    assert len(result.highlights) <= MAX_HIGHLIGHTS
    towards_ad = {r.category: r.weight for r in result.reasons if r.direction == "ad"}
    assert _REPEATED_AD_REASONS <= set(towards_ad)
    (parsed,) = as_notes([note], name="note")
    doc = shipped.documents([parsed])[0]
    every = shipped.highlights(parsed, doc, *shipped.transform([parsed]).row(0))
    for category in _REPEATED_AD_REASONS:  # each reason weighs all of its phrases, shown or not
        assert towards_ad[category] == round(sum(h.weight for h in every if h.category == category), 4)
    # `notecheck score` gives the same reasons towards ad
    scored = shipped.score(as_notes([note], name="note"), top=50)
    assert scored.reasons[0] == [r.text() for r in result.reasons if r.direction == "ad"]


def test_disjoint_spans_claim_only_free_spans():
    from model.cues import DisjointSpans

    held = DisjointSpans()
    assert [held.claim(a, b) for a, b in [(10, 20), (0, 5), (5, 10), (19, 25), (20, 30), (4, 6), (30, 31)]] == [
        True, True, True, False, True, False, True,
    ]  # fmt: skip
    assert held.free(31, 40) and not held.free(0, 1) and held.free(40, 41)


def test_phrases_of_the_writers_words_end_on_whole_words(shipped):
    """ "周末爬" of the title "周末爬山" is no phrase a writer can act on: phrases are widened to the words the model's
    tokenizer sees. Not every one can be (a word running into a cue, hashtag or mention is not widened into it), so
    the share is bounded, not zero; before widening it was about one phrase in five."""
    from model.tokenize import NoteTokenizer

    segment = NoteTokenizer().segment
    rows = [json.loads(line) for line in (SAMPLES / "notes.jsonl").read_text(encoding="utf-8").splitlines()]
    cut = total = 0
    for r in rows:
        note = {"title": r.get("title") or "", "text": r["text"]}
        bounds = {f: set(np.cumsum([0, *(len(p) for p in segment(note[f]))]).tolist()) for f in note}
        for h in shipped.check(note).highlights:
            if h.category in ("wording", "personal"):
                total += 1
                cut += h.start not in bounds[h.field] or h.end not in bounds[h.field]
    assert total > 100 and cut / total < 0.02, (cut, total)
    title = shipped.check({"title": "周末爬山", "text": "今天和朋友去爬山，山顶的风景很好，加我微信 13812345678"})
    assert all(h.text != "周末爬" for h in title.highlights)


CLAIMED_AD = "这款代餐奶昔我喝了一个月瘦了8斤，饱腹感超强。需要的宝子可以加我微信 138 1234 5678 ，或者私信我拿优惠"


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


CLAIM_RE = CUE_PATTERNS["no_ad_claim"].pattern


@pytest.mark.parametrize(
    ("claim", "unwritten"),
    [
        ("，无广，纯自费分享", "，纯分享"),
        ("。无广告！自费买的", "！买的"),
        ("，非广", ""),
        ("，不是广告", ""),
        ("。我和品牌没有任何合作", "。我和品牌"),
    ],
)
def test_a_no_ad_claim_cannot_lift_an_ad(shipped, claim, unwritten):
    """Any advertiser can append "无广" or "自费": the claim must not un-flag an ad, nor move it either way (the
    words around it still count, so it is compared with the same note as if the claim had never been written)."""
    claimed = shipped.check({"text": CLAIMED_AD + claim})
    unclaimed = shipped.check({"text": CLAIMED_AD + unwritten})
    assert shipped.check({"text": CLAIMED_AD}).decision == "ad"
    assert claimed.decision == "ad"
    assert abs(_logit(claimed.ad_probability) - _logit(unclaimed.ad_probability)) < 1e-9


@pytest.mark.parametrize("title", ["用了半年的面霜", "无广｜用了半年的面霜", "用了半年的面霜｜无广"])
def test_a_writers_no_ad_claim_is_never_evidence_either_way(shipped, title):
    """An honest note saying "无广" is decided and scored as if the claim (and the separator that set it off) had
    never been written, and the claim alone is never a highlight. (Its decision is compared with the bare note's,
    not named: the note sits near the review threshold, 0.2734 against 0.2732 on ad-21e83294d25d, and a refit moves
    it across.)"""
    note = {"title": title, "text": "无广，自费买的，用了半年，皮肤不干了，回购了两次。"}
    result = shipped.check(note, top=1000)
    _assert_exact(note, result)
    bare = {"title": "用了半年的面霜", "text": "买的，用了半年，皮肤不干了，回购了两次。"}
    assert result.decision == shipped.check(bare).decision != "ad"
    assert abs(_logit(result.ad_probability) - _logit(shipped.check(bare).ad_probability)) < 1e-9
    assert not [h for h in result.highlights if CLAIM_RE.fullmatch(h.text)]


CLAIMS_NOTE = "这个保温杯我自己用了两年了，没有链接，不是广告，单纯觉得好用才分享的。"


def test_deleted_claims_are_no_highlight_and_leave_no_residue(shipped):
    """ "没有链接" and "不是广告" count neither way: the note scores as if they had never been written, and no
    highlight touches them (their separators' n-grams once weighed -0.22 and were placed on the claims)."""
    result = shipped.check({"text": CLAIMS_NOTE}, top=1000)
    _assert_exact({"text": CLAIMS_NOTE}, result)
    never = shipped.check({"text": "这个保温杯我自己用了两年了，单纯觉得好用才分享的。"})
    assert abs(_logit(result.ad_probability) - _logit(never.ad_probability)) < 1e-9
    claims = [m.span() for m in CLAIM_RE.finditer(CLAIMS_NOTE)]
    assert len(claims) == 2
    for h in result.highlights:
        assert not any(h.start < b and a < h.end for a, b in claims), h


@pytest.mark.parametrize("gram", ["了,单", "了,", ",单", "两年了,单纯"])
def test_an_ngram_read_across_a_deleted_claim_weighs_only_its_own_characters(gram):
    """The residue "了,单纯" is read as n-grams spanning the deleted "，没有链接，不是广告": their weight goes to
    their own characters, all of it, and none to the claims' characters."""
    fields = note_fields("", CLAIMS_NOTE)
    doc = prepare_document("", CLAIMS_NOTE)
    assert gram in doc
    weights = attribute(fields, doc, [f"char__{gram}"], [1.0])["text"]
    gone = range(CLAIMS_NOTE.index("，没有链接"), CLAIMS_NOTE.index("，单纯"))  # the claims and the commas before them
    assert not np.any(weights[list(gone)])
    assert math.isclose(float(weights.sum()), 1.0)
    assert np.count_nonzero(weights) == len(gram)


def test_advice_without_a_phrase_towards_ad_does_not_ask_to_reword_phrases():
    """A note flagged with nothing highlighted towards ad (e.g. a one-letter note) has no phrases to reword: the
    writer is told no single phrase decided it and pointed to the appeal; with drivers the advice names them."""
    from model.highlights.categories import ReadableReason, Span
    from model.highlights.reasons import advice

    genuine = ReadableReason("personal", *CATEGORIES["personal"], "genuine", -0.4, ())
    for decision in ("ad", "review"):
        told = advice(decision, [genuine])
        assert "reword" not in told["en"] and "修改" not in told["zh"] and "申诉" in told["zh"]
    assert "no single phrase" in advice("ad", [genuine])["en"]
    # what AdModel.decide makes of an unexplained flag: a person reads it, and the writer is told why
    assert "a person reads it rather than the model calling it an ad" in advice("review", [genuine])["en"]
    contact = ReadableReason("contact", "联系方式", "contact details", "ad", 2.0, (Span("text", 0, 3, "加vx"),))
    told = advice("ad", [contact, genuine])
    assert "“加vx”" in told["zh"] and "you can change the contact details" in told["en"]
    assert "no single phrase" not in told["en"]
    assert advice("genuine", [contact]) is None


@pytest.mark.parametrize("decision", ["ad", "review"])
def test_advice_offering_to_change_contact_details_says_to_keep_those_a_note_needs(decision):
    """A lost cat's owner's phone number reads as contact details to the model; a writer told only "you can change
    the contact details" would take it out of a note that exists to give it."""
    from model.highlights.categories import ReadableReason, Span
    from model.highlights.reasons import advice

    contact = ReadableReason("contact", "联系方式", "contact details", "ad", 2.0, (Span("text", 0, 11, "13812345678"),))
    told = advice(decision, [contact])
    assert "keep them and say so in the appeal" in told["en"] and "请保留，申诉时说明即可" in told["zh"]
    price = ReadableReason("price", "价格优惠", "price or discount", "ad", 2.0, (Span("text", 0, 4, "300块"),))
    cta = ReadableReason("call_to_action", "购买引导", "call to action", "ad", 1.0, (Span("text", 0, 3, "私信我"),))
    for reasons in ([price], [cta]):  # nothing the note may need to keep
        told = advice(decision, reasons)
        assert "keep them" not in told["en"] and "请保留" not in told["zh"]


@pytest.mark.parametrize(
    ("words", "quoted"),
    [
        (["煮20", "煮20分钟", "外酥里嫩"], "“煮20分钟”、“外酥里嫩”"),  # the advice quoted both 煮20 and 煮20分钟
        (["ＶＸ", "vx", "加vx"], "“加vx”"),  # the same word in another width, held in a longer quote
        (["好用", "回购"], "“好用”、“回购”"),
    ],
)
def test_a_quote_held_in_another_is_not_quoted_again(words, quoted):
    from model.highlights.categories import ReadableReason, Span

    reason = ReadableReason(
        "wording",
        *DIRECTED_LABELS[("wording", "ad")],
        "ad",
        1.0,
        tuple(Span("text", 0, len(w), w) for w in words),
    )
    assert reason.quoted(2) == quoted
    assert len(reason.evidence) == len(words)  # the evidence itself keeps every span


_BRAND = ("brand_name", "品牌与产品名", "brand or product names", "格力")
_PRICE = ("price", "价格优惠", "price or discount", "300块")
_WORDING = ("wording", *DIRECTED_LABELS[("wording", "ad")], "纠结")
_CONTACT = ("contact", "联系方式", "contact details", "加vx")
_SHOP = ("channel", "购买渠道", "shops and sales channels", "官网")


_CTA = ("call_to_action", "购买引导", "call to action", "私信我")
_PITCH = ("sales_tone", "推销话术", "sales-pitch phrase", "闭眼入")
_DISCLOSURE = ("disclosure", "合作披露", "sponsorship disclosure", "品牌方")
_ADDRESS = ("place", "地址与营业时间", "address or opening hours", "地址")  # a diner's tip gives it too
_HOURS = ("place", "地址与营业时间", "address or opening hours", "营业时间")
_AMOUNT = ("amount", "价格", "prices", "¥199")  # what the writer paid
_REBOUGHT = ("sales_tone", "推销话术", "sales-pitch phrase", "回购")  # "自费回购第三瓶": bought again
_BOUGHT = ("call_to_action", "购买引导", "call to action", "入手")
_SHOP_WORDS = ("merchant", "商家用语", "merchant wording", "我们小店")


@pytest.mark.parametrize(
    ("drivers", "changeable"),
    [
        ((_BRAND,), ()),
        ((_BRAND, _PRICE), ()),
        ((_BRAND, _WORDING), ()),  # 用词 is as often the product itself (蛋白粉, 面霜) as a sales word
        ((_WORDING,), ()),
        ((_SHOP, _PRICE), ()),
        ((_DISCLOSURE, _WORDING), ()),  # rewording a disclosure would hide a sponsorship
        ((_PRICE, _CONTACT), ("contact details",)),
        ((_CONTACT, _WORDING), ("contact details",)),
        ((_CTA, _PITCH), ("call to action", "sales-pitch phrase")),
        ((_ADDRESS, _PITCH), ("sales-pitch phrase",)),
        ((_HOURS,), ()),
        ((_AMOUNT, _BRAND), ()),
        ((_REBOUGHT, _BRAND), ()),  # a purchase told is no style to change, though a pitch says it too
        ((_BOUGHT,), ()),
        ((("sales_tone", "推销话术", "sales-pitch phrase", "回購"),), ()),  # traditional script, as the model reads it
        ((_SHOP_WORDS, _WORDING), ("merchant wording",)),
    ],
)
def test_advice_offers_to_change_only_the_promotional_style_never_the_facts(drivers, changeable):
    """A writer flagged for the brand they used, the price they paid, the shop they bought at or the words of
    their experience is not told to reword those: an honest note holds them because they happened, and the appeal
    is the way. Only contact details, links, calls to action, sales-pitch phrases, merchant wording and giveaways
    are offered as changes, each by name."""
    from model.highlights.categories import ReadableReason, Span
    from model.highlights.reasons import advice

    readable = [
        ReadableReason(category, zh, en, "ad", 2.0 - i, (Span("text", 0, len(word), word),))
        for i, (category, zh, en, word) in enumerate(drivers)
    ]
    for decision in ("ad", "review"):
        told = advice(decision, readable)
        assert all(f"“{word}”" in told["zh"] for *_, word in drivers)
        assert "申诉" in told["zh"] and "appeal" in told["en"]
        assert ("you can change" in told["en"]) is bool(changeable) and ("修改其中的" in told["zh"]) is bool(changeable)
        assert all(f"the {label}" in told["en"] for label in changeable)
        offered = told["en"].partition("you can change")[2].partition("(")[0]
        assert [en for _, _, en, _ in drivers if f"the {en}" in offered] == list(changeable)
        assert "remove the brands, products, prices or shops you really used" in told["en"]
        assert "不必删去你真实用过的品牌、产品、价格或购买渠道" in told["zh"]


@pytest.mark.parametrize("decision", ["ad", "review"])
@pytest.mark.parametrize("drivers", [(_CONTACT,), (_CONTACT, _CTA)])
def test_a_help_notice_is_told_to_keep_its_contact_details(decision, drivers):
    """A lost grandmother's notice was told first to change the phone number, then to keep it: a help notice's
    contact details are not offered as a change, and the writer is told to keep them; the rest is offered as ever."""
    from model.highlights.categories import ReadableReason, Span
    from model.highlights.reasons import advice

    readable = [
        ReadableReason(category, zh, en, "ad", 2.0 - i, (Span("text", 0, len(word), word),))
        for i, (category, zh, en, word) in enumerate(drivers)
    ]
    told = advice(decision, readable, help_notice=True)
    assert "请保留其中的联系方式" in told["zh"] and "keep its contact details" in told["en"]
    assert "修改其中的联系方式" not in told["zh"] and "change the contact details" not in told["en"]
    assert ("change the call to action" in told["en"]) is (len(drivers) == 2)
    plain = advice(decision, readable)
    assert "修改其中的联系方式" in plain["zh"] and "请保留其中的联系方式" not in plain["zh"]


@pytest.mark.parametrize(
    ("text", "help_notice"),
    [
        ("寻人：我奶奶今天早上在朝阳公园走失", True),
        ("急！！我的狗丢了，电话13812345678", True),
        ("寻物启事：黑色双肩包", True),
        ("求助献血：急需AB型血小板", True),
        ("我的工牌掉在地铁站了，捡到的麻烦联系我", True),
        ("Lost dog near the park, please call", True),
        ("手机不见咗，执到请联系", True),
        ("手機唔見咗，執到請聯絡", True),  # as written: 唔見咗 reads 不见咗
        ("今日執到寶，加WhatsApp 9123 4567", False),  # 执到宝: a bargain
        ("found a cat-eye liner I love", False),
        ("lost a catalogue", False),
        ("捐血活动急需O型", True),
        ("加我vx领券，原价299今天只要99", False),
        ("这家店寻味很久才找到", False),  # 寻味 is no search for the lost
        ("丢了三斤肉，开心", False),
    ],
)
def test_help_notices_are_told_apart(text, help_notice):
    from model.highlights import is_help_notice
    from model.simplified import to_simplified

    assert is_help_notice(to_simplified(text)) is help_notice


def test_a_lost_dogs_notice_is_told_to_keep_the_number(shipped):
    told = shipped.check({"text": "急！！我的狗丢了，电话13812345678，有线索请联系"}).advice
    assert told is not None and "请保留其中的联系方式" in told["zh"], told
    assert "修改其中的联系方式" not in told["zh"]


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="0123456789.．,，x ", max_size=30))
def test_separated_numbers_are_found_from_the_start_of_a_digit_run_only(text):
    """The pattern is tried only where a run of digits starts (tried from every digit, a note of 20,000 digits cost
    6.3 s of CPU a check): the numbers it finds are those the pattern without that condition finds."""
    from model.highlights.fields import SEPARATED_NUMBER_RE

    everywhere = re.compile(SEPARATED_NUMBER_RE.pattern.removeprefix(r"(?<!\d)"))
    assert everywhere.pattern != SEPARATED_NUMBER_RE.pattern
    assert [m.span() for m in SEPARATED_NUMBER_RE.finditer(text)] == [m.span() for m in everywhere.finditer(text)]


def test_quoted_evidence_names_a_word_once_whatever_its_case_or_width():
    """“my”、“My” or “vx”、“ＶＸ” in a reason read as a stutter: the same word in another case or width is quoted
    once (the spans themselves all stay, each exact)."""
    spans = (
        Span("title", 0, 2, "My"),
        Span("text", 5, 7, "my"),
        Span("text", 9, 11, "ＶＸ"),
        Span("text", 20, 22, "vx"),
    )
    reason = ReadableReason("wording", *DIRECTED_LABELS[("wording", "ad")], "ad", 1.0, spans)
    assert reason.quoted() == "“My”、“ＶＸ”" and len(reason.evidence) == 4


def _styled(text: str, upper: int, lower: int, digit0: int) -> str:
    """``text`` with ASCII letters and digits written from code points ``upper``, ``lower``, ``digit0`` on."""
    out = []
    for c in text:
        if c.isascii() and c.isalpha():
            out.append(chr(upper + ord(c) - 65) if c.isupper() else chr(lower + ord(c) - 97))
        elif c.isascii() and c.isdigit():
            out.append(chr(digit0 + int(c)))
        else:
            out.append(c)
    return "".join(out)


@pytest.mark.parametrize("forms", [(0xFF21, 0xFF41, 0xFF10), (0x1D4D0, 0x1D4EA, 0x1D7CE)], ids=["fullwidth", "math"])
def test_letters_in_other_forms_are_highlighted_as_whole_words(shipped, forms):
    """Xiaohongshu titles write Latin in full width or in styled letters; the model reads them as the ASCII
    words, so the highlights fall on the same whole words, never on a piece of one ("ｄａ〔ｉｌ〕ｙ")."""
    for plain in (
        {"title": "My daily look", "text": "今日ootd"},
        {"title": "My daily look", "text": "今日ootd 穿搭分享 zara 299 iphone15 真的好看"},
    ):
        styled = {k: _styled(v, *forms) for k, v in plain.items()}
        assert {k: unicodedata.normalize("NFKC", v) for k, v in styled.items()} == plain
        want = [(h.field, h.start, h.end, h.category) for h in shipped.check(plain).highlights]
        got = shipped.check(styled)
        _assert_exact(styled, got)
        assert [(h.field, h.start, h.end, h.category) for h in got.highlights] == want


def test_phrases_do_not_start_or_end_on_a_word_that_leans_on_its_neighbour(shipped):
    """“的收纳盒”, “膝盖和”, “颜色有点” read as fragments: a phrase of the writer's words drops a particle or
    conjunction at its start and a conjunction, preposition or degree word at its end (its last word stays)."""
    from model.highlights.fragments import _NO_END, _NO_START
    from model.simplified import to_simplified

    notes = [json.loads(line) for line in (SAMPLES / "notes.jsonl").read_text("utf-8").splitlines()]
    notes.append({"title": "", "text": "今天去了趟宜家，买了个39块的收纳盒，质量还行，就是颜色有点丑。"})
    seen = 0
    for note in notes:
        note = {"title": note.get("title") or "", "text": note.get("text") or ""}
        result = shipped.check(note)
        _assert_exact(note, result)
        for h in result.highlights:
            words = shipped._segment(to_simplified(h.text))  # words as the phrases read them
            if h.category in ("wording", "personal") and len(words) > 1:
                seen += 1
                assert words[0] not in _NO_START, h.text
                assert words[-1] not in _NO_END or h.text.endswith(("十一", "百一", "千一", "万一")), h.text
    assert seen > 100


def test_trimming_keeps_runs_off_word_bounds_and_the_last_word():
    from model.highlights.fragments import trim

    raw = "的收纳盒和"  # words: 的 | 收纳盒 | 和
    bounds = [0, 1, 4, 5]
    assert trim([(0, 5)], bounds, raw) == [(1, 4)]
    assert trim([(0, 1)], bounds, raw) == [(0, 1)]  # one word: kept (the caller drops a lone function word)
    assert trim([(0, 3)], bounds, raw) == [(0, 3)]  # not on word bounds: as it is


@pytest.mark.parametrize(
    ("raw", "bounds", "run", "want"),
    [
        ("云南6天5晚", [0, 2, 3, 4, 5, 6], (0, 5), (0, 4)),  # 5 counts the nights: “云南6天”, not “云南6天5”
        ("0购物0自费", [0, 1, 3, 4, 6], (0, 4), (0, 3)),  # the second 0 is of 自费
        ("买了39块", [0, 2, 4, 5], (0, 4), (0, 2)),
        ("iphone15", [0, 6, 8], (0, 8), (0, 8)),  # a number at the end of the field stays
        ("价格299，", [0, 2, 5, 6], (0, 5), (0, 5)),  # followed by punctuation, not a word: stays
        ("5晚", [0, 1, 2], (0, 1), (0, 1)),  # a run keeps at least one word
    ],
)
def test_a_phrase_does_not_end_on_the_number_of_the_next_word(raw, bounds, run, want):
    from model.highlights.fragments import trim

    assert trim([run], bounds, raw) == [want]


#: Notes whose phrases cut the writer's words (audit of flagged notes): (note, fragment once shown, phrase now shown).
FRAGMENT_NOTES = [
    # a bare 是 starting a phrase: it leans on what follows
    ({"text": "终于找到一支不晕的眼线笔，最感人的是它防水防汗到变态！"}, "是它防水", "它防水"),
    ({"text": "柜价太贵了，这次是在免税店买的，100ml"}, "是在免税店", "在免税店"),
    # 第 ends nothing: it begins the ordinal after it; a measure word belongs to the number before it (16|管); nor
    # does a 的 that ties a word to the noun after it (its weight here was the 的 of "的第7天", a diary's day count:
    # "烤肠的" was shown for it, and "烤肠" alone weighs nothing)
    ({"text": "会计的尽头是脆皮烤肠的第7天，对面刚出摊，准备入手一个16管的烤盘"}, "烤肠的第", None),
    ({"text": "会计的尽头是脆皮烤肠的第7天，对面刚出摊，准备入手一个16管的烤盘"}, "烤肠的", None),
    ({"text": "会计的尽头是脆皮烤肠的第7天，对面刚出摊，准备入手一个16管的烤盘"}, "管的", None),
    ({"title": "给老公做饭的第12天｜荷包蛋"}, "给老公做饭的第", "给老公做饭"),
    ({"text": "太硬了，坐着像共享单车的车座子"}, "共享单车的", None),
    # the 一 of 双十一 is a digit of the number word, not the word 一 (the segmenter cuts 双十|一)
    ({"text": "马上双十一了，又有好多朋友来问空调"}, "马上双十", "马上双十一"),
    ({"title": "双十一我只买了这几样", "text": "克制了一年，双十一就买了三样：洗发水、面霜、袜子"}, "双十", "双十一"),
    # a date or a time is one word: not "1日15" and "00"
    ({"text": "活动时间：2025年12月1日15:00 🙋\u200d♀️ 抽奖"}, "12月1日15", "2025年12月1日15:00"),
    ({"text": "11月18日20:00开抢，11月8日12:00预售，11月11日当天"}, "00开抢", "11月18日20:00开抢"),
    # "过不过敏" asks a question: its first 过 is not the end of "三天" (which, a count alone, is no phrase either)
    ({"text": "第一次给宝宝吃，一次少量试，观察三天过不过敏"}, "三天过", None),
    # 有 and 越 wait for what follows: "有|满减活动", "越|看越喜欢" (a helper's notes)
    (
        {
            "title": "早起困难户的救星",
            "text": "我是那种闹钟响五遍都起不来的人，后来用了晨光唤醒灯Sun2，模拟日出，30分钟慢慢变亮，醒来不再有起床气。"
            "晨光这款还有白噪音，入睡也好用。分享给同样起不来的你，晨光官方店最近有满减活动 #晨光唤醒灯# #早起打卡#",
        },
        "店最近有",
        None,
    ),
    ({"text": "想要同款的可以私信我，木语的家具真的越看越喜欢 #木语家居# #小家改造#"}, "家具真的越", None),
    # a verb keeps its complement ("找|不到", "玩|不够", "回复|不|过来"), a price its yuan ("9|块|9": 9.9 yuan),
    # and 像 waits for what is likened ("都像|电影")
    ({"text": "图文指引，不用担心找不到车，也不用排队"}, "不用担心找", "不用担心找不到"),
    ({"text": "太多人私信了，一条一条回复不过来了"}, "回复", "回复不过来"),
    ({"text": "这个乐园真是孩子去几回都玩不够的地儿"}, "孩子去几回都玩", "孩子去几回都玩不够"),
    ({"text": "超便宜，9块9一提，囤了五提"}, "9一提", "9块9一提"),
    ({"text": "每一帧都像电影"}, "每一帧都像", "每一帧都像电影"),
    ({"text": "这个包包背起来不像帆布包更像皮包，9块9包邮"}, "起来不像帆布包更像", "起来不像帆布包更像皮包"),
    # 像 is taken with what it likens, never trimmed off a negation ("不像" → "不", the writer's words reversed)
    ({"text": "我的味道变的不像她孩子了，领券立减50，戳链接"}, "我的味道变的不", "我的味道变的不像"),
    # 越…越 is one phrase; 各种, 可以, 容易 wait for the word after them
    ({"text": "花花在海外能越卖越好"}, "能越卖", "能越卖越好"),
    ({"text": "知性优雅适合各种场合"}, "优雅适合各种", "优雅适合各种场合"),
    ({"text": "一到这时候就容易干燥脱皮"}, "一到这时候就容易", "一到这时候就容易干燥脱皮"),
    ({"text": "我大温州！这家卤味店可以吃100次"}, "这家卤味店可以", "这家卤味店可以吃"),
    ({"text": "体质！💪摆客厅像个装饰品，用起来又能解决"}, "客厅像", "客厅像个装饰品"),  # a measure with what it counts
    # a walkthrough's notes: "联系不上" was quoted "现在联系" (the writer cannot reach their family), "不错过" "提醒不错"
    ({"text": "在三亚旅游手机被偷了，现在联系不上家人"}, "现在联系", "现在联系不上"),
    ({"text": "关注直播间，开播提醒不错过，领券"}, "提醒不错", "提醒不错过"),
    # ...but not where the rule misreads (a review of the rules): 不到 before a number is "before" or "less than",
    # after a noun no complement; 可以 takes no number or adverb; 越南 holds no 越…越; 像 takes no verb cut from its
    # object
    ({"text": "这家店不到十点就关门了，领券立减"}, "这家店不到", "这家店"),
    ({"text": "这款面膜可以2天用一次"}, "面膜可以2天用", None),
    ({"text": "所有关于变好的焦虑都可以先暂停"}, "焦虑都可以先", None),
    ({"text": "这次去越南越便宜越好玩"}, "去越南越便宜", "去越南"),
    ({"text": "皮肤就像剥了壳的鸡蛋，水光肌就像"}, "皮肤", "皮肤就像"),
    # a verb whose complement pushes the other way is not quoted without it, nor a phrase ending on a bare negation
    # (a walkthrough: the writer cannot get through, and the shop would not refund or repair)
    (
        {"text": "医美避雷：做完热玛吉脸更松了，找他们退款一直拖，那家机构现在电话都打不通了，姐妹们千万别去"},
        "现在电话都打",
        None,
    ),
    ({"text": "618在某宝买的沙发，用了三个月就塌了，找客服不给退不给修，真的气死"}, "客服不给退不", None),
]


@pytest.mark.parametrize(("note", "fragment", "whole"), FRAGMENT_NOTES)
def test_phrases_start_and_end_on_the_writers_words(shipped, note, fragment, whole):
    note = {"title": note.get("title", ""), "text": note.get("text", "")}
    result = shipped.check(note)
    _assert_exact(note, result)
    shown = [h.text for h in result.highlights]
    assert fragment not in shown
    if whole is not None:  # the words kept whole, in a phrase of their own or with more of the writer's words
        assert any(whole in phrase for phrase in shown), shown


@pytest.mark.parametrize(
    ("raw", "bounds", "run", "want"),
    [
        ("是它防水", [0, 1, 2, 4], (0, 4), (1, 4)),
        ("烤肠的第7天", [0, 2, 3, 4, 5, 6], (0, 4), (0, 2)),
        ("16管的烤盘", [0, 2, 3, 4, 6], (2, 4), (3, 4)),  # 管 counted by 16, 的 the last word: kept, not shown
        ("双十一了", [0, 2, 3, 4], (0, 3), (0, 3)),
        ("排队一小时", [0, 2, 3, 5], (0, 3), (0, 2)),  # the word 一 still goes when it counts what follows
        ("买二送一，好", [0, 1, 2, 3, 4, 5, 6], (0, 4), (0, 4)),  # not when it ends the clause: it counts nothing
        ("三天过不过敏", [0, 2, 3, 4, 6], (0, 3), (0, 2)),
    ],
)
def test_trimming_of_leaning_words(raw, bounds, run, want):
    from model.highlights.fragments import trim

    assert trim([run], bounds, raw) == [want]


@pytest.mark.parametrize(
    ("raw", "bounds", "run", "want"),
    [
        ("饮食不规律", [0, 2, 3, 5], (0, 3), (0, 5)),  # the negation takes what it negates
        (
            "问题不在灯",
            [0, 2, 3, 4, 5],
            (0, 3),
            (0, 2),
        ),  # it cannot (在 leans on the next): no bare negation at the end
        ("问题不", [0, 2, 3], (0, 3), (0, 2)),  # nothing after it
        ("也不在", [0, 1, 2, 3], (1, 2), (1, 2)),  # the negation alone stays as it is (never shown)
    ],
)
def test_a_phrase_never_ends_on_a_bare_negation(raw, bounds, run, want):
    from model.highlights.fragments import close_negation

    assert close_negation([run], bounds, raw, np.ones(len(raw), dtype=bool)) == [want]


@pytest.mark.parametrize(
    ("raw", "bounds", "run", "weights", "want"),
    [
        ("学生党也能冲", [0, 2, 3, 4, 5, 6], (2, 6), [0.1, 0.1, 0.5, 0.1, 0.3, 0.3], (0, 6)),  # the suffix's word
        ("学生党也能冲", [0, 2, 3, 4, 5, 6], (2, 6), [-1.0, -1.0, 0.5, 0.1, 0.3, 0.3], (2, 6)),  # it would turn round
        ("9块9一提", [0, 1, 2, 3, 5], (2, 5), [0.1, 0.0, 0.2, 0.2, 0.2], (0, 5)),
        ("块9一提", [0, 1, 2, 4], (1, 4), [0.1, 0.2, 0.2, 0.2], (1, 4)),  # no number before the currency
        ("找不到车", [0, 1, 3, 4], (0, 1), [0.5, 0.0, 0.0, 0.0], (0, 3)),
        ("回复不过来了", [0, 2, 3, 5, 6], (0, 2), [0.3, 0.3, 0.0, 0.0, 0.0, 0.0], (0, 5)),
        ("好吃不过有点贵", [0, 2, 4, 6, 7], (0, 2), [0.3, 0.3, 0.0, 0.0, 0.0, 0.0, 0.0], (0, 2)),  # 不过: "but"
        ("能越卖越好", [0, 2, 3, 4, 5], (0, 3), [0.3, 0.3, 0.3, 0.0, 0.0], (0, 5)),
        ("卖越好", [0, 1, 2, 3], (0, 1), [0.3, 0.0, 0.0], (0, 1)),  # no first 越: 越好 is "the better"
        ("适合各种场合", [0, 2, 4, 6], (0, 4), [0.3, 0.3, 0.3, 0.3, 0.0, 0.0], (0, 6)),
        ("真的可以。", [0, 2, 4, 5], (0, 4), [0.3, 0.3, 0.3, 0.3, 0.0], (0, 4)),  # the clause's last word
        ("都像电影", [0, 1, 2, 4], (0, 2), [0.3, 0.3, -0.1, -0.1], (0, 4)),
        ("都像电影", [0, 1, 2, 4], (0, 2), [0.1, 0.1, -0.5, -0.5], (0, 2)),  # it would turn round
        ("像个装饰品", [0, 1, 2, 5], (0, 1), [0.5, 0.0, 0.0, 0.0, 0.0], (0, 5)),  # a measure with what it counts
        ("像个，", [0, 1, 2, 3], (0, 1), [0.5, 0.0, 0.0], (0, 1)),  # a measure counting nothing: not taken
        ("抗老有多明显", [0, 2, 3, 4, 6], (0, 4), [0.2, 0.2, 0.1, 0.1, 0.0, 0.0], (0, 6)),
        ("直接三色", [0, 2, 3, 4], (0, 2), [0.3, 0.3, 0.0, 0.0], (0, 2)),  # a count too
        ("我不住", [0, 1, 3], (0, 1), [0.5, 0.0, 0.0], (0, 1)),  # a pronoun: no verb's complement
        ("联系不上", [0, 2, 4], (0, 2), [0.3, 0.3, 0.0, 0.0], (0, 4)),  # after a verb of any length
        ("泳池不住", [0, 2, 4], (0, 2), [0.3, 0.3, 0.0, 0.0], (0, 2)),  # 不住 only after a one-character verb
        ("颜值不够高", [0, 2, 4, 5], (0, 2), [0.3, 0.3, 0.0, 0.0, 0.0], (0, 2)),  # after a noun: "not enough"
        ("宝宝不上幼儿园", [0, 2, 4, 7], (0, 2), [0.3, 0.3, 0.0, 0.0, 0.0, 0.0, 0.0], (0, 2)),  # "does not attend"
        ("玩不够", [0, 1, 3], (0, 1), [0.5, 0.0, 0.0], (0, 3)),
        ("店不到十点", [0, 1, 3, 4, 5], (0, 1), [0.5, 0.0, 0.0, 0.0, 0.0], (0, 1)),  # 不到 + a number: "before"
        # the complement pushes the other way: the verb goes with it, and 都, which leans on it, too
        ("电话都打不通了", [0, 2, 3, 4, 6, 7], (0, 4), [0.3, 0.3, 0.1, 0.2, -0.6, -0.6, -0.1], (0, 2)),
        ("打不通了", [0, 1, 3, 4], (0, 1), [0.5, -0.6, -0.6, 0.0], (0, 1)),  # the verb alone stays: no phrase then
    ],
)
def test_phrases_take_in_what_the_segmenter_cut_from_their_words(raw, bounds, run, weights, want):
    from model.highlights.fragments import whole_words
    from model.highlights.phrases import _total

    w = np.array(weights)
    ok = np.ones(len(raw), dtype=bool)
    assert whole_words([run], bounds, raw, ok, lambda a, b: _total(w, weights, a, b)) == [want]
    ok[: run[0]] = ok[run[1] :] = False  # outside the run lies a cue or markup: not the writer's words to take
    assert whole_words([run], bounds, raw, ok, lambda a, b: _total(w, weights, a, b)) == [run]


def test_a_widening_is_judged_with_the_phrase_it_joins():
    """ "也可以" taking 参考 would be joined to the phrase "参考一下" pushing the other way, and their sum turns round
    (then too faint to show): the writer's words towards genuine would vanish. Pushing the same way, they join."""
    from model.highlights.fragments import whole_words
    from model.highlights.phrases import _total

    raw, bounds = "也可以参考一下", [0, 1, 3, 5, 7]
    ok = np.ones(len(raw), dtype=bool)
    for weights, want in [
        ([0.1, 0.1, 0.1, -0.05, -0.05, -0.5, -0.5], [(0, 3), (3, 7)]),  # 也可以参考 alone would keep its way
        ([0.1, 0.1, 0.1, 0.2, 0.2, 0.2, 0.2], [(0, 7)]),
    ]:
        w = np.array(weights)
        total = partial(_total, w, weights)
        assert whole_words([(0, 3), (3, 7)], bounds, raw, ok, total) == want


def test_dates_and_times_are_one_word(shipped):
    from model.highlights.word_bounds import word_bounds

    raw = "2025年12月1日15:00开抢，11月11日当天"
    bounds = word_bounds(raw, shipped._segment)
    assert {0, 10, 15, 18, 24} <= set(bounds)  # 2025年12月1日 | 15:00 | 开抢 | ， | 11月11日
    assert not set(bounds) & {*range(1, 10), *range(11, 15), *range(19, 24)}


def _flag_everything(model):
    """The shipped model with both thresholds at 0: every note reaches the ad threshold, so the decision is left to
    whether any phrase explains it."""
    return with_thresholds(model, 0.0)


def test_no_ad_verdict_without_a_phrase_towards_ad(shipped):
    model = _flag_everything(shipped)
    bare = model.check({"text": "好"})
    assert not [h for h in bare.highlights if h.weight > 0]  # nothing in it pushes towards ad
    assert bare.decision == "review" and "no phrase of it points to an ad" in bare.advice["en"]
    ad = model.check(AD)
    assert ad.decision == "ad" and any(h.weight > 0 for h in ad.highlights)
    # the API's schema says so too: it described 'ad' as "at or above threshold", which "好" above is not
    from serve.schemas.check import CheckOut

    described = CheckOut.model_fields["decision"].description
    assert "no phrase" in described and "'genuine'" in described


@pytest.mark.parametrize("text", ["你好", "推荐", "加vx"])
def test_no_ad_verdict_on_a_note_of_a_word_or_two(shipped, text):
    """ "你好" alone was called an ad (0.68: its one feature carries the whole unit-length vector); a note of fewer
    than 4 letters or digits goes to review, however far its probability is above the threshold."""
    from model.classifier import MIN_AD_LETTERS

    # The shipped model scores these near its threshold (above it or not, as a retrain's weights run): with the
    # threshold at 0 the probability is always above it, so only the rule can keep them from an ad verdict.
    model = _flag_everything(shipped)
    result = model.check({"text": text})
    assert result.ad_probability >= model.threshold and len(text) < MIN_AD_LETTERS
    assert result.decision == "review" and result.advice is not None
    assert model.check({"text": text + "，私信我"}).decision == "ad"  # four letters or more: the threshold decides


def test_score_and_check_decide_alike(shipped):
    from model.notes import parse_note

    notes = [AD, DIARY, {"text": "好"}, {"text": "2024"}, {"text": "x"}, {"text": "你好"}]
    for model in (shipped, _flag_everything(shipped)):
        expected = [model.check(n).decision for n in notes]
        for top in (0, 3):
            assert model.score([parse_note(n) for n in notes], top=top).decisions == expected
        assert model.predict(notes) == expected
    assert "review" in [_flag_everything(shipped).check(n).decision for n in notes]  # the rule is exercised


@pytest.mark.parametrize(
    ("text", "negated"),
    [
        ("这款真的不推荐", "不推荐"),
        ("没有推荐的必要", "没有推荐"),
        ("ＰＯＬＡ黑Ｂ眼霜用了一个月，价格７８０元，细纹没有明显变化，不推荐。", "不推荐"),
    ],
)
def test_a_phrase_after_a_negation_quotes_it(shipped, text, negated):
    """The writer wrote 不推荐: a phrase is never the 推荐 without its 不, whichever way the words push (the phrase
    may take in more of the writer's words around it, as the weights run)."""
    result = shipped.check({"text": text})
    _assert_exact({"text": text}, result)
    shown = [h.text for h in result.highlights]
    assert any(negated in phrase for phrase in shown) and "推荐" not in shown, shown
    for h in result.highlights:
        assert not (h.text.startswith("推荐") and text[: h.start].endswith(("不", "没有"))), shown


@pytest.mark.parametrize(
    ("text", "whole"),
    [
        ("最近饮食不规律，下颌线不清晰，穿着也不舒服，我也不知道怎么办", ["饮食不规律", "下颌线不清晰"]),
        ("这家店味道很不一样，服务也不热情，大家都不推荐", ["味道很不一样", "大家都不推荐"]),
    ],
)
def test_a_phrase_ending_on_a_negation_takes_in_what_it_negates(shipped, text, whole):
    """ "饮食不" and "规律", "大家都不" and "推荐" were shown apart: a phrase ending on a negation is a fragment,
    and the word after it quoted alone says the opposite of what the writer wrote."""
    from model.highlights.fragments import _NEGATIONS

    note = {"title": "", "text": text}
    result = shipped.check(note)
    _assert_exact(note, result)
    shown = [h.text for h in result.highlights]
    assert all(any(w in phrase for phrase in shown) for w in whole), shown
    for h in result.highlights:
        if h.category in ("wording", "personal"):
            assert shipped._segment(h.text)[-1] not in _NEGATIONS, h.text
            assert h.text not in ("推荐", "规律"), shown


@pytest.mark.parametrize(
    ("text", "shop"),
    [("双十一在淘宝买的洗衣液，囤了两大桶", "淘宝"), ("在理肤泉官方旗舰店买的，用了一个月", "旗舰店")],
)
def test_a_shop_two_cues_read_is_shown_as_where_the_writer_bought(text, shop):
    """淘宝 is read as a brand and as a shop, 旗舰店 as merchant wording and as a shop: shown as a shop (购买渠道),
    which the advice never asks a writer to remove, not as the brand or merchant wording the first cue by name was."""
    fields = note_fields("", text)
    a = text.index(shop)
    kinds = {cue for s, e, cue in fields[-1].cues if (s, e) == (a, a + len(shop))}
    assert "shop_funnel" in kinds and len(kinds) == 2  # two cues read the very same characters
    assert (a, a + len(shop), "channel") in fields[-1].units


@pytest.mark.parametrize(
    ("text", "sign", "category"),
    [
        ("今天去吃了火锅，无广分享", 1.0, "wording"),
        ("今天去吃了火锅，无广分享", -1.0, "personal"),
        # a claim in a hashtag is a hashtag either way: shown as words, the note's tags were split between two kinds
        ("今天去吃了火锅 #无广分享[话题]#", 1.0, "hashtag"),
        ("今天去吃了火锅 #无广分享[话题]#", -1.0, "hashtag"),
    ],
)
def test_a_no_ad_claim_is_shown_as_the_writers_words_or_hashtag(text, sign, category):
    """A writer's "无广分享" pushing towards ad (by its words: the claim itself is deleted from the document) is
    words leaning towards ad, not words leaning towards genuine; "#无广分享" is a hashtag."""
    from model.highlights import phrases

    fields = note_fields("", text)
    weights = {f.name: np.full(len(f.raw), sign * 0.2) for f in fields}
    shown = [h for h in phrases(fields, weights) if "无广" in h.text]
    assert [h.category for h in shown] == [category]
    assert (shown[0].weight > 0) is (sign > 0)


#: (text, weight per character, the phrase shown): what a negation one word before a phrase does to it, with
#: weights set by hand so that only the rule decides (0.1 a character of the phrase, 0 a faint one).
NEGATED_ONE_WORD_ON = [
    ("体重没明显变化呢", {"变": 0.1, "化": 0.1}, "没明显变化"),  # was 变化: the writer said the opposite
    ("也没怎么去远方玩", {"去": 0.1, "远": 0.1, "方": 0.1, "玩": 0.1}, "没怎么去远方玩"),
    ("体重没明显变化呢", {"没": -0.5, "变": 0.1, "化": 0.1}, "变化"),  # widened it would push the other way
    ("我不知道怎么选", {"不": -0.023, "怎": 0.013, "么": 0.013, "选": 0.013}, "怎么选"),  # ... or fall below showing
    # 高兴 is what 不 negates, not 还要上班 (还要去 would be function words alone, shown in no case)
    ("不高兴还要上班", {"还": 0.1, "要": 0.1, "上": 0.1, "班": 0.1}, "还要上班"),
]


@pytest.mark.parametrize(("text", "weights", "shown"), NEGATED_ONE_WORD_ON)
def test_a_phrase_takes_in_a_negation_one_adverb_before_it_if_it_keeps_its_way(shipped, text, weights, shown):
    """The phrase "变化" quoted from "没明显变化" says the opposite of what the writer wrote: the phrase takes the negation
    and the adverb between in, but only while it still pushes the same way by at least MIN_PHRASE_WEIGHT (widened
    over strong words of the other way it would be hidden or turned round, and a note decided ad could be left
    with no phrase towards ad); a word the negation itself negates (不高兴) is not reached over."""
    from model.highlights import MIN_PHRASE_WEIGHT, phrases

    fields = note_fields("", text)
    w = {f.name: np.array([weights.get(c, 0.0) for c in f.raw]) for f in fields}
    got = [h for h in phrases(fields, w, shipped._segment) if h.category in ("wording", "personal")]
    assert [h.text for h in got] == [shown]
    h = got[0]
    assert text[h.start : h.end] == shown and abs(h.weight) >= MIN_PHRASE_WEIGHT
    inside = sum(weights.get(c, 0.0) for c in text[h.start : h.end])
    assert math.isclose(h.weight, inside, abs_tol=1e-4)


@pytest.mark.parametrize(
    ("text", "covers", "never"),
    [
        ("这款面膜真的绝了，用完皮肤超级水润", "面膜", ("款面膜", "面膜真的", "完皮肤")),  # 这|款, 用|完 cut apart
        ("这家店千万别去，服务太差", "千万别", ("千万别",)),  # a negation with what it negates: 千万别去
        ("门票599一个，学生半价", "门票", ("599一个",)),  # a count without what it counts
    ],
)  # fmt: skip
def test_no_phrase_is_cut_from_what_it_belongs_to(shipped, text, covers, never):
    """Fragments a new user met: a measure word cut from its demonstrative ("款面膜真的"), the 完 of a verb, an
    adverb or a count left hanging at the end ("面膜真的", "门票599一个"), a negation of two characters the list
    did not hold ("这家店千万别", its 去 dropped)."""
    note = {"title": "", "text": text}
    result = shipped.check(note)
    _assert_exact(note, result)
    shown = [h.text for h in result.highlights if h.category in ("wording", "personal")]
    assert any(covers in t for t in shown), shown
    for t in shown:
        assert not t.startswith(("款", "完")), t
        assert not any(t.endswith(bad) for bad in never), t


def test_english_function_words_are_never_shown(shipped):
    """A note in English showed “what”, “me”, “much”, “more”, “these” and “just” as wording; 的 and 了 never are."""
    from model.highlights.categories import is_function_word

    text = (
        "I tried the new Sephora lip oil today and honestly it is just okay. $24 is too much for what it is. "
        "These brands send me more PR than I need, so this is my own money."
    )
    result = shipped.check({"title": "", "text": text})
    words = [h.text for h in result.highlights]
    assert words and not [w for w in words if is_function_word(w)], words
    assert is_function_word("ＷＨＡＴ") and is_function_word("𝓶𝔂") and not is_function_word("Sephora")


@pytest.mark.parametrize(
    ("title", "text"),
    [
        (
            "小棕瓶vs小黑瓶｜用空后的真实对比",
            "雅诗兰黛小棕瓶 vs 兰蔻小黑瓶，两瓶都用空了，夏天我选小黑瓶，冬天小棕瓶更滋润",
        ),
        ("Kindle VS 掌阅", "看书用了三年Kindle，去年换了掌阅，Kindle vs 掌阅：屏幕差不多，掌阅的生态更适合看网文"),
    ],
)
def test_the_vs_of_a_comparison_is_never_shown_alone(shipped, title, text):
    """A writer-eye review found the "vs" between two products shown as 个人体验 personal experience."""
    result = shipped.check({"title": title, "text": text})
    shown = [h.text for h in result.highlights] + [e.text for r in result.reasons for e in r.evidence]
    assert shown and not [t for t in shown if t.strip().lower() in ("vs", "versus")], shown


def test_the_report_says_why_a_ratio_is_missing():
    """A random drop at or below zero has no ratio; the report's cell read "– [121.2, unbounded]", a missing figure
    with an interval, and now says why."""
    from training.faithfulness import _ratio, report_lines

    none = _ratio(np.array([0.30, 0.20, 0.25, 0.25]), np.array([-0.02, 0.01, -0.04, 0.0]), seed=0)
    some = _ratio(np.array([0.30, 0.20, 0.25, 0.25]), np.array([0.02, 0.06, 0.04, 0.04]), seed=0)
    part = {"n_notes": 4, "n_skipped": 0, "repeats": 20, "probability": none, "log_odds": some}
    text = "\n".join(report_lines({"flagged_notes": 4, "markup": part, "anywhere": part}, "cmd"))
    assert "none (random drop ≤ 0)" in text and "6.2× [" in text and "– [" not in text


#: Two honest notes a new user wrote, whose phrases showed counts and connectives: “三千”, “一千”, “一块”, “之前”.
COUNT_NOTES = [
    {
        "title": "雅思7分备考分享",
        "text": "裸考5.5，三个月后考到7。口语找了一个学姐陪练，一次50块，练了十次；听力每天精听剑桥真题一篇。没报班，"
        "全部花费加报名费也就三千出头。",
    },
    {
        "title": "出租屋改造花了不到一千",
        "text": "租的老破小，自己刷了墙，宜家买了一个毕利书柜和一块地毯，拼多多买了窗帘，全部加起来九百多。房东来看了说"
        "比之前好看多了，还说退租不用恢复原样，开心。",
    },
]


@pytest.mark.parametrize("note", COUNT_NOTES)
def test_a_count_or_a_connective_is_never_a_phrase_of_its_own(shipped, note):
    """A count alone (三千, 一块, 三个, 12次, 2026年) or a connective (之前, 但是, 一直) told the writer nothing to
    change, yet “三千” was the third reason an honest exam note was flagged for. Phrases holding them stay."""
    from model.highlights.categories import is_function_word
    from model.highlights.fragments import is_count

    result = shipped.check(note)
    _assert_exact(note, result)
    words = [h.text for h in result.highlights if h.category in ("wording", "personal")]
    assert words, words
    assert not [w for w in words if is_count(w) or is_function_word(w)], words
    for word in ("三千", "一块", "三个", "12次", "2026年", "半小时", "两三千"):
        assert is_count(word), word
    for word in ("三只松鼠", "一加", "三星", "九阳", "一起", "双十一", "三个月后"):
        assert not is_count(word), word
    assert all(is_function_word(w) for w in ("之前", "但是", "一直", "其实")) and not is_function_word("之前的")


@pytest.mark.parametrize("probe", ["disguised_probe.jsonl", "writer_probe.jsonl"])
def test_the_probes_highlights_quote_what_was_sent(shipped, probe):
    """The two hand-written probes (benchmarks/data/*.md): every highlight and every reason's evidence is exactly
    the note's own characters, no reason names an internal token, and no wording phrase is a count or a function
    word alone."""
    from model.highlights.categories import is_function_word
    from model.highlights.fragments import is_count

    path = SAMPLES.parent / "benchmarks" / "data" / probe
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 60 and {r["label"] for r in rows} == {0, 1}
    for row in rows:
        note = {"title": row["title"], "text": row["text"]}
        result = shipped.check(note)
        _assert_exact(note, result)
        assert not [h.text for h in result.highlights if "⟦" in h.text or "⟧" in h.text]
        words = [h.text for h in result.highlights if h.category in ("wording", "personal")]
        assert not [w for w in words if is_count(w) or is_function_word(w)], (row["id"], words)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 60), max_size=20, unique=True), st.integers(0, 62), st.integers(0, 62))
def test_the_claims_within_a_span_are_those_a_scan_finds(points, a, b):
    """Claims of a field are in order and apart; those within a span, and those overlapping it, are found by
    bisection, as a scan finds them."""
    from model.spans import DisjointSpans

    points = sorted(points)
    gaps = [(points[i], points[i + 1]) for i in range(0, len(points) - 1, 2)]
    held = DisjointSpans()
    for g, h in gaps:
        assert held.claim(g, h)
    assert [held.span(i) for i in held.within(a, b)] == [(g, h) for g, h in gaps if a <= g and h <= b]
    assert [held.span(i) for i in held.overlapping(a, b)] == [(g, h) for g, h in gaps if g < b and a < h]


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=" \t\n\r\x0b\x85\u2028\u3000a加", max_size=30))
def test_one_line_replaces_what_the_pattern_tried_everywhere_replaces(text):
    """One space for each line break with the whitespace around it, the pattern tried only where whitespace starts."""
    from model.highlights.categories import _LINE_BREAK_RE, one_line

    everywhere = re.compile(_LINE_BREAK_RE.pattern.removeprefix(r"(?<!\s)"))
    assert everywhere.pattern != _LINE_BREAK_RE.pattern
    assert one_line(text) == everywhere.sub(" ", text)


@pytest.mark.parametrize(
    ("evidence", "quoted"),
    [
        (["#宜家[话题]#"], "“#宜家”"),
        (["宜家", "#宜家[话题]#"], "“#宜家”"),  # the name inside the tag is not quoted again
        (["好物 #瑞幸新品[话题]# #日常[话题]#"], "“好物 #瑞幸新品 #日常”"),
        (["#宜家[话题]"], "“#宜家[话题]”"),  # not the platform's whole markup: quoted as it is
        (["[话题]#"], "“[话题]#”"),
        (["#dior 999[话题]#"], "“#dior 999[话题]#”"),  # a name with a space: no tag the pattern can tell, kept whole
        (["#a[话题]##b[话题]#"], "“#a#b”"),
    ],
)
def test_a_platform_topic_tag_is_quoted_as_the_writer_typed_it(evidence, quoted):
    """A writer types "#宜家" and picks the topic; "#宜家[话题]#" is the export's markup, which the writer never sees.
    Quotes drop it; the evidence spans keep the text as sent."""
    spans = tuple(Span(field="text", start=0, end=len(t), text=t) for t in evidence)
    reason = ReadableReason("brand_name", "品牌与产品名", "brand or product names", "ad", 1.0, spans)
    assert reason.quoted() == quoted
    assert [s.text for s in reason.evidence] == evidence


@pytest.mark.parametrize(
    ("evidence", "quoted"),
    [
        ("加\u202e微信：abc999", "“加微信：abc999”"),  # a right-to-left override, never closed
        ("加\u200b微\u200b信", "“加微信”"),  # zero-width spaces between the characters
        ("链\u200c接", "“链接”"),
        ("\u2066私信\u2069", "“私信”"),
        ("love\u202fthis serum", "“love this serum”"),  # a narrow no-break space, which the model reads as a space
        ("a\x1fb", "“a b”"),
    ],
)
def test_a_quote_leaves_out_the_invisible_characters_the_model_reads_past(evidence, quoted):
    """A direction mark typed in a note went into the quotes and the advice as it was: unclosed, it turns the rest of
    the advice's sentence around on a page showing it. The evidence span keeps the text as sent."""
    span = Span(field="text", start=0, end=len(evidence), text=evidence)
    reason = ReadableReason("contact", "联系方式", "contact details", "ad", 1.0, (span,))
    assert reason.quoted() == quoted and reason.evidence[0].text == evidence


def test_a_group_of_highlights_too_light_to_matter_is_no_reason():
    """ "+0.00 → ad 话题标签 “#每日穿搭”" (0.0044) told a writer their hashtag counted towards ad; its highlight stays."""
    from model.highlights import reasons
    from model.highlights.categories import MIN_PHRASE_WEIGHT, Highlight

    text = "#每日穿搭 加微信abc123"
    tag = Highlight("text", 0, 5, text[0:5], 0.0044, "hashtag")
    contact = Highlight("text", 6, 15, text[6:15], 0.8, "contact")
    light = Highlight("text", 6, 8, text[6:8], -(MIN_PHRASE_WEIGHT / 2), "personal")
    assert [(r.category, r.direction) for r in reasons([contact, tag, light])] == [("contact", "ad")]
    heavier = Highlight("text", 0, 5, text[0:5], MIN_PHRASE_WEIGHT, "hashtag")
    assert [r.category for r in reasons([contact, heavier])] == ["contact", "hashtag"]


def test_the_advice_shows_no_direction_mark_the_note_holds(shipped):
    note = {"text": "加\u202e微信：abc999 私信我，领券下单"}
    result = shipped.check(note)
    assert result.decision != "genuine" and result.advice is not None
    shown = result.advice["zh"] + result.advice["en"] + "".join(q for r in result.reasons for q in r.quotes())
    assert "\u202e" not in shown and "微信" in shown
    assert any("\u202e" in h.text for h in result.highlights)  # the spans stay exact


def test_the_reasons_of_a_tagged_note_quote_the_tag_as_typed(shipped):
    result = shipped.check(
        {"title": "宜家买的书架", "text": "BILLY书架，399块，装了三小时 #宜家[话题]# #装修日记[话题]#"}
    )
    lines = [r.text() for r in result.reasons]
    assert not any("[话题]" in line for line in lines), lines
    assert any("“#宜家”" in line or "“#装修日记”" in line for line in lines), lines
    assert any(s.text.endswith("[话题]#") for r in result.reasons for s in r.evidence)  # the span as sent


@pytest.mark.parametrize(
    ("second", "main", "also"),
    [
        # a merchant word at +0.03 beside wording at +1.50 was a "main reason", and the writer offered to change it
        (
            ReadableReason("merchant", "商家用语", "merchant wording", "ad", 0.03, (Span("text", 0, 3, "实体店"),)),
            False,
            True,
        ),
        (ReadableReason("hashtag", "话题标签", "hashtags", "ad", 0.10, (Span("text", 0, 3, "#美甲"),)), False, False),
        (ReadableReason("hashtag", "话题标签", "hashtags", "ad", 0.20, (Span("text", 0, 3, "#美甲"),)), True, False),
        # exactly a tenth is enough (0.1 * 1.5 is 0.15000000000000002 in floating point)
        (ReadableReason("hashtag", "话题标签", "hashtags", "ad", 0.15, (Span("text", 0, 3, "#美甲"),)), True, False),
        (
            ReadableReason("merchant", "商家用语", "merchant wording", "ad", 0.50, (Span("text", 0, 3, "实体店"),)),
            True,
            False,
        ),
    ],
)
def test_a_reason_far_weaker_than_the_strongest_is_no_main_reason(second, main, also):
    """A second reason is named a main reason only with a tenth of the strongest one's weight; a concrete one weaker
    than that is still named, after "还有" (also has), so the writer sees it for what it weighs."""
    from model.highlights.reasons import advice

    first = ReadableReason("wording", *DIRECTED_LABELS[("wording", "ad")], "ad", 1.5, (Span("text", 0, 2, "多去"),))
    told = advice("review", [first, second])["zh"]
    head = told.partition("。")[0]
    assert (second.label_zh in head.split("，还有")[0]) is main, told
    assert ("，还有" + second.label_zh in head) is also, told


def test_the_english_advice_names_its_categories_with_the_article():
    """ "mainly because of giveaway or lucky draw (“福利”)" and "it has call to action" read as broken English."""
    from model.highlights.reasons import advice

    giveaway = ReadableReason(
        "giveaway", "抽奖福利", "giveaway or lucky draw", "ad", 1.0, (Span("text", 0, 2, "福利"),)
    )
    wording = ReadableReason("wording", *DIRECTED_LABELS[("wording", "ad")], "ad", 0.8, (Span("text", 0, 2, "最近"),))
    tags = ReadableReason("hashtag", *DIRECTED_LABELS[("hashtag", "ad")], "ad", 0.5, (Span("text", 0, 3, "#美甲"),))
    cta = ReadableReason("call_to_action", "购买引导", "call to action", "ad", 0.3, (Span("text", 0, 2, "点击"),))
    told = advice("review", [giveaway, wording])["en"]
    assert (
        "mainly because of the giveaway or lucky draw (“福利”) and the words the model associates with ads (“最近”)."
        in told
    ), told
    told = advice("ad", [wording, tags, cta])["en"]
    assert (
        "because of what the model associates with ads: the words (“最近”) and the hashtags (“#美甲”), and also the "
        "call to action (“点击”)." in told
    )


def test_a_long_notes_features_are_carried_back_until_they_hold_most_of_its_score():
    """A fixed 64 features left a long note's reasons with a small part of its score: its many words each carry a
    little. More are carried back, strongest first, until they hold the share; never fewer than the floor, never more
    than the cap; a note with few features has them all."""
    from model.highlights.attribution import strongest

    rng = np.random.default_rng(0)
    contrib = np.concatenate([[3.0, -2.0], rng.uniform(-0.1, 0.1, 2000)])
    size = np.abs(contrib)
    pick = strongest(contrib, 8, share=0.6, most=5000)
    assert len(pick) > 8 and size[pick].sum() >= 0.6 * size.sum()
    assert size[pick[:-1]].sum() < 0.6 * size.sum()  # the fewest that hold it
    assert set(pick[:2].tolist()) == {0, 1} and size[pick].min() >= np.delete(size, pick).max()
    assert len(strongest(contrib, 8, share=0.6, most=100)) == 100
    assert len(strongest(contrib, 8, share=0.0001, most=100)) == 8
    assert strongest(contrib[:5], 8).tolist() == [0, 1, 2, 3, 4]
    assert strongest(contrib).tolist() == strongest(contrib.copy()).tolist()  # the same note, the same features


@pytest.mark.parametrize(
    ("words", "offered"),
    [
        (("回购",), False),
        (("回购", "囤货"), False),
        (("回购", "闭眼入"), True),  # a pitch beside the purchase: the reason is offered, as any pitch
        (("闭眼入",), True),
    ],
)
def test_a_purchase_told_is_not_offered_as_a_change(words, offered):
    """A writer's "自费回购第三瓶" was told it could change its sales-pitch phrase “回购”: the writer would hide that they bought
    the product again, the whole point of the note. A reason quoting nothing but the words of a purchase (回购, 入手,
    囤货) is not offered; one quoting a pitch too is."""
    from model.highlights.categories import ReadableReason, Span
    from model.highlights.reasons import advice

    reason = ReadableReason("sales_tone", "推销话术", "sales-pitch phrase", "ad", 1.0,
                            tuple(Span("text", 10 * i, 10 * i + len(w), w) for i, w in enumerate(words)))  # fmt: skip
    for decision in ("ad", "review"):
        told = advice(decision, [reason])
        assert ("you can change the sales-pitch phrase" in told["en"]) is offered
        assert ("修改其中的推销话术" in told["zh"]) is offered
        assert "申诉" in told["zh"]


@pytest.mark.parametrize(
    ("words", "named"),
    [
        (("入手",), False),
        (("入手", "回购"), False),
        (("入手", "戳主页"), True),  # a call to action beside the purchase: named, as any call to action
        (("戳主页",), True),
    ],
)
def test_a_purchase_told_is_not_named_as_what_else_counted(words, named):
    """A street vendor's "入手的这个小推车" (the cart they bought) was told "还有购买引导（“入手”）": the advice names one
    concrete reason after wording and hashtags so that the writer sees what they could point to, and a purchase
    told is not one. A call to action quoting nothing but the words of a purchase is passed over for the next."""
    from model.highlights.categories import CATEGORIES, ReadableReason, Span
    from model.highlights.reasons import advice

    def reason(category, weight, texts):
        spans = tuple(Span("text", 10 * i, 10 * i + len(w), w) for i, w in enumerate(texts))
        return ReadableReason(category, *CATEGORIES[category], "ad", weight, spans)

    readable = [reason("wording", 1.5, ["最近"]), reason("hashtag", 0.4, ["#摆摊"]),
                reason("call_to_action", 0.2, words), reason("amount", 0.1, ["5元"])]  # fmt: skip
    told = advice("review", readable)["zh"]
    assert ("还有购买引导" in told) is named, told
    if not named:
        assert "还有价格（“5元”）" in told, told  # the next concrete reason instead


def test_a_notes_hashtags_either_way_are_two_reasons_that_say_which_way():
    """An honest note flagged read "+0.92 → ad 话题标签 …" and "−1.00 → genuine 话题标签 …", a contradiction to its
    writer: the reasons say which way their tags lean; the highlights keep the category's own label."""
    from model.highlights.categories import CATEGORIES, Highlight
    from model.highlights.reasons import reasons

    hs = [Highlight("text", 0, 5, "#干货分享", 0.9, "hashtag"), Highlight("text", 6, 10, "#又该减肥", -1.0, "hashtag")]
    got = {r.direction: (r.label_zh, r.label_en) for r in reasons(hs)}
    assert got == {
        "ad": ("模型认为偏向广告的话题标签", "hashtags the model associates with ads"),
        "genuine": ("模型认为偏向真实分享的话题标签", "hashtags the model associates with honest sharing"),
    }
    assert CATEGORIES["hashtag"] == ("话题标签", "hashtags")


def test_advice_says_the_models_leaning_once_for_two_such_reasons():
    """ "模型认为偏向广告的用词（…）和模型认为偏向广告的话题标签（…）" says it twice, and "…的用词（…）和话题标签（…）" leaves
    the second a bare noun after the quotes (a writer-eye review): the leaning is said once, before both. A concrete
    reason keeps its own name."""
    from model.highlights.categories import Highlight
    from model.highlights.reasons import advice, reasons

    hs = [Highlight("text", 0, 4, "干货来啦", 1.7, "wording"), Highlight("text", 5, 10, "#干货分享", 0.7, "hashtag")]
    told = advice("review", reasons(hs))
    assert "主要因为模型认为偏向广告的两类内容：用词（“干货来啦”）和话题标签（“#干货分享”）。" in told["zh"], told["zh"]
    assert (
        "because of what the model associates with ads: the words (“干货来啦”) and the hashtags (“#干货分享”)."
        in told["en"]
    ), told["en"]
    hs[1] = Highlight("text", 5, 7, "私信", 0.7, "call_to_action")
    told = advice("review", reasons(hs))
    assert "主要因为模型认为偏向广告的用词（“干货来啦”）和购买引导（“私信”）。" in told["zh"], told["zh"]
    assert (
        "because of the words the model associates with ads (“干货来啦”) and the call to action (“私信”)." in told["en"]
    )
    hs = [Highlight("text", 0, 4, "[哭惹R]", -0.3, "emoji"), Highlight("text", 5, 9, "[色色R]", 0.2, "emoji")]
    assert {r.label_zh for r in reasons(hs)} == {"模型认为偏向真实分享的表情", "模型认为偏向广告的表情"}
    hs = [Highlight("text", 0, 3, "@小鹿", -0.3, "mention"), Highlight("text", 5, 9, "@A6C2", 0.2, "mention")]
    assert {r.label_zh for r in reasons(hs)} == {"模型认为偏向真实分享的@提及", "模型认为偏向广告的@提及"}


def test_a_word_is_not_quoted_again_beside_its_own_hashtag():
    """ "两类内容：话题标签（“#美甲”、…）和用词（“美甲”、…）" (7 labelled notes flagged) quoted one word twice."""
    from model.highlights.categories import Highlight
    from model.highlights.reasons import advice, reasons

    hs = [Highlight("text", 0, 3, "#美甲", 1.5, "hashtag"), Highlight("text", 4, 7, "#vlog", 0.2, "hashtag"),
          Highlight("text", 8, 10, "美甲", 0.9, "wording"), Highlight("text", 11, 13, "今天", 0.3, "wording")]  # fmt: skip
    told = advice("review", reasons(hs))
    assert "两类内容：话题标签（“#美甲”、“#vlog”）和用词（“今天”）" in told["zh"], told["zh"]
    assert "the hashtags (“#美甲”, “#vlog”) and the words (“今天”)" in told["en"], told["en"]
    # nothing else to quote: the word is quoted, not left out
    told = advice("review", reasons(hs[:3]))
    assert "和用词（“美甲”）" in told["zh"], told["zh"]
