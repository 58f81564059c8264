"""A note that declares itself an ad through the HTTP API: ``/v1/check`` and ``/v1/check/batch`` give the ``declared``
span and decide ``ad``; the OpenAPI document describes the field; an appeal keeps it for the moderator, and reporting
a declared note as an ad has nothing to dispute."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from model.highlights.categories import as_quoted
from serve.app import create_app
from serve.settings import Settings

#: (text, the declared words) and notes that declare nothing although they name ads.
DECLARED = [
    ("love this serum so much #ad", "#ad"),
    ("这个面霜真的好用 #广告[话题]#", "#广告[话题]#"),
    ("本篇笔记是广告，感谢品牌方的支持", "本篇笔记是广告"),
    ("🌸 emoji first, then #Sponsored", "#Sponsored"),  # offsets count code points, as the field was sent
]
UNDECLARED = ["不是广告，纯分享", "这篇是广告吗", "讨厌不标 #ad 的博主", "没有任何合作"]
CLIENT, MODERATOR = "client-key-123456", "moderator-key-abcdef"


@pytest.fixture(scope="module")
def client(sample_model_dir, tmp_path_factory):
    db = tmp_path_factory.mktemp("declared-db") / "appeals.db"
    settings = Settings(model_dir=sample_model_dir, model_processes=0, api_keys=[CLIENT], moderator_keys=[MODERATOR],
                        database_url=f"sqlite:///{db}", appeal_rate_limit=0)  # fmt: skip
    with TestClient(create_app(settings), headers={"X-API-Key": CLIENT}) as c:
        yield c


@pytest.mark.parametrize(("text", "words"), DECLARED)
def test_check_gives_the_declaration(client, sample_model, text, words):
    r = client.post("/v1/check", json={"text": text})
    assert r.status_code == 200, r.text
    out = r.json()
    start = text.index(words)
    span = {"field": "text", "start": start, "end": start + len(words), "text": words}
    assert out["declared"] == {**span, "quoted": as_quoted(words)}  # a platform tag quoted as typed: "#广告"
    assert out["decision"] == "ad"
    assert out["ad_probability"] == sample_model.check(text).ad_probability  # the model's own
    assert out["reasons"][0]["category"] == "disclosure" and out["reasons"][0]["evidence"][0] == span
    assert out["reasons"][0]["quotes"][0] == out["declared"]["quoted"]
    for h in out["highlights"]:
        assert text[h["start"] : h["end"]] == h["text"]
    # the words that decided are a highlight towards ad, whatever the model weighed them
    (mark,) = [
        h for h in out["highlights"] if h["start"] < out["declared"]["end"] and out["declared"]["start"] < h["end"]
    ]
    assert {k: mark[k] for k in span} == span
    assert mark["category"] == "disclosure" and mark["weight"] > 0
    assert f"“{as_quoted(words)}”" in out["advice"]["en"]  # a platform tag quoted as typed: “#广告”


@pytest.mark.parametrize("text", UNDECLARED)
def test_check_of_a_denial_or_a_question_declares_nothing(client, sample_model, text):
    out = client.post("/v1/check", json={"text": text}).json()
    assert out["declared"] is None
    assert out["decision"] == sample_model.check(text).decision


def test_batch_gives_each_note_its_own(client):
    notes = [{"text": t} for t, _ in DECLARED] + [{"text": t} for t in UNDECLARED]
    r = client.post("/v1/check/batch", json={"notes": notes})
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [x["declared"]["text"] if x["declared"] else None for x in results] == [w for _, w in DECLARED] + [
        None
    ] * len(UNDECLARED)
    assert all(x["decision"] == "ad" for x in results[: len(DECLARED)])


def test_the_field_is_in_the_api_document(client):
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    check = schemas["CheckOut"]
    assert "declared" in check["required"]  # always present: null when the thresholds decided
    assert check["properties"]["declared"]["anyOf"] == [{"$ref": "#/components/schemas/DeclaredOut"}, {"type": "null"}]
    assert set(schemas["DeclaredOut"]["required"]) == {"field", "start", "end", "text", "quoted"}
    assert "quotes" in schemas["ReasonOut"]["required"]
    assert "whatever ad_probability" in check["properties"]["declared"]["description"]
    weight = schemas["HighlightOut"]["properties"]["weight"]["description"]
    assert "declares itself an ad" in weight and "always towards 'ad'" in weight
    assert "declared" in schemas["ModelViewOut"]["properties"]
    assert "declared" not in schemas["NoteIn"]["properties"]  # an output, never an input


def test_an_appeal_keeps_the_declaration_for_the_moderator(client):
    note = {"text": DECLARED[0][0]}
    r = client.post("/v1/appeals", json={"note": note, "claimed_label": "genuine", "statement": "我在说别人的广告。"})
    assert r.status_code == 201, r.text
    # the span as sent, as the column keeps it (the check's quoted words are the span's text, quoted again)
    assert r.json()["model"]["declared"] == {"field": "text", "start": 24, "end": 27, "text": "#ad"}
    queue = client.get("/v1/appeals", headers={"X-API-Key": MODERATOR}).json()["appeals"]
    assert [a["model"]["declared"] for a in queue] == [r.json()["model"]["declared"]]


def test_reporting_a_declared_note_as_an_ad_has_nothing_to_dispute(client):
    r = client.post("/v1/appeals", json={"note": {"text": DECLARED[1][0]}, "claimed_label": "ad", "statement": "广告"})
    assert r.status_code == 409
    assert "declares itself an ad (“#广告”)" in r.json()["message"]  # the tag as the writer typed it
