"""Comment analytics a brand can trust: suspect flags and clean ratios in the scorer, `notecheck comments --json`,
`/v1/comments/score` and the creator audit (`notecheck creators`), and bad input."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from model.comments import CommentScorer, aggregate_creators, creator_table, load_sentiment_model
from serve import charts
from serve.cli import main

BOUGHT = "这款真的太好用了，用完皮肤水嫩嫩的，强烈推荐给大家"


@pytest.fixture(scope="module")
def sentiment_dir(sample_sentiment_dir):
    return sample_sentiment_dir


@pytest.fixture(scope="module")
def scorer(sentiment_dir):
    return CommentScorer(sentiment=load_sentiment_model(sentiment_dir))


def test_suspects_across_a_creators_notes_and_clean_ratios(scorer):
    note_a = ["求链接", BOUGHT, "[赞R][赞R]", "做工粗糙，线头一堆"]
    note_b = [BOUGHT + "！", "哪里买？", "作者好有才华"]
    reports = scorer.score_many([note_a, note_b], note_texts=["", ""], creators=["阿梨", "阿梨"])
    a, b = (r.to_dict() for r in reports)
    assert [c["suspect_reason"] for c in a["comments"]] == [None, "duplicate", "emoji_only", None]
    assert [c["suspect"] for c in a["comments"]] == [False, True, True, False]
    assert [c["suspect_reason"] for c in b["comments"]] == ["duplicate", None, None]
    assert a["water_ratio"] == 0.5 and b["water_ratio"] == pytest.approx(1 / 3, abs=1e-6)
    assert a["suspect_reasons"] == {"duplicate": 1, "emoji_only": 1}
    assert a["keyword_ratio"]["purchase_intent"] == 0.25
    assert a["keyword_ratio_clean"]["purchase_intent"] == 0.5  # 1 of the 2 comments left
    clean = a["label_counts_clean"]
    assert sum(clean.values()) == 2
    pos, neg = clean["positive"], clean["negative"]
    assert a["positive_share_clean"] == (pytest.approx(pos / (pos + neg)) if pos + neg else None)
    # without a shared creator the two notes are judged alone: the cross-note duplicate is not seen
    alone = scorer.score_many([note_a, note_b]).pop(0).to_dict()
    assert alone["comments"][1]["suspect_reason"] is None


def test_comment_copying_the_note_is_flagged(scorer):
    text = "空气炸锅鸡翅做法：鸡翅划两刀，生抽老抽蚝油腌制半小时"
    d = scorer.score(["生抽老抽蚝油腌制半小时", "看饿了"], note_text=text).to_dict()
    assert [c["suspect_reason"] for c in d["comments"]] == ["copies_note", None]


def test_scorer_without_water_flags_nothing(sentiment_dir):
    plain = CommentScorer(sentiment=load_sentiment_model(sentiment_dir), water=None)
    d = plain.score(["", "[赞R]", BOUGHT, BOUGHT]).to_dict()
    assert d["water_ratio"] == 0.0 and not any(c["suspect"] for c in d["comments"])
    assert d["keyword_ratio_clean"] == d["keyword_ratio"]


def test_ten_thousand_comments_on_one_note(scorer):
    comments = [f"第{i}条评论，这个颜色很好看" for i in range(10_000)]
    d = scorer.score(comments).to_dict()
    assert d["n_comments"] == 10_000 and len(d["comments"]) == 10_000
    assert [c["index"] for c in d["comments"]] == list(range(10_000))


def _archive(tmp_path: Path) -> Path:
    rows = [
        {"id": "n1", "author": "阿梨", "text": "周末做了番茄肥牛饭，酸甜开胃",
         "comments": [{"text": "今晚就做", "author": "u1", "time": "2025-10-01T12:00:00"}, BOUGHT, "🌹🌹"]},
        {"id": "n2", "author": "阿梨", "text": "空气炸锅鸡翅，外酥里嫩", "comments": [BOUGHT + "[赞R]", "腌多久呢"]},
        {"id": "n3", "author": "bob", "text": "出租屋改造花了八百块", "comments": ["好温馨", "窗帘哪里买的"]},
        {"id": "n4", "author": "bob", "text": "改造第二弹", "comments": []},
    ]  # fmt: skip
    path = tmp_path / "archive.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


def test_comments_json_has_suspects_and_clean_ratios_across_notes(tmp_path, capsys, sentiment_dir):
    path = _archive(tmp_path)
    assert main(["comments", str(path), "--model", str(sentiment_dir), "--no-ad", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    n1, n2 = doc["notes"][0], doc["notes"][1]
    assert [c["suspect_reason"] for c in n1["comments"]] == [None, "duplicate", "emoji_only"]
    assert n2["comments"][0]["suspect"] is True and n2["comments"][0]["suspect_reason"] == "duplicate"
    # each comment is named by its words and writer, not its index alone
    assert [(c["text"], c["author"]) for c in n1["comments"]] == [("今晚就做", "u1"), (BOUGHT, None), ("🌹🌹", None)]
    for note in doc["notes"]:
        assert {"water_ratio", "keyword_ratio", "keyword_ratio_clean", "positive_share", "positive_share_clean"} <= set(
            note
        )
    creators = {c["author"]: c for c in doc["creators"]}
    assert creators["阿梨"]["water_ratio"] == pytest.approx(3 / 5)
    assert creators["bob"]["water_ratio"] == 0.0


def test_comments_and_creators_read_a_directory_as_score_does(tmp_path, capsys, sentiment_dir, sample_model_dir):
    """A directory picks up its note files (as in `score`), and `creators -o` inside it does not read its own
    creators.csv back as notes when run again."""
    archive = tmp_path / "archive"
    (archive / "october").mkdir(parents=True)
    _archive(archive / "october")
    assert main(["comments", str(archive), "--model", str(sentiment_dir), "--no-ad", "--json"]) == 0
    assert [n["id"] for n in json.loads(capsys.readouterr().out)["notes"]] == ["n1", "n2", "n3", "n4"]
    out = archive / "audit"
    args = ["creators", str(archive), "-o", str(out), "--model", str(sentiment_dir),
            "--ad-model", str(sample_model_dir)]  # fmt: skip
    assert main(args) == 0
    first = (out / "creators.csv").read_text(encoding="utf-8")
    assert main(args) == 0
    assert (out / "creators.csv").read_text(encoding="utf-8") == first
    assert [r["creator"] for r in csv.DictReader(open(out / "creators.csv", encoding="utf-8"))] == ["bob", "阿梨"]


def test_bad_comment_time_is_an_error_row_naming_file_line_and_field(tmp_path, capsys, sentiment_dir):
    path = tmp_path / "bad.jsonl"
    path.write_text(
        json.dumps({"id": "ok", "comments": ["好看"]})
        + "\n"
        + json.dumps({"id": "bad", "comments": [{"text": "好看", "time": "yesterday"}]})
        + "\n",
        encoding="utf-8",
    )
    assert main(["comments", str(path), "--model", str(sentiment_dir), "--no-ad", "--json"]) == 1  # as score
    captured = capsys.readouterr()
    doc = json.loads(captured.out)
    assert [n["id"] for n in doc["notes"]] == ["ok", "bad"]  # no row dropped
    assert "bad.jsonl, line 2" in doc["notes"][1]["error"] and "'comments[0].time'" in doc["notes"][1]["error"]
    # the row's error, then the count, on stderr (with --json too, as score says each failed row)
    assert (
        captured.err
        == f"error: {doc['notes'][1]['error']}\nerror: 1 of 2 row(s) failed (see their 'error'); exit status 1\n"
    )


def test_one_unreadable_file_among_several_costs_only_its_own_rows(tmp_path, capsys, sentiment_dir, sample_model_dir):
    """`comments` and `creators` stopped with exit 2 and no output when one file of an archive could not be read;
    like `score`, that file is now one error row with line 0, every other row is scored, and the exit status is 1."""
    archive = tmp_path / "archive"
    archive.mkdir()
    _archive(archive)
    (archive / "broken.parquet").write_bytes(b"not parquet at all")
    (archive / "binary.jsonl").write_bytes(b"\x00\x01\x02 not text")
    alone = tmp_path / "alone"
    alone.mkdir()
    _archive(alone)
    sentiment = ["--model", str(sentiment_dir)]
    assert main(["comments", str(alone), *sentiment, "--no-ad", "--json"]) == 0
    good = json.loads(capsys.readouterr().out)
    assert main(["comments", str(archive), *sentiment, "--no-ad", "--json"]) == 1
    captured = capsys.readouterr()
    doc = json.loads(captured.out)
    errors = [n for n in doc["notes"] if "error" in n]
    assert sorted((Path(n["file"]).name, n["line"]) for n in errors) == [("binary.jsonl", 0), ("broken.parquet", 0)]
    assert any("not a readable Parquet file" in n["error"] for n in errors)
    assert any(n["error"].startswith(f"{archive / 'binary.jsonl'}, line 0: the file holds binary data") for n in errors)
    scored = [{k: v for k, v in n.items() if k != "file"} for n in doc["notes"] if "error" not in n]
    assert scored == [{k: v for k, v in n.items() if k != "file"} for n in good["notes"]]  # no row lost or changed
    named = [c for c in doc["creators"] if c["author"] is not None]
    assert named == good["creators"]  # the unreadable files are two failed rows of no creator, as in score --report
    assert [(c["notes"], c["rows_with_errors"]) for c in doc["creators"] if c["author"] is None] == [(2, 2)]
    assert "error: 2 of 6 row(s) failed" in captured.err
    out = tmp_path / "audit"
    args = ["creators", str(archive), "-o", str(out), *sentiment, "--ad-model", str(sample_model_dir)]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "broken.parquet, line 0: not a readable Parquet file" in err and "binary.jsonl, line 0: " in err
    table = list(csv.DictReader(open(out / "creators.csv", encoding="utf-8")))
    assert [(r["creator"], r["rows with errors"]) for r in table] == [("bob", "0"), ("阿梨", "0"), ("", "2")]


def test_comments_and_creators_ignore_a_label_as_score_does(tmp_path, capsys, sentiment_dir, sample_model_dir):
    """`score` ignores a label it does not understand (it needs none); `comments` and `creators` failed the row,
    so the same archive had one failed row more in `creators` than in `score --report`."""
    path = _archive(tmp_path)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "n5", "author": "bob", "text": "周末去爬山", "label": "maybe"}) + "\n")
    assert main(["comments", str(path), "--model", str(sentiment_dir), "--no-ad", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [n["id"] for n in doc["notes"] if "error" not in n] == ["n1", "n2", "n3", "n4", "n5"]
    assert main(["creators", str(path), "-o", str(tmp_path / "a"), "--model", str(sentiment_dir),
                 "--ad-model", str(sample_model_dir)]) == 0  # fmt: skip
    assert main(["score", str(path), "-o", str(tmp_path / "s.jsonl"), "--report", str(tmp_path / "b"),
                 "--model", str(sample_model_dir), "--jobs", "1"]) == 0  # fmt: skip
    tables = [list(csv.DictReader(open(tmp_path / d / "creators.csv", encoding="utf-8"))) for d in ("a", "b")]
    key = ("creator", "notes", "rows with errors", "ad share")
    assert [[r[k] for k in key] for r in tables[0]] == [[r[k] for k in key] for r in tables[1]]


def _md_table(md: str) -> list[dict[str, str]]:
    lines = [ln for ln in md.splitlines() if ln.startswith("| ")]
    header = [h.strip() for h in lines[0].strip("|").split(" | ")]
    rows = []
    for ln in lines[1:]:
        cells = [c.strip() for c in ln.strip().strip("|").split(" | ")]
        if len(cells) == len(header) and cells[0] not in ("id",):
            rows.append(dict(zip(header, cells, strict=True)))
    return rows


def test_creators_command_csv_markdown_and_png_agree(tmp_path, capsys, sentiment_dir, sample_model_dir, monkeypatch):
    monkeypatch.setattr(charts, "cjk_font", lambda: None)  # as on a machine without a CJK font
    out = tmp_path / "report"
    code = main(["creators", str(_archive(tmp_path)), "-o", str(out), "--model", str(sentiment_dir),
                 "--ad-model", str(sample_model_dir)])  # fmt: skip
    assert code == 0
    captured = capsys.readouterr()
    assert "fonts-noto-cjk" in captured.err
    rows = list(csv.DictReader(open(out / "creators.csv", encoding="utf-8")))
    md = (out / "creators.md").read_text(encoding="utf-8")
    md_rows = _md_table(md)
    assert [r["creator"] for r in rows] == [r["creator"] for r in md_rows] == ["bob", "阿梨"]
    for c, m in zip(rows, md_rows, strict=True):  # same value under the same header (issue 12 item 4)
        assert list(c) == list(m)
        for key, value in c.items():
            if value and key != "creator":
                assert float(m[key]) == pytest.approx(float(value), abs=5e-4), key
    li = next(r for r in rows if r["creator"] == "阿梨")
    assert float(li["water ratio"]) == pytest.approx(0.6)
    assert "purchase_intent ratio clean" in li and "positive share clean" in li
    assert "| C1 | 阿梨 |" in md and "no CJK font" in md  # ids with a legend, said in the report
    assert (out / "creators.png").stat().st_size > 5000


def test_chart_names_use_an_installed_cjk_font(monkeypatch):
    monkeypatch.setattr(charts, "cjk_font", lambda: "Noto Sans CJK SC")
    names = charts.chart_names(["阿梨", "bob"])
    assert names.labels == ["阿梨", "bob"] and names.font == "Noto Sans CJK SC" and not names.legend


def test_one_creator_table_for_every_report(scorer):
    r1 = scorer.score(["求链接", BOUGHT, BOUGHT]).to_dict()
    creators = aggregate_creators([{"author": "A", "decision": "ad", **r1}, {"author": None}])
    table = creator_table(creators)
    assert [r["creator"] for r in table] == ["A", None]
    assert list(table[0]) == list(table[1])  # every row has every column
    assert table[0]["water ratio"] == pytest.approx(2 / 3)
    assert table[0]["purchase_intent ratio"] == pytest.approx(1 / 3)
    assert table[0]["purchase_intent ratio clean"] == 1.0


def test_api_comments_score_returns_suspects_and_clean_ratios(sample_model_dir, sample_sentiment_dir):
    from fastapi.testclient import TestClient

    from serve.app import create_app
    from serve.settings import Settings

    app = create_app(Settings(model_dir=sample_model_dir, comment_model_dir=sample_sentiment_dir))
    body = {
        "comments": [
            "求链接",
            {"text": "[赞R][赞R]", "author": "u1", "time": "2025-10-01T12:00:00Z"},
            BOUGHT,
            BOUGHT + "！",
            "生抽老抽蚝油腌制半小时",
        ],
        "note_text": "鸡翅做法：生抽老抽蚝油腌制半小时，两百度烤十五分钟",
    }
    with TestClient(app) as client:
        r = client.post("/v1/comments/score", json=body)
        assert r.status_code == 200, r.text
        out = r.json()
        assert [c["suspect"] for c in out["comments"]] == [False, True, True, True, True]
        assert [c["suspect_reason"] for c in out["comments"]] == [
            None, "emoji_only", "duplicate", "duplicate", "copies_note"
        ]  # fmt: skip
        assert out["water_ratio"] == 0.8
        assert out["keyword_ratio"]["purchase_intent"] == 0.2 and out["keyword_ratio_clean"]["purchase_intent"] == 1.0
        assert "positive_share" in out and "positive_share_clean" in out
        bad = client.post("/v1/comments/score", json={"comments": [{"text": "好", "time": "yesterday"}]})
        assert bad.status_code == 422 and "comments[0].time" in bad.text


def test_creators_and_score_report_write_one_table_most_flagged_first(tmp_path, sentiment_dir, sample_model_dir):
    """The README promises `score --report` writes the table of `notecheck creators`: the same rows, same order."""
    ad = "加微信 13812345678 私信下单，领优惠券，链接在评论区，限时秒杀"
    rows = [
        {"id": f"m{i}", "author": "many", "text": t}
        for i, t in enumerate(["周末爬山，风景很好", "今天做了红烧肉", "出租屋改造花了八百块"])
    ]
    rows.append({"id": "z1", "author": "zed", "text": ad})  # fmt: skip
    path = tmp_path / "archive.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    assert main(["creators", str(path), "-o", str(tmp_path / "a"), "--model", str(sentiment_dir),
                 "--ad-model", str(sample_model_dir)]) == 0  # fmt: skip
    assert main(["score", str(path), "-o", str(tmp_path / "s.jsonl"), "--report", str(tmp_path / "b"),
                 "--model", str(sample_model_dir)]) == 0  # fmt: skip
    tables = [list(csv.DictReader(open(tmp_path / d / "creators.csv", encoding="utf-8"))) for d in ("a", "b")]
    for table in tables:
        shares = {r["creator"]: float(r["ad share"]) for r in table}
        assert shares["zed"] > shares["many"]  # one flagged note against none
        assert [r["creator"] for r in table] == ["zed", "many"]  # not by note count (many has 3)


def test_one_flagged_note_each_then_the_higher_ad_share_comes_first():
    """1 ad of 9 notes before 1 ad of 11: equal flagged counts are not split by float noise in the shares."""
    from serve.creators import most_flagged_first

    rows = [{"author": "eleven", "decision": "ad" if i == 0 else "genuine"} for i in range(11)]
    rows += [{"author": "nine", "decision": "ad" if i == 0 else "genuine"} for i in range(9)]
    rows += [{"author": "none", "decision": "genuine"} for _ in range(20)]
    rows += [{"author": "two", "decision": "ad" if i < 2 else "genuine"} for i in range(30)]
    assert [c["author"] for c in most_flagged_first(aggregate_creators(rows))] == ["two", "nine", "eleven", "none"]


def test_notes_without_an_author_come_after_named_creators_that_tie():
    """The tie-break by name sorted the notes without an author as the name 'None': between 'Alice' and 'zed'."""
    from serve.creators import most_flagged_first

    rows = [{"author": a, "decision": "genuine"} for a in ("zed", None, "Alice", "Nora", "阿花")]
    assert [c["author"] for c in most_flagged_first(aggregate_creators(rows))] == ["Alice", "Nora", "zed", "阿花", None]


def test_creators_counts_failed_rows_as_score_report_does(tmp_path, capsys, sentiment_dir, sample_model_dir):
    """`creators` left rows that failed validation out of its table, so its "rows with errors" column was always 0
    and a creator's notes were short of what `score --report` counts; both now write the same table."""
    path = _archive(tmp_path)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "bad", "author": "阿梨", "text": "周末去爬山", "comments": 5}) + "\n")
    assert main(["creators", str(path), "-o", str(tmp_path / "a"), "--model", str(sentiment_dir),
                 "--ad-model", str(sample_model_dir)]) == 1  # fmt: skip
    assert main(["score", str(path), "-o", str(tmp_path / "s.jsonl"), "--report", str(tmp_path / "b"),
                 "--model", str(sample_model_dir), "--jobs", "1"]) == 1  # fmt: skip
    tables = [list(csv.DictReader(open(tmp_path / d / "creators.csv", encoding="utf-8"))) for d in ("a", "b")]
    ali = {r["creator"]: r for r in tables[0]}["阿梨"]
    assert (ali["notes"], ali["rows with errors"]) == ("3", "1")
    key = ("creator", "notes", "rows with errors", "ad share", "review share")
    assert [[r[k] for k in key] for r in tables[0]] == [[r[k] for k in key] for r in tables[1]]
    capsys.readouterr()
    assert main(["comments", str(path), "--model", str(sentiment_dir), "--no-ad", "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["notes"][-1]["author"] == "阿梨"  # a failed row keeps its author, as in score's output
    assert {c["author"]: c["rows_with_errors"] for c in doc["creators"]} == {"阿梨": 1, "bob": 0}


@pytest.mark.parametrize(
    ("extra", "said"),
    [
        pytest.param([], "2 creators", id="all-named"),
        pytest.param([{"id": "anon", "text": "周末去爬山"}], "2 creators and 1 note(s) without an author", id="anon"),
        pytest.param(
            [b'{"id": "junk", "author": "\xff\xff", "text": "\xff\xff\xff"}'],  # neither UTF-8 nor GB18030
            "2 creators and 1 note(s) without an author",
            id="unread",
        ),
    ],
)
def test_creators_counts_notes_without_an_author_apart_from_creators(
    tmp_path, capsys, sentiment_dir, sample_model_dir, extra, said
):
    """Notes without an author, and rows that could not be read (their author unknown), are the table's
    "(no author)" row: `creators` counted that row as one more creator ("4 notes (4 failed), 1 creators" for an
    archive of unread Big5 lines)."""
    path = _archive(tmp_path)
    with open(path, "ab") as fh:
        for row in extra:
            fh.write((row if isinstance(row, bytes) else json.dumps(row, ensure_ascii=False).encode()) + b"\n")
    failed = any(isinstance(row, bytes) for row in extra)
    assert main(["creators", str(path), "-o", str(tmp_path / "a"), "--model", str(sentiment_dir),
                 "--ad-model", str(sample_model_dir)]) == int(failed)  # fmt: skip
    out = capsys.readouterr().out
    assert out.startswith(f"{4 + len(extra)} notes ({int(failed)} failed), {said}; wrote ")
    md = (tmp_path / "a" / "creators.md").read_text(encoding="utf-8")
    assert md.startswith(f"# Creators, most flagged first: {said}\n")
    table = list(csv.DictReader(open(tmp_path / "a" / "creators.csv", encoding="utf-8")))
    assert sorted(r["creator"] for r in table) == sorted(["阿梨", "bob"] + [""] * bool(extra))


def test_comments_judges_a_note_whenever_score_does(tmp_path, capsys, sentiment_dir, sample_model_dir):
    """A title with blank text is a note to judge (as in `score`), and text of only invisible marks with no title
    is blank (`score` refuses it): `comments` asked `(text or title).strip()`, which got both the other way round."""
    path = tmp_path / "notes.jsonl"
    rows = [
        {"id": "title-only", "title": "加vx领券 原价199现价99", "text": "   ", "comments": ["求链接"]},
        {"id": "invisible", "title": "", "text": "\u200b\u200b", "comments": ["求链接"]},
    ]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    assert main(["comments", str(path), "--model", str(sentiment_dir), "--ad-model", str(sample_model_dir),
                 "--json"]) == 0  # fmt: skip
    notes = {n["id"]: n for n in json.loads(capsys.readouterr().out)["notes"]}
    out = tmp_path / "s.jsonl"
    assert main(["score", str(path), "-o", str(out), "--model", str(sample_model_dir), "--jobs", "1"]) == 1
    scored = {r["id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert scored["title-only"]["decision"] is not None and "blank" in scored["invisible"]["error"]
    assert notes["title-only"]["decision"] == scored["title-only"]["decision"]
    assert notes["title-only"]["ad_probability"] == scored["title-only"]["ad_probability"]
    assert notes["invisible"]["decision"] is None and notes["invisible"]["ad_probability"] is None


def test_a_row_with_nothing_to_score_is_a_bad_row_as_in_score(tmp_path, capsys, sentiment_dir, sample_model_dir):
    """A row with no text, no title and no comments was a note without errors in `comments` and `creators`
    (exit 0) but an error row in `score`, so `creators` and `score --report` disagreed on "rows with errors"."""
    path = _archive(tmp_path)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "empty", "author": "阿梨", "text": " "}) + "\n")
    assert main(["comments", str(path), "--model", str(sentiment_dir), "--no-ad", "--json"]) == 1
    (row,) = [n for n in json.loads(capsys.readouterr().out)["notes"] if n["id"] == "empty"]
    assert row["error"] == (
        f"{path}, line 5: field 'text' is required when the title is blank and there are no comments: a note needs "
        "text, a title or comments. Got ' '."
    )
    assert main(["creators", str(path), "-o", str(tmp_path / "a"), "--model", str(sentiment_dir),
                 "--ad-model", str(sample_model_dir)]) == 1  # fmt: skip
    assert main(["score", str(path), "-o", str(tmp_path / "s.jsonl"), "--report", str(tmp_path / "b"),
                 "--model", str(sample_model_dir), "--jobs", "1"]) == 1  # fmt: skip
    tables = [list(csv.DictReader(open(tmp_path / d / "creators.csv", encoding="utf-8"))) for d in ("a", "b")]
    key = ("creator", "notes", "rows with errors", "ad share", "review share")
    assert [[r[k] for k in key] for r in tables[0]] == [[r[k] for k in key] for r in tables[1]]
