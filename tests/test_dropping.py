"""`[model] drop_features`: a placeholder marker's columns (words, characters, n-grams beside it) leave the
vocabulary before the classifier is fitted, so a shipped model cannot learn the marker (training/dropping.py)."""

import json
from dataclasses import replace

import numpy as np
import pytest
from conftest import SAMPLES

from model import InvalidParameterError, load_model
from model.text import prepare_document
from training.ablation import variant
from training.config import ModelParams, load_config
from training.dropping import drop_marker_features, marker_columns, strip_markers
from training.fit import build_features
from training.train import run_training

TITLE = "⟦has:title⟧"


def _docs() -> list[str]:
    rows = [json.loads(line) for line in (SAMPLES / "notes.jsonl").read_text(encoding="utf-8").splitlines()]
    titled = [prepare_document(r["title"], r["text"]) for r in rows[:40]]
    return titled + [prepare_document(None, r["text"]) for r in rows[40:80]]


def test_the_marker_leaves_every_part_of_the_vocabulary_and_the_matrix_matches_the_pruned_vectorizers():
    docs = _docs()
    features = build_features(ModelParams(char_ngrams=(1, 3), min_df=1))
    X = features.fit_transform(docs).tocsr()
    before = set(features.get_feature_names_out())
    Xd = drop_marker_features(features, X, docs, (TITLE,), 0.05)
    after = set(features.get_feature_names_out())
    assert not [n for n in after if TITLE in n]  # the token and the bigrams beside it
    # the characters only the marker is spelled with
    assert {"char__⟦h", "char__s:t", "char__:ti", "char__le⟧"} <= before - after
    assert {"char__⟦n", "char__⟦t"} <= after  # other markers' n-grams stay
    assert {n for n in before if n.startswith("word__⟦n_tags:") and " " not in n} <= after
    assert np.allclose(Xd.toarray(), features.transform(docs).toarray())  # the artifact computes what was fitted
    assert np.allclose(np.linalg.norm(Xd[:, : len(features.transformer_list[0][1].vocabulary_)].toarray(), axis=1), 1)


def test_a_column_goes_when_the_marker_makes_enough_of_its_occurrences():
    docs = ["⟦has:title⟧ 好物 分享 ta", "好物 推荐 ta ta", "ta 今天"]
    features = build_features(ModelParams(char_ngrams=(1, 1), min_df=1, word_ngram_max=1))
    features.fit(docs)
    names = list(features.get_feature_names_out())
    mask = dict(zip(names, marker_columns(features, docs, (TITLE,), 0.2), strict=True))
    # "t": 2 of its 6 occurrences are the marker's, ":" 1 of 1, "a" 1 of 5, "好" none
    assert mask["char__t"] and mask["char__:"] and mask["word__⟦has:title⟧"]
    assert not mask["char__好"] and not mask["word__好物"]
    assert mask["char__a"]  # 1 of 5 >= 0.2
    assert not marker_columns(features, docs, (TITLE,), 0.5)[names.index("char__a")]
    assert strip_markers("⟦has:title⟧ 周末 ⟦cue:price⟧ 爬山", (TITLE,)) == "周末 ⟦cue:price⟧ 爬山"


@pytest.mark.parametrize("markers", [("⟦has:titel⟧",), (TITLE, "⟦cue:pirce⟧")])
def test_a_marker_no_document_carries_is_refused_not_ignored(markers):
    docs = _docs()
    features = build_features(ModelParams(char_ngrams=(1, 3), min_df=1))
    X = features.fit_transform(docs).tocsr()
    width = X.shape[1]
    with pytest.raises(InvalidParameterError, match=rf"drop_features.*Got '{markers[-1]}', found in none of the 80 "):
        drop_marker_features(features, X, docs, markers, 0.2)
    assert len(features.get_feature_names_out()) == width  # refused before anything was pruned


def _confounded(tmp_path, drop: bool):
    """Sample notes (with titles) plus their texts again *without* titles as ads of a second corpus: a title then
    says "not the all-ad corpus", the shortcut the shipped model learnt from the WeChat and SMS ads."""
    rows = [json.loads(line) for line in (SAMPLES / "notes.jsonl").read_text(encoding="utf-8").splitlines()]
    other = [{"id": f"o{r['id']}", "text": r["text"], "label": "ad"} for r in rows]
    (tmp_path / "other.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in other))
    (tmp_path / "notes.jsonl").write_text((SAMPLES / "notes.jsonl").read_text(encoding="utf-8"))
    drop_line = 'drop_features = ["⟦has:title⟧"]\n' if drop else ""
    (tmp_path / "train.toml").write_text(
        'seed = 7\ntest_size = 0.25\ndedup = "none"\ntarget_source = "sample"\ntarget_fpr = 0.05\n'
        f"[model]\nmin_df = 1\nC = 4.0\ncv_folds = 3\nchar_ngrams = [1, 3]\n{drop_line}"
        '[[dataset]]\nname = "sample"\npath = "notes.jsonl"\n'
        '[[dataset]]\nname = "other"\npath = "other.jsonl"\nsource = "other"\n',
        encoding="utf-8",
    )
    out = tmp_path / ("drop" if drop else "keep")
    run_training(tmp_path / "train.toml", out, progress=False, ablation=False)
    return load_model(out)


def test_a_title_no_longer_makes_a_note_look_genuine(tmp_path):
    text = "今天和朋友去爬山，风景很好，加我微信 13812345678 了解详情"
    notes = [{"title": "", "text": text}, {"title": "周末爬山", "text": text}]
    docs = [prepare_document(t, text) for t in ("周末爬山", "好物分享", "我的一天", "求助")] + _docs()[:40]
    pull = {}
    for drop in (False, True):
        model = _confounded(tmp_path, drop)
        z = model.pipeline.decision_function(notes)  # scikit-learn; the engine below must agree
        assert np.allclose(
            model.predict_proba(notes), 1 / (1 + np.exp(-(model.calibration["a"] * z + model.calibration["b"])))
        )
        features, clf = model.pipeline.named_steps["features"], model.pipeline.named_steps["clf"]
        terms = [str(t) for _, vec in features.transformer_list for t in vec.vocabulary_]
        assert any(TITLE in t for t in terms) != drop
        # what the marker alone does to the log-odds of titled notes: the same documents with and without it
        with_marker = clf.decision_function(features.transform(docs))
        pull[drop] = float(
            np.mean(with_marker - clf.decision_function(features.transform([strip_markers(d, (TITLE,)) for d in docs])))
        )
    assert pull[False] < -0.5  # the shortcut, learnt when nothing stops it
    assert abs(pull[True]) < 0.1 * abs(pull[False])


def test_the_config_option_is_checked(tmp_path):
    cfg = (
        (SAMPLES / "train_sample.toml")
        .read_text(encoding="utf-8")
        .replace("[model]\n", '[model]\ndrop_features = ["has:title"]\n')
    )
    path = tmp_path / "bad.toml"
    path.write_text(cfg.replace('path = "notes.jsonl"', f'path = "{SAMPLES / "notes.jsonl"}"'), encoding="utf-8")
    with pytest.raises(InvalidParameterError, match=r"model\.drop_features.*placeholder markers.*has:title"):
        load_config(path)
    good = load_config(SAMPLES / "train_sample.toml")
    assert replace(good.model, drop_features=(TITLE,)).drop_features == (TITLE,) and good.model.drop_features == ()


def test_ablation_variants_combine():
    v = variant("no_title+w_whu_ad0.2+C3")
    assert v.drop == (TITLE,) and v.weights == {"whu_ad": 0.2} and v.params == {"C": 3.0}
    with pytest.raises(ValueError, match="unknown ablation variant"):
        variant("no_title+nonsense")


@pytest.mark.parametrize(
    "setting, kept, gone",
    [
        ("all", {"char__⟦n", "char__ue:"}, set()),
        ("cues", {"char__ue:"}, {"char__⟦n", "char__⟦t"}),
        ("none", set(), {"char__⟦n", "char__⟦t", "char__ue:"}),
    ],
)
def test_character_n_grams_read_the_placeholders_the_config_names(setting, kept, gone):
    docs = _docs()
    features = build_features(ModelParams(char_ngrams=(1, 3), min_df=1, char_placeholders=setting))
    X = features.fit_transform(docs).tocsr()
    names = set(features.get_feature_names_out())
    assert kept <= names and not gone & names
    if setting == "none":
        assert not [n for n in names if n.startswith("char__") and ("⟦" in n or "⟧" in n)]
    assert {n for n in names if n.startswith("word__⟦")}  # the word part keeps every placeholder whole
    assert X.shape[1] == len(names)


def test_variant_weights_follow_the_config(shared_data):
    """``w_out``/``w_all`` multiply whatever weight the config gives a corpus; ``w_<corpus><x>`` sets it to x."""
    from training.ablation import row_weights

    cfg = load_config(SAMPLES.parent / "model" / "default" / "train.toml")
    given = {d.name: d.weight for d in cfg.datasets}
    dataset = np.array(list(given))
    w = np.array(list(given.values()))
    hard = np.zeros(len(w), dtype=bool)
    doubled = row_weights(variant("w_out2"), "w_out2", cfg, w, dataset, hard)
    assert dict(zip(dataset, doubled, strict=True)) == {
        d: given[d] * (2 if d in ("whu_ad", "sms_promo", "reviews") else 1) for d in given
    }
    both = row_weights(variant("w_whu_ad0.02+w_all3"), "k", cfg, w, dataset, hard)
    assert dict(zip(dataset, both, strict=True))["whu_ad"] == pytest.approx(0.06)
    assert dict(zip(dataset, both, strict=True))["xhs"] == given["xhs"]
