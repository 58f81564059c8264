"""The app's middleware that answers before any route does: the API key (:class:`APIKeyMiddleware`, before anything
reads the body) and the body-size limit (:class:`BodyLimitMiddleware`), with the route look-up the key check and
the app's 405 answers share (:func:`leaf_routes`, :func:`matching_routes`, :func:`route_path`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException

from serve.deps import api_key_error, require_api_key


def requires_key(route: Any) -> bool:
    """Whether ``route`` is guarded by the API key: it depends on :func:`serve.deps.require_api_key`."""
    return any(getattr(d, "dependency", None) is require_api_key for d in getattr(route, "dependencies", ()))


def leaf_routes(routes: list[Any], prefix: str = "", guarded: bool = False) -> list[tuple[str, Any, bool]]:
    """``(path prefix, route, guarded by the key)`` of every route in ``routes`` with a path, in routing order,
    looking into included routers (which recent FastAPI versions keep as one entry with the router's routes)."""
    out: list[tuple[str, Any, bool]] = []
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            context = getattr(route, "include_context", None)
            extra = any(getattr(d, "dependency", None) is require_api_key for d in getattr(context, "dependencies", ()))
            out += leaf_routes(included.routes, prefix + (getattr(context, "prefix", "") or ""), guarded or extra)
        elif getattr(route, "path_regex", None) is not None:
            out.append((prefix, route, guarded or requires_key(route)))
    return out


def matching_routes(routes: list[tuple[str, Any, bool]], path: str) -> Iterator[tuple[Any, bool]]:
    for prefix, route, guarded in routes:
        if path.startswith(prefix) and route.path_regex.match(path[len(prefix) :]):
            yield route, guarded


class APIKeyMiddleware:
    """The API-key check (:func:`serve.deps.api_key_error`) for requests to a route guarded by the key
    (:func:`requires_key`), before anything reads the body: a request without a valid key gets its 401 before
    any 413 or 422, and a body nobody may send is never parsed. ``routes`` is the app's route list, read when the
    first request comes (every router is included by then)."""

    def __init__(self, app: Any, routes: list[Any], keys: list[bytes]) -> None:
        self.app = app
        self.routes = routes
        self.keys = keys
        self._leaves: list[tuple[str, Any, bool]] | None = None

    def _requires_key(self, path: str, method: str) -> bool:
        """Whether the route that will answer needs the key: the first of the path with this method, else (a 405
        is coming) the first of the path."""
        if self._leaves is None:
            self._leaves = leaf_routes(self.routes)
        first = None
        for route, guarded in matching_routes(self._leaves, path):
            methods = getattr(route, "methods", None)
            if methods is None or method in methods:
                return guarded
            first = guarded if first is None else first
        return bool(first)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and self.keys and self._requires_key(route_path(scope), scope["method"]):
            error = api_key_error(Headers(scope=scope), self.keys)
            if error is not None:
                await send_json(send, error.status_code, str(error.detail), error.headers)
                return
        await self.app(scope, receive, send)


def route_path(scope: dict[str, Any]) -> str:
    """The path routes match: without the ``root_path`` a proxy mounts the app under."""
    path, root = scope["path"], scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


class BodyLimitMiddleware:
    """413 for request bodies over ``max_body_bytes``: at once from Content-Length, else while reading."""

    def __init__(self, app: Any, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    def _message(self, got: str) -> str:
        return f"The request body must be at most {self.max_body_bytes} bytes (max_body_bytes). Got {got}."

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = None
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                length = value
                break
        if length is not None:
            if not length.isdigit():
                await send_json(send, 400, f"The Content-Length header must be a whole number. Got {length!r:.40}.")
                return
            if int(length) > self.max_body_bytes:
                await send_json(send, 413, self._message(f"Content-Length {int(length)}"))
                return
        limit = self.max_body_bytes
        seen = 0

        async def limited_receive() -> dict[str, Any]:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise StarletteHTTPException(413, self._message(f"more than {limit} bytes"))
            return message

        await self.app(scope, limited_receive, send)


async def send_json(send: Any, status: int, message: str, extra_headers: dict[str, str] | None = None) -> None:
    import json

    body = json.dumps({"message": message, "detail": message}).encode("utf-8")
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    headers += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in (extra_headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
