"""How ``notecheck serve`` ends: Ctrl-C (SIGINT) or SIGTERM is the way to stop it, so it finishes the requests in
flight, stops its model processes and exits 0 (README, *Streams and exit status*), with one worker or several."""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path

import httpx
import pytest

from tests.server_support import gone, running_server

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="a real server subprocess on loopback (Linux CI)")


def _as_a_terminal_job() -> None:
    """The signals' default dispositions, as a shell gives a foreground command: a job started in the background
    of a script inherits SIGINT ignored, which would hide what Ctrl-C does."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


@pytest.mark.parametrize(("sig", "workers"), [(signal.SIGTERM, 1), (signal.SIGINT, 1), (signal.SIGTERM, 2)])
def test_a_stopped_server_finishes_what_it_was_doing_and_exits_0(
    sample_model_dir: Path, sample_sentiment_dir: Path, tmp_path: Path, sig: signal.Signals, workers: int
):
    """With one worker, SIGTERM ended the process by the signal itself (status 143 in a shell, -15 here): uvicorn
    raises the signal that stopped it again once it has shut down, and SIGTERM's default action kills."""
    env = {
        "NOTECHECK_MODEL_DIR": str(sample_model_dir),
        "NOTECHECK_COMMENT_MODEL_DIR": str(sample_sentiment_dir),
        "NOTECHECK_MODEL_PROCESSES": "1",
        "NOTECHECK_DATA_DIR": str(tmp_path / "data"),
    }
    log = tmp_path / "server.log"
    extra = ("--workers", str(workers))
    with running_server(env, log, preexec_fn=_as_a_terminal_job, extra_args=extra) as (base, server):
        children = [int(c) for c in Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()]
        batch = {"notes": [{"text": "加vx领券，原价199现价99，链接在主页" * 20}] * 200}
        answer: list[httpx.Response] = []
        request = threading.Thread(
            target=lambda: answer.append(httpx.post(f"{base}/v1/check/batch", json=batch, timeout=60))
        )
        request.start()
        threading.Event().wait(0.3)  # the batch is in flight
        server.send_signal(sig)
        assert server.wait(60) == 0, log.read_text(errors="replace")[-3000:]
        request.join(60)
    assert [r.status_code for r in answer] == [200] and answer[0].json()["n"] == 200
    assert all(gone(c) for c in children), log.read_text(errors="replace")[-3000:]
