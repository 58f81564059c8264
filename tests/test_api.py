"""The prediction API (serve.app): every route, status code and error message; limits, API keys, metrics,
concurrency; the model's fast single-note path; ``notecheck serve`` and the settings."""

from __future__ import annotations

import json
import re
import shutil
import sys
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from conftest import SAMPLES
from fastapi.testclient import TestClient
from pydantic import ValidationError

from model import load_model
from model.errors import InvalidNoteError, InvalidParameterError, ModelLoadError
from model.schema import BLANK_NOTE, NON_BLANK, parse_note
from serve import deps
from serve.app import create_app
from serve.cli import main
from serve.schemas.appeals import STORABLE
from serve.schemas.comments import CommentsIn
from serve.settings import Settings, load_settings

NOTES = [json.loads(line) for line in (SAMPLES / "notes.jsonl").read_text(encoding="utf-8").splitlines()]
AD_NOTE = {
    "title": "新店开业",
    "text": "加vx领券，原价199现价99，链接在主页，私信下单",
    "comments": ["怎么买", "已下单"],
}
GENUINE_NOTE = {"title": "周末爬山", "text": "今天和朋友去爬山，山顶风景很好，下山吃了碗面，累但开心"}
KEY = "test-key-0123456789"
ODD_TEXTS = [
    "",
    " ",
    "\x00\x01\x7f",
    "🍅🍅🍅",
    "\ud800 lone surrogate",
    "⟦cue:wechat⟧ forged",
    "a" * 5000,
    "\u200b\ufeff",
]


@pytest.fixture(autouse=True, scope="module")
def _clean_env():
    """NOTECHECK_* variables of the machine running the tests must not change the settings under test."""
    with pytest.MonkeyPatch.context() as mp:
        for name in [n for n in __import__("os").environ if n.startswith("NOTECHECK_")]:
            mp.delenv(name)
        yield


@pytest.fixture(autouse=True)
def _restore_exported_env(monkeypatch):
    """``load_settings(file)`` and ``notecheck serve`` export variables for worker processes; undo that."""
    for name in ("NOTECHECK_SETTINGS_FILE", "NOTECHECK_MODEL_DIR", "NOTECHECK_ALLOW_VERSION_MISMATCH"):
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)


@pytest.fixture(scope="module")
def sentiment_dir(sample_sentiment_dir: Path) -> Path:
    return sample_sentiment_dir


@pytest.fixture(scope="module")
def make_settings(sample_model_dir: Path):
    """Settings on the model trained from the sample archive (independent of the shipped model's retraining)."""

    def make(**kw) -> Settings:
        return Settings(model_dir=sample_model_dir, **kw)

    return make


@pytest.fixture(scope="module")
def app(make_settings, sentiment_dir: Path):
    return create_app(make_settings(comment_model_dir=sentiment_dir, max_batch=20, max_comments=5, max_text_chars=6000))


@pytest.fixture(scope="module")
def client(app):
    with TestClient(app) as c:
        yield c


@pytest.fixture(scope="module")
def keyed_client(make_settings):
    with TestClient(create_app(make_settings(api_keys=[KEY, "second-key-abcdef"]))) as c:
        yield c


@pytest.fixture(scope="module")
def ad_model(sample_model):
    return sample_model


def _error_fields(response) -> list[str]:
    return [e["field"] for e in response.json()["detail"]]


# -- /v1/check ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("note", [AD_NOTE, GENUINE_NOTE, NOTES[0], NOTES[1]], ids=["ad", "genuine", "s001", "s002"])
def test_check_matches_the_model(client, ad_model, note):
    body = {k: note[k] for k in ("title", "text")}
    r = client.post("/v1/check", json=body)
    assert r.status_code == 200, r.text
    out = r.json()
    expected = ad_model.check(body).to_dict()
    assert out["decision"] == expected["decision"]
    assert out["ad_probability"] == pytest.approx(expected["ad_probability"], abs=1e-6)
    assert out["threshold"] == expected["threshold"] and out["review_threshold"] == expected["review_threshold"]
    for key in ("highlights", "reasons", "advice"):  # the same values, as JSON
        assert out[key] == json.loads(json.dumps(expected[key], ensure_ascii=False)), key
    assert out["model_version"] == ad_model.version
    assert out["comments"] is None


def test_check_reasons_are_readable(client):
    out = client.post("/v1/check", json=AD_NOTE).json()
    assert out["decision"] == "ad" and out["reasons"] and out["highlights"]
    for r in out["reasons"]:
        assert r["label_zh"] and r["label_en"] and r["direction"] in {"ad", "genuine"}
        assert (r["weight"] > 0) == (r["direction"] == "ad")
        for e in r["evidence"]:
            assert AD_NOTE[e["field"]][e["start"] : e["end"]] == e["text"]
    for h in out["highlights"]:
        assert AD_NOTE[h["field"]][h["start"] : h["end"]] == h["text"]
    assert "contact" in {r["category"] for r in out["reasons"] if r["direction"] == "ad"}
    assert "申诉" in out["advice"]["zh"] and "appeal" in out["advice"]["en"]
    genuine = client.post("/v1/check", json=GENUINE_NOTE).json()
    assert genuine["decision"] == "genuine" and genuine["advice"] is None


@pytest.mark.parametrize("top", [0, 1, 3])
def test_check_top_limits_the_reasons(client, top):
    out = client.post(f"/v1/check?top={top}", json=AD_NOTE).json()
    assert len(out["reasons"]) <= top


def test_check_with_comments_scores_them(client, sentiment_dir):
    from model.comments import load_comment_scorer

    comments = ["好用，已回购", {"text": "太差了，不推荐", "likes": 3}, "链接在哪"]
    r = client.post("/v1/check", json={**GENUINE_NOTE, "comments": comments, "keywords": {"brand": ["回购"]}})
    assert r.status_code == 200, r.text
    got = r.json()["comments"]
    expected = load_comment_scorer(sentiment_dir).score(comments, {"brand": ["回购"]}).to_dict()
    assert got == json.loads(json.dumps(expected))
    assert got["n_comments"] == 3 and got["keyword_ratio"]["brand"] == pytest.approx(1 / 3, abs=1e-6)


@pytest.mark.parametrize(
    "sent",
    [
        {"comments": []},
        {"comments": [], "keywords": {"brand": ["回购"]}},
        {"keywords": {"brand": ["回购"]}},
        {"comments": None, "keywords": {"brand": ["回购"], "rival": ["雪岚"]}},
    ],
    ids=["empty-list", "empty-list-and-keywords", "keywords-alone", "null-comments-and-keywords"],
)
def test_check_of_zero_comments_reports_them_as_comments_score_does(client, sent):
    """An empty comment list is a note of zero comments, and keyword sets sent without comments ask for the
    scores of a note that has none: either way the comment report of /v1/comments/score for no comments (count 0,
    ratios and shares null, every set named), never null, as `notecheck comments` reports such a note."""
    r = client.post("/v1/check", json={**GENUINE_NOTE, **sent})
    assert r.status_code == 200, r.text
    got = r.json()["comments"]
    scored = client.post("/v1/comments/score", json={"comments": [], "keywords": sent.get("keywords")}).json()
    scored.pop("model_version")
    assert got == scored
    assert got["n_comments"] == 0 and got["positive_share"] is None and got["water_ratio"] is None
    assert set(got["keyword_ratio"]) >= {"purchase_intent", "ad_suspicion", *sent.get("keywords", ())}
    assert set(got["keyword_ratio"].values()) == {None}
    batch = client.post("/v1/check/batch", json={"notes": [{**GENUINE_NOTE, **sent}, GENUINE_NOTE]}).json()
    assert batch["results"][0] == r.json() and batch["results"][1]["comments"] is None
    spec = client.get("/openapi.json").json()["components"]["schemas"]
    assert "an empty list is a note with no comments" in spec["NoteIn"]["properties"]["comments"]["description"]
    assert "sent without comments" in spec["NoteIn"]["properties"]["keywords"]["description"]


@pytest.mark.parametrize("route", ["/v1/check", "/v1/comments/score"])
@pytest.mark.parametrize(
    ("field", "value"),
    [("time", "1700000000"), ("time", "1700000000000"), ("time", "1.7e9"), ("time", "20240101"), ("likes", "12")],
    ids=["seconds", "milliseconds", "exponent", "all-digit-date", "likes"],
)
def test_numbers_sent_as_strings_are_refused_for_time_as_for_likes(client, route, field, value):
    """A like count "12" was refused while a time "1700000000" was read by pydantic's own rule (milliseconds above
    2e10, exponents, and "20240101" as seconds where the file reader read a date). Both are JSON numbers here; the
    422 names the field, the form expected and what came in."""
    body = {"text": "ok", "comments": [{"text": "x", field: value}]}
    r = client.post(route, json=body if route == "/v1/check" else {"comments": body["comments"]})
    assert r.status_code == 422, r.text
    (error,) = r.json()["detail"]
    assert error["field"] == f"comments[0].{field}"
    expected = "whole number (a JSON integer)" if field == "likes" else "seconds since the epoch as a JSON number"
    assert expected in error["msg"] and f"Got str {value!r}" in error["msg"]


@pytest.mark.parametrize("route", ["/v1/check", "/v1/comments/score"])
@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ('"yesterday"', "or an ISO 8601 date-time (input is too short). Got str 'yesterday'"),
        ('"2024-13-01"', "date-time (month value is outside expected range of 1-12). Got str '2024-13-01'"),
        ("true", "must be seconds since the epoch as a JSON number or an ISO 8601 date-time. Got bool True"),
        ("[1]", "must be seconds since the epoch as a JSON number or an ISO 8601 date-time. Got an array of 1 item"),
        ("1e400", "seconds since the epoch must be a finite number. Got float inf"),
        ("NaN", "seconds since the epoch must be a finite number. Got float nan"),
    ],
)
def test_a_bad_time_is_one_error_naming_its_field_and_both_forms(client, route, raw, message):
    """A bad time got pydantic's three union branch errors in one ("Input should be a valid number; or Input
    should be a valid integer; or ..."), and 1e400 (inf) was refused later as field 'body' with the file reader's
    words, which say a number as text is read (the API refuses it)."""
    comments = f'[{{"text": "x", "time": {raw}}}]'
    body = f'{{"text": "ok", "comments": {comments}}}' if route == "/v1/check" else f'{{"comments": {comments}}}'
    r = client.post(route, content=body, headers={"content-type": "application/json"})
    assert r.status_code == 422, r.text
    (error,) = r.json()["detail"]
    assert error["field"] == "comments[0].time"
    assert error["msg"].endswith(message), error["msg"]


@pytest.mark.parametrize(
    "time",
    [1700000000, 1700000000.5, "2023-11-14T22:13:20Z", "2023-11-15T06:13:20+08:00", "2024-01-01",
     "2023-11-14t22:13:20z", "2023-11-14 22:13:20.5z"],  # RFC 3339 allows lower-case t and z; the API takes them
)  # fmt: skip
def test_a_time_the_api_takes_means_what_the_file_reader_reads(time):
    """The comment scorer reads the API's comments with the file reader: a time the API accepts is the same
    moment there as in a note file."""
    sent = CommentsIn.model_validate({"comments": [{"text": "x", "time": time}]}).comments[0]
    passed = parse_note({"text": "a", "comments": [sent.model_dump(mode="json", exclude_none=True)]})
    read = parse_note({"text": "a", "comments": [{"text": "x", "time": time}]})
    assert passed.comments[0].time == read.comments[0].time


def test_check_echoes_id(client):
    assert client.post("/v1/check", json={**GENUINE_NOTE, "id": "n-42"}).json()["id"] == "n-42"


def test_a_title_alone_is_a_note(client):
    """A note may leave its text out when its title is not blank, as in the file readers (parse_note)."""
    alone = client.post("/v1/check", json={"title": "只有标题"})
    assert alone.status_code == 200, alone.text
    assert alone.json() == client.post("/v1/check", json={"title": "只有标题", "text": ""}).json()
    batch = client.post("/v1/check/batch", json={"notes": [{"title": "只有标题"}, GENUINE_NOTE]})
    assert batch.status_code == 200, batch.text
    assert batch.json()["results"][0] == alone.json()
    text = client.get("/openapi.json").json()["components"]["schemas"]["NoteIn"]["properties"]["text"]
    assert "left out" in text["description"] and "default" not in text


# Whitespace on which regex engines disagree: Python's \s holds U+001C-U+001F, Unicode White_Space (Rust, as in
# jsonschema-rs) holds U+0085 but not those, ECMAScript holds U+FEFF. A schema-driven client must be able to predict
# the 422 from the pattern the OpenAPI document states, and the file readers must agree with the API.
@pytest.mark.parametrize(
    "blank", ["\x1c", "\x1f", "\x85", "\ufeff", "\u3000", "\x1c \ufeff", "\u200b\u200d", "\xad", "\x01", "\u2066 ⟦⟧"]
)
def test_blank_is_the_same_for_the_api_the_readers_and_the_schema(client, blank):
    r = client.post("/v1/check", json={"title": blank})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "text", r.text
    assert client.post("/v1/check", json={"title": "标题", "text": blank}).status_code == 200
    with pytest.raises(InvalidNoteError, match="needs text or a title that is not blank"):
        parse_note({"title": blank, "text": blank})
    pattern = client.get("/openapi.json").json()["components"]["schemas"]["NoteIn"]["anyOf"][1]["properties"]
    assert re.search(pattern["title"]["pattern"], blank) is None
    assert re.search(pattern["title"]["pattern"], blank + "好") is not None


@pytest.mark.parametrize("text", ODD_TEXTS[2:])
def test_check_odd_text_is_handled(client, text):
    r = client.post(
        "/v1/check", content=json.dumps({"title": "标题", "text": text}), headers={"content-type": "application/json"}
    )
    assert r.status_code == 200, r.text
    assert r.json()["decision"] in ("ad", "review", "genuine")


# -- errors: 422 names the field, 413, 401 -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"text": ""}, "text", BLANK_NOTE + ". Got str ''"),
        ({"title": "  ", "text": " \n"}, "text", BLANK_NOTE),
        ({"title": " "}, "text", BLANK_NOTE + ". Got nothing"),
        ({}, "text", BLANK_NOTE + ". Got nothing"),
        ({"text": 5}, "text", "valid string. Got int 5"),
        ({"text": "ok", "title": ["a"]}, "title", "valid string"),
        ({"text": "ok", "title": None}, "title", "valid string. Got null"),
        ({"text": "ok", "comments": "not a list"}, "comments", "valid list"),
        ({"text": "ok", "comments": [{"text": "x", "likes": -1}]}, "comments[0].likes", "greater than or equal to 0"),
        ({"text": "ok", "comments": [{"likes": 1}]}, "comments[0].text", "Field required. Got nothing"),
        ({"text": "ok", "comments": [1]}, "comments[0]", "a string or an object with 'text'. Got int 1"),
        ({"text": "ok", "comments": ["c", [1, 2]]}, "comments[1]", "or an object with 'text'. Got an array of 2"),
        ({"text": "ok", "comments": [True]}, "comments[0]", "a string or an object with 'text'. Got bool True"),
        ({"text": "ok", "keywords": {"brand": "兰若"}}, "keywords.brand", "valid list"),
        ({"text": "ok", "keywords": {"brand": [""]}}, "keywords.brand[0]", "must contain a visible character"),
        ({"text": "ok", "keywords": {"brand": ["\u200b "]}}, "keywords.brand[0]", "must contain a visible character"),
        # emoji variation selectors alone: keyword matching drops them ("❤️" is "❤"), leaving nothing to match
        ({"text": "ok", "keywords": {"brand": ["\ufe0f"]}}, "keywords.brand[0]", "must contain a visible character"),
        ({"text": "ok", "keywords": {"brand": [" \ufe0e"]}}, "keywords.brand[0]", "must contain a visible character"),
        (
            {"text": "ok", "keywords": {"\x8c": ["a"]}},
            'keywords["\\u008c"] (the key)',
            "must contain a visible character",
        ),
        ({"text": "ok", "keywords": {"": ["a"]}}, 'keywords[""] (the key)', "must contain a visible character"),
        ({"text": "ok", "keywords": {" ": ["a"]}}, 'keywords[" "] (the key)', "must contain a visible character"),
        ({"text": "ok", "keywords": {"a.b": [1]}}, 'keywords["a.b"][0]', "valid string"),
        ({"text": "ok", "keywords": {"品牌": [1]}}, "keywords.品牌[0]", "valid string"),
        ({"text": "ok", "keywords": {"brand": []}}, "keywords.brand", "at least 1 item"),
        ({"text": "ok", "comments": [{"text": "x", "likes": True}]}, "comments[0].likes", "whole number"),
        ({"text": "ok", "comments": [{"text": "x", "likes": 1.5}]}, "comments[0].likes", "whole number"),
        ({"text": "ok", "comments": [{"text": "x", "likes": "3"}]}, "comments[0].likes", "whole number"),
        ({"text": "ok", "colour": "red"}, "colour", "Extra inputs are not permitted"),
        ({"text": "ok", "comments": [{"text": "x", "time": "2024-13-45"}]}, "comments[0].time", "month value"),
        ({"text": "ok", "comments": [{"text": "x", "time": [1]}]}, "comments[0].time", "or an ISO 8601 date-time"),
        ({"text": "ok", "id": "\ud800"}, "id", "unable to parse raw data as a unicode string"),
        ({"text": "ok", "keywords": {"b": ["\ud800"]}}, "keywords.b[0]", "unable to parse raw data"),
        ({"text": "x" * 6001}, "text", "at most 6000 characters (the server's limit). Got 6001"),
        ({"title": "t" * 1001, "text": "ok"}, "title", "at most 1000 characters"),
        ({"text": "ok", "comments": ["c"] * 6}, "comments", "at most 5 items"),
        ({"text": "ok", "comments": ["c", "x" * 5001]}, "comments[1]", "at most 5000 characters"),
        ({"text": "ok", "comments": [{"text": "x" * 5001}]}, "comments[0].text", "at most 5000 characters"),
        ({"text": "ok", "keywords": {"k" * 65: ["a"]}}, "keywords." + "k" * 40, "at most 64 characters"),
        (
            {"text": "ok", "keywords": {f"s{i}": ["a"] for i in range(33)}},
            "keywords",
            "object must have at most 32 keyword sets",
        ),
    ],
)
def test_check_invalid_fields_give_422_naming_the_field(client, body, field, message):
    r = client.post("/v1/check", content=json.dumps(body), headers={"content-type": "application/json"})
    assert r.status_code == 422, r.text
    assert field in _error_fields(r)
    assert message in r.json()["message"] + " ".join(e["msg"] for e in r.json()["detail"])
    assert r.json()["message"].startswith("field '")
    assert not any(e["field"].endswith((".float", ".int", ".datetime", ".str")) for e in r.json()["detail"])


@pytest.mark.parametrize("raw", [b"{bad json", b"[1, 2", b'{"text": "a",}'])
def test_invalid_json_gives_422(client, raw):
    r = client.post("/v1/check", content=raw, headers={"content-type": "application/json"})
    assert r.status_code == 422
    assert r.json()["detail"][0]["type"] == "json_invalid"
    assert "must be valid JSON" in r.json()["message"]


def test_an_unterminated_string_is_placed_once(client):
    r = client.post("/v1/check", content=b'{"text": "abc', headers={"content-type": "application/json"})
    assert r.json()["detail"][0]["msg"] == "the body must be valid JSON: Unterminated string starting at character 9"


@pytest.mark.parametrize(
    ("headers", "got"),
    [
        ({"content-type": "text/plain"}, "Got Content-Type 'text/plain'"),
        ({"content-type": "application/x-www-form-urlencoded"}, "Got Content-Type 'application/x-www-form-urlencoded'"),
        ({}, "Got no Content-Type"),
    ],
)
def test_a_body_not_sent_as_json_says_so(client, headers, got):
    r = client.post("/v1/check", content=json.dumps(GENUINE_NOTE).encode(), headers=headers)
    assert r.status_code == 422
    assert r.json()["message"] == (
        f"field 'body': the body must be a JSON object sent with Content-Type: application/json. {got}"
    )


def test_422_never_echoes_a_huge_input(client):
    r = client.post("/v1/check", json={"text": 7, "title": "t" * 500_000})
    assert r.status_code == 422 and len(r.content) < 2_000


def test_body_over_the_limit_gives_413(client, app):
    limit = app.state.settings.max_body_bytes
    r = client.post("/v1/check", content=b"x" * (limit + 1), headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert f"at most {limit} bytes" in r.json()["message"]


def test_streamed_body_over_the_limit_gives_413(client, app):
    limit = app.state.settings.max_body_bytes
    chunks = iter([b'{"text": "'] + [b"a" * 65536] * (limit // 65536 + 2) + [b'"}'])
    r = client.post("/v1/check", content=chunks, headers={"content-type": "application/json"})
    assert r.status_code == 413, r.text


def test_bad_content_length_gives_400(client):
    r = client.post("/v1/check", content=b"{}", headers={"content-type": "application/json", "content-length": "x"})
    assert r.status_code == 400 and "Content-Length" in r.json()["message"]


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"X-API-Key": "wrong-key-0123456789"}, 401),
        ({"Authorization": "Bearer wrong"}, 401),
        ({"X-API-Key": KEY}, 200),
        ({"X-API-Key": "second-key-abcdef"}, 200),
        ({"Authorization": f"Bearer {KEY}"}, 200),
    ],
)
def test_api_keys(keyed_client, headers, status):
    r = keyed_client.post("/v1/check", json=GENUINE_NOTE, headers=headers)
    assert r.status_code == status
    if status == 401:
        assert r.headers["www-authenticate"] == "Bearer"
        assert "API key" in r.json()["message"]


@pytest.mark.parametrize(
    ("path", "status"), [("/healthz", 200), ("/readyz", 200), ("/metrics", 401), ("/v1/model", 401)]
)
def test_which_routes_need_a_key(keyed_client, path, status):
    assert keyed_client.get(path).status_code == status


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-API-Key": "k-123"},
        {"X-API-Key": "", "Authorization": "Bearer t-456"},
        {"X-API-Key": "k-123", "Authorization": "Bearer t-456"},
        {"Authorization": "bearer t-456"},
        {"Authorization": "Bearer   t-456  "},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "t-456"},
    ],
)
def test_presented_key_reads_headers_like_fastapis_security_classes(headers):
    """require_api_key reads the headers itself (one dependency instead of two Security sub-dependencies); it
    must extract exactly what fastapi.security.APIKeyHeader and HTTPBearer would."""
    import anyio
    from fastapi.security import APIKeyHeader, HTTPBearer
    from starlette.requests import Request

    scope = {"type": "http", "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]}
    request = Request(scope)

    async def fastapi_key() -> str | None:
        key = await APIKeyHeader(name="X-API-Key", auto_error=False)(request)
        bearer = await HTTPBearer(auto_error=False)(request)
        return key if key is not None else (bearer.credentials if bearer is not None else None)

    assert deps.presented_key(request) == anyio.run(fastapi_key)


def test_openapi_declares_the_api_key_schemes_where_keys_are_required(client, keyed_client):
    keyless = client.get("/openapi.json").json()
    assert "security" not in keyless["paths"]["/v1/check"]["post"]  # a server without keys does not enforce one
    spec = keyed_client.get("/openapi.json").json()
    assert spec["components"]["securitySchemes"] == {
        "APIKeyHeader": {"type": "apiKey", "description": "one of the server's API keys", "in": "header",
                         "name": "X-API-Key"},
        "HTTPBearer": {"type": "http", "description": "an API key as a bearer token", "scheme": "bearer"},
    }  # fmt: skip
    secured = {(path, method) for path, ops in spec["paths"].items() for method, op in ops.items() if "security" in op}
    assert secured == {
        ("/v1/check", "post"),
        ("/v1/check/batch", "post"),
        ("/v1/comments/score", "post"),
        ("/v1/model", "get"),
        ("/v1/appeals", "post"),
        ("/v1/appeals", "get"),
        ("/v1/appeals/{appeal_id}", "get"),
        ("/v1/appeals/{appeal_id}/resolve", "post"),
        ("/metrics", "get"),
    }
    assert spec["paths"]["/v1/check"]["post"]["security"] == [{"APIKeyHeader": []}, {"HTTPBearer": []}]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/v1/check", b"{not json"),
        ("POST", "/v1/check", b'{"text": ""}'),
        ("POST", "/v1/check", b"x" * (1 << 21)),  # over max_body_bytes: the key still comes first
        ("POST", "/v1/check/batch", b"[[["),
        ("POST", "/v1/comments/score", b'{"comments": 5}'),
        ("GET", "/v1/model", None),
        ("GET", "/metrics", None),
        ("DELETE", "/v1/check", None),  # a method the route lacks: 401 before the 405
    ],
)
def test_the_key_is_checked_before_the_body_is_read(keyed_client, method, path, body):
    """Without a valid key a request to a guarded route gets 401, whatever its body: no 413 or 422 telling an
    anonymous client about the body it sent, no parsing work done for it."""
    for headers in ({}, {"X-API-Key": "wrong-key-0123456789"}):
        r = keyed_client.request(method, path, content=body, headers={"content-type": "application/json", **headers})
        assert r.status_code == 401, (headers, r.text)
        assert r.headers["www-authenticate"] == "Bearer" and "API key" in r.json()["message"]
    assert keyed_client.get("/healthz").status_code == 200  # unguarded routes need no key
    assert keyed_client.get("/no-such-route").status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"text": ""},
        {"title": "", "text": " \n\u3000"},
        {"title": "周末", "text": ""},
        {"title": "周末"},
        {"title": " "},
        {},
        {"title": " ", "text": "爬山"},
        {"text": "a", "comments": [{"text": "x", "likes": 2.0}]},
        {"text": "a", "comments": [{"text": "x", "likes": False}]},
        {"text": "a", "keywords": {"k": []}},
        {"text": "a", "keywords": {"k": ["\u200b"]}},
        {"text": "a", "keywords": {"k": ["\ufe0f"]}},
        {"text": "a", "keywords": {"k": ["❤\ufe0f"]}},
        {"text": "a", "keywords": {" ": ["a"]}},
        {"text": "a", "keywords": {"k": ["a b"]}},
    ],
)
def test_the_schema_predicts_what_the_server_accepts(client, body):
    """A schema-driven client never gets a 422 it could not predict, nor a 200 for a body the schema forbids."""
    import jsonschema

    spec = client.get("/openapi.json").json()
    schema = {**spec["paths"]["/v1/check"]["post"]["requestBody"]["content"]["application/json"]["schema"],
              "components": spec["components"]}  # fmt: skip
    valid = jsonschema.Draft202012Validator(schema).is_valid(body)
    r = client.post("/v1/check", json=body)
    assert r.status_code == (200 if valid else 422), r.text


def test_key_comparison_is_constant_time(monkeypatch):
    calls = []
    real = deps.hmac.compare_digest

    def spy(a, b):
        calls.append(b)
        return real(a, b)

    monkeypatch.setattr(deps.hmac, "compare_digest", spy)
    keys = [b"first-key-000000", b"second-key-00000", b"third-key-000000"]
    assert deps.key_matches("first-key-000000", keys)
    assert calls == keys  # every key compared, no early exit on the first match
    assert not deps.key_matches("nope", keys)
    assert not deps.key_matches("\ud800", keys)


# -- /v1/check/batch ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("n", [1, 5, 20])
def test_batch_keeps_order_and_matches_single_checks(client, n):
    notes = [{"id": f"n{i}", "title": NOTES[i]["title"], "text": NOTES[i]["text"]} for i in range(n)]
    r = client.post("/v1/check/batch", json={"notes": notes})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["n"] == n and [x["id"] for x in out["results"]] == [x["id"] for x in notes]
    for note, res in zip(notes[:3], out["results"], strict=False):
        single = client.post("/v1/check", json=note).json()
        assert res == single


def test_batch_comment_scores_match_single_checks(client):
    notes = [
        {**GENUINE_NOTE, "id": "a", "comments": ["好用，已回购", {"text": "太差了", "likes": 2}]},
        {**AD_NOTE, "id": "b"},
        {"id": "c", "text": "没有评论的笔记"},
        {**GENUINE_NOTE, "id": "d", "comments": ["回购了", "一般"], "keywords": {"brand": ["回购"]}},
    ]
    batch = client.post("/v1/check/batch", json={"notes": notes}).json()["results"]
    singles = [client.post("/v1/check", json=n).json() for n in notes]
    assert batch == singles
    assert [r["comments"] is None for r in batch] == [False, False, True, False]
    assert "brand" in batch[3]["comments"]["keyword_ratio"] and "brand" not in batch[0]["comments"]["keyword_ratio"]


@pytest.mark.parametrize(
    ("notes", "field", "message"),
    [
        ([], "notes", "at least 1 item"),
        ([GENUINE_NOTE] * 21, "notes", "at most 20 items"),
        ([GENUINE_NOTE, {"text": ""}], "notes[1].text", BLANK_NOTE),
        ([GENUINE_NOTE, {"title": "\u3000"}], "notes[1].text", BLANK_NOTE + ". Got nothing"),
        ([GENUINE_NOTE, GENUINE_NOTE, {"text": "x" * 6001}], "notes[2].text", "at most 6000"),
    ],
)
def test_batch_errors(client, notes, field, message):
    r = client.post("/v1/check/batch", json={"notes": notes})
    assert r.status_code == 422
    assert field in _error_fields(r) and message in r.text


def test_batch_422_names_every_wrong_note(client):
    # notes 0 and 2 fail the schema, note 1 only the server's length limit: one answer names all three, in order
    notes = [{"text": 5}, {"text": "x" * 6001}, {"title": "", "text": ""}, GENUINE_NOTE, {"title": "t" * 2000}]
    r = client.post("/v1/check/batch", json={"notes": notes})
    assert r.status_code == 422
    fields = [e["field"] for e in r.json()["detail"]]
    assert fields == ["notes[0].text", "notes[1].text", "notes[2].text", "notes[4].title"]
    assert "at most 6000" in r.json()["detail"][1]["msg"]


def test_batch_422_names_too_many_notes_with_a_wrong_one(client):
    r = client.post("/v1/check/batch", json={"notes": [{"text": 5}] + [GENUINE_NOTE] * 20})
    assert [e["field"] for e in r.json()["detail"]] == ["notes", "notes[0].text"]
    assert "at most 20 items" in r.json()["detail"][0]["msg"]
    # the count alone, as for too many notes the schema accepts: no note's own limits
    r = client.post("/v1/check/batch", json={"notes": [{"text": 5}] + [{"text": "x" * 6001}] * 20})
    assert [e["field"] for e in r.json()["detail"]] == ["notes", "notes[0].text"]


# -- /v1/comments/score ------------------------------------------------------------------------------------
def test_comments_score(client, sentiment_dir):
    from model.comments import load_comment_scorer

    comments = ["好用", {"text": "太差了", "likes": 10}, "", "求链接"]
    keywords = {"兰若": ["兰若", "LANRUO"], "竞品": ["雪岚"]}
    r = client.post("/v1/comments/score", json={"comments": comments, "keywords": keywords})
    assert r.status_code == 200, r.text
    out = r.json()
    scorer = load_comment_scorer(sentiment_dir)
    assert out.pop("model_version") == scorer.sentiment.version
    assert out == json.loads(json.dumps(scorer.score(comments, keywords).to_dict()))


def test_comments_score_of_no_comments_gives_null_shares(client):
    """A share of no comments is undefined: null ratios and shares, the counts 0, as the schema documents."""
    r = client.post("/v1/comments/score", json={"comments": [], "keywords": {"brand": ["兰若"]}})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["n_comments"] == 0 and out["label_counts"] == {"positive": 0, "neutral": 0, "negative": 0}
    assert out["water_ratio"] is None and out["positive_share"] is None and out["positive_share_clean"] is None
    for key in ("keyword_ratio", "keyword_ratio_clean", "keyword_ratio_weighted"):
        assert out[key] and set(out[key].values()) == {None}, key
    spec = client.get("/openapi.json").json()["components"]["schemas"]["CommentsOut"]["properties"]
    for key in ("water_ratio",):
        assert {"type": "null"} in spec[key]["anyOf"] and "no comments" in spec[key]["description"]
    assert {"type": "null"} in spec["keyword_ratio"]["additionalProperties"]["anyOf"]


def test_comments_score_reads_negated_keywords(client):
    """不会再回购了 is no purchase intent and 不是广告！ no ad suspicion; 不是广告吧 still suspects an ad."""
    comments = ["不会再回购了", "不是广告吧", "不是广告！自费的", "已下单", "不想要同款"]
    r = client.post("/v1/comments/score", json={"comments": comments, "keywords": {"purchase_intent": ["想要同款"]}})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["matched_comments"] == {"purchase_intent": [3], "ad_suspicion": [1]}  # request keywords too
    assert out["keyword_ratio"]["purchase_intent"] == pytest.approx(1 / 5)
    assert out["comments"][0]["keyword_hits"]["purchase_intent"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [({"comments": ["a"] * 6}, "comments"), ({"comments": "a"}, "comments"), ({"keywords": {}}, "comments")],
)
def test_comments_score_errors(client, body, field):
    r = client.post("/v1/comments/score", json=body)
    assert r.status_code == 422 and field in _error_fields(r)


def test_a_comment_of_neither_form_names_both():
    """Anywhere a comment goes, one that is neither a string nor an object says both forms and what came in."""
    with pytest.raises(ValidationError, match=r"a comment must be a string or an object with 'text'"):
        CommentsIn.model_validate_json('{"comments": ["好", 3.5]}')


def test_comments_score_without_a_comment_model_is_503(monkeypatch, make_settings):
    def broken(*args, **kwargs):
        raise ModelLoadError("model/sentiment: model.npz is truncated")

    monkeypatch.setattr(deps, "load_comment_scorer", broken)
    with TestClient(create_app(make_settings())) as c:
        r = c.post("/v1/comments/score", json={"comments": ["好"]})
        assert (
            r.status_code == 503
            and "could not be loaded (model/sentiment: model.npz is truncated)" in r.json()["message"]
        )
        # the ad check still works, without comment scores
        r = c.post("/v1/check", json={**GENUINE_NOTE, "comments": ["好"]})
        assert r.status_code == 200 and r.json()["comments"] is None
        assert c.get("/readyz").json()["comment_model"] is None


# -- /v1/model, /healthz, /readyz, /metrics -----------------------------------------------------------------
def test_model_card_matches_the_artifact(client, sentiment_dir, sample_model_dir):
    out = client.get("/v1/model").json()
    assert out["ad"] == json.loads((sample_model_dir / "model_card.json").read_text(encoding="utf-8"))
    assert out["comments"] == json.loads((sentiment_dir / "model_card.json").read_text(encoding="utf-8"))
    card = out["ad"]
    assert out["operating_point"] == {
        "threshold": card["threshold"],
        "review_threshold": card["review_threshold"],
        "overridden": False,
    }


@pytest.mark.parametrize(("threshold", "review", "expected"), [(0.0, 0.0, "ad"), (1.0, 1.0, "genuine")])
def test_threshold_settings_override_the_card(make_settings, threshold, review, expected):
    with TestClient(create_app(make_settings(threshold=threshold, review_threshold=review))) as c:
        assert c.get("/v1/model").json()["operating_point"] == {
            "threshold": threshold,
            "review_threshold": review,
            "overridden": True,
        }
        for note in (AD_NOTE, GENUINE_NOTE):
            out = c.post("/v1/check", json=note).json()
            assert out["threshold"] == threshold
            if 0.0 < out["ad_probability"] < 1.0:
                assert out["decision"] == expected


def test_health_and_readiness(make_settings, sample_model):
    app = create_app(make_settings())
    outside = TestClient(app)  # no lifespan: the models are not loaded
    assert outside.get("/healthz").json() == {"status": "ok"}
    assert outside.get("/readyz").status_code == 503 and outside.get("/readyz").json()["status"] == "loading"
    assert outside.post("/v1/check", json=GENUINE_NOTE).status_code == 503
    with TestClient(app) as c:
        ready = c.get("/readyz")
        assert ready.status_code == 200 and ready.json()["status"] == "ready"
        assert ready.json()["ad_model"] == sample_model.version
        steps = ready.json()["load_steps"]
        assert {"ad_model_read", "ad_model_warmup"} <= set(steps) and all(v >= 0 for v in steps.values())


def _metric(text: str, name: str, **labels: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            got = dict(re.findall(r'(\w+)="([^"]*)"', line.split(" ")[0]))
            if all(got.get(k) == v for k, v in labels.items()):
                return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_metrics_count_requests_latency_and_decisions(make_settings):
    declared = {"text": "love this serum so much #ad"}  # decided ad by the rule (model.declared), not the model
    with TestClient(create_app(make_settings())) as c:
        before = c.get("/metrics").text
        singles = (AD_NOTE, GENUINE_NOTE, GENUINE_NOTE, declared)
        results = [c.post("/v1/check", json=n).json() for n in singles]
        batch = c.post("/v1/check/batch", json={"notes": [AD_NOTE, GENUINE_NOTE, declared, declared]}).json()
        results += batch["results"]
        c.post("/v1/check", json={"text": ""})
        c.get("/no/such/path")
        text = c.get("/metrics").text
    assert _metric(text, "notecheck_http_requests_total", route="/v1/check", status="200") == 4
    assert _metric(text, "notecheck_http_requests_total", route="/v1/check", status="422") == 1
    assert _metric(text, "notecheck_http_requests_total", route="(unmatched)", status="404") == 1
    assert _metric(text, "notecheck_http_request_duration_seconds_count", route="/v1/check", method="POST") == 5
    decisions = [r["decision"] for r in results]
    for label in ("ad", "review", "genuine"):
        assert _metric(text, "notecheck_decisions_total", decision=label) == decisions.count(label)
    # the rule's decisions are told apart: a counter of their own, each also one of the ad decisions above
    assert "notecheck_declared_decisions_total 0.0" in before
    assert [r["declared"] is not None for r in results].count(True) == 3
    assert _metric(text, "notecheck_declared_decisions_total") == 3
    assert _metric(text, "notecheck_models_loaded") == 1


def test_each_app_has_its_own_metrics_registry(make_settings):
    a, b = create_app(make_settings()), create_app(make_settings())
    assert a.state.metrics.registry is not b.state.metrics.registry
    with TestClient(a) as ca, TestClient(b) as cb:
        ca.get("/healthz")
        assert _metric(cb.get("/metrics").text, "notecheck_http_requests_total", route="/healthz") == 0
        assert _metric(ca.get("/metrics").text, "notecheck_http_requests_total", route="/healthz") == 1


def test_openapi_documents_versioned_routes_and_limits(client):
    spec = client.get("/openapi.json").json()
    assert {"/v1/check", "/v1/check/batch", "/v1/comments/score", "/v1/model", "/healthz", "/readyz"} <= set(
        spec["paths"]
    )
    schemas = spec["components"]["schemas"]
    assert schemas["NoteIn"]["properties"]["text"]["maxLength"] == 6000
    appealed = schemas["AppealNoteIn"]["properties"]  # checked again on appeal, within the same limits
    assert appealed["text"]["maxLength"] == 6000 and appealed["comments"]["anyOf"][0]["maxItems"] == 5
    assert appealed["title"]["pattern"] == STORABLE  # stored verbatim: no NUL (PostgreSQL text cannot hold one)
    # a field's own rule stays beside it: a blank statement or moderator is a 422 the schema predicts
    statement = schemas["AppealIn"]["properties"]["statement"]
    moderator = schemas["ResolveIn"]["properties"]["moderator"]["anyOf"][0]
    for field in (statement, moderator):
        assert field["pattern"] == NON_BLANK and {"pattern": STORABLE} in field["allOf"], field
    assert schemas["BatchIn"]["properties"]["notes"]["maxItems"] == 20


# -- concurrency -------------------------------------------------------------------------------------------
def test_concurrent_checks_match_serial(ad_model):
    notes = [{"title": n["title"], "text": n["text"]} for n in NOTES[:40]]
    serial = [ad_model.check(n).to_dict() for n in notes]
    with ThreadPoolExecutor(max_workers=8) as pool:
        parallel = list(pool.map(lambda n: ad_model.check(n).to_dict(), notes * 3))
    assert parallel == serial * 3


def test_concurrent_requests_match_serial(client):
    notes = [{"id": n["id"], "title": n["title"], "text": n["text"]} for n in NOTES[:16]]
    serial = [client.post("/v1/check", json=n).json() for n in notes]
    with ThreadPoolExecutor(max_workers=8) as pool:
        parallel = list(pool.map(lambda n: client.post("/v1/check", json=n).json(), notes * 2))
    assert parallel == serial * 2


def test_concurrent_checks_are_coalesced_with_the_same_results(make_settings):
    """Requests that queue while the model thread is busy are checked in one vectorised call (the app's
    ModelQueue); every response, with its own ``top``, is exactly the one the note gets alone."""
    import anyio
    import httpx

    notes = [{"id": n["id"], "title": n["title"], "text": n["text"]} for n in NOTES[:24]]
    tops = [3 if i % 3 == 0 else 8 for i in range(len(notes))]
    app = create_app(make_settings(check_coalesce=8))

    async def run() -> tuple[list, list, int, int]:
        async with app.router.lifespan_context(app):  # the lifespan and the requests share one event loop
            queue = app.state.served.checks
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
                serial = [
                    (await http.post("/v1/check", json=n, params={"top": k})).json()
                    for n, k in zip(notes, tops, strict=True)
                ]
                batches, items = queue.batches, queue.items
                together: list = [None] * len(notes)

                async def one(i: int) -> None:
                    together[i] = (await http.post("/v1/check", json=notes[i], params={"top": tops[i]})).json()

                async with anyio.create_task_group() as tg:
                    for i in range(len(notes)):
                        tg.start_soon(one, i)
                return serial, together, queue.batches - batches, queue.items - items

    serial, together, batches, items = anyio.run(run)
    assert together == serial
    assert items == len(notes) and len(notes) / 8 <= batches < len(notes)
    assert all(len(r["reasons"]) <= k for r, k in zip(serial, tops, strict=True))


def _run_queue(run_batch, submissions, max_batch=8):
    """Results (or exception messages) of ``submissions`` sent to a served ModelQueue at once, and its counters."""
    import anyio

    async def main():
        queue = deps.ModelQueue(run_batch, anyio.CapacityLimiter(1), max_batch)
        out = [None] * len(submissions)

        async def one(i: int) -> None:
            try:
                out[i] = await queue.submit(submissions[i])
            except Exception as exc:
                out[i] = f"{type(exc).__name__}: {exc}"

        async with anyio.create_task_group() as served:
            await served.start(queue.serve)
            async with anyio.create_task_group() as clients:
                for i in range(len(submissions)):
                    clients.start_soon(one, i)
            served.cancel_scope.cancel()
        return out, queue.batches, queue.items

    return anyio.run(main)


def test_model_queue_keeps_order_and_bounds_batches():
    seen = []

    def run_batch(items):
        seen.append(list(items))
        return [i * 10 for i in items]

    out, batches, items = _run_queue(run_batch, list(range(20)), max_batch=8)
    assert out == [i * 10 for i in range(20)]
    assert items == 20 and batches == len(seen) < 20 and max(len(b) for b in seen) <= 8
    assert sorted(i for b in seen for i in b) == list(range(20))


def test_model_queue_fails_only_the_bad_item():
    def run_batch(items):
        if "bad" in items:
            raise ValueError("a bad item")
        return [x.upper() for x in items]

    out, _, _ = _run_queue(run_batch, ["a", "bad", "c"])
    assert out == ["A", "ValueError: a bad item", "C"]


def test_model_queue_runs_items_directly_when_not_served():
    import anyio

    queue = deps.ModelQueue(lambda items: [x + 1 for x in items], anyio.CapacityLimiter(1), 8)
    assert anyio.run(queue.submit, 41) == 42  # no serve() task (e.g. another event loop than the lifespan's)


def test_model_queue_shutdown_answers_503_to_waiting_requests():
    import anyio
    from fastapi import HTTPException

    async def main():
        limiter = anyio.CapacityLimiter(1)
        await limiter.acquire_on_behalf_of("busy")  # the model thread never frees up
        queue = deps.ModelQueue(lambda items: items, limiter, 8)
        statuses = []

        async def one() -> None:
            try:
                await queue.submit("x")
            except HTTPException as exc:
                statuses.append(exc.status_code)

        async with anyio.create_task_group() as clients:
            async with anyio.create_task_group() as served:
                await served.start(queue.serve)
                clients.start_soon(one)
                clients.start_soon(one)
                await anyio.sleep(0.05)  # one taken by serve() and waiting for the limiter, one still queued
                served.cancel_scope.cancel()
        return statuses

    assert anyio.run(main) == [503, 503]


# -- the model's fast single-note path ---------------------------------------------------------------------
@pytest.mark.parametrize("which", ["shipped", "sample"])
def test_fast_path_equals_predict_proba_and_check(which, sample_model):
    model = load_model() if which == "shipped" else sample_model
    notes = NOTES + [{"title": "t", "text": t} for t in ODD_TEXTS]  # sample notes carry comments
    fast = [model.check(n) for n in notes]
    slow = model.check_many(notes)
    proba = model.predict_proba(notes)
    np.testing.assert_allclose([f.ad_probability for f in fast], np.round(proba, 6), rtol=0, atol=1.1e-6)
    assert [f.to_dict() for f in fast] == [s.to_dict() for s in slow]


def test_control_character_regex_matches_unicode_category():
    from model.text import _CONTROL_RE

    every = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    by_category = {ch for ch in every if unicodedata.category(ch) == "Cc" and ch not in "\n\t"}
    assert set(_CONTROL_RE.findall(every)) == by_category


def test_noise_shortcut_matches_the_category_rule():
    from model.tokenize import _is_noise

    for c in range(0, sys.maxunicode + 1, 7):
        ch = chr(c)
        assert _is_noise(ch + ch) == all(unicodedata.category(x)[0] in "PZC" for x in ch + ch), hex(c)


# -- settings and `notecheck serve` ------------------------------------------------------------------------
def test_settings_from_env_file_and_precedence(tmp_path, monkeypatch):
    file = tmp_path / "serve.toml"
    file.write_text("max_batch = 7\nmax_text_chars = 100\napi_keys = ['file-key-123456']\n", encoding="utf-8")
    monkeypatch.setenv("NOTECHECK_MAX_TEXT_CHARS", "50")
    s = load_settings(file)
    assert (s.max_batch, s.max_text_chars) == (7, 50)  # environment beats the file
    assert [k.get_secret_value() for k in s.api_keys] == ["file-key-123456"]
    monkeypatch.setenv("NOTECHECK_API_KEYS", "env-key-1234567, env-key-7654321")
    assert [k.get_secret_value() for k in load_settings(file).api_keys] == ["env-key-1234567", "env-key-7654321"]
    js = tmp_path / "serve.json"
    js.write_text(json.dumps({"max_batch": 3}), encoding="utf-8")
    assert load_settings(js).max_batch == 3


@pytest.mark.parametrize("value", [",", "env-key-1234567,,env-key-7654321", "env-key-1234567,"])
@pytest.mark.parametrize("name", ["NOTECHECK_API_KEYS", "NOTECHECK_MODERATOR_KEYS"])
def test_a_key_list_with_a_blank_entry_is_refused(monkeypatch, name, value):
    """NOTECHECK_API_KEYS="," read as no keys at all and started a server open to anyone, without a word; a blank
    entry between commas is refused, naming the setting and where (an empty value still means no keys)."""
    monkeypatch.setenv(name, value)
    field = name.removeprefix("NOTECHECK_").lower()
    with pytest.raises(
        InvalidParameterError,
        match=rf"setting '{field}' \(environment variable {name}\): a comma-separated list of keys",
    ):
        load_settings(None)
    monkeypatch.setenv(name, "")
    assert getattr(load_settings(None), field) == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"max_batch": ' + "[" * 100_000 + "]" * 100_000 + "}", "invalid JSON (nested too deeply"),
        ('{"max_batch": ' + "9" * 5000 + "}", "invalid JSON (a number of more than 4,300 digits)"),
        # read last-wins, the second would open the server to anyone (TOML refuses a repeat by itself)
        ('{"api_keys": ["key-1234567890"], "api_keys": []}', "the key 'api_keys' is given twice in one object"),
    ],
)
def test_a_json_settings_file_python_cannot_parse_is_named(tmp_path, content, message):
    """A RecursionError traceback, and a ValueError telling the user to call sys.set_int_max_str_digits()."""
    file = tmp_path / "bad.json"
    file.write_text(content, encoding="utf-8")
    with pytest.raises(InvalidParameterError, match=re.escape(f"settings file {file}: {message}")) as exc:
        load_settings(file)
    assert "set_int_max_str_digits" not in str(exc.value)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("max_batch = 0\n", "setting 'max_batch' (settings file {file}): Input should be greater than or equal to 1. Got 0"),
        ("max_batchh = 5\n", "setting 'max_batchh' (settings file {file}): Extra inputs are not permitted"),
        ("threshold = 0.2\nreview_threshold = 0.5\n", "setting 'review_threshold' (settings file {file}): must be <= "
         "the ad threshold, setting 'threshold' (settings file {file}) = 0.2. Got 0.5"),
        ("api_keys = ['short']\n", "setting 'api_keys' (settings file {file}): api_keys[0] must be at least 8 characters"),
        ("max_batch = \n", "expected valid TOML"),
    ],
)  # fmt: skip
def test_bad_settings_are_named(tmp_path, content, message):
    file = tmp_path / "bad.toml"
    file.write_text(content, encoding="utf-8")
    with pytest.raises(InvalidParameterError, match=re.escape(message.format(file=file))) as exc:
        load_settings(file)
    assert "'short'" not in str(exc.value)  # a key is never printed


def test_startup_fails_on_a_bad_model_dir(tmp_path):
    with (
        pytest.raises(ModelLoadError, match="no model_card.json"),
        TestClient(create_app(Settings(model_dir=tmp_path))),
    ):
        pass


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["serve", "--port", "0"], "--port must be between 1 and 65535. Got 0"),
        (["serve", "--workers", "0"], "--workers must be at least 1. Got 0"),
        (["serve", "--settings", "/nonexistent/serve.toml"], "no such file"),
    ],
)
def test_serve_command_rejects_bad_arguments(argv, message, capsys):
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_on_a_port_in_use_exits_2_before_loading_models(monkeypatch, capsys):
    """The README: usage errors exit 2. uvicorn would load the models, then exit 3."""
    import socket

    import uvicorn

    started = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: started.append(app))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--host", "127.0.0.1", "--port", str(port)]) == 2
    assert not started
    assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("env", "ok"), [({"NOTECHECK_REVIEW_THRESHOLD": "0.9"}, False), ({"NOTECHECK_THRESHOLD": "0.3"}, True)]
)
def test_serve_with_a_review_threshold_above_the_models_exits_2_before_starting(
    monkeypatch, capsys, sample_model_dir, env, ok
):
    """NOTECHECK_REVIEW_THRESHOLD above the model's ad threshold was found while uvicorn loaded the models:
    a lifespan traceback and uvicorn's exit 3. Now the setting is named first, exit 2, as for other settings."""
    import uvicorn

    from model.artifacts import read_card

    started = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: started.append(app))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code = main(["serve", "--host", "127.0.0.1", "--port", str(_free_port()), "--model", str(sample_model_dir)])
    err = capsys.readouterr().err
    if ok:  # an ad threshold below the model's review threshold lowers that one with it
        assert code == 0 and started and not err
        return
    threshold = read_card(sample_model_dir)["threshold"]
    assert code == 2 and not started
    assert err == (
        "error: setting 'review_threshold' (environment variable NOTECHECK_REVIEW_THRESHOLD) must be <= the model's "
        f"ad threshold {threshold}. Got 0.9 instead.\n"
    )


@pytest.mark.parametrize(
    ("setting", "other", "task", "expected"),
    [
        ("NOTECHECK_MODEL_DIR", "sentiment", "sentiment", "ad"),
        ("NOTECHECK_COMMENT_MODEL_DIR", "default", "ad", "sentiment"),
    ],
)
def test_serve_with_the_other_models_directory_exits_2_before_starting(monkeypatch, capsys, setting, other, task,
                                                                      expected):  # fmt: skip
    """The sentiment model named as the ad model (or the other way round) was a lifespan traceback, exit 3."""
    import uvicorn

    from model.artifacts import DEFAULT_MODEL_DIR

    started = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: started.append(app))
    directory = DEFAULT_MODEL_DIR.parent / other
    monkeypatch.setenv(setting, str(directory))
    assert main(["serve", "--host", "127.0.0.1", "--port", str(_free_port())]) == 2
    assert not started
    name = setting.removeprefix("NOTECHECK_").lower()
    assert capsys.readouterr().err == (
        f"error: setting '{name}' (environment variable {setting}): {directory}: model card task is {task!r}, expected {expected!r}.\n"
    )


@pytest.mark.parametrize("setting", ["NOTECHECK_MODEL_DIR", "NOTECHECK_COMMENT_MODEL_DIR"])
def test_serve_with_a_directory_that_holds_no_model_exits_2_before_starting(monkeypatch, capsys, tmp_path, setting):
    """A model directory without a model card (a typo'd path one level off) was a lifespan traceback, exit 3."""
    import uvicorn

    started = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: started.append(app))
    monkeypatch.setenv(setting, str(tmp_path))
    assert main(["serve", "--host", "127.0.0.1", "--port", str(_free_port())]) == 2
    assert not started
    name = setting.removeprefix("NOTECHECK_").lower()
    assert capsys.readouterr().err == (
        f"error: setting '{name}' (environment variable {setting}): {tmp_path}: no model_card.json; expected a notecheck model directory.\n"
    )


@pytest.mark.parametrize(("setting", "shipped"), [("NOTECHECK_MODEL_DIR", "default"),
                                                ("NOTECHECK_COMMENT_MODEL_DIR", "sentiment")])  # fmt: skip
@pytest.mark.parametrize(
    ("key", "value", "why"),
    [
        ("simplified_table_sha256", "0" * 64, r"trained reading traditional Chinese with the table of sha256 '0{64}'"),
        ("normalization_version", "16", r"trained with text normalisation version '16'"),
        ("format_version", 99, r"artifact format 99"),
    ],
    ids=["opencc-table", "normalisation", "format"],
)
def test_serve_with_a_model_it_cannot_load_exits_2_before_starting(monkeypatch, capsys, tmp_path, setting, shipped,
                                                                   key, value, why):  # fmt: skip
    """A model whose card records another OpenCC table (another OpenCC installed than the one it was trained with),
    normalisation or format was refused while uvicorn loaded the models: a lifespan traceback of 60 lines and
    uvicorn's exit 3. It is found with the model card, before uvicorn starts: one error line naming the setting,
    exit 2."""
    import uvicorn

    from model.artifacts import DEFAULT_MODEL_DIR

    started = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: started.append(app))
    directory = tmp_path / shipped
    shutil.copytree(DEFAULT_MODEL_DIR.parent / shipped, directory)
    card = json.loads((directory / "model_card.json").read_text(encoding="utf-8"))
    (directory / "model_card.json").write_text(json.dumps({**card, key: value}), encoding="utf-8")
    monkeypatch.setenv(setting, str(directory))
    assert main(["serve", "--host", "127.0.0.1", "--port", str(_free_port())]) == 2
    assert not started
    name = setting.removeprefix("NOTECHECK_").lower()
    err = capsys.readouterr().err
    where = f"environment variable {setting}"
    assert re.fullmatch(rf"error: setting '{name}' \({where}\): {re.escape(str(directory))}: {why}[^\n]*\n", err), err


def test_serve_with_the_shipped_model_and_another_opencc_exits_2_before_starting(monkeypatch, capsys):
    """The likeliest way to meet the table check: a newer OpenCC maps a character differently, and the shipped
    models (no setting names them) are refused."""
    import uvicorn

    import model.artifacts

    started = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: started.append(app))
    monkeypatch.setattr(model.artifacts, "TABLE_SHA256", "f" * 64)
    assert main(["serve", "--host", "127.0.0.1", "--port", str(_free_port())]) == 2
    assert not started
    err = capsys.readouterr().err
    assert err.startswith("error: setting 'model_dir': ") and "install the OpenCC the card names" in err
    assert err.count("\n") == 1


def test_serve_command_runs_uvicorn_with_the_app_factory(monkeypatch, tmp_path):
    import uvicorn

    seen = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(app=app, **kw))
    file = tmp_path / "s.toml"
    file.write_text("max_batch = 9\n", encoding="utf-8")
    port = _free_port()
    assert main(["serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2", "--settings", str(file)]) == 0
    assert seen["app"] == "serve.app:create_app" and seen["factory"] is True
    assert (seen["host"], seen["port"], seen["workers"]) == ("127.0.0.1", port, 2)
    assert load_settings().max_batch == 9  # workers read the same settings file from the environment


@pytest.mark.skipif(sys.platform != "linux", reason="Linux copies TCP_NODELAY from a listener to accepted sockets")
def test_serve_disables_nagle_on_the_workers_listener():
    """With --workers N uvicorn binds the listener itself (proto 0), so asyncio leaves Nagle's algorithm on and
    every keep-alive response waits for a delayed ACK (~40 ms); serve_app sets TCP_NODELAY on that listener."""
    import socket

    import uvicorn

    from serve.cmd_serve import _nodelay_listener

    original = uvicorn.Config.bind_socket
    config = uvicorn.Config("serve.app:create_app", factory=True, host="127.0.0.1", port=0, workers=2)
    with _nodelay_listener(uvicorn.Config):
        listener = config.bind_socket()
    assert uvicorn.Config.bind_socket is original
    with listener:
        listener.listen()
        with socket.create_connection(listener.getsockname()[:2]):
            accepted, _ = listener.accept()
            with accepted:
                assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1


def test_405_allows_every_method_of_the_path(client):
    """Starlette lists only the first matching route's methods; /v1/appeals has a POST route and a GET route."""
    r = client.request("PUT", "/v1/appeals", json={})
    assert r.status_code == 405
    assert set(r.headers["allow"].split(", ")) == {"GET", "POST"}


# -- the per-request budget ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def budget_client(make_settings, sentiment_dir):
    settings = make_settings(
        comment_model_dir=sentiment_dir, max_request_chars=3_000, max_request_comment_chars=2_500, model_chunk_chars=700
    )
    with TestClient(create_app(settings)) as c:
        yield c


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/check", {"text": "a", "comments": ["c" * 1000] * 2 + ["d" * 501]}),
        (
            "/v1/check/batch",
            {"notes": [{"text": "a", "comments": ["c" * 1000]}, {"text": "b", "comments": ["c" * 1501]}]},
        ),
        ("/v1/comments/score", {"comments": ["c" * 2501]}),
    ],
)
def test_requests_over_the_comment_budget_get_413_naming_it(budget_client, path, body):
    """Comments cost about five times more per character than note text (3.4 s for 200,000 characters of
    5,000-character comments): their own, smaller budget."""
    r = budget_client.post(path, json=body)
    assert r.status_code == 413, r.text
    assert r.json()["message"] == (
        "A request may hold at most 2500 characters of comments (max_request_comment_chars). Got 2501; send them "
        "in several requests."
    )


@pytest.mark.parametrize(
    ("path", "body", "chars"),
    [
        ("/v1/check/batch", {"notes": [{"text": "好" * 1000}] * 4}, 4000),
        ("/v1/check/batch", {"notes": [{"title": "t" * 500, "text": "x", "comments": ["c" * 1000] * 3}]}, 3501),
        ("/v1/check", {"text": "好" * 1000, "comments": ["c" * 1000] * 2 + [{"text": "d" * 1001}]}, 4001),
        ("/v1/comments/score", {"comments": ["c" * 1000] * 3 + ["d"]}, 3001),
        ("/v1/comments/score", {"comments": ["c" * 1000], "note_text": "好" * 2001}, 3001),  # the note's own text too
    ],
)
def test_requests_over_the_character_budget_get_413_naming_the_limit(budget_client, path, body, chars):
    """Each field within its own limit, the request as a whole over max_request_chars: refused before any model
    work (a 256-note batch of 5,000-character notes took 4.3 s and 800 MB of one model process)."""
    r = budget_client.post(path, json=body)
    assert r.status_code == 413, r.text
    assert r.json()["message"] == (
        f"A request may hold at most 3000 characters of titles, texts and comments (max_request_chars). Got {chars}; "
        "send them in several requests."
    )


@pytest.mark.parametrize("path", ["/v1/comments/score", "/v1/check"])
def test_a_comment_time_beyond_any_float_gets_422_naming_it(client, path):
    """`{"time": 10**400}` (a JSON integer) was a 500 Internal Server Error."""
    body = b'{"text": "a", "comments": [{"text": "x", "time": 1' + b"0" * 400 + b"}]}"
    if path == "/v1/comments/score":
        body = body.replace(b'"text": "a", ', b"", 1)
    r = client.post(path, content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["field"] == "comments[0].time"


@pytest.mark.parametrize("path", ["/v1/comments/score", "/v1/check"])
def test_a_like_count_beyond_any_count_gets_422_naming_it(client, path):
    """`{"likes": 10**400}` (a JSON integer) was a 500 Internal Server Error on /v1/comments/score."""
    body = b'{"text": "a", "comments": [{"text": "\xe5\xa5\xbd", "likes": 1' + b"0" * 400 + b"}]}"
    if path == "/v1/comments/score":
        body = body.replace(b'"text": "a", ', b"", 1)
    r = client.post(path, content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["field"] == "comments[0].likes"
    assert "9007199254740991" in r.json()["message"]
    assert r.json()["message"].endswith("Got int of 401 digits") and len(r.text) < 1000  # not every digit back
    schema = client.get("/openapi.json").json()["components"]["schemas"]["CommentIn"]["properties"]["likes"]
    assert any(alt.get("maximum") == 2**53 - 1 for alt in schema.get("anyOf", [schema]))


def test_note_text_over_a_notes_limits_gets_422_naming_it(client, app):
    """/v1/comments/score took a `note_text` (the note's title and text) of any length up to the 4 MiB body
    limit: 1.3 million characters, no error, uncounted in max_request_chars (0.8 s of water detection). It is
    held to the note's own limits: a title, a line break and a text."""
    s = app.state.settings
    limit = s.max_title_chars + 1 + s.max_text_chars
    r = client.post("/v1/comments/score", json={"comments": ["好看"], "note_text": "好" * (limit + 1)})
    assert r.status_code == 422, r.text
    assert r.json()["message"] == (
        f"field 'note_text': string must have at most {limit} characters (the server's limit). Got {limit + 1} "
        "characters"
    )
    assert client.post("/v1/comments/score", json={"comments": ["好看"], "note_text": "好" * limit}).status_code == 200
    schema = client.get("/openapi.json").json()["components"]["schemas"]["CommentsIn"]["properties"]["note_text"]
    assert schema["maxLength"] == limit


def test_a_batch_is_checked_in_parts_with_the_same_results(budget_client, client, monkeypatch):
    import serve.routes.check as check_route

    notes = [{"id": str(i), "title": n.get("title", "")[:20], "text": n["text"][:300]} for i, n in enumerate(NOTES[:8])]
    assert sum(len(n["title"]) + len(n["text"]) for n in notes) <= 3000
    calls = []
    real = check_route.run_model

    async def spy(request, fn, *args):
        calls.append(len(args[0]))
        return await real(request, fn, *args)

    monkeypatch.setattr(check_route, "run_model", spy)
    parted = budget_client.post("/v1/check/batch", json={"notes": notes})
    assert parted.status_code == 200, parted.text
    assert len(calls) > 1 and sum(calls) == len(notes)  # several parts of at most 700 characters (or one note)
    whole = client.post("/v1/check/batch", json={"notes": notes})
    assert parted.json() == whole.json()


@pytest.mark.parametrize("max_chars", [1, 10, 1000])
def test_chunk_jobs_keeps_order_and_bounds_each_part(max_chars):
    from serve.routes.check import chunk_jobs

    jobs = [({"title": "t" * (i % 3), "text": "x" * (i * 7 % 50), "comments": ["c" * i]}, 8) for i in range(40)]
    parts = chunk_jobs(jobs, max_chars)
    assert [j for part in parts for j in part] == jobs
    for part in parts:
        sizes = [len(n["title"]) + len(n["text"]) + len(n["comments"][0]) for n, _ in part]
        assert len(part) == 1 or sum(sizes) <= max_chars


def test_reasons_quote_the_writer_and_keep_the_spans_as_sent(client):
    """A reason's ``quotes`` and the declaration's ``quoted`` are what the writer is shown: a platform topic tag as
    typed ("#广告", not "#广告[话题]#"), each word once; the spans stay as sent."""
    from model.highlights.categories import quote_key, unmarked_tags

    note = {"title": "宜家买的书架", "text": "BILLY书架399块 billy #宜家[话题]# #装修日记[话题]# #广告[话题]#"}
    out = client.post("/v1/check", json=note).json()
    assert out["declared"]["text"] == "#广告[话题]#" and out["declared"]["quoted"] == "#广告"
    assert note[out["declared"]["field"]][out["declared"]["start"] : out["declared"]["end"]] == "#广告[话题]#"
    tags = [e for r in out["reasons"] for e in r["evidence"] if e["text"].endswith("[话题]#")]
    assert tags, out["reasons"]
    for r in out["reasons"]:
        assert r["quotes"] and not any("[话题]" in q for q in r["quotes"]), r
        shown = [unmarked_tags(e["text"]) for e in r["evidence"]]
        assert set(r["quotes"]) <= set(shown)
        assert len({quote_key(q) for q in r["quotes"]}) == len(r["quotes"])  # billy and BILLY once


@pytest.mark.parametrize(("value", "shown"), [(10**400, "int of 401 digits"), (-(10**300), "a negative int of 301 digits"),
                                              (12, "int 12"), (-3, "int -3")])  # fmt: skip
def test_a_huge_number_that_came_in_is_said_by_its_size(value, shown):
    from serve.app import _preview

    assert _preview(value) == shown
