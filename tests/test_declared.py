"""A note that declares itself an ad is decided ``ad`` and says so (model/declared.py): detection, the decision and
its explanation in check, score, the CLI, score's output files, evaluate and the review queue. The probability stays
the model's own. Before the rule, "love this serum so much #ad" was genuine (0.036) on the shipped model."""

from __future__ import annotations

import csv
import itertools
import json
import math
import re

import pyarrow.parquet as pq
import pytest
from conftest import stop_after_first_chunk, with_thresholds
from hypothesis import given, settings
from hypothesis import strategies as st

from model import load_model
from model.declared import declared_spans
from model.highlights import CATEGORIES, MAX_HIGHLIGHTS, MIN_PHRASE_WEIGHT, Highlight, Span, with_declared
from model.highlights.categories import as_quoted
from model.notes import parse_note
from serve.cli import main

#: (title, text, the declared words as the writer sent them): every form of a self-declaration the rule takes.
DECLARED = [
    ("", "love this serum so much #ad", "#ad"),
    ("", "这个面霜真的好用 #广告[话题]#", "#广告[话题]#"),
    ("", "#AD love it", "#AD"),
    ("", "喜欢 #Sponsored", "#Sponsored"),
    ("", "新品上市 #ads", "#ads"),
    ("", "谢谢支持 #赞助#", "#赞助#"),
    ("", "夏日清单 #品牌合作[话题]#", "#品牌合作[话题]#"),
    ("", "夏日清单 #商业合作", "#商业合作"),
    ("【广告】新品面霜", "用了一周，皮肤很稳定", "【广告】"),
    ("", "本篇笔记是广告，感谢品牌方的支持", "本篇笔记是广告"),
    ("", "说在前面：这篇是广告 但都是真实感受", "这篇是广告"),
    ("", "本文为推广信息，不代表本号观点", "本文为推广信息"),
    ("", "广告合作 感谢@兰若官方旗舰店", "广告合作"),
    ("", "Paid partnership with @glossier. obsessed!", "Paid partnership"),
    ("", "Sponsored by @nike — new running shoes", "Sponsored by"),
    ("", "ＡＤ time: #ＡＤ", "#ＡＤ"),  # full width, as sent: NFKC reads it as #ad
    # a line break ends a clause: the question on the next line asks about the product, not about the label, and
    # a label on a line of its own opens a clause
    ("", "【广告】\n姐妹们觉得好用吗", "【广告】"),
    ("", "这个面霜真的好用 #广告\n你们用过吗？", "#广告"),
    ("", "本篇是广告\r\n大家觉得怎么样?", "本篇是广告"),
    ("", "用了一个月的真实感受\n广告合作\n感谢品牌方", "广告合作"),
    ("", "出门必带\n#广告", "#广告"),
    ("", "呢隻面霜好用到喊 #廣告", "#廣告"),  # Cantonese, in traditional characters
]
#: The label typed with spaces (beside or between its characters), which no hashtag or spaced-out run reads: two
#: characters are never joined (model.spaced).
SPACED_LABELS = [
    ("", "# 广告 今天分享一款面霜", "# 广告"),
    ("", "#广 告 今天分享一款面霜", "#广 告"),
    ("", "# 广 告\n今天分享一款面霜", "# 广 告"),
    ("【广 告】新品面霜", "用了一周，皮肤很稳定", "【广 告】"),
    ("", "[ 广告 ] 用了一周，皮肤很稳定", "[ 广告 ]"),
    ("", "夏日清单 # 广 告合作", "# 广 告合作"),
    ("", "好用 #广 告[话题]#", "#广 告[话题]#"),  # the platform's topic form
    ("", "好用 #广 告# 真心推荐", "#广 告#"),  # the tag whole, with its closing "#"
    ("", "好用 #商业 合作[话题]#", "#商业 合作[话题]#"),
]
DECLARED += SPACED_LABELS
#: Notes that carry the words without declaring themselves ads: denials, negations, questions, talk about ads, and the
#: disclosure words that stand in honest notes.
NOT_DECLARED = [
    "不是广告，纯分享",
    "这不是#广告",
    "没有任何合作，自费买的",
    "无广 真心推荐",
    "非广告 #无广告纯分享[话题]#",
    "这篇是广告吗",
    "这篇是广告？",
    "是不是#广告 大家觉得呢",
    "is this #ad?",
    "讨厌不标#ad的博主",
    "讨厌不标 #ad 的博主",
    "那些 #ad 的博主最烦了",
    "我最讨厌那种#广告#了",  # a demonstrative between the word and the tag: still talk about the label
    "讨厌这种 #ad",
    "“#广告”这个标签怎么加",
    "this is not a paid partnership",
    "not sponsored by anyone, just love it",
    "the marathon was sponsored by nike",
    "广告合作请私信",
    "商务/广告合作 📮abc@qq.com",
    "本篇是广告公司的实习日记",
    "和品牌方合作试用了一周",
    "#一赞助力全世界的旅行青蛙[话题]#",
    "#adidas 新鞋",
    "没有广告合作",
    "这篇是广告吗\n纯好奇",
    # Cantonese denials and questions (唔係 = 不是, 冇 = 没有, 唔使 = 不用, 係咪 = 是不是, 咩 = 吗), as Hong Kong
    # writers type them, in traditional or simplified characters
    "呢篇唔係#廣告，純分享",
    "唔系 #广告[话题]# 嚟㗎",
    "冇 #廣告，自費買嘅",
    "唔使 #廣告 啦",
    "係咪 #廣告 嚟㗎",
    "係唔係 #廣告[話題]#",
    "算唔算#廣告[話題]#",
    "呢篇係 #廣告[話題]# 咩",
    "嗰啲 #ad 嘅博主好煩",
    # spaced: denied or talked about, a word that goes on, and the two characters alone (as 广告 alone is no label)
    "不是 # 广 告",
    "讨厌 # 广 告 的博主",
    "# 广告行业好难",
    "广 告 今天分享一款面霜",
    "这篇是 # 广 告 吗",
    "这不是 #广 告[话题]#",
]


@pytest.fixture(scope="module")
def shipped():
    return load_model()


@pytest.mark.parametrize(("title", "text", "words"), DECLARED)
def test_each_form_is_found_as_the_writer_sent_it(title, text, words):
    (span, *_) = declared_spans(title, text)
    assert span.text == words
    assert (title if span.field == "title" else text)[span.start : span.end] == words


@pytest.mark.parametrize(("title", "text", "words"), SPACED_LABELS)
def test_a_label_typed_with_spaces_is_found(title, text, words):
    assert [span.text for span in declared_spans(title, text)] == [words]


@pytest.mark.parametrize("text", NOT_DECLARED)
def test_denials_questions_and_talk_about_ads_declare_nothing(text):
    assert declared_spans("", text) == ()


@pytest.mark.parametrize(("title", "text", "words"), DECLARED)
def test_a_declared_note_is_decided_ad_and_says_so(shipped, title, text, words):
    note = {"title": title, "text": text}
    result = shipped.check(note)
    assert result.decision == "ad"
    # the probability is the model's own, untouched by the rule
    assert result.ad_probability == round(float(shipped.predict_proba([note])[0]), 6)
    assert result.declared is not None and result.declared.text == words
    first = result.reasons[0]
    assert (first.category, first.direction, first.label_zh) == ("disclosure", "ad", CATEGORIES["disclosure"][0])
    assert first.evidence[0] == result.declared
    for span in [result.declared, *(e for r in result.reasons for e in r.evidence), *result.highlights]:
        assert note[span.field][span.start : span.end] == span.text
    quoted = as_quoted(words)  # a platform tag as typed: “#广告”, not “#广告[话题]#”
    assert f"“{quoted}”" in result.advice["zh"] and f"“{quoted}”" in result.advice["en"]
    assert "申诉" in result.advice["zh"] and "appeal" in result.advice["en"]
    assert "⟦" not in json.dumps(result.to_dict(), ensure_ascii=False)


@pytest.mark.parametrize("text", NOT_DECLARED)
def test_an_undeclared_note_is_decided_by_its_probability(shipped, text):
    result = shipped.check(text)
    assert result.declared is None
    assert result.decision == shipped.decide(
        result.ad_probability, explained=any(h.weight > 0 for h in result.highlights)
    )


def test_the_two_notes_of_the_known_weakness_are_not_ads_by_probability(shipped):
    """What the rule changes: the model alone calls neither an ad (it learnt little from #ad; one may reach
    review, as the weights of a retrain run)."""
    for text in ("love this serum so much #ad", "这个面霜真的好用 #广告[话题]#"):
        p = float(shipped.predict_proba([text])[0])
        assert shipped.decide(p) != "ad"
        assert shipped.decide(p, declared=True) == "ad"


def test_to_dict_puts_the_declaration_after_the_thresholds(shipped):
    out = shipped.check("love this serum so much #ad").to_dict()
    assert list(out)[:5] == ["decision", "ad_probability", "threshold", "review_threshold", "declared"]
    assert out["declared"] == {"field": "text", "start": 24, "end": 27, "text": "#ad", "quoted": "#ad"}
    assert shipped.check("今天天气很好").to_dict()["declared"] is None


def test_score_decides_as_check_and_keeps_the_model_decision(shipped):
    texts = [t for _, t, _ in DECLARED if t] + NOT_DECLARED
    notes = [parse_note({"text": t}) for t in texts]
    scored = shipped.score(notes, top=3)
    checked = [shipped.check(t) for t in texts]
    assert scored.decisions == [c.decision for c in checked]
    assert scored.declared == [c.declared for c in checked]
    for i, c in enumerate(checked):
        if c.declared is not None:
            assert re.match(r"合作披露 sponsorship disclosure \(\+\d+\.\d\d\): “", scored.reasons[i][0])
            assert scored.reasons[i] == [r.text() for r in c.reasons if r.direction == "ad"][:3]  # check's reasons
            assert scored.model_decisions[i] == shipped.decide(c.ad_probability, explained=c.highlights != ())
        else:
            assert scored.model_decisions[i] == scored.decisions[i]


# -- the highlights ---------------------------------------------------------------------------------------------------
def _model_highlights(model, note):
    """The model's own highlights of ``note`` (before the rule), and its decision function."""
    parsed = parse_note(note)
    found = model.highlights(parsed, model.documents([parsed])[0], *model.transform([parsed]).row(0))
    return found, float(model.decision_function([parsed])[0])


def _threshold_log_odds(model):
    a, b, t = model.calibration["a"], model.calibration["b"], model.threshold
    return (math.log(t / (1 - t)) - b) / a


@pytest.mark.parametrize(("title", "text", "words"), DECLARED)
def test_the_declared_words_are_one_highlight_towards_ad(shipped, title, text, words):
    """A client showing only the highlights saw "#ad" leaning genuine (-0.08) in a note decided ad because of it, and
    "【广告】" as a highlight of "广告" alone; each declaration is now one disclosure highlight towards ad, nothing
    else overlaps it, and the highlights keep their invariants."""
    note = {"title": title, "text": text}
    result = shipped.check(note)
    spans = declared_spans(title, text)
    marks = [h for h in result.highlights if h.span in spans]
    assert [h.span for h in marks] == sorted(spans, key=lambda s: [h.span for h in result.highlights].index(s))
    assert all(h.category == "disclosure" and h.weight >= MIN_PHRASE_WEIGHT for h in marks)
    weights = [abs(h.weight) for h in result.highlights]
    assert weights == sorted(weights, reverse=True)
    for field in ("title", "text"):
        placed = sorted((h.start, h.end) for h in result.highlights if h.field == field)
        assert all(b <= c for (_, b), (c, _) in itertools.pairwise(placed))  # non-overlapping
    for h in result.highlights:
        assert note[h.field][h.start : h.end] == h.text
    disclosure = result.reasons[0]
    assert disclosure.weight == pytest.approx(sum(h.weight for h in result.highlights if h.category == "disclosure"
                                                  and h.weight > 0), abs=1e-3)  # fmt: skip


@pytest.mark.parametrize("text", ["love this serum so much #ad", "本篇是广告。#广告", "Sponsored by @nike — new shoes"])
def test_the_declarations_carry_the_note_to_the_threshold(shipped, text):
    """Below the threshold, the declarations weigh their words' own weight plus the log-odds the note lacks: the
    note's log-odds with them reach the threshold, as the rule decides. (The threshold is put at 0.999: where the
    shipped model scores these notes, above its threshold or not, is a retrain's business.)"""
    model = with_thresholds(shipped, 0.999)
    result = model.check(text)
    own, z = _model_highlights(model, {"text": text})
    assert z < _threshold_log_odds(model)  # the model alone does not call it an ad
    spans = declared_spans("", text)
    inside = sum(h.weight for h in own if any(d.start < h.end and h.start < d.end for d in spans))
    given = sum(h.weight for h in result.highlights if h.span in spans)
    assert given - inside == pytest.approx(_threshold_log_odds(model) - z, abs=1e-3)


def test_above_the_threshold_a_declaration_weighs_its_own_words():
    """Nothing to lift: "【广告】" weighs what the model's "广告" inside it weighed, now over the whole label. (The
    threshold is put at 0.001, so the note is above it whatever a retrain scores it.)"""
    shipped = with_thresholds(load_model(), 0.001)
    text = "【广告】今天试了这款面霜，真的好用，链接在主页"
    result = shipped.check(text)
    own, z = _model_highlights(shipped, {"text": text})
    assert z >= _threshold_log_odds(shipped)
    (mark,) = [h for h in result.highlights if h.text == "【广告】"]
    assert mark.weight == sum(h.weight for h in own if h.start < 4) > 0
    assert [h for h in result.highlights if h is not mark] == [h for h in own if h.start >= 4]  # the rest untouched


def test_an_undeclared_note_keeps_the_model_highlights(shipped):
    for text in NOT_DECLARED[:6]:
        assert list(shipped.check(text).highlights) == _model_highlights(shipped, {"text": text})[0]


H = Highlight
SPAN = Span("text", 4, 8, "#ad!")


@pytest.mark.parametrize(
    ("given", "lift", "expected"),
    [
        # a highlight inside: its weight is the declaration's own, the lift added
        ([H("text", 4, 7, "#ad", -0.5, "disclosure"), H("text", 0, 3, "abc", 0.3, "wording")], 2.0,
         [H("text", 4, 8, "#ad!", 1.5, "disclosure"), H("text", 0, 3, "abc", 0.3, "wording")]),
        # partly inside: the words outside keep their share by characters ("xy ", 3 of 6 characters; spaces trimmed)
        ([H("text", 1, 7, "xy #ad", 0.6, "wording")], 0.0,
         [H("text", 1, 3, "xy", 0.3, "wording"), H("text", 4, 8, "#ad!", 0.3, "disclosure")]),
        # ... not when they are no words, or too faint to show
        ([H("text", 2, 5, "- #", 0.9, "wording"), H("text", 7, 10, "!zz", 0.027, "wording")], 0.0,
         [H("text", 4, 8, "#ad!", 0.309, "disclosure")]),
        # never towards genuine, whatever the model weighed
        ([H("text", 4, 8, "#ad!", -1.0, "disclosure")], 0.0, [H("text", 4, 8, "#ad!", MIN_PHRASE_WEIGHT, "disclosure")]),
        # a declaration no highlight touched
        ([], 0.7, [H("text", 4, 8, "#ad!", 0.7, "disclosure")]),
    ],
)  # fmt: skip
def test_with_declared(given, lift, expected):
    assert with_declared(given, (SPAN,), lift) == expected


def test_with_declared_shares_the_lift_and_keeps_every_declaration_within_the_cap():
    spans = (Span("title", 0, 3, "#ad"), Span("text", 500, 503, "#ad"))
    many = [H("text", 2 * k, 2 * k + 1, "x", 1.0 + k / 1000, "wording") for k in range(MAX_HIGHLIGHTS)]
    out = with_declared(many, spans, 1.0)
    assert len(out) == MAX_HIGHLIGHTS and out[-2:] == [H("text", 500, 503, "#ad", 0.5, "disclosure"),
                                                        H("title", 0, 3, "#ad", 0.5, "disclosure")]  # fmt: skip
    highlights = [H("text", 0, 1, "x", 0.1, "wording")]
    assert with_declared(highlights, (), 3.0) is highlights  # nothing declared: the model's, as they are


# -- the CLI --------------------------------------------------------------------------------------------------------
def test_check_prints_the_declaration(capsys):
    assert main(["check", "love this serum so much #ad"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("decision: ad")
    assert "declared: the note declares itself an ad, “#ad” (text 24–27)" in out
    assert "【#ad】" in out  # marked as what decided, although the model weighs it towards genuine
    assert "合作披露 sponsorship disclosure: “#ad” (the declaration: decides)" in out


def test_check_json_has_the_field_in_the_api_order(capsys):
    assert main(["check", "--json", "这个面霜真的好用 #广告[话题]#"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["decision"] == "ad" and out["declared"]["text"] == "#广告[话题]#"
    assert list(out) == ["id", "decision", "ad_probability", "threshold", "review_threshold", "declared", "contact",
                         "highlights", "reasons", "advice", "comments", "model_version"]  # fmt: skip


# -- score's output files, evaluate, the review queue -----------------------------------------------------------------
ROWS = [
    {"id": "said", "text": "love this serum so much #ad"},
    {"id": "denied", "text": "不是广告，纯分享，用了一年的面霜"},
    {"id": "asked", "title": "这篇是广告吗", "text": "朋友问我的，其实是自己买的"},
]


def _input(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in ROWS), encoding="utf-8")
    return src


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_score_rows_carry_the_declaration(tmp_path, capsys, fmt):
    out = tmp_path / f"out.{fmt}"
    assert main(["score", str(_input(tmp_path)), "-o", str(out), "--jobs", "1", "--no-progress"]) == 0
    assert "1 of the ad decisions are notes that declare themselves ads" in capsys.readouterr().out
    if fmt == "jsonl":
        rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    elif fmt == "csv":
        with open(out, encoding="utf-8", newline="") as fh:
            rows = [{**r, "declared": json.loads(r["declared"]) if r["declared"] else None} for r in csv.DictReader(fh)]
    else:
        rows = pq.read_table(out).to_pylist()
    said, denied, asked = rows
    assert said["decision"] == "ad"
    assert said["declared"] == {"field": "text", "start": 24, "end": 27, "text": "#ad"}
    assert denied["declared"] is None and asked["declared"] is None
    assert denied["decision"] != "ad"


def test_resume_refuses_a_run_recorded_without_the_declared_column(tmp_path, monkeypatch):
    """Parts written before the column existed would not join with new ones."""
    from serve.batch import BatchConfig, run_batch

    src, out = _input(tmp_path), tmp_path / "out.jsonl"
    cfg = BatchConfig(inputs=[str(src)], output=out, jobs=1, chunk_size=1, progress=False)
    stop_after_first_chunk(monkeypatch, cfg)
    manifest = tmp_path / "out.jsonl.parts" / "_manifest.jsonl"
    first, *rest = manifest.read_text(encoding="utf-8").splitlines()
    old = json.loads(first)
    del old["fingerprint"]["columns"]  # as recorded by a notecheck before the rule
    manifest.write_text("\n".join([json.dumps(old), *rest]) + "\n", encoding="utf-8")
    from model.errors import InvalidParameterError

    with pytest.raises(InvalidParameterError, match="made with different columns"):
        run_batch(BatchConfig(inputs=[str(src)], output=out, jobs=1, chunk_size=1, progress=False, resume=True))


def test_evaluate_measures_the_model_and_counts_what_the_rule_decided(tmp_path, capsys):
    data = tmp_path / "labelled.jsonl"
    rows = [dict(r, label=1 if r["id"] == "said" else 0) for r in ROWS] + [
        {"id": "wrong", "text": "讨厌的面霜 #ad", "label": 0}  # a false trigger would show as labelled genuine
    ]
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    assert main(["evaluate", str(data), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["declared"]["n"] == 2
    assert (out["declared"]["labelled_ad"], out["declared"]["labelled_genuine"]) == (1, 1)
    assert out["declared"]["model_decisions"]["genuine"] >= 1
    # the figures are the model's own: "said" (0.036) is a missed ad, not one the rule caught
    assert out["confusion"]["tp"] == 0
    assert main(["evaluate", str(data)]) == 0
    text = capsys.readouterr().out
    assert "2 of 4 notes declare themselves ads" in text and "the figures below measure the model alone" in text


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_the_review_queue_carries_the_declaration(tmp_path, capsys, suffix):
    out = tmp_path / f"queue{suffix}"
    assert main(["review", str(_input(tmp_path)), "-n", "3", "-o", str(out), "--diversity", "0"]) == 0
    if suffix == ".jsonl":
        rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    else:
        with open(out, encoding="utf-8", newline="") as fh:
            rows = [{**r, "declared": json.loads(r["declared"]) if r["declared"] else None} for r in csv.DictReader(fh)]
    by_id = {r["id"]: r for r in rows}
    assert by_id["said"]["decision"] == "ad" and by_id["said"]["declared"]["text"] == "#ad"
    assert by_id["denied"]["declared"] is None


def test_the_counting_tool_needs_files():
    from training.declared_counts import main as counts

    with pytest.raises(SystemExit, match="2"):
        counts([])


def test_the_counting_tool_counts_declared_rows(tmp_path, capsys):
    from training.declared_counts import main as counts

    labelled = tmp_path / "labelled.jsonl"
    labelled.write_text(json.dumps({"text": "好用 #ad", "label": 1}) + "\n" + json.dumps({"text": "不是广告", "label": 0})
                        + "\n", encoding="utf-8")  # fmt: skip
    reviews = tmp_path / "reviews.jsonl"
    reviews.write_text(json.dumps({"text": "广告做得好，东西一般", "label": 1}) + "\n", encoding="utf-8")
    assert counts(["--ads", str(labelled), "--genuine", str(reviews)]) == 0
    out = capsys.readouterr().out
    assert "labelled.jsonl: genuine 0 of 1 declared (1 hold a word of one), ads 1 of 1 declared" in out
    assert "reviews.jsonl: genuine 0 of 1 declared (1 hold a word of one), ads 0 of 0" in out
    assert "all: genuine 0 of 2 declared" in out


# -- many labels in one text: the rules' answers, each part found once -----------------------------------------------
#: The rule _After reads in parts, as one pattern matched after each label (what model.declared did before).
_AFTER = re.compile(r"\s*[的嘅]|[^,.。!;\n?]*?(?:\?|(?:吗|嘛|咩|(?<![什怎这那多])么)(?=\s*(?:$|[,.。!;~\n])))")


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="#ad 的嘅吗么什?？,.。!;~\n x好", max_size=30), st.data())
def test_what_follows_a_label_is_read_as_the_after_pattern_reads_it(text, data):
    """_After finds where clauses end and where particles stand once per text; its answer after any position is
    _AFTER's, which read to the end of the clause after every label (the square of a clause of labels)."""
    from model.declared import _After

    after = _After(text)
    for b in data.draw(st.lists(st.integers(0, len(text)), max_size=5)):
        assert after.follows(b) == (_AFTER.match(text, b) is not None)


@pytest.mark.parametrize(
    "text", ["#ad " * 2500, "【广告】无广" * 1600, "#广告 这是广告吗 #ad 的博主 #广告", "无广，#广告，不是广告 #ad"]
)
def test_many_labels_are_declared_as_one_at_a_time_declares_them(monkeypatch, text):
    """Claims found by bisection and clauses read once give the spans a label-by-label reading gives."""
    import model.declared as declared

    fast = declared_spans("", text)

    def one_at_a_time(norm, a, b, claims, after):
        if any(x < b and a < y for x, y in (claims.span(i) for i in claims.within(0, len(norm)))):
            return False
        before = norm[max(0, a - declared._BEFORE_CHARS) : a]
        if declared._BEFORE.search(before[before.rfind("\n") + 1 :]):
            return False
        return _AFTER.match(norm, b) is None

    monkeypatch.setattr(declared, "_applies", one_at_a_time)
    assert declared_spans("", text) == fast


@pytest.mark.parametrize(
    "text",
    [
        # a second walkthrough's honest notes decided ad whatever their probability
        "如果这篇是广告，我就把名字倒过来写。护手霜是我妈从超市买的。",  # a condition
        "总有人说我这篇是广告，拜托，面霜是我自己花钱在专柜买的好吗",  # someone else's words
        "#广告 #ad 这两个标签我从来没用过，因为我没接过合作。",  # the labels talked about
        "#广告[话题]# #ad[话题]# 这两个标签我不用",
    ],
)
def test_a_condition_reported_words_or_talk_about_labels_declare_nothing(text):
    assert declared_spans("", text) == ()


@pytest.mark.parametrize(
    "text", ["本篇是广告，感谢品牌方", "#广告[话题]# #好物分享[话题]#", "#广告 今天试了新面霜，标签都加上了"]
)
def test_a_label_applied_still_declares(text):
    assert declared_spans("", text) != ()
