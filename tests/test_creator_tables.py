"""One creator table for `notecheck comments`, `notecheck creators` and `score --report`: the same columns in the
same order (keyword-set columns included) and the same rows, most flagged first."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from serve.cli import main

AD = "加微信 13812345678 私信下单，领优惠券，链接在评论区，限时秒杀"


def _archive(tmp_path: Path) -> Path:
    """'many' has more notes but none flagged; 'zed' one flagged note: most flagged first puts zed first, while an
    order by note count (what `comments` used) puts many first. Comments give every keyword set a column."""
    texts = ["周末爬山，风景很好", "今天做了红烧肉", "出租屋改造花了八百块"]
    rows = [{"id": f"m{i}", "author": "many", "text": t, "comments": ["求链接", "好看"]} for i, t in enumerate(texts)]
    rows.append({"id": "z1", "author": "zed", "text": AD, "comments": ["哪里买", "是广告吧"]})
    path = tmp_path / "archive.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def _comments_creators(markdown: str) -> tuple[list[str], list[str]]:
    """The header and the creator column of the '## Creators' table that `notecheck comments` prints."""
    section = markdown.split("## Creators", 1)[1]
    lines = [ln for ln in section.splitlines() if ln.startswith("| ")]
    header = [h.strip() for h in lines[0].strip().strip("|").split(" | ")]
    return header, [ln.strip().strip("|").split(" | ")[0].strip() for ln in lines[1:]]


@pytest.mark.parametrize("keywords", [False, True], ids=["shipped-sets", "with-keywords-file"])
def test_comments_creators_and_score_report_show_one_table(
    tmp_path, capsys, sample_sentiment_dir, sample_model_dir, keywords
):
    path = _archive(tmp_path)
    extra = ["--keywords", str(Path(__file__).parents[1] / "samples" / "keywords.json")] if keywords else []
    sentiment = ["--model", str(sample_sentiment_dir)]
    assert main(["creators", str(path), "-o", str(tmp_path / "a"), *sentiment, "--ad-model", str(sample_model_dir),
                 *extra]) == 0  # fmt: skip
    assert main(["score", str(path), "-o", str(tmp_path / "s.jsonl"), "--report", str(tmp_path / "b"),
                 "--model", str(sample_model_dir), "--jobs", "1", *extra]) == 0  # fmt: skip
    capsys.readouterr()
    assert main(["comments", str(path), *sentiment, "--ad-model", str(sample_model_dir), *extra]) == 0
    header, order = _comments_creators(capsys.readouterr().out)
    for d in ("a", "b"):
        with open(tmp_path / d / "creators.csv", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            table = list(reader)
        assert reader.fieldnames == header, d  # the keyword-set columns in one order
        assert [r["creator"] for r in table] == order == ["zed", "many"], d
    assert "ad_suspicion ratio" in header and "purchase_intent ratio clean" in header


def test_comments_json_lists_creators_most_flagged_first(tmp_path, capsys, sample_sentiment_dir, sample_model_dir):
    path = _archive(tmp_path)
    assert main(["comments", str(path), "--model", str(sample_sentiment_dir), "--ad-model", str(sample_model_dir),
                 "--json"]) == 0  # fmt: skip
    doc = json.loads(capsys.readouterr().out)
    assert [c["author"] for c in doc["creators"]] == ["zed", "many"]


def test_names_in_markdown_are_shown_as_written(tmp_path, capsys, sample_sentiment_dir, sample_model_dir):
    """An author or creator named "<b>x</b>" went into creators.md and overlap.md raw, rendered as HTML by a
    Markdown viewer; a "|" in an overlap creator's name split its row."""
    rows = [{"id": "h1", "author": "<b>x</b>", "text": "周末爬山，风景很好", "comments": ["好看"]}]
    path = tmp_path / "archive.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    assert main(["creators", str(path), "-o", str(tmp_path / "a"), "--model", str(sample_sentiment_dir),
                 "--ad-model", str(sample_model_dir)]) == 0  # fmt: skip
    md = (tmp_path / "a" / "creators.md").read_text(encoding="utf-8")
    assert "&lt;b&gt;x&lt;/b&gt;" in md and "<b>" not in md
    (tmp_path / "f.csv").write_text("creator,follower_id\na|b,1\na|b,2\n<i>c</i>,1\n", encoding="utf-8")
    assert main(["overlap", str(tmp_path / "f.csv"), "-o", str(tmp_path / "o"), "--quiet"]) == 0
    md = (tmp_path / "o" / "overlap.md").read_text(encoding="utf-8")
    row = next(line for line in md.splitlines() if "a\\|b" in line and "0.5000" in line)
    assert row.count(" | ") == 5 and "&lt;i&gt;c&lt;/i&gt;" in row and "<i>" not in md


def test_an_author_padded_with_spaces_is_the_same_creator(tmp_path, capsys, sample_sentiment_dir, sample_model_dir):
    """An export's " 小美 " and "小美" were two creators shown alike, each with half the notes the water rules
    judge together: the bought comment both notes hold was no duplicate."""
    bought = "太好用了吧我也要买一个"
    rows = [
        {"id": "n1", "author": "小美", "text": "周末爬山，风景很好", "comments": [bought, "好看"]},
        {"id": "n2", "author": " 小美 ", "text": "今天做了红烧肉", "comments": [bought, "看饿了"]},
    ]
    path = tmp_path / "archive.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    assert main(["comments", str(path), "--model", str(sample_sentiment_dir), "--ad-model", str(sample_model_dir),
                 "--json"]) == 0  # fmt: skip
    doc = json.loads(capsys.readouterr().out)
    assert [(c["author"], c["notes"]) for c in doc["creators"]] == [("小美", 2)]
    flagged = [[s["suspect_reason"] for s in n["comments"]] for n in doc["notes"]]
    assert flagged == [["duplicate", None], ["duplicate", None]]
