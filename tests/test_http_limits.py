"""Connection limits of ``notecheck serve`` (serve/http_limits.py), against a real server on loopback.

Every socket has a timeout, and the server runs with 1-second read timeouts, so each test is bounded. Before the
limits, an unfinished 20 MB head was read for ever and slow connections were never closed.
"""

from __future__ import annotations

import socket
import sys
import time
from urllib.parse import urlsplit

import pytest

from tests.server_support import running_server

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="a real server subprocess on loopback (Linux CI)")

MAX_HEADER_BYTES = 8192


@pytest.fixture(scope="module")
def server(sample_model_dir, sample_sentiment_dir, tmp_path_factory):
    env = {
        "NOTECHECK_MODEL_DIR": str(sample_model_dir),
        "NOTECHECK_COMMENT_MODEL_DIR": str(sample_sentiment_dir),
        "NOTECHECK_MODEL_PROCESSES": "0",
        "NOTECHECK_MAX_HEADER_BYTES": str(MAX_HEADER_BYTES),
        "NOTECHECK_HEADER_TIMEOUT": "1",
        "NOTECHECK_BODY_TIMEOUT": "1",
        "NOTECHECK_KEEP_ALIVE_TIMEOUT": "1",
    }
    with running_server(env, tmp_path_factory.mktemp("server") / "server.log") as (base, _):
        yield urlsplit(base).port


def _connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.settimeout(10)
    return sock


def _read_all(sock: socket.socket) -> bytes:
    """Everything until the server closes the connection (a socket timeout fails the test: never closed)."""
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def _response(sock: socket.socket) -> bytes:
    """One whole response (head and Content-Length body) from a kept-alive connection."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(
        next(line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length"))
    )
    while len(body) < length:
        body += sock.recv(65536)
    return head + b"\r\n\r\n" + body


def _request(port: int, raw: bytes) -> bytes:
    with _connect(port) as sock:
        sock.sendall(raw)
        return sock.recv(65536)


def test_a_head_over_max_header_bytes_gets_431_and_is_closed(server):
    with _connect(server) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Big: ")
        sent = 0
        try:
            while sent < 4 << 20:  # an unfinished header that goes on and on (the server stops reading it)
                sock.sendall(b"a" * 65536)
                sent += 65536
        except OSError:  # reset or broken pipe: the server closed it
            pass
        try:
            answer = _read_all(sock)
        except ConnectionResetError:
            answer = b""  # closed before we read the answer; the bound was still enforced
    assert sent < 4 << 20 or answer.startswith(b"HTTP/1.1 431"), answer[:200]
    if answer:
        assert answer.startswith(b"HTTP/1.1 431") and b"max_header_bytes" in answer


def test_headers_within_the_limit_are_served(server):
    head = b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Pad: " + b"p" * (MAX_HEADER_BYTES // 2) + b"\r\n\r\n"
    assert _request(server, head).startswith(b"HTTP/1.1 200")


@pytest.mark.parametrize("sent", [b"", b"GET /healthz HTTP/1.1\r\n", b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-A: 1"])
def test_a_slow_or_idle_head_gets_408_and_is_closed(server, sent):
    start = time.monotonic()
    with _connect(server) as sock:
        sock.sendall(sent)
        answer = _read_all(sock)
    assert answer.startswith(b"HTTP/1.1 408") and b"header_timeout" in answer
    assert time.monotonic() - start < 9


def test_a_slow_body_is_closed(server):
    start = time.monotonic()
    with _connect(server) as sock:
        sock.sendall(
            b"POST /v1/check HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"
        )
        answer = _read_all(sock)
    assert not answer.startswith(b"HTTP/1.1 2")
    assert time.monotonic() - start < 9


def test_slow_connections_do_not_starve_the_server(server):
    slow = [_connect(server) for _ in range(20)]
    try:
        for sock in slow:
            sock.sendall(b"GET /healthz HTTP/1.1\r\n")
        assert _request(server, b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n").startswith(b"HTTP/1.1 200")
        for sock in slow:
            assert _read_all(sock).startswith(b"HTTP/1.1 408")
    finally:
        for sock in slow:
            sock.close()


def test_kept_alive_connections_serve_several_requests_then_close_when_idle(server):
    with _connect(server) as sock:
        for _ in range(3):
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
            assert _response(sock).startswith(b"HTTP/1.1 200")
        start = time.monotonic()
        assert _read_all(sock) == b""  # keep_alive_timeout (1 s here) closes it without an answer
        assert time.monotonic() - start < 9
