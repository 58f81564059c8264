"""``python -m training.faithfulness --config C --model M`` refuses a config whose held-out split holds notes the
model was trained on. Before, a config with another seed (or other data) ran without a word and, with
``--update``, wrote highlights measured on training notes into the model's report.md and model_card.md as the
held-out figure."""

from conftest import SAMPLES

from training import faithfulness
from training.config import load_config


def test_a_config_with_another_split_is_refused(tmp_path, sample_model_dir, capsys):
    text = (SAMPLES / "train_sample.toml").read_text(encoding="utf-8").replace("seed = 7", "seed = 8")
    text = text.replace('path = "notes.jsonl"', f'path = "{(SAMPLES / "notes.jsonl").as_posix()}"')
    (tmp_path / "c.toml").write_text(text, encoding="utf-8")
    report = (sample_model_dir / "report.md").read_text(encoding="utf-8")
    args = ["--config", str(tmp_path / "c.toml"), "--model", str(sample_model_dir), "--update"]
    assert faithfulness.main(args) == 2
    err = capsys.readouterr().err
    assert "held-out 'sample' notes of its test split were training rows of the model" in err
    assert "give the config the model was trained with" in err and "seed 7" in err
    assert (sample_model_dir / "report.md").read_text(encoding="utf-8") == report  # nothing written


def test_the_config_the_model_was_trained_with_passes(sample_model, sample_model_dir):
    cfg = load_config(SAMPLES / "train_sample.toml")
    assert cfg.seed == sample_model.card["split"]["seed"]
    notes = faithfulness.flagged_test_notes(SAMPLES / "train_sample.toml", sample_model, sample_model_dir)
    assert notes  # the flagged held-out notes, as before
