"""The model's name changes when --target-fpr overrides the config's rate. Before, model_version hashed the config
file as written, so `notecheck train --target-fpr 0.1` and the same run without it gave two models with different
thresholds (0.280 and 0.354 on a small config) and one name, which appeals and feedback record to tell them apart."""

import json

from conftest import ROOT, SAMPLES

from training.config import load_config
from training.train import model_version

HASHES = ["0" * 64]


def test_an_override_of_target_fpr_changes_the_name():
    plain = model_version(load_config(SAMPLES / "train_sample.toml"), HASHES)  # target_fpr = 0.05 in the file
    assert model_version(load_config(SAMPLES / "train_sample.toml", target_fpr=0.05), HASHES) == plain
    assert model_version(load_config(SAMPLES / "train_sample.toml", target_fpr=0.1), HASHES) != plain


def test_a_config_without_target_fpr_is_named_as_before_unless_overridden(tmp_path):
    (tmp_path / "c.toml").write_text('[[dataset]]\npath = "n.jsonl"\n', encoding="utf-8")
    (tmp_path / "n.jsonl").write_text('{"text": "x", "label": 1}\n', encoding="utf-8")
    cfg = load_config(tmp_path / "c.toml")
    assert model_version(load_config(tmp_path / "c.toml", target_fpr=0.02), HASHES) == model_version(cfg, HASHES)
    assert model_version(load_config(tmp_path / "c.toml", target_fpr=0.03), HASHES) != model_version(cfg, HASHES)


def test_the_shipped_model_keeps_its_name(shared_data):  # the config names files of ../shared/data
    card = json.loads((ROOT / "model" / "default" / "model_card.json").read_text(encoding="utf-8"))
    hashes = [f["sha256"] for d in card["data"] for f in d["files"]]
    assert model_version(load_config(ROOT / "model" / "default" / "train.toml"), hashes) == card["model_version"]


def test_a_new_way_of_dealing_folds_renames_both_models(monkeypatch):
    """A change of how rows are dealt into the split and folds refits the model on other rows and picks its
    threshold on other folds: the same config and data must not give that model the old name."""
    import training.provenance
    import training.sentiment

    cfg = load_config(SAMPLES / "train_sample.toml")
    before = training.provenance.model_version(cfg, HASHES), training.sentiment.model_version(cfg, HASHES)
    monkeypatch.setattr(training.provenance, "FOLDS_VERSION", training.provenance.FOLDS_VERSION + 1)
    monkeypatch.setattr(training.sentiment, "FOLDS_VERSION", training.sentiment.FOLDS_VERSION + 1)
    after = training.provenance.model_version(cfg, HASHES), training.sentiment.model_version(cfg, HASHES)
    assert before[0] != after[0] and before[1] != after[1]


def test_a_changed_comment_lexicon_renames_the_sentiment_model(monkeypatch, tmp_path):
    """The comment lexicon marks words in every comment and adds training rows: a word added to it (广告味) gave
    another sentiment model under the old name."""
    import training.sentiment

    cfg = load_config(SAMPLES / "train_sample.toml")
    before = training.sentiment.model_version(cfg, HASHES)
    edited = tmp_path / "lexicon.json"
    edited.write_bytes(training.sentiment.LEXICON_FILE.read_bytes() + b"\n")
    monkeypatch.setattr(training.sentiment, "LEXICON_FILE", edited)
    assert training.sentiment.model_version(cfg, HASHES) != before


def test_a_datasets_credit_is_no_part_of_the_name(tmp_path):
    (tmp_path / "n.jsonl").write_text('{"text": "x", "label": 1}\n', encoding="utf-8")
    (tmp_path / "c.toml").write_text('[[dataset]]\npath = "n.jsonl"\n', encoding="utf-8")
    (tmp_path / "d.toml").write_text('[[dataset]]\npath = "n.jsonl"\ncredit = "PsyhookBench, CC BY 4.0"\n',
                                     encoding="utf-8")  # fmt: skip
    assert model_version(load_config(tmp_path / "d.toml"), HASHES) == model_version(
        load_config(tmp_path / "c.toml"), HASHES
    )
    assert load_config(tmp_path / "d.toml").datasets[0].credit == "PsyhookBench, CC BY 4.0"
