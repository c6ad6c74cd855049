"""The evidence pack in Chromium: downloaded from a page's Export menu and from the Briefing page,
opened as a zip; its data version is the one the Data page shows."""

from __future__ import annotations

import hashlib
import json
import re
import zipfile

import pytest

from components import evidence, loader
from tests.browser.conftest import open_page, wait_for
from tests.browser.test_briefing_exports import download
from tests.browser.test_dashboard import HAS_VEGA, real_errors
from tests.conftest import DATA

pytestmark = pytest.mark.browser


def open_pack(path) -> tuple[zipfile.ZipFile, dict]:
    pack = zipfile.ZipFile(path)
    manifest = json.loads(pack.read("manifest.json"))
    for entry in manifest["files"]:  # every file whole, as the manifest says
        assert hashlib.sha256(pack.read(entry["name"])).hexdigest() == entry["sha256"]
    return pack, manifest


def test_the_evidence_pack_downloads_from_a_page_and_from_the_briefing(server, browser_page):
    page = browser_page.page
    version = evidence.data_version(loader.load_dataset(DATA).files)
    open_page(browser_page, f"{server.url}/data",
              "document.body.innerText.includes('Data version:')")
    assert f"Data version: {version}" in page.locator('[data-testid="stMain"]').inner_text()

    open_page(browser_page, f"{server.url}/timeline?event_types=kidnapping", f"{HAS_VEGA} >= 1")
    page.get_by_role("button", name="Export").click()
    path = download(page, "Evidence pack (zip)", timeout=120_000)
    assert re.fullmatch(r"proxylens-timeline-evidence-\d{4}-\d\d-\d\d\.zip", path.name)
    pack, manifest = open_pack(path)
    assert set(pack.namelist()) == {"report.html", "events.csv", "actors.csv", "relations.csv",
                                    "claims.csv", "sources.csv", "README.txt", "manifest.json"}
    assert manifest["data_version"] == version and manifest["page"] == "Timeline"
    assert manifest["filters"]["lines"] == ["Event type: kidnapping"]
    assert manifest["filters"]["machine"]["event_types"] == ["kidnapping"]
    events = pack.read("events.csv").decode("utf-8-sig").splitlines()
    assert events[0].startswith("event_id,") and len(events) - 1 == manifest["tables"]["events"]["rows"]
    assert all(",kidnapping," in line for line in events[1:])
    assert f"Data version: {version}" in pack.read("README.txt").decode("utf-8")
    assert "<svg" in pack.read("report.html").decode("utf-8")

    open_page(browser_page, f"{server.url}/briefing?step=6",
              "document.querySelector('h1') && "
              "document.querySelector('h1').innerText.startsWith('January 2007')")
    page.get_by_text("Export the briefing").click()
    wait_for(page, "document.body.innerText.includes('Evidence pack (zip)')")
    path = download(page, "Evidence pack (zip)", timeout=180_000)
    pack, manifest = open_pack(path)
    assert manifest["scope"] == "briefing" and len(manifest["steps"]) == 9
    assert manifest["data_version"] == version
    header = pack.read("events.csv").decode("utf-8-sig").splitlines()[0]
    assert header.endswith(",in_steps")
    assert "Step 6: January 2007" in pack.read("report.html").decode("utf-8")
    assert real_errors(browser_page) == []
