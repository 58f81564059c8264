"""Which bracketed text is a platform emoji code (model.emoji_codes), checked on the writers' own data."""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter

import pytest

from model.emoji_codes import EMOJI_CODE_NAMES, EMOJI_CODE_RE, emoji_codes
from model.text import normalize_text, prepare_document


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("好看[笑哭R][害羞R]", ["笑哭", "害羞"]),
        ("[吐舌头H]真的[doge]", ["吐舌头", "doge"]),
        ("#00:16[时刻]# 泸定 #谁会吃醋 [投票]# #变化 [PK]#", ["时刻", "投票", "PK"]),
        ("[玫瑰][鼓掌]欢迎光临", ["玫瑰", "鼓掌"]),
        ("这款面霜[推荐]真的好用", []),  # the writer's word in brackets
        ("参考文献: [1] 鼠宝妈 [2]", []),
        ("[6星]灵犀 [EB/OL] [美的空调]", []),
        ("#好物[话题]#", []),  # hashtag markup
        ("[user] [her] [6r] [abcr]", []),  # a Latin word or digit before the r is no code name
    ],
)
def test_only_platform_codes_are_emoji_codes(text: str, codes: list[str]) -> None:
    assert emoji_codes(text) == codes
    assert emoji_codes(normalize_text(text)) == [c.lower() for c in codes]


def test_bracketed_words_are_read_as_words_and_codes_as_one_token() -> None:
    doc = prepare_document(None, "这款面霜[推荐]真的好用[笑哭R]")
    assert "⟦emo:笑哭⟧" in doc
    assert "⟦emo:推荐⟧" not in doc and "推荐" in doc
    assert prepare_document(None, "参考[1]") == prepare_document(None, "参考[2]")  # digits, read as such


def test_sentiment_markers_stay_codes() -> None:
    # model.comments writes emoticon classes and lexicon markers as codes; they must become placeholder tokens.
    doc = prepare_document(None, "好开心 [颜:笑] [lxp] [lxq]")
    assert {"⟦emo:颜:笑⟧", "⟦emo:lxp⟧", "⟦emo:lxq⟧"} <= set(doc.split())


def test_codes_in_the_labelled_notes_are_the_platforms(shared_data) -> None:
    """Every bracketed string of the Xiaohongshu notes that ends in R or H, or is listed, is a code; the rest
    (references, ratings, citation types) are not. The listed names are each used in the data."""
    counts: Counter[str] = Counter()
    for line in (shared_data / "ads" / "xhs_labelled.jsonl").open(encoding="utf-8"):
        row = json.loads(line)
        for field in ("title", "text"):
            counts.update(re.findall(r"\[[^\[\]\s]{1,8}\]", normalize_text(row.get(field) or "")))
    found = {s for s in counts if EMOJI_CODE_RE.fullmatch(s)}
    codes = {s for s in counts if re.fullmatch(r"\[[^\x00-\x7f]+[rh]\]", s)} | {f"[{n}]" for n in EMOJI_CODE_NAMES}
    assert found == codes & set(counts)
    assert sum(counts[s] for s in found if s[-2] in "rh") >= 600
    assert {"[1]", "[2]", "[6星]", "[eb/ol]"} <= set(counts) - found
    sms = (shared_data / "ads" / "sms_promo.jsonl").read_text(encoding="utf-8")
    reviews = (shared_data / "sentiment" / "shopping.jsonl").read_text(encoding="utf-8")
    text = unicodedata.normalize("NFKC", (sms + reviews)).lower()
    for name in EMOJI_CODE_NAMES:
        assert counts[f"[{name}]"] + text.count(f"[{name}]") >= 1, name


def test_bracket_counts_tell_codes_from_words(tmp_path, capsys) -> None:
    from training.bracket_counts import main

    notes = tmp_path / "notes.jsonl"
    rows = [{"title": "好看[笑哭R]", "text": "[推荐] [笑哭R] #a[话题]#"}, {"text": "参考[1]"}, {"text": "没有括号"}]
    notes.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    assert main([str(notes)]) == 0
    out = capsys.readouterr().out
    assert "3 rows, 2 with bracketed text read as words; hashtag markup [话题] 1" in out
    assert "codes: 1 distinct, 2 uses: [笑哭r] 2" in out and "words: 2 distinct, 2 uses: [推荐] 1, [1] 1" in out
    assert main([str(tmp_path / "missing.jsonl")]) == 2
    assert "missing.jsonl: no such file" in capsys.readouterr().err
