import numpy as np
import pytest
from conftest import SAMPLES

from model import InvalidParameterError, parse_note
from model.classifier import AdModel
from training.config import load_config
from training.data import Example
from training.fit import threshold_at_fpr
from training.notebook_helpers import (
    DataSplits,
    check_split_matches_card,
    class_balance,
    creator_inputs,
    creator_table,
    dataset_summary,
    keyword_counts,
    load_splits,
    markdown_table,
    misclassified,
    note_comment_table,
    plot_creator_shares,
    plot_threshold_tradeoff,
    rank_creators,
    report_plots,
    score_examples,
    split_balance,
    threshold_tradeoff,
    top_terms,
)
from training.notebook_helpers import comments as notebook_comments


def _ex(text: str, label: int, source: str, dataset: str = "d", role: str = "train", weight: float = 1.0) -> Example:
    return Example(parse_note({"text": text}), label, weight, source, dataset, role)


CORPUS = [
    _ex("加vx领券", 1, "xhs", "xhs"),
    _ex("今天爬山好累", 0, "xhs", "xhs"),
    _ex("周末做饭", 0, "xhs", "xhs"),
    _ex("全场五折", 1, "sms", "sms", weight=0.1),
    _ex("外卖很慢", 0, "reviews", "waimai", weight=0.5),
    _ex("书不错", 0, "reviews", "shopping", weight=0.5),
]

# Synthetic scores: 20 genuine xhs notes at 0.00..0.95, 10 xhs ads at 0.55..1.0, 10 genuine weibo notes high.
Y = np.array([0] * 20 + [1] * 10 + [0] * 10)
P = np.concatenate([np.linspace(0, 0.95, 20), np.linspace(0.55, 1.0, 10), np.linspace(0.5, 0.99, 10)])
S = np.array(["xhs"] * 30 + ["weibo"] * 10, dtype=object)


@pytest.fixture(scope="module")
def sample_splits():
    return load_splits(load_config(SAMPLES / "train_sample.toml"))


def test_class_balance_counts_per_dataset_and_source_with_total():
    rows = class_balance(CORPUS)
    assert [(r["dataset"], r["source"]) for r in rows] == [
        ("xhs", "xhs"),
        ("sms", "sms"),
        ("waimai", "reviews"),
        ("shopping", "reviews"),
        ("all", ""),
    ]
    xhs = rows[0]
    assert (xhs["n"], xhs["ad"], xhs["genuine"]) == (3, 1, 2) and xhs["ad_share"] == pytest.approx(1 / 3)
    assert rows[1]["weight"] == 0.1
    total = rows[-1]
    assert (total["n"], total["ad"], total["genuine"]) == (len(CORPUS), 2, 4)


def test_split_balance_reports_every_source_on_every_side():
    splits = DataSplits(CORPUS, [], 0, 0, train=CORPUS[:3], test=CORPUS[3:5], eval_only=CORPUS[5:])
    rows = {r["source"]: r for r in split_balance(splits)}
    assert sorted(rows) == ["reviews", "sms", "xhs"]
    assert (rows["xhs"]["train_ad"], rows["xhs"]["train_genuine"], rows["xhs"]["test_ad"]) == (1, 2, 0)
    assert rows["reviews"]["test_genuine"] == 1 and rows["reviews"]["eval_only_genuine"] == 1
    assert sum(v for r in rows.values() for k, v in r.items() if k != "source") == len(CORPUS)


def test_load_splits_matches_what_training_recorded(sample_splits, sample_model):
    s = sample_splits
    assert len(s.train) + len(s.test) + len(s.eval_only) == len(s.examples)
    assert not {id(e) for e in s.train} & {id(e) for e in s.test}
    check_split_matches_card(s, sample_model.card)  # same sizes as run_training's split
    summary = dataset_summary(s.infos)
    assert summary[0]["rows"] == summary[0]["used"] + summary[0]["skipped"] and summary[0]["files"] == ["notes.jsonl"]


def test_check_split_matches_card_refuses_another_split(sample_splits, sample_model):
    card = dict(sample_model.card, split=dict(sample_model.card["split"], train=len(sample_splits.train) + 1))
    with pytest.raises(InvalidParameterError, match=r"'split' of the model card must match"):
        check_split_matches_card(sample_splits, card)


def test_threshold_tradeoff_rows_respect_their_target_fpr():
    rows = threshold_tradeoff(Y, P, S, target_source="xhs", target_fprs=(0.05, 0.1, 0.3), chosen_threshold=0.6)
    targets = [r for r in rows if r["target_fpr"] is not None]
    assert [r["target_fpr"] for r in targets] == [0.05, 0.1, 0.3]
    genuine_xhs = P[(S == "xhs") & (Y == 0)]
    ads_xhs = P[(S == "xhs") & (Y == 1)]
    for r in targets:
        assert r["threshold"] == threshold_at_fpr(genuine_xhs, r["target_fpr"])
        assert r["FPR (xhs)"] <= r["target_fpr"]
        assert r["recall (xhs)"] == pytest.approx(np.mean(ads_xhs >= r["threshold"]))
        assert r["FPR (all genuine)"] == pytest.approx(np.mean(P[Y == 0] >= r["threshold"]))
        assert r["flagged"] == int(np.sum(P >= r["threshold"]))
    recalls = [r["recall (xhs)"] for r in targets]
    assert recalls == sorted(recalls)  # a looser FPR target never catches fewer ads
    chosen = [r for r in rows if r["operating point"] == "model threshold"]
    assert len(chosen) == 1 and chosen[0]["threshold"] == 0.6
    assert [r["threshold"] for r in rows] == sorted((r["threshold"] for r in rows), reverse=True)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"target_source": "weibo_ads"}, r"'target_source' must have genuine notes.*'weibo', 'xhs'"),
        ({"target_source": "xhs", "target_fprs": (0.0,)}, r"'target_fprs' must be a float in \(0, 1\). Got 0.0"),
        ({"target_source": "xhs", "target_fprs": (1.5,)}, r"Got 1.5"),
    ],
)
def test_threshold_tradeoff_rejects_bad_parameters(kwargs, match):
    with pytest.raises(InvalidParameterError, match=match):
        threshold_tradeoff(Y, P, S, **kwargs)


def test_threshold_tradeoff_rejects_misaligned_arrays():
    with pytest.raises(InvalidParameterError, match=r"same length. Got 40, 39 and 40"):
        threshold_tradeoff(Y, P[:-1], S, target_source="xhs")


def test_plot_threshold_tradeoff_marks_each_operating_point():
    fig = plot_threshold_tradeoff(Y, P, S, target_source="xhs", chosen_threshold=0.6, target_fprs=(0.05, 0.2))
    (ax,) = fig.axes
    assert ax.get_xscale() == "log"
    assert [t.get_text() for t in ax.texts] == ["5.0%", "20.0%"]
    assert "model threshold 0.600" in [t.get_text() for t in ax.get_legend().get_texts()]


def test_top_terms_are_the_extreme_coefficients(sample_model):
    terms = top_terms(sample_model, n=5)
    coef = sample_model.pipeline[-1].coef_[0]
    assert len(terms["ad"]) == 5 and len(terms["genuine"]) == 5
    assert terms["ad"][0]["coefficient"] == pytest.approx(coef.max())
    assert terms["genuine"][0]["coefficient"] == pytest.approx(coef.min())
    ad = [t["coefficient"] for t in terms["ad"]]
    assert ad == sorted(ad, reverse=True) and min(ad) > 0
    assert max(t["coefficient"] for t in terms["genuine"]) < 0
    names = list(sample_model.feature_names())
    assert all(coef[names.index(t["feature"])] == pytest.approx(t["coefficient"]) for t in terms["ad"])
    assert all(t["label"] and "__" not in t["label"] for t in terms["ad"] + terms["genuine"])


def test_top_terms_rejects_n_below_one(sample_model):
    with pytest.raises(InvalidParameterError, match=r"'n' parameter of top_terms must be an int >= 1. Got 0"):
        top_terms(sample_model, n=0)


def test_score_examples_aligns_labels_probabilities_and_sources(sample_model, sample_splits):
    scored = score_examples(sample_model, sample_splits.test)
    assert len(scored.y) == len(scored.p) == len(scored.sources) == len(sample_splits.test)
    np.testing.assert_allclose(scored.p, sample_model.predict_proba([e.note for e in sample_splits.test]))
    assert list(scored.y) == [e.label for e in sample_splits.test]


def test_misclassified_lists_real_errors_with_reasons(sample_model, sample_splits):
    scored = score_examples(sample_model, sample_splits.test)
    rows = misclassified(sample_model, sample_splits.test, scored.p, decisions=scored.decisions, n=2)
    y = np.array([e.label for e in sample_splits.test])
    flagged = np.array([d == "ad" for d in scored.decisions])
    n_fp = int(np.sum(flagged & (y == 0)))
    n_fn = int(np.sum(~flagged & (y == 1)))
    assert sum(r["error"] == "false positive" for r in rows) == min(2, n_fp)
    assert sum(r["error"] == "false negative" for r in rows) == min(2, n_fn)
    for r in rows:
        wrong_side = r["decision"] == "ad"
        assert (r["label"] == "genuine") == wrong_side and (r["error"] == "false positive") == wrong_side
    assert misclassified(sample_model, sample_splits.test, scored.p, n=2) == rows  # decisions scored when not given


def test_misclassified_decides_as_check_does(sample_model):
    """A note at or above the threshold that no phrase explains is decided review by check and score, so a genuine
    one is no false positive and an ad one is a false negative in the error table."""
    everything_ad = AdModel(
        sample_model.pipeline, calibration=sample_model.calibration, threshold=0.0, review_threshold=0.0
    )
    examples = [_ex("好", 0, "xhs"), _ex("你好", 1, "xhs"), _ex("加vx领券", 1, "xhs"), _ex("今天爬山好累", 0, "xhs")]
    checked = [everything_ad.check(e.note).decision for e in examples]
    assert checked[:2] == ["review", "review"]  # nothing in them pushes towards ad
    scored = score_examples(everything_ad, examples)
    assert scored.decisions == checked
    rows = misclassified(everything_ad, examples, scored.p, decisions=scored.decisions)
    pairs = list(zip(examples, checked, strict=True))
    want = {(e.note.text, "false positive" if d == "ad" else "false negative") for e, d in pairs
            if (d == "ad") != (e.label == 1)}  # fmt: skip
    assert {(r["text"], r["error"]) for r in rows} == want
    assert ("好", "false positive") not in want and ("你好", "false negative") in want
    assert all(r["decision"] == d for r in rows for e, d in pairs if e.note.text == r["text"])


def test_misclassified_ranks_most_confident_errors_first(sample_model, sample_splits):
    # With a threshold of 0 every genuine note is a false positive: the most ad-like must come first.
    everything_ad = AdModel(
        sample_model.pipeline, calibration=sample_model.calibration, threshold=0.0, review_threshold=0.0
    )
    p = score_examples(everything_ad, sample_splits.test).p
    rows = misclassified(everything_ad, sample_splits.test, p, n=3, top=2)
    genuine_p = np.sort(p[[e.label == 0 for e in sample_splits.test]])[::-1]
    assert [r["error"] for r in rows] == ["false positive"] * 3
    assert [r["probability"] for r in rows] == pytest.approx(genuine_p[:3].tolist())
    assert all(r["decision"] == "ad" and len(r["towards ad"]) <= 2 and r["towards ad"] for r in rows)


def test_misclassified_rejects_misaligned_probabilities(sample_model, sample_splits):
    with pytest.raises(InvalidParameterError, match=r"one value per example \(30\). Got 2 instead"):
        misclassified(sample_model, sample_splits.test, [0.1, 0.2])


CREATORS = [
    {"author": "阿梨", "notes": 3, "ad_share": 0.0, "positive_share": 0.9},
    {"author": "bob", "notes": 2, "ad_share": 0.5, "positive_share": None},
    {"author": "店长", "notes": 4, "ad_share": 1.0, "positive_share": 0.4},
    {"author": "amy", "notes": 1, "ad_share": 0.5, "positive_share": 0.4},
    {"author": None, "notes": 2, "ad_share": None, "positive_share": 0.5},
]


def test_rank_creators_orders_by_value_then_name_and_keeps_unvalued_last():
    ranked = rank_creators(CREATORS, value="ad_share")
    assert [(r["rank"], r["author"]) for r in ranked] == [
        (1, "店长"),
        (2, "amy"),
        (3, "bob"),
        (4, "阿梨"),
        (None, None),
    ]
    assert len(rank_creators(CREATORS, value="positive_share", top=2)) == 2


@pytest.mark.parametrize(
    ("rows", "kwargs", "match"),
    [
        ([{"author": "a"}], {"value": "ad_share"}, r"rows\[0\] must have the keys 'author' and 'ad_share'"),
        (CREATORS, {"value": "ad_share", "top": 0}, r"'top' parameter must be an int >= 1 or None. Got 0"),
    ],
)
def test_rank_creators_rejects_bad_input(rows, kwargs, match):
    with pytest.raises(InvalidParameterError, match=match):
        rank_creators(rows, **kwargs)


def test_plot_creator_shares_draws_the_top_creators_by_rank():
    fig = plot_creator_shares(CREATORS, value="positive_share", label="positive comments", count_key="notes", top=3)
    (ax,) = fig.axes
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(labels) == 3 and labels[-1].startswith("#1") and labels[0].startswith("#3")
    assert "(n=" in labels[0]
    assert "top 3 of 4" in ax.get_title() and "1 without a value" in ax.get_title()
    assert sorted(round(p.get_width(), 3) for p in ax.patches) == [0.4, 0.5, 0.9]


@pytest.mark.parametrize(("font", "first"), [(None, "#1 (n=3)"), ("DejaVu Sans", "#1 阿梨 (n=3)")])
@pytest.mark.filterwarnings("ignore:Glyph .* missing from font")  # the stand-in font has no CJK glyphs
def test_plot_creator_shares_names_non_ascii_creators_only_with_a_cjk_font(monkeypatch, font, first):
    monkeypatch.setattr(notebook_comments, "cjk_font", lambda: font)
    fig = plot_creator_shares(CREATORS, value="positive_share", label="positive comments", count_key="notes", top=3)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels[::-1] == [first, "#2 None (n=2)", "#3 amy (n=1)"]  # ASCII names are shown either way


def test_report_plots_lists_the_training_plots_in_reading_order(sample_model_dir, tmp_path):
    assert [p.name for p in report_plots(sample_model_dir)] == [
        "roc.png",
        "precision_recall.png",
        "reliability.png",
        "confusion_matrix.png",
        "fpr_by_source.png",
    ]
    assert report_plots(tmp_path) == []
    with pytest.raises(InvalidParameterError, match=r"'out_dir' parameter must be a training output directory"):
        report_plots(tmp_path / "missing")


def test_markdown_table_formats_and_escapes_cells():
    rows = [
        {"name": "a|b <script>", "x": 0.123456, "n": 3, "none": None, "reasons": ["r1", "r2"]},
        {"name": "line\nbreak", "x": float("nan"), "n": 0, "none": None, "reasons": []},
    ]
    table = markdown_table(rows, digits=2)
    lines = table.splitlines()
    assert lines[0] == "| name | x | n | none | reasons |"
    assert lines[2] == "| a\\|b &lt;script&gt; | 0.12 | 3 | – | r1<br>r2 |"
    assert lines[3] == "| line break | – | 0 | – | – |"
    assert markdown_table(rows, ["n"]).splitlines()[2:] == ["| 3 |", "| 0 |"]
    assert markdown_table([]) == "(no rows)"


def test_markdown_table_names_missing_columns():
    with pytest.raises(InvalidParameterError, match=r"rows\[1\] must have the columns \['a', 'b'\]. Got no \['b'\]"):
        markdown_table([{"a": 1, "b": 2}, {"a": 3}])


def test_plot_threshold_tradeoff_needs_ads_of_the_target_source():
    with pytest.raises(InvalidParameterError, match=r"'target_source' must have ads in the data.*'weibo'"):
        plot_threshold_tradeoff(Y, P, S, target_source="weibo", chosen_threshold=0.6)


def test_plot_threshold_tradeoff_groups_targets_reaching_the_same_point():
    y = np.array([0] * 10 + [1] * 5)
    p = np.concatenate([np.full(10, 0.1), np.linspace(0.5, 0.9, 5)])  # perfectly separated: every target is FPR 0
    fig = plot_threshold_tradeoff(y, p, ["x"] * 15, target_source="x", chosen_threshold=0.3, target_fprs=(0.01, 0.05))
    assert [t.get_text() for t in fig.axes[0].texts] == ["1.0%, 5.0%"]


def test_rank_creators_positive_only_drops_zero_and_missing_values():
    ranked = rank_creators(CREATORS, value="ad_share", positive_only=True)
    assert [r["author"] for r in ranked] == ["店长", "amy", "bob"]


NOTES = [
    parse_note({"id": "n1", "text": "a", "author": "阿梨", "comments": ["好", "求链接", "差"]}),
    parse_note({"id": "n2", "text": "b", "author": "阿梨"}),
    parse_note({"id": "n3", "text": "c"}),
]


def _report(n, pos, neu, neg, ratio, hits, share):
    return {
        "n_comments": n,
        "label_counts": {"positive": pos, "neutral": neu, "negative": neg},
        "keyword_ratio": {"brand": ratio},
        "keyword_hits": {"brand": hits},
        "positive_share": share,
    }


REPORTS = [
    _report(3, 1, 1, 1, 1 / 3, {"兰若": 1}, 0.5),
    _report(0, 0, 0, 0, 0.0, {}, None),
    _report(4, 3, 1, 0, 0.5, {"兰若": 1, "LANRUO": 1}, 1.0),
]


class _ReportObject:
    def __init__(self, d):
        self.d = d

    def to_dict(self):
        return self.d


def test_note_comment_table_has_one_row_per_note_with_ratios():
    rows = note_comment_table(
        NOTES, [REPORTS[0], _ReportObject(REPORTS[1]), REPORTS[2]], decisions=["ad", "genuine", None]
    )
    assert [r["id"] for r in rows] == ["n1", "n2", "n3"] and rows[2]["author"] is None
    first = rows[0]
    assert (first["decision"], first["comments"], first["kw: brand"]) == ("ad", 3, pytest.approx(1 / 3))
    assert (first["positive"], first["neutral"], first["negative"]) == (1, 1, 1)
    assert first["positive_ratio"] == pytest.approx(1 / 3) and first["negative_ratio"] == pytest.approx(1 / 3)
    assert rows[1]["positive_ratio"] is None and rows[1]["positive_share"] is None  # no comments: no ratio
    assert rows[2]["negative_ratio"] == 0 and rows[2]["ad_probability"] is None


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"reports": REPORTS[:2]}, r"'reports' must have one value per note \(3\). Got 2 instead"),
        ({"reports": REPORTS, "decisions": ["ad"]}, r"'decisions' must have one value per note \(3\). Got 1"),
        ({"reports": [REPORTS[0], {"n": 1}, REPORTS[2]]}, r"reports\[1\] must be a CommentReport or its to_dict"),
    ],
)
def test_note_comment_table_rejects_misaligned_or_foreign_input(kwargs, match):
    with pytest.raises(InvalidParameterError, match=match):
        note_comment_table(NOTES, **kwargs)


def test_creator_rows_aggregate_and_flatten_without_losing_a_creator():
    from model.comments import aggregate_creators

    creators = creator_table(aggregate_creators(creator_inputs(NOTES, REPORTS, ["ad", "genuine", "ad"])))
    by_author = {c["creator"]: c for c in creators}
    assert set(by_author) == {"阿梨", None}
    li = by_author["阿梨"]
    assert (li["notes"], li["notes with comments"], li["ad share"]) == (2, 1, 0.5)
    assert li["brand ratio"] == pytest.approx(1 / 3)
    assert (li["positive comments"], li["negative comments"]) == (1, 1)
    assert by_author[None]["positive share"] == 1.0
    assert all(list(c) == list(creators[0]) for c in creators)  # every row has every column, in one order


def test_keyword_counts_sum_comments_and_notes_per_keyword():
    rows = keyword_counts(REPORTS)
    assert rows[0] == {"set": "brand", "keyword": "兰若", "comments": 2, "notes": 2}
    assert rows[1] == {"set": "brand", "keyword": "LANRUO", "comments": 1, "notes": 1}
    assert len(rows) == 2


def test_misclassified_of_one_source_shows_only_its_notes(sample_model):
    """Notebook 01's error table over every source showed WeChat copy and one Xiaohongshu note: the most confident
    errors came from the other corpora."""
    everything_ad = AdModel(
        sample_model.pipeline, calibration=sample_model.calibration, threshold=0.0, review_threshold=0.0
    )
    examples = [_ex("加vx领券，私信下单", 0, "xhs"), _ex("加vx领券，全场五折", 0, "wechat"),
                _ex("私信下单，原价199现价99", 0, "wechat")]  # fmt: skip
    scored = score_examples(everything_ad, examples)
    assert scored.decisions == ["ad"] * 3  # three false positives
    rows = misclassified(everything_ad, examples, scored.p, decisions=scored.decisions, source="xhs")
    assert [(r["source"], r["error"]) for r in rows] == [("xhs", "false positive")]
    everywhere = misclassified(everything_ad, examples, scored.p, decisions=scored.decisions)
    assert sorted(r["source"] for r in everywhere) == ["wechat", "wechat", "xhs"]
