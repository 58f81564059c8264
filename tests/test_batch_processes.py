"""Processes of ``notecheck score``: a killed run (``kill -9``, any --jobs, both engines) leaves none behind."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT

from serve.batch import iter_output_rows
from serve.cli import main

NOTES = [
    {"id": "a", "title": "新店开业", "text": "全场饮品第二杯半价，加vx领券，原价199现价99", "author": "店长"},
    {"id": "b", "text": "今天去爬山了，风景超美，累但是值得", "author": "山野"},
    {"id": "c", "text": "这家面馆味道一般，排队太久了", "author": "吃货"},
]


def _stat(pid: int) -> tuple[int, str, int] | None:
    """(parent pid, state, start time) of a process, or None when it no longer exists."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
    except OSError:
        return None
    return int(fields[1]), fields[0].decode(), int(fields[19])


def descendants(root: int) -> dict[int, int]:
    """Every descendant of ``root`` (pid -> start time, so a reused pid is not mistaken for it)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (st := _stat(int(entry))) is not None:
            children.setdefault(st[0], []).append(int(entry))
    out: dict[int, int] = {}
    stack = list(children.get(root, []))
    while stack:
        pid = stack.pop()
        if (st := _stat(pid)) is not None:
            out[pid] = st[2]
            stack.extend(children.get(pid, []))
    return out


def alive(procs: dict[int, int]) -> list[int]:
    """The processes still running (a zombie has ended; reaping it is up to whoever adopted it)."""
    return [pid for pid, start in procs.items() if (st := _stat(pid)) is not None and st[2] == start and st[1] != "Z"]


def outliving(procs: dict[int, int], timeout: float = 30.0) -> list[int]:
    """The processes of ``procs`` still running after up to ``timeout`` seconds (workers may take a moment to see
    their parent gone)."""
    deadline = time.monotonic() + timeout
    while alive(procs) and time.monotonic() < deadline:
        time.sleep(0.1)
    return alive(procs)


def kill_leftovers(proc: subprocess.Popen, procs: dict[int, int]) -> None:
    """Whatever a failed test left running: the run's processes, then the run itself."""
    for pid in alive(procs):
        os.kill(pid, signal.SIGKILL)
    if proc.poll() is None:
        proc.kill()
        proc.wait()


def write_archive(path: Path, notes: list[dict], copies: int) -> Path:
    """``copies`` copies of ``notes`` as a JSON Lines archive, each copy's ids numbered apart."""
    path.write_text("".join(json.dumps(dict(n, id=f"{n['id']}{i}"), ensure_ascii=False) + "\n"
                            for i in range(copies) for n in notes), encoding="utf-8")  # fmt: skip
    return path


def score_argv(src: Path, out: Path, model_dir: Path, engine: list[str]) -> list[str]:
    """``notecheck score`` of ``src`` in a fresh interpreter, in chunks of 20 rows."""
    code = "import sys; from serve.cli import main; sys.exit(main())"
    return [sys.executable, "-c", code, "score", str(src), "-o", str(out), "--model", str(model_dir),
            "--chunk-size", "20", "--no-progress", *engine]  # fmt: skip


def manifest_of(out: Path, engine: list[str]) -> Path:
    """The run's record of finished chunks: in the Dask engine's output directory, else beside the output."""
    return (out if "dask" in engine else out.with_name(out.name + ".parts")) / "_manifest.jsonl"


def start_mid_run(argv: list[str], manifest: Path, lines: int, **popen: Any) -> tuple[subprocess.Popen, dict[int, int]]:
    """Start ``argv`` (a ``score`` run) and return once its workers are scoring (``manifest`` has ``lines`` lines):
    the process and its descendants so far. Whatever it started is killed if it cannot be caught mid-run."""
    popen.setdefault("stdout", subprocess.DEVNULL)
    proc = subprocess.Popen(argv, cwd=ROOT, **popen)
    procs: dict[int, int] = {}
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and proc.poll() is None:
            procs.update(descendants(proc.pid))
            if len(procs) >= 2 and manifest.is_file() and len(manifest.read_text().splitlines()) >= lines:
                break  # workers are scoring
            time.sleep(0.05)
        assert proc.poll() is None, "the run finished before it could be stopped; make the input larger"
        procs.update(descendants(proc.pid))
        assert len(procs) >= 2, f"expected the run's worker processes, found {procs}"
    except BaseException:
        kill_leftovers(proc, procs)
        raise
    return proc, procs


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
@pytest.mark.parametrize(
    "engine",
    [
        pytest.param(["--jobs", "2"], id="jobs2"),
        pytest.param(["--engine", "dask", "--jobs", "2"], id="dask-local", marks=pytest.mark.slow),
    ],
)
def test_kill_9_of_score_leaves_no_process_behind(tmp_path, sample_model_dir, engine):
    if "dask" in engine:
        pytest.importorskip("distributed")
    src = write_archive(tmp_path / "in.jsonl", NOTES, 1000)
    out = tmp_path / "out.jsonl"
    argv = score_argv(src, out, sample_model_dir, engine)
    proc, procs = start_mid_run(argv, manifest_of(out, engine), 3, stderr=subprocess.DEVNULL)
    try:
        if "dask" not in engine:  # named as the README says
            assert {Path(f"/proc/{pid}/comm").read_text().strip() for pid in procs} == {"notecheck-score"}
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        left = outliving(procs)
        assert not left, f"{len(left)} of the run's {len(procs)} processes outlived it: {left}"
    finally:
        kill_leftovers(proc, procs)

    # ... and --resume finishes it with the output of an uninterrupted run
    res = subprocess.run([*argv, "--resume"], cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert "note: resumed: " in res.stderr
    whole = tmp_path / "whole.jsonl"
    assert main(["score", str(src), "-o", str(whole), "--model", str(sample_model_dir), "--chunk-size", "20",
                 "--no-progress", "--jobs", "1"]) == 0  # fmt: skip
    if "dask" in engine:
        assert list(iter_output_rows(out, "jsonl")) == list(iter_output_rows(whole, "jsonl"))
    else:
        assert out.read_bytes() == whole.read_bytes()


def _die_on_the_second_chunk(chunk, *args):
    """A worker killed mid-chunk, as by the OOM killer or an operator's kill -9 (not of the run itself)."""
    from serve.batch.score import score_chunk

    if chunk.index == 1:
        os._exit(137)
    return score_chunk(chunk, *args)


def test_a_worker_killed_mid_run_is_a_named_error_and_resume_finishes(tmp_path, sample_model_dir, monkeypatch, capsys):
    """kill -9 of one notecheck-score worker ended the run with a BrokenProcessPool traceback and exit status 1,
    which promises a complete output with error rows. Now one error line saying what happened and how to go on
    (exit 2), and --resume finishes the run with the bytes of an uninterrupted one."""
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(dict(n, id=f"{n['id']}{i}"), ensure_ascii=False) + "\n"
                           for i in range(4) for n in NOTES), encoding="utf-8")  # fmt: skip
    out = tmp_path / "out.jsonl"
    argv = ["score", str(src), "-o", str(out), "--model", str(sample_model_dir), "--chunk-size", "3", "--no-progress",
            "--jobs", "2", "--no-comments"]  # fmt: skip
    monkeypatch.setattr("serve.batch.engines.score_chunk", _die_on_the_second_chunk)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "BrokenProcessPool" not in err
    assert "error: a scoring worker process ended abruptly (killed, or out of memory?) after" in err
    assert "run the same command with --resume to continue" in err and not out.exists()
    monkeypatch.undo()
    assert main([*argv, "--resume"]) == 0
    whole = tmp_path / "whole.jsonl"
    assert main([*argv[:3], str(whole), *argv[4:]]) == 0
    assert out.read_bytes() == whole.read_bytes()


def _stop_the_run_mid_chunk(chunk, workdir, *args):
    """Every chunk runs long; the second one, once started, stops the run as ``kill PID`` does. A chunk that ran
    to its end leaves a ``finished`` mark."""
    marks = Path(workdir).parent / "marks"
    (marks / f"started-{chunk.index}-{os.getpid()}").touch()
    if chunk.index == 1:  # once the other worker has begun chunk 0, so that both are mid-chunk
        deadline = time.monotonic() + 60
        while not list(marks.glob("started-0-*")) and time.monotonic() < deadline:
            time.sleep(0.01)
        os.kill(os.getppid(), signal.SIGTERM)
    time.sleep(60)
    (marks / f"finished-{chunk.index}").touch()
    raise AssertionError("not reached: the run stopped")


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
def test_a_stopped_run_ends_its_workers_mid_chunk(tmp_path, sample_model_dir, monkeypatch, capsys):
    """SIGTERM (or Ctrl-C) waited for the chunks already handed to the workers, a chunk each and one queued
    behind them, before the command ended: seconds of scoring whose parts nothing would record. The workers are
    now ended at once: no chunk runs on after the signal, no worker is left, and the run's record holds only the
    chunks finished before it (here none)."""
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(dict(n, id=f"{n['id']}{i}"), ensure_ascii=False) + "\n"
                           for i in range(4) for n in NOTES), encoding="utf-8")  # fmt: skip
    (tmp_path / "marks").mkdir()
    out = tmp_path / "out.jsonl"
    monkeypatch.setattr("serve.batch.engines.score_chunk", _stop_the_run_mid_chunk)
    argv = ["score", str(src), "-o", str(out), "--model", str(sample_model_dir), "--chunk-size", "1", "--no-progress",
            "--jobs", "2", "--no-comments"]  # fmt: skip
    assert main(argv) == 143
    said = capsys.readouterr().err.strip().splitlines()[-1]
    assert (
        said == "terminated (SIGTERM): stopped after 0 of 12 chunk(s); run the same command with --resume to continue"
    )
    marks = sorted(p.name for p in (tmp_path / "marks").iterdir())
    assert not [m for m in marks if m.startswith("finished")], marks
    workers = {int(m.rsplit("-", 1)[1]) for m in marks}
    assert len(workers) == 2 and not [pid for pid in workers if _stat(pid) is not None], marks
    assert len((tmp_path / "out.jsonl.parts" / "_manifest.jsonl").read_text().splitlines()) == 1  # the fingerprint
