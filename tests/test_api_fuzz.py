"""Fuzzing the prediction API: no input, however malformed, may produce a 5xx.

1. schemathesis generates requests from the app's own OpenAPI schema (valid and invalid bodies, query values)
   and calls the app in-process through its ASGI integration; responses must not be 5xx and must match the
   documented schemas, status codes and content types.
2. hypothesis generates texts schemathesis does not: odd Unicode, control characters, lone surrogates (sent as
   JSON escapes, as a browser would), emoji only, empty, and 1 MB strings.

Example counts are kept modest so the file runs in well under a minute.
"""

from __future__ import annotations

import gzip
import json

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig

from serve.app import create_app
from serve.settings import Settings

LIMITS = {"max_batch": 8, "max_comments": 8, "max_text_chars": 2000, "max_comment_chars": 500, "max_body_bytes": 65536}
KEY = "fuzz-key-0123456789"
# With a key configured, the schema declares it and schemathesis' auth checks send requests without it or with a
# wrong one (which must get 401) besides the ones that carry it.
SETTINGS = {**LIMITS, "api_keys": [KEY]}


@pytest.fixture(scope="module")
def fuzz_app(sample_model_dir, sample_sentiment_dir):
    return create_app(Settings(model_dir=sample_model_dir, comment_model_dir=sample_sentiment_dir, **SETTINGS))


@pytest.fixture(scope="module")
def client(fuzz_app):
    with TestClient(fuzz_app) as c:
        c.headers["X-API-Key"] = KEY
        yield c


# The app's own OpenAPI document (building it loads no model); requests go to ``fuzz_app`` in-process through
# schemathesis' ASGI transport, which runs the app's lifespan first.
# A body over max_body_bytes is refused with 413 (documented) before it is parsed: invalid data may get it too.
REJECTED = [400, 401, 403, 404, 405, 406, 409, 413, 415, 422, 428, 429]
schema = schemathesis.openapi.from_dict(
    create_app(Settings(**SETTINGS)).openapi(),
    config=SchemathesisConfig.from_dict({"checks": {"negative_data_rejection": {"expected-statuses": REJECTED}}}),
)


@schema.parametrize()
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_openapi_fuzz_all_checks(case, fuzz_app):
    """Every schemathesis check (``checks=None`` runs them all, as ``--checks all`` does): no 5xx, responses as
    documented, and no 422 a schema-driven client could not predict (valid data accepted, invalid data refused)."""
    case.operation.schema.app = fuzz_app  # where the auth checks send their probes (without the key, with a wrong one)
    case.call_and_validate(app=fuzz_app, checks=None, headers={"X-API-Key": KEY})


def _post(client: TestClient, path: str, body: object):
    """JSON with ``ensure_ascii`` so lone surrogates travel as ``\\ud800`` escapes, as real clients send them."""
    return client.post(path, content=json.dumps(body), headers={"content-type": "application/json"})


odd_text = st.one_of(
    st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=300),  # any code point
    st.text(alphabet=st.characters(categories=("Cc", "Cf", "Zs", "Zl", "Zp", "Mn")), max_size=50),  # invisible
    st.text(alphabet=st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), min_size=1, max_size=5),  # surrogates
    st.text(alphabet=st.sampled_from("🍅😂🎉👍🏻🇨🇳❤️\u200d"), min_size=1, max_size=60),  # emoji only
    st.sampled_from(["", " ", "\n\t", "⟦cue:wechat⟧", "⟦", "#话题[话题]#" * 30, "[笑哭R]" * 50, "vx：a b c 1 2 3"]),
)


@given(title=odd_text, text=odd_text, comments=st.lists(odd_text, max_size=4))
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_odd_texts_never_5xx(client, title, text, comments):
    r = _post(client, "/v1/check", {"title": title, "text": text, "comments": comments})
    assert r.status_code in (200, 422), r.text
    if r.status_code == 200:
        out = r.json()
        assert out["decision"] in ("ad", "review", "genuine")
        assert 0.0 <= out["ad_probability"] <= 1.0
    else:
        assert r.json()["message"].startswith("field '")


@given(notes=st.lists(st.fixed_dictionaries({"title": odd_text, "text": odd_text}), min_size=1, max_size=10))
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_odd_batches_never_5xx(client, notes):
    r = _post(client, "/v1/check/batch", {"notes": notes})
    assert r.status_code in (200, 422), r.text
    if r.status_code == 200:
        assert r.json()["n"] == len(notes)


@given(comments=st.lists(odd_text, max_size=6), keywords=st.dictionaries(odd_text, st.lists(odd_text, max_size=3)))
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_odd_comments_never_5xx(client, comments, keywords):
    r = _post(client, "/v1/comments/score", {"comments": comments, "keywords": keywords})
    assert r.status_code in (200, 422), r.text


@pytest.mark.parametrize("char", ["a", "广", "🍅", "\x00", "\ud800"])
@pytest.mark.parametrize("where", ["text", "title", "comment", "keyword"])
def test_one_megabyte_strings_are_refused_cleanly(client, char, where):
    big = char * (1 << 20)
    body = {"title": "t", "text": "ok"}
    if where == "comment":
        body["comments"] = [big]
    elif where == "keyword":
        body["keywords"] = {"k": [big]}
    else:
        body[where] = big
    r = _post(client, "/v1/check", body)
    assert r.status_code == 413  # the body limit (64 KiB here) refuses it before it is parsed
    assert "at most 65536 bytes" in r.json()["message"]


@pytest.mark.parametrize("char", ["a", "广", "🍅", "\x00"])
def test_long_text_within_the_body_limit_is_a_422_naming_the_field(client, char):
    r = _post(client, "/v1/check", {"text": char * 2001})
    assert r.status_code == 422
    assert r.json()["detail"][0]["field"] == "text"


@pytest.mark.parametrize(
    "raw",
    [b"", b"null", b"[]", b'"text"', b"{", b"\xff\xfe\x00", b'{"text": NaN}', b'{"text": "a"}' * 3, b"[" * 5000],
)
def test_malformed_bodies_never_5xx(client, raw):
    r = client.post("/v1/check", content=raw, headers={"content-type": "application/json"})
    assert 400 <= r.status_code < 500, r.text


@pytest.mark.parametrize(
    ("raw", "got"),
    [
        (b'{"text": "\xff\xfe ok"}', "Got byte 0xff at byte 10"),
        (b"[" * 30_000 + b"]" * 30_000, "Got arrays or objects nested too deeply to parse"),
        # a 5,000-digit number was called "nested too deeply", which it is not
        (b'{"text": "ok", "id": ' + b"9" * 5000 + b"}", "Got a number of more than 4,300 digits"),
    ],
)
def test_undecodable_bodies_say_what_came_in_in_words(client, raw, got):
    """Not a Python exception name cut off mid-word ("RecursionError: maximum recursion depth exceeded while
    decoding a JSON array from a unicode stri"), but what was wrong with the bytes."""
    r = client.post("/v1/check", content=raw, headers={"content-type": "application/json"})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "body"
    assert r.json()["message"].endswith(got) and "Error" not in r.json()["message"]


@pytest.mark.parametrize(
    ("raw", "headers", "got"),
    [
        (gzip.compress(b'{"text": "ok"}'), {"content-encoding": "gzip"}, "(sent with Content-Encoding: gzip; send the"),
        (
            '{"text": "加微信"}'.encode("gbk"),
            {"content-type": "application/json; charset=GBK"},
            "charset=gbk; JSON bodies",
        ),
    ],
)
def test_a_body_in_another_encoding_is_told_why_it_is_not_read(client, raw, headers, got):
    r = client.post("/v1/check", content=raw, headers={"content-type": "application/json", **headers})
    assert r.status_code == 422 and got in r.json()["message"]
