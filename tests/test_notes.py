import json

import pytest

from model import InvalidNoteError, parse_note, read_notes
from model.notes import iter_records

GOOD = {
    "id": "n1",
    "title": "标题",
    "text": "正文",
    "comments": ["好看", {"text": "求链接", "likes": 3}],
    "label": "ad",
}


def write_jsonl(path, rows):
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows) + "\n")
    return path


def test_parse_note_schema():
    note = parse_note(GOOD)
    assert note.label == 1 and note.title == "标题" and note.comments[1].likes == 3
    assert [c.text for c in note.comments] == ["好看", "求链接"]


def test_a_title_alone_is_a_note():
    assert parse_note({"title": "只有标题"}).title == parse_note({"title": "只有标题", "text": ""}).title == "只有标题"


def test_chasm_field_names():
    note = parse_note({"id": 7, "title": "t", "description": "正文", "comments": [{"content": "哪里买"}], "label": 1})
    assert note.text == "正文" and note.comments[0].text == "哪里买" and note.id == "7"


@pytest.mark.parametrize(
    "row",
    [{"text": None, "description": "正文"}, {"text": "", "description": "正文"}, {"text": float("nan"), "description": "正文"},
     {"text": "正文", "description": None}, {"text": "正文", "description": ""}, {"text": "正文", "description": "正文"}],
)  # fmt: skip
def test_a_file_with_both_text_and_description_reads_the_one_holding_the_note(row):
    """A CSV merging CHASM rows (description) with ours (text) has both columns, one empty in each row: a null or
    empty text ignored the description beside it, and the note was refused as blank."""
    assert parse_note(row).text == "正文"


@pytest.mark.parametrize(
    "comment",
    [{"text": "", "content": "这个是广告吧"}, {"text": None, "content": "这个是广告吧"},
     {"text": "这个是广告吧", "content": ""}, {"text": "这个是广告吧", "content": "这个是广告吧"}],
)  # fmt: skip
def test_a_comment_with_both_text_and_content_reads_the_one_holding_it(comment):
    """An empty ``text`` beside CHASM's ``content`` made the comment empty, and its words were never read."""
    assert parse_note({"text": "正文", "comments": [comment]}).comments[0].text == "这个是广告吧"


def test_a_comment_text_and_content_that_differ_are_refused():
    with pytest.raises(InvalidNoteError, match=r"^fields 'comments\[1\]\.text' and 'comments\[1\]\.content' both hold"):
        parse_note({"text": "正文", "comments": ["好看", {"text": "这一条", "content": "另一条"}]})


def test_a_text_and_a_description_that_differ_are_refused():
    with pytest.raises(InvalidNoteError, match=r"^fields 'text' and 'description' both hold a note's text, and they"):
        parse_note({"text": "这一条", "description": "另一条"})


@pytest.mark.parametrize(
    ("row", "match"),
    [
        ({"text": 5}, "field 'text' must be a string. Got int 5"),
        ({"text": ""}, "field 'text' is required when the title is blank: .* Got ''"),
        ({"title": " "}, "field 'text' is required when the title is blank: .* Got nothing"),
        ({"text": "x", "label": "maybe"}, "field 'label' must be 1/0 or \"ad\"/\"genuine\". Got str 'maybe'"),
        ({"text": "x", "comments": "好看"}, "field 'comments' must be a list"),
        ({"text": "x", "comments": [3]}, r"field 'comments\[0\]' must be a string or an object"),
        ({"text": "x", "comments": [{"likes": 3}]}, r"field 'comments\[0\].text' must be a string\. Got nothing\.$"),
        # a misspelt key is named, so the writer of the row sees what was read
        (
            {"text": "x", "comments": [{"txt": "好看", "likes": 3}]},
            r"field 'comments\[0\].text' must be a string\. Got nothing \(the comment's keys: 'txt'\)\.$",
        ),
        ({"text": "x", "comments": [{"text": None}]}, r"field 'comments\[0\].text' must be a string\. Got null\.$"),
        ({"text": "x", "comments": [{"content": 7}]}, r"field 'comments\[0\].text' must be a string\. Got int 7\.$"),
        ({"text": "x", "comments": [{"text": "a", "likes": -1}]}, r"'comments\[0\].likes' must be a non-negative"),
        (
            {"text": "x", "title": ["a"]},
            r"field 'title' must be a string \(or a whole number, read as its digits\)\. Got list",
        ),
        # a whole number is read as its digits (an export's unquoted title 2024), so the message says both forms
        ({"text": "x", "title": 12.5}, r"field 'title' must be a string \(or a whole number, .*\)\. Got float 12\.5"),
        ({"text": "x", "author": {"n": 1}}, r"field 'author' must be a string \(or a whole number"),
        (["not", "a", "dict"], "a note must be an object or a string. Got list"),
    ],
)
def test_parse_note_errors_name_field_expected_and_got(row, match):
    with pytest.raises(InvalidNoteError, match=match):
        parse_note(row)


@pytest.mark.parametrize(
    ("value", "author"),
    [(" 小美 ", "小美"), ("小美\u200b", "小美"), ("\ufeff小美\u3000", "小美"), ("小 美", "小 美"), (" \u200b ", None)],
)
def test_an_author_is_read_without_the_padding_around_it(value, author):
    """An export's padding, spaces or zero-width characters, made " 小美 " and "小美\u200b" creators apart from 小美."""
    assert parse_note({"text": "x", "author": value}).author == author


def test_label_required():
    with pytest.raises(InvalidNoteError, match="'label' is required"):
        parse_note({"text": "x"}, require_label=True)


def test_reader_errors_name_file_line_and_reason(tmp_path):
    path = write_jsonl(tmp_path / "bad.jsonl", [GOOD, "{not json", {"text": "x", "label": "unknown"}, [1, 2]])
    with pytest.raises(InvalidNoteError, match=r"bad.jsonl, line 2: invalid JSON"):
        read_notes(path)
    notes, skipped = read_notes(path, skip_bad_rows=True, require_label=True)
    assert len(notes) == 1
    assert len(skipped) == 3
    assert "line 2: invalid JSON" in skipped[0]
    assert "line 3: field 'label'" in skipped[1]
    assert "line 4: expected a JSON object per line, got list" in skipped[2]


def test_csv_and_parquet_round_trip(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    csv_path = tmp_path / "notes.csv"
    csv_path.write_text(
        'id,title,text,comments,label\n1,标题,正文,"[""好看"", {""text"": ""求链接""}]",genuine\n2,,只有正文,,1\n',
        encoding="utf-8",
    )
    notes, _ = read_notes(csv_path, require_label=True)
    assert [n.label for n in notes] == [0, 1] and notes[0].comments[1].text == "求链接" and notes[1].title == ""
    pq_path = tmp_path / "notes.parquet"
    pq.write_table(pa.Table.from_pylist([{"id": "a", "text": "正文", "label": 1, "comments": ["好看"]}]), pq_path)
    notes, _ = read_notes(pq_path, require_label=True)
    assert notes[0].comments[0].text == "好看" and notes[0].label == 1


def test_gbk_and_bom_files_are_read(tmp_path):
    gbk = tmp_path / "gbk.jsonl"
    gbk.write_bytes(json.dumps({"text": "中文笔记"}, ensure_ascii=False).encode("gbk") + b"\n")
    bom = tmp_path / "bom.jsonl"
    bom.write_bytes(b"\xef\xbb\xbf" + json.dumps({"text": "中文"}, ensure_ascii=False).encode() + b"\r\n")
    assert read_notes(gbk)[0][0].text == "中文笔记"
    assert read_notes(bom)[0][0].text == "中文"


def test_unsupported_suffix(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("x")
    with pytest.raises(InvalidNoteError, match=r"unsupported file type '.txt'"):
        list(iter_records(path))


def test_not_parquet(tmp_path):
    path = tmp_path / "fake.parquet"
    path.write_text("not parquet")
    with pytest.raises(InvalidNoteError, match="not a readable Parquet file"):
        list(iter_records(path))


def test_a_csv_label_reads_as_its_json_value_does(tmp_path):
    """JSON Lines take 1.0 / true as labels; the same values exported to CSV (a pandas float column writes
    "1.0", a bool column "True") were refused as unknown labels."""
    jsonl = write_jsonl(tmp_path / "a.jsonl", [{"text": "x", "label": v} for v in (1.0, 0.0, True, False)])
    csv_path = tmp_path / "a.csv"
    csv_path.write_text("text,label\nx,1.0\nx,0.0\nx,True\nx,FALSE\nx,2.0\n", encoding="utf-8")
    want = [n.label for n in read_notes(jsonl, require_label=True)[0]]
    notes, skipped = read_notes(csv_path, require_label=True, skip_bad_rows=True)
    assert [n.label for n in notes] == want == [1, 0, 1, 0]
    assert len(skipped) == 1 and "line 6: field 'label'" in skipped[0] and "'2.0'" in skipped[0]


@pytest.mark.parametrize(
    ("likes", "want"),
    [(12, 12), ("12", 12), (12.0, 12), (float("nan"), None), ("1.2万", 12_000), ("3w", 30_000), (None, None),
     ("10万+", 100_000), ("999+", 999), ("1,234", 1234), ("", None), ("  ", None)],
)  # fmt: skip
def test_comment_likes_in_the_forms_exports_write(likes, want):
    """A float column (pandas with gaps: 12.0, NaN) refused every comment of the note, and scraped Xiaohongshu
    counts ("1.2万") too; an integer in any of these forms is read as one. The app shows counts from 100,000 as
    "10万+" (at least that many), exports write "1,234", and an empty cell is no count: each made the whole note an
    error row, its ad decision lost for a comment's like count."""
    note = parse_note({"text": "好", "comments": [{"content": "好看", "likes": likes}]})
    assert note.comments[0].likes == want


@pytest.mark.parametrize(
    "likes",
    [2**53, 10**400, 1e308, "9" * 30, "9" * 30 + "万", "9" * 5000],
    ids=["2**53", "10**400", "1e308", "str", "wan", "5000 digits"],  # a CSV cell of 5000 digits: int() raised
)
def test_comment_likes_beyond_any_count_are_refused_naming_the_limit(likes):
    """A like count of 10**400 (JSON has no limit on integers) stopped `notecheck comments` with an
    OverflowError, exit 70, no row written; two comments of 1e308 likes made the like-weighted positive share
    0.0 (their sum overflowed to inf). Counts are whole numbers a float holds exactly."""
    with pytest.raises(InvalidNoteError, match=r"'comments\[0\]\.likes' must be at most 9,007,199,254,740,991"):
        parse_note({"text": "好", "comments": [{"text": "好看", "likes": likes}]})
    assert parse_note({"text": "好", "comments": [{"text": "好看", "likes": 2**53 - 1}]}).comments[0].likes == 2**53 - 1


@pytest.mark.parametrize(
    ("time", "seconds"),
    [("1700000000", 1700000000.0), (" 1700000000.5 ", 1700000000.5), ("-5", -5.0), ("20240101", 1704067200.0), ("12345678", 12345678.0),
     (1700000000, 1700000000.0), ("2023-11-14T22:13:20Z", 1700000000.0), ("2023-11-15T06:13:20+08:00", 1700000000.0)],
    ids=["digits", "fraction-spaced", "negative", "compact-iso-date-is-the-day", "eight-digits-no-date", "number", "iso-utc", "iso-offset"],
)  # fmt: skip
def test_a_comment_time_written_as_text_is_read_as_its_likes_are(time, seconds):
    """Exports keep numbers as text: a like count "12" was read and a time "1700000000" refused the note. A number
    written as text is the number for both; a string that is an ISO date ("20240101") is still that day."""
    note = parse_note({"text": "好", "comments": [{"text": "好看", "likes": "12", "time": time}]})
    assert (note.comments[0].likes, note.comments[0].time) == (12, seconds)


@pytest.mark.parametrize("time", ["yesterday", "1.7e9", "1,700,000,000", "1" * 400, True, [1]])
def test_a_comment_time_that_is_no_time_names_the_field_the_forms_and_the_value(time):
    with pytest.raises(InvalidNoteError, match=r"'comments\[0\]\.time' must be seconds since the epoch \(a number, also "
                       r"written as text: \"1700000000\"\) or an ISO 8601 date-time\. Got (str|bool|list) "):  # fmt: skip
        parse_note({"text": "好", "comments": [{"text": "好看", "time": time}]})


def test_a_comment_time_beyond_any_float_is_the_rows_error():
    """A comment `time` of 10**400 (a JSON integer) stopped `notecheck comments` and `score` with OverflowError
    inside math.isfinite, exit 70; it is no time, and the row's error says so."""
    with pytest.raises(InvalidNoteError, match=r"'comments\[0\]\.time' must be seconds since the epoch"):
        parse_note({"text": "好", "comments": [{"text": "好看", "time": 10**400}]})


@pytest.mark.parametrize("likes", [12.5, -1, "很多", "1.2千", True, [1], "²", "+", "1,23"])
def test_comment_likes_that_are_no_count_are_refused(likes):
    with pytest.raises(InvalidNoteError, match=r"'comments\[0\]\.likes' must be a non-negative integer"):
        parse_note({"text": "好", "comments": [{"text": "好看", "likes": likes}]})
