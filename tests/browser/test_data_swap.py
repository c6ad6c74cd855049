"""Swapping data in Chromium: one session's upload stays in that session; hostile text in data
files is shown as text on every page and runs nothing."""

from __future__ import annotations

import csv
import shutil

import pytest

from tests.browser.conftest import ARTIFACTS, StreamlitServer, wait_for
from tests.browser.test_dashboard import HAS_NETWORK, HAS_VEGA, metric, network_labels
from tests.conftest import DATA, read_rows, set_cell

pytestmark = pytest.mark.browser
EVIL = "<img src=x onerror=alert(1)>"


@pytest.fixture
def data_dir(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(DATA, target, ignore=shutil.ignore_patterns(".history"))
    return target


def test_an_upload_for_my_session_is_not_seen_by_another_session(data_dir, tmp_path,
                                                                  playwright_browser):
    rows = read_rows(data_dir / "events.csv")
    smaller = tmp_path / "events.csv"
    with smaller.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows[:11])  # ten events
    app = StreamlitServer(data_dir=data_dir)
    first = playwright_browser.new_context(viewport={"width": 1400, "height": 1000})
    second = playwright_browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        mine = first.new_page()
        mine.goto(f"{app.url}/data")
        wait_for(mine, "document.body.innerText.includes('Swap in updated files')", 60_000)
        mine.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(smaller))
        mine.get_by_role("button", name="Use for my session").wait_for(timeout=30_000)
        assert mine.get_by_text("removed").count() >= 1  # the diff says what goes
        mine.get_by_role("button", name="Use for my session").click()
        wait_for(mine, "document.body.innerText.includes('using uploaded data')")
        mine.locator('[data-testid="stSidebarNav"] a').filter(has_text="Overview").click()
        wait_for(mine, f"{HAS_VEGA} >= 1 && {HAS_NETWORK}")
        assert metric(mine, "Events") == "10"
        theirs = second.new_page()
        theirs.goto(app.url)
        wait_for(theirs, f"{HAS_VEGA} >= 1 && {HAS_NETWORK}", 60_000)
        assert metric(theirs, "Events") == str(len(rows) - 1)
        assert (data_dir / "events.csv").read_bytes().count(b"\n") >= len(rows) - 1
    finally:
        first.close()
        second.close()
        app.stop()


def test_hostile_text_in_data_files_is_shown_literally(data_dir, playwright_browser):
    set_cell(data_dir / "actors.csv", 11, "name", EVIL)  # the Special Groups
    set_cell(data_dir / "events.csv", 34, "description",
             "<script>alert(2)</script> [click me](javascript:alert(3)) **loud**")
    app = StreamlitServer(data_dir=data_dir)
    context = playwright_browser.new_context(viewport={"width": 1600, "height": 1000})
    dialogs = []
    try:
        page = context.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        pages = {
            "/actor?actor=special-groups": "document.querySelector('h1')",
            "/network": HAS_NETWORK,
            "/event?event=ev-035": "document.querySelector('h1')",
            "/claims": "document.body.innerText.includes('Denies or doubts')",
            "/": f"{HAS_VEGA} >= 1 && {HAS_NETWORK}",
        }
        for path, ready in pages.items():
            page.goto(app.url + path)
            wait_for(page, ready, 60_000)
            page.wait_for_timeout(500)
            assert page.locator('img[src="x"]').count() == 0
            assert page.locator('a[href^="javascript"]').count() == 0
        page.goto(app.url + "/actor?actor=special-groups")
        wait_for(page, "document.querySelector('h1')", 60_000)
        assert page.locator("h1").inner_text() == EVIL
        page.goto(app.url + "/event?event=ev-035")
        wait_for(page, "document.querySelector('h1')", 60_000)
        body = page.locator("body").inner_text()
        assert "<script>alert(2)</script>" in body and "[click me](javascript:alert(3))" in body
        page.screenshot(path=str(ARTIFACTS / "hostile-text-event.png"))
        page.goto(app.url + "/network")
        wait_for(page, HAS_NETWORK, 60_000)
        page.wait_for_timeout(500)
        # the network's label, drawn as text (a long name on two lines), not as markup
        labels = [label["text"] for label in network_labels(page)]
        assert EVIL in " ".join(labels)
        assert dialogs == []
    finally:
        context.close()
        app.stop()
