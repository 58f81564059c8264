"""Model processes (serve.offload) and the fast lane of ``POST /v1/check``: same answers as the standard paths,
failures that lose no request, children that never outlive the server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import SAMPLES
from fastapi.testclient import TestClient

import serve.app
import serve.routes.check
from serve.app import create_app
from serve.offload import ModelPool, ModelProcess, ModelProcessError, fork_is_safe
from serve.settings import Settings
from tests.server_support import gone, python_child, running_server

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="model processes are forked (Linux only)")

ROOT = Path(__file__).resolve().parents[1]
NOTES = [json.loads(line) for line in (SAMPLES / "notes.jsonl").read_text(encoding="utf-8").splitlines()]
KEY = "test-key-0123456789"
STATE = {"loaded": "before fork"}  # a child sees the parent's state as it was when it forked


def echo_state(items: list) -> list:
    return [(STATE["loaded"], os.getpid(), item) for item in items]


def fail_on_bad(items: list) -> list:
    if "bad" in items:
        raise ValueError(f"cannot check {items!r}")
    return [x.upper() for x in items]


class Unpicklable(Exception):
    def __init__(self, a: int, b: int) -> None:
        super().__init__(f"{a}/{b}")
        self.lock = threading.Lock()  # pickle cannot copy a lock (nor re-create this class from its args)


def raise_unpicklable(items: list) -> list:
    raise Unpicklable(1, 2)


# -- ModelProcess / ModelPool ------------------------------------------------------------------------------
def test_model_process_runs_the_function_on_inherited_state():
    STATE["loaded"] = "loaded in the parent"
    process = ModelProcess(echo_state).start()
    try:
        STATE["loaded"] = "changed after the fork"
        out = process(["a", "b"])
        assert [(s, item) for s, _, item in out] == [("loaded in the parent", "a"), ("loaded in the parent", "b")]
        assert {pid for _, pid, _ in out} == {process.pid} != {os.getpid()}
        assert process.alive
        assert Path(f"/proc/{process.pid}/comm").read_text().strip() == "notecheck-model"  # for ps and pgrep
    finally:
        process.close()
        STATE["loaded"] = "before fork"
    assert not process.alive and gone(process.pid)


def test_model_process_raises_the_functions_exceptions_and_goes_on():
    process = ModelProcess(fail_on_bad).start()
    try:
        with pytest.raises(ValueError, match=r"cannot check \['ok', 'bad'\]"):
            process(["ok", "bad"])
        assert process(["ok"]) == ["OK"]
        with pytest.raises(RuntimeError, match="Unpicklable: 1/2"):
            ModelProcess(raise_unpicklable).start()(["x"])
    finally:
        process.close()


def test_closing_a_pool_lets_every_child_end_on_its_own():
    """Each model process inherited the parent's ends of its older siblings' pipes, so closing the first child's
    pipe never reached it: every server shutdown waited out close's 5 s and then sent it SIGTERM. Every child now
    sees the end of its input and exits by itself (exit code 0, not -SIGTERM)."""
    pool = ModelPool(echo_state, 3).start()
    assert [item for *_, item in pool(["a", "b"])] == ["a", "b"]
    processes = [p._process for p in pool.processes]
    pool.close()
    assert [p.exitcode for p in processes] == [0, 0, 0]


def test_pool_runs_calls_in_the_parent_once_a_child_died(caplog):
    pool = ModelPool(fail_on_bad, 2).start()
    try:
        assert pool.alive == 2 and pool(["a"]) == ["A"]
        victim = pool.processes[0]
        os.kill(victim.pid, signal.SIGKILL)
        assert gone(victim.pid)
        # every call still gets its answer: from the live child, or here for the dead one
        assert [pool([f"n{i}"]) for i in range(6)] == [[f"N{i}"] for i in range(6)]
        assert pool.alive == 1 and victim.failed and "exit code -9" in victim.failed
        assert "failed (" in caplog.text and "exit code -9)" in caplog.text
        with pytest.raises(ValueError, match="cannot check"):  # the function's own errors still reach the caller
            pool(["bad"])
    finally:
        pool.close()
    assert pool.alive == 0 and pool(["after close"]) == ["AFTER CLOSE"]


def hang_on_slow(items: list) -> list:
    if "slow" in items:
        time.sleep(3600)
    return [x.upper() for x in items]


def _reaped(pid: int, timeout: float = 10.0) -> bool:
    """The process is gone and collected: no /proc entry is left (a zombie still has one)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not Path(f"/proc/{pid}").exists():
            return True
        time.sleep(0.05)
    return False


def test_a_hung_model_process_fails_its_call_in_bounded_time_and_is_reaped(caplog):
    process = ModelProcess(hang_on_slow, timeout=0.5).start()
    try:
        assert process(["ok"]) == ["OK"]
        start = time.monotonic()
        with pytest.raises(ModelProcessError, match=r"no answer within 0.5 s"):
            process(["slow"])
        assert time.monotonic() - start < 8  # bounded: the timeout, then the kill (not the hour the call takes)
        assert process.state == "failed" and _reaped(process.pid)
        with pytest.raises(ModelProcessError, match="stopped earlier"):
            process(["ok"])
        assert "no answer within 0.5 s" in caplog.text
    finally:
        process.close()


def test_a_model_process_slow_to_start_is_not_failed_by_the_answer_timeout(monkeypatch):
    """Coming up (fork, handlers) is not answering a check: on a loaded machine a child took over the 1 s a server
    allowed a check and was killed before its first call. The start gets serve.offload.START_TIMEOUT at least."""
    import serve.offload

    real = serve.offload.die_with_parent

    def slow_die_with_parent(*args):
        time.sleep(1.0)  # runs in the child, before it says it is ready
        real(*args)

    monkeypatch.setattr(serve.offload, "die_with_parent", slow_die_with_parent)
    process = ModelProcess(len, timeout=0.3).start()
    try:
        assert process.failed is None and process.state == "alive"
        assert process([["a", "b"]]) == 1
    finally:
        process.close()


def slow_per_item(items: list) -> list:
    time.sleep(0.2 * len(items))
    return [x.upper() for x in items]


def test_a_model_process_gets_the_timeout_per_item_of_a_call():
    """A coalesced burst of checks is many notes' work: a child still working through it is not hung."""
    process = ModelProcess(slow_per_item, timeout=0.5).start()
    try:
        items = [f"n{i}" for i in range(6)]  # 1.2 s of work: more than one timeout, less than one per item
        assert process(items) == [x.upper() for x in items]
        assert process.state == "alive"
    finally:
        process.close()


def test_a_stopped_model_process_is_reported_and_its_work_done_by_the_caller():
    pool = ModelPool(fail_on_bad, 2, timeout=0.5).start()
    try:
        victim = pool.processes[0]
        os.kill(victim.pid, signal.SIGSTOP)
        deadline = time.monotonic() + 5
        while pool.states()["stopped"] != 1 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert pool.states() == {"alive": 1, "stopped": 1, "failed": 0}
        assert pool.alive == 1
        # every call is answered: by the live child, or (the stopped one's turn) here after it is killed
        assert [pool([f"n{i}"]) for i in range(6)] == [[f"N{i}"] for i in range(6)]
        assert pool.states() == {"alive": 1, "stopped": 0, "failed": 1}
        assert "stopped" in victim.failed and _reaped(victim.pid)
    finally:
        pool.close()
    assert all(_reaped(p.pid) for p in pool.processes)


def test_a_killed_model_process_leaves_no_zombie():
    pool = ModelPool(fail_on_bad, 1, timeout=5).start()
    try:
        victim = pool.processes[0]
        os.kill(victim.pid, signal.SIGKILL)
        assert pool(["a"]) == ["A"]  # the call that finds it dead
        assert _reaped(victim.pid, timeout=1)
    finally:
        pool.close()


def test_close_ends_a_stopped_model_process():
    process = ModelProcess(fail_on_bad).start()
    os.kill(process.pid, signal.SIGSTOP)
    process.close(timeout=0.2)
    assert _reaped(process.pid)


@pytest.mark.parametrize("timeout", [0, -1.0])
def test_model_process_timeout_must_be_positive(timeout):
    with pytest.raises(ValueError, match="The 'timeout' parameter of ModelProcess must be > 0"):
        ModelProcess(len, timeout=timeout)


@pytest.mark.parametrize("size", [0, -1])
def test_pool_size_must_be_positive(size):
    with pytest.raises(ValueError, match=f"The 'size' parameter of ModelPool must be >= 1. Got {size} instead."):
        ModelPool(len, size)


def test_model_process_dies_with_its_parent():
    """A server killed with SIGKILL (no shutdown code runs) must not leave its model process behind."""
    code = (
        "import sys, time\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "from serve.offload import ModelProcess\n"
        "p = ModelProcess(len).start()\n"
        "print(p.pid, flush=True)\n"
        "time.sleep(60)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        child = int(parent.stdout.readline())
        assert not gone(child, timeout=0.3)
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
        assert gone(child), f"model process {child} outlived its parent"
    finally:
        parent.kill()
        parent.stdout.close()


def test_ctrl_c_is_left_to_the_server_and_sigterm_ends_the_child():
    """Ctrl-C reaches the whole process group: the child keeps answering until its server closes the pipe (the
    server's inherited handlers are not kept either: SIGTERM ends the child)."""
    process = ModelProcess(fail_on_bad).start()
    try:
        os.kill(process.pid, signal.SIGINT)
        time.sleep(0.2)
        assert process(["still here"]) == ["STILL HERE"]
        os.kill(process.pid, signal.SIGTERM)
        assert gone(process.pid)
    finally:
        process.close()


def test_fork_is_unsafe_with_other_threads():
    stop = threading.Event()
    t = threading.Thread(target=stop.wait)
    t.start()
    try:
        assert not fork_is_safe()
    finally:
        stop.set()
        t.join()


# -- the app with model processes -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def settings(sample_model_dir: Path, sample_sentiment_dir: Path) -> Settings:
    return Settings(model_dir=sample_model_dir, comment_model_dir=sample_sentiment_dir, api_keys=[KEY])


@pytest.fixture(scope="module")
def thread_client(settings):
    with TestClient(create_app(settings.model_copy(update={"model_processes": 0}))) as c:
        c.headers["X-API-Key"] = KEY
        yield c


@pytest.fixture(scope="module")
def process_client(settings):
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(serve.app, "fork_is_safe", lambda: True)  # a TestClient's portal thread is idle while forking
        app = create_app(settings.model_copy(update={"model_processes": 2}))
        with TestClient(app) as c:
            c.headers["X-API-Key"] = KEY
            pids = [p.pid for p in app.state.served.pool.processes]
            yield c
    assert all(gone(pid) for pid in pids), "the lifespan's shutdown stops the model processes"


def test_a_stopped_model_process_is_seen_by_readyz_and_metrics_and_loses_no_request(settings):
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(serve.app, "fork_is_safe", lambda: True)
        app = create_app(settings.model_copy(update={"model_processes": 2, "model_process_timeout": 1.0}))
        with TestClient(app) as c:
            c.headers["X-API-Key"] = KEY
            pids = [p.pid for p in app.state.served.pool.processes]
            os.kill(pids[0], signal.SIGSTOP)
            time.sleep(0.1)
            ready = c.get("/readyz").json()
            assert ready["model_processes"] == {"started": 2, "alive": 1, "stopped": 1, "failed": 0}
            assert 'notecheck_model_processes{state="stopped"} 1.0' in c.get("/metrics").text
            for body in BODIES[:6]:  # each answered, whichever process its turn falls to
                assert c.post("/v1/check", json=body).status_code == 200
            assert c.post("/v1/check/batch", json={"notes": BODIES[:4]}).status_code == 200
            assert c.get("/readyz").json()["model_processes"] == {"started": 2, "alive": 1, "stopped": 0, "failed": 1}
            assert 'notecheck_model_processes{state="failed"} 1.0' in c.get("/metrics").text
            assert _reaped(pids[0])
    assert all(_reaped(pid) for pid in pids)


BODIES = [
    {"id": n["id"], "title": n["title"], "text": n["text"], **({"comments": ["好用吗", "求链接"]} if i % 3 else {})}
    for i, n in enumerate(NOTES[:12])
]


def test_readyz_says_where_checks_run(thread_client, process_client):
    threads, processes = thread_client.get("/readyz").json(), process_client.get("/readyz").json()
    assert (threads["checks_run_in"], threads["model_processes"]) == ("worker threads", None)
    assert processes["checks_run_in"] == "model processes"
    assert processes["model_processes"] == {"started": 2, "alive": 2, "stopped": 0, "failed": 0}


@pytest.mark.parametrize("top", [None, 0, 3])
def test_model_processes_answer_like_threads(thread_client, process_client, top):
    params = {} if top is None else {"top": top}
    for body in BODIES:
        a = thread_client.post("/v1/check", json=body, params=params)
        b = process_client.post("/v1/check", json=body, params=params)
        assert a.status_code == b.status_code == 200
        assert a.json() == b.json()
    a = thread_client.post("/v1/check/batch", json={"notes": BODIES}, params=params)
    b = process_client.post("/v1/check/batch", json={"notes": BODIES}, params=params)
    assert a.status_code == b.status_code == 200 and a.json() == b.json()
    assert [r["id"] for r in b.json()["results"]] == [x["id"] for x in BODIES]


def test_model_processes_answer_concurrent_requests_like_serial(process_client):
    from concurrent.futures import ThreadPoolExecutor

    serial = [process_client.post("/v1/check", json=b).json() for b in BODIES]
    with ThreadPoolExecutor(max_workers=8) as pool:
        together = list(pool.map(lambda b: process_client.post("/v1/check", json=b).json(), BODIES * 2))
    assert together == serial * 2


def test_metrics_are_counted_in_the_server_process(process_client):
    import re

    before = process_client.get("/metrics").text
    process_client.post("/v1/check", json=BODIES[1])  # with comments
    after = process_client.get("/metrics").text

    def total(text: str, name: str) -> float:
        return sum(float(v) for v in re.findall(rf"^{name}(?:{{[^}}]*}})? (\S+)$", text, flags=re.M))

    assert total(after, "notecheck_decisions_total") == total(before, "notecheck_decisions_total") + 1
    declared_before = total(after, "notecheck_declared_decisions_total")
    process_client.post("/v1/check", json={"text": "这个面霜真的好用 #广告[话题]#"})  # the note's own label decides
    after = process_client.get("/metrics").text
    assert total(after, "notecheck_declared_decisions_total") == declared_before + 1
    assert total(after, "notecheck_comments_scored_total") == total(before, "notecheck_comments_scored_total") + 2


# -- the fast lane of POST /v1/check -----------------------------------------------------------------------
J = {"content-type": "application/json"}
REQUESTS = [
    ("valid", {}, J, json.dumps(BODIES[0])),
    ("valid with comments", {}, J, json.dumps(BODIES[1], ensure_ascii=False)),
    ("top", {"top": "2"}, J, json.dumps(BODIES[0])),
    ("top=0", {"top": "0"}, J, json.dumps(BODIES[0])),
    ("top=51", {"top": "51"}, J, json.dumps(BODIES[0])),
    ("top=-1", {"top": "-1"}, J, json.dumps(BODIES[0])),
    ("top=x", {"top": "x"}, J, json.dumps(BODIES[0])),
    ("other parameter", {"tops": "2"}, J, json.dumps(BODIES[0])),
    ("charset", {}, {"content-type": "application/json; charset=utf-8"}, json.dumps(BODIES[0])),
    ("text/plain", {}, {"content-type": "text/plain"}, json.dumps(BODIES[0])),
    ("lone surrogate escaped", {}, J, '{"text": "\\ud800 a"}'),
    ("lone surrogate in id", {}, J, '{"text": "a", "id": "\\udc00"}'),
    ("blank", {}, J, '{"title": " ", "text": ""}'),
    ("extra field", {}, J, '{"text": "a", "colour": 1}'),
    ("too long", {}, J, json.dumps({"text": "x" * 20_001})),
    ("over the budget", {}, J, json.dumps({"text": "x" * 20_000, "comments": ["y" * 5_000] * 40})),
    ("invalid JSON", {}, J, '{"text": "a",}'),
    ("NaN", {}, J, '{"text": NaN}'),
    ("duplicate key", {}, J, '{"text": "first", "text": "second"}'),
    ("not an object", {}, J, "[1, 2]"),
    ("comment objects", {}, J, json.dumps({"text": "a", "comments": [{"text": "好", "likes": 2}, "x"]})),
]


@pytest.fixture(scope="module")
def lane_client(settings):
    with TestClient(create_app(settings.model_copy(update={"model_processes": 0}))) as c:
        yield c


@pytest.mark.parametrize(("name", "params", "headers", "body"), REQUESTS, ids=[r[0] for r in REQUESTS])
@pytest.mark.parametrize("key", [KEY, None, "wrong-key-0123456789"], ids=["key", "no key", "wrong key"])
def test_fast_lane_answers_like_the_standard_handler(lane_client, monkeypatch, name, params, headers, body, key):
    taken = []
    fast = serve.routes.check.fast_check

    async def spy(request):
        response = await fast(request)
        taken.append(response is not None)
        return response

    async def never(request):
        return None

    headers = {**headers, **({"X-API-Key": key} if key else {})}
    monkeypatch.setattr(serve.routes.check, "fast_check", spy)
    a = lane_client.post("/v1/check", params=params, headers=headers, content=body.encode("utf-8", "surrogatepass"))
    monkeypatch.setattr(serve.routes.check, "fast_check", never)
    b = lane_client.post("/v1/check", params=params, headers=headers, content=body.encode("utf-8", "surrogatepass"))
    assert (a.status_code, a.json()) == (b.status_code, b.json())
    # valid requests the lane leaves to the standard handler: another query parameter, a charset parameter, a
    # surrogate escape pydantic's JSON parser refuses (FastAPI's json.loads accepts it)
    unusual = ("other parameter", "charset", "lone surrogate escaped")
    # without a valid key neither path runs: the key is checked before the route (serve.middleware.APIKeyMiddleware)
    assert taken == ([a.status_code == 200 and name not in unusual] if key == KEY else [])


def test_a_real_server_checks_in_model_processes_and_stops_them(settings, tmp_path):
    """``notecheck serve`` as users run it: uvicorn in its own process forks the model processes in the lifespan,
    answers like the in-process app, and stops them on SIGTERM."""
    import httpx

    env = {
        "NOTECHECK_MODEL_DIR": str(settings.model_dir),
        "NOTECHECK_COMMENT_MODEL_DIR": str(settings.comment_model_dir),
        "NOTECHECK_API_KEYS": KEY,
    }
    log = tmp_path / "server.log"
    with running_server(env, log) as (base, server):
        ready = httpx.get(f"{base}/readyz", timeout=10)
        assert ready.json()["checks_run_in"] == "model processes"
        children = [int(c) for c in Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()]
        assert len(children) == Settings().model_processes
        with TestClient(create_app(settings.model_copy(update={"model_processes": 0}))) as local:
            for body in BODIES[:4]:
                got = httpx.post(f"{base}/v1/check", json=body, headers={"X-API-Key": KEY}, timeout=30)
                want = local.post("/v1/check", json=body, headers={"X-API-Key": KEY})
                assert got.status_code == 200 and got.json() == want.json()
        server.send_signal(signal.SIGTERM)
        server.wait(30)
        assert all(gone(c) for c in children), log.read_text()


def test_fast_lane_knows_every_dependency_of_the_route():
    """The lane does the work of the route's dependencies itself (the API-key check, the loaded models); a
    dependency added to the route later must be added to the lane too, or the lane would skip it."""
    from serve.deps import get_served, require_api_key

    (route,) = [r for r in serve.routes.check.router.routes if r.path == "/v1/check"]
    assert isinstance(route, serve.routes.check.CheckRoute)

    def calls(dependant) -> set:
        found = {d.call for d in dependant.dependencies}
        for d in dependant.dependencies:
            found |= calls(d)
        return found

    assert calls(route.dependant) == {require_api_key, get_served}
    assert {p.name for p in route.dependant.query_params} == {"top"}


def test_the_lifespan_freezes_the_loaded_models_out_of_the_collector(settings):
    """A full collection walking the loaded models takes 50-70 ms (a pause for every request in flight); frozen
    after loading, the collector skips them. Shutting down unfreezes."""
    import gc

    app = create_app(settings.model_copy(update={"model_processes": 0}))
    with TestClient(app):
        card = app.state.models.ad.card
        assert gc.is_tracked(card) and gc.get_freeze_count() > 0
        assert all(o is not card for o in gc.get_objects())  # in the permanent generation, not the three scanned
    assert gc.get_freeze_count() == 0


@pytest.mark.skipif(sys.platform != "linux", reason="the death signal (PR_SET_PDEATHSIG) is Linux's")
def test_a_test_server_ends_when_the_test_run_is_killed(tmp_path):
    """A server started by the test harness ends with the process that started it, even by kill -9 (no fixture
    teardown runs then): a killed test run leaves no server behind."""
    code = (
        "import sys, time; from pathlib import Path\n"
        "from tests.server_support import free_port, start_server\n"
        f"p = start_server(free_port(), {{}}, Path({str(tmp_path / 'server.log')!r}))\n"
        "print(p.pid, flush=True); time.sleep(120)\n"
    )
    with python_child(code, ROOT) as child:
        server = int(child.stdout.readline())
        assert Path(f"/proc/{server}").exists()
    ended = gone(server, timeout=30)
    if not ended:  # do not leave it running when the test fails
        os.kill(server, signal.SIGKILL)
    assert ended, "the server outlived the process that started it"


@pytest.mark.skipif(sys.platform != "linux", reason="the death signal (PR_SET_PDEATHSIG) is Linux's")
def test_workers_of_serve_end_when_it_is_killed(settings, tmp_path):
    """``serve --workers 2`` killed with SIGKILL (no shutdown code runs): uvicorn's workers, and with them their
    model processes, must not stay behind answering on the port."""
    import httpx

    env = {
        "NOTECHECK_MODEL_DIR": str(settings.model_dir),
        "NOTECHECK_COMMENT_MODEL_DIR": str(settings.comment_model_dir),
        "NOTECHECK_MODEL_PROCESSES": "0",
    }
    log = tmp_path / "server.log"
    with running_server(env, log, extra_args=("--workers", "2")) as (base, server):
        assert httpx.get(f"{base}/readyz", timeout=10).status_code == 200
        children = [int(c) for c in Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()]
        assert len(children) >= 2  # the two workers (and multiprocessing's resource tracker)
        server.send_signal(signal.SIGKILL)
        server.wait(30)
        left = [c for c in children if not gone(c, timeout=30)]
        for pid in left:  # do not leave them running when the test fails
            os.kill(pid, signal.SIGKILL)
        assert not left, log.read_text()


@pytest.mark.skipif(sys.platform != "linux", reason="the death signal (PR_SET_PDEATHSIG) is Linux's")
@pytest.mark.parametrize(("supervisor", "lives"), [("dead", False), ("alive", True)])
def test_a_worker_whose_supervisor_died_during_start_up_ends(supervisor, lives):
    """A worker of `serve --workers 2` asks to die with its supervisor only once it has imported the app; killed
    before that, the supervisor left the worker running (its parent was no longer the supervisor, so it did not
    ask): CI once found two workers alive 30 s after a `kill -9`."""
    from serve.offload import SUPERVISOR_ENV

    # alive: this test's process (the worker's parent too, so it asks to die with it); dead: a process that ended
    pid = str(os.getpid()) if supervisor == "alive" else _ended_pid()
    code = "from serve.offload import die_with_supervisor\ndie_with_supervisor()\nprint('alive', flush=True)\n"
    env = {**os.environ, SUPERVISOR_ENV: pid, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and (out.stdout == "alive\n") is lives, out


def _ended_pid() -> str:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return str(child.pid)
