"""training.cue_counts: the evidence for a cue word, counted in labelled notes."""

import json

import pytest

from training.cue_counts import count_kinds, count_pattern, main, read_notes

ROWS = [
    {"title": "日记", "text": "圣诞礼盒现在可以预定", "label": 1, "annotators": 2},
    {"text": "买了礼盒送妈妈，私信我", "label": 1, "annotators": 1},
    {"text": "今天去公园散步", "label": 1},
    {"text": "朋友送的礼盒很好看", "label": 0, "annotators": 2},
    {"text": "今天加班到很晚", "label": 0},
    {"text": "周末在家看书", "label": 0},
    {"text": "链接在主页", "label": 0},
    {"text": "吃了一碗面", "label": 0},
]


def _data(tmp_path, rows=ROWS):
    path = tmp_path / "notes.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


def test_a_pattern_is_counted_per_class_and_on_the_double_annotated_rows(tmp_path):
    notes = read_notes(_data(tmp_path))
    out = count_pattern(notes, "礼盒", examples=1)
    # 2 of 3 ads (66.7%), 1 of 5 genuine (20.0%): ratio 3.3; annotators: 2 rows 1 of 1 ads, 1 of 1 genuine.
    assert "ads 2 of 3 (66.7%), genuine 1 of 5 (20.0%), ratio 3.3" in out
    assert "annotators: 2 ads 1 of 1, genuine 1 of 1" in out
    assert out.count("    ad: ") == 1 and out.count("    genuine: ") == 1
    assert "ads 0 of 3" in count_pattern(notes, "没有的词")


@pytest.mark.parametrize("label", [0, 1])
def test_a_file_of_one_class_is_counted(tmp_path, label):
    """A corpus of ads only (the SMS promotions) or of genuine text only has no rate for the other class."""
    notes = read_notes(_data(tmp_path, [r for r in ROWS if r["label"] == label]))
    out = count_pattern(notes, "礼盒")
    assert ("ads 2 of 3 (66.7%), genuine 0 of 0" if label else "ads 0 of 0 (0.0%), genuine 1 of 5 (20.0%)") in out
    assert "call_to_action" in count_kinds(notes)


def test_existing_cue_kinds_are_counted(tmp_path):
    out = count_kinds(read_notes(_data(tmp_path)))
    cta = out.split("call_to_action\n")[1].splitlines()[0]
    assert cta.startswith("  ads 1 of 3") and "genuine 1 of 5" in cta  # 私信 in an ad, 链接/主页 in a genuine note


def test_a_row_without_a_label_is_named(tmp_path, capsys):
    path = _data(tmp_path, [*ROWS, {"text": "x", "label": "spam"}])
    assert main(["--data", str(path), "礼盒"]) == 1
    err = capsys.readouterr().err
    assert "notes.jsonl, line 9" in err and "field 'label'" in err and "'spam'" in err


@pytest.mark.parametrize("bad", ["{not json", "[1, 0]"])
def test_a_line_that_is_not_a_json_object_is_named(tmp_path, capsys, bad):
    path = tmp_path / "notes.jsonl"
    path.write_text(json.dumps(ROWS[0], ensure_ascii=False) + "\n" + bad + "\n", encoding="utf-8")
    assert main(["--data", str(path), "礼盒"]) == 1
    assert "notes.jsonl, line 2" in capsys.readouterr().err


def test_labels_and_formats_are_read_as_everywhere_else(tmp_path):
    """The project's reader: "ad"/"genuine" labels and CSV files count as JSON Lines with 1/0 do."""
    words = [{**r, "label": "ad" if r["label"] else "genuine"} for r in ROWS]
    want = count_pattern(read_notes(_data(tmp_path)), "礼盒")
    assert count_pattern(read_notes(_data(tmp_path, words)), "礼盒") == want
    csv = tmp_path / "notes.csv"
    csv.write_text(
        "title,text,label,annotators\n"
        + "".join(f"{r.get('title', '')},{r['text']},{r['label']},{r.get('annotators', '')}\n" for r in ROWS),
        encoding="utf-8",
    )
    assert count_pattern(read_notes(csv), "礼盒") == want
