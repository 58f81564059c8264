"""``--encoding gb18030`` (or gbk, big5) on a UTF-8 file: GB18030 reads most UTF-8 Chinese without an error, as
other characters (很快 as 寰堝揩), so the notes were scored garbled without a word. A line that is valid UTF-8 with
at least four characters from U+0800 up is now a bad row saying so; honest GB18030, GBK and Big5 lines, even the
short ones that happen to be valid UTF-8, read as before (benchmarks/encoding_misread.py measures the rule)."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from model.errors import InvalidNoteError
from model.notes import iter_records
from model.notes.files import UTF8_MISREAD_MIN_CHARS, utf8_misread
from serve.cli import main

#: Real sentences (the shared corpora's takeaway and shopping reviews) whose UTF-8 bytes the encoding reads
#: without an error, and what it reads them as.
MISREAD = [
    pytest.param("gb18030", "很快，好吃，味道足，量大", "寰堝揩锛屽ソ鍚冿紝鍛抽亾瓒筹紝閲忓ぇ", id="gb18030"),
    pytest.param("gbk", "挺辣的，吃着还可以吧", "鎸鸿荆鐨勶紝鍚冪潃杩樺彲浠ュ惂", id="gbk"),
    pytest.param("big5", "好好好好好好", "憟賢末憟賢末憟賢末", id="big5"),
]

#: Honest lines in each encoding, the short ones chosen because their bytes are valid UTF-8 too: 挺值 and 谢谢!
#: (shopping and hotel reviews) as 2-byte sequences, 惚间， with two characters from U+0800 up, 蝎子 in Big5 with
#: one, and the worst random string of benchmarks/encoding_misread.py with three. 联通 is the famous GBK pair
#: that Notepad took for UTF-8 (it is not: 0xC1 never starts a UTF-8 sequence).
HONEST = {
    "gb18030": ["挺值", "谢谢!", "联通", "惚间，", "蹇╭!浠粹毞援", "周末去爬山，风景很好，下山后吃了一碗豆花。", "加微信领券，原价199现价99"],
    "gbk": ["挺值", "谢谢!", "联通", "惚间，", "蹇╭!浠粹毞援", "这家店的面包还行，就是有点贵"],
    "big5": ["蝎子", "今天和朋友去陽明山爬山，天氣很好", "加微信領券，原價199現價99，連結在主頁"],
}  # fmt: skip


def _quoted(text: str) -> str:
    """How the message quotes a reading: its first twelve characters, … when there are more."""
    return repr(text[:12] + "…" if len(text) > 12 else text)


def _stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def _jsonl(path: Path, texts: list[str], encoding: str) -> Path:
    lines = (json.dumps({"id": f"n{i}", "text": t}, ensure_ascii=False) for i, t in enumerate(texts, 1))
    path.write_bytes(b"".join(line.encode(encoding) + b"\n" for line in lines))
    return path


@pytest.mark.parametrize("encoding", sorted(HONEST))
@pytest.mark.parametrize("kind", ["jsonl", "csv"])
def test_honest_files_read_exactly_even_lines_that_are_valid_utf8(tmp_path, encoding, kind):
    texts = HONEST[encoding]
    assert any(t.encode(encoding).decode("utf-8", "replace") != t for t in texts)
    if kind == "jsonl":
        path = _jsonl(tmp_path / "notes.jsonl", texts, encoding)
    else:  # each text alone on its line: the shortest line the reader can meet
        path = tmp_path / "notes.csv"
        path.write_bytes(("text\n" + "".join(f"{t}\n" for t in texts)).encode(encoding))
    records = list(iter_records(path, encoding=encoding))
    assert [r.error for r in records] == [None] * len(texts)
    assert [r.data["text"] for r in records] == texts


@pytest.mark.parametrize(("encoding", "text", "misread"), MISREAD)
def test_a_utf8_line_the_encoding_misreads_is_a_bad_row_saying_both_readings(tmp_path, encoding, text, misread):
    assert text.encode().decode(encoding) == misread  # no decoding error: before, this was read as the note
    path = _jsonl(tmp_path / "notes.jsonl", [text, "ok"], "utf-8")
    bad, ok = iter_records(path, encoding=encoding)
    given = f'--encoding {encoding}, or encoding = "{encoding}" in a training config'
    tail = '"}'  # each reading is quoted from its first character that is not ASCII, to the line's end
    assert bad.error == (
        f"the line is UTF-8 text ({_quoted(text + tail)}), which {encoding} ({given}) misreads as "
        f"{_quoted(misread + tail)}; UTF-8 is read without an encoding: drop it, or pass --encoding utf-8"
    )
    assert bad.data is None and ok.error is None and ok.data["text"] == "ok"


@pytest.mark.parametrize(("encoding", "text", "misread"), MISREAD)
def test_evaluate_stops_and_score_keeps_an_error_row(tmp_path, capsys, sample_model_dir, encoding, text, misread):
    path = tmp_path / "notes.jsonl"
    path.write_text(json.dumps({"text": text, "label": 0}, ensure_ascii=False) + "\n", encoding="utf-8")
    assert main(["evaluate", str(path), "--model", str(sample_model_dir), "--encoding", encoding]) == 2
    tail = '", "label": 0}'
    said = f"error: {path}, line 1: the line is UTF-8 text ({_quoted(text + tail)}), which {encoding} "
    assert capsys.readouterr().err.startswith(said)
    out = tmp_path / "scored.jsonl"
    argv = ["score", str(path), "-o", str(out), "--model", str(sample_model_dir), "--encoding", encoding]
    assert main([*argv, "--jobs", "1"]) == 1
    (row,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert row["decision"] is None and f"misreads as {_quoted(misread + tail)};" in row["error"]


@pytest.mark.parametrize(("encoding", "text", "misread"), MISREAD)
def test_check_refuses_utf8_standard_input_read_as_another_encoding(
    monkeypatch, capsys, sample_model_dir, encoding, text, misread
):
    _stdin(monkeypatch, text.encode() + b"\n")
    assert main(["check", "--model", str(sample_model_dir), "--encoding", encoding, "-"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err == (
        f"error: standard input is UTF-8 text ({_quoted(text)}), which {encoding} (--encoding {encoding}) misreads "
        f"as {_quoted(misread)}; UTF-8 is read without --encoding: drop it, or pass --encoding utf-8.\n"
    )


def test_a_training_dataset_given_the_wrong_encoding_stops_training(tmp_path, capsys):
    path = _jsonl(tmp_path / "reviews.jsonl", ["很快，好吃，味道足，量大"], "utf-8")
    (tmp_path / "c.toml").write_text(
        f'[[dataset]]\nname = "r"\npath = "{path.name}"\nlabel = "genuine"\nencoding = "gb18030"\n', encoding="utf-8"
    )
    assert main(["train", "--config", str(tmp_path / "c.toml"), "-o", str(tmp_path / "model"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert f"{path}, line 1: the line is UTF-8 text" in err and 'encoding = "gb18030" in a training config' in err


@pytest.mark.parametrize("encoding", ["utf-8", "UTF8", "utf-8-sig", "utf_8"])
def test_utf8_given_by_any_name_is_never_checked(encoding):
    raw = "很快，好吃，味道足，量大".encode()
    assert utf8_misread(raw, raw.decode(encoding), encoding) is None


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        pytest.param("ok, plain ASCII", False, id="ascii"),
        pytest.param("很快好" + "x" * 50, False, id="three-hanzi"),  # too little evidence: read as given
        pytest.param("很快好吃" + "x" * 50, True, id="four-hanzi"),
        pytest.param("😀😀😀😀 great", True, id="four-emoji"),  # 4-byte sequences count too
    ],
)
def test_the_rule_needs_four_characters_from_u0800_up(text, refused):
    assert UTF8_MISREAD_MIN_CHARS == 4
    raw = text.encode()
    try:
        decoded = raw.decode("gb18030")
    except UnicodeDecodeError:
        pytest.skip("gb18030 refuses these bytes anyway")
    assert (utf8_misread(raw, decoded, "gb18030") is not None) == refused


def test_an_honest_line_never_raises_through_the_stdin_path(monkeypatch, capsys, sample_model_dir):
    """check - reads standard input with the same rule: an honest short GBK text valid as UTF-8 is checked."""
    _stdin(monkeypatch, "挺值".encode("gbk"))
    assert main(["check", "--model", str(sample_model_dir), "--encoding", "gbk", "--json", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["decision"] in ("ad", "review", "genuine")
    with pytest.raises(InvalidNoteError, match=r"standard input is UTF-8 text \('很快，好吃"):
        from serve.cli import _read_stdin_text

        _stdin(monkeypatch, "很快，好吃，味道足，量大".encode())
        _read_stdin_text("gbk")
