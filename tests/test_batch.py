"""Batch scoring (serve/batch/, serve/scoring.py, `notecheck score`): streaming, awkward input, resume, Dask."""

import csv
import gzip
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import ROOT, SAMPLES, stop_after_first_chunk

from model.notes import MAX_TEXT_CHARS, Record
from serve.batch import BatchConfig, Interrupted, iter_output_rows, run_batch
from serve.batch.config import ScorerSpec
from serve.batch.record import comment_rules_identity, fingerprint
from serve.charts import cjk_font
from serve.cli import main
from serve.scoring import OUTPUT_COLUMNS, RowScorer

NOTES = [
    {"id": "a1", "title": "新店开业", "text": "全场饮品第二杯半价，加vx领券，原价199现价99", "author": "店长"},
    {"id": "a2", "text": "今天去爬山了，风景超美，累但是值得", "author": "山野"},
    {"id": "a3", "title": "源头厂家直供", "text": "支持定制，V信 abc123，私信下单", "author": "店长"},
    {"id": "a4", "text": "这家面馆味道一般，排队太久了", "author": "吃货"},
    {"id": "a5", "text": "姐妹们冲！链接在主页，限时优惠", "author": "店长",
     "comments": [{"text": "求链接", "likes": 3}, "好用吗"]},
    {"id": "a6", "text": "下班做了番茄肥牛饭，酸甜开胃", "author": "吃货"},
    {"id": "a7", "text": "读完这本书很有感触，推荐给大家", "author": "山野"},
]  # fmt: skip


def write_jsonl(path: Path, rows, *, encoding="utf-8", newline="\n", bom=False) -> Path:
    text = newline.join(json.dumps(r, ensure_ascii=False) for r in rows) + newline
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding))
    return path


def write_csv(path: Path, rows, *, encoding="utf-8", newline="\n", columns=("id", "title", "text", "author")) -> Path:
    lines = [",".join(columns)]
    for r in rows:
        cells = []
        for c in columns:
            v = r.get(c)
            v = json.dumps(v, ensure_ascii=False) if isinstance(v, list) else ("" if v is None else str(v))
            cells.append('"' + v.replace('"', '""') + '"')
        lines.append(",".join(cells))
    path.write_bytes((newline.join(lines) + newline).encode(encoding))
    return path


def write_parquet(path: Path, rows) -> Path:
    cols = ("id", "title", "text", "author")
    pq.write_table(pa.table({c: [r.get(c) for r in rows] for c in cols}), path, row_group_size=3)
    return path


WRITERS = {"jsonl": write_jsonl, "csv": write_csv, "parquet": write_parquet}


def score(tmp_path, inputs, model_dir, out_name="out.jsonl", **kw):
    out = tmp_path / out_name
    cfg = BatchConfig(inputs=[str(p) for p in inputs], output=out, model_dir=model_dir, jobs=kw.pop("jobs", 1),
                      chunk_size=kw.pop("chunk_size", 3), progress=False, **kw)  # fmt: skip
    summary = run_batch(cfg, log=lambda msg: None)
    fmt = {".jsonl": "jsonl", ".csv": "csv", ".parquet": "parquet"}[out.suffix]
    return list(iter_output_rows(out, fmt)), summary


def plain(rows):
    return [{k: r[k] for k in ("id", "line", "decision", "ad_probability", "reasons", "error")} for r in rows]


# -- one output row per input row, in order, in every format -------------------------------------------------------
@pytest.mark.parametrize("fmt_in", ["jsonl", "csv", "parquet"])
@pytest.mark.parametrize("fmt_out", ["jsonl", "csv", "parquet"])
def test_every_row_yields_one_output_row_in_order(tmp_path, sample_model_dir, fmt_in, fmt_out):
    src = WRITERS[fmt_in](tmp_path / f"in.{fmt_in}", NOTES)
    rows, summary = score(tmp_path, [src], sample_model_dir, out_name=f"out.{fmt_out}")
    assert [r["id"] for r in rows] == [n["id"] for n in NOTES]
    first = 2 if fmt_in == "csv" else 1
    assert [r["line"] for r in rows] == list(range(first, first + len(NOTES)))
    assert all(r["error"] is None and r["decision"] in {"ad", "review", "genuine"} for r in rows)
    assert summary.read == summary.scored == len(NOTES) and summary.errored == 0
    if fmt_out == "jsonl":
        assert list(json.loads((tmp_path / "out.jsonl").read_text().splitlines()[0])) == list(OUTPUT_COLUMNS)
    assert not (tmp_path / f"out.{fmt_out}.parts").exists()


def test_a_flagged_row_without_reasons_says_why():
    """An auditor's "123" / "456" row was review at 0.82 with reasons [] and no warning: nothing in the output told
    why (check's advice does). Every flagged row without a reason now says so; a row with reasons does not."""
    from model import load_model
    from serve.scoring import UNEXPLAINED

    notes = [{"title": "123", "text": "456"}, {"title": "2024", "text": "普通"}, NOTES[0], NOTES[2], NOTES[1]]
    rows = RowScorer(load_model(), top=3).score_records([Record("x.jsonl", i + 1, n) for i, n in enumerate(notes)])
    bare = [r for r in rows if r["decision"] != "genuine" and not r["reasons"]]
    assert bare and rows[0] in bare  # the bare number is flagged and explains nothing
    assert all(UNEXPLAINED in (r["warning"] or "") for r in bare)
    assert all(UNEXPLAINED not in (r["warning"] or "") for r in rows if r not in bare)
    assert any(r["reasons"] for r in rows)


def test_scores_equal_the_models_check_many(sample_model):
    records = [Record("x.jsonl", i + 1, n) for i, n in enumerate(NOTES)]
    rows = RowScorer(sample_model, top=3).score_records(records)
    expected = sample_model.check_many(NOTES, top=3)
    assert [r["decision"] for r in rows] == [e.decision for e in expected]
    assert [r["ad_probability"] for r in rows] == [e.ad_probability for e in expected]
    full = sample_model.check_many(NOTES, top=100)
    assert [r["reasons"] for r in rows] == [
        [x.text() for x in e.reasons if x.direction == "ad"][:3] if e.decision != "genuine" else [] for e in full
    ]
    assert any(r["reasons"] for r in rows)
    assert {r["model_version"] for r in rows} == {sample_model.version}


def test_output_does_not_depend_on_chunk_size(tmp_path, sample_model_dir):
    src = write_jsonl(tmp_path / "in.jsonl", NOTES * 3)
    a, _ = score(tmp_path, [src], sample_model_dir, out_name="a.jsonl", chunk_size=1)
    b, _ = score(tmp_path, [src], sample_model_dir, out_name="b.jsonl", chunk_size=1000)
    assert a == b


# -- malformed rows ---------------------------------------------------------------------------------------------
MALFORMED = [
    ('{"id": "ok", "text": "好看"}', None),
    ("not json", "invalid JSON"),
    ("[1, 2]", "expected a JSON object per line, got list"),
    ('{"id": "n", "text": 3}', "field 'text' must be a string. Got int 3"),
    ('{"id": "e", "text": ""}', "field 'text' is required"),
    ('{"id": "c", "text": "好", "comments": "nope"}', "field 'comments' must be a list"),
]


def test_malformed_rows_become_error_rows(tmp_path, sample_model_dir):
    src = tmp_path / "bad.jsonl"
    src.write_text("\n".join(line for line, _ in MALFORMED) + "\n", encoding="utf-8")
    rows, summary = score(tmp_path, [src], sample_model_dir)
    assert [r["line"] for r in rows] == list(range(1, len(MALFORMED) + 1))
    for row, (_, expected) in zip(rows, MALFORMED, strict=True):
        if expected is None:
            assert row["error"] is None and row["decision"] is not None
        else:
            assert row["error"].startswith(f"{src}, line {row['line']}: ") and expected in row["error"]
            assert row["decision"] is None and row["ad_probability"] is None
    assert summary.errored == len(MALFORMED) - 1 and summary.scored == 1


def test_the_sample_archive_directory_scores_its_notes_only(tmp_path, sample_model_dir):
    """`notecheck score samples/` (the README's sample archive) reads the notes, not other labelled data kept there."""
    rows, summary = score(tmp_path, [SAMPLES], sample_model_dir, chunk_size=2000)
    notes = [json.loads(line) for line in (SAMPLES / "notes.jsonl").read_text("utf-8").splitlines()]
    assert {r["file"] for r in rows} == {str(SAMPLES / "notes.jsonl")}
    assert [r["id"] for r in rows] == [n["id"] for n in notes] and summary.errored == 0


def test_blank_lines_are_not_rows(tmp_path, sample_model_dir):
    src = tmp_path / "gaps.jsonl"
    src.write_text('\n{"text": "好看"}\n\n   \n{"text": "加v"}\n', encoding="utf-8")
    rows, _ = score(tmp_path, [src], sample_model_dir)
    assert [r["line"] for r in rows] == [2, 5]


# -- empty files, files that are not what their extension says -------------------------------------------------
@pytest.mark.parametrize(
    ("name", "content"),
    [("e.jsonl", b""), ("e.jsonl", b"\n\n"), ("e.csv", b""), ("e.csv", b"id,text\n"), ("e.parquet", None)],
)
def test_empty_files_give_no_rows_and_a_note(tmp_path, sample_model_dir, name, content):
    src = tmp_path / name
    if content is None:
        pq.write_table(pa.table({"id": pa.array([], pa.string()), "text": pa.array([], pa.string())}), src)
    else:
        src.write_bytes(content)
    rows, summary = score(tmp_path, [src], sample_model_dir)
    assert rows == [] and summary.read == 0
    assert any("empty" in n or "no rows" in n for n in summary.notes)


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        ("p.jsonl", lambda p: write_parquet(p, NOTES[:1]), "the file is Parquet, not JSONL"),
        ("t.parquet", lambda p: p.write_text('{"text": "x"}\n'), "it is JSON Lines text: rename it to .jsonl"),
        ("c.parquet", lambda p: p.write_text("id,title,text\n1,,x\n"), "it is CSV text: rename it to .csv"),
        ("b.parquet", lambda p: p.write_bytes(b"\x00\x01garbage"), "not a readable Parquet file ("),
        ("g.csv", lambda p: p.write_bytes(gzip.compress(b"id,text\n1,x\n")), "compressed"),
        ("a.json", lambda p: p.write_text('[{"text": "x"}]'), "JSON array, not JSON Lines"),
        ("u.jsonl", lambda p: p.write_bytes('{"text": "好"}\n'.encode("utf-16")), "UTF-16"),
    ],
)
def test_file_that_is_not_what_its_extension_says(tmp_path, sample_model_dir, name, make, message):
    bad, good = tmp_path / name, write_jsonl(tmp_path / "good.jsonl", NOTES[:2])
    make(bad)
    rows, summary = score(tmp_path, [bad, good], sample_model_dir)
    assert len(rows) == 3 and rows[0]["line"] == 0 and rows[0]["file"] == str(bad)
    assert message in rows[0]["error"] and rows[0]["error"].startswith(f"{bad}, line 0: ")
    assert [r["error"] for r in rows[1:]] == [None, None] and summary.file_errors == 1


@pytest.mark.parametrize(
    ("fmt_in", "row", "why"),
    [
        ("jsonl", b'["stray header row"]\n', "expected a JSON object per line"),  # a list alone: one bad row
        ("jsonl", b'{"id": "n", "text": "abc\x00def"}\n', "invalid JSON"),  # a NUL in one row: its error
        ("csv", b"n,,abc\x00def,x\n", None),
    ],
)
def test_one_damaged_row_at_the_start_of_a_file_loses_no_other(tmp_path, sample_model_dir, fmt_in, row, why):
    """Judged on the file's first 4 KiB, one stray list or one NUL byte there made the whole file one error (an
    auditor's archive of 5,000 notes scored 0); past 4 KiB the same row was one bad row."""
    good = WRITERS[fmt_in](tmp_path / f"g.{fmt_in}", NOTES).read_bytes()
    header, body = good.split(b"\n", 1) if fmt_in == "csv" else (b"", good)
    path = tmp_path / f"damaged.{fmt_in}"
    path.write_bytes((header + b"\n" if header else b"") + row + body)
    rows, summary = score(tmp_path, [path], sample_model_dir)
    assert [r["id"] for r in rows[1:]] == [n["id"] for n in NOTES] and all(r["error"] is None for r in rows[1:])
    assert len(rows) == len(NOTES) + 1 and summary.file_errors == 0
    assert (why or "") in (rows[0]["error"] or "")


def test_one_nul_among_long_rows_is_one_bad_row(tmp_path, sample_model_dir):
    """Rows of 3 KB put one or two lines in the 4 KiB the file is judged on: a rule of "most lines hold a NUL"
    refused the file for one NUL again (a review of the change found it)."""
    body = "今天去了一家新开的咖啡店，环境很好，拿铁味道也不错，" * 40
    rows = [json.dumps({"id": f"n{i}", "text": body}, ensure_ascii=False).encode() for i in range(5)]
    rows[0] = rows[0].replace("环境".encode(), "环境".encode() + b"\x00", 1)
    path = tmp_path / "long.jsonl"
    path.write_bytes(b"\n".join(rows) + b"\n")
    out, summary = score(tmp_path, [path], sample_model_dir)
    assert [r["id"] for r in out[1:]] == [f"n{i}" for i in range(1, 5)] and all(r["error"] is None for r in out[1:])
    assert "invalid JSON" in out[0]["error"] and summary.file_errors == 0


def test_a_json_array_of_exactly_4096_bytes_is_named_so(tmp_path, sample_model_dir):
    items, text = [], ""
    while len(text) < 4096:
        items.append({"text": "x" * 50})
        text = json.dumps(items)
    text = text[: 4096 - 8].rsplit(",", 1)[0] + "]"
    # one line and its line break, 4,096 bytes in all: the head the sniff reads is the whole file (as a JSON dump
    # with a final newline writes it), which the head's length alone could not tell
    text = text + " " * (4095 - len(text.encode())) + "\n"
    path = tmp_path / "a.jsonl"
    path.write_bytes(text.encode())
    assert path.stat().st_size == 4096
    rows, _ = score(tmp_path, [path], sample_model_dir)
    assert len(rows) == 1 and "JSON array, not JSON Lines" in rows[0]["error"]


@pytest.mark.parametrize(
    "content",
    [b'[{"text": "x"}, {"text": "y"}]', b'[\n{"text": "x"},\n{"text": "y"}\n]\n', b'[{"text": "x"},\n{"text": "y"}]\n'],
)
def test_a_json_array_file_is_still_named_so(tmp_path, sample_model_dir, content):
    path = tmp_path / "a.jsonl"
    path.write_bytes(content)
    rows, summary = score(tmp_path, [path], sample_model_dir)
    assert len(rows) == 1 and "JSON array, not JSON Lines" in rows[0]["error"] and summary.file_errors == 1


def test_file_level_error_sets_exit_code_1(tmp_path, capsys, sample_model_dir):
    """... and is said once: it was an `error:` line and again a `note:` line with the same words."""
    bad = tmp_path / "t.parquet"
    bad.write_text("hello")
    assert main(["score", str(bad), "--model", str(sample_model_dir)]) == 1
    err = capsys.readouterr().err
    assert err.count("not a readable Parquet file") == 1 and f"error: {bad}, line 0: not a readable Parquet" in err


def test_csv_content_named_jsonl_is_noted_and_every_row_errors(tmp_path, sample_model_dir):
    src = write_csv(tmp_path / "really_csv.jsonl", NOTES[:3])
    rows, summary = score(tmp_path, [src], sample_model_dir)
    assert len(rows) == 4 and all("invalid JSON" in r["error"] for r in rows)
    assert any("not JSON" in n for n in summary.notes)


# -- encodings, BOM, CRLF ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
@pytest.mark.parametrize(
    ("variant", "kwargs"),
    [
        ("gbk", {"encoding": "gbk"}),
        ("gb18030", {"encoding": "gb18030"}),
        ("bom", {"encoding": "utf-8", "bom": True}),
        ("crlf", {"encoding": "utf-8", "newline": "\r\n"}),
        ("bom+crlf", {"encoding": "utf-8", "bom": True, "newline": "\r\n"}),
    ],
)
def test_encodings_bom_and_crlf_score_like_plain_utf8(tmp_path, sample_model_dir, fmt, variant, kwargs):
    plain_src = WRITERS[fmt](tmp_path / f"plain.{fmt}", NOTES)
    if fmt == "csv":
        bom = kwargs.pop("bom", False)
        src = write_csv(tmp_path / f"v.{fmt}", NOTES, **kwargs)
        if bom:
            src.write_bytes(b"\xef\xbb\xbf" + src.read_bytes())
    else:
        src = write_jsonl(tmp_path / f"v.{fmt}", NOTES, **kwargs)
    expected, _ = score(tmp_path, [plain_src], sample_model_dir, out_name="a.jsonl")
    got, _ = score(tmp_path, [src], sample_model_dir, out_name="b.jsonl")
    assert plain(got) == plain(expected)


def test_explicit_encoding_is_strict_and_names_the_encoding(tmp_path, sample_model_dir):
    src = tmp_path / "mixed.jsonl"
    src.write_bytes(
        json.dumps(NOTES[1], ensure_ascii=False).encode("gbk")
        + b"\n"
        + json.dumps(NOTES[3], ensure_ascii=False).encode()
    )
    auto, _ = score(tmp_path, [src], sample_model_dir, out_name="a.jsonl")
    assert [r["error"] for r in auto] == [None, None]  # mixed GBK/UTF-8 lines are detected line by line
    strict, _ = score(tmp_path, [src], sample_model_dir, out_name="b.jsonl", encoding="gbk")
    assert strict[0]["error"] is None and "not valid gbk" in strict[1]["error"]


def test_undecodable_line_is_an_error_row(tmp_path, sample_model_dir):
    src = tmp_path / "junk.jsonl"
    src.write_bytes(b'{"text": "\xff\xff\xff\xff"}\n{"text": "ok"}\n')
    rows, _ = score(tmp_path, [src], sample_model_dir)
    assert "neither UTF-8 (byte 11 of the line) nor GB18030" in rows[0]["error"] and rows[1]["error"] is None


# -- columns, ids, huge rows --------------------------------------------------------------------------------------
def test_missing_text_column(tmp_path, sample_model_dir):
    src = write_csv(tmp_path / "notext.csv", NOTES[:3], columns=("id", "body", "author"))
    rows, summary = score(tmp_path, [src], sample_model_dir)
    assert len(rows) == 3 and all("field 'text' is required" in r["error"] for r in rows)
    assert any("no 'text' (or 'description') column; the columns are: id, body, author" in n for n in summary.notes)


def test_chasm_description_column_is_text(tmp_path, sample_model_dir):
    src = write_csv(tmp_path / "chasm.csv", [{"id": "c1", "title": "t", "description": "加vx领券"}],
                    columns=("id", "title", "description"))  # fmt: skip
    rows, summary = score(tmp_path, [src], sample_model_dir)
    assert rows[0]["error"] is None and not [n for n in summary.notes if "column" in n]


def test_duplicated_ids_are_kept_and_counted(tmp_path, sample_model_dir):
    dup = [dict(n, id="same") for n in NOTES[:3]] + [NOTES[3]]
    a = write_jsonl(tmp_path / "a.jsonl", dup)
    b = write_jsonl(tmp_path / "b.jsonl", NOTES[3:4])
    rows, summary = score(tmp_path, [a, b], sample_model_dir, chunk_size=2)
    assert [r["id"] for r in rows] == ["same", "same", "same", "a4", "a4"]
    assert all(r["error"] is None for r in rows)
    assert any(n.startswith("3 row(s) repeat an id seen earlier (2 distinct id(s)") for n in summary.notes)


def test_multi_megabyte_rows(tmp_path, sample_model_dir):
    big_text = "加vx领券，原价199现价99，" * 200_000  # 3.2 M characters, about 8 MB of UTF-8
    src = write_jsonl(tmp_path / "big.jsonl", [{"id": "big", "text": big_text}, NOTES[1]])
    rows, _ = score(tmp_path, [src], sample_model_dir)
    assert rows[0]["decision"] is None  # read whole, refused by the one text limit
    assert f"field 'text' must be at most {MAX_TEXT_CHARS:,} characters. Got {len(big_text):,}" in rows[0]["error"]
    assert rows[1]["error"] is None and rows[1]["warning"] is None
    limited, _ = score(tmp_path, [src], sample_model_dir, out_name="l.jsonl", max_row_bytes=1 << 20)
    size = len(src.read_bytes().split(b"\n")[0]) + 1
    assert f"the row is {size:,} bytes, more than the limit of 1,048,576 bytes" in limited[0]["error"]
    assert limited[1]["id"] == "a2" and limited[1]["error"] is None


def test_inputs_directories_and_globs(tmp_path, sample_model_dir):
    d = tmp_path / "archive"
    (d / "sub").mkdir(parents=True)
    write_jsonl(d / "b.jsonl", NOTES[:2])
    write_csv(d / "sub" / "a.csv", NOTES[2:4])
    (d / "readme.txt").write_text("not notes")
    rows, summary = score(tmp_path, [d], sample_model_dir)
    assert [r["id"] for r in rows] == ["a1", "a2", "a3", "a4"] and len(summary.files) == 2
    rows, _ = score(tmp_path, [str(d / "**" / "*.csv")], sample_model_dir, out_name="g.jsonl")
    assert [r["id"] for r in rows] == ["a3", "a4"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["nothere.jsonl"], "nothere.jsonl: no such file"),
        (["{d}/x.txt"], "unsupported file type '.txt'"),
        (["{d}/*.csv"], "matches no note files"),
        (
            ["{d}/x.txt", "-o", "{d}/out.xlsx"],
            "The -o/--output option (output) must end in .jsonl, .ndjson, .csv or "
            ".parquet (the extension picks the format). Got '{d}/out.xlsx' (extension '.xlsx').",
        ),
        (["{d}/in.jsonl", "--resume"], "--resume needs the output path (-o)"),
        (["{d}/in.jsonl", "--jobs", "0"], "The --jobs option (jobs) must be a positive integer. Got 0"),
    ],
)
def test_usage_errors_are_clear(tmp_path, capsys, sample_model_dir, argv, message):
    write_jsonl(tmp_path / "in.jsonl", NOTES[:1])
    (tmp_path / "x.txt").write_text("x")
    argv = [a.format(d=tmp_path) for a in argv]
    assert main(["score", *argv, "--model", str(sample_model_dir)]) == 2
    assert message.format(d=tmp_path) in capsys.readouterr().err


def test_no_output_prints_a_summary(capsys, sample_model_dir):
    assert main(["score", str(SAMPLES / "notes.jsonl"), "--model", str(sample_model_dir)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("scored 120 of 120 notes from 1 file(s)") and "most ad-like notes:" in out
    assert "(ad share " in out and "notes/s" in out


# -- parallel, resume ---------------------------------------------------------------------------------------------
@pytest.mark.slow  # starts two worker processes (~30 s on a loaded 2-core machine)
def test_jobs_2_output_is_identical_to_jobs_1(tmp_path, sample_model_dir):
    src = write_jsonl(tmp_path / "in.jsonl", NOTES * 4)
    for jobs in (1, 2):
        out = tmp_path / f"j{jobs}.csv"
        cfg = BatchConfig(inputs=[str(src)], output=out, model_dir=sample_model_dir, jobs=jobs, chunk_size=5,
                          progress=False)  # fmt: skip
        run_batch(cfg)
    assert (tmp_path / "j1.csv").read_bytes() == (tmp_path / "j2.csv").read_bytes()


def _score_cmd(src, out, model_dir, *extra):
    code = "import sys; from serve.cli import main; sys.exit(main())"
    return [sys.executable, "-c", code, "score", str(src), "-o", str(out), "--model", str(model_dir), "--jobs", "1",
            "--chunk-size", "40", "--no-progress", *extra]  # fmt: skip


@pytest.mark.slow  # two notecheck processes, one killed mid-run (~1 min on a loaded 2-core machine)
def test_resume_after_a_killed_run_gives_identical_output(tmp_path, sample_model_dir):
    rows = [dict(n, id=f"{n['id']}-{i}") for i in range(300) for n in NOTES]  # 2,100 rows, 53 chunks
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    full, part = tmp_path / "full.jsonl", tmp_path / "resumed.jsonl"
    assert main(_score_cmd(src, full, sample_model_dir)[3:]) == 0  # the uninterrupted run, in this process

    proc = subprocess.Popen(_score_cmd(src, part, sample_model_dir), cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # fmt: skip
    manifest = tmp_path / "resumed.jsonl.parts" / "_manifest.jsonl"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        if manifest.is_file() and len(manifest.read_text().splitlines()) >= 4:  # fingerprint + 3 chunks
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the run finished before it could be killed; make the input larger"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not part.exists()
    done_before = len(manifest.read_text().splitlines()) - 1
    assert 3 <= done_before < 53

    res = subprocess.run(_score_cmd(src, part, sample_model_dir, "--resume"), cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert f"note: resumed: {done_before} of 53 chunk(s) were already done" in res.stderr
    assert "scored 2100 of 2100 notes" in res.stdout
    assert part.read_bytes() == full.read_bytes()
    assert not (tmp_path / "resumed.jsonl.parts").exists()


def test_resume_refuses_changed_inputs(tmp_path, capsys, sample_model_dir):
    src = write_jsonl(tmp_path / "in.jsonl", NOTES)
    out = tmp_path / "out.jsonl"
    parts = tmp_path / "out.jsonl.parts"
    parts.mkdir()
    (parts / "_manifest.jsonl").write_text(json.dumps({"fingerprint": {"manifest_version": 1, "chunk_size": 7}}) + "\n")
    argv = ["score", str(src), "-o", str(out), "--resume", "--model", str(sample_model_dir), "--jobs", "1"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "--resume: the unfinished run in" in err and "chunk_size" in err and "Run without --resume" in err


def test_resume_says_which_input_changed(tmp_path, capsys, monkeypatch, sample_model_dir):
    """The refusal printed both fingerprints as JSON cut at 300 characters: with 40 input files the one that
    changed was past the cut, and nothing said which it was. Now each change is named."""

    srcs = [write_jsonl(tmp_path / f"in-{i:02d}.jsonl", NOTES[:2]) for i in range(40)]
    out = tmp_path / "out.jsonl"
    cfg = BatchConfig(inputs=[str(tmp_path)], output=out, model_dir=sample_model_dir, jobs=1, chunk_size=3,
                      progress=False)  # fmt: skip
    stop_after_first_chunk(monkeypatch, cfg)
    before = srcs[-1].stat().st_size
    write_jsonl(srcs[-1], NOTES[:3])
    after = srcs[-1].stat().st_size
    write_jsonl(tmp_path / "new.jsonl", NOTES[:1])
    argv = ["score", str(tmp_path), "-o", str(out), "--resume", "--model", str(sample_model_dir), "--jobs", "1",
            "--chunk-size", "4", "--no-progress"]  # fmt: skip
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert f"{srcs[-1]} changed since the run started ({before:,} bytes then, {after:,} now)" in err
    assert f"{tmp_path / 'new.jsonl'} was not an input then" in err
    assert "chunk_size 3 then, 4 now" in err
    assert str(srcs[0]) not in err and "Run without --resume to start over." in err


@pytest.mark.parametrize("named", ["relative", "absolute"])
def test_resume_says_when_an_input_is_the_same_file_named_another_way(
    tmp_path, capsys, monkeypatch, sample_model_dir, named
):
    """Resumed with the input named otherwise (relative after absolute, or from another directory), the refusal
    said "in.jsonl was not an input then; /tmp/.../in.jsonl is not an input now" about one and the same file."""
    src = write_jsonl(tmp_path / "in.jsonl", NOTES[:4])
    out = tmp_path / "out.jsonl"
    monkeypatch.chdir(tmp_path)
    first, again = ("in.jsonl", str(src)) if named == "relative" else (str(src), "in.jsonl")
    cfg = BatchConfig(inputs=[first], output=out, model_dir=sample_model_dir, jobs=1, chunk_size=2, progress=False)
    stop_after_first_chunk(monkeypatch, cfg)
    argv = ["score", again, "-o", str(out), "--resume", "--model", str(sample_model_dir), "--jobs", "1",
            "--chunk-size", "2", "--no-progress"]  # fmt: skip
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert f"inputs: {again} is {first} named another way (rows give each file as named: name it as then)." in err
    assert "was not an input then" not in err and "is not an input now" not in err


@pytest.mark.parametrize(
    ("finished", "code", "message"),
    [
        (True, 2, "--resume: there is no unfinished run to continue: {parts} does not exist and {out} does"),
        (False, 0, "note: --resume: no unfinished run to continue ({parts} does not exist); scoring from the start"),
    ],
)
def test_resume_with_no_unfinished_run_says_so(tmp_path, capsys, sample_model_dir, finished, code, message):
    """After a finished run (its parts removed), --resume cannot tell whether the output matches this command:
    it refuses and leaves the output alone, rather than rescoring silently; with no output either, it starts."""
    src = write_jsonl(tmp_path / "in.jsonl", NOTES[:3])
    out, parts = tmp_path / "out.jsonl", tmp_path / "out.jsonl.parts"
    argv = ["score", str(src), "-o", str(out), "--model", str(sample_model_dir), "--jobs", "1", "--no-progress"]
    if finished:
        assert main(argv) == 0
        out.write_text(out.read_text(encoding="utf-8") + "{}\n", encoding="utf-8")  # any later rescoring shows
        before = out.read_bytes()
        capsys.readouterr()
    assert main([*argv, "--resume"]) == code
    err = capsys.readouterr().err
    assert message.format(parts=parts, out=out) in err
    if finished:
        assert out.read_bytes() == before and "this run replaces it" not in err and not parts.exists()
    else:
        assert len(out.read_text(encoding="utf-8").splitlines()) == 3


def test_resume_refuses_other_comment_rules(tmp_path, capsys, monkeypatch, sample_model_dir):

    src = write_jsonl(tmp_path / "in.jsonl", NOTES * 3)
    out = tmp_path / "out.jsonl"
    cfg = BatchConfig(inputs=[str(src)], output=out, model_dir=sample_model_dir, jobs=1, chunk_size=3, progress=False)
    stop_after_first_chunk(monkeypatch, cfg)
    manifest = tmp_path / "out.jsonl.parts" / "_manifest.jsonl"
    lines = manifest.read_text(encoding="utf-8").splitlines()
    first = json.loads(lines[0])
    assert first["fingerprint"]["comment_rules"].startswith("sha256:")
    first["fingerprint"]["comment_rules"] = "sha256:0000000000000000"  # as scored by an older notecheck
    manifest.write_text("\n".join([json.dumps(first), *lines[1:]]) + "\n", encoding="utf-8")
    argv = ["score", str(src), "-o", str(out), "--resume", "--model", str(sample_model_dir), "--jobs", "1",
            "--chunk-size", "3", "--no-progress"]  # fmt: skip
    assert main(argv) == 2
    assert "different comment_rules" in capsys.readouterr().err
    # Without comments the comment rules cannot change the rows, so they are not part of the run's identity.
    assert "comment_rules" not in fingerprint(cfg, [src], "jsonl", ScorerSpec(comments=False))


def test_comment_rules_identity_follows_every_file(tmp_path):
    files = [tmp_path / "keywords.json", tmp_path / "negation.py", tmp_path / "model_card.json"]
    for i, f in enumerate(files):
        f.write_text(f"version {i}", encoding="utf-8")
    before = comment_rules_identity(files)
    assert comment_rules_identity(files) == before
    for f in files:
        f.write_text(f.read_text(encoding="utf-8") + " edited", encoding="utf-8")
        changed = comment_rules_identity(files)
        assert changed != before
        before = changed
    files[1].unlink()
    assert comment_rules_identity(files) != before


def test_interrupt_keeps_finished_chunks(tmp_path, monkeypatch, sample_model_dir):
    import serve.batch.score as batch_score

    src = write_jsonl(tmp_path / "in.jsonl", NOTES * 3)
    real, calls = batch_score.score_chunk, []

    def flaky(chunk, *a):
        calls.append(chunk.index)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(chunk, *a)

    monkeypatch.setattr(batch_score, "score_chunk", flaky)
    out = tmp_path / "out.jsonl"
    cfg = BatchConfig(inputs=[str(src)], output=out, model_dir=sample_model_dir, jobs=1, chunk_size=3, progress=False)
    with pytest.raises(Interrupted, match="^interrupted: stopped after 2 of 7 chunk"):
        run_batch(cfg)
    monkeypatch.setattr(batch_score, "score_chunk", real)
    cfg.resume = True
    summary = run_batch(cfg)
    assert summary.read == 21 and summary.resumed_rows == 6
    assert [r["line"] for r in iter_output_rows(out, "jsonl")] == list(range(1, 22))


def test_an_interrupted_run_leaves_no_temporary_file(tmp_path, monkeypatch, sample_model_dir):
    """An auditor's Ctrl-C to the process group left \".part-000024.jsonl.tmp-3946-…\" in OUTPUT.parts in 2 of 3
    runs: the workers, stopped mid-write, cannot remove theirs (the parent does once they are gone), and a write
    interrupted in the parent kept its own (only an OSError removed it)."""
    import serve.batch.score as batch_score
    from serve.batch.writers import writing

    src = write_jsonl(tmp_path / "in.jsonl", NOTES * 3)
    real, calls = batch_score.score_chunk, []
    parts = tmp_path / "out.jsonl.parts"

    def stopped_mid_write(chunk, *a):
        calls.append(chunk.index)
        if len(calls) == 2:
            (parts / f".part-{chunk.index:06d}.jsonl.tmp-99999-1").write_bytes(b"half a part")  # as a killed worker
            raise KeyboardInterrupt
        return real(chunk, *a)

    monkeypatch.setattr(batch_score, "score_chunk", stopped_mid_write)
    cfg = BatchConfig(inputs=[str(src)], output=tmp_path / "out.jsonl", model_dir=sample_model_dir, jobs=1,
                      chunk_size=3, progress=False)  # fmt: skip
    with pytest.raises(Interrupted):
        run_batch(cfg)
    assert parts.is_dir() and not list(parts.glob(".*.tmp-*"))

    tmp = tmp_path / ".x.tmp-1"
    with pytest.raises(KeyboardInterrupt), writing(tmp_path / "x", tmp):
        tmp.write_bytes(b"half")
        raise KeyboardInterrupt
    assert not tmp.exists()


# -- Dask --------------------------------------------------------------------------------------------------------
def test_dask_local_cluster_equals_local_engine(tmp_path, sample_model_dir):
    distributed = pytest.importorskip("distributed")
    a = write_jsonl(tmp_path / "a.jsonl", [*NOTES, {"id": "bad", "text": 5}])
    b = write_parquet(tmp_path / "b.parquet", NOTES[:4])
    local, _ = score(tmp_path, [a, b], sample_model_dir, out_name="local.jsonl")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, protocol="tcp", host="127.0.0.1",
                                  dashboard_address=None) as cluster:  # fmt: skip
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        out = tmp_path / "dask.jsonl"
        argv = ["score", str(a), str(b), "-o", str(out), "--engine", "dask", "--scheduler", cluster.scheduler_address,
                "--model", str(sample_model_dir), "--chunk-size", "3"]  # fmt: skip
        assert main(argv) == 1  # the bad row
    assert out.is_dir() and (out / "_SUCCESS").is_file()
    assert sorted(p.name for p in out.glob("part-*.jsonl")) == [f"part-{i:06d}.jsonl" for i in range(5)]
    assert list(iter_output_rows(out, "jsonl")) == local


def test_a_dask_parquet_output_reads_as_one_dataset(tmp_path, sample_model_dir):
    """The Dask engine's output directory held manifest.jsonl, part-NNNNNN.ids and crossnote-*.npz beside the parts,
    and pyarrow.parquet.read_table(OUTPUT) (as pandas, Spark and dask read a partitioned directory) failed on them.
    The bookkeeping files start with "_", which those readers skip, as they skip _SUCCESS."""
    distributed = pytest.importorskip("distributed")
    commented = [{**n, "author": "店长", "comments": ["求链接", "好看"]} for n in NOTES]
    a = write_jsonl(tmp_path / "a.jsonl", commented)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp", host="127.0.0.1",
                                  dashboard_address=None) as cluster:  # fmt: skip
        out = tmp_path / "scored.parquet"
        argv = ["score", str(a), "-o", str(out), "--engine", "dask", "--scheduler", cluster.scheduler_address,
                "--model", str(sample_model_dir), "--chunk-size", "3"]  # fmt: skip
        assert main(argv) == 0
    names = sorted(p.name for p in out.iterdir())
    assert "_manifest.jsonl" in names and any(n.startswith("_crossnote-") for n in names), names
    assert all(n.startswith(("part-", "_")) and (n.endswith(".parquet") or n.startswith("_")) for n in names), names
    table = pq.read_table(out)
    assert table.num_rows == len(NOTES) and table.column("id").to_pylist() == [n.get("id") for n in NOTES]


# -- per-creator report --------------------------------------------------------------------------------------------
def test_report_per_creator(tmp_path, sample_model_dir):
    src = write_jsonl(tmp_path / "in.jsonl", [*NOTES, {"id": "x", "text": 1, "author": "山野"}])
    rows, summary = score(tmp_path, [src], sample_model_dir, report_dir=tmp_path / "report")
    report = tmp_path / "report"
    with open(report / "creators.csv", encoding="utf-8") as fh:
        table = {r["creator"]: r for r in csv.DictReader(fh)}
    assert set(table) == {"店长", "山野", "吃货"}
    for author, r in table.items():
        mine = [x for x in rows if x["author"] == author]
        decided = [x for x in mine if x["decision"] is not None]
        assert int(r["notes"]) == len(mine)
        assert float(r["ad share"]) == pytest.approx(sum(x["decision"] == "ad" for x in decided) / len(decided))
    assert int(table["山野"]["rows with errors"]) == 1
    md = (report / "creators.md").read_text(encoding="utf-8")
    # Without a CJK font the chart names creators by id, and the report adds the table of ids (serve/charts.py):
    # a new user's machine may have none, CI has one.
    main_table, key, ids = md.partition("| id | creator |")
    assert bool(key) == (cjk_font() is None)
    assert main_table.count("\n| ") == 1 + 3 and "| creator | notes | rows with errors |" in main_table
    assert all(f"| {name} |" in ids for name in table) if key else not ids
    assert (report / "creators.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert any("per-creator report" in n for n in summary.notes)


# -- comment scores ------------------------------------------------------------------------------------------------
def test_comment_keyword_ratio_reads_negation(tmp_path, sample_model_dir, tiny_comment_scorer):
    """`notecheck score` with comments: 不会再回购了 is no purchase intent, 不是广告吧 still ad suspicion."""
    notes = [
        {"id": "neg", "text": "周末爬山", "comments": ["不会再回购了", "不想入", "不是广告吧", "不是广告！", "已下单"]}
    ]
    rows, _ = score(tmp_path, [write_jsonl(tmp_path / "in.jsonl", notes)], sample_model_dir)
    ratios = rows[0]["comments"]["keyword_ratio"]
    assert ratios == {"purchase_intent": pytest.approx(1 / 5), "ad_suspicion": pytest.approx(1 / 5)}


def test_keyword_file_exclude_and_negation_apply_as_in_the_comments_command(
    tmp_path, sample_model_dir, tiny_comment_scorer
):
    kw = tmp_path / "kw.json"
    kw.write_text(
        json.dumps({"兰若": {"keywords": ["兰若"], "exclude": ["兰若寺"], "negation": "cancel"}}, ensure_ascii=False),
        encoding="utf-8",
    )
    notes = [{"id": "b", "text": "周末爬山", "comments": ["不是兰若", "兰若好用", "兰若寺好玩", "不会再回购"]}]
    rows, _ = score(tmp_path, [write_jsonl(tmp_path / "in.jsonl", notes)], sample_model_dir, keywords_file=kw)
    report = rows[0]["comments"]
    assert report["matched_comments"] == {"purchase_intent": [], "ad_suspicion": [], "兰若": [1]}
    expected = tiny_comment_scorer.with_keywords(
        {"兰若": ["兰若"]}, exclude={"兰若": ["兰若寺"]}, negation={"兰若": "cancel"}
    )
    assert report["keyword_ratio"] == expected.score(notes[0]["comments"]).to_dict()["keyword_ratio"]


def test_comment_scores_keywords_and_report(tmp_path, sample_model_dir, tiny_comment_scorer):
    kw = tmp_path / "kw.json"
    kw.write_text(json.dumps({"兰若面霜": ["兰若"], "求购": ["求链接"]}, ensure_ascii=False), encoding="utf-8")
    notes = [
        *NOTES,
        {"id": "k", "text": "用了兰若面霜", "author": "山野", "comments": ["兰若好用吗", "求链接", "一般"]},
    ]
    src = write_jsonl(tmp_path / "in.jsonl", notes)
    rows, _ = score(tmp_path, [src], sample_model_dir, keywords_file=kw, report_dir=tmp_path / "rep")
    with_comments = {r["id"]: r["comments"] for r in rows if r["comments"] is not None}
    assert set(with_comments) == {"a5", "k"}
    assert with_comments["a5"]["n_comments"] == 2 and with_comments["k"]["n_comments"] == 3
    assert with_comments["k"]["keyword_ratio"]["兰若面霜"] == pytest.approx(1 / 3)
    assert with_comments["a5"]["keyword_ratio"]["求购"] == pytest.approx(1 / 2)
    assert "comments" not in with_comments["k"]  # per-comment details are left out of archive rows
    expected = tiny_comment_scorer.score(notes[-1]["comments"], {"兰若面霜": ["兰若"], "求购": ["求链接"]}).to_dict()
    assert with_comments["k"]["positive_share"] == expected["positive_share"]
    with open(tmp_path / "rep" / "creators.csv", encoding="utf-8") as fh:
        table = {r["creator"]: r for r in csv.DictReader(fh)}
    assert float(table["山野"]["兰若面霜 ratio"]) == pytest.approx(1 / 3)
    assert int(table["店长"]["comments"]) == 2 and table["吃货"]["求购 ratio"] == ""
    md = (tmp_path / "rep" / "creators.md").read_text(encoding="utf-8")
    header = next(line for line in md.splitlines() if line.startswith("| creator |"))
    shan = next(line for line in md.splitlines() if line.startswith("| 山野 |"))
    cells = dict(zip(header.strip("| ").split(" | "), shan.strip("| ").split(" | "), strict=True))
    assert float(cells["兰若面霜 ratio"]) == pytest.approx(1 / 3, abs=5e-4)  # the same column as in the CSV


def test_summary_says_why_a_flagged_note_has_no_reasons():
    """A flagged note with no phrase towards ad (a one-letter note) is listed with words, not a blank."""
    from serve.scoring import Summary

    text = Summary(files=["a.jsonl"], read=2, scored=2, flagged=[("s1", 0.97, "联系方式 contact details: “加vx”"),
                                                                  ("s2", 0.89, "")]).render()  # fmt: skip
    lines = text.splitlines()
    assert lines[-2].endswith("“加vx”") and lines[-1].endswith(
        "p=0.890  (no phrase points to an ad: a person reads it)"
    )


def test_an_input_named_as_the_output_is_refused_and_kept(tmp_path, capsys, sample_model_dir):
    """`score notes.jsonl -o notes.jsonl` replaced the notes with their scores: refused before anything is written."""
    src = write_jsonl(tmp_path / "notes.jsonl", NOTES)
    before = src.read_bytes()
    assert main(["score", str(src), "-o", str(src), "--model", str(sample_model_dir)]) == 2
    assert "is where this run writes its output (-o/--output)" in capsys.readouterr().err
    assert src.read_bytes() == before and not (tmp_path / "notes.jsonl.parts").exists()
    queue = write_jsonl(tmp_path / "queue.jsonl", NOTES)
    assert main(["review", str(queue), "-n", "1", "-o", str(queue), "--model", str(sample_model_dir)]) == 2
    assert queue.read_bytes() == before


@pytest.mark.parametrize("manifest", ["_manifest.jsonl", "manifest.jsonl"])  # the run record's name, and its old one
def test_a_directory_leaves_out_what_score_wrote_there(tmp_path, capsys, sample_model_dir, manifest):
    """`score archive/ -o archive/scored.jsonl`, then `score archive/ -o elsewhere`: the earlier output (and a run
    directory with its manifest) read as notes gave every scored row again as an error row."""
    archive = tmp_path / "archive"
    archive.mkdir()
    write_jsonl(archive / "notes.jsonl", NOTES)
    model = ["--model", str(sample_model_dir)]
    assert main(["score", str(archive), "-o", str(archive / "scored.csv"), *model]) == 0
    parts = archive / "old.jsonl.parts"
    parts.mkdir()
    (parts / manifest).write_text('{"fingerprint": {"manifest_version": 1}}\n', encoding="utf-8")
    (parts / "part-000000.jsonl").write_text((archive / "notes.jsonl").read_text(encoding="utf-8"), encoding="utf-8")
    capsys.readouterr()
    out = tmp_path / "again.jsonl"
    assert main(["score", str(archive), "-o", str(out), *model]) == 0
    err = capsys.readouterr().err
    assert f"skipped 3 files written by notecheck (old.jsonl.parts/{manifest}, old.jsonl.parts/part-" in err
    rows = list(iter_output_rows(out, "jsonl"))
    assert {r["file"] for r in rows} == {str(archive / "notes.jsonl")} and len(rows) == len(NOTES)
    assert main(["score", str(archive / "scored.csv"), "-o", str(tmp_path / "named.jsonl"), *model]) == 1  # named: read


def test_a_file_named_twice_is_read_once(tmp_path, capsys, sample_model_dir):
    """`score archive/ archive/notes.jsonl` (or a file named twice) read the file twice: every note twice, and each
    comment of a creator a cross-note duplicate of its own copy, so the water rules flagged them all."""
    archive = tmp_path / "archive"
    archive.mkdir()
    comments = ["山顶的日出真的太美了，值得早起看一次", "好看"]
    notes = [{"id": f"n{i}", "author": "阿梨", "text": f"第{i}天去爬山", "comments": comments} for i in range(3)]
    write_jsonl(archive / "notes.jsonl", notes)
    model = ["--model", str(sample_model_dir), "--jobs", "1"]
    assert main(["score", str(archive), "-o", str(tmp_path / "once.jsonl"), *model]) == 0
    capsys.readouterr()
    named = [str(archive), str(archive / "notes.jsonl"), str(archive / "*.jsonl"), str(archive / "notes.jsonl")]
    assert main(["score", *named, "-o", str(tmp_path / "twice.jsonl"), *model]) == 0
    err = capsys.readouterr().err
    assert f"note: 1 input file is named more than once ({archive / 'notes.jsonl'}); each is read once" in err
    once, twice = (list(iter_output_rows(tmp_path / n, "jsonl")) for n in ("once.jsonl", "twice.jsonl"))
    assert len(twice) == len(notes) and twice == once


def test_a_directory_leaves_out_the_creator_tables_written_there(tmp_path, capsys, sample_model_dir):
    """`creators archive/ -o archive/audit` (or `score --report archive/report`), then `score archive/`: the
    creators.csv there was read as notes, one error row per creator and exit 1 for an archive without a bad row."""
    archive = tmp_path / "archive"
    archive.mkdir()
    write_jsonl(archive / "notes.jsonl", NOTES)
    model = ["--model", str(sample_model_dir)]
    assert main(["score", str(archive), "-o", str(tmp_path / "first.jsonl"), "--report", str(archive / "report"),
                 *model]) == 0  # fmt: skip
    (archive / "pairs").mkdir()
    (archive / "pairs" / "overlap.csv").write_text(
        "creator_a,creator_b,jaccard,share_a_in_b,share_b_in_a,followers_a,followers_b,common\na,b,0.5,1,0.5,1,2,1\n",
        encoding="utf-8",
    )
    capsys.readouterr()
    out = tmp_path / "again.jsonl"
    assert main(["score", str(archive), "-o", str(out), *model]) == 0
    err = capsys.readouterr().err
    assert "skipped 2 files written by notecheck (pairs/overlap.csv, report/creators.csv); name one to read it" in err
    assert len(list(iter_output_rows(out, "jsonl"))) == len(NOTES)


def test_summary_escapes_control_characters_from_the_archive():
    from serve.scoring import Summary

    text = Summary(
        files=["a.jsonl"], read=1, scored=1, flagged=[("\x1b[2Jx", 0.9, "用词 wording: “a\u202eb”")]
    ).render()
    assert "\x1b" not in text and "\u202e" not in text and "\\x1b[2Jx" in text and "“a\\u202eb”" in text


def test_a_run_directory_of_an_earlier_notecheck_is_not_resumed(tmp_path, capsys, sample_model_dir):
    """The run record was manifest.jsonl before its name began with "_": --resume says it cannot continue such a
    run (it took the directory for one that is not notecheck's), and a run without --resume replaces it."""
    src = write_jsonl(tmp_path / "in.jsonl", NOTES)
    out = tmp_path / "out.jsonl"
    parts = tmp_path / "out.jsonl.parts"
    parts.mkdir()
    (parts / "manifest.jsonl").write_text('{"fingerprint": {}}\n{"chunk": 0}\n', encoding="utf-8")
    argv = ["score", str(src), "-o", str(out), "--model", str(sample_model_dir), "--jobs", "1"]
    assert main([*argv, "--resume"]) == 2
    assert "holds a run of an earlier notecheck (manifest.jsonl)" in capsys.readouterr().err
    assert main(argv) == 0
    assert "note: discarding the run in" in capsys.readouterr().err
    assert len(list(iter_output_rows(out, "jsonl"))) == len(NOTES) and not parts.exists()
