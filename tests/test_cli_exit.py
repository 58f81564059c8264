"""Exit status and streams of the CLI, binary input, the one text-length limit, and option checks."""

import gzip
import io
import json
import os
import re
import subprocess
import sys

import pytest
from conftest import ROOT, SAMPLES

from model.notes import MAX_TEXT_CHARS, MAX_TITLE_CHARS
from serve.cli import main
from serve.settings import Settings

ROWS = '{"id": "a", "text": "今天去爬山了"}\nnot json\n{"id": "c", "text": "加vx领券"}\n{"id": "d", "text": "好吃"}\n'


def stdin_bytes(monkeypatch, data: bytes) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data)))


# -- score: exit status, diagnostics on standard error -------------------------------------------------------------
def test_score_exits_1_when_a_row_failed_and_puts_diagnostics_on_stderr(tmp_path, capsys, sample_model_dir):
    data = tmp_path / "in.jsonl"
    data.write_text(ROWS, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["score", str(data), "-o", str(out), "--model", str(sample_model_dir), "--jobs", "1"]) == 1
    stdout, stderr = capsys.readouterr()
    assert len(out.read_text().splitlines()) == 4  # the output is complete all the same
    assert "error:" not in stdout and "note:" not in stdout and stdout.startswith("scored 3 of 4 notes")
    assert f"error: {data}, line 2: invalid JSON" in stderr
    assert "error: 1 of 4 row(s) failed (25.00%, more than --max-error-rate 0); exit status 1" in stderr


def test_score_exits_1_when_every_row_failed(tmp_path, capsys, sample_model_dir):
    data = tmp_path / "bad.jsonl"
    data.write_text("not json\n[1]\n", encoding="utf-8")
    assert main(["score", str(data), "--model", str(sample_model_dir), "--jobs", "1"]) == 1


@pytest.mark.parametrize(("rate", "code"), [("0.25", 0), ("0.3", 0), ("0.2", 1)])
def test_max_error_rate(tmp_path, capsys, sample_model_dir, rate, code):
    data = tmp_path / "in.jsonl"
    data.write_text(ROWS, encoding="utf-8")
    argv = ["score", str(data), "--model", str(sample_model_dir), "--jobs", "1", "--max-error-rate", rate]
    assert main(argv) == code
    assert f"error: {data}, line 2: invalid JSON" in capsys.readouterr().err  # reported either way


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--max-error-rate", "1.5"], "--max-error-rate must be between 0 and 1. Got 1.5"),
        (["--chunk-size", "0"], "The --chunk-size option (chunk_size) must be a positive integer. Got 0"),
    ],
)
def test_score_option_values_are_checked(tmp_path, capsys, sample_model_dir, argv, message):
    data = tmp_path / "in.jsonl"
    data.write_text(ROWS, encoding="utf-8")
    assert main(["score", str(data), "--model", str(sample_model_dir), *argv]) == 2
    assert message in capsys.readouterr().err


# -- check: binary input refused as score refuses it ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "standard input holds binary data (NUL bytes), not a note's text"),
        (gzip.compress("加vx领券".encode()), "standard input is compressed (gzip, zip, bzip2, xz or zstd)"),
        ("加vx领券".encode("utf-16"), "standard input is UTF-16"),
        (b"plain \x80\xff junk \xff", "standard input is neither UTF-8 (byte 7 of standard input) nor GB18030"),
    ],
)
def test_check_refuses_binary_stdin(monkeypatch, capsys, sample_model_dir, data, message):
    stdin_bytes(monkeypatch, data)
    assert main(["check", "--model", str(sample_model_dir), "-"]) == 2
    stdout, stderr = capsys.readouterr()
    assert stdout == "" and stderr.startswith(f"error: {message}")


def test_check_reads_gbk_stdin(monkeypatch, capsys, sample_model_dir):
    stdin_bytes(monkeypatch, "今天去爬山了，风景超美".encode("gbk"))
    assert main(["check", "--model", str(sample_model_dir), "--json", "-"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert all(h["text"] in "今天去爬山了，风景超美" for h in out["highlights"])


@pytest.mark.parametrize("end", ["\n", "\r\n"])
def test_check_stdin_drops_the_final_line_end_only(monkeypatch, capsys, sample_model_dir, end):
    """`echo`/`print` add a line end the writer never typed: at the text limit it must not tip the note over it,
    and it is no part of any highlight; line breaks inside the text stay."""
    text = "第一行加vx领券\n" + "好" * (MAX_TEXT_CHARS - 9)
    assert len(text) == MAX_TEXT_CHARS
    stdin_bytes(monkeypatch, (text + end).encode())
    assert main(["check", "--model", str(sample_model_dir), "--json", "-"]) == 0, capsys.readouterr().err
    out = json.loads(capsys.readouterr().out)
    assert all(text[h["start"] : h["end"]] == h["text"] for h in out["highlights"])


# -- one text-length limit, one behaviour ----------------------------------------------------------------------------
def test_the_server_default_is_the_one_limit():
    s = Settings()
    assert (s.max_text_chars, s.max_title_chars) == (MAX_TEXT_CHARS, MAX_TITLE_CHARS) == (20_000, 1_000)


@pytest.mark.parametrize(("field", "limit"), [("text", MAX_TEXT_CHARS), ("title", MAX_TITLE_CHARS)])
def test_check_refuses_a_note_over_the_limit(capsys, sample_model_dir, field, limit):
    argv = ["check", "--model", str(sample_model_dir), "--title", "周末", "好" * limit]
    assert main(argv) == 0  # at the limit
    capsys.readouterr()
    long = "好" * (limit + 1)
    argv = ["check", "--model", str(sample_model_dir)] + (["--title", long, "正文"] if field == "title" else [long])
    assert main(argv) == 2
    assert capsys.readouterr().err == (
        f"error: field '{field}' must be at most {limit:,} characters. Got {limit + 1:,} characters.\n"
    )


def test_score_refuses_a_note_over_the_limit_as_an_error_row(tmp_path, capsys, sample_model_dir):
    data = tmp_path / "in.jsonl"
    rows = [{"id": "ok", "text": "好" * MAX_TEXT_CHARS}, {"id": "long", "text": "好" * (MAX_TEXT_CHARS + 1)}]
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["score", str(data), "-o", str(out), "--model", str(sample_model_dir), "--jobs", "1"]) == 1
    got = [json.loads(line) for line in out.read_text().splitlines()]
    assert got[0]["error"] is None and got[0]["warning"] is None
    assert got[1]["error"] == (
        f"{data}, line 2: field 'text' must be at most {MAX_TEXT_CHARS:,} characters. Got {MAX_TEXT_CHARS + 1:,} "
        "characters."
    )


# -- output that cannot be written: one line naming the path, exit 2 -----------------------------------------------
def _notecheck(*argv: str, **kwargs) -> subprocess.CompletedProcess:
    code = "import sys; from serve.cli import main; sys.exit(main())"
    streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **kwargs}
    return subprocess.run([sys.executable, "-c", code, *argv], cwd=ROOT, text=True, **streams)


def _one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


def test_a_reader_that_stops_early_is_no_error(sample_model_dir):
    """`notecheck check ... | head -1`: the reader closed the pipe; nothing failed here, so no error line, and the
    exit status is that of a process stopped by SIGPIPE (141), as the shell's own tools give."""
    code = "import sys; from serve.cli import main; sys.exit(main())"
    argv = ["check", "--model", str(sample_model_dir), "--json", "加vx领券 " * 500]
    p = subprocess.Popen([sys.executable, "-c", code, *argv], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdout.close()  # before the model is even loaded: the first write meets a closed pipe
    stderr = p.stderr.read().decode()
    assert p.wait() == 141 and stderr == "", stderr


def test_full_standard_output(sample_model_dir):
    with open("/dev/full", "w") as full:
        res = _notecheck("evaluate", str(SAMPLES / "notes.jsonl"), "--model", str(sample_model_dir), "--json",
                         stdout=full)  # fmt: skip
    assert res.returncode == 2
    # The sample notes are the sample model's training data: evaluate says so first (a warning, not an error).
    warning, _, rest = res.stderr.partition("\n")
    assert "evaluated notes were in this model's training data" in warning
    assert _one_error_line(rest) == "error: cannot write standard output: No space left on device"


def test_output_in_a_read_only_place(tmp_path, sample_model_dir):
    """/sys refuses new files even to root (a read-only place that needs no set-up)."""
    res = _notecheck("score", str(SAMPLES / "notes.jsonl"), "-o", "/sys/notecheck-out.jsonl", "--model",
                     str(sample_model_dir), "--jobs", "1")  # fmt: skip
    assert res.returncode == 2
    line = _one_error_line(res.stderr)
    assert re.fullmatch(r"error: cannot write /sys/notecheck-out.jsonl.parts: (Operation not permitted|Permission "
                        r"denied|Read-only file system)", line), line  # fmt: skip


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_output_on_a_file_system_that_fills_up(tmp_path, sample_model_dir, jobs):
    """Writes beyond a file-size limit fail in the kernel as on a full disk (EFBIG instead of ENOSPC), in the
    parent and in the workers alike; the run stops with one line naming the file, and --resume finishes it."""
    import resource
    import signal

    data = tmp_path / "in.jsonl"
    rows = (SAMPLES / "notes.jsonl").read_text(encoding="utf-8").splitlines() * 4
    data.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"

    def limit_file_size() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the write fails with EFBIG instead of killing the process
        resource.setrlimit(resource.RLIMIT_FSIZE, (60_000, 60_000))

    argv = ["score", str(data), "-o", str(out), "--model", str(sample_model_dir), "--jobs", jobs, "--chunk-size", "40"]
    res = _notecheck(*argv, preexec_fn=limit_file_size)
    assert res.returncode == 2 and not out.exists()
    assert re.fullmatch(
        rf"error: cannot write {re.escape(str(tmp_path))}/\S+: File too large", _one_error_line(res.stderr)
    )
    assert not [p for p in tmp_path.rglob(".*tmp-*")]  # no half-written temporary files left
    assert not list(tmp_path.rglob("notecheck-crossnote-*"))  # nor the first pass's buckets

    res = _notecheck(*argv, "--resume")
    assert res.returncode == 0, res.stderr
    assert len(out.read_text(encoding="utf-8").splitlines()) == len(rows)


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small tmpfs needs root")
def test_output_on_a_full_disk(tmp_path, sample_model_dir):
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(disk)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        res = _notecheck("score", str(SAMPLES / "notes.jsonl"), "-o", str(disk / "out.jsonl"), "--model",
                         str(sample_model_dir), "--jobs", "1")  # fmt: skip
        assert res.returncode == 2
        line = _one_error_line(res.stderr)
        assert line.startswith(f"error: cannot write {disk}/") and line.endswith(": No space left on device")
    finally:
        subprocess.run(["umount", str(disk)], check=False)


# -- evaluate streams ----------------------------------------------------------------------------------------------
def test_evaluate_scores_in_bounded_chunks(tmp_path, sample_model):
    """evaluate keeps three numbers per note and scores chunk by chunk (memory bounded as in score); the metrics
    are those of scoring every note at once."""
    from model.evaluation import evaluate
    from model.notes import read_notes
    from serve.cmd_evaluate import predict_labelled

    calls: list[int] = []

    class Recording:
        def score(self, notes, *, top):
            calls.append(len(notes))
            return sample_model.score(notes, top=top)

    data = tmp_path / "in.jsonl"
    data.write_text((SAMPLES / "notes.jsonl").read_text(encoding="utf-8") * 3, encoding="utf-8")
    y, p, sources, decisions, _declared, skipped, rows = predict_labelled(
        Recording(), [data], skip_bad_rows=False, chunk_size=50
    )
    assert calls == [50] * 7 + [10] and skipped == [] and rows == {data: 360}
    notes, _ = read_notes(data, require_label=True)
    at_once = sample_model.score(notes, top=0)
    assert list(decisions) == at_once.decisions
    t, r = sample_model.threshold, sample_model.review_threshold
    src = [n.source or "in" for n in notes]
    expected = evaluate([n.label for n in notes], at_once.probabilities, src, t, r, decisions=at_once.decisions)
    assert evaluate(y, p, sources, t, r, decisions=decisions) == expected


# -- small frictions ------------------------------------------------------------------------------------------------
def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0 and re.fullmatch(r"notecheck \d+\.\d+\.\d+\S*\n", capsys.readouterr().out)


@pytest.mark.parametrize("command", ["train", "evaluate", "check", "score", "comments", "serve"])
def test_every_option_has_help(command):
    from serve.cli import build_parser

    sub = next(a for a in build_parser()._actions if a.dest == "command").choices[command]
    missing = [a.option_strings or a.dest for a in sub._actions if not a.help]
    assert missing == []


def test_negative_top_is_refused(capsys, sample_model_dir):
    with pytest.raises(SystemExit) as exc:
        main(["check", "--model", str(sample_model_dir), "--top", "-3", "加vx"])
    assert exc.value.code == 2 and "argument --top: must be a whole number >= 0. Got -3." in capsys.readouterr().err


def test_every_setting_is_listed_in_serve_help_and_the_readme():
    from serve.cmd_serve import settings_help
    from serve.settings import ENV_PREFIX, Settings

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    names = [f"{ENV_PREFIX}{name.upper()}" for name in Settings.model_fields]
    assert [n for n in names if f"`{n}`" not in readme] == []
    assert [n for n in names if f"  {n} (default " not in settings_help()] == []


def test_score_keeps_a_row_whose_label_it_does_not_understand(tmp_path, capsys, sample_model_dir):
    data = tmp_path / "in.jsonl"
    data.write_text('{"id": "a", "text": "加vx领券", "label": "maybe"}\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["score", str(data), "-o", str(out), "--model", str(sample_model_dir), "--jobs", "1"]) == 0
    row = json.loads(out.read_text(encoding="utf-8"))
    assert row["error"] is None and row["decision"] in {"ad", "review", "genuine"}


def test_a_run_over_existing_output_says_what_it_discards(tmp_path, capsys, sample_model_dir):
    data = tmp_path / "in.jsonl"
    data.write_text(ROWS.replace("not json\n", ""), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    argv = ["score", str(data), "-o", str(out), "--model", str(sample_model_dir), "--jobs", "1", "--chunk-size", "1"]
    assert main(argv) == 0
    size = out.stat().st_size
    capsys.readouterr()
    assert main(argv) == 0
    assert f"note: {out} exists ({size:,} bytes); this run replaces it when it finishes" in capsys.readouterr().err
    parts = tmp_path / "out.jsonl.parts"  # an unfinished run: its manifest names 2 finished chunks
    parts.mkdir()
    (parts / "_manifest.jsonl").write_text('{"fingerprint": {}}\n{"chunk": 0}\n{"chunk": 1}\n', encoding="utf-8")
    assert main(argv) == 0
    assert (
        f"note: discarding the run in {parts} (2 chunk(s) of it were done; without this it could have been continued "
        "with --resume)"
    ) in capsys.readouterr().err


@pytest.mark.parametrize("command", ["score", "creators", "overlap"])
def test_a_report_directory_that_is_a_file_is_refused_before_any_work(tmp_path, capsys, command):
    """`score ... --report afile` scored the whole archive, then failed with "cannot write afile: File exists"."""
    taken = tmp_path / "afile"
    taken.write_text("mine", encoding="utf-8")
    notes = tmp_path / "n.jsonl"
    notes.write_text('{"text": "今天爬山"}\n', encoding="utf-8")
    argv = {
        "score": ["score", str(notes), "-o", str(tmp_path / "out.jsonl"), "--report", str(taken)],
        "creators": ["creators", str(notes), "-o", str(taken)],
        "overlap": ["overlap", str(notes), str(notes), "-o", str(taken)],
    }[command]
    assert main(argv) == 2
    assert f"{taken}: exists and is not a directory" in capsys.readouterr().err
    assert taken.read_text(encoding="utf-8") == "mine" and not (tmp_path / "out.jsonl").exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["overlap", "{f}", "{f}", "-o", "{d}/o", "--top", "0"], "error: --top must be >= 1. Got 0."),
        (["overlap", "{f}", "{f}", "-o", "{d}/o", "--min-jaccard", "2"], "--min-jaccard must be between 0 and 1"),
        (["comments", "{f}", "--max-comment-chars", "0"], "error: --max-comment-chars must be at least 1. Got 0."),
    ],
)
def test_bad_option_values_are_usage_errors_naming_the_flag(tmp_path, capsys, argv, message):
    """The README: every command exits 2 for a usage error. `overlap --top 0` exited 1, and `comments
    --max-comment-chars 0` named an internal parameter ("'max_comment_chars' parameter of CommentScorer")."""
    f = tmp_path / "f.jsonl"  # a note file for comments; for overlap the option is refused before reading
    f.write_text('{"text": "好看"}\n', encoding="utf-8")
    assert main([a.format(f=f, d=tmp_path) for a in argv]) == 2
    assert message in capsys.readouterr().err


def test_a_bug_exits_70_with_its_traceback_not_1(monkeypatch, capsys, sample_model_dir):
    """An unexpected exception ended in Python's traceback and exit status 1, which `score` uses to promise a complete
    output with error rows. A bug now has a status of its own (70, EX_SOFTWARE), its traceback and one line."""
    from model.classifier import AdModel

    def boom(self, *args, **kwargs):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(AdModel, "check", boom)
    assert main(["check", "--model", str(sample_model_dir), "加vx领券"]) == 70
    err = capsys.readouterr().err
    assert "Traceback" in err and "RuntimeError: simulated bug" in err
    assert err.rstrip().splitlines()[-1].startswith("error: notecheck check stopped on an unexpected error, a bug")


@pytest.mark.parametrize("cv", [[], ["--cv", "2x2"]])
def test_train_refuses_an_output_that_is_a_file_before_training(tmp_path, capsys, monkeypatch, cv):
    """`train -o FILE` trained the whole model and then stopped on "error: FILE: File exists", naming neither the
    flag nor what was expected; it is now refused first, as creators and overlap refuse theirs."""
    import training.cv
    import training.train

    def trained(*args, **kwargs):
        raise AssertionError("training started")

    monkeypatch.setattr(training.train, "run_training", trained)
    monkeypatch.setattr(training.cv, "run_cv", trained)
    out = tmp_path / "model"
    out.write_text("not a directory", encoding="utf-8")
    assert main(["train", "--config", str(SAMPLES / "train_sample.toml"), "-o", str(out), *cv]) == 2
    assert capsys.readouterr().err == (
        f"error: -o/--output {out}: exists and is not a directory; name a directory for the model.\n"
    )


def test_check_refuses_big5_stdin_naming_it(monkeypatch, capsys, sample_model_dir):
    """`printf '加微信領券，原價199現價99' | iconv -t big5 | notecheck check -` read 稬獺烩ㄩ基199瞷基99 and gave a
    verdict on it."""
    stdin_bytes(monkeypatch, "加微信領券，原價199現價99".encode("big5"))
    assert main(["check", "--model", str(sample_model_dir), "--json", "-"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "looks like Big5" in err and "iconv -f big5 -t utf-8" in err


@pytest.mark.parametrize("existing", [False, True])
def test_train_stopped_by_a_bad_row_leaves_no_directory_of_its_own(tmp_path, capsys, existing):
    """`train -o NEW` on data with a bad row made NEW and left it empty; a directory the user made stays."""
    notes = tmp_path / "notes.jsonl"
    lines = (SAMPLES / "notes.jsonl").read_text(encoding="utf-8").splitlines()
    notes.write_text("\n".join([*lines[:5], "not json", *lines[5:]]) + "\n", encoding="utf-8")
    config = tmp_path / "train.toml"
    text = (SAMPLES / "train_sample.toml").read_text(encoding="utf-8").replace("notes.jsonl", notes.as_posix())
    config.write_text(text, encoding="utf-8")
    out = tmp_path / "deep" / "model"
    if existing:
        out.mkdir(parents=True)
    assert main(["train", "--config", str(config), "-o", str(out), "--quiet"]) == 2
    assert f"{notes}, line 6" in capsys.readouterr().err
    assert out.is_dir() is existing and (not existing or not any(out.iterdir()))
    assert (tmp_path / "deep").is_dir() is existing  # nor the parents it made


@pytest.mark.parametrize("command", ["comments", "creators"])
def test_an_ad_model_given_as_the_sentiment_model_says_where_it_goes(tmp_path, capsys, command):
    """In comments and creators --model is the sentiment model (the README's general sentence about --model is of
    the ad model): an ad model given there is refused, and the error says the ad model is --ad-model."""
    argv = [command, str(SAMPLES / "notes.jsonl"), "--model", str(ROOT / "model" / "default")]
    if command == "creators":
        argv += ["-o", str(tmp_path / "out")]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "task is 'ad', expected 'sentiment'" in err and "the ad model is --ad-model" in err
