"""The pages as HTTP sees them (serve.pages): hooks, languages, headers, no external references, offline /docs.
What a person sees in a browser is tested in test_ui_browser.py."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from model.highlights import CATEGORIES
from serve import pages
from serve.app import create_app
from serve.pages.routes import DOCS_ASSETS, DOCS_FILES, STATIC_URL
from serve.pages.strings import LANGS, table
from serve.settings import Settings

# Anything that would make the browser fetch from another host: absolute URLs in src/href/url()/import/fetch.
EXTERNAL = re.compile(r"""(?:src|href|action)\s*=\s*["']?(?:https?:)?//|url\(\s*["']?(?:https?:)?//|@import""", re.I)


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(Settings(model_processes=0))) as c:
        yield c


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Collect()
    parser.feed(html)
    return parser.tags


def test_writer_page_has_the_stable_hooks(client):
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    tags = _tags(r.text)
    names = {a.get("name") for t, a in tags if t in ("input", "textarea")}
    assert {"title", "text", "comments"} <= names
    (form,) = [a for t, a in tags if t == "form" and a.get("id") == "check-form"]
    assert form is not None
    submits = [a for t, a in tags if t == "button" and a.get("type") == "submit" and a.get("id") == "check"]
    assert len(submits) == 1
    assert any(t == "section" and a.get("id") == "result" for t, a in tags)
    assert '<html lang="zh-CN">' in r.text and "发布前自查" in r.text and ">检查<" in r.text


@pytest.mark.parametrize("path, script", [("/", "writer"), ("/moderate", "moderate"), ("/appeals/7", "appeal")])
def test_each_page_loads_its_own_script_module(client, path, script):
    tags = _tags(client.get(path).text)
    scripts = [a["src"] for t, a in tags if t == "script" and a.get("src")]
    assert scripts == [f"{STATIC_URL}/{script}.js"]
    assert client.get(scripts[0]).status_code == 200


def test_every_form_control_has_a_label(client):
    for path in ("/", "/moderate", "/appeals/42"):
        tags = _tags(client.get(path).text)
        labelled = {a.get("for") for t, a in tags if t == "label"}
        for tag, attrs in tags:
            if tag in ("input", "textarea", "select"):
                assert attrs.get("id") in labelled or attrs.get("aria-label"), (path, tag, attrs)


def test_english_is_one_query_away_and_chinese_is_the_default(client):
    en = client.get("/", params={"lang": "en"}).text
    assert '<html lang="en">' in en and "Check before you publish" in en and ">Check<" in en
    assert 'href="?lang=zh"' in en
    for odd in ("fr", "", "<script>"):
        assert '<html lang="zh-CN">' in client.get("/", params={"lang": odd}).text


def test_both_languages_have_every_word():
    zh, en = (table(lang) for lang in LANGS)
    assert zh.keys() == en.keys()
    assert all(zh[k].strip() and en[k].strip() for k in zh)
    assert {f"cat.{c}" for c in CATEGORIES} <= zh.keys()


def test_the_count_of_leaning_phrases_reads_right_for_one():
    """A genuine note with one faint phrase towards ad offered to "Also mark the 1 phrases towards ad"."""
    en = table("en")["show_ad_marks"]
    assert "{n}" in en
    for n in (1, 2):
        label = en.replace("{n}", str(n))
        assert f"{n} phrases" not in label and f"{n} phrase " not in label


@pytest.mark.parametrize("path", ["/", "/moderate", "/appeals/1"])
def test_pages_refuse_anything_not_from_this_server(client, path):
    r = client.get(path)
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self';" in csp and "frame-ancestors 'none'" in csp
    assert not EXTERNAL.search(r.text), EXTERNAL.search(r.text)


@pytest.mark.parametrize("asset", sorted(p.name for p in (Path(pages.__file__).parent / "static").iterdir()))
def test_static_assets_reference_nothing_external(client, asset):
    r = client.get(f"{STATIC_URL}/{asset}")
    assert r.status_code == 200
    assert not EXTERNAL.search(r.text)
    assert "fonts.googleapis" not in r.text and "cdn" not in r.text.lower()


def test_the_appeal_id_in_the_path_is_escaped(client):
    r = client.get("/appeals/%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E")
    assert r.status_code == 200
    assert "<img src=x" not in r.text and "&lt;img src=x onerror=alert(1)&gt;" in r.text


def test_docs_are_served_from_this_server(client):
    docs = client.get("/docs")
    assert docs.status_code == 200 and "SwaggerUIBundle" in docs.text
    assert not EXTERNAL.search(docs.text), EXTERNAL.search(docs.text)
    urls = re.findall(r"""(?:src|href)="([^"]+)\"""", docs.text)
    assert urls and all(u.startswith("/static/docs/") for u in urls)
    for url in urls:
        asset = client.get(url)
        assert asset.status_code == 200 and len(asset.content) > 1000, url
    assert '"validatorUrl": null' in docs.text  # no badge asking the public validator about our schema
    assert client.get("/redoc").status_code == 404  # ReDoc's bundle fetches its logo from a CDN
    assert client.get("/static/docs/redoc.standalone.js").status_code == 404
    assert client.get("/static/docs/..%2F__init__.py").status_code == 404
    assert client.get("/docs/oauth2-redirect").status_code == 200
    assert client.get("/openapi.json").status_code == 200


def test_docs_assets_come_from_the_installed_package():
    assert set(DOCS_FILES) <= {p.name for p in DOCS_ASSETS.iterdir()}


def test_pages_are_not_in_the_api_document(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert not {"/", "/moderate", "/appeals/{appeal_id}", "/docs"} & paths.keys()


def test_the_appeal_button_comes_with_the_appeals_api(client):
    has_appeals = "/v1/appeals" in client.get("/openapi.json").json()["paths"]
    assert ('id="appeal-open"' in client.get("/").text) == has_appeals


def test_key_field_only_when_the_server_has_keys():
    with TestClient(create_app(Settings(model_processes=0))) as open_server:
        assert 'name="api_key"' not in open_server.get("/").text
    with TestClient(create_app(Settings(model_processes=0, api_keys=["k" * 12]))) as locked:
        page = locked.get("/")
        assert page.status_code == 200  # the page itself is public; the API it calls needs the key
        assert 'name="api_key"' in page.text
        assert locked.post("/v1/check", json={"text": "hi"}).status_code == 401


@pytest.mark.parametrize("asset", ["common.js", "writer.js", "app.css"])
def test_the_pages_assets_are_checked_with_the_server_before_each_use(client, asset):
    """The modules import each other by plain URL: a browser keeping one from an older deploy beside a newer one
    broke the page, so each use asks the server (a 304 while unchanged)."""
    first = client.get(f"/static/pages/{asset}")
    assert first.status_code == 200 and first.headers["cache-control"] == "no-cache"
    again = client.get(f"/static/pages/{asset}", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
