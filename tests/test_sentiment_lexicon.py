"""Comment cues of the sentiment model: polarity markers with negation, request clauses, no-opinion comments,
Naive-Bayes weighting folded into the coefficients, and the three-class development-set metrics."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression

from model.comments.lexicon import comment_document
from model.comments.metrics import three_class_metrics
from model.comments.sentiment import mark_emoticons
from training.sentiment import _fit_nb, nb_ratios


def doc(text: str) -> tuple[str, bool]:
    return comment_document(mark_emoticons(text))


@pytest.mark.parametrize(
    ("text", "markers", "opinion"),
    [
        ("不好用", ["[lxnp]"], True),
        ("没踩雷，闭眼入", ["[lxnn]", "[lxp]"], True),
        ("yyds", ["[lxp]"], True),
        ("绝绝子[赞R]", ["[lxp]", "[lxp]"], True),
        ("智商税", ["[lxn]"], True),
        ("看完更焦虑了[哭惹R]", ["[lxn]", "[lxn]"], True),
        ("不太行", [], True),
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
    ],
)
def test_comment_markers(text: str, markers: list[str], opinion: bool) -> None:
    rewritten, has_opinion = doc(text)
    found = [t for t in rewritten.split() if t.startswith("[lx")]
    assert found == markers
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
