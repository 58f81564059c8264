"""Limits on HTTP connections that uvicorn does not set by itself, for ``notecheck serve``.

uvicorn's httptools protocol (the fast parser the project installs) keeps reading an unfinished request head for
as long as it keeps coming (20 connections each sending a 20 MB header grew a server from 268 to 706 MB) and
never closes a connection that sends its head or body slowly (slow clients held every file descriptor until
``/healthz`` failed). :class:`LimitedHttpToolsProtocol` is that protocol with three limits added:

- ``max_header_bytes``: a request head (request line and headers) larger than this gets ``431`` and the
  connection is closed (checked after each read, so at most one read buffer more is ever held);
- ``header_timeout``: a connection that has not sent a complete head this many seconds after it opened (or after
  the first byte of its next request) gets ``408`` and is closed;
- ``body_timeout``: a request whose body is not complete this many seconds after its head is closed; the app
  sees the client disconnect.

The keep-alive timeout and the concurrency limit are uvicorn's own options (``timeout_keep_alive``,
``limit_concurrency``); :func:`uvicorn_options` gathers all of them from :class:`serve.settings.Settings`.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from serve.settings import Settings


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a head size limit and head/body read timeouts.

    The limits are class attributes: set by :func:`uvicorn_options` in the process that runs uvicorn, and read
    from the environment's settings (:func:`serve.settings.load_settings`, which ``notecheck serve`` exports to
    its workers) the first time a connection comes in a worker process uvicorn spawned.
    """

    max_header_bytes: int | None = None
    header_timeout: float = 10.0
    body_timeout: float = 30.0

    @classmethod
    def configure(cls, settings: Settings) -> None:
        cls.max_header_bytes = settings.max_header_bytes
        cls.header_timeout = settings.header_timeout
        cls.body_timeout = settings.body_timeout

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        if type(self).max_header_bytes is None:  # a spawned worker: the settings its parent exported
            from serve.settings import load_settings

            LimitedHttpToolsProtocol.configure(load_settings())
        self._head_bytes = 0
        self._reading_head = True
        self._read_timer: asyncio.TimerHandle | None = None
        super().connection_made(transport)
        self._arm(self.header_timeout, self._head_too_slow)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._reading_head:
            self._head_bytes += len(data)
        super().data_received(data)
        if self._reading_head and self._head_bytes > self.max_header_bytes and not self.transport.is_closing():
            self._refuse(431, f"Request head larger than {self.max_header_bytes} bytes (max_header_bytes).")

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if not self._reading_head:  # the next request on a kept-alive connection: its head is timed afresh
            self._reading_head = True
            self._head_bytes = 0
            self._arm(self.header_timeout, self._head_too_slow)

    def on_headers_complete(self) -> None:
        self._reading_head = False
        self._arm(self.body_timeout, self._body_too_slow)
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._disarm()
        super().on_message_complete()

    # -- timers ------------------------------------------------------------------------------------------
    def _arm(self, seconds: float, handler: Any) -> None:
        self._disarm()
        self._read_timer = self.loop.call_later(seconds, handler)

    def _disarm(self) -> None:
        timer = getattr(self, "_read_timer", None)
        if timer is not None:
            timer.cancel()
            self._read_timer = None

    def _head_too_slow(self) -> None:
        if self._reading_head and not self.transport.is_closing():
            self._refuse(408, f"Request head not complete within {self.header_timeout:g} s (header_timeout).")

    def _body_too_slow(self) -> None:
        if not self.transport.is_closing():
            self.logger.warning("closing a connection: request body not complete within %gs", self.body_timeout)
            self.transport.close()  # the app's receive() sees http.disconnect

    def _refuse(self, status: int, message: str) -> None:
        """Answer ``status`` with ``message`` and close (before any app ran for this request)."""
        self._disarm()
        reason = {408: b"Request Timeout", 431: b"Request Header Fields Too Large"}[status]
        body = message.encode("ascii")
        self.transport.write(
            b"HTTP/1.1 %d %s\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: %d\r\n"
            b"connection: close\r\n\r\n%s" % (status, reason, len(body), body)
        )
        self.transport.close()


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments of ``uvicorn.run`` that set every connection limit of ``settings``."""
    LimitedHttpToolsProtocol.configure(settings)
    return {
        "http": LimitedHttpToolsProtocol,
        "h11_max_incomplete_event_size": settings.max_header_bytes,  # used only if h11 is chosen instead
        "timeout_keep_alive": settings.keep_alive_timeout,
        "limit_concurrency": settings.limit_concurrency,
        "timeout_graceful_shutdown": settings.graceful_shutdown_timeout,
    }
