import pickle

import jieba
import pytest

from model import NoteTokenizer, prepare_document
from model.errors import InvalidParameterError
from model.tokenize import read_user_dict

SENTENCES = [
    "我来到北京清华大学",
    "小红书上的种草笔记越来越多了",
    "今天去爬山了，天气很好，风景超美，就是人有点多",
    "这款面霜用了一个月，保湿效果不错，但是味道有点重",
    "周末和朋友去吃了火锅，排队两个小时",
    "求推荐适合油皮的防晒霜",
]


@pytest.mark.parametrize("sentence", SENTENCES)
def test_rjieba_matches_jieba(sentence):
    doc = prepare_document("", sentence)
    assert NoteTokenizer(backend="rjieba")(doc) == NoteTokenizer(backend="jieba")(doc)


def test_placeholders_kept_whole_and_punctuation_dropped():
    tokens = NoteTokenizer()(prepare_document("标题", "加vx: abc123，好看[笑哭R]！#好物[话题]#"))
    assert "⟦cue:wechat⟧" in tokens and "⟦emo:笑哭⟧" in tokens and "⟦tag:好物⟧" in tokens
    assert "，" not in tokens and "!" not in tokens and " " not in tokens


@pytest.mark.parametrize("backend", ["rjieba", "jieba"])
def test_user_dictionary_takes_effect_without_touching_global_jieba(tmp_path, backend):
    path = tmp_path / "user.dict"
    path.write_text("兰若面霜 100 n\n# comment\n种草好物\n", encoding="utf-8")
    words = read_user_dict(path)
    assert words == (("兰若面霜", 100, "n"), ("种草好物", None, None))
    plain = NoteTokenizer(backend=backend)("我买了兰若面霜")
    custom = NoteTokenizer(backend=backend, user_words=words)("我买了兰若面霜")
    assert "兰若面霜" in custom and "兰若面霜" not in plain
    assert "兰若面霜" not in jieba.lcut("我买了兰若面霜")  # the global tokenizer is untouched


@pytest.mark.parametrize("backend", ["rjieba", "jieba"])
def test_same_configuration_shares_a_segmenter_and_user_words_never_leak(backend):
    words = (("兰若面霜", 100, "n"),)
    a, b = NoteTokenizer(backend=backend), NoteTokenizer(backend=backend)
    custom = NoteTokenizer(backend=backend, user_words=words)
    assert a._cut() is b._cut() and custom._cut() is not a._cut()
    assert "兰若面霜" in custom("我买了兰若面霜")
    assert "兰若面霜" not in a("我买了兰若面霜") and "兰若面霜" not in NoteTokenizer(backend=backend)("我买了兰若面霜")


def test_user_dict_bad_frequency(tmp_path):
    path = tmp_path / "user.dict"
    path.write_text("词 abc\n", encoding="utf-8")
    with pytest.raises(InvalidParameterError, match="line 1.*frequency.*'abc'"):
        read_user_dict(path)


def test_stopwords_removed():
    assert "的" not in NoteTokenizer(stopwords=["的"])("我的天")


def test_unknown_backend():
    with pytest.raises(InvalidParameterError, match="'backend' parameter of NoteTokenizer must be one of"):
        NoteTokenizer(backend="spacy")


def test_pickle_round_trip_keeps_parameters_not_engine():
    tok = NoteTokenizer(user_words=[("兰若面霜", None, None)], stopwords=["的"])
    tok("先用一次")  # builds the engine
    clone = pickle.loads(pickle.dumps(tok))
    assert clone == tok and clone._engine is None
    assert clone("我的兰若面霜") == tok("我的兰若面霜")


@pytest.mark.parametrize("text", ["", " ", "😀😀", "[笑哭R]", "ＡＢＣ１２３", "繁體中文的筆記"])
def test_tricky_inputs(text):
    tokens = NoteTokenizer()(prepare_document("", text))
    assert all(t.strip() for t in tokens)


def test_spec_records_backend_and_hashes():
    spec = NoteTokenizer(user_words=[("兰若面霜", None, None)]).spec()
    assert spec["backend"] == "rjieba" and len(spec["dictionary_sha256"]) == 64 and spec["user_words"] == 1
    assert spec["user_words_sha256"] != NoteTokenizer().spec()["user_words_sha256"]
