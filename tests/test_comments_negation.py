"""Negation-aware keyword sets: a negated purchase-intent hit does not count, a negated ad-suspicion hit counts only
in a question or doubt, brand sets count every mention; and the command, the scorer and the keyword file agree."""

import json
import re

import pytest
from conftest import SAMPLES
from hypothesis import given, settings
from hypothesis import strategies as st

from model.comments import (
    NEGATION_MODES,
    CommentScorer,
    KeywordMatcher,
    default_keyword_excludes,
    default_keyword_negation,
    default_keyword_sets,
    load_sentiment_model,
    read_keyword_config,
    read_keyword_file,
)
from model.comments.matcher import _Holders
from model.comments.negation import strip_trailing
from model.emoji_codes import EMOJI_CODE_RE
from model.errors import InvalidParameterError
from serve.cli import main

PI, AD = "purchase_intent", "ad_suspicion"

#: Negated hits: (text, set, keyword the negation-blind matcher finds). None of them counts now.
NEGATED = [
    ("不会再回购了", PI, "回购"),
    ("再也不回购", PI, "回购"),
    ("空瓶了，不回购", PI, "回购"),
    ("不會再回購", PI, "回购"),  # traditional script
    ("不会入手了", PI, "入手了"),
    ("不打算种草了", PI, "种草了"),
    ("没被种草", PI, "被种草"),
    ("没有被种草", PI, "被种草"),
    ("不是很想买", PI, "想买"),
    ("不是特别想买", PI, "想买"),  # 特别 is a degree word here, not the negator 别
    ("不想入", PI, "想入"),
    ("劝退了，不冲了", PI, "冲了"),
    ("别冲了姐妹们", PI, "冲了"),
    ("不会再考虑回购", PI, "回购"),
    ("不是广告！自费买的", AD, "广告"),
    ("真不是恰饭，自费买的", AD, "恰饭"),
    ("不是在打广告", AD, "广告"),  # 广告 inside the negated 打广告 shares its negation
    ("一点也不像广告", AD, "广告"),
    ("博主从不接广", AD, "接广"),
    ("这篇没有软广的感觉", AD, "软广"),
    ("不是托，我也买了", AD, "托"),
    ("不可能是营销号", AD, "营销号"),
    ("我觉得不会是广告", AD, "广告"),  # no question: the reader vouches
    ("不是广告哈", AD, "广告"),  # a trailing 哈 asks nothing
    ("我不觉得这是软广", AD, "软广"),  # opinion verbs reach past other words, as in the sentiment lexicon
    ("不认为博主在恰饭", AD, "恰饭"),
]

#: Hits that count: positive forms, the lexicon's non-negating phrases, questions and doubts about an ad.
COUNTED = [
    ("回购第三瓶了", PI, "回购"),
    ("无限回购", PI, "回购"),
    ("种草了", PI, "种草了"),
    ("特别想买", PI, "想买"),
    ("不得不说，种草了", PI, "种草了"),
    ("不得不回购", PI, "回购"),  # 不得不 negates nothing
    ("没想到这么好用，想买", PI, "想买"),
    ("不知道多少钱", PI, "多少钱"),  # 不知道 negates nothing: still asks the price
    ("有没有人知道哪里买", PI, "哪里买"),  # A-not-A asks
    ("没看懂哪里买", PI, "哪里买"),  # 没 negates 看懂; its scope does not reach the question
    ("还没买，想买", PI, "想买"),  # the negation is in another clause
    ("想买但是买不起", PI, "想买"),
    ("不贵，已下单", PI, "已下单"),
    ("不是广告吧", AD, "广告"),
    ("应该不是托吧", AD, "托"),
    ("不是恰饭？", AD, "恰饭"),
    ("难道不是软广吗", AD, "软广"),
    ("该不会是广告", AD, "广告"),
    ("你这不会又是广告吧[捂脸R]", AD, "广告"),  # the particle before a trailing emoji code
    ("不是托，对吧", AD, "托"),  # a tag question after the clause
    ("会不会是广告", AD, "广告"),
    ("是不是广告", AD, "广告"),
    ("这是不是恰饭啊", AD, "恰饭"),
    ("没想到是广告", AD, "广告"),  # 没想到 negates nothing
    ("怕不是恰饭", AD, "恰饭"),  # 怕不是 asserts
    ("这不就是广告", AD, "广告"),
    ("又是广告，取关了", AD, "广告"),
    ("不会再被这种广告骗了", AD, "广告"),  # 不会再 reaches keywords across bridge words only
    ("不觉得这个是广告吗", AD, "广告"),  # a negated doubt
    ("不觉得贵，想买", PI, "想买"),  # the opinion verb's scope ends with its clause
    # sarcasm says the opposite of its negation, as a doubt does: "it would be odd if this were not an ad"
    ("不是广告才怪", AD, "广告"),
    ("这要不是恰饭就怪了", AD, "恰饭"),
    ("说不是广告谁信啊", AD, "广告"),
    ("要说不是软广我不信", AD, "软广"),
    ("不是托，鬼才信", AD, "托"),  # a scoff after the clause, as a tag question
]


@pytest.fixture(scope="module")
def matcher():
    return KeywordMatcher(
        default_keyword_sets(), exclude=default_keyword_excludes(), negation=default_keyword_negation()
    )


@pytest.fixture(scope="module")
def blind():
    """The shipped sets matched without reading negation (as before negation modes existed)."""
    return KeywordMatcher(default_keyword_sets(), exclude=default_keyword_excludes())


@pytest.mark.parametrize(("text", "set_name", "keyword"), NEGATED)
def test_a_negated_hit_does_not_count(matcher, blind, text, set_name, keyword):
    assert keyword in blind.match(text)[set_name]  # the keyword is there ...
    assert matcher.match(text)[set_name] == []  # ... and negated


@pytest.mark.parametrize(("text", "set_name", "keyword"), COUNTED)
def test_positive_forms_exceptions_and_doubts_still_count(matcher, blind, text, set_name, keyword):
    assert keyword in matcher.match(text)[set_name]
    assert matcher.match(text) == blind.match(text)


def test_the_shipped_modes():
    assert default_keyword_negation() == {PI: "cancel", AD: "cancel_unless_question"}


def test_match_many_equals_match(matcher):
    texts = [t for t, _, _ in NEGATED + COUNTED]
    assert matcher.match_many(texts) == [matcher.match(t) for t in texts]


def test_a_later_unnegated_hit_of_the_same_keyword_counts(matcher):
    assert matcher.match("上次说不会再回购，结果还是回购了")[PI] == ["回购"]


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("ignore", [["兰若"], ["兰若"], ["兰若"]]),
        ("cancel", [[], [], ["兰若"]]),
        ("cancel_unless_question", [[], ["兰若"], ["兰若"]]),
    ],
)
def test_each_mode_on_a_brand_set(mode, expected):
    m = KeywordMatcher({"brand": ["兰若"]}, negation={"brand": mode})
    assert [m.match(t)["brand"] for t in ["不是兰若", "不是兰若吧", "兰若好用"]] == expected


def test_sets_without_a_mode_count_every_mention():
    """A brand set is about mentions: 没用过兰若 still talks about the product."""
    m = KeywordMatcher({"brand": ["兰若"], PI: ["回购"]}, negation={PI: "cancel"})
    assert m.match("没用过兰若，不会回购") == {"brand": ["兰若"], PI: []}


@pytest.mark.parametrize(
    ("negation", "message"),
    [
        ({"brand": "drop"}, r"'negation\['brand'\]' must be one of \['ignore', 'cancel', 'cancel_unless_question'\]"),
        ({"brand": None}, r"Got null\.$"),
        ({"other": "cancel"}, "'negation' names keyword sets that do not exist: \\['other'\\]"),
        (["cancel"], "'negation' must be a mapping"),
    ],
)
def test_bad_negation_modes_are_clear_errors(negation, message):
    with pytest.raises(InvalidParameterError, match=message):
        KeywordMatcher({"brand": ["兰若"]}, negation=negation)


def test_keyword_file_negation(tmp_path):
    path = tmp_path / "kw.json"
    path.write_text(
        json.dumps({"brand": {"keywords": ["兰若"], "negation": "cancel"}, "other": ["雪岚"]}), encoding="utf-8"
    )
    config = read_keyword_config(path)
    assert config.negation == {"brand": "cancel"} and config.sets == {"brand": ["兰若"], "other": ["雪岚"]}
    assert read_keyword_file(path) == (config.sets, config.exclude)  # the two-part form is unchanged
    assert read_keyword_config(SAMPLES / "keywords.json").negation == {}
    path.write_text(json.dumps({"brand": {"keywords": ["兰若"], "negation": "yes"}}), encoding="utf-8")
    with pytest.raises(InvalidParameterError, match=r"kw.json: 'negation\['brand'\]' must be one of"):
        read_keyword_config(path)
    assert set(NEGATION_MODES) == {"ignore", "cancel", "cancel_unless_question"}


# -- scorer and command: the figures a brand reads ------------------------------------------------------------------

#: The comments the negation bug miscounted: one real purchase intent and one real ad suspicion among them.
REGRESSION = [
    "不会再回购了",
    "没买",
    "不想买",
    "不会入",
    "不打算种草了",
    "不是广告吧",
    "不是广告，自费的",
    "已下单，坐等收货",
]


def test_regression_keyword_ratio(sample_sentiment_dir):
    scorer = CommentScorer(sentiment=load_sentiment_model(sample_sentiment_dir))
    d = scorer.score(REGRESSION).to_dict()
    assert d["matched_comments"] == {PI: [7], AD: [5]}
    assert d["keyword_ratio"] == {PI: pytest.approx(1 / 8), AD: pytest.approx(1 / 8)}
    assert d["keyword_hits"] == {PI: {"已下单": 1}, AD: {"广告": 1}}


def test_negation_changes_keyword_figures_only(sample_sentiment_dir):
    """Sentiment reads the comment as before: labels and probabilities do not depend on the keyword sets' modes."""
    sentiment = load_sentiment_model(sample_sentiment_dir)
    sets, exclude, _ = read_keyword_config("model/resources/comment_keywords.json")
    aware = CommentScorer(sentiment=sentiment).score(REGRESSION).to_dict()
    old = CommentScorer(sentiment=sentiment, keyword_sets=sets, keyword_exclude=exclude).score(REGRESSION).to_dict()
    assert old["matched_comments"][PI] == [0, 4, 7]  # 不会再回购了 and 不打算种草了 counted before
    assert old["matched_comments"][AD] == [5, 6]  # and so did 不是广告，自费的
    assert [(c["label"], c["positive_probability"]) for c in aware["comments"]] == [
        (c["label"], c["positive_probability"]) for c in old["comments"]
    ]


def test_request_keywords_follow_their_sets_mode(sample_sentiment_dir):
    scorer = CommentScorer(sentiment=load_sentiment_model(sample_sentiment_dir))
    d = scorer.score(["不想要同款", "想要同款"], {PI: ["想要同款"], "brand": ["同款"]}).to_dict()
    assert d["matched_comments"][PI] == [1] and d["matched_comments"]["brand"] == [0, 1]


def test_comments_command_reads_negation(tmp_path, capsys, sample_sentiment_dir):
    path = tmp_path / "notes.jsonl"
    path.write_text(json.dumps({"id": "n", "comments": REGRESSION}, ensure_ascii=False) + "\n", encoding="utf-8")
    kw = tmp_path / "kw.json"
    kw.write_text(json.dumps({"brand": {"keywords": ["广告"], "negation": "cancel"}}), encoding="utf-8")
    args = ["comments", str(path), "--model", str(sample_sentiment_dir), "--no-ad", "--json"]
    assert main([*args, "--keywords", str(kw)]) == 0
    note = json.loads(capsys.readouterr().out)["notes"][0]
    assert note["matched_comments"] == {PI: [7], AD: [5], "brand": []}
    assert note["keyword_ratio"][PI] == pytest.approx(1 / 8)


def test_phrase_cover_agrees_with_the_lexicon():
    """The keyword scope finds non-negating phrases with one regex; the lexicon loops over them. Same answers."""
    import random

    from model.comments import negation
    from model.comments.lexicon import NOT_NEGATORS, _inside

    phrases = negation._KEYWORD_NON_NEGATING
    rng = random.Random(3)
    alphabet = "".join(sorted({c for p in phrases + NOT_NEGATORS for c in p})) + "买广告"
    for _ in range(300):
        text = "".join(rng.choices(alphabet, k=rng.randint(1, 12)))
        for pos in range(len(text)):
            assert negation._NON_NEGATING_PHRASES.cover(text, pos) == _inside(text, pos, phrases)
            assert negation._NOT_NEGATOR_PHRASES.cover(text, pos) == _inside(text, pos, NOT_NEGATORS)


# -- cost on long comments: the answers of the plain rules, without their square ---------------------------------
#: The rule strip_trailing follows, written as the anchored regex it replaced.
_TRAILING_REFERENCE = re.compile(rf"(?:{EMOJI_CODE_RE.pattern}|[\s啊呀哈哦啦嘿呵吖捏]|\.\.\.)+$", re.IGNORECASE)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="啊哈捏吧吗 \n\t.。[]rRh笑哭赞哈x颜:lxp", max_size=24))
def test_strip_trailing_is_the_anchored_regex(clause):
    assert strip_trailing(clause) == _TRAILING_REFERENCE.sub("", clause)


@pytest.mark.parametrize(
    "clause", ["是广告吧[哈哈R]", "是托吗...啊啊", "不是广告 [doge] [笑哭r]", "吧]", "[哈哈r", "x....."]
)
def test_strip_trailing_examples(clause):
    assert strip_trailing(clause) == _TRAILING_REFERENCE.sub("", clause)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(1, 6)), max_size=25))
def test_heads_are_the_smallest_start_of_the_hits_holding_each(pairs):
    found = sorted(((s, s + n - 1, ()) for s, n in pairs), key=lambda h: h[1])  # the automaton's order: by end
    expected = [min(s for s, e, _ in found if s <= start and end <= e) for start, end, _ in found]
    holders = _Holders((s, e) for s, e, _ in found)
    assert [holders.first_start(start, end) for start, end, _ in found] == expected
    # and an exclusion holds a hit exactly when some span holds it
    for start, end, _ in found:
        held = any(s <= start and end <= e for s, e, _ in found if (s, e) != (start, end))
        others = _Holders((s, e) for s, e, _ in found if (s, e) != (start, end))
        assert (others.first_start(start, end) is not None) == held


@pytest.mark.parametrize(
    "text",
    ["不是广告" * 1250, "不是打广告，" * 800, "啊" * 4990 + "不是广告吧", "不是广告吧？" * 700, "不会再回购" * 1000],
)
def test_a_long_comment_reads_each_clause_once(monkeypatch, matcher, text):
    """A comment of the API's longest (5,000 characters) with a hit every few characters: whether a clause asks is
    read once per clause, not once per hit (which cost 0.4 s of CPU a comment), and the hits are those the
    per-hit reading finds."""
    import model.comments.negation as negation

    calls = []
    asks = negation._asks
    monkeypatch.setattr(negation, "_asks", lambda t, a, b: calls.append((a, b)) or asks(t, a, b))
    found = matcher.match(text)
    assert len(calls) == len(set(calls)) and (calls or "广告" not in text)
    # read per hit, searching for the clause each time: the same hits count
    monkeypatch.setattr(negation.Clauses, "is_question", lambda self, s, e: negation.is_question(self.text, s, e))
    assert matcher.match(text) == found


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="是不广告吧吗？?，。.…\n啊x", max_size=40), st.data())
def test_clauses_find_the_clause_bounds_of_every_hit(text, data):
    from model.comments.negation import Clauses, _clause_bounds, is_question

    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    assert Clauses(text).is_question(start, end) == is_question(text, start, end)
    marks = Clauses(text)._marks
    assert [i for i, c in enumerate(text) if _clause_bounds(text, i, i)[1] == i] == marks


def test_a_keyword_counts_at_a_later_hit_after_one_an_exclusion_cancels():
    """A keyword's later hits are skipped only once every set has counted it: a first hit cancelled by an
    exclusion (托 in 拜托) or a negation leaves the later ones to count."""
    m = KeywordMatcher(
        {"shill": ["托"], "intent": ["想买", "托"]}, exclude={"shill": ["拜托"]}, negation={"intent": "cancel"}
    )
    assert m.match("拜托，这个是托吧") == {"shill": ["托"], "intent": ["托"]}
    assert m.match("拜托，不想买") == {"shill": [], "intent": ["托"]}
    assert m.match("不想买，拜托，还是想买") == {"shill": [], "intent": ["托", "想买"]}


def test_nested_keywords_of_many_sets_count_once_each_in_order():
    sets = {f"s{j}": ["好" * k for k in range(1, 65)] for j in range(4)}
    found = KeywordMatcher(sets).match("好" * 50)
    assert found == {f"s{j}": ["好" * k for k in range(1, 51)] for j in range(4)}
