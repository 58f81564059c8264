"""A JSON body that gives one key twice is refused by every route that reads one (serve/json_body.py), as the
file readers refuse such a row: 422 naming the key, never read last-wins."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from serve.app import create_app, leaf_routes
from serve.json_body import UniqueKeysRoute, loads
from serve.settings import Settings

J = {"content-type": "application/json"}


@pytest.fixture(scope="module")
def app(sample_model_dir, sample_sentiment_dir):
    return create_app(Settings(model_dir=sample_model_dir, comment_model_dir=sample_sentiment_dir, model_processes=0))


@pytest.fixture(scope="module")
def client(app):
    with TestClient(app) as c:
        yield c


def _refused(response, key: str, loc: list[str | int] | None = None) -> None:
    """422 naming the key and where it is repeated (``loc`` after "body"; the key itself by default)."""
    assert response.status_code == 422, response.text
    loc = [key] if loc is None else loc
    field = "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else p) for i, p in enumerate(loc))
    out = response.json()
    msg = (
        f"the body must be valid JSON with each key once per object: the key {key!r} is given twice "
        "in one object; which value is meant is not clear"
    )
    assert out["message"] == f"field {field!r}: {msg}"
    assert out["detail"] == [{"loc": ["body", *loc], "field": field, "msg": msg, "type": "json_invalid"}]


@pytest.mark.parametrize(
    ("path", "body", "key", "loc"),
    [
        ("/v1/check", '{"title": "a", "text": "b", "text": "c"}', "text", ["text"]),
        ("/v1/check", '{"text": "a", "comments": [{"text": "好", "likes": 1, "likes": 2}]}', "likes",
         ["comments", 0, "likes"]),
        ("/v1/check", '{"text": "a", "keywords": {"brand": ["兰若"], "brand": ["竞品"]}}', "brand",
         ["keywords", "brand"]),
        # which of up to 256 notes holds the repeat: the 422 says where, as for any other field
        ("/v1/check/batch", '{"notes": [{"text": "a"}, {"title": "t", "title": "u", "text": "b"}]}', "title",
         ["notes", 1, "title"]),
        ("/v1/check/batch", '{"notes": [{"text": "a"}], "notes": [{"text": "b"}]}', "notes", ["notes"]),
        ("/v1/comments/score", '{"comments": ["好看"], "note_text": "a", "note_text": "b"}', "note_text",
         ["note_text"]),
    ],
)  # fmt: skip
def test_a_repeated_key_is_refused_naming_it(client, path, body, key, loc):
    _refused(client.post(path, content=body.encode("utf-8"), headers=J), key, loc)
    # the same body without the repeat is accepted: the refusal is about the repeat, nothing else
    once = json.dumps(json.loads(body), ensure_ascii=False)
    assert client.post(path, content=once.encode("utf-8"), headers=J).status_code == 200


def test_the_same_key_in_different_objects_is_no_repeat(client):
    body = '{"notes": [{"text": "a"}, {"text": "b"}]}'
    r = client.post("/v1/check/batch", content=body, headers=J)
    assert r.status_code == 200 and r.json()["n"] == 2


def test_every_route_with_a_json_body_refuses_repeated_keys(app, client):
    """Every route that takes a body reads it with UniqueKeysRoute (a route added later without it would read
    repeated keys last-wins), and answers a repeated key with the 422 naming it: before any other check of the
    body, as for any other JSON that cannot be read."""
    with_body = [(prefix + r.path, r) for prefix, r, _ in leaf_routes(app.router.routes)
                 if getattr(getattr(r, "dependant", None), "body_params", None)]  # fmt: skip
    assert {p for p, _ in with_body} >= {"/v1/check", "/v1/check/batch", "/v1/comments/score", "/v1/appeals"}
    for path, route in with_body:
        assert isinstance(route, UniqueKeysRoute), path
        url = path.replace("{appeal_id}", "00000000-0000-0000-0000-000000000000")
        for method in route.methods:
            _refused(client.request(method, url, content=b'{"zz": 1, "zz": 2}', headers=J), "zz")


def test_loads_reads_what_json_loads_reads():
    for body in (b'{"a": [1, {"b": null}], "c": "\\u00e9"}', '{"x": 1}'.encode("utf-16"), b"[]", b'"s"'):
        assert loads(body) == json.loads(body)
