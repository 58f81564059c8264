"""The compiled inference engine (model.engine) against scikit-learn's transform and decision function."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from model import load_model
from model.classifier import as_notes
from model.comments import load_sentiment_model, sentiment_document
from model.engine import CompiledPipeline, TfidfPart, top_contributions
from model.engine.ngram_keys import KeyTable
from model.errors import InvalidParameterError, UntrustedTypesError
from model.pipeline import NoteDocuments, compile_pipeline, encode_pipeline
from model.text import body_only, body_without_placeholders, prepare_document, without_markup, without_placeholders
from model.tokenize import NoteTokenizer

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
SAMPLES = Path(__file__).resolve().parents[1] / "samples"

CORPUS = [
    "这款面霜真的好用，闭眼入！链接在主页 ⟦cue:url⟧ ⟦n_tags:2⟧",
    "今天去爬山了，风景很美，分享一下照片",
    "Check-in at the café: 3 coffees, ＡＢＣ full-width, emoji 😂😂",
    "  spaces   and\ttabs\nand new lines  ",
    "#旅行[话题]# 周末去了杭州 西湖 西湖 西湖",
    "私信我领取优惠券 ¥99 到手价",
    "a",
    "",
    "𠀀𠀁 supplementary-plane characters 𠀀",
    "重复重复重复重复重复重复",
]
LABELS = [1, 0, 0, 0, 0, 1, 0, 0, 1, 1]

CONFIGS = [
    {"analyzer": "char", "ngram_range": (1, 3), "sublinear_tf": True},
    {"analyzer": "char", "ngram_range": (2, 3), "sublinear_tf": False, "norm": None},
    {"analyzer": "char", "ngram_range": (1, 4), "sublinear_tf": True},  # n > 3: the string path
    {"analyzer": "char", "ngram_range": (1, 2), "binary": True, "norm": "l1"},
    {"analyzer": "char", "ngram_range": (1, 3), "lowercase": True},
    {"analyzer": "char", "ngram_range": (1, 3), "preprocessor": body_only},
    {"analyzer": "char", "ngram_range": (1, 3), "preprocessor": without_placeholders},
    {"analyzer": "char", "ngram_range": (1, 3), "preprocessor": body_without_placeholders},
    {"analyzer": "char", "ngram_range": (1, 3), "preprocessor": without_markup},
    {"analyzer": "word", "ngram_range": (1, 1), "sublinear_tf": True},
    {"analyzer": "word", "ngram_range": (1, 2), "sublinear_tf": True},
    {"analyzer": "word", "ngram_range": (2, 3), "binary": True},
    {"analyzer": "word", "ngram_range": (1, 3), "norm": "l1", "lowercase": True},
]


def _fit(configs: list[dict], docs: list[str]) -> Pipeline:
    parts = []
    for i, cfg in enumerate(configs):
        cfg = {"lowercase": False, **cfg}
        if cfg["analyzer"] == "word":
            cfg.update(tokenizer=NoteTokenizer(), token_pattern=None)
        parts.append((f"p{i}", TfidfVectorizer(**cfg)))
    features = FeatureUnion(parts)
    X = features.fit_transform(docs)
    clf = LogisticRegression(random_state=0).fit(X, LABELS[: len(docs)] if len(docs) <= len(LABELS) else None)
    return Pipeline([("doc", NoteDocuments()), ("features", features), ("clf", clf)])


def _assert_same(pipeline: Pipeline, compiled: CompiledPipeline, docs: list[str]) -> None:
    expected = pipeline[-2].transform(docs).tocsr()
    expected.sort_indices()
    got = compiled.features.transform(docs).to_scipy(compiled.features.n_features)
    np.testing.assert_array_equal(got.indptr, expected.indptr)
    np.testing.assert_array_equal(got.indices, expected.indices)
    np.testing.assert_allclose(got.data, expected.data, rtol=1e-12, atol=1e-15)
    clf = pipeline[-1]
    np.testing.assert_allclose(
        compiled.features.decision_function(docs), clf.decision_function(expected), rtol=1e-12, atol=1e-12
    )


@pytest.mark.parametrize(
    "config", CONFIGS, ids=lambda c: "-".join(f"{k}={getattr(v, '__name__', v)}" for k, v in c.items())
)
def test_each_vectorizer_setting_matches_sklearn(config):
    pipeline = _fit([config], CORPUS)
    _assert_same(pipeline, compile_pipeline(pipeline), [*CORPUS, "unseen 文本 ⟦comments⟧ 评论", "西湖西湖"])


def test_word_and_char_union_matches_sklearn_on_sample_notes():
    notes = [json.loads(line) for line in (SAMPLES / "notes.jsonl").read_text(encoding="utf-8").splitlines()]
    docs = [prepare_document(n.get("title"), n.get("text")) for n in notes]
    pipeline = _fit([CONFIGS[0], CONFIGS[7]], docs[:10])
    _assert_same(pipeline, compile_pipeline(pipeline), docs)


def test_shipped_ad_model_matches_sklearn_on_sample_notes():
    model = load_model()
    notes = as_notes([json.loads(x) for x in (SAMPLES / "notes.jsonl").read_text(encoding="utf-8").splitlines()])
    _assert_same(model.pipeline, model.compiled, model.documents(notes))


@pytest.mark.skipif(not (SHARED / "ads" / "xhs_labelled.jsonl").is_file(), reason="needs ../shared/data")
def test_shipped_models_match_sklearn_on_real_notes():
    rows = [json.loads(x) for x in (SHARED / "ads" / "xhs_labelled.jsonl").read_text(encoding="utf-8").splitlines()]
    model = load_model()
    docs = model.documents(as_notes([{"title": r.get("title") or "", "text": r.get("text") or ""} for r in rows]))
    _assert_same(model.pipeline, model.compiled, docs)
    sentiment = load_sentiment_model()
    texts = [r.get("text") or "" for r in rows[:800]]
    _assert_same(sentiment.pipeline, sentiment.compiled, [sentiment_document(t) for t in texts if t.strip()])


def test_sample_model_with_comment_features_matches_sklearn(sample_model):
    notes = as_notes([json.loads(x) for x in (SAMPLES / "notes.jsonl").read_text(encoding="utf-8").splitlines()])
    assert any(n.comments for n in notes)
    _assert_same(sample_model.pipeline, sample_model.compiled, sample_model.documents(notes))


@pytest.mark.parametrize(
    "config", CONFIGS, ids=lambda c: "-".join(f"{k}={v}" for k, v in c.items() if k != "preprocessor")
)
def test_one_document_alone_equals_its_row_of_the_batch_exactly(config):
    # A single document takes shorter paths (no owners, word n-gram keys in Python): same columns, same floats.
    docs = [*CORPUS, "unseen 文本 ⟦comments⟧ 评论", "西湖西湖"]
    pipeline = _fit([config], CORPUS)
    engine = compile_pipeline(pipeline).features
    batch = engine.transform(docs)
    for i, doc in enumerate(docs):
        alone = engine.transform([doc])
        np.testing.assert_array_equal(alone.indices, batch.row(i)[0])
        np.testing.assert_array_equal(alone.data, batch.row(i)[1])
        _assert_same(pipeline, compile_pipeline(pipeline), [doc])


def test_shipped_ad_model_one_note_at_a_time_matches_sklearn():
    model = load_model()
    notes = as_notes([json.loads(x) for x in (SAMPLES / "notes.jsonl").read_text(encoding="utf-8").splitlines()])
    for doc in model.documents(notes)[:40]:
        _assert_same(model.pipeline, model.compiled, [doc])


def test_batch_equals_one_at_a_time():
    pipeline = _fit([CONFIGS[0], CONFIGS[7]], CORPUS)
    engine = compile_pipeline(pipeline).features
    together = engine.decision_function(CORPUS)
    alone = np.array([engine.decision_function([d])[0] for d in CORPUS])
    np.testing.assert_allclose(together, alone, rtol=1e-12, atol=1e-12)
    assert engine.decision_function([]).shape == (0,)


def test_round_trip_through_the_artifact_structure_is_exact():
    pipeline = _fit([CONFIGS[0], CONFIGS[7]], CORPUS)
    spec, arrays = encode_pipeline(pipeline)
    compiled = CompiledPipeline.from_spec(json.loads(json.dumps(spec)), arrays)
    assert json.dumps(compiled.spec, sort_keys=True) == json.dumps(spec, sort_keys=True)
    for name, array in compiled.arrays().items():
        np.testing.assert_array_equal(array, arrays[name])


@pytest.mark.parametrize(
    "mutate, error, match",
    [
        (lambda s: s["steps"][2].update(type="os.system"), UntrustedTypesError, r"untrusted: \['os.system'\]"),
        (lambda s: s["steps"][1]["parts"][0].update(type="Pickled"), UntrustedTypesError, "Pickled"),
        (lambda s: s["steps"].pop(), UntrustedTypesError, "must be NoteDocuments"),
        (lambda s: s["steps"][1]["parts"][0]["params"].update(preprocessor="eval"), UntrustedTypesError, "eval"),
        (lambda s: s["steps"][1]["parts"][0]["params"].update(analyzer="char_wb"), InvalidParameterError, "char_wb"),
        (lambda s: s["steps"][1]["parts"][0]["params"].update(norm="max"), InvalidParameterError, "'norm'"),
        (lambda s: s["steps"][1]["parts"][0]["params"].update(use_idf=False), InvalidParameterError, "use_idf"),
        (lambda s: s.pop("steps"), UntrustedTypesError, "malformed"),
    ],
)
def test_spec_outside_the_supported_set_is_refused(mutate, error, match):
    spec, arrays = encode_pipeline(_fit([CONFIGS[0]], CORPUS))
    mutate(spec)
    with pytest.raises(error, match=match):
        CompiledPipeline.from_spec(spec, arrays)


def test_part_validates_its_arrays():
    with pytest.raises(InvalidParameterError, match="one weight per term"):
        TfidfPart(name="x", analyzer="char", ngram_range=(1, 2), terms=["a", "b"], idf=np.ones(3))
    with pytest.raises(InvalidParameterError, match="must be a NoteTokenizer"):
        TfidfPart(name="x", analyzer="word", ngram_range=(1, 1), terms=["a"], idf=np.ones(1))


@pytest.mark.parametrize("n", [0, 1, 7, 1000])
def test_key_table_finds_every_key_and_nothing_else(n):
    rng = np.random.default_rng(n)
    keys = np.unique(rng.integers(0, 2**62, size=n, dtype=np.int64)).astype(np.uint64)
    table = KeyTable(keys, np.arange(len(keys)))
    np.testing.assert_array_equal(table.lookup(keys), np.arange(len(keys)))
    absent = np.setdiff1d(rng.integers(0, 2**62, size=500, dtype=np.int64).astype(np.uint64), keys)
    assert (table.lookup(absent) == -1).all()


def test_top_contributions_equal_a_per_row_sort():
    pipeline = _fit([CONFIGS[0], CONFIGS[7]], CORPUS)
    engine = compile_pipeline(pipeline).features
    X = engine.transform(CORPUS)
    for towards in ("positive", "negative"):
        rows, cols, contrib = top_contributions(X, engine.coef, 3, towards=towards)
        for i in range(X.n_rows):
            idx, val = X.row(i)
            c = val * engine.coef[idx]
            keep = c > 0 if towards == "positive" else c < 0
            expected = sorted(zip(-c[keep] if towards == "positive" else c[keep], idx[keep], strict=True))[:3]
            assert cols[rows == i].tolist() == [int(j) for _, j in expected]
            np.testing.assert_allclose(np.abs(contrib[rows == i]), [abs(v) for v, _ in expected])


def _cue_evidence(note):
    """The evidence of each cue found again in the note's fields, apart from building its document."""
    from model.cues import find_cues
    from model.explanation import cue_evidence
    from model.text import normalize_text

    found = [(c.name, c.text) for value in (note.title, note.text) if value for c in find_cues(normalize_text(value))]
    return cue_evidence(found)


def test_cue_evidence_from_document_building_equals_finding_cues_again():
    from model.documents import note_document
    from model.explanation import cue_evidence

    notes = as_notes([json.loads(x) for x in (SAMPLES / "notes.jsonl").read_text(encoding="utf-8").splitlines()])
    notes += as_notes([{"title": "加V信 abc12345", "text": "原价199现价99 链接在主页 vx: abc12345 #好物[话题]#"}])
    for note in notes:
        found: list[tuple[str, str]] = []
        assert note_document(note, found) == prepare_document(note.title, note.text)
        assert cue_evidence(found) == _cue_evidence(note)
    assert any(_cue_evidence(n) for n in notes)


@pytest.mark.parametrize("top", [0, 1, 3, 8, 50])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_strongest_equals_a_stable_sort_of_everything(top, seed):
    from model.explanation import _strongest

    rng = np.random.default_rng(seed)
    values = rng.integers(-3, 4, size=40).astype(float)  # many ties on purpose
    order = np.argsort(-values, kind="stable")
    assert _strongest(values, top) == order[values[order] > 0][:top].tolist()
