"""One reader for every command: train, evaluate, comments and score read the same file the same way (decoding
per line, line numbers, an undecodable line as one error row)."""

import json
from pathlib import Path

import pytest

from model.notes import iter_records
from serve.cli import main
from training.config import DatasetSpec
from training.data import load_dataset

NOTES = [
    {"id": "n1", "text": "加vx领券，原价199现价99，链接在主页", "label": "ad",
     "comments": ["求链接", "这是广告吧"], "author": "店长", "source": "s"},
    {"id": "n2", "text": "今天去爬山了，风景超美，累但是值得", "label": "genuine",
     "comments": ["好美啊", "下次带我"], "author": "山野", "source": "s"},
    {"id": "n3", "title": "源头厂家", "text": "支持定制，私信下单，全场包邮", "label": "ad",
     "comments": ["多少钱"], "author": "店长", "source": "s"},
    {"id": "n4", "text": "这家面馆味道一般，排队太久了", "label": "genuine",
     "comments": ["同感", "难吃"], "author": "吃货", "source": "s"},
]  # fmt: skip


def _line(row: dict, encoding: str) -> bytes:
    return json.dumps(row, ensure_ascii=False).encode(encoding) + b"\n"


def mixed_and_plain(tmp_path: Path) -> tuple[Path, Path]:
    """The same notes twice: UTF-8 and GBK lines alternating, and all UTF-8."""
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_bytes(b"".join(_line(r, "gbk" if i % 2 else "utf-8") for i, r in enumerate(NOTES)))
    plain = tmp_path / "plain.jsonl"
    plain.write_bytes(b"".join(_line(r, "utf-8") for r in NOTES))
    return mixed, plain


# A CSV whose second record's quoted text spans lines 3-5 and whose 'comments' cell is not JSON (an error row in
# every command): it is numbered by the line it starts on, 3.
MULTILINE_CSV = (
    "id,text,comments,label,author\n"
    'n1,加vx领券，原价199现价99，链接在主页,"[""求链接""]",ad,店长\n'
    'n2,"今天去爬山了\n风景超美\n累但是值得",not json,genuine,山野\n'
    "n3,这家面馆味道一般，排队太久了,,genuine,吃货\n"
    "n4,支持定制，私信下单，全场包邮,,ad,店长\n"
)
#: The error of line 3 of MULTILINE_CSV: the field, what was expected and what came in.
BAD_COMMENTS = (
    "field 'comments' in a CSV must be a JSON list of strings or objects with 'text'. Got 'not json', which is not "
    "JSON (Expecting value at character 0)."
)


def undecodable(tmp_path: Path) -> Path:
    """Four notes; line 2 is neither UTF-8 nor GB18030."""
    path = tmp_path / "junk.jsonl"
    path.write_bytes(_line(NOTES[0], "utf-8") + b'{"text": "\xff\xff\xff\xff", "label": 1}\n'
                     + _line(NOTES[2], "utf-8") + _line(NOTES[3], "gbk"))  # fmt: skip
    return path


def run_json(argv: list[str], capsys) -> tuple[int, dict | None, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, (json.loads(out) if code in (0, 1) and out.strip() else None), err  # 1: rows failed


# -- the reader itself ----------------------------------------------------------------------------------------------
def test_mixed_utf8_and_gbk_lines_are_each_decoded(tmp_path):
    mixed, _ = mixed_and_plain(tmp_path)
    assert [r.data["text"] for r in iter_records(mixed)] == [n["text"] for n in NOTES]


def test_csv_record_is_numbered_by_the_line_it_starts_on(tmp_path):
    path = tmp_path / "multi.csv"
    path.write_text(MULTILINE_CSV, encoding="utf-8")
    records = list(iter_records(path))
    assert [r.line for r in records] == [2, 3, 6, 7]
    assert records[1].error == BAD_COMMENTS and records[1].data["id"] == "n2"  # its id stays, to trace it


def test_one_undecodable_line_is_one_error_row(tmp_path):
    records = list(iter_records(undecodable(tmp_path)))
    assert [r.error is None for r in records] == [True, False, True, True]
    assert records[1].line == 2 and "neither UTF-8 (byte 11 of the line) nor GB18030" in records[1].error
    assert records[3].data["text"] == NOTES[3]["text"]


def test_blank_csv_lines_are_not_rows(tmp_path):
    path = tmp_path / "gaps.csv"
    path.write_text("id,text\n\na,好看\n\n\nb,加v\n", encoding="utf-8")
    assert [(r.line, r.data["id"]) for r in iter_records(path)] == [(3, "a"), (6, "b")]


def test_a_csv_row_shorter_than_its_header_is_read_with_a_warning(tmp_path):
    """A row cut short by a broken export read as a note without its text, and nothing said so; a sheet's unnamed
    trailing columns left out are no field missing."""
    path = tmp_path / "short.csv"
    path.write_text("id,title,text,author,\nfull,标题,今天爬山,山野\nshort,加v领券\n", encoding="utf-8")
    full, short = iter_records(path)
    assert full.warning is None and full.data["author"] == "山野"
    assert short.error is None and short.data == {
        "id": "short",
        "title": "加v领券",
        "text": None,
        "author": None,
        "": None,
    }
    assert short.warning == "fewer fields than the header names (2 of 5): 'text', 'author' read as empty"


def test_score_and_comments_say_which_rows_were_short(tmp_path, capsys, sample_model_dir):
    path = tmp_path / "short.csv"
    path.write_text("id,title,text\na,周末,今天去爬山了风景很好\nb,加vx领券\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["score", str(path), "-o", str(out), "--model", str(sample_model_dir)]) == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["warning"] for r in rows] == [None, "fewer fields than the header names (2 of 3): 'text' read as empty"]
    assert rows[1]["decision"] is not None  # the note is still scored: a title alone is a note
    assert "1 row(s) with a warning" in capsys.readouterr().err
    assert main(["comments", str(path), "--ad-model", str(sample_model_dir)]) == 0
    assert f"note: {path}, line 3: fewer fields than the header names (2 of 3)" in capsys.readouterr().err


def test_a_quote_never_closed_is_an_error_row_not_rows_swallowed(tmp_path):
    """A quoted field left open read every later line into itself: rows 3 and 4 vanished without a word."""
    path = tmp_path / "open.csv"
    path.write_text('id,text\na,"好看\nb,加v\nc,今天爬山\n', encoding="utf-8")
    records = list(iter_records(path))
    assert [r.line for r in records] == [2] and records[0].data is None
    assert "not closed before the end of the file (line 4)" in records[0].error


def test_a_parquet_column_named_twice_refuses_the_file(tmp_path, capsys, sample_model_dir):
    """A Parquet file may name a column twice; each row was read as a dict, so it kept the last column's text and
    dropped the other without a word, where a CSV header or a JSON row naming a field twice is refused."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    import pytest

    from model.notes import NoteFileError

    path = tmp_path / "twice.parquet"
    columns = [pa.array(["a"]), pa.array(["今天去爬山"]), pa.array(["加vx领券"])]
    pq.write_table(pa.Table.from_arrays(columns, names=["id", "text", "text"]), path)
    with pytest.raises(NoteFileError, match=r"the Parquet file names column 'text' twice \(columns 2 and 3\)"):
        list(iter_records(path))
    out = tmp_path / "out.jsonl"
    assert main(["score", str(path), "-o", str(out), "--model", str(sample_model_dir), "--jobs", "1"]) == 1
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 1 and rows[0]["line"] == 0 and "names column 'text' twice" in rows[0]["error"]
    capsys.readouterr()
    # a comment struct naming a field twice crashed the reader (pyarrow cannot make it a dict): exit 70
    fields = [pa.field("text", pa.string()), pa.field("text", pa.string())]
    comment = pa.StructArray.from_arrays([pa.array(["好看"]), pa.array(["求链接"])], fields=fields)
    comments = pa.ListArray.from_arrays([0, 1], comment)
    nested = tmp_path / "nested.parquet"
    pq.write_table(pa.Table.from_arrays([pa.array(["今天去爬山"]), comments], names=["text", "comments"]), nested)
    with pytest.raises(NoteFileError, match=r"names field 'comments.text' of a struct twice \(fields 1 and 2\)"):
        list(iter_records(nested))


def test_a_bad_parquet_row_is_named_by_its_row(tmp_path, capsys, sample_model_dir):
    """A Parquet file has rows, not lines: its bad row was reported as "line 2", which a user looked for in a
    binary file. The output column is still ``line`` (one schema for every format), counted from 1."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "notes.parquet"
    pq.write_table(pa.table({"id": ["a", "b"], "text": ["今天去爬山", None]}), path)
    out = tmp_path / "out.jsonl"
    assert main(["score", str(path), "-o", str(out), "--model", str(sample_model_dir), "--jobs", "1"]) == 1
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["line"] for r in rows] == [1, 2] and rows[1]["error"].startswith(f"{path}, row 2: field 'text'")
    assert f"error: {path}, row 2: field 'text'" in capsys.readouterr().err


def test_text_after_a_closing_quote_is_an_error_row_and_the_next_row_is_read(tmp_path):
    path = tmp_path / "quotes.csv"
    path.write_text('id,text\na,"他说"好"的"\nb,加v\n', encoding="utf-8")
    records = list(iter_records(path))
    assert [(r.line, r.error is None) for r in records] == [(2, False), (3, True)]
    assert 'write a quote inside a quoted field as two ("")' in records[0].error and records[1].data["id"] == "b"


def test_a_column_named_twice_refuses_the_file(tmp_path, capsys, sample_model_dir):
    """'id,text,text': every row took its text from the last column and the other was dropped without a word.
    Columns with no name (an Excel sheet's trailing empty columns) may repeat: they are no field."""
    import pytest

    from model.notes import NoteFileError

    path = tmp_path / "twice.csv"
    path.write_text("id,text, text ,,\na,正文一,正文二,,\n", encoding="utf-8")
    with pytest.raises(NoteFileError, match=r"the CSV header names column 'text' twice \(columns 2 and 3\)"):
        list(iter_records(path))
    out = tmp_path / "out.jsonl"
    assert main(["score", str(path), "-o", str(out), "--model", str(sample_model_dir)]) == 1
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 1 and rows[0]["line"] == 0 and "names column 'text' twice" in rows[0]["error"]
    capsys.readouterr()
    fine = tmp_path / "fine.csv"
    fine.write_text("id,text,,\na,正文,,\n", encoding="utf-8")
    assert [r.data["text"] for r in iter_records(fine)] == ["正文"]


def test_json_nested_too_deeply_is_one_error_row(tmp_path, capsys, sample_model_dir):
    """A row holding JSON nested 100,000 deep (a corrupt or hostile export) stopped score, and comments, with a
    RecursionError traceback: the archive's other rows were lost. It is now that row's error."""
    deep = "[" * 100_000 + "]" * 100_000
    jsonl = tmp_path / "deep.jsonl"
    jsonl.write_text(
        f'{{"id": "d", "text": "好", "comments": {deep}}}\n{{"id": "ok", "text": "周末爬山"}}\n', encoding="utf-8"
    )
    first = tmp_path / "first.jsonl"  # the planner and the directory check read a file's first row too
    first.write_text(f'{{"id": "d", "x": {deep}}}\n{{"id": "ok", "text": "周末爬山"}}\n', encoding="utf-8")
    csvfile = tmp_path / "deep.csv"
    csvfile.write_text(f'id,text,comments\nd,好,"{deep}"\nok,周末爬山,\n', encoding="utf-8")
    for path in (jsonl, first, csvfile):
        records = list(iter_records(path))
        assert [r.error is None for r in records] == [False, True], path
        assert "nested too deeply" in records[0].error
    out = tmp_path / "out.jsonl"
    assert main(["score", str(tmp_path), "-o", str(out), "--model", str(sample_model_dir)]) == 1
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows if r["error"] is None] == ["ok", "ok", "ok"]
    assert all("nested too deeply" in r["error"] for r in rows if r["id"] != "ok")
    assert "Traceback" not in capsys.readouterr().err


def test_a_number_too_long_to_read_is_one_error_row(tmp_path, capsys, sample_model_dir):
    """An integer of 5,000 digits made json.loads raise a bare ValueError ("Exceeds the limit (4300 digits) ...
    use sys.set_int_max_str_digits()"): score stopped with a traceback, like a row nested too deeply."""
    big = "9" * 5000
    jsonl = tmp_path / "big.jsonl"
    jsonl.write_text(
        f'{{"id": "b", "text": "好", "likes": {big}}}\n{{"id": "ok", "text": "周末爬山"}}\n', encoding="utf-8"
    )
    csvfile = tmp_path / "big.csv"
    csvfile.write_text(
        f'id,text,comments\nb,好,"[{{""text"": ""a"", ""likes"": {big}}}]"\nok,周末爬山,\n', encoding="utf-8"
    )
    for path in (jsonl, csvfile):
        records = list(iter_records(path))
        assert [r.error is None for r in records] == [False, True], path
        assert "a number of more than 4,300 digits" in records[0].error
    out = tmp_path / "out.jsonl"
    assert main(["score", str(tmp_path), "-o", str(out), "--model", str(sample_model_dir)]) == 1
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows if r["error"] is None] == ["ok", "ok"]
    err = capsys.readouterr().err
    assert "Traceback" not in err and "set_int_max_str_digits" not in err


def test_score_plans_and_reads_broken_csv_quotes_alike(tmp_path, capsys, sample_model_dir):
    path = tmp_path / "open.csv"
    path.write_text('id,text\na,好看\nb,"他说"好"的"\nc,"加v\nd,今天爬山\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["score", str(path), "-o", str(out), "--model", str(sample_model_dir), "--chunk-size", "1"]) == 1
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(r["line"], r["error"] is None) for r in rows] == [(2, True), (3, False), (4, False)]
    assert "not closed before the end of the file" in capsys.readouterr().err


# -- every command --------------------------------------------------------------------------------------------------
def test_train_reads_like_the_others(tmp_path):
    mixed, _ = mixed_and_plain(tmp_path)
    examples, _ = load_dataset(DatasetSpec(name="m", paths=(mixed,)), seed=0)
    assert [e.note.text for e in examples] == [n["text"] for n in NOTES]

    csv_path = tmp_path / "multi.csv"
    csv_path.write_text(MULTILINE_CSV, encoding="utf-8")
    examples, info = load_dataset(DatasetSpec(name="c", paths=(csv_path,)), seed=0, skip_bad_rows=True)
    assert len(examples) == 3 and info.skipped == [f"{csv_path}, line 3: {BAD_COMMENTS}"]

    junk = undecodable(tmp_path)
    examples, info = load_dataset(DatasetSpec(name="j", paths=(junk,)), seed=0, skip_bad_rows=True)
    assert len(examples) == 3 and len(info.skipped) == 1 and info.skipped[0].startswith(f"{junk}, line 2: neither")


def test_evaluate_reads_like_the_others(tmp_path, capsys, sample_model_dir):
    mixed, plain = mixed_and_plain(tmp_path)
    model = ["--model", str(sample_model_dir)]
    _, a, _ = run_json(["evaluate", str(mixed), "--json", *model], capsys)
    _, b, _ = run_json(["evaluate", str(plain), "--json", *model], capsys)
    assert a is not None and a == b

    csv_path = tmp_path / "multi.csv"
    csv_path.write_text(MULTILINE_CSV, encoding="utf-8")
    _, result, _ = run_json(["evaluate", str(csv_path), "--json", "--skip-bad-rows", *model], capsys)
    assert result["n"] == 3 and result["skipped_rows"] == [f"{csv_path}, line 3: {BAD_COMMENTS}"]

    junk = undecodable(tmp_path)
    code, _, err = run_json(["evaluate", str(junk), "--json", *model], capsys)
    assert code == 2 and f"{junk}, line 2: neither UTF-8" in err
    _, result, _ = run_json(["evaluate", str(junk), "--json", "--skip-bad-rows", *model], capsys)
    assert result["n"] == 3 and len(result["skipped_rows"]) == 1 and ", line 2: " in result["skipped_rows"][0]


def check_rows(rows, tmp_path: Path) -> None:
    """``rows(path)`` (one output row per input row, without 'file') reads as :func:`iter_records` does."""
    mixed, plain = mixed_and_plain(tmp_path)
    assert rows(mixed) == rows(plain)

    csv_path = tmp_path / "multi.csv"
    csv_path.write_text(MULTILINE_CSV, encoding="utf-8")
    got = rows(csv_path)
    assert [r["line"] for r in got] == [2, 3, 6, 7] and got[1]["error"] == f"{csv_path}, line 3: {BAD_COMMENTS}"
    assert [r["id"] for r in got] == ["n1", "n2", "n3", "n4"]  # an error row keeps the input's id

    got = rows(undecodable(tmp_path))
    assert [r["line"] for r in got] == [1, 2, 3, 4] and [bool(r.get("error")) for r in got] == [0, 1, 0, 0]

    gaps = tmp_path / "gaps.csv"
    gaps.write_text("id,text\n\na,好看\n\n\nb,加v\n", encoding="utf-8")  # blank lines are not rows (as in JSON Lines)
    assert [(r["line"], r.get("error")) for r in rows(gaps)] == [(3, None), (6, None)]


def test_comments_reads_like_the_others(tmp_path, capsys):
    def rows(path: Path) -> list[dict]:
        code, doc, err = run_json(["comments", str(path), "--json", "--no-ad"], capsys)
        assert code == int(any("error" in r for r in doc["notes"])), err  # 1 when rows failed, as in score
        return [{k: v for k, v in r.items() if k != "file"} for r in doc["notes"]]

    check_rows(rows, tmp_path)


def test_score_reads_like_the_others(tmp_path, capsys, sample_model_dir):
    def rows(path: Path) -> list[dict]:
        out = tmp_path / f"{path.stem}.out.jsonl"
        main(["score", str(path), "-o", str(out), "--jobs", "1", "--model", str(sample_model_dir)])
        capsys.readouterr()
        return [{k: v for k, v in json.loads(x).items() if k != "file"} for x in out.read_text().splitlines()]

    check_rows(rows, tmp_path)


def test_a_key_given_twice_is_that_rows_error(tmp_path, capsys, sample_model_dir):
    """JSON readers keep the last of two values of one key and drop the other silently: {"text": "a", "text": "b"}
    was scored as "b". Like a CSV header naming a column twice, it is refused, here as that row's error."""
    jsonl = tmp_path / "twice.jsonl"
    jsonl.write_text(
        '{"id": "t", "text": "加v领券", "text": "周末爬山"}\n'
        '{"id": "c", "text": "好", "comments": [{"text": "a", "text": "b"}]}\n'
        '{"id": "ok", "text": "周末爬山"}\n',
        encoding="utf-8",
    )
    csvfile = tmp_path / "twice.csv"
    csvfile.write_text(
        'id,text,comments\nc,好,"[{""text"": ""a"", ""text"": ""b""}]"\nok,周末爬山,\n', encoding="utf-8"
    )
    assert [r.error is None for r in iter_records(jsonl)] == [False, False, True]
    assert [r.error is None for r in iter_records(csvfile)] == [False, True]
    for r in [*iter_records(jsonl), *iter_records(csvfile)]:
        assert r.error is None or "the key 'text' is given twice" in r.error
    # which object of the row holds the repeat (one comment of hundreds), as the API's 422 says it
    assert [r.error for r in iter_records(jsonl)][:2] == [
        "invalid JSON row (the key 'text' is given twice in one object; which value is meant is not clear)",
        "invalid JSON row (the key 'text' is given twice in one object, comments[0]; which value is meant is not "
        "clear)",
    ]
    assert "the key 'text' is given twice in one object, comments[0]; " in next(iter_records(csvfile)).error
    out = tmp_path / "out.jsonl"
    assert main(["score", str(tmp_path), "-o", str(out), "--model", str(sample_model_dir)]) == 1
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 5 and [r["id"] for r in rows if r["error"] is None] == ["ok", "ok"]
    failed = sorted((Path(r["file"]).name, r["line"]) for r in rows if r["error"])
    assert failed == [("twice.csv", 2), ("twice.jsonl", 1), ("twice.jsonl", 2)]
    assert "Traceback" not in capsys.readouterr().err


# -- Big5: valid GB18030 bytes, wrong text ------------------------------------------------------------------------
BIG5_TEXTS = [
    "加微信領券，原價199現價99",
    "這間餐廳的叉燒飯真的很好吃，下次會再來",
    "這款面霜我用了一個月，皮膚真的變好了",
]


@pytest.mark.parametrize("text", BIG5_TEXTS)
def test_a_big5_line_is_an_error_naming_big5_not_a_garbled_note(tmp_path, text):
    """Big5 bytes are nearly all valid GB18030: a Hong Kong or Taiwan file was read as rare characters
    (加微信領券 as 稬獺烩ㄩ) and scored without a word. It is an error row that says what to pass; with
    --encoding big5 it reads as written."""
    path = tmp_path / "big5.jsonl"
    path.write_bytes(json.dumps({"text": text}, ensure_ascii=False).encode("big5") + b"\n")
    (record,) = iter_records(path)
    assert record.error is not None and "looks like Big5" in record.error and "--encoding big5" in record.error
    (record,) = iter_records(path, encoding="big5")
    assert record.error is None and record.data["text"] == text


@pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
@pytest.mark.parametrize("text", [*BIG5_TEXTS, "今天去爬山了，风景超美，推荐大家去", "價格優惠，蘭蔻的話題"])
def test_a_gbk_line_is_never_taken_for_big5(tmp_path, text, encoding):
    path = tmp_path / "gbk.jsonl"
    path.write_bytes(json.dumps({"text": text}, ensure_ascii=False).encode(encoding) + b"\n")
    (record,) = iter_records(path)
    assert record.error is None and record.data["text"] == text


@pytest.mark.parametrize("ending", ["\n", "\r\n", ""])
def test_a_row_cut_short_is_placed_on_its_own_line(tmp_path, ending):
    """A row without its closing brace fails at the end of its own text, whatever ends the line: read with its line
    break, it was said to fail "at column 1" (of the line after) unless it was the file's last line."""
    path = tmp_path / "cut.jsonl"
    row = '{"id": "a", "text": "abc"'
    path.write_bytes(f'{{"id": "z", "text": "ok"}}\n{row}{ending}'.encode())
    records = list(iter_records(path))
    assert records[0].error is None
    assert records[1].error == f"invalid JSON (Expecting ',' delimiter at column {len(row) + 1})"


def test_a_control_character_is_placed_once(tmp_path):
    """json says "Invalid control character at"; the row's error said "... at at column 27"."""
    path = tmp_path / "ctl.jsonl"
    path.write_bytes(b'{"id": "a", "text": "abc\x01def"}\n')
    (record,) = iter_records(path)
    assert record.error == "invalid JSON (Invalid control character at column 25)"


def test_a_byte_order_mark_opening_a_later_line_is_no_part_of_its_row(tmp_path):
    """Two exports joined with cat keep the second one's byte-order mark at the start of a line: that row failed as
    "invalid JSON (Expecting value at column 1)" though the README reads every line with or without one."""
    one = '\ufeff{"id": "a", "text": "好吃的面包"}\n'.encode()
    path = tmp_path / "joined.jsonl"
    path.write_bytes(one + one.replace(b'"a"', b'"b"'))
    records = list(iter_records(path))
    assert [r.error for r in records] == [None, None]
    assert [r.data["id"] for r in records] == ["a", "b"]
