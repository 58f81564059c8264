"""``--encoding``: every command that reads note files takes it, checks it before reading, and reads a Big5 archive
with it exactly as the same archive in UTF-8; without it each Big5 row is an error naming Big5 and the option."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from model.notes import encoding_problem
from serve.cli import main

# Traditional Chinese as a Taiwan archive writes it: every line reads as GB18030 too, as rare characters.
NOTES = [
    {"id": "t1", "author": "阿梨", "title": "週末爬山", "label": 0, "source": "tw",
     "text": "今天和朋友去陽明山爬山，天氣很好，風景漂亮，下山後吃了一碗豆花。", "comments": ["好漂亮", "請問路線怎麼走"]},
    {"id": "t2", "author": "阿梨", "title": "限時優惠", "label": 1, "source": "tw",
     "text": "加微信領券，原價199現價99，連結在主頁，名額有限快來搶購。", "comments": ["求連結", "已購買，很好用"]},
    {"id": "t3", "author": "小林", "title": "新手化妝刷怎麼洗", "label": 0, "source": "tw",
     "text": "化妝刷用久了會悶痘，我大概兩週洗一次，溫水加一點洗潔精，沖到水變清，刷頭朝下晾乾。", "comments": ["學到了"]},
    {"id": "t4", "author": "小林", "title": "團購連結", "label": 1, "source": "tw",
     "text": "這款面霜真的太好用了，私訊我拿專屬折扣碼，今晚下單再送小樣，點擊主頁連結購買。", "comments": ["哪裡買"]},
]  # fmt: skip
COMMENTS = [
    {"text": "這個真的很好用，推薦給大家", "label": 1},
    {"text": "質感很差，用了兩天就壞了", "label": 0},
    {"text": "顏色很漂亮，朋友都說好看", "label": 1},
    {"text": "客服態度很差，不會再買了", "label": 0},
]
UNKNOWN = (
    "argument --encoding: 'big-5x' is not an encoding Python knows; expected a codec name such as big5, gb18030, utf-8"
)


@dataclass(frozen=True)
class Models:
    ad: str
    sentiment: str


@pytest.fixture(scope="module")
def models(sample_model_dir: Path, sample_sentiment_dir: Path) -> Models:
    return Models(str(sample_model_dir), str(sample_sentiment_dir))


def write(path: Path, rows: list[dict], encoding: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"".join(json.dumps(r, ensure_ascii=False).encode(encoding) + b"\n" for r in rows))
    return path


def _no_file(row: dict) -> dict:
    return {k: v for k, v in row.items() if k != "file"}


# Each command: the rows it reads, its argv for an input file and an output directory, and what it produced
# (with the input's path left out, so that the UTF-8 and Big5 runs compare equal).
def _score(path: Path, out: Path, m: Models) -> tuple[list[str], Callable[[str], object]]:
    def result(stdout: str) -> object:
        rows = [json.loads(line) for line in (out / "scored.jsonl").read_text(encoding="utf-8").splitlines()]
        return [_no_file(r) for r in rows]

    return ["score", str(path), "-o", str(out / "scored.jsonl"), "--model", m.ad, "--jobs", "1"], result


def _evaluate(path: Path, out: Path, m: Models) -> tuple[list[str], Callable[[str], object]]:
    return ["evaluate", str(path), "--model", m.ad, "--json"], json.loads


def _evaluate_sentiment(path: Path, out: Path, m: Models) -> tuple[list[str], Callable[[str], object]]:
    return ["evaluate", "--task", "sentiment", str(path), "--model", m.sentiment, "--json"], json.loads


def _comments(path: Path, out: Path, m: Models) -> tuple[list[str], Callable[[str], object]]:
    def result(stdout: str) -> object:
        doc = json.loads(stdout)
        return {**doc, "notes": [_no_file(r) for r in doc["notes"]]}

    return ["comments", str(path), "--model", m.sentiment, "--ad-model", m.ad, "--json"], result


def _creators(path: Path, out: Path, m: Models) -> tuple[list[str], Callable[[str], object]]:
    def result(stdout: str) -> object:
        return list(csv.DictReader(io.StringIO((out / "creators.csv").read_text(encoding="utf-8"))))

    return ["creators", str(path), "-o", str(out), "--model", m.sentiment, "--ad-model", m.ad], result


def _review(path: Path, out: Path, m: Models) -> tuple[list[str], Callable[[str], object]]:
    def result(stdout: str) -> object:
        rows = [json.loads(line) for line in (out / "queue.jsonl").read_text(encoding="utf-8").splitlines()]
        return [_no_file(r) for r in rows]

    queue = str(out / "queue.jsonl")
    return ["review", str(path), "-o", queue, "-n", "4", "--include-labelled", "--model", m.ad], result


#: command, its reader of the rows, the rows, its exit status when every row is a Big5 error row
COMMANDS = [
    pytest.param(_score, NOTES, 1, id="score"),
    pytest.param(_evaluate, NOTES, 2, id="evaluate"),  # stops at the first bad row (no --skip-bad-rows)
    pytest.param(_evaluate_sentiment, COMMENTS, 2, id="evaluate-sentiment"),
    pytest.param(_comments, NOTES, 1, id="comments"),
    pytest.param(_creators, NOTES, 1, id="creators"),
    pytest.param(_review, NOTES, 2, id="review"),  # skips bad rows, each said on stderr; none readable: exit 2
]


@pytest.mark.parametrize(("command", "rows", "failed"), COMMANDS)
def test_a_big5_archive_reads_with_encoding_big5_as_in_utf8(tmp_path, capsys, models, command, rows, failed):
    utf8 = write(tmp_path / "utf8" / "notes.jsonl", rows, "utf-8")
    big5 = write(tmp_path / "big5" / "notes.jsonl", rows, "big5")
    argv, result = command(utf8, tmp_path / "out-utf8", models)
    assert main(argv) == 0
    expected = result(capsys.readouterr().out)
    argv, result = command(big5, tmp_path / "out-big5", models)
    assert main([*argv, "--encoding", "big5"]) == 0
    out, err = capsys.readouterr()
    assert "error:" not in err and "Big5" not in err
    assert result(out) == expected


def test_what_the_big5_runs_read_is_the_text_as_written(tmp_path, capsys, models):
    """Beyond agreeing with the UTF-8 run: the notes counted, their labels and their very text."""
    big5 = write(tmp_path / "notes.jsonl", NOTES, "big5")
    assert main(["evaluate", str(big5), "--model", models.ad, "--json", "--encoding", "big5"]) == 0
    metrics = json.loads(capsys.readouterr().out)
    assert metrics["n"] == 4 and metrics["skipped_rows"] == []
    assert metrics["per_source"]["tw"]["n"] == 4
    queue = tmp_path / "queue.jsonl"
    argv = ["review", str(big5), "-o", str(queue), "-n", "4", "--include-labelled", "--model", models.ad]
    assert main([*argv, "--encoding", "big5"]) == 0
    picked = [json.loads(line) for line in queue.read_text(encoding="utf-8").splitlines()]
    by_id = {n["id"]: n for n in NOTES}
    assert sorted(r["id"] for r in picked) == ["t1", "t2", "t3", "t4"]
    for r in picked:
        note = by_id[r["id"]]
        assert (r["title"], r["text"], r["author"]) == (note["title"], note["text"], note["author"])
        assert r["label_before"] == ("ad" if note["label"] else "genuine")
        assert [c["text"] for c in r["comments"]] == note["comments"]


@pytest.mark.parametrize(("command", "rows", "failed"), COMMANDS)
def test_without_encoding_each_big5_row_is_an_error_naming_big5_and_the_option(
    tmp_path, capsys, models, command, rows, failed
):
    big5 = write(tmp_path / "notes.jsonl", rows, "big5")
    argv, _ = command(big5, tmp_path / "out", models)
    assert main(argv) == failed
    out, err = capsys.readouterr()
    said = err
    if out.startswith("{"):  # comments --json keeps each row's error in its row; the others say it on stderr
        said += "".join(f"{r['error']}\n" for r in json.loads(out)["notes"])
    assert f"{big5}, line 1: it looks like Big5" in said
    assert 'pass --encoding big5 (in a training config, encoding = "big5" in its [[dataset]]), or convert' in said
    assert "where the command has it" not in said


@pytest.mark.parametrize(
    ("rows", "status", "picked", "said"),
    [
        pytest.param(0, 2, None, "could be read (each is named above), so no note was reviewed", id="all"),
        pytest.param(1, 0, 1, None, id="some"),
    ],
)
def test_review_of_big5_rows_read_without_encoding(tmp_path, capsys, models, rows, status, picked, said):
    """review skips a bad row (exit 0): with every row a Big5 row read without --encoding it wrote an empty queue
    with exit 0, then with a note; now that is an error naming the first row's problem, exit 2, no queue."""
    big5 = write(tmp_path / "notes.jsonl", [{k: v for k, v in n.items() if k != "label"} for n in NOTES], "big5")
    if rows:
        with open(big5, "ab") as fh:
            fh.write(json.dumps({"id": "u", "text": "周末去爬山，风景很好"}, ensure_ascii=False).encode() + b"\n")
    queue = tmp_path / "queue.jsonl"
    assert main(["review", str(big5), "-o", str(queue), "-n", "4", "--model", models.ad]) == status
    err = capsys.readouterr().err
    assert err.count("skipped: ") == 4 and "pass --encoding big5" in err
    if said:
        assert f"error: none of the 4 row(s) of {big5} {said}" in err
        assert f"the first: {big5}, line 1: it looks like Big5" in err and not queue.exists()
    else:
        assert "error:" not in err and len(queue.read_text(encoding="utf-8").splitlines()) == picked


@pytest.mark.parametrize("command", ["score", "evaluate", "comments", "creators", "review", "check"])
def test_an_unknown_codec_exits_2_before_any_file_is_read(tmp_path, capsys, command):
    missing = str(tmp_path / "not-there.jsonl")  # read first, it would be the error
    argv = {
        "score": ["score", missing],
        "evaluate": ["evaluate", missing],
        "comments": ["comments", missing],
        "creators": ["creators", missing, "-o", str(tmp_path / "out")],
        "review": ["review", missing, "-o", str(tmp_path / "queue.csv")],
        "check": ["check", "-"],
    }[command]
    with pytest.raises(SystemExit) as exc:
        main([*argv, "--encoding", "big-5x"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: notecheck " + command)
    assert f"notecheck {command}: error: {UNKNOWN}\n" in err
    assert not (tmp_path / "out").exists() and not (tmp_path / "queue.csv").exists()


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("big5", None),
        ("BIG5", None),
        ("cp950", None),
        ("big5hkscs", None),
        ("gbk", None),
        ("utf-8-sig", None),
        ("shift_jis", None),
        ("klingon", "'klingon' is not an encoding Python knows; expected a codec name such as big5, gb18030, utf-8"),
        ("rot13", "'rot13' is not a text encoding; expected a codec name such as big5, gb18030, utf-8"),
        ("base64", "'base64' is not a text encoding; expected"),
        ("utf-16", "'utf-16' does not keep ASCII characters as single bytes"),
        ("utf-32-le", "'utf-32-le' does not keep ASCII characters as single bytes"),
        ("cp037", "'cp037' does not keep ASCII characters as single bytes"),  # EBCDIC
    ],
)
def test_which_codecs_note_files_can_be_read_with(name, why):
    """A codec of bytes to bytes stopped `score` with a traceback mid-run, and a UTF-16 one made every row invalid
    JSON: both are refused with the name."""
    got = encoding_problem(name)
    assert got is None if why is None else got.startswith(why)


def test_score_run_from_python_checks_the_encoding_as_the_command_line_does(tmp_path):
    from model.errors import InvalidParameterError
    from serve.batch import BatchConfig

    with pytest.raises(InvalidParameterError, match=r"The --encoding option \(encoding\): 'rot13' is not a text"):
        BatchConfig(inputs=[str(tmp_path)], encoding="rot13").validate()


# -- check -: standard input --------------------------------------------------------------------------------------
def _stdin(monkeypatch, data: bytes) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data)))


def test_check_reads_big5_standard_input_with_encoding_big5(monkeypatch, capsys, sample_model_dir):
    text = NOTES[1]["text"]
    assert main(["check", "--model", str(sample_model_dir), "--json", text]) == 0
    expected = json.loads(capsys.readouterr().out)
    _stdin(monkeypatch, text.encode("big5") + b"\n")
    assert main(["check", "--model", str(sample_model_dir), "--json", "--encoding", "big5", "-"]) == 0
    assert json.loads(capsys.readouterr().out) == expected


def test_check_standard_input_without_encoding_names_the_option(monkeypatch, capsys, sample_model_dir):
    _stdin(monkeypatch, NOTES[1]["text"].encode("big5"))
    assert main(["check", "--model", str(sample_model_dir), "--json", "-"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "looks like Big5" in err and "pass --encoding big5, or convert it to UTF-8" in err


def test_check_standard_input_not_in_the_encoding_given_is_refused(monkeypatch, capsys, sample_model_dir):
    _stdin(monkeypatch, "加微信领券".encode("gb18030"))
    assert main(["check", "--model", str(sample_model_dir), "--encoding", "utf-8", "-"]) == 2
    assert capsys.readouterr().err == (
        "error: standard input is not valid utf-8 (--encoding utf-8): byte 1 of standard input is 0xBC; standard "
        "input is GB18030 (or GBK) text, which is read without --encoding.\n"
    )


#: bytes, the encoding given, and what the message says they are instead
NOT_IN_THE_ENCODING = [
    pytest.param("加微信领券".encode(), "big5", "is UTF-8 text, which is read without", id="utf8-as-big5"),
    pytest.param(
        "加微信领券".encode("gbk"), "utf-8", "is GB18030 (or GBK) text, which is read without", id="gbk-as-utf8"
    ),
    pytest.param(NOTES[1]["text"].encode("big5"), "utf-8", "looks like Big5 (traditional Chinese", id="big5-as-utf8"),
    pytest.param(NOTES[1]["text"].encode("big5"), "gbk", "looks like Big5 (traditional Chinese", id="big5-as-gbk"),
    pytest.param("加微信领券".encode(), "ascii", "is UTF-8 text, which is read without", id="utf8-as-ascii"),
]


@pytest.mark.parametrize(("data", "encoding", "instead"), NOT_IN_THE_ENCODING)
def test_standard_input_not_in_the_encoding_says_the_option_the_byte_and_what_it_is(
    monkeypatch, capsys, sample_model_dir, data, encoding, instead
):
    _stdin(monkeypatch, data)
    assert main(["check", "--model", str(sample_model_dir), "--encoding", encoding, "-"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith(f"error: standard input is not valid {encoding} (--encoding {encoding}): ")
    # every one of these texts goes wrong at its first character
    assert f"byte 1 of standard input is 0x{data[0]:02X}" in err and f"; standard input {instead}" in err
    assert "training config" not in err  # standard input is never a training data set


@pytest.mark.parametrize(("data", "encoding", "instead"), NOT_IN_THE_ENCODING)
def test_a_row_not_in_the_encoding_is_an_error_row_saying_the_option_and_what_it_is(
    tmp_path, sample_model_dir, data, encoding, instead
):
    """Each row of the file is scored or kept as an error row saying which option gave the encoding, the byte it
    cannot read, and what the line is instead."""
    src = tmp_path / "notes.jsonl"
    src.write_bytes(b'{"id": "a", "text": "' + data + b'"}\n{"id": "b", "text": "ok"}\n')
    out = tmp_path / "scored.jsonl"
    assert main(["score", str(src), "-o", str(out), "--model", str(sample_model_dir), "--encoding", encoding]) == 1
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["line"] for r in rows] == [1, 2] and rows[1]["error"] is None
    given = f'(--encoding {encoding}, or encoding = "{encoding}" in a training config)'
    assert rows[0]["error"].startswith(f"{src}, line 1: not valid {encoding} {given}: byte ")
    assert f"; the line {instead}" in rows[0]["error"]


def test_bytes_no_encoding_reads_are_said_only_where_they_fail(monkeypatch, capsys, sample_model_dir):
    _stdin(monkeypatch, b"\x80\x80\x80\x80")
    assert main(["check", "--model", str(sample_model_dir), "--encoding", "utf-8", "-"]) == 2
    assert capsys.readouterr().err == (
        "error: standard input is not valid utf-8 (--encoding utf-8): byte 1 of standard input is 0x80.\n"
    )


def test_check_refuses_encoding_with_the_text_on_the_command_line(capsys, sample_model_dir):
    """The text of the command line is already text: --encoding would silently do nothing."""
    assert main(["check", "--model", str(sample_model_dir), "--encoding", "big5", "加微信领券"]) == 2
    assert capsys.readouterr().err == (
        "error: --encoding decodes standard input, read with the text -. Got --encoding big5 with the text on the "
        "command line.\n"
    )


# -- train: the encoding of each [[dataset]] ----------------------------------------------------------------------
def _config(tmp_path: Path, encoding: str | None) -> Path:
    write(tmp_path / "tw.jsonl", NOTES, "big5")
    line = "" if encoding is None else f'encoding = "{encoding}"\n'
    (tmp_path / "c.toml").write_text(f'[[dataset]]\nname = "tw"\npath = "tw.jsonl"\n{line}', encoding="utf-8")
    return tmp_path / "c.toml"


def test_a_training_dataset_in_big5_reads_with_its_encoding(tmp_path):
    from training.config import load_config
    from training.data import load_dataset

    (spec,) = load_config(_config(tmp_path, "big5")).datasets
    examples, info = load_dataset(spec, seed=0)
    assert info.skipped == [] and [e.label for e in examples] == [0, 1, 0, 1]
    assert [(e.note.title, e.note.text) for e in examples] == [(n["title"], n["text"]) for n in NOTES]


def test_a_training_dataset_in_big5_without_its_encoding_names_big5_and_the_key(tmp_path):
    from model.errors import InvalidNoteError
    from training.config import load_config
    from training.data import load_dataset

    (spec,) = load_config(_config(tmp_path, None)).datasets
    with pytest.raises(InvalidNoteError) as exc:
        load_dataset(spec, seed=0)
    assert f"{tmp_path / 'tw.jsonl'}, line 1: it looks like Big5" in str(exc.value)
    assert 'encoding = "big5" in its [[dataset]]' in str(exc.value)


def test_train_refuses_an_unknown_dataset_encoding_before_reading(tmp_path, capsys):
    assert main(["train", "--config", str(_config(tmp_path, "big-5x")), "-o", str(tmp_path / "model")]) == 2
    assert capsys.readouterr().err == (
        "error: The 'dataset[0].encoding' parameter of the training config: 'big-5x' is not an encoding Python "
        "knows; expected a codec name such as big5, gb18030, utf-8.\n"
    )
    assert not (tmp_path / "model").exists()


# -- the training tools that read note files ----------------------------------------------------------------------
def _tool(name: str) -> Callable[[list[str]], int]:
    from importlib import import_module

    return import_module(f"training.{name}").main


@pytest.mark.parametrize(
    ("tool", "args", "read"),
    [
        ("bracket_counts", [], "FILE: 4 rows"),
        ("declared_counts", ["--ads"], "genuine 0 of 2 declared (0 hold a word of one), ads 0 of 2 declared"),
        ("cue_counts", ["主页|主頁", "--data"], "ads 2 of 2 (100.0%), genuine 0 of 2 (0.0%)"),
    ],
)
def test_the_training_tools_read_big5_with_encoding_big5_as_utf8(tmp_path, capsys, tool, args, read):
    utf8 = write(tmp_path / "utf8" / "notes.jsonl", NOTES, "utf-8")
    big5 = write(tmp_path / "big5" / "notes.jsonl", NOTES, "big5")
    assert _tool(tool)([*args, str(utf8)]) == 0
    expected = capsys.readouterr().out.replace(str(utf8), "FILE")
    assert read in expected
    assert _tool(tool)([*args, str(big5), "--encoding", "big5"]) == 0
    out, err = capsys.readouterr()
    assert out.replace(str(big5), "FILE") == expected and err == ""
    with pytest.raises(SystemExit) as exc:
        _tool(tool)([*args, str(big5), "--encoding", "big-5x"])
    assert exc.value.code == 2 and UNKNOWN in capsys.readouterr().err
