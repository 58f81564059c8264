import json
import shutil

import numpy as np
import pytest
from sklearn.base import clone

from model import (
    InvalidNoteError,
    ModelIntegrityError,
    ModelVersionError,
    UntrustedTypesError,
    load_model,
    save_model,
)
from model.artifacts import ARRAYS_FILE, CARD_FILE, PIPELINE_FILE, load_pipeline
from model.classifier import AdModel, NoteDocuments
from model.documents import as_notes
from model.errors import InvalidParameterError, ModelLoadError, NotFittedError

NOTES = [
    {"title": "源头厂家直供", "text": "加vx: abc123 原价199现价99，链接在主页，闭眼入"},
    {"title": "周末爬山", "text": "今天去爬山了，天气很好，风景超美，就是人有点多[笑哭R]"},
    "只有正文的一条笔记",
]


def test_pipeline_clone_and_get_params(sample_model):
    pipe = sample_model.pipeline
    params = pipe.get_params()
    assert params["clf__class_weight"] == "balanced"
    assert params["features__word__sublinear_tf"] is True
    assert params["features__word__ngram_range"] == (1, 2)
    fresh = clone(pipe)
    assert not hasattr(fresh[-1], "coef_")
    assert fresh.get_params()["features__word__tokenizer"] == params["features__word__tokenizer"]


def test_not_fitted_pipeline_is_refused(sample_model):
    with pytest.raises(NotFittedError, match="not fitted"):
        AdModel(clone(sample_model.pipeline), calibration={"a": 1, "b": 0}, threshold=0.5, review_threshold=0.3)


def test_bare_string_where_list_expected(sample_model):
    with pytest.raises(InvalidNoteError, match="must be a list of notes.*Got a single str"):
        sample_model.predict_proba("一条笔记")
    with pytest.raises(InvalidNoteError, match="must be a list of notes.*Got a single str"):
        NoteDocuments().transform("一条笔记")


def test_probabilities_decisions_and_thresholds(sample_model):
    p = sample_model.predict_proba(NOTES)
    assert p.shape == (3,) and np.all((p >= 0) & (p <= 1))
    assert p[0] > p[1]  # the funnel note is more ad-like than the hiking diary
    assert sample_model.predict(NOTES)[0] in {"ad", "review"}
    assert 0 <= sample_model.review_threshold <= sample_model.threshold <= 1
    assert sample_model.decide(sample_model.threshold) == "ad"
    assert sample_model.decide(np.nextafter(sample_model.review_threshold, 0)) == "genuine"


def test_explain_gives_readable_reasons_that_add_up(sample_model):
    note = NOTES[0]
    exp = sample_model.explain(note, top=1000)
    assert exp.towards_ad, "an obvious funnel note has reasons towards ad"
    labels = [r.label for r in exp.towards_ad]
    assert any(label.startswith("cue: ") for label in labels)
    cue = next(r for r in exp.towards_ad if r.kind == "cue" and r.evidence)
    assert all(isinstance(e, str) and e for e in cue.evidence)
    total = sum(r.contribution for r in exp.towards_ad + exp.towards_genuine) + exp.intercept
    assert total == pytest.approx(exp.log_odds, abs=1e-2)
    assert float(sample_model.decision_function([note])[0]) == pytest.approx(exp.log_odds, abs=1e-3)
    assert all(r.contribution > 0 for r in exp.towards_ad)
    assert all(r.contribution < 0 for r in exp.towards_genuine)


@pytest.mark.parametrize(
    ("doc", "gram", "expected"),
    [
        ("⟦has:title⟧ 新店 ⟦cue:price⟧ ⟦cue:call_to_action⟧", "ti", ["⟦has:title⟧", "⟦cue:call_to_action⟧"]),
        ("⟦has:title⟧ 新店 ⟦cue:price⟧ ⟦cue:price⟧", "e:", ["⟦cue:price⟧"]),
        ("⟦has:title⟧ title 新店", "ti", None),  # also typed by the writer
        ("⟦has:title⟧ TItle 新店", "ti", None),  # the vectorizer lower-cases: still the writer's
        ("⟦has:title⟧ 新店", "店", None),
        ("⟦has:title⟧ 新店", "s:t", ["⟦has:title⟧"]),
        ("⟦has:title⟧ 新店", "⟧ 新", None),  # whitespace: between marker and text
        ("没有标记的笔记", "笔记", None),
        ("⟦has:title⟧", "zz", None),
    ],
)
def test_marker_source_of_character_ngrams(doc, gram, expected):
    from model.feature_labels import marker_source

    assert marker_source(doc, gram) == expected


def test_character_reasons_from_placeholders_are_named_after_them():
    """Character n-grams of the prepared document's placeholders (``ue:`` of ``⟦cue:price⟧``) are not text the
    writer typed: the reasons name the placeholders; n-grams of the writer's own text keep their characters."""
    model = load_model()
    note = {"title": "新店开业", "text": "加vx领券，原价199现价99，链接在主页，私信下单"}
    exp = model.explain(note, top=1000)
    chars = [r for r in exp.towards_ad + exp.towards_genuine if r.kind == "chars"]
    inside = [r for r in chars if r.feature in ("char__ue:", "char__e:")]
    assert inside and all(r.label.startswith("cue: ") and "of their markers" in r.label for r in inside)
    typed = next(r for r in chars if r.feature == "char__下单")
    assert typed.label == "characters “下单”"
    (parsed,) = model.check_many([note], top=1000, features=True)
    assert parsed.explanation == exp


def test_check_result_is_json_serialisable(sample_model):
    res = sample_model.check(NOTES[0])
    out = res.to_dict()
    json.dumps(out, ensure_ascii=False)
    assert out["decision"] == res.decision and out["highlights"] and out["reasons"]
    assert {r["category"] for r in out["reasons"]} >= {"contact", "price", "call_to_action"}
    assert {c["cue"] for c in res.cues} >= {"wechat", "price", "call_to_action"}


def test_save_load_round_trip_identical(sample_model, tmp_path):
    save_model(sample_model, tmp_path / "m")
    loaded = load_model(tmp_path / "m")
    np.testing.assert_array_equal(loaded.predict_proba(NOTES), sample_model.predict_proba(NOTES))
    assert loaded.threshold == sample_model.threshold and loaded.version == sample_model.version


@pytest.fixture
def artifact_copy(sample_model_dir, tmp_path):
    dest = tmp_path / "copy"
    shutil.copytree(sample_model_dir, dest)
    return dest


def test_tampered_arrays_refused(artifact_copy):
    path = artifact_copy / ARRAYS_FILE
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ModelIntegrityError, match="sha256 .* does not match"):
        load_model(artifact_copy)


def test_tampered_pipeline_refused(artifact_copy):
    path = artifact_copy / PIPELINE_FILE
    path.write_text(path.read_text().replace("LogisticRegression", "LogisticRegressionCV"))
    with pytest.raises(ModelIntegrityError, match=PIPELINE_FILE):
        load_model(artifact_copy)


def _rewrite_card(directory, **changes):
    card = json.loads((directory / CARD_FILE).read_text())
    for key, value in changes.items():
        target = card
        *parents, last = key.split("/")
        for p in parents:
            target = target[p]
        target[last] = value
    (directory / CARD_FILE).write_text(json.dumps(card))


def test_untrusted_type_refused_even_with_matching_hash(artifact_copy):
    from model.artifacts import sha256_file

    path = artifact_copy / PIPELINE_FILE
    path.write_text(path.read_text().replace('"type": "LogisticRegression"', '"type": "os.system"'))
    _rewrite_card(artifact_copy, **{f"files/{PIPELINE_FILE}/sha256": sha256_file(path)})
    with pytest.raises(UntrustedTypesError, match="os.system"):
        load_model(artifact_copy)


def test_sklearn_version_is_checked_only_where_sklearn_runs(artifact_copy):
    """Serving computes with the numpy engine (no scikit-learn): another scikit-learn version does not matter
    there; rebuilding the scikit-learn pipeline (training, evaluation) refuses it, or warns when allowed."""
    _rewrite_card(artifact_copy, **{"library_versions/scikit-learn": "0.24.2"})
    assert load_model(artifact_copy).predict_proba(NOTES[:1]).shape == (1,)
    with pytest.raises(ModelVersionError, match=r"scikit-learn 0.24.2 but scikit-learn \d+\.\d+"):
        load_pipeline(artifact_copy)
    with pytest.warns(UserWarning, match="scikit-learn 0.24.2"):
        load_pipeline(artifact_copy, allow_version_mismatch=True)


def test_artifact_format_and_engine_versions(artifact_copy, sample_model, tmp_path):
    from model.artifacts import ARTIFACT_FORMAT
    from model.engine import ENGINE_VERSION

    card = save_model(sample_model, tmp_path / "m")
    assert (card["format_version"], card["engine_version"]) == (ARTIFACT_FORMAT, ENGINE_VERSION)
    _rewrite_card(artifact_copy, format_version=ARTIFACT_FORMAT + 1)
    with pytest.raises(ModelVersionError, match=f"artifact format {ARTIFACT_FORMAT + 1}"):
        load_model(artifact_copy, allow_version_mismatch=True)  # another layout is never read
    _rewrite_card(artifact_copy, format_version=ARTIFACT_FORMAT, engine_version=ENGINE_VERSION + 1)
    with pytest.raises(ModelVersionError, match=f"numpy engine version {ENGINE_VERSION + 1}.*--allow-version-mismatch"):
        load_model(artifact_copy)  # the option as the command line spells it: serve and score show this message
    with pytest.warns(UserWarning, match="scores may differ"):
        load_model(artifact_copy, allow_version_mismatch=True)


def _with_matching_card(directory, name, data: bytes) -> None:
    """Replace an artifact file and record its sha256 in the card: corruption the checksum cannot catch."""
    from model.artifacts import sha256_file

    (directory / name).write_bytes(data)
    _rewrite_card(directory, **{f"files/{name}/sha256": sha256_file(directory / name)})


def _arrays(directory) -> dict:
    with np.load(directory / ARRAYS_FILE, allow_pickle=False) as f:
        return {k: f[k] for k in f.files}


def _npz_bytes(arrays: dict) -> bytes:
    import io

    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    return buf.getvalue()


@pytest.mark.parametrize(
    "corrupt",
    ["truncated", "empty", "not a zip", "object array"],
)
def test_corrupt_npz_with_matching_card_refused(artifact_copy, corrupt):
    data = (artifact_copy / ARRAYS_FILE).read_bytes()
    if corrupt == "truncated":
        data = data[: len(data) // 2]
    elif corrupt == "empty":
        data = b""
    elif corrupt == "not a zip":
        data = b"PK\x03\x04" + b"\x00" * 200
    else:
        arrays = _arrays(artifact_copy)
        arrays["clf.classes"] = np.array([{"a": 1}, None], dtype=object)
        import io

        buf = io.BytesIO()
        np.savez(buf, **arrays)  # pickles the object array; loading must not unpickle it
        data = buf.getvalue()
    _with_matching_card(artifact_copy, ARRAYS_FILE, data)
    with pytest.raises(ModelIntegrityError, match=r"model\.npz.*Refusing to load it"):
        load_model(artifact_copy)


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("array", ["clf.coef", "clf.intercept", "idf"])
def test_non_finite_weights_refused(artifact_copy, array, value):
    arrays = _arrays(artifact_copy)
    key = array if array.startswith("clf") else next(k for k in arrays if k.endswith(".idf"))
    weights = arrays[key].astype(np.float64).copy()
    weights.flat[0] = value
    arrays[key] = weights
    _with_matching_card(artifact_copy, ARRAYS_FILE, _npz_bytes(arrays))
    with pytest.raises(ModelIntegrityError, match=rf"{key} has 1 NaN or infinite value"):
        load_model(artifact_copy)


@pytest.mark.parametrize("change", ["coef short", "coef 2 rows", "idf short", "no intercept", "three classes"])
def test_arrays_whose_shapes_do_not_fit_refused(artifact_copy, change):
    arrays = _arrays(artifact_copy)
    idf = next(k for k in arrays if k.endswith(".idf"))
    if change == "coef short":
        arrays["clf.coef"] = arrays["clf.coef"][:, :-1]
    elif change == "coef 2 rows":
        arrays["clf.coef"] = np.vstack([arrays["clf.coef"]] * 2)
    elif change == "idf short":
        arrays[idf] = arrays[idf][:-1]
    elif change == "no intercept":
        del arrays["clf.intercept"]
    else:
        arrays["clf.classes"] = np.array([0, 1, 2])
    _with_matching_card(artifact_copy, ARRAYS_FILE, _npz_bytes(arrays))
    with pytest.raises(ModelIntegrityError, match="Refusing to load it"):
        load_model(artifact_copy)


@pytest.mark.parametrize("name", [PIPELINE_FILE, CARD_FILE])
@pytest.mark.parametrize("depth", [100, 100_000])
def test_deeply_nested_json_refused(artifact_copy, name, depth):
    text = (artifact_copy / name).read_text().rstrip()
    assert text.endswith("}")
    data = (text[:-1] + ', "padding": ' + "[" * depth + "]" * depth + "}").encode()
    if name == CARD_FILE:
        (artifact_copy / name).write_bytes(data)
    else:
        _with_matching_card(artifact_copy, name, data)
    with pytest.raises(ModelIntegrityError, match="levels deep"):
        load_model(artifact_copy)


@pytest.mark.parametrize("key", ["threshold", "calibration/a"])
def test_non_finite_card_numbers_refused(artifact_copy, key):
    _rewrite_card(artifact_copy, **{key: float("nan")})
    with pytest.raises(ModelIntegrityError, match="must be a finite number"):
        load_model(artifact_copy)


def test_other_normalization_version_refused(artifact_copy):
    _rewrite_card(artifact_copy, normalization_version="0")
    with pytest.raises(ModelVersionError, match="normalisation version '0'"):
        load_model(artifact_copy)


def test_another_traditional_to_simplified_table_refused(artifact_copy):
    """Another OpenCC release could map a traditional character differently: the model would then read a note
    otherwise than its training did, so loading refuses it, naming the table."""
    _rewrite_card(artifact_copy, simplified_table_sha256="0" * 64)
    with pytest.raises(ModelVersionError, match=r"traditional Chinese with the table of sha256 '0{64}'.*OpenCC"):
        load_model(artifact_copy)


def test_missing_directory():
    with pytest.raises(ModelLoadError, match="no model_card.json"):
        load_pipeline("/nonexistent/model")


def test_default_model_loads_and_matches_its_card():
    model = load_model()
    assert model.card["task"] == "ad"
    assert model.threshold == model.card["threshold"]
    assert model.card["tokenizer"]["backend"] == model.pipeline[1].transformer_list[0][1].tokenizer.backend
    p = model.predict_proba(NOTES)
    assert p[0] > 0.5 > p[1]


def test_comment_signals_only_for_notes_with_comments():
    from model.comments import default_keyword_sets

    docs = NoteDocuments(comment_keywords=default_keyword_sets())
    plain = {"title": "好物", "text": "这个面霜很好用"}
    with_comments = {**plain, "comments": ["求链接", "哪里买", "广告吧", "好看"]}
    assert docs.transform([plain]) == NoteDocuments().transform([plain])
    doc = docs.transform([with_comments])[0]
    assert "⟦c:n:10⟧" in doc and "⟦c:purchase_intent:high⟧" in doc and "⟦c:ad_suspicion:mid⟧" in doc
    assert NoteDocuments().transform([with_comments]) == NoteDocuments().transform([plain])


def test_sample_model_uses_comment_signals(sample_model):
    assert sample_model.pipeline[0].comment_keywords, "the sample config trains with use_comments = true"
    names = [n for n in sample_model.feature_names() if "⟦c:" in n]
    assert names, "comment-signal tokens are features of the sample model"


def test_comment_text_section_is_prefixed_and_cut_for_characters():
    from model import NoteTokenizer
    from model.text import COMMENTS_MARKER, body_only

    docs = NoteDocuments(comment_text=True)
    note = {"title": "好物", "text": "这个面霜很好用", "comments": ["求链接", "多少钱 99元"]}
    doc = docs.transform([note])[0]
    assert COMMENTS_MARKER in doc and body_only(doc) == NoteDocuments().transform([note])[0] + " "
    assert COMMENTS_MARKER not in docs.transform([{"text": "没有评论"}])[0]
    tokens = NoteTokenizer()(doc)
    after = tokens[tokens.index(COMMENTS_MARKER) + 1 :]
    assert after and all(t.startswith("c:") for t in after) and "c:链接" in after
    assert not any(t.startswith("c:") for t in tokens[: tokens.index(COMMENTS_MARKER)])


def test_sample_model_reads_comment_text_but_not_for_characters(sample_model):
    docs, features = sample_model.pipeline[0], sample_model.pipeline[1]
    assert docs.comment_text is True
    char = dict(features.transformer_list)["char"]
    assert char.preprocessor is not None and char.preprocessor.__name__ == "body_only"
    assert any(n.startswith("word__c:") for n in sample_model.feature_names())
    assert not any("⟦comments" in n for n in sample_model.feature_names() if n.startswith("char__"))


def test_unknown_preprocessor_refused(artifact_copy):
    from model.artifacts import sha256_file

    path = artifact_copy / PIPELINE_FILE
    text = path.read_text()
    assert '"preprocessor": "body_only"' in text
    path.write_text(text.replace('"preprocessor": "body_only"', '"preprocessor": "os.system"'))
    _rewrite_card(artifact_copy, **{f"files/{PIPELINE_FILE}/sha256": sha256_file(path)})
    with pytest.raises(UntrustedTypesError, match="unknown preprocessor 'os.system'"):
        load_model(artifact_copy)


@pytest.mark.parametrize("top", [0, 1, 2])
def test_few_reasons_asked_still_give_advice_naming_the_drivers(sample_model, top):
    """``top`` limits the reasons returned, not what the advice says drove the decision."""
    note = {"title": "源头厂家直供", "text": "加vx领券，原价199现价99，链接在主页"}
    full = sample_model.check(note)
    few = sample_model.check(note, top=top)
    assert full.decision == few.decision == "ad"
    assert "overall wording" not in full.advice["en"]
    assert few.advice == full.advice
    assert list(few.reasons) == list(full.reasons[:top])


@pytest.mark.parametrize("top", [-1, 1.5, True, "3", None])
@pytest.mark.parametrize("method", ["check", "explain", "score"])
def test_top_must_be_a_whole_number_of_at_least_zero(sample_model, method, top):
    """check(top=-1) gave a flagged note no reasons without a word, where the CLI and the API refuse the value."""
    note = {"text": "加vx领券，原价199现价99"}
    call = {
        "check": lambda: sample_model.check(note, top=top),
        "explain": lambda: sample_model.explain(note, top=top),
        "score": lambda: sample_model.score(as_notes([note]), top=top),
    }[method]
    with pytest.raises(
        InvalidParameterError, match=rf"^The 'top' parameter of AdModel\.{method} must be a whole number >= 0\. Got "
    ):
        call()
