"""Comment cues of the sentiment model: polarity markers with negation, request clauses, no-opinion comments,
Naive-Bayes weighting folded into the coefficients, and the three-class development-set metrics."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression

from model.comments.lexicon import _MARKERS, REQUEST_MARKER, comment_document
from model.comments.metrics import three_class_metrics
from model.comments.sentiment import mark_emoticons
from training.sentiment import _fit_nb, comment_lexicon_rows, nb_ratios


def doc(text: str) -> tuple[str, bool]:
    return comment_document(mark_emoticons(text))


@pytest.mark.parametrize(
    ("text", "markers", "opinion"),
    [
        ("不好用", ["[lxv]"], True),
        ("没踩雷，闭眼入", ["[lxz]", "[lxp]"], True),
        ("yyds", ["[lxp]"], True),
        ("绝绝子[赞R]", ["[lxp]", "[lxp]"], True),
        ("智商税", ["[lxn]"], True),
        ("看完更焦虑了[哭惹R]", ["[lxn]", "[lxn]"], True),
        ("不太行", ["[lxn]"], True),
        ("差点就买了", [], True),  # 差点 = almost, not 差 = bad
        ("好用吗", ["[lxq]"], False),
        ("求链接", ["[lxq]"], False),
        ("多少钱呀姐妹", ["[lxq]"], False),
        ("蹲一个后续", ["[lxq]"], False),
        ("几月份去比较好", ["[lxq]"], False),
        ("鸡翅中还是鸡翅根", ["[lxq]"], False),
        ("怎么这么好吃", ["[lxp]"], True),  # an exclamation, not a question
        ("回购好几次了", ["[lxp]"], True),  # 好几 counts, it does not ask
        ("排队一小时，喝完就这？", [], True),  # a rhetorical question keeps its opinion
        ("蹲[doge]", ["[lxq]"], False),  # a standalone word beside an emoji code
        ("蹲[推荐]", ["[lxp]"], True),  # a word in brackets is a word: 蹲 no longer stands alone
    ],
)
def test_comment_markers(text: str, markers: list[str], opinion: bool) -> None:
    rewritten, has_opinion = doc(text)
    found = [t for t in rewritten.split() if t.startswith("[lx")]
    assert found == markers
    assert has_opinion is opinion


def test_markers_share_no_character_ngram_but_their_prefix() -> None:
    """The char 1-3-gram features must tell the cues apart: a negated cue sharing n-grams with the plain one would
    inherit its weights (没踩雷 read as negative)."""

    def grams(marker: str) -> set[str]:
        token = f"⟦emo:{marker.strip('[]')}⟧"
        return {token[i : i + n] for n in (1, 2, 3) for i in range(len(token) - n + 1)}

    markers = [*_MARKERS.values(), REQUEST_MARKER]
    common = set.intersection(*(grams(m) for m in markers))
    for i, a in enumerate(markers):
        for b in markers[i + 1 :]:
            assert grams(a) & grams(b) == common, (a, b)


@pytest.mark.parametrize(
    ("text", "negated", "marker"),
    [
        ("没踩雷", "踩雷", "[lxz]"),
        ("没有踩雷", "踩雷", "[lxz]"),
        ("不踩雷", "踩雷", "[lxz]"),
        ("不难吃", "难吃", "[lxz]"),
        ("一点都不难吃", "难吃", "[lxz]"),
        ("没翻车", "翻车", "[lxz]"),
        ("不后悔", "后悔", "[lxz]"),
        ("不会后悔", "后悔", "[lxz]"),
        ("不好用", "好用", "[lxv]"),
        ("不太好用", "好用", "[lxv]"),
        ("没那么好吃", "好吃", "[lxv]"),
        ("不怎么好用", "好用", "[lxv]"),  # 不怎么 = not very, not a question
    ],
)
def test_negation_scope_replaces_the_negated_word(text: str, negated: str, marker: str) -> None:
    """The negator and the word it negates become one negated cue: the word's own characters leave the document,
    so its n-grams (踩雷 is strongly negative) cannot outweigh the negation."""
    rewritten, has_opinion = doc(text)
    assert rewritten.split() == [marker]
    assert negated not in rewritten and has_opinion


@pytest.mark.parametrize(
    ("text", "marker", "rest"),
    [
        ("不是不好吃", "[lxp]", ""),  # it is good: read as 不好吃 it was 0.006 positive
        ("也不是不好用", "[lxp]", ""),
        ("没有不喜欢的", "[lxp]", "的"),
        ("不能说不好看吧", "[lxp]", "吧"),
        ("不是不太好吃", "[lxp]", ""),  # a degree word between the inner negator and the word
        ("不是不难吃", "[lxn]", ""),  # a double negative of a bad word is the bad word
        ("我不是不喜欢", "[lxp]", "我"),
        ("不不好吃", "[lxv]", "不"),  # a repeated 不 is emphasis, not a second negation
        ("不是很好吃", "[lxv]", ""),  # one negation with a degree word
        ("要不是不好用", "[lxv]", "要不是"),  # a condition ("were it not bad"), not a double negation
        ("若不是不好用", "[lxv]", "若不是"),
    ],
)
def test_a_second_negation_cancels_the_first(text: str, marker: str, rest: str) -> None:
    """不是不好吃 / 没有不喜欢的: the negator right before a word is itself negated, and the span is the word's plain
    cue; its own characters leave the document as a negated word's do (不好吃's n-grams are strongly negative)."""
    rewritten, has_opinion = doc(text)
    assert [t for t in rewritten.split() if t.startswith("[lx")] == [marker]
    assert "".join(t for t in rewritten.split() if not t.startswith("[lx")) == rest and has_opinion


@pytest.mark.parametrize("text", ["没毛病", "用了三个月没什么毛病", "挑不出毛病", "做工无可挑剔"])
def test_no_fault_to_find_is_praise(text: str) -> None:
    rewritten, _ = doc(text)
    assert [t for t in rewritten.split() if t.startswith("[lx")] == ["[lxp]"]


@pytest.mark.parametrize(
    ("text", "kept", "markers"),
    [
        ("没踩雷，闭眼入", "闭眼入", ["[lxz]", "[lxp]"]),
        ("不错不难吃", "不错", ["[lxz]", "[lxp]"]),  # 不错 is a word, not 不 + 错
        ("别太好看了", "别太好看了", ["[lxp]"]),  # 别太 / 不要太 intensify
        ("不要太好吃", "不要太好吃", ["[lxp]"]),
        ("好吃到不行", "好吃到不行", ["[lxp]"]),  # 到不行 = very
        ("不推荐", "不推荐", ["[lxn]"]),  # a lexicon word that holds its own negation
        ("别买", "别买", ["[lxn]"]),
        ("态度特别差", "特别差", ["[lxn]"]),  # 特别 = very; its 别 is no negator
        ("特别难吃", "特别难吃", ["[lxn]"]),
    ],
)
def test_words_outside_a_negation_stay(text: str, kept: str, markers: list[str]) -> None:
    rewritten, _ = doc(text)
    assert kept in rewritten
    assert sorted(t for t in rewritten.split() if t.startswith("[lx")) == sorted(markers)


@pytest.mark.parametrize(
    ("text", "negated", "marker"),
    [
        ("不觉得这个口红好看", "好看", "[lxv]"),  # a negator a few characters before the word
        ("没觉得有多好吃", "好吃", "[lxv]"),
        ("不会再回购了", "回购", "[lxv]"),
        ("没有以前好吃了", "好吃", "[lxv]"),
        ("感觉没有外婆家卷饼好吃", "好吃", "[lxv]"),
        ("远没有广告说的好", "好", "[lxv]"),  # a negated comparison: its standard (广告) is no cue
        ("没有想象中那么好用", "好用", "[lxv]"),
        ("远远没有图片上好看", "好看", "[lxv]"),
        ("不如想象中好用", "好用", "[lxv]"),
        ("效果没有宣传的那么好", "好", "[lxv]"),
        ("没有想象中好，水水的没感觉", "好", "[lxv]"),
    ],
)
def test_negation_reaches_a_word_further_on_in_its_clause(text: str, negated: str, marker: str) -> None:
    rewritten, has_opinion = doc(text)
    assert [t for t in rewritten.split() if t.startswith("[lx")] == [marker]
    assert negated not in rewritten.split(",")[0] and has_opinion


@pytest.mark.parametrize(
    ("text", "markers"),
    [
        ("没想到这么好吃", ["[lxp]"]),  # phrases that negate nothing after them
        ("不知道为什么这么好用", ["[lxp]"]),
        ("不得不说真的好用", ["[lxp]"]),
        ("不少惊喜", ["[lxp]"]),
        ("没吃过这么好吃的", ["[lxp]"]),  # 过: an experience, here the best ever
        ("不贵还好用", ["[lxp]"]),  # a conjunction starts a new statement
        ("没有香味很清爽", ["[lxp]"]),  # an intensifier starts a new predicate
        ("不能吃太多，不是一般的好吃", ["[lxp]"]),  # a bare 不 negates its own verb
        ("我用了一个月真的不泛油了[赞R]", ["[lxp]"]),  # 了 ends the predicate; an emoji code is no negated word
        ("没有踩雷真的好用", ["[lxz]", "[lxp]"]),  # a negator negates one word
        ("不难吃但也没多惊艳", ["[lxz]", "[lxv]"]),
        ("别人都说好用", ["[lxp]"]),  # 别 and 无 only negate the word right after them
        ("无比好用", ["[lxp]"]),
        ("没有之一", []),
    ],
)
def test_negation_scope_ends_where_the_statement_does(text: str, markers: list[str]) -> None:
    rewritten, _ = doc(text)
    assert [t for t in rewritten.split() if t.startswith("[lx")] == markers


@pytest.mark.parametrize("text", ["用了一个月没什么效果", "没有什么惊喜", "不怎么好用"])
def test_a_negated_question_word_asks_nothing(text: str) -> None:
    """没什么 (hardly any) and 不怎么 (not very) are negations: the comment states an opinion."""
    rewritten, has_opinion = doc(text)
    assert has_opinion and "[lxq]" not in rewritten


@pytest.mark.parametrize(
    ("text", "markers", "opinion"),
    [
        ("冲", ["[lxp]"], True),
        ("冲！已下单", ["[lxp]", "[lxp]"], True),
        ("性价比超高，冲", ["[lxp]"], True),
        ("冲冲[赞R]", ["[lxp]", "[lxp]"], True),
        ("味道好冲", [], True),  # pungent, not "go for it"
        ("冲动消费", [], True),
        ("蹲", ["[lxq]"], False),
        ("蹲蹲", ["[lxq]"], False),
        ("深蹲很有用", ["[lxp]"], True),  # a squat, not a request
        ("yyds", ["[lxp]"], True),
        ("踩坑了", ["[lxn]"], True),
        ("一言难尽", ["[lxn]"], True),
        ("入股不亏", ["[lxp]"], True),
    ],
)
def test_slang_cues(text: str, markers: list[str], opinion: bool) -> None:
    """Standalone slang (冲, 蹲) counts only as a whole clause; slang lexicon words carry their polarity."""
    rewritten, has_opinion = doc(text)
    assert [t for t in rewritten.split() if t.startswith("[lx")] == markers
    assert has_opinion is opinion


def test_nb_weighting_is_folded_into_a_plain_linear_model() -> None:
    rng = np.random.default_rng(0)
    X = csr_matrix(rng.random((60, 8)) * (rng.random((60, 8)) < 0.4))
    y = (np.asarray(X[:, 0].todense()).ravel() > 0.1).astype(int)
    w = np.ones(60)
    folded = _fit_nb(LogisticRegression(C=1.0), X, y, w, nb=True)
    r = nb_ratios(X, y)
    scaled = LogisticRegression(C=1.0).fit(X.multiply(r).tocsr(), y)
    np.testing.assert_allclose(folded.decision_function(X), scaled.decision_function(X.multiply(r).tocsr()))
    assert r[0] > 0  # the feature that decides y leans positive


def test_three_class_metrics_per_class_and_positive_share_error() -> None:
    truth = ["positive", "negative", "neutral", "positive", "positive", "neutral"]
    pred = ["positive", "positive", "neutral", "positive", "neutral", "negative"]
    notes = ["a", "a", "a", "b", "b", "b"]
    m = three_class_metrics(truth, pred, notes)
    assert m["accuracy_per_class"] == {"positive": pytest.approx(2 / 3, abs=1e-4), "neutral": 0.5, "negative": 0.0}
    # note a: truth 1/2, predicted 2/2 -> 0.5; note b: truth 2/2, predicted 1/2 -> 0.5
    assert m["positive_share_error"] == pytest.approx(0.5)
    assert m["n"] == 6 and m["notes"] == 2


def test_comment_lexicon_rows_teach_each_cue_and_its_negation() -> None:
    """Every row is one cue: a plain word keeps its polarity, the word negated with 不 becomes the negated marker
    with the opposite label (the labelling guide: 不好用 negative, 没踩雷 positive)."""
    rows, info = comment_lexicon_rows(0.5)
    assert info["rows"] == len(rows) > 0 and info["path"].endswith("comment_sentiment_lexicon.json")
    expected = {"[lxp]": 1, "[lxn]": 0, "[lxv]": 0, "[lxz]": 1}
    seen = set()
    for row in rows:
        rewritten, opinion = doc(row.note.text)
        cues = [t for t in rewritten.split() if t.startswith("[lx")]
        assert opinion and len(cues) == 1, row.note.text
        assert expected[cues[0]] == row.label and row.weight == 0.5, row.note.text
        seen.add(cues[0])
    assert seen == set(expected)
    assert comment_lexicon_rows(0.0) == ([], {})
