"""The Flows page in Chromium: the sankey draws Iran's flows (its labels are SVG text here),
a click on an actor filters every view to it, and the PNG download is a picture."""

from __future__ import annotations

import pytest

from tests.browser.conftest import full_screenshot, open_page, wait_for
from tests.browser.test_dashboard import real_errors

pytestmark = pytest.mark.browser

HAS_FLOWS = ("[...document.querySelectorAll('[data-testid=\"stEChartsChart\"] svg text')]"
             ".some(t => t.textContent.startsWith('Lebanese Hezb'))")


def label_box(page, name: str) -> dict:
    return page.evaluate("""(name) => {
      const t = [...document.querySelectorAll('[data-testid="stEChartsChart"] svg text')]
        .find(t => t.textContent.replace('…', '') && name.startsWith(t.textContent.replace('…', '')));
      if (!t) return null;
      t.scrollIntoView({block: 'center'});
      const r = t.getBoundingClientRect();
      return {x0: r.left, x1: r.right, y: (r.top + r.bottom) / 2};
    }""", name)


def test_the_flows_draw_and_a_click_filters_every_view(server, browser_page):
    page = browser_page.page
    open_page(browser_page, f"{server.url}/flows", HAS_FLOWS)
    page.wait_for_timeout(500)
    texts = page.evaluate("""() => [...document.querySelectorAll(
        '[data-testid="stEChartsChart"] svg text')].map(t => t.textContent)""")
    # long names are cut to the room between two columns; the tooltip gives them whole
    assert {"Iran", "IRGC-Qods Force", "Special Groups", "Multi-National Force – Iraq"} <= set(
        texts)
    assert any(t.startswith("Lebanese Hezb") for t in texts)
    assert any(t.startswith("Hezbollah Unit") for t in texts)
    full_screenshot(page, "flows")
    # the node is the bar just left of its label
    box = label_box(page, "Hezbollah Unit 3800")
    page.wait_for_timeout(300)
    box = label_box(page, "Hezbollah Unit 3800")
    page.mouse.click(box["x0"] - 10, box["y"])
    wait_for(page, """[...document.querySelectorAll('[data-testid="stSidebar"] [data-testid="stMultiSelect"] span')]
        .some(s => s.textContent.includes('Hezbollah Unit 3800'))""")
    assert "actors=" in page.url or "unit-3800" in page.url
    assert real_errors(browser_page) == []


def test_the_flows_png_download_is_a_picture(server, browser_page):
    page = browser_page.page
    open_page(browser_page, f"{server.url}/flows", HAS_FLOWS)
    button = page.locator('.st-key-flows-png button').first
    button.scroll_into_view_if_needed()
    with page.expect_download(timeout=60_000) as download:
        button.click()
    content = open(download.value.path(), "rb").read()
    assert content[:8] == b"\x89PNG\r\n\x1a\n" and len(content) > 20_000
    assert download.value.suggested_filename == "support-flows.png"
    assert real_errors(browser_page) == []
