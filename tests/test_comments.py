"""Comment scoring: keyword matching, per-note reports, per-creator aggregation and the comments command."""

import json
import random
import re

import pytest
from conftest import SAMPLE_COMMENTS, SAMPLES

from model.comments import (
    CommentScorer,
    KeywordMatcher,
    SentimentModel,
    aggregate_creators,
    default_keyword_excludes,
    default_keyword_sets,
    load_sentiment_model,
    merge_keyword_sets,
    normalize_for_matching,
    read_keyword_file,
)
from model.errors import InvalidNoteError, InvalidParameterError
from model.notes import Comment
from serve.cli import main
from training.sentiment import run_sentiment_training

BRAND = {"brand": ["兰若", "兰若面霜", "LANRUO", "Gel 2"]}

MATCH_CASES = [
    ("求链接！", "purchase_intent", ["求链接"]),
    ("求鏈接", "purchase_intent", ["求链接"]),  # traditional
    ("求 链 接", "purchase_intent", ["求链接"]),  # spaces between Chinese characters
    ("哪裡買？？", "purchase_intent", ["哪里买"]),
    ("有没有链接呀", "purchase_intent", ["有没有链接"]),  # an A-not-A question asks, it does not negate
    ("这是不是恰饭啊", "ad_suspicion", ["恰饭"]),
    ("拜托了姐妹", "ad_suspicion", []),  # 托 inside 拜托 is excluded
    ("拜托，你是托吧", "ad_suspicion", ["是托", "托"]),  # the second 托 counts
    ("骑摩托去的", "ad_suspicion", []),
    ("这条收了多少钱", "purchase_intent", []),  # excluded from purchase intent ...
    ("这条收了多少钱", "ad_suspicion", ["收了多少钱"]),  # ... but ad suspicion
    ("今天天气不错", "purchase_intent", []),
    ("ＬＡＮＲＵＯ面霜", "brand", ["LANRUO"]),  # full-width Latin, case
    ("lanruo yyds", "brand", ["LANRUO"]),
    ("blanruo", "brand", []),  # Latin keywords match whole Latin words only
    ("lanruox", "brand", []),
    ("LANRUO999太正了", "brand", ["LANRUO"]),  # a brand and its shade: a digit ends a Latin word
    ("ＬＡＮＲＵＯ１２号", "brand", ["LANRUO"]),
    ("gel 25 真香", "brand", []),  # ... but a number's digits are one number: Gel 2 is not Gel 25
    ("x1gel 2", "brand", ["Gel 2"]),
    ("兰若面霜好用", "brand", ["兰若", "兰若面霜"]),  # a keyword jieba would split, and a nested one
    ("蘭若面霜", "brand", ["兰若", "兰若面霜"]),
    ("gel  2 真香", "brand", ["Gel 2"]),
    ("", "brand", []),
]


@pytest.fixture(scope="module")
def matcher():
    return KeywordMatcher(merge_keyword_sets(default_keyword_sets(), BRAND), exclude=default_keyword_excludes())


@pytest.mark.parametrize(("text", "set_name", "expected"), MATCH_CASES)
def test_match_is_robust(matcher, text, set_name, expected):
    assert matcher.match(text)[set_name] == expected


def test_match_many_equals_match(matcher):
    texts = [t for t, _, _ in MATCH_CASES]
    assert matcher.match_many(texts) == [matcher.match(t) for t in texts]


@pytest.mark.parametrize(("text", "expected"), [("Ｈｅｌｌｏ　世界", "hello 世界"), ("這個 好看", "这个好看")])
def test_normalize_for_matching(text, expected):
    assert normalize_for_matching(text) == expected


@pytest.mark.parametrize(
    ("sets", "message"),
    [
        ({"brand": ["兰若", ""]}, "Keyword 1 of set 'brand' must contain visible characters"),
        ({"brand": ["兰若", "   "]}, "visible characters"),
        ({"brand": []}, "at least one keyword"),
        ({}, "at least one keyword set"),
        ({"brand": "兰若"}, r"'sets\['brand'\]' must be a list"),
        ({"brand": ["兰若", 3]}, r"'sets\['brand'\]\[1\]' must be a string keyword. Got int 3"),
        ({"": ["兰若"]}, "non-empty strings"),
        (["兰若"], "must be a mapping"),
        ({"brand": ["x" * 65]}, "at most 64 characters"),
    ],
)
def test_bad_keyword_sets_are_clear_errors(sets, message):
    with pytest.raises(InvalidParameterError, match=message):
        KeywordMatcher(sets)


def test_exclude_must_name_a_known_set():
    with pytest.raises(InvalidParameterError, match="do not exist"):
        KeywordMatcher({"a": ["托"]}, exclude={"b": ["拜托"]})


@pytest.mark.parametrize(("keyword", "comment"), [("❤️", "好❤"), ("❤", "好❤️"), ("❤️", "好❤️"), ("☺️", "哈哈☺")])
def test_an_emoji_keyword_matches_with_or_without_its_variation_selector(keyword, comment):
    """Keyword "❤️" (U+2764 U+FE0F, as phone keyboards type it) did not match a comment "好❤": the selector only
    chooses how the heart is drawn."""
    assert KeywordMatcher({"love": [keyword]}).match(comment) == {"love": [keyword]}


def test_duplicate_keywords_are_merged_into_the_first_spelling():
    m = KeywordMatcher({"brand": ["LANRUO", "lanruo", "Ｌａｎｒｕｏ", "兰若"], "other": ["兰若"]})
    assert m.sets == {"brand": ["LANRUO", "兰若"], "other": ["兰若"]}
    assert m.merged == [("brand", "lanruo", "LANRUO"), ("brand", "Ｌａｎｒｕｏ", "LANRUO")]
    assert m.match("lanruo 兰若") == {"brand": ["LANRUO", "兰若"], "other": ["兰若"]}


def test_thousands_of_keywords_match_like_a_naive_scan():
    rng = random.Random(0)
    alphabet = "好看买链接哪里钱多少推荐兰若面霜真的绝了广告托"
    keywords = sorted({"".join(rng.choices(alphabet, k=rng.randint(2, 4))) for _ in range(5000)})
    m = KeywordMatcher({"many": keywords})
    assert m.n_keywords == len(keywords)
    for _ in range(200):
        text = "".join(rng.choices(alphabet, k=rng.randint(0, 30)))
        assert sorted(m.match(text)["many"]) == sorted(k for k in keywords if k in text)


@pytest.mark.parametrize("value", [None, 3, ["x"]])
def test_match_rejects_non_strings(matcher, value):
    with pytest.raises(InvalidParameterError, match="'text' must be a string"):
        matcher.match(value)


def test_keyword_file_formats(tmp_path):
    sets, exclude = read_keyword_file(SAMPLES / "keywords.json")
    assert set(sets) == {"兰若面霜", "竞品"} and exclude == {}
    shipped, shipped_ex = read_keyword_file("model/resources/comment_keywords.json")
    assert {"purchase_intent", "ad_suspicion"} <= set(shipped) and "托" in shipped["ad_suspicion"]
    assert "拜托" in shipped_ex["ad_suspicion"]
    bad = tmp_path / "bad.json"
    bad.write_text('{"brand": {"words": ["x"]}}')
    with pytest.raises(InvalidParameterError, match="'keywords' and optional 'exclude'"):
        read_keyword_file(bad)
    bad.write_text("[1, 2]")
    with pytest.raises(InvalidParameterError, match="JSON object"):
        read_keyword_file(bad)
    # every rule of a keyword set is the file's error, naming it (an empty set or a blank keyword was refused
    # later, by the matcher, without the file's name)
    for content, rule in (
        ('{"brand": []}', "keyword set 'brand' must hold at least one keyword"),
        ('{"brand": ["兰若", "  "]}', "keyword 1 of set 'brand' must contain visible characters"),
        ('{"brand": {"keywords": ["兰若"], "exclude": [""]}}', "exclude phrase 0 of set 'brand'"),
        # a set of one keyword written as a string: the file's two forms named, not a field path of the API's
        ('{"brand": "兰若"}', "set 'brand' must be a list of keywords or an object with 'keywords' and optional"),
    ):
        bad.write_text(content, encoding="utf-8")
        with pytest.raises(InvalidParameterError, match=f"^keyword file {re.escape(str(bad))}: {rule}"):
            read_keyword_file(bad)
    # JSON the parser cannot take was a RecursionError or ValueError traceback
    for content, why in (
        ('{"a": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deeply"),
        ('{"a": [' + "9" * 5000 + "]}", "a number of more than 4,300 digits"),
    ):
        bad.write_text(content, encoding="utf-8")
        with pytest.raises(InvalidParameterError, match=f"^keyword file {re.escape(str(bad))}: invalid JSON \\({why}"):
            read_keyword_file(bad)
    (tmp_path / "none.json").write_text("{}")
    assert read_keyword_file(tmp_path / "none.json") == ({}, {})  # no sets of its own: the defaults alone


# -- scorer -------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sentiment_dir(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("comments-sentiment")
    cfg = tmp / "s.toml"
    cfg.write_text(
        "seed = 1\ntest_size = 0.2\n[model]\nmin_df = 1\ncv_folds = 3\n[sentiment]\nneutral_band = [0.4, 0.6]\n"
        f'[[dataset]]\nname = "sample"\npath = "{SAMPLE_COMMENTS}"\n'
    )
    run_sentiment_training(cfg, tmp / "m", progress=False)
    return tmp / "m"


@pytest.fixture(scope="module")
def scorer(sentiment_dir):
    return CommentScorer(sentiment=load_sentiment_model(sentiment_dir), max_comment_chars=50)


COMMENTS = [
    "求链接！",
    {"text": "这是广告吧，恰饭了", "likes": 10, "author": "路人"},
    Comment(text="哪里买，好想要", likes=2),
    "   ",
    "好看",
]


def test_report_counts_and_indices(scorer):
    report = scorer.score(COMMENTS)
    d = report.to_dict()
    assert d["n_comments"] == 5 and len(d["comments"]) == 5
    assert [c["index"] for c in d["comments"]] == [0, 1, 2, 3, 4]
    assert d["matched_comments"]["purchase_intent"] == [0, 2]
    assert d["matched_comments"]["ad_suspicion"] == [1]
    assert d["keyword_ratio"]["purchase_intent"] == pytest.approx(2 / 5)
    assert d["keyword_hits"]["ad_suspicion"] == {"广告": 1, "恰饭": 1}
    assert d["comments"][1]["keyword_hits"]["ad_suspicion"] == ["广告", "恰饭"]
    assert sum(d["label_counts"].values()) == 5
    pos, neg = d["label_counts"]["positive"], d["label_counts"]["negative"]
    assert d["positive_share"] == (pytest.approx(pos / (pos + neg)) if pos + neg else None)
    # like weights: 1 + likes, missing likes count as 0
    w = [1, 11, 3, 1, 1]
    assert d["keyword_ratio_weighted"]["purchase_intent"] == pytest.approx((1 + 3) / sum(w))


def test_empty_and_whitespace_comments_are_kept_as_neutral(scorer):
    d = scorer.score(["", "  ", "好看"]).to_dict()
    assert d["n_comments"] == 3 and d["n_empty"] == 2
    for c in d["comments"][:2]:
        assert c["label"] == "neutral" and c["positive_probability"] is None and c["empty"]


def test_comments_of_only_invisible_marks_are_empty(scorer):
    """A comment of a zero-width space or a bidi mark is blank as a note's text of them is (model.schema.is_blank):
    it was `emoji_only` water with a positive probability of 0.60 (the model reading nothing), not `empty`."""
    blank = ["\u200b", "\u202e\u202c", " \u200d\u00ad ", "\ufeff"]
    d = scorer.score([*blank, "好看"]).to_dict()
    assert d["n_empty"] == 4 and d["suspect_reasons"] == {"empty": 4}
    for c in d["comments"][:4]:
        assert c["empty"] and c["suspect_reason"] == "empty"
        assert c["label"] == "neutral" and c["positive_probability"] is None
    assert not d["comments"][4]["empty"] and d["comments"][4]["positive_probability"] is not None


def test_empty_comment_list(scorer):
    """A share of no comments is undefined: every ratio and share is None (null), the counts say 0."""
    d = scorer.score([]).to_dict()
    assert d["n_comments"] == 0 and d["comments"] == []
    assert d["keyword_ratio"] == {"purchase_intent": None, "ad_suspicion": None}
    assert d["keyword_ratio_clean"] == {"purchase_intent": None, "ad_suspicion": None}
    assert d["keyword_ratio_weighted"] == {"purchase_intent": None, "ad_suspicion": None}
    assert d["water_ratio"] is None and d["positive_share"] is None and d["positive_share_weighted"] is None
    assert d["positive_share_clean"] is None
    assert d["label_counts"] == {"positive": 0, "neutral": 0, "negative": 0} and d["n_empty"] == 0


def test_all_suspect_comments_leave_no_clean_ratio(scorer):
    """Comments that are all suspect leave none to compute the clean keyword ratio over: None, not 0.0."""
    d = scorer.score(["😀😀", "👍👍👍"]).to_dict()
    assert d["water_ratio"] == 1.0 and sum(d["label_counts_clean"].values()) == 0
    assert set(d["keyword_ratio_clean"].values()) == {None} and d["positive_share_clean"] is None
    assert d["keyword_ratio"] == {"purchase_intent": 0.0, "ad_suspicion": 0.0}  # of two comments: none hits


def test_no_polar_comment_gives_null_share(sentiment_dir):
    everything_neutral = SentimentModel(load_sentiment_model(sentiment_dir).pipeline, neutral_band=(0.0, 1.0))
    neutral_all = CommentScorer(sentiment=everything_neutral)
    d = neutral_all.score(["好看", "难吃"]).to_dict()
    assert d["label_counts"] == {"positive": 0, "neutral": 2, "negative": 0}
    assert d["positive_share"] is None


def test_positive_share_weighted_only_with_likes(scorer):
    assert scorer.score(["好看", "难吃"]).positive_share_weighted is None
    assert scorer.score([{"text": "好看", "likes": 0}]).keyword_ratio_weighted["purchase_intent"] == 0.0


def test_huge_comment_is_truncated_and_reported(scorer):
    """The sentiment model reads a long comment's first 1,000 characters (reported as truncated); its keywords are
    found in the whole of it: a request for the link after 10,000 characters still asks for the link (it was not
    counted, and the keyword ratio came out 0.5 for two comments that both ask)."""
    huge = "好" * 10_000 + "求链接"
    d = scorer.score([huge, "求链接"]).to_dict()
    assert d["comments"][0]["truncated"] and not d["comments"][1]["truncated"]
    assert d["n_truncated"] == 1
    assert d["matched_comments"]["purchase_intent"] == [0, 1]
    assert d["keyword_ratio"]["purchase_intent"] == 1.0


@pytest.mark.parametrize(
    ("comments", "message"),
    [
        ("一条评论", "must be a list of comments"),
        (None, "must be a list of comments"),
        (["ok", 3], r"comments\[1\]' must be a string or an object"),
        (["ok", {"likes": 3}], r"comments\[1\].text' must be a string"),
        ([{"text": "x", "likes": -1}], r"comments\[0\].likes' must be a non-negative integer"),
    ],
)
def test_bad_comments_are_clear_errors(scorer, comments, message):
    with pytest.raises(InvalidNoteError, match=message):
        scorer.score(comments)


def test_request_keywords_are_added_to_the_defaults(scorer):
    d = scorer.score(["兰若面霜哪里买", "LANRUO 一般"], keywords=BRAND).to_dict()
    assert set(d["keyword_ratio"]) == {"purchase_intent", "ad_suspicion", "brand"}
    assert d["matched_comments"]["brand"] == [0, 1]
    assert d["matched_comments"]["purchase_intent"] == [0]
    # the scorer's own sets are unchanged by a request
    assert "brand" not in scorer.score(["兰若"]).keyword_ratio


def test_request_keywords_merge_into_a_default_set(scorer):
    d = scorer.score(["蹲蹲"], keywords={"purchase_intent": ["蹲蹲"]}).to_dict()
    assert d["matched_comments"]["purchase_intent"] == [0]


@pytest.mark.parametrize("max_chars", [0, -1, 2.5, True])
def test_bad_max_comment_chars(sentiment_dir, max_chars):
    with pytest.raises(InvalidParameterError, match="max_comment_chars"):
        CommentScorer(sentiment=load_sentiment_model(sentiment_dir), max_comment_chars=max_chars)


def test_the_creators_replies_are_left_out_of_the_clean_figures(scorer):
    """A creator answering every reader with "超级好用" counted as the audience's praise in positive_share_clean once
    the replies were no longer flagged as water; they are neither water nor the audience."""
    comments = [{"text": "难用，踩雷了", "author": "a"}, {"text": "求链接", "author": "b"}]
    comments += [{"text": "谢谢宝子喜欢，超级好用的！", "author": "小林"} for _ in range(4)] + [
        {"text": " ", "author": "小林"}
    ]
    (report,) = scorer.score_many([comments], creators=["小林"])
    assert [c.creator_reply for c in report.comments] == [False, False] + [True] * 5
    assert [c.suspect_reason for c in report.comments] == [None] * 6 + ["empty"]  # no water but a blank one
    assert report.n_creator_replies == 4 and report.water_ratio == round(1 / 7, 6)
    assert report.label_counts_clean == {**dict.fromkeys(report.label_counts_clean, 0),
                                         **{report.comments[0].label: 1, report.comments[1].label: 1}}  # fmt: skip
    assert report.keyword_ratio_clean["purchase_intent"] == 0.5  # 求链接 is 1 of the audience's 2
    (anyone,) = scorer.score_many([comments])  # no creator known: every comment is the audience's
    assert anyone.n_creator_replies == 0 and not any(c.creator_reply for c in anyone.comments)
    (k,) = aggregate_creators([{"author": "小林", **report.to_dict()}])
    assert k["keyword_ratio_clean"]["purchase_intent"] == 0.5 and k["water_ratio"] == round(1 / 7, 6)


def test_score_many_equals_score(scorer):
    lists = [COMMENTS, [], ["难吃"], [{"text": "哪里买"}]]
    assert [r.to_dict() for r in scorer.score_many(lists)] == [scorer.score(c).to_dict() for c in lists]


# -- per creator --------------------------------------------------------------------------------------------------


def test_aggregate_creators(scorer):
    r1 = scorer.score(["求链接", "好看"]).to_dict()
    r2 = scorer.score(["广告吧"]).to_dict()
    r3 = scorer.score([]).to_dict()
    rows = [
        {"author": "A", "decision": "ad", **r1},
        {"author": "A", "decision": "genuine", "comment_report": r2},
        {"author": "A", "decision": None, **r3},
        {"author": "B"},
        {"decision": "ad", **r2},
    ]
    out = {c["author"]: c for c in aggregate_creators(rows)}
    a = out["A"]
    assert a["notes"] == 3 and a["notes_with_comments"] == 2 and a["comments"] == 3
    assert a["ad_share"] == 0.5  # one ad among the two notes with a decision
    # pooled over the creator's comments, as positive_share and water_ratio are: 求链接 is 1 of 3 (not the mean of
    # the notes' ratios, 0.5 and 0, which would weigh a note of one comment as much as one of a thousand)
    assert a["keyword_ratio"]["purchase_intent"] == pytest.approx(1 / 3, abs=1e-6)
    assert a["keyword_ratio"]["ad_suspicion"] == pytest.approx(1 / 3, abs=1e-6)
    labels = {k: r1["label_counts"][k] + r2["label_counts"][k] for k in r1["label_counts"]}
    assert a["label_counts"] == labels
    assert out["B"]["notes"] == 1 and out["B"]["ad_share"] is None and out["B"]["positive_share"] is None
    assert out[None]["notes"] == 1  # rows without author are kept, not lost
    assert sum(c["notes"] for c in out.values()) == len(rows)


def test_creator_keyword_ratio_pools_comments_raw_and_clean():
    # as score rows give reports (no per-comment list), and as a CSV gives them (ratios only, no matched indices)
    rows = [
        {"author": "K", "n_comments": 1, "keyword_ratio": {"want": 1.0}, "matched_comments": {"want": [0]},
         "water_ratio": 0.0, "suspect_reasons": {}, "keyword_ratio_clean": {"want": 1.0}},
        {"author": "K", "n_comments": 9, "keyword_ratio": {"want": 0.222222}, "water_ratio": 0.333333,
         "suspect_reasons": {"duplicate": 3}, "keyword_ratio_clean": {"want": 0.166667}},
    ]  # fmt: skip
    (k,) = aggregate_creators(rows)
    assert k["comments"] == 10 and k["suspect_comments"] == 3
    assert k["keyword_ratio"] == {"want": 0.3}  # (1 + 2) of 10
    assert k["keyword_ratio_clean"] == {"want": round(2 / 7, 6)}  # (1 + 1) of the 7 left without suspects


def test_aggregate_rejects_non_mappings():
    with pytest.raises(InvalidParameterError, match=r"rows\[1\]"):
        aggregate_creators([{"author": "A"}, "B"])


# -- command ------------------------------------------------------------------------------------------------------


def test_comments_command_json(capsys, sentiment_dir, sample_model_dir):
    path = SAMPLES / "notes.jsonl"
    args = ["comments", str(path), "--model", str(sentiment_dir), "--keywords", str(SAMPLES / "keywords.json")]
    args += ["--ad-model", str(sample_model_dir)]
    assert main([*args, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    n_rows = sum(1 for line in path.read_text().splitlines() if line.strip())
    assert len(doc["notes"]) == n_rows
    note = doc["notes"][0]
    assert note["id"] == "s001"
    assert set(note["keyword_ratio"]) == {"purchase_intent", "ad_suspicion", "兰若面霜", "竞品"}
    assert {"label", "positive_probability", "keyword_hits"} <= set(note["comments"][0])
    assert note["decision"] in ("ad", "review", "genuine")
    assert sum(c["notes"] for c in doc["creators"]) == n_rows


def test_comments_command_tables_and_bad_rows(tmp_path, capsys, sentiment_dir):
    path = tmp_path / "notes.jsonl"
    rows = [
        {"id": "a", "author": "x", "comments": ["求链接", "好看"]},  # comments and no text
        {"id": "b", "author": "x", "text": "周末爬山", "comments": []},
        {"id": "c", "comments": "not a list"},
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n{broken\n")
    assert main(["comments", str(path), "--model", str(sentiment_dir), "--no-ad"]) == 1  # rows failed, as in score
    captured = capsys.readouterr()
    out, err = captured.out, captured.err
    assert "## Notes" in out and "## Creators" in out
    # diagnostics go to stderr as in every command (README: results on stdout, `error:` lines on stderr)
    assert "error:" not in out and "| c | – | error |" in out
    assert "field 'comments' must be a list" in err and "invalid JSON" in err
    assert main(["comments", str(path), "--model", str(sentiment_dir), "--no-ad", "--json"]) == 1
    captured = capsys.readouterr()
    doc = json.loads(captured.out)
    # each failed row said on stderr with --json too (only the count was)
    assert "field 'comments' must be a list" in captured.err and "invalid JSON" in captured.err
    assert [n.get("id") for n in doc["notes"]] == ["a", "b", "c", None]
    assert "error" in doc["notes"][2] and "error" in doc["notes"][3]
    assert doc["notes"][0]["keyword_ratio"]["purchase_intent"] == 0.5
    assert doc["notes"][1]["positive_share"] is None


@pytest.mark.parametrize(
    ("content", "key"),
    [('{"brand": ["兰若"], "brand": ["竞品"]}', "brand"),
     ('{"brand": {"keywords": ["兰若"], "keywords": ["竞品"]}}', "keywords")],
)  # fmt: skip
def test_a_keyword_file_giving_a_key_twice_is_refused(tmp_path, content, key):
    """{"brand": [...], "brand": [...]} kept the last set and dropped the first without a word, where a note row
    or an API body giving a key twice is refused: the keyword file is refused naming the key."""
    path = tmp_path / "kw.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InvalidParameterError, match=f"^keyword file {re.escape(str(path))}: the key '{key}' is given"):
        read_keyword_file(path)


def test_comments_command_bad_keyword_file(tmp_path, capsys, sentiment_dir):
    kw = tmp_path / "kw.json"
    kw.write_text(json.dumps({"brand": ["兰若", ""]}))
    code = main(["comments", str(SAMPLES / "notes.jsonl"), "--model", str(sentiment_dir), "--keywords", str(kw)])
    assert code == 2
    assert "visible characters" in capsys.readouterr().err


def test_question_comments_are_neutral_and_the_output_says_why(tmp_path, capsys, sentiment_dir):
    """A question keeps the model's P(positive), possibly outside the neutral band: the printed band says so."""
    from serve.schemas.comments import CommentScoreOut

    path = tmp_path / "notes.jsonl"
    path.write_text(json.dumps({"id": "q", "comments": ["好用吗？", "求链接", "多少钱"]}, ensure_ascii=False) + "\n")
    assert main(["comments", str(path), "--model", str(sentiment_dir), "--no-ad", "--json"]) == 0
    comments = json.loads(capsys.readouterr().out)["notes"][0]["comments"]
    assert [c["label"] for c in comments] == ["neutral"] * 3
    assert all(0.0 <= c["positive_probability"] <= 1.0 for c in comments)
    assert main(["comments", str(path), "--model", str(sentiment_dir), "--no-ad"]) == 0
    header = capsys.readouterr().out.splitlines()[0]
    assert "only asks or requests is neutral whatever its P(positive)" in header
    fields = CommentScoreOut.model_fields
    assert "questions or requests" in fields["label"].description
    assert "neutral regardless" in fields["positive_probability"].description


def test_comments_table_shows_no_share_for_a_note_without_comments(tmp_path, capsys, sentiment_dir):
    """A keyword ratio or water ratio of 0.000 for a note with no comments reads as "none of its comments";
    the table shows "–" (as for the positive share) and the JSON null, with the count 0."""
    path = tmp_path / "n.jsonl"
    rows = [{"id": "none", "text": "今天爬山"}, {"id": "some", "text": "做饭", "comments": ["求链接", "好吃"]}]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    assert main(["comments", str(path), "--model", str(sentiment_dir), "--no-ad"]) == 0
    table = {line.split(" | ")[0].strip("| "): line.split(" | ") for line in capsys.readouterr().out.splitlines()}
    none, some = table["none"], table["some"]
    assert none[2] == "0" and {cell.strip(" |") for cell in none[6:]} == {"–"}  # shares, water, decision (--no-ad)
    assert some[2] == "2" and "0.500" in some  # purchase_intent: 求链接
    assert main(["comments", str(path), "--model", str(sentiment_dir), "--no-ad", "--json"]) == 0
    none, some = json.loads(capsys.readouterr().out)["notes"]
    assert none["n_comments"] == 0 and none["water_ratio"] is None
    assert set(none["keyword_ratio"].values()) == set(none["keyword_ratio_clean"].values()) == {None}
    assert some["keyword_ratio"]["purchase_intent"] == 0.5 and some["water_ratio"] is not None


def test_comments_table_keeps_odd_ids_and_authors_in_their_cells(tmp_path, capsys, sentiment_dir):
    """An author "a|b" split its cell and one with a line break or an escape sequence broke the table (and acted on
    the terminal): cells are one line, "|" escaped, controls shown escaped."""
    path = tmp_path / "n.jsonl"
    rows = [{"id": "x|1", "text": "今天爬山", "author": "a|b\nc\x1b[2J", "comments": ["好看"]}]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    assert main(["comments", str(path), "--model", str(sentiment_dir), "--no-ad"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "| x\\|1 | a\\|b c\\x1b[2J |" in out
    creators = [line for line in out.splitlines() if line.startswith("| a\\|b c\\x1b[2J |")]
    assert len(creators) == 1


def test_a_note_over_the_length_limit_is_an_error_row_when_judged(tmp_path, capsys, sentiment_dir):
    """`score` refused a note of 20,001 characters while `comments` and `creators` gave it an ad decision: one
    length limit for every command that judges the note. Its comments alone (--no-ad) need no limit on the text."""
    path = tmp_path / "notes.jsonl"
    rows = [
        {"id": "long", "text": "好" * 20_001, "comments": ["求链接"]},
        {"id": "ok", "text": "周末爬山", "comments": []},
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    assert main(["comments", str(path), "--model", str(sentiment_dir), "--json"]) == 1
    captured = capsys.readouterr()
    doc = json.loads(captured.out)
    assert [n["id"] for n in doc["notes"]] == ["long", "ok"]
    assert "field 'text' must be at most 20,000 characters. Got 20,001" in doc["notes"][0]["error"]
    assert "decision" not in doc["notes"][0] and doc["notes"][1]["decision"] in ("ad", "review", "genuine")
    assert main(["comments", str(path), "--model", str(sentiment_dir), "--no-ad", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["notes"][0]["keyword_ratio"]["purchase_intent"] == 1.0


@pytest.mark.parametrize(
    ("comment", "keyword"), [("這條項鍊好美", "项链"), ("瞭解了，謝謝", "了解"), ("反覆看了好幾遍", "反复")]
)
def test_a_keyword_matches_a_traditional_word_that_converts_as_a_phrase(comment, keyword):
    """OpenCC converts 項鍊 to 项链 as a phrase; when the model's one-character table ran first it made 项炼 of it,
    and the keyword 项链 no longer matched a comment in traditional characters."""
    found = KeywordMatcher({"k": [keyword]}).match(comment)
    assert found["k"] == [keyword]
