"""Briefing and exports in Chromium: the shipped briefing at projector sizes with the arrow keys,
every chart and table downloads, the report opens offline, a shared link reopens the view."""

from __future__ import annotations

import re
import shutil

import pytest

from tests.browser.conftest import ARTIFACTS, StreamlitServer, open_page, wait_for
from tests.browser.test_dashboard import (
    HAS_NETWORK,
    HAS_VEGA,
    network_labels,
    network_nodes,
    real_errors,
)
from tests.conftest import DATA, set_cell

pytestmark = pytest.mark.browser

TITLE = "document.querySelector('h1') && document.querySelector('h1').innerText"


@pytest.mark.parametrize("width,height", [(1920, 1080), (1280, 720)])
def test_shipped_briefing_end_to_end_at_projector_sizes(server, playwright_browser, width, height):
    context = playwright_browser.new_context(viewport={"width": width, "height": height})
    errors = []
    try:
        page = context.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(f"{server.url}/briefing?step=1")
        wait_for(page, f"({TITLE} || '').startsWith('Background')", timeout=60_000)
        # the sidebar is out of the way and the controls and title are on screen
        sidebar = page.locator('[data-testid="stSidebar"]').bounding_box()
        assert sidebar is None or sidebar["width"] < 10 or sidebar["x"] + sidebar["width"] <= 1
        for locator in (page.get_by_role("button", name=re.compile("Next")), page.locator("h1")):
            box = locator.first.bounding_box()
            assert box and 0 <= box["y"] and box["y"] + box["height"] <= height
            assert box["x"] + box["width"] <= width
        page.screenshot(path=str(ARTIFACTS / f"briefing-step1-{width}x{height}.png"))
        titles = []
        for step in range(2, 10):
            page.keyboard.press("ArrowRight")
            wait_for(page, f"location.search.includes('step={step}') && "
                     f"document.body.innerText.includes('Step {step} of 9')")
            page.wait_for_timeout(300)
            titles.append(page.locator("h1").inner_text())
            if step in (4, 6):
                page.screenshot(path=str(ARTIFACTS / f"briefing-step{step}-{width}x{height}.png"))
        assert titles[-1] == "Contested evidence and what follows"
        assert len(set(titles)) == 8
        page.keyboard.press("ArrowLeft")
        wait_for(page, "location.search.includes('step=8')")
        assert page.locator('[data-testid="stException"]').count() == 0
        assert [e for e in errors if "status of 404" not in e] == []
    finally:
        context.close()


def download(page, name: str, timeout: float = 60_000):
    button = page.get_by_role("button", name=name, exact=True).first
    with page.expect_download(timeout=timeout) as info:
        button.click()
    target = ARTIFACTS / "downloads" / info.value.suggested_filename
    target.parent.mkdir(parents=True, exist_ok=True)
    info.value.save_as(target)
    return target


def test_every_chart_and_table_downloads(server, browser_page):
    page = browser_page.page
    open_page(browser_page, f"{server.url}/timeline", f"{HAS_VEGA} >= 2")
    png = download(page, "PNG")
    assert png.read_bytes()[:4] == b"\x89PNG"
    svg = download(page, "SVG")
    assert "<svg" in svg.read_text()
    page.get_by_role("button", name="Export").click()
    csv = download(page, "Events CSV")
    assert csv.read_text(encoding="utf-8-sig").startswith("event_id,")
    xlsx = download(page, "Excel workbook")
    assert xlsx.read_bytes()[:2] == b"PK"
    assert re.fullmatch(r"proxylens-timeline-\d{4}-\d\d-\d\d\.xlsx", xlsx.name)
    from openpyxl import load_workbook

    book = load_workbook(xlsx)
    assert book.sheetnames == ["Events", "Relations", "Actors", "Filters", "Sources"]
    events = book["Events"]
    assert events.freeze_panes == "A2" and events.auto_filter.ref
    open_page(browser_page, f"{server.url}/network", HAS_NETWORK)
    drawing = download(page, "SVG").read_text()  # the static drawing of the same network
    assert drawing.count("<path") > 20 and "Iran and its partners" in drawing
    open_page(browser_page, f"{server.url}/map",
              "document.querySelector('[data-testid=\"stDeckGlJsonChart\"] canvas')")
    assert download(page, "Map PNG").read_bytes()[:4] == b"\x89PNG"
    assert real_errors(browser_page) == []


def test_report_opens_offline_and_shows_data_text_literally(tmp_path, playwright_browser):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    evil = "<img src=x onerror=alert(1)>"
    set_cell(data / "actors.csv", 11, "name", evil)  # the Special Groups, renamed
    app = StreamlitServer(data_dir=data)
    context = playwright_browser.new_context(viewport={"width": 1400, "height": 900},
                                             accept_downloads=True)
    try:
        page = context.new_page()
        page.goto(f"{app.url}/timeline?q=Karbala")
        wait_for(page, f"{HAS_VEGA} >= 1", timeout=60_000)
        page.get_by_role("button", name="Export").click()
        report = download(page, "Report (HTML)", timeout=120_000)
        text = report.read_text(encoding="utf-8")
        assert "<img src=x" not in text and "&lt;img src=x onerror=alert(1)&gt;" in text
        offline = playwright_browser.new_context(offline=True)
        try:
            dialogs, failed = [], []
            view = offline.new_page()
            view.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            view.on("requestfailed", lambda r: failed.append(r.url))
            view.goto(report.as_uri())
            assert view.locator("h1").inner_text().startswith("ProxyLens")
            assert view.locator("svg").count() >= 2  # the charts drew from the file alone
            assert evil in view.locator("body").inner_text()
            assert dialogs == [] and failed == []
            view.screenshot(path=str(ARTIFACTS / "report-offline.png"), full_page=True)
        finally:
            offline.close()
    finally:
        context.close()
        app.stop()


def test_share_link_reopens_the_same_view(server, playwright_browser, browser_page):
    page = browser_page.page
    open_page(browser_page, f"{server.url}/network?claims=disputed&size_by=betweenness",
              HAS_NETWORK)
    page.get_by_role("button", name="Share this view").click()
    code = page.locator('[data-testid="stCode"] code').first
    code.wait_for()
    link = code.inner_text().strip()
    assert link.startswith(server.url + "/network?") and "claims=disputed" in link
    page.wait_for_timeout(500)
    before = _network_picture(page)
    fresh_context = playwright_browser.new_context(viewport={"width": 1600, "height": 1000})
    try:
        fresh = fresh_context.new_page()
        fresh.goto(link)
        wait_for(fresh, f"{HAS_NETWORK} && document.body.innerText.includes('Claim: disputed')",
                 timeout=60_000)
        fresh.wait_for_timeout(500)
        assert _network_picture(fresh) == before
    finally:
        fresh_context.close()


def _network_picture(page) -> tuple:
    """What the network shows: its labels and the sizes of its actors (sized by the choice)."""
    return (sorted(label["text"] for label in network_labels(page)),
            sorted(round(node["w"]) for node in network_nodes(page)))


@pytest.mark.parametrize("step", [2, 6])
def test_at_1280x720_a_steps_words_map_and_timeline_fit_on_one_screen(server, playwright_browser,
                                                                    step):
    context = playwright_browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        page = context.new_page()
        page.goto(f"{server.url}/briefing?step={step}")
        wait_for(page, "document.querySelector('[data-testid=\"stDeckGlJsonChart\"] canvas') "
                       f"&& {HAS_VEGA} >= 1", timeout=60_000)
        page.wait_for_timeout(500)
        boxes = {
            "words": page.locator(".st-key-briefing-narrative").bounding_box(),
            "map": page.locator('[data-testid="stDeckGlJsonChart"]').first.bounding_box(),
            "timeline": page.locator('[data-testid="stVegaLiteChart"]').first.bounding_box(),
        }
        for name, box in boxes.items():
            assert box and box["y"] >= 0 and box["y"] + box["height"] <= 720, (name, box)
        # side by side: the words on the left, the map and the timeline under it on the right
        assert boxes["words"]["x"] + boxes["words"]["width"] <= boxes["map"]["x"]
        assert boxes["map"]["y"] + boxes["map"]["height"] <= boxes["timeline"]["y"]
        page.screenshot(path=str(ARTIFACTS / f"briefing-step-{step}-1280x720.png"))
    finally:
        context.close()
