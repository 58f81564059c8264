"""``check -`` decodes standard input with the decoder of a note file's lines (model.notes.decode_line), so the
same bytes are refused in the same words: only the words naming where the bytes are (standard input; a line of a
file) and how their encoding is given (--encoding; for a file also a training config) differ. Before,
standard input kept its own copy of the strict path and its own sentences for the others: bytes neither UTF-8
nor GB18030 were "neither UTF-8 nor GB18030 text", without the byte a file's line is told."""

import io
import json
import re

import pytest

from model.notes import decode_line
from serve.cli import _read_stdin_text, main

BIG5 = "加微信領券，原價一百九十九，現價九十九元，鏈接在主頁".encode("big5")

#: the bytes (a line), the --encoding given (None: without one)
CASES = [
    pytest.param(b"plain \x80\xff junk \xff", None, id="neither-utf8-nor-gb18030"),
    pytest.param(BIG5, None, id="big5-without-encoding"),
    pytest.param("加微信领券".encode(), "big5", id="utf8-not-valid-big5"),
    pytest.param("加微信领券".encode("gbk"), "utf-8", id="gbk-not-valid-utf8"),
    pytest.param(BIG5, "gbk", id="big5-not-valid-gbk"),
    pytest.param("很快，好吃，味道足，量大".encode(), "gbk", id="utf8-misread-as-gbk"),
    pytest.param(b"\x80\x80\x80\x80", "utf-8", id="bytes-no-encoding-reads"),
]


def _as_stdin(reason: str) -> str:
    """A file line's reason in the words the project gives standard input (named so wherever the line is named;
    --encoding alone); everything else (bytes, positions, what the bytes are, the advice) is left as it is."""
    for subject, said in [("it looks like", "standard input looks like"), ("the line is ", "standard input is ")]:
        if reason.startswith(subject):
            reason = said + reason.removeprefix(subject)
            break
    else:
        reason = "standard input is " + reason
    reason = re.sub(r', or encoding = "[^"]+" in a training config', "", reason)
    words = [
        (' (in a training config, encoding = "big5" in its [[dataset]])', ""),
        ("of the line", "of standard input"),
        ("; the line ", "; standard input "),
        ("the file's encoding", "its encoding"),
        ("read without an encoding", "read without --encoding"),
    ]
    for file_words, stdin_words in words:
        reason = reason.replace(file_words, stdin_words)
    return reason


@pytest.mark.parametrize(("raw", "encoding"), CASES)
def test_standard_input_and_a_file_are_refused_in_the_same_words(
    tmp_path, monkeypatch, capsys, sample_model_dir, raw, encoding
):
    path = tmp_path / "notes.jsonl"
    path.write_bytes(raw + b"\n")  # the line is the bytes alone: a decode error is said before the JSON is read
    option = ["--encoding", encoding] if encoding else []
    assert main(["evaluate", str(path), "--model", str(sample_model_dir), *option]) == 2
    file_error = capsys.readouterr().err
    prefix = f"error: {path}, line 1: "
    assert file_error.startswith(prefix)
    reason = file_error.removeprefix(prefix).removesuffix("\n")

    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(raw + b"\n")))
    assert main(["check", "--model", str(sample_model_dir), *option, "-"]) == 2
    stdout, stdin_error = capsys.readouterr()
    assert stdout == "" and stdin_error == f"error: {_as_stdin(reason)}.\n"
    assert "training config" not in stdin_error  # standard input is never a training data set


@pytest.mark.parametrize(("raw", "encoding"), CASES)
def test_standard_input_is_refused_with_the_decoders_own_reason(monkeypatch, raw, encoding):
    _, reason = decode_line(raw, encoding, stdin=True)
    assert reason is not None and reason.startswith("standard input ")
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(raw)))
    with pytest.raises(ValueError) as exc:
        _read_stdin_text(encoding)
    assert str(exc.value) == f"{reason}."


@pytest.mark.parametrize(
    ("raw", "encoding", "text"),
    [
        pytest.param("今天去爬山了".encode(), None, "今天去爬山了", id="utf8"),
        pytest.param("今天去爬山了".encode("gbk"), None, "今天去爬山了", id="gbk-without-encoding"),
        pytest.param(BIG5, "big5", BIG5.decode("big5"), id="big5-given"),
        pytest.param("挺值".encode("gbk"), "gbk", "挺值", id="short-gbk-valid-as-utf8"),  # too short to call UTF-8
        pytest.param("\ufeff好\r\n".encode(), None, "好", id="bom-and-final-line-end"),
    ],
)
def test_standard_input_that_decodes_reads_as_before(monkeypatch, raw, encoding, text):
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(raw)))
    assert _read_stdin_text(encoding) == text


@pytest.mark.parametrize(("raw", "encoding"), CASES)
def test_standard_input_is_named_standard_input_wherever_a_line_is_named_the_line(
    monkeypatch, capsys, sample_model_dir, raw, encoding
):
    """Every reason names the bytes it is about the same way: "standard input", where a file's says "the line" (it
    said "byte 7 of the input; the input is ..." after "standard input is ..." in the same sentence)."""
    option = ["--encoding", encoding] if encoding else []
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(raw)))
    assert main(["check", "--model", str(sample_model_dir), *option, "-"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: standard input ")
    assert "the input" not in err and "the line" not in err
    if "byte " in err:
        assert re.search(r"byte \d+ of standard input\b", err)
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(raw)))
    with pytest.raises(ValueError, match=r"^standard input (?:(?!the input|the line).)*$"):
        _read_stdin_text(encoding)


def _check_stdin(monkeypatch, capsys, data: str, *args: str) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data.encode("utf-8") + b"\n")))
    code = main(["check", "--json", *args, "-"])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_json_note_on_standard_input_is_read_as_a_note(monkeypatch, capsys):
    """`echo '{"title": ..., "text": ..., "comments": [...]}' | notecheck check -` scored the JSON as the note's text:
    its keys and quotes as the writer's words, and its comment 求链接 pushed it to review (0.48 for a hike, 0.11 as a
    note)."""
    note = {"title": "周末爬山", "text": "今天和朋友去爬山", "comments": ["好美", "求链接"]}
    code, out, err = _check_stdin(monkeypatch, capsys, json.dumps(note, ensure_ascii=False))
    assert code == 0 and "standard input is a JSON note" in err and "its comments are not" in err
    assert main(["check", "--json", "--title", note["title"], note["text"]]) == 0
    assert json.loads(out) == json.loads(capsys.readouterr().out)


@pytest.mark.parametrize(
    ("data", "args", "says"),
    [
        ('{"text": 5}', (), "error: standard input: field 'text' must be a string. Got int 5."),
        ('{"text": "爬山"}', ("--title", "周末"), "error: --title gives the title of a note whose text is standard"),
    ],
)
def test_a_bad_json_note_on_standard_input_is_named(monkeypatch, capsys, data, args, says):
    code, out, err = _check_stdin(monkeypatch, capsys, data, *args)
    assert code == 2 and out == "" and err.startswith(says)


def test_a_json_notes_label_and_comments_are_not_checks_business(monkeypatch, capsys):
    note = {"text": "今天和朋友去爬山", "label": "maybe", "comments": [{"txt": "好看"}]}
    code, out, err = _check_stdin(monkeypatch, capsys, json.dumps(note, ensure_ascii=False))
    assert code == 0 and "its comments are not" in err
    assert main(["check", "--json", note["text"]]) == 0
    assert json.loads(out) == json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("text", ["{我们的暗号}", '{"a": 1}', "[1, 2]"])
def test_braces_that_are_no_json_note_are_a_notes_text(monkeypatch, capsys, text):
    code, out, err = _check_stdin(monkeypatch, capsys, text)
    assert code == 0 and "JSON note" not in err
    assert main(["check", "--json", text]) == 0
    assert json.loads(out) == json.loads(capsys.readouterr().out)
