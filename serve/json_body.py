"""JSON request bodies read as note files are read: an object that gives one key twice is refused.

Python's JSON reader, which FastAPI uses for request bodies, keeps the last value of a repeated key and drops the
other silently, so ``{"title": "a", "text": "b", "text": "c"}`` was checked as the text "c". The file readers
refuse such a row (:func:`model.notes.unique_keys`); the API answers 422 naming the key.

:class:`UniqueKeysRoute` is FastAPI's documented way to change how a route reads its request (a custom
``APIRoute`` handing the handler a custom ``Request``): the body is still parsed once, by ``Request.json``, and
validated against the route's declared schema as before, so the OpenAPI document and every other error are
unchanged. A router uses it with ``APIRouter(route_class=UniqueKeysRoute)``.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from model.notes import RepeatedKeyError, repeat_path, unique_keys

__all__ = ["RepeatedKeyError", "UniqueKeysRequest", "UniqueKeysRoute", "loads", "unique_keys_request"]


def loads(body: bytes | str) -> Any:
    """``json.loads`` of a request body (bytes in UTF-8, -16 or -32, as the standard reader takes them), raising
    :class:`RepeatedKeyError` for an object that gives one key twice, its ``path`` the keys and indices to the
    repeat (``("notes", 1, "title")``) so the 422 says which of a batch's notes holds it."""
    try:
        return json.loads(body, object_pairs_hook=unique_keys)
    except RepeatedKeyError as exc:
        exc.path = repeat_path(body)  # where, for the 422 (parsed again only for a body being refused)
        raise


class UniqueKeysRequest(Request):
    """A request whose ``json()`` refuses repeated keys (:func:`loads`); parsed once and kept, as Starlette does."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = loads(await self.body())
        return self._json


def unique_keys_request(request: Request) -> UniqueKeysRequest:
    """``request`` as a :class:`UniqueKeysRequest` (itself when it is one: a body read by one request object
    cannot be read again by another built on the same connection)."""
    if isinstance(request, UniqueKeysRequest):
        return request
    return UniqueKeysRequest(request.scope, request.receive)


class UniqueKeysRoute(APIRoute):
    """An ``APIRoute`` whose handler reads the JSON body with :class:`UniqueKeysRequest`. FastAPI turns the
    :class:`RepeatedKeyError` into a 400 caused by it, which :func:`serve.app._http_error` answers as a 422
    naming the key."""

    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        standard = super().get_route_handler()

        async def handler(request: Request) -> Response:
            return await standard(unique_keys_request(request))

        return handler
