"""The pages in a real headless Chromium (Debian's chromium + chromium-driver, driven by Selenium), against a real
``notecheck serve`` on a loopback port: what a writer and a moderator see and do.

Nothing downloads a browser: the system's chromium and chromedriver are used, or the tests skip saying why.
Screenshots (desktop and 375 px) and the measured numbers (first-load bytes, click-to-highlights milliseconds) are
written to runs/ui/ for people to look at.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import signal
import statistics
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLES

from tests.server_support import alive, die_with_parent, python_child, running_server

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install -e '.[dev]')")
from selenium.common.exceptions import TimeoutException  # noqa: E402
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

CHROMIUM = next((p for p in map(shutil.which, ("chromium", "chromium-browser")) if p), None)
CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None,
    reason="no system Chromium and chromedriver (Debian: apt-get install chromium chromium-driver; .ci/run does it)",
)

OUT = ROOT / "runs" / "ui"
MODERATOR_KEY = "moderator-key-for-the-ui-test"
CLIENT_KEY = "client-key-for-the-ui-test"
NOTES = {n["id"]: n for n in map(json.loads, (SAMPLES / "notes.jsonl").read_text(encoding="utf-8").splitlines())}
# A milk-tea shop's opening offer (an emoji before its price words: highlight offsets count code points) and a
# first solo trip: an ad and a diary the shipped model is far from unsure about (p ≈ 0.89 and ≈ 0.02).
AD = NOTES["s002"]
DIARY = NOTES["s019"]
FIRST_LOAD_LIMIT = 100 * 1024
DESKTOP = (1280, 900)
PHONE = 375


# -- the server and the browser ----------------------------------------------------------------------------------
# Chromium started through this launcher dies with chromedriver (so with pytest, see die_with_parent): the death
# signal set here survives exec; Chromium's own helper processes end with it.
LAUNCHER = """#!{python}
import ctypes, os, signal, sys
parent = os.getppid()
ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
if os.getppid() != parent:  # the parent died before the line above took effect
    sys.exit(1)
os.execv({chromium!r}, [{chromium!r}, *sys.argv[1:]])
"""


def _serve(work: Path, **settings: str):
    """``notecheck serve`` on a free loopback port with these NOTECHECK_* settings (and no others); its base URL
    and API paths once /readyz answers, until the generator is closed."""
    import httpx

    env = {
        "NOTECHECK_MODERATOR_KEYS": MODERATOR_KEY,
        "NOTECHECK_DATABASE_URL": f"sqlite:///{work / 'appeals.db'}",
        "NOTECHECK_MODEL_PROCESSES": "1",
        **settings,
    }
    log = work / "server.log"
    with running_server(env, log) as (base, _):
        paths = httpx.get(f"{base}/openapi.json", timeout=10).json()["paths"]
        yield {"base": base, "paths": paths, "log": log}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    yield from _serve(tmp_path_factory.mktemp("ui-server"))


def start_browser(work: Path):
    """Headless Chromium driven by chromedriver, both the system's, both ending with this process however it ends
    (Linux); its profile and launcher under ``work``."""
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    launcher = work / "chromium"
    launcher.write_text(LAUNCHER.format(python=sys.executable, chromium=CHROMIUM), encoding="utf-8")
    launcher.chmod(0o755)
    options = Options()
    # the system browser (through the launcher); with the driver's path given too, Selenium Manager never looks
    # anything up or downloads anything
    options.binary_location = str(launcher) if sys.platform == "linux" else CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={work / 'profile'}",
        f"--window-size={DESKTOP[0]},{DESKTOP[1]}",
        # Nothing but loopback resolves: a page that tried to reach another host would fail, and be caught below.
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    popen = {"preexec_fn": die_with_parent} if sys.platform == "linux" else {}
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER, popen_kw=popen))
    driver.set_page_load_timeout(60)
    return driver


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    driver = start_browser(tmp_path_factory.mktemp("chromium"))
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def report():
    """Numbers measured by the tests, written to runs/ui/metrics.json at the end of the module."""
    numbers: dict[str, object] = {}
    yield numbers
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "metrics.json").write_text(json.dumps(numbers, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nUI numbers ({OUT / 'metrics.json'}): {json.dumps(numbers, ensure_ascii=False)}")


@pytest.fixture
def page(browser, server):
    """The browser with a clean slate for one test (desktop size, no stored keys, request log drained)."""
    _viewport(browser, *DESKTOP)
    browser.get(server["base"] + "/healthz")
    browser.execute_script("sessionStorage.clear()")
    _requests(browser)  # drain
    yield browser
    # Script errors fail the test; HTTP errors the page was meant to meet (a wrong key's 403) are logged by the
    # browser as "network" entries, and what the page shows for them is asserted by the tests.
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE" and e.get("source") != "network"]
    assert not errors, errors


# -- helpers --------------------------------------------------------------------------------------------------
def _viewport(driver, width: int, height: int) -> None:
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 500},
    )


def _requests(driver) -> list[str]:
    """URLs the browser asked for since the last call (from Chrome's performance log)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def _assert_local(urls: list[str], base: str) -> None:
    foreign = [u for u in urls if not (u.startswith(base + "/") or u == base or u.startswith(("data:", "blob:")))]
    assert not foreign, f"requests that left the server: {foreign}"


def _screenshot(driver, name: str, width: int) -> Path:
    """A full-page PNG at ``width`` CSS pixels wide."""
    OUT.mkdir(parents=True, exist_ok=True)
    _viewport(driver, width, 800)
    height = driver.execute_script("return Math.ceil(document.documentElement.scrollHeight)")
    _viewport(driver, width, max(600, min(height, 6000)))
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": False})
    path = OUT / f"{name}.png"
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


def _wait(driver, condition, timeout: float = 30, message: str = ""):
    return WebDriverWait(driver, timeout).until(condition, message)


def _check(driver, note: dict) -> dict:
    """Type the note's title and text, press Check, wait for the result; what the page shows."""
    title = driver.find_element(By.NAME, "title")
    text = driver.find_element(By.NAME, "text")
    for field, value in ((title, note.get("title", "")), (text, note["text"])):
        field.clear()
        # send_keys types character by character; paste-like assignment plus an input event is what a paste does
        driver.execute_script(
            "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input'));", field, value
        )
    driver.execute_script("performance.clearMarks(); performance.clearMeasures();")
    previous = driver.execute_script("return document.getElementById('result').dataset.decision || null")
    driver.execute_script("document.getElementById('result').removeAttribute('data-decision')")
    driver.find_element(By.CSS_SELECTOR, "#check-form button[type=submit]").click()
    _wait(driver, lambda d: d.find_element(By.ID, "result").get_attribute("data-decision"), message="no result")
    del previous
    return _shown(driver)


def _shown(driver) -> dict:
    result = driver.find_element(By.ID, "result")
    marks = result.find_elements(By.CSS_SELECTOR, "#note-view mark")
    return {
        "decision": result.get_attribute("data-decision"),
        "words": driver.find_element(By.ID, "decision").text,
        "gauge": driver.find_element(By.CSS_SELECTOR, "#gauge .gauge-text").text,
        "marks": [
            {"text": m.text, "weight": float(m.get_attribute("data-weight")), "title": m.get_attribute("title")}
            for m in marks
        ],
        "reasons": [li.text for li in result.find_elements(By.CSS_SELECTOR, "#reasons li")],
        "advice": driver.find_element(By.ID, "advice").text,
        "check_ms": driver.execute_script(
            "const m = performance.getEntriesByName('notecheck:check'); return m.length ? m[0].duration : null"
        ),
    }


def _api_check(server, note: dict) -> dict:
    import httpx

    return httpx.post(server["base"] + "/v1/check", json={"title": note["title"], "text": note["text"]}).json()


# -- the writer's page ----------------------------------------------------------------------------------------
def test_first_load_is_small_and_never_leaves_the_server(browser, server, report):
    browser.execute_cdp_cmd("Network.enable", {})
    browser.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
    try:
        _requests(browser)
        browser.get(server["base"] + "/")
        _wait(browser, lambda d: d.execute_script("return document.readyState") == "complete")
        sizes = browser.execute_script(
            "return [performance.getEntriesByType('navigation')[0], ...performance.getEntriesByType('resource')]"
            ".map(e => [e.name, e.transferSize, e.decodedBodySize])"
        )
        urls = _requests(browser)
    finally:
        browser.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": False})
    _assert_local(urls, server["base"])
    total = sum(transfer for _, transfer, _ in sizes)
    report["first_load_bytes"] = total
    report["first_load_files"] = {name.removeprefix(server["base"]): transfer for name, transfer, _ in sizes}
    assert len(sizes) >= 3 and all(transfer > 0 for _, transfer, _ in sizes), sizes  # really fetched, not cached
    assert total <= FIRST_LOAD_LIMIT, sizes


def test_an_ad_is_flagged_with_its_ad_phrases_highlighted(page, server, report):
    page.get(server["base"] + "/")
    shown = _check(page, AD)
    assert shown["decision"] == "ad" and shown["words"] == "可能被判为广告"
    assert "广告概率" in shown["gauge"] and "%" in shown["gauge"]
    assert shown["reasons"], "no reasons shown"
    towards_ad = [m for m in shown["marks"] if m["weight"] > 0]
    assert towards_ad, shown["marks"]
    # every highlight the API sent is on the page, over exactly its words (an emoji precedes some in the title)
    api = _api_check(server, AD)
    assert sorted(m["text"] for m in shown["marks"]) == sorted(h["text"] for h in api["highlights"])
    assert all(
        m["title"].startswith(_zh_category(h["category"]))
        for m, h in zip(
            sorted(shown["marks"], key=lambda m: (m["text"], m["weight"])),
            sorted(api["highlights"], key=lambda h: (h["text"], h["weight"])),
            strict=True,
        )
    )
    assert api["advice"]["zh"] in shown["advice"]
    assert not page.find_element(By.ID, "show-ad-marks").is_displayed()  # all of them are marked already
    times = [shown["check_ms"]]
    for _ in range(4):  # click-to-highlights, a few times (the first includes warming the server's caches)
        times.append(_check(page, AD)["check_ms"])
    report["click_to_highlights_ms"] = {
        "median": round(statistics.median(times), 1),
        "all": [round(t, 1) for t in times],
    }
    _screenshot(page, "writer-ad-desktop", DESKTOP[0])
    _screenshot(page, "writer-ad-375", PHONE)


def _zh_category(code: str) -> str:
    from model.highlights import CATEGORIES

    return CATEGORIES.get(code, (code,))[0]


def test_a_diary_reads_as_genuine_with_nothing_marked_towards_ad(page, server):
    page.get(server["base"] + "/")
    shown = _check(page, DIARY)
    assert shown["decision"] == "genuine" and shown["words"] == "看起来是真实分享"
    assert not [m for m in shown["marks"] if m["weight"] > 0], shown["marks"]
    assert [m for m in shown["marks"] if m["weight"] < 0], "nothing marked towards genuine"
    assert not page.find_element(By.ID, "advice").is_displayed()
    _screenshot(page, "writer-diary-desktop", DESKTOP[0])
    # The phrases leaning towards ad are there on request, every one the API found; so are the reasons towards ad
    # (listed while their marks were hidden, they told an honest writer "偏向广告 用词 …" of a genuine note)
    sent = _api_check(server, DIARY)
    leaning = [h for h in sent["highlights"] if h["weight"] > 0]
    reasons_ad = [r for r in sent["reasons"] if r["direction"] == "ad"]
    assert not [line for line in shown["reasons"] if line.startswith("偏向广告")], shown["reasons"]
    show = page.find_element(By.ID, "show-ad")
    if leaning:
        assert str(len(leaning)) in page.find_element(By.CSS_SELECTOR, "label[for=show-ad]").text
        show.send_keys(Keys.SPACE)
        now = _shown(page)
        assert sorted(m["text"] for m in now["marks"] if m["weight"] > 0) == sorted(h["text"] for h in leaning)
        assert len([line for line in now["reasons"] if line.startswith("偏向广告")]) == len(reasons_ad) > 0
    else:
        assert not show.is_displayed()
    appeal = page.find_elements(By.ID, "appeal")
    assert not appeal or not appeal[0].is_displayed()  # nothing to appeal


def test_a_note_that_declares_itself_an_ad_says_so(page, server):
    """The declaration decides, and the page says so and marks it as what decided, though the model weighs "#ad"
    towards genuine."""
    page.get(server["base"] + "/")
    shown = _check(page, {"title": "", "text": "love this serum so much #ad"})
    assert shown["decision"] == "ad"
    declared = page.find_element(By.ID, "declared")
    assert declared.is_displayed() and "这条笔记自己声明是广告：“#ad”" in declared.text
    (mark,) = page.find_elements(By.CSS_SELECTOR, "#note-view mark.declared")
    assert mark.text == "#ad" and "ad" in mark.get_attribute("class").split()
    assert shown["reasons"][0].startswith("偏向广告 合作披露")
    assert "“#ad”" in shown["advice"]
    page.get(server["base"] + "/")
    _check(page, {"title": "", "text": "不是广告，纯分享，用了一年的面霜"})
    assert not page.find_element(By.ID, "declared").is_displayed()


def test_a_platform_topic_tag_is_quoted_as_typed_and_marked_as_sent(page, server):
    """The reasons quote "#宜家", as the writer typed it; the note view marks the tag as it was sent."""
    page.get(server["base"] + "/")
    note = {"title": "宜家买的书架", "text": "BILLY书架，399块，装了三小时 #宜家[话题]# #装修日记[话题]#"}
    shown = _check(page, note)
    assert shown["reasons"] and not any("[话题]" in line for line in shown["reasons"]), shown["reasons"]
    assert any("“#宜家”" in line or "“#装修日记”" in line for line in shown["reasons"]), shown["reasons"]
    view = page.find_element(By.ID, "note-view").get_attribute("textContent")
    assert "#宜家[话题]#" in view


def test_the_page_quotes_what_the_server_quotes(page, server):
    """The page has no quoting rule of its own: each reason's quotes are the API's ``quotes`` (a tag as typed, a
    tag whose name holds a space whole, a word in two cases once), and the declaration its ``quoted``."""
    page.get(server["base"] + "/")
    note = {
        "title": "宜家买的书架",
        "text": "BILLY书架399块 billy #宜家[话题]# #dior 999[话题]# 加VX abc12345 #广告[话题]#",
    }
    shown = _check(page, note)
    sent = _api_check(server, note)
    assert sent["declared"]["quoted"] == "#广告"
    assert "“#广告”" in page.find_element(By.ID, "declared").text
    assert len(shown["reasons"]) == len(sent["reasons"])
    for line, reason in zip(shown["reasons"], sent["reasons"], strict=True):
        quotes = re.findall("“(.*?)”", line)
        assert quotes == reason["quotes"][:5], (line, reason)


def test_a_bidi_override_in_the_note_stays_inside_its_quote(page, server):
    """A right-to-left override (U+202E) inside a highlighted phrase reversed the rest of its reason line, the
    weight included: every quote of the writer's text is isolated (<bdi>, and marks and the note block isolate),
    and a quote leaves out the invisible characters the model reads past (the advice, plain text, has no <bdi>),
    while the note's own text, highlights included, keeps the override as sent."""
    page.get(server["base"] + "/")
    shown = _check(page, {"title": "", "text": "加v\u202ex领券，原价199现价99，链接在主页"})
    assert shown["decision"] == "ad"
    items = page.find_elements(By.CSS_SELECTOR, "#reasons li")
    quotes = [q.get_attribute("textContent") for li in items for q in li.find_elements(By.TAG_NAME, "bdi")]
    assert len(quotes) == sum(li.text.count("“") for li in items) > 0
    assert any("加vx" in q for q in quotes) and not any("\u202e" in q for q in quotes)  # quoted as read
    assert "\u202e" in page.find_element(By.ID, "note-view").get_attribute("textContent")  # the text as sent
    isolate = "return getComputedStyle(arguments[0]).unicodeBidi"
    for element in [page.find_element(By.ID, "note-view"), *page.find_elements(By.CSS_SELECTOR, "#note-view mark")]:
        assert page.execute_script(isolate, element) == "isolate"


def test_a_bidi_override_closed_inside_a_highlight_reverses_nothing_around_it(page, server):
    """An override opened in the writer's text and closed inside a mark (an isolate) was never closed for the text
    around it: "加\u202e信微\u202c：abc123，今天…" showed the whole note reversed to a moderator. Every piece of the
    note holding a bidi control is isolated, so the override reaches no further than its own piece."""
    page.get(server["base"] + "/")
    text = "加\u202e信微\u202c：abc123，今天天气很好，我们去公园散步了，晚上吃了火锅。"
    _check(page, {"title": "", "text": text})
    view = page.find_element(By.ID, "note-view")
    assert text in view.get_attribute("textContent")  # as sent
    pieces = page.execute_script(
        """const out = [];
        const walk = document.createTreeWalker(arguments[0], NodeFilter.SHOW_TEXT);
        while (walk.nextNode()) {
          const node = walk.currentNode;
          if (/[\u202a-\u202e\u2066-\u2069]/.test(node.data)) {
            out.push([node.parentElement.tagName, getComputedStyle(node.parentElement).unicodeBidi]);
          }
        }
        return out;""",
        view,
    )
    assert len(pieces) == 2 and {b for _, b in pieces} == {"isolate"}, pieces
    assert "SPAN" in {tag for tag, _ in pieces}, pieces  # a plain piece, not only a mark


def test_a_text_over_the_servers_limit_gets_advice_in_the_pages_language_and_sends_nothing(page, server):
    """A text over the server's limit was answered by the server's own error, in English on the Chinese page."""
    page.get(server["base"] + "/")
    _requests(page)
    text = page.find_element(By.NAME, "text")
    limit = int(text.get_attribute("data-max"))
    page.execute_script("arguments[0].value = arguments[1];", text, "好" * (limit + 1))
    page.find_element(By.ID, "check").click()
    error = page.find_element(By.ID, "check-error")
    assert error.is_displayed() and error.text == f"正文最多 {limit} 字，现在是 {limit + 1} 字。"
    assert not [u for u in _requests(page) if "/v1/" in u]
    assert page.switch_to.active_element.get_attribute("name") == "text"
    page.find_element(By.ID, "lang-toggle").click()
    assert error.text == f"The text can be {limit} characters at most; it has {limit + 1}."


def test_an_empty_draft_gets_advice_and_sends_nothing(page, server):
    page.get(server["base"] + "/")
    _requests(page)
    page.find_element(By.NAME, "text").send_keys("   ")
    page.find_element(By.ID, "check").click()
    error = page.find_element(By.ID, "check-error")
    assert error.is_displayed() and error.text == "请先粘贴或输入标题或正文。"
    assert page.switch_to.active_element.get_attribute("name") == "text"
    assert not [u for u in _requests(page) if "/v1/" in u]
    assert not page.find_element(By.ID, "result").is_displayed()
    # the advice follows the language toggle, as the rest of the page does (it stayed in Chinese)
    page.find_element(By.ID, "lang-toggle").click()
    assert error.text == "Paste or type a title or the text first."


@pytest.mark.parametrize(
    ("why", "title", "break_fetch", "said"),
    [
        pytest.param("422", "很" * 1001, False, "提交的内容有一处不符合要求", id="422-title-too-long"),
        pytest.param("page's limit", "很" * 1001, False, "标题最多 1000 字，现在是 1001 字", id="title-over-the-limit"),
        pytest.param("network", "周末去哪儿", True, "无法连接服务器", id="network-error"),
        pytest.param("empty draft", "", False, "请先粘贴或输入标题或正文", id="empty-draft"),
    ],
)
def test_a_failed_check_takes_the_previous_result_off_the_page(page, server, why, title, break_fetch, said):
    """The result of the last check stayed on screen under the error of a new one, as if it were the new text's
    verdict (and could be appealed as such): a check that fails clears it and shows only the error."""
    page.get(server["base"] + "/")
    assert _check(page, AD)["decision"] == "ad"
    if break_fetch:  # as when the server cannot be reached: fetch rejects
        page.execute_script("window.fetch = () => Promise.reject(new TypeError('Failed to fetch'))")
    if why == "422":  # the server's own answer: the page's check of the limit taken away
        page.execute_script("document.querySelectorAll('[data-max]').forEach((e) => e.removeAttribute('data-max'))")
    page.execute_script(
        "arguments[0].value = arguments[1]; arguments[1] || (arguments[2].value = '')",
        page.find_element(By.NAME, "title"),
        title,
        page.find_element(By.NAME, "text"),
    )
    page.find_element(By.ID, "check").click()
    error = _wait(page, lambda d: d.find_element(By.ID, "check-error").is_displayed() and d.find_element(By.ID, "check-error"),
                  message=f"no error shown for the {why}")  # fmt: skip
    assert said in error.text
    result = page.find_element(By.ID, "result")
    assert not result.is_displayed() and result.get_attribute("data-decision") is None
    # the language toggle must not draw the old result again
    page.find_element(By.ID, "lang-toggle").click()
    assert not page.find_element(By.ID, "result").is_displayed()


def test_a_title_only_draft_is_checked(page, server):
    """An image note may have a title and no text, as the API allows; the page checks it instead of asking for
    text."""
    page.get(server["base"] + "/")
    note = {"title": "加vx领券｜平价面霜", "text": ""}
    shown = _check(page, note)
    assert shown["decision"] == _api_check(server, note)["decision"]
    assert not page.find_element(By.ID, "check-error").is_displayed()


def test_english_toggle_switches_in_place_and_keeps_the_draft(page, server):
    page.get(server["base"] + "/")
    _check(page, AD)
    toggle = page.find_element(By.ID, "lang-toggle")
    toggle.send_keys(Keys.ENTER)  # by keyboard
    _wait(page, lambda d: d.find_element(By.ID, "decision").text == "Likely to be flagged as an ad")
    assert page.execute_script("return document.documentElement.lang") == "en"
    assert page.find_element(By.NAME, "text").get_attribute("value") == AD["text"]
    assert page.find_element(By.CSS_SELECTOR, "#check-form button[type=submit]").text == "Check"
    assert "Ad probability" in page.find_element(By.CSS_SELECTOR, "#gauge .gauge-text").text
    assert "lang=en" in page.current_url
    _screenshot(page, "writer-ad-desktop-en", DESKTOP[0])
    page.find_element(By.ID, "lang-toggle").click()
    _wait(page, lambda d: d.find_element(By.ID, "decision").text == "可能被判为广告")


def test_usable_at_375_px_wide(page, server):
    _viewport(page, PHONE, 812)
    page.get(server["base"] + "/")
    shown = _check(page, AD)
    assert shown["decision"] == "ad"
    overflow = page.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow} px at {PHONE} px"
    for selector in ("#check-form button[type=submit]", "[name=text]", "#decision", "#gauge"):
        rect = page.execute_script(
            "const r = document.querySelector(arguments[0]).getBoundingClientRect(); return [r.left, r.right]",
            selector,
        )
        assert 0 <= rect[0] < rect[1] <= PHONE, (selector, rect)


def test_keyboard_only(page, server):
    """Tab reaches the fields in order, Enter on Check checks, and a highlight takes focus and shows its tooltip."""
    page.get(server["base"] + "/")
    order = []
    typed = {"title": AD["title"], "text": AD["text"][:60]}
    keys = ActionChains(page)  # keys go to whatever has focus, as on a keyboard
    for _ in range(12):
        keys.send_keys(Keys.TAB).perform()
        active = page.switch_to.active_element
        name = active.get_attribute("name") or active.get_attribute("id") or active.tag_name
        order.append(name)
        if name in typed:
            keys.send_keys(typed[name]).perform()
        if name == "check":
            keys.send_keys(Keys.ENTER).perform()
            break
    assert order.index("title") < order.index("text") < order.index("check"), order
    _wait(page, lambda d: d.find_element(By.ID, "result").get_attribute("data-decision"))
    assert page.find_element(By.NAME, "title").get_attribute("value") == AD["title"]
    marks = page.find_elements(By.CSS_SELECTOR, "#note-view mark")
    if marks:
        assert all(m.get_attribute("tabindex") == "0" for m in marks)
        page.execute_script("arguments[0].focus()", marks[0])
        tip = page.execute_script("return getComputedStyle(document.activeElement, '::after').content", marks[0])
        assert marks[0].get_attribute("title") in tip
    # Ctrl+Enter in the text checks again
    page.execute_script("document.getElementById('result').removeAttribute('data-decision')")
    page.find_element(By.NAME, "text").send_keys(Keys.CONTROL, Keys.ENTER)
    _wait(page, lambda d: d.find_element(By.ID, "result").get_attribute("data-decision"), message="Ctrl+Enter")
    assert page.find_element(By.NAME, "text").get_attribute("value") == AD["text"][:60]  # no newline added
    unlabelled = page.execute_script(
        """return [...document.querySelectorAll('input, textarea, select, button')]
             .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.textContent.trim())
             .map(e => e.outerHTML)"""
    )
    assert not unlabelled


def test_docs_work_offline(page, server):
    page.get(server["base"] + "/docs")
    try:
        _wait(page, lambda d: "notecheck" in d.find_element(By.CSS_SELECTOR, ".swagger-ui .info .title").text)
    except TimeoutException:
        pytest.fail("Swagger UI did not render the API's title")
    assert page.find_elements(By.CSS_SELECTOR, ".opblock"), "no operations shown"
    _viewport(page, *DESKTOP)
    shot = page.execute_cdp_cmd("Page.captureScreenshot", {"format": "png"})  # the top of it is enough
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "docs-desktop.png").write_bytes(base64.b64decode(shot["data"]))
    _assert_local(_requests(page), server["base"])


# -- appeals: the writer files one, a moderator resolves it, the writer sees it ----------------------------------
def _appeal_from_page(page, base: str, statement: str, submit) -> tuple[str, str]:
    """Check the ad note on the writer's page, open the appeal form, type ``statement``, call ``submit``; the
    status URL and id of the appeal the page then shows."""
    page.get(base + "/")
    assert _check(page, AD)["decision"] == "ad"
    page.find_element(By.ID, "appeal-open").click()
    page.find_element(By.NAME, "statement").send_keys(statement)
    submit()
    link = _wait(page, lambda d: d.find_element(By.ID, "appeal-link"), message="no status link after the appeal")
    status_url = link.get_attribute("href")
    return status_url, status_url.rstrip("/").split("/")[-1].split("?")[0]


def test_appeal_from_writer_to_moderator_and_back(page, server, report):
    if "/v1/appeals" not in server["paths"]:
        pytest.skip("the appeals API (/v1/appeals, issue 13) is not in this server yet")
    base = server["base"]
    statement = "这是我自己开的小店，我在记录开业的心情。"

    def press():
        page.find_element(By.CSS_SELECTOR, "#appeal-form button[type=submit]").click()

    status_url, appeal_id = _appeal_from_page(page, base, statement, press)
    assert "待处理" in page.find_element(By.ID, "appeal-filed").text
    _screenshot(page, "writer-appealed-375", PHONE)
    _viewport(page, *DESKTOP)

    page.get(status_url)
    _wait(page, lambda d: d.find_element(By.ID, "appeal-status").get_attribute("data-status") == "open")

    page.get(base + "/moderate")
    page.find_element(By.NAME, "moderator_key").send_keys("not-the-key" + Keys.ENTER)
    _wait(page, lambda d: d.find_element(By.ID, "queue-error").is_displayed(), message="a wrong key was accepted")
    key = page.find_element(By.NAME, "moderator_key")
    key.clear()
    key.send_keys(MODERATOR_KEY + Keys.ENTER)
    item = _wait(page, lambda d: d.find_element(By.CSS_SELECTOR, f"[data-appeal-id='{appeal_id}']"))
    assert statement in item.text and AD["text"][:10] in item.text
    _screenshot(page, "moderate-desktop", DESKTOP[0])
    _screenshot(page, "moderate-375", PHONE)
    _viewport(page, *DESKTOP)
    item = page.find_element(By.CSS_SELECTOR, f"[data-appeal-id='{appeal_id}']")
    item.find_element(By.NAME, "resolution_note").send_keys("店主记录开业，非推广")
    item.find_element(By.CSS_SELECTOR, "button.overturn").click()
    _wait(page, lambda d: not d.find_elements(By.CSS_SELECTOR, f"[data-appeal-id='{appeal_id}']"))
    assert appeal_id in page.find_element(By.ID, "queue-status").text

    page.get(status_url)
    status = _wait(page, lambda d: d.find_element(By.ID, "appeal-status").get_attribute("data-status") == "overturned")
    assert status
    assert page.find_element(By.ID, "appeal-status").text == "已改判（真实分享）"
    assert "店主记录开业，非推广" in page.find_element(By.ID, "appeal-details").text
    _screenshot(page, "appeal-status-375", PHONE)


def test_an_appeal_sent_twice_is_filed_once(page, server):
    """Two presses of the appeal button before the first answer (a slow network) send one Idempotency-Key: the
    moderators see one appeal, and the page shows it."""
    import httpx

    base = server["base"]
    statement = "按了两次申诉按钮，这是同一次申诉。"
    twice = "const f = document.getElementById('appeal-form'); f.requestSubmit(); f.requestSubmit();"
    _, appeal_id = _appeal_from_page(page, base, statement, lambda: page.execute_script(twice))
    listed = httpx.get(base + "/v1/appeals?status=all&limit=1000", headers={"X-API-Key": MODERATOR_KEY}, timeout=30)
    mine = [a["id"] for a in listed.json()["appeals"] if a["statement"] == statement]
    assert mine == [appeal_id]


def test_a_moderators_unsent_notes_survive_another_resolution_and_the_language_toggle(page, server):
    """A moderator typing a note on one appeal, who first resolved another, lost the typed note: the queue was
    drawn again from scratch after each resolution (and on the language toggle), every note field empty."""
    import httpx

    if "/v1/appeals" not in server["paths"]:
        pytest.skip("the appeals API (/v1/appeals, issue 13) is not in this server yet")
    base = server["base"]
    note = {"title": AD["title"], "text": AD["text"]}
    ids = []
    for statement in ("第一条申诉", "第二条申诉"):
        filed = httpx.post(
            base + "/v1/appeals", json={"note": note, "claimed_label": "genuine", "statement": statement}, timeout=30
        )
        assert filed.status_code == 201, filed.text
        ids.append(filed.json()["id"])
    first, second = ids
    page.get(base + "/moderate")
    page.find_element(By.NAME, "moderator_key").send_keys(MODERATOR_KEY + Keys.ENTER)

    def item(appeal_id):
        return _wait(page, lambda d: d.find_element(By.CSS_SELECTOR, f"[data-appeal-id='{appeal_id}']"))

    half_written = "店主记录开业，还在核实"
    item(second).find_element(By.NAME, "resolution_note").send_keys(half_written)
    item(first).find_element(By.NAME, "resolution_note").send_keys("个人分享")
    item(first).find_element(By.CSS_SELECTOR, "button.overturn").click()
    _wait(page, lambda d: not d.find_elements(By.CSS_SELECTOR, f"[data-appeal-id='{first}']"))
    assert item(second).find_element(By.NAME, "resolution_note").get_attribute("value") == half_written
    page.find_element(By.ID, "lang-toggle").click()
    _wait(page, lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en")
    assert item(second).find_element(By.NAME, "resolution_note").get_attribute("value") == half_written
    item(second).find_element(By.CSS_SELECTOR, "button.uphold").click()
    _wait(page, lambda d: not d.find_elements(By.CSS_SELECTOR, f"[data-appeal-id='{second}']"))
    resolved = httpx.get(f"{base}/v1/appeals/{second}", timeout=30).json()
    assert resolved["resolution"]["note"] == half_written


def test_the_status_page_keeps_the_lines_of_a_statement(page, server):
    """A statement written in paragraphs showed on the writer's status page as one run-on line (the moderators'
    queue keeps its line breaks)."""
    import httpx

    if "/v1/appeals" not in server["paths"]:
        pytest.skip("the appeals API (/v1/appeals, issue 13) is not in this server yet")
    statement = "第一段：这是我自己的店。\n第二段：开业记录，没有收钱。"
    filed = httpx.post(
        server["base"] + "/v1/appeals",
        json={"note": {"title": AD["title"], "text": AD["text"]}, "claimed_label": "genuine", "statement": statement},
        timeout=30,
    )
    assert filed.status_code == 201, filed.text
    page.get(f"{server['base']}/appeals/{filed.json()['id']}")
    _wait(page, lambda d: d.find_element(By.ID, "appeal-status").get_attribute("data-status") == "open")
    assert statement in page.find_element(By.ID, "appeal-details").text  # as rendered: the line break kept


@pytest.fixture(scope="module")
def busy_server(tmp_path_factory):
    # more open appeals than the queue shows at once (100): filed quickly, so no rate limit
    yield from _serve(tmp_path_factory.mktemp("ui-busy-server"), NOTECHECK_APPEAL_RATE_LIMIT="0")


def test_the_queue_goes_on_past_its_first_page(page, busy_server):
    """With more than 100 open appeals the page shows the first 100; once the moderator had resolved those it said
    "没有待处理的申诉" (no open appeals) beside a count of "0 / 1" while one was still waiting, until a reload."""
    import httpx

    base = busy_server["base"]
    note = {"text": "加vx领券，原价199现价99"}  # short: the page draws the queue again after each resolution
    with httpx.Client(base_url=base, timeout=30) as http:
        filed = [
            http.post("/v1/appeals", json={"note": note, "claimed_label": "genuine", "statement": f"申诉 {i}"})
            for i in range(101)
        ]
    assert all(f.status_code == 201 for f in filed)
    page.get(base + "/moderate")
    page.find_element(By.NAME, "moderator_key").send_keys(MODERATOR_KEY + Keys.ENTER)
    _wait(page, lambda d: d.find_element(By.ID, "queue-count").text == "100 / 101")
    shown = {li.get_attribute("data-appeal-id") for li in page.find_elements(By.CSS_SELECTOR, "#queue-items > li")}
    for left in range(99, -1, -1):  # the moderator works through the page, one appeal after another
        page.find_element(By.CSS_SELECTOR, "#queue-items > li button.uphold").click()
        WebDriverWait(page, 30, poll_frequency=0.02).until(
            lambda d, n=left: len(d.find_elements(By.CSS_SELECTOR, "#queue-items > li")) in (n, 1)
        )
    (last,) = {f.json()["id"] for f in filed} - shown
    _wait(page, lambda d: d.find_elements(By.CSS_SELECTOR, f"[data-appeal-id='{last}']"), message="the queue stopped")
    assert not page.find_element(By.ID, "queue-empty").is_displayed()
    assert page.find_element(By.ID, "queue-count").text == "1"


def test_a_readers_report_shows_the_label_the_moderator_gave(page, server):
    """A reader reports a note the model passes as an ad (claimed 'ad'); the moderator agrees with the model. The
    status page said "维持原判（判为广告）" — judged an ad — for a note just judged genuine: the words after the
    status were fixed to a writer's appeal. They now come from the moderator's label, in both directions."""
    import httpx

    if "/v1/appeals" not in server["paths"]:
        pytest.skip("the appeals API (/v1/appeals, issue 13) is not in this server yet")
    base = server["base"]
    moderator = {"X-API-Key": MODERATOR_KEY}
    shown = {}
    for label in ("genuine", "ad"):
        filed = httpx.post(
            base + "/v1/appeals",
            json={"note": {"title": DIARY["title"], "text": DIARY["text"]}, "claimed_label": "ad", "statement": "软广"},
            timeout=30,
        )
        assert filed.status_code == 201, filed.text
        assert filed.json()["model"]["decision"] == "genuine"
        url = f"{base}/v1/appeals/{filed.json()['id']}/resolve"
        assert httpx.post(url, json={"label": label}, headers=moderator, timeout=30).status_code == 200
        page.get(f"{base}/appeals/{filed.json()['id']}")
        status = "upheld" if label == "genuine" else "overturned"
        _wait(page, lambda d, s=status: d.find_element(By.ID, "appeal-status").get_attribute("data-status") == s)
        shown[label] = page.find_element(By.ID, "appeal-status").text
    assert shown == {"genuine": "维持原判（真实分享）", "ad": "已改判（判为广告）"}


# -- a server with client keys and a wider review band ------------------------------------------------------------
@pytest.fixture(scope="module")
def keyed_server(tmp_path_factory):
    # thresholds moved so that the ad sample (p ≈ 0.89) falls in the review band
    yield from _serve(
        tmp_path_factory.mktemp("ui-keyed-server"),
        NOTECHECK_API_KEYS=CLIENT_KEY,
        NOTECHECK_THRESHOLD="0.97",
        NOTECHECK_REVIEW_THRESHOLD="0.5",
    )


def test_a_server_with_keys_asks_for_one_and_a_review_can_be_appealed(page, keyed_server):
    base = keyed_server["base"]
    page.get(base + "/")
    page.execute_script("sessionStorage.clear()")
    page.find_element(By.NAME, "text").send_keys(AD["text"])
    page.find_element(By.ID, "check").click()
    error = _wait(
        page, lambda d: d.find_element(By.ID, "check-error").is_displayed() and d.find_element(By.ID, "check-error")
    )
    # what the 401 means, in the page's language, before the server's own words naming the key
    assert "需要有效的访问密钥" in error.text and "API key" in error.text
    assert not page.find_element(By.ID, "result").is_displayed()

    page.find_element(By.NAME, "api_key").send_keys(CLIENT_KEY)
    shown = _check(page, AD)
    assert shown["decision"] == "review" and shown["words"] == "需要人工复核"
    assert "97%" in shown["gauge"] and "50%" in shown["gauge"]
    assert not page.find_element(By.ID, "check-error").is_displayed()
    _screenshot(page, "writer-review-375", PHONE)
    _viewport(page, *DESKTOP)
    page.find_element(By.ID, "appeal-open").click()
    # a statement over the limit is neither cut nor sent: the writer is told, with the count
    statement = page.find_element(By.NAME, "statement")
    page.execute_script(
        "arguments[0].value = '很'.repeat(1001); arguments[0].dispatchEvent(new Event('input'))", statement
    )
    assert page.find_element(By.ID, "statement-count").text == "1001 / 1000"
    page.find_element(By.CSS_SELECTOR, "#appeal-form button[type=submit]").click()
    error = page.find_element(By.ID, "appeal-error")
    assert error.is_displayed() and "1000" in error.text and "1001" in error.text
    assert not page.find_elements(By.ID, "appeal-link")
    statement.clear()
    statement.send_keys("这是我的日常记录。")
    page.find_element(By.CSS_SELECTOR, "#appeal-form button[type=submit]").click()
    link = _wait(page, lambda d: d.find_element(By.ID, "appeal-link"))
    page.get(link.get_attribute("href"))  # the key stays with the tab: the status page reads it
    _wait(page, lambda d: d.find_element(By.ID, "appeal-status").get_attribute("data-status") == "open")
    assert page.find_element(By.NAME, "api_key").get_attribute("value") == CLIENT_KEY
    _screenshot(page, "appeal-status-keyed-375", PHONE)
    _viewport(page, *DESKTOP)

    # a moderator upholds the review: the note is an ad after all
    status_url = page.current_url
    appeal_id = status_url.split("/appeals/")[1].split("?")[0]
    page.get(base + "/moderate")
    page.find_element(By.NAME, "moderator_key").send_keys(MODERATOR_KEY + Keys.ENTER)
    item = _wait(page, lambda d: d.find_element(By.CSS_SELECTOR, f"[data-appeal-id='{appeal_id}']"))
    assert "需要人工复核" in item.text
    item.find_element(By.CSS_SELECTOR, "button.uphold").click()
    _wait(page, lambda d: not d.find_elements(By.CSS_SELECTOR, f"[data-appeal-id='{appeal_id}']"))
    page.get(status_url)
    _wait(page, lambda d: d.find_element(By.ID, "appeal-status").get_attribute("data-status") == "upheld")
    assert page.find_element(By.ID, "appeal-status").text == "维持原判（判为广告）"


# -- processes -----------------------------------------------------------------------------------------------------
def _descendants(pid: int) -> set[int]:
    found, todo = set(), [pid]
    while todo:
        p = todo.pop()
        for task in Path(f"/proc/{p}/task").glob("*"):
            try:
                children = {int(c) for c in (task / "children").read_text().split()}
            except OSError:
                continue
            todo.extend(children - found)
            found |= children
    return found


def _exe(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/exe").resolve(strict=True).name
    except OSError:  # ended meanwhile
        return None


@pytest.mark.skipif(sys.platform != "linux", reason="the death signal (PR_SET_PDEATHSIG) is Linux's")
def test_the_browser_ends_when_the_tests_are_killed(tmp_path):
    """kill -9 of the process driving the browser leaves no chromedriver and no Chromium behind."""
    code = (
        "import sys, time; from pathlib import Path; sys.path[:0] = ['tests']\n"
        "import test_ui_browser as t\n"
        f"driver = t.start_browser(Path({str(tmp_path)!r}))\n"
        "driver.get('about:blank'); print('ready', flush=True); time.sleep(120)\n"
    )
    with python_child(code, ROOT) as child:
        assert child.stdout.readline().strip() == "ready"
        processes = _descendants(child.pid)
        names = {_exe(p) for p in processes if alive(p)}
        assert {"chromedriver", "chromium"} <= names, names
    deadline = time.monotonic() + 15
    while any(map(alive, processes)) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = {p: _exe(p) for p in processes if alive(p)}
    for p in left:  # do not leave them running when the test fails
        os.kill(p, signal.SIGKILL)
    assert not left, f"still running after the driving process was killed: {left}"
