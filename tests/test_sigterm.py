"""SIGTERM (``kill PID``, a scheduler's stop) ends a batch command as Ctrl-C does: one ``terminated`` line on
stderr, exit status 143, no worker process left, and for ``score`` the finished chunks kept for ``--resume``.
Before, the commands were killed outright: status 143 with nothing said."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT
from test_batch_processes import (
    descendants,
    kill_leftovers,
    manifest_of,
    outliving,
    score_argv,
    start_mid_run,
    write_archive,
)

from serve.batch import iter_output_rows
from serve.cli import main

NOTES = [
    {"id": "a", "title": "新店开业", "text": "全场饮品第二杯半价，加vx领券，原价199现价99", "author": "店长",
     "comments": ["求链接", "已下单"]},
    {"id": "b", "text": "今天去爬山了，风景超美，累但是值得", "author": "山野", "comments": ["好美"]},
    {"id": "c", "text": "这家面馆味道一般，排队太久了", "author": "吃货"},
]  # fmt: skip


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    return write_archive(tmp_path_factory.mktemp("sigterm") / "archive.jsonl", NOTES, 20000)


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
@pytest.mark.parametrize(
    ("command", "said"),
    [
        pytest.param("score-jobs2", "terminated (SIGTERM): stopped after ", id="score-jobs2"),
        pytest.param("score-jobs1", "terminated (SIGTERM): stopped after ", id="score-jobs1"),
        pytest.param("creators", "terminated (SIGTERM): notecheck creators stopped before it finished", id="creators"),
        pytest.param("comments", "terminated (SIGTERM): notecheck comments stopped before it finished", id="comments"),
    ],
)
def test_sigterm_mid_run_is_one_line_exit_143_and_no_process_left(
    tmp_path, archive, sample_model_dir, sample_sentiment_dir, command, said
):
    out = tmp_path / "out.jsonl"
    args = {
        "score-jobs2": ["score", str(archive), "-o", str(out), "--model", str(sample_model_dir), "--jobs", "2"],
        "score-jobs1": ["score", str(archive), "-o", str(out), "--model", str(sample_model_dir), "--jobs", "1"],
        "creators": ["creators", str(archive), "-o", str(tmp_path / "audit"), "--model", str(sample_sentiment_dir),
                     "--ad-model", str(sample_model_dir)],
        "comments": ["comments", str(archive), "--model", str(sample_sentiment_dir), "--no-ad"],
    }[command]  # fmt: skip
    if command.startswith("score"):
        args += ["--chunk-size", "200", "--no-progress"]
    code = "import sys; from serve.cli import main; sys.exit(main())"
    proc = subprocess.Popen([sys.executable, "-c", code, *args], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)  # fmt: skip
    manifest = tmp_path / "out.jsonl.parts" / "_manifest.jsonl"
    procs: dict[int, int] = {}
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and proc.poll() is None:
            procs.update(descendants(proc.pid))
            if command.startswith("score"):
                started = manifest.is_file() and len(manifest.read_text().splitlines()) >= 3
            else:  # past start-up (imports, models) and into the rows
                started = _cpu_seconds(proc.pid) >= 2.0
            if started and (command != "score-jobs2" or len(procs) >= 2):
                break
            time.sleep(0.05)
        assert proc.poll() is None, "the run finished before it could be stopped; make the input larger"
        procs.update(descendants(proc.pid))
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 143, err
        lines = err.strip().splitlines()
        assert lines[-1].startswith(said), err
        assert "Traceback" not in err
        left = outliving(procs)
        assert not left, f"processes outlived the run: {left}"
    finally:
        kill_leftovers(proc, procs)
    if command.startswith("score"):  # what the line says: --resume continues from the chunks kept
        assert "run the same command with --resume to continue" in lines[-1]
        res = subprocess.run([sys.executable, "-c", code, *args, "--resume"], cwd=ROOT, capture_output=True, text=True)
        assert res.returncode == 0, res.stderr
        assert "note: resumed: " in res.stderr


@pytest.mark.parametrize(
    ("stop", "status", "said"),
    [
        pytest.param(lambda: os.kill(os.getpid(), signal.SIGTERM), 143, "terminated (SIGTERM)", id="sigterm"),
        pytest.param(lambda: os.kill(os.getpid(), signal.SIGINT), 130, "interrupted", id="ctrl-c"),
    ],
)
def test_sigterm_and_ctrl_c_end_a_command_alike(tmp_path, capsys, monkeypatch, stop, status, said):
    """In process: the command's handler is in force while it runs, and the handler found is put back after it."""
    fell_through: list[int] = []

    def found(signum: int, frame: object) -> None:  # had the command no handler, SIGTERM would land here
        fell_through.append(signum)

    def stopped(*args, **kwargs):
        stop()
        time.sleep(5)  # the signal's exception ends this at once
        raise AssertionError("the signal did not stop the command")

    # the command's body itself (a function other modules import, such as build_scorer, would stay patched in
    # whichever module is first imported during this test)
    monkeypatch.setattr("serve.cmd_comments.run", stopped)
    (tmp_path / "notes.jsonl").write_text(json.dumps(NOTES[0], ensure_ascii=False) + "\n", encoding="utf-8")
    previous = signal.signal(signal.SIGTERM, found)
    # Ctrl-C as a terminal delivers it: a test run started in the background of a script (as CI may start it)
    # inherits SIGINT ignored, and the os.kill above would then do nothing.
    previous_int = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        assert main(["comments", str(tmp_path / "notes.jsonl")]) == status
        assert signal.getsignal(signal.SIGTERM) is found and not fell_through
    finally:
        signal.signal(signal.SIGTERM, previous)
        signal.signal(signal.SIGINT, previous_int)
    assert capsys.readouterr().err == f"{said}: notecheck comments stopped before it finished\n"


def _as_a_terminal_job() -> None:
    """In the child before it starts: the signals' default dispositions, as a shell gives a foreground command (a
    test run started in the background of a script inherits SIGINT ignored, which would hide what Ctrl-C does)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


@pytest.fixture(scope="module")
def small_archive(tmp_path_factory) -> Path:
    """150 chunks of 20 rows: long enough to stop mid-run, short enough to score whole in each test."""
    return write_archive(tmp_path_factory.mktemp("stopped") / "archive.jsonl", NOTES, 1000)


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory, small_archive, sample_model_dir) -> Path:
    out = tmp_path_factory.mktemp("uninterrupted") / "whole.jsonl"
    assert main(["score", str(small_archive), "-o", str(out), "--model", str(sample_model_dir), "--chunk-size", "20",
                 "--no-progress", "--jobs", "1"]) == 0  # fmt: skip
    return out


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
@pytest.mark.parametrize(
    ("sig", "status", "said"),
    [
        pytest.param(signal.SIGTERM, 143, "terminated (SIGTERM): stopped after ", id="sigterm"),
        pytest.param(signal.SIGINT, 130, "interrupted: stopped after ", id="ctrl-c"),
    ],
)
@pytest.mark.parametrize(
    "engine",
    [
        pytest.param(["--jobs", "2"], id="jobs2"),
        pytest.param(["--engine", "dask", "--jobs", "2"], id="dask-local", marks=pytest.mark.slow),
    ],
)
def test_a_stopped_score_leaves_no_process_and_resume_gives_the_uninterrupted_output(
    tmp_path, small_archive, uninterrupted, sample_model_dir, engine, sig, status, said
):
    """SIGTERM to the command (``kill PID``) or Ctrl-C (SIGINT to its whole process group, as a terminal sends it)
    mid-run, with either engine: one line saying so, the signal's status, no process of the run left (a Dask local
    cluster's worker processes and the multiprocessing resource tracker included), and ``--resume`` then gives
    the rows of an uninterrupted run, none lost or repeated."""
    if "dask" in engine:
        pytest.importorskip("dask")
        pytest.importorskip("distributed")
    out = tmp_path / "out.jsonl"
    argv = score_argv(small_archive, out, sample_model_dir, engine)
    manifest = manifest_of(out, engine)
    # its own process group, so that Ctrl-C can be sent to the whole of it and to nothing else
    proc, procs = start_mid_run(argv, manifest, 4, stderr=subprocess.PIPE, text=True, start_new_session=True,
                                preexec_fn=_as_a_terminal_job)  # fmt: skip
    try:
        if sig == signal.SIGINT:
            os.killpg(proc.pid, signal.SIGINT)
        else:
            proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == status, err
        last = err.strip().splitlines()[-1]
        assert last.startswith(said) and last.endswith("run the same command with --resume to continue"), err
        # that line alone: no traceback or log of the workers' ending. Not asserted for the Dask engine: its stop
        # is quiet on an idle machine, but under load distributed's scheduler and client still log their side of the
        # workers' end now and then (and once a traceback of its own), in threads notecheck does not run.
        if "dask" not in engine:
            assert [line for line in err.splitlines() if line.strip()] == [last], err
        left = outliving(procs)
        assert not left, f"{len(left)} of the run's {len(procs)} processes outlived it: {left}"
    finally:
        kill_leftovers(proc, procs)

    # a worker ended while it wrote a part leaves the part's temporary file, which the Dask engine's output
    # directory would otherwise keep
    stray = manifest.parent / ".part-000000.jsonl.tmp-1-1"
    stray.write_bytes(b'{"torn')
    res = subprocess.run([*argv, "--resume"], cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert "note: resumed: " in res.stderr
    assert not stray.exists()
    if "dask" in engine:  # a directory of parts, in input order
        assert list(iter_output_rows(out, "jsonl")) == list(iter_output_rows(uninterrupted, "jsonl"))
    else:
        assert out.read_bytes() == uninterrupted.read_bytes()
