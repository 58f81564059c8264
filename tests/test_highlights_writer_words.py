"""Evidence is the writer's words: never the platform's note tag markers ("[时刻]" of a video chapter), never a
symbol alone ("🔗" of "附链接🔗")."""

import itertools
import re

import numpy as np
import pytest

from model import load_model
from model.highlights import note_fields, phrases

#: A note tag marker as it appears in a highlight or quote.
_MARKER_RE = re.compile(r"\[(?:时刻|投票|pk|eoi)\]", re.IGNORECASE)

#: Notes with the markers Xiaohongshu writes into them (video chapters, a poll, a PK question, a drama tag), each with
#: a phrase of the writer's.
MARKED = [
    ("#00:10[时刻]#早餐酸奶碗 #00:44[时刻]#燕麦片 #1:28[时刻]#蓝莓粉 #2:12[时刻]#收尾", "燕麦片"),
    ("#00:06[时刻]#开箱 #01:55[时刻]#上脸试色 #03:37[时刻]#总结 #日常妆容[话题]#", "上脸试色"),
    ("#你最喜欢哪一件？[投票]# 今天试了三条裙子", "裙子"),
    ("#开始跟练了吗姐妹[PK]# 第三天打卡，腿好酸", "打卡"),
    ("#爱情公寓[eoi]# 又重温了一遍，还是好好笑", "重温"),
]


@pytest.fixture(scope="module")
def shipped():
    return load_model()


def _weights(fields, spans):
    """Per-character weights of ``fields``: ``spans`` maps (field, substring) to the weight of each of its characters
    (every occurrence); everything else weighs nothing."""
    out = {f.name: np.zeros(len(f.raw)) for f in fields}
    for (name, sub), x in spans.items():
        raw = next(f.raw for f in fields if f.name == name)
        for m in re.finditer(re.escape(sub), raw):
            out[name][m.start() : m.end()] = x
    return out


@pytest.mark.parametrize(("text", "words"), MARKED)
@pytest.mark.parametrize("x", [-0.05, 0.05])
def test_a_note_tag_marker_is_never_shown_however_it_weighs(shipped, text, words, x):
    # Weighed as strongly as a sticker that is shown ([笑哭R]), either way: the platform's markup is no phrase of the
    # writer's and is never quoted, whole or in part; the writer's words beside it still are.
    fields = note_fields("", text)
    markers = [m.span() for m in _MARKER_RE.finditer(text)]
    weights = _weights(fields, {("text", text[slice(*markers[0])]): x, ("text", words): x})
    shown = phrases(fields, weights, shipped._segment)
    assert not [h.text for h in shown if any(h.start < b and a < h.end for a, b in markers)], shown
    assert words in [h.text for h in shown]


@pytest.mark.parametrize(("text", "_"), MARKED)
def test_checks_quote_no_note_tag_marker(shipped, text, _):
    note = {"title": "我的分享", "text": text}
    result = shipped.check(note)
    quoted = [h.text for h in result.highlights] + [e.text for r in result.reasons for e in r.evidence]
    assert not [q for q in quoted if _MARKER_RE.search(q)], quoted
    for r in result.reasons:
        for e in r.evidence:
            assert note[e.field][e.start : e.end] == e.text


def test_a_sticker_is_still_shown_as_the_writers_choice(shipped):
    # A sticker code is the writer's choice, shown whole when it weighs enough: only the platform's markers are not.
    text = "今天好开心[笑哭R] #00:10[时刻]#开箱"
    fields = note_fields("", text)
    shown = phrases(fields, _weights(fields, {("text", "[笑哭R]"): 0.05, ("text", "[时刻]"): 0.05}), shipped._segment)
    assert [h.text for h in shown] == ["[笑哭R]"]


#: (text as sent, the weight of each character of its "🔗", other weights, the evidence the "🔗" is quoted in)
SYMBOLS = [
    ("附链接🔗", 0.3, {}, "链接🔗"),  # joined with the cue of its kind written against it
    ("韩系简约穿搭🔗来啦～", 0.3, {}, "穿搭🔗"),  # the segmenter cuts 穿|搭: words until two letters
    ("休闲工装裤合集（附🔗", 0.3, {}, "附🔗"),  # one letter, then punctuation: what the writer wrote there
    ("别再问我要🔗了", 0.3, {}, "问我要🔗"),  # past function words to a content word
    ("冰箱贴！ . 🔗它的位置就是这里", 0.3, {}, "🔗它的位置"),  # nothing before it: the words after
    ("有用的训练🔗可以参考", 0.3, {"训练": -0.2}, "🔗可以参考"),  # the word before pushes against it: not taken
    ("有用的训练🔗可以参考", -0.3, {"训练": 0.01}, "🔗可以参考"),  # towards genuine: no character towards ad taken
    ("看这里 🔗 ", 0.3, {}, "🔗"),  # no word against it: the symbol, which is the writer's text too
    ("🔗", 0.3, {}, "🔗"),
]


@pytest.mark.parametrize(("text", "x", "other", "quoted"), SYMBOLS)
def test_a_symbol_cue_is_quoted_with_the_writers_words_beside_it(shipped, text, x, other, quoted):
    fields = note_fields("", text)
    assert any(text[a:b] == "🔗" for a, b, _ in fields[1].cues)
    spans = {("text", "🔗"): x, **{("text", k): v for k, v in other.items()}}
    for segment in (shipped._segment, None):  # with the model's words, and with runs of letters as words
        w = _weights(fields, spans)
        shown = phrases(fields, w, segment)
        got = [h for h in shown if "🔗" in h.text]
        assert len(got) == 1, shown
        h = got[0]
        # with runs of letters as words, the whole run beside it ("韩系简约穿搭🔗")
        assert h.text == quoted if segment is not None else quoted in h.text, (segment, shown)
        assert h.category == "call_to_action" and text[h.start : h.end] == h.text
        assert h.weight == pytest.approx(float(w["text"][h.start : h.end].sum()), abs=1e-4)
        assert h.weight * x > 0  # the cue's direction kept
        spans_shown = sorted((g.start, g.end) for g in shown if g.field == "text")
        assert all(b <= a2 for (_, b), (a2, _) in itertools.pairwise(spans_shown))


#: Titles with a link emoji the call-to-action cue reads, and the writer's words beside it.
LINKED = [
    "拼好家之拼梳妆台｜附链接🔗",
    "韩里韩气简约穿搭🔗来啦～",
    "最爱的休闲工装裤合集！！（附🔗",
    "别再问我要🔗了，翻车了",
]


@pytest.mark.parametrize("title", LINKED)
def test_checks_quote_no_symbol_alone(shipped, title):
    note = {"title": title, "text": "今天分享一下我最近的日常，喜欢的可以收藏"}
    result = shipped.check(note)
    evidence = [e for r in result.reasons for e in r.evidence] + list(result.highlights)
    assert not [e.text for e in evidence if not any(map(str.isalnum, e.text))], evidence
    assert [e for e in evidence if "🔗" in e.text]
    for e in evidence:
        assert note[e.field][e.start : e.end] == e.text
