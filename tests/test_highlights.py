"""Highlights and readable reasons: exact spans of the note as sent, never an internal token."""

import itertools
import json
import random
import re

import numpy as np
import pytest
from conftest import SAMPLES

from model import load_model
from model.highlights import CATEGORIES, FUNCTION_WORDS, _normalize_aligned
from model.text import normalize_text

AD = {"title": "新店开业", "text": "加VX领券，原价199现价99，链接在主页，私信下单"}
DIARY = {"title": "周末爬山", "text": "今天和朋友去爬山，山顶风景很好，下山吃了碗面，累但开心"}

#: Texts whose normalisation changes lengths or positions: full-width forms, ligatures, combining marks, zero-width
#: and control characters, forged placeholders, runs of whitespace, case, emoji and supplementary characters.
ODD = [
    "ＶＸ：ＡＢＣ１２３４５ 全角的联系方式，原价１９９",
    "ﬁne ligature ㎡ ① ② ③ and ½ price 加vx abc12345",
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
    norm, starts, ends = _normalize_aligned(text)
    assert norm == normalize_text(text) and len(starts) == len(ends) == len(norm)
    assert all(0 <= a < b <= len(text) for a, b in zip(starts, ends, strict=True))
    assert starts == sorted(starts)


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


def _notes(path, limit):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()[:limit]]


def test_no_reason_is_an_internal_token_on_sample_notes(shipped):
    for note in _notes(SAMPLES / "notes.jsonl", 120):
        result = shipped.check(note, top=50)
        _assert_exact(note, result)
        for h in result.highlights:
            assert not _forbidden(h), h


def test_no_reason_is_an_internal_token_on_real_notes(shipped, shared_data):
    notes = _notes(shared_data / "ads" / "xhs_labelled.jsonl", 400)
    for note, result in zip(notes, shipped.check_many(notes, top=50), strict=True):
        _assert_exact(note, result)
        assert not [h for h in result.highlights if _forbidden(h)]


def test_score_rows_carry_the_readable_reasons_of_flagged_notes(shipped):
    from model.notes import parse_note

    notes = [parse_note(AD), parse_note(DIARY)]
    _probs, reasons = shipped.score(notes, top=3)
    assert reasons[1] == [] and reasons[0]
    assert reasons[0] == [r.text() for r in shipped.check(AD, top=50).reasons if r.direction == "ad"][:3]
    assert all("“" in line and "⟦" not in line for line in reasons[0])


def test_deleting_top_highlights_lowers_the_probability_more_than_random_spans(shipped):
    """Faithfulness, in miniature (the full measurement: python -m training.faithfulness): removing the three
    strongest highlights towards ad lowers the ad probability much more than removing random spans of the same
    lengths (on two obvious ads; on real flagged notes the ratio is smaller, see the model's report)."""
    from training.faithfulness import deletion_drops

    notes = [AD, {"title": "", "text": "源头厂家直供，支持定制，V信 abc12345，全国包邮，私信下单"}]
    top, rand = deletion_drops(shipped, notes, rng=random.Random(0), repeats=5)
    assert np.mean(top) > 2 * max(np.mean(rand), 1e-3)


def test_random_spans_have_the_lengths_of_the_top_spans():
    from training.faithfulness import random_spans

    rng = random.Random(0)
    spans = random_spans("一二三四五六七八九十" * 3, [2, 3, 4], rng)
    assert sorted(b - a for a, b in spans) == [2, 3, 4]
    assert all(b1 <= a2 for (_, b1), (a2, _) in zip(sorted(spans), sorted(spans)[1:], strict=False))
