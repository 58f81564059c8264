"""``notecheck evaluate --task sentiment``: sentiment labels (1/0 and positive/neutral/negative) in any note file,
bad rows named or, with ``--skip-bad-rows``, left out and listed."""

import json

import pytest

from model.comments import load_sentiment_model
from model.comments.metrics import three_class_metrics
from serve.cli import main

ROWS = [
    {"text": "油皮亲妈！我用了一个月真的不泛油了", "label": "positive", "note": "n1"},
    {"text": "混油皮能用吗？", "label": "neutral", "note": "n1"},
    {"text": "踩雷了，用了就爆痘", "label": "negative", "note": "n1"},
    {"text": "这家店太好吃了，下次还来", "label": "positive", "note": "n2"},
    {"text": "难吃，服务也差", "label": "negative", "note": "n2"},
]


def _write(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def _evaluate(model_dir, *args):
    return main(["evaluate", "--task", "sentiment", "--model", str(model_dir), *map(str, args)])


def _expected(model_dir, rows):
    model = load_sentiment_model(model_dir)
    predicted = model.predict([r["text"] for r in rows])
    return three_class_metrics([r["label"] for r in rows], predicted, [r.get("note") for r in rows])


@pytest.mark.parametrize("bad", [{"text": "一般般吧", "label": "meh"}, {"text": "一般般吧"}, {"label": "positive"}])
def test_skip_bad_rows_leaves_out_a_bad_row_of_a_three_class_set(capsys, tmp_path, sample_sentiment_dir, bad):
    path = _write(tmp_path / "dev.jsonl", [*ROWS[:2], bad, *ROWS[2:]])
    assert _evaluate(sample_sentiment_dir, path) == 2
    assert "line 3" in capsys.readouterr().err
    assert _evaluate(sample_sentiment_dir, path, "--skip-bad-rows", "--json") == 0
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    assert out["three_class"][str(path)] == _expected(sample_sentiment_dir, ROWS)
    assert len(out["skipped_rows"]) == 1 and "line 3" in out["skipped_rows"][0]
    assert "genuine" not in out["skipped_rows"][0]


def test_skip_bad_rows_never_reads_an_ad_label_as_a_sentiment(capsys, tmp_path, sample_sentiment_dir):
    path = _write(tmp_path / "binary.jsonl", [{"text": "好吃", "label": 1}, {"text": "加微信", "label": "ad"},
                                              {"text": "难吃", "label": 0}])  # fmt: skip
    assert _evaluate(sample_sentiment_dir, path, "--skip-bad-rows", "--json") == 0
    out = json.loads(capsys.readouterr().out)
    assert out["n"] == 2 and out["n_positive"] == 1
    assert "line 2" in out["skipped_rows"][0] and "'ad'" in out["skipped_rows"][0]


def test_only_bad_rows_end_with_an_error_that_lists_them(capsys, tmp_path, sample_sentiment_dir):
    path = _write(tmp_path / "bad.jsonl", [{"text": "好吃", "label": "great"}, {"text": "难吃", "label": "awful"}])
    assert _evaluate(sample_sentiment_dir, path, "--skip-bad-rows") == 2
    err = capsys.readouterr().err
    assert f"no labelled texts to evaluate: all 2 row(s) of {path} were skipped as bad (listed above)" in err
    assert err.count("skipped: ") == 2 and "'great'" in err and "'awful'" in err


def test_a_three_class_set_needs_no_note_and_reads_1_and_0(capsys, tmp_path, sample_sentiment_dir):
    """Without ``note`` the comments count for accuracy only; 1/0 beside positive/neutral/negative mean
    positive/negative."""
    rows = [{"text": r["text"], "label": {"positive": 1, "negative": 0}.get(r["label"], r["label"])} for r in ROWS]
    path = _write(tmp_path / "dev.jsonl", rows)
    assert _evaluate(sample_sentiment_dir, path, "--json") == 0
    dev = json.loads(capsys.readouterr().out)["three_class"][str(path)]
    plain = [{"text": r["text"], "label": r["label"]} for r in ROWS]
    assert dev == _expected(sample_sentiment_dir, plain)
    assert dev["notes"] == 0 and dev["positive_share_error"] is None
    assert _evaluate(sample_sentiment_dir, path) == 0
    assert "| – (0 notes) |" in capsys.readouterr().out


def test_a_three_class_csv_is_evaluated_like_its_jsonl(capsys, tmp_path, sample_sentiment_dir):
    import csv

    path = tmp_path / "dev.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=["text", "label", "note"])
        writer.writeheader()
        writer.writerows(ROWS)
    assert _evaluate(sample_sentiment_dir, path, "--json") == 0
    assert json.loads(capsys.readouterr().out)["three_class"][str(path)] == _expected(sample_sentiment_dir, ROWS)
