"""The Compare page in headless Chromium: the headline counts, the legend naming gained, lost
and kept, the map and the timeline drawn with both windows named, and a window chosen in the
page kept in the address, so a copied link reopens the same comparison."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import drawn_pixels, full_screenshot, open_page, wait_for

pytestmark = pytest.mark.browser

BENIGN = re.compile(r"status of 404")  # Streamlit's probes of a deep link (see test_dashboard)
READY = ("document.querySelector('[data-testid=\"stEChartsChart\"] svg text')"
         " && document.querySelector('[data-testid=\"stDeckGlJsonChart\"] canvas')"
         " && [...document.querySelectorAll('[data-testid=\"stVegaLiteChart\"] svg text')]"
         ".some(t => t.textContent.startsWith('B: '))")


def metric_values(page) -> dict[str, str]:
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('[data-testid="stMetric"]')]
             .map(m => [m.querySelector('[data-testid="stMetricLabel"]').innerText.trim(),
                        m.querySelector('[data-testid="stMetricValue"]').innerText.trim()]))""")


def window_labels(page) -> list[str]:
    return page.evaluate(
        """() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"] svg text')]
             .map(t => t.textContent).filter(t => /^[AB]: /.test(t))""")


def test_the_compare_page_shows_the_change_between_two_periods(server, browser_page):
    page = browser_page.page
    open_page(browser_page, f"{server.url}/compare", READY)
    page.wait_for_timeout(1500)  # deck.gl draws on the next animation frames
    assert page.locator("h1").first.inner_text() == "Compare two periods"
    assert metric_values(page)["Events"] == "12 → 36"
    main = page.locator('[data-testid="stMain"]')
    legend = main.get_by_text("Relations: what changed")
    assert legend.count() == 1 and legend.is_visible()
    line = legend.locator("xpath=ancestor::p[1]").inner_text()
    assert all(word in line for word in ("gained", "lost", "kept"))
    # the list of what changed (a data grid) and the network's labels (SVG text, as the tests'
    # server draws the link charts)
    assert main.get_by_text("Qais Khazali leads Special Groups").count() >= 1
    names = page.evaluate("() => [...document.querySelectorAll('[data-testid=\"stEChartsChart\"]"
                          " svg text')].map(t => t.textContent)")
    assert "Qais Khazali" in names and "Special Groups" in names
    assert window_labels(page) == ["A: 2003-2005", "B: 2006-2007"]
    canvas = page.locator('[data-testid="stDeckGlJsonChart"]').first
    assert drawn_pixels(canvas) > 2_000
    assert main.get_by_text("Events per place, A to B").count() == 1
    full_screenshot(page, "page-compare")
    assert [e for e in browser_page.errors if not BENIGN.search(e)] == []


def test_a_window_chosen_on_the_page_is_in_a_link_that_reopens_it(server, browser_page,
                                                                 playwright_browser):
    page = browser_page.page
    open_page(browser_page, f"{server.url}/compare", READY)
    page.get_by_role("combobox", name=re.compile("Period B")).click()
    page.get_by_role("option", name="2007: Secret cells and the surge response").click()
    wait_for(page, "document.body.innerText.includes('B: 2007')"
             " && [...document.querySelectorAll('[data-testid=\"stVegaLiteChart\"] svg text')]"
             ".some(t => t.textContent === 'B: 2007')")
    page.wait_for_function("() => location.search.includes('cmp_b=')", timeout=30_000)
    link, shown = page.url, metric_values(page)
    assert "cmp_b=surge-response" in link  # the period's id, not its label
    assert shown["Events"] != "12 → 36"
    other = playwright_browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        fresh = other.new_page()
        fresh.goto(link)
        wait_for(fresh, READY.replace("startsWith('B: ')", "startsWith('B: 2007')"),
                 timeout=60_000)
        assert metric_values(fresh) == shown
        assert window_labels(fresh) == ["A: 2003-2005", "B: 2007"]
    finally:
        other.close()
    assert [e for e in browser_page.errors if not BENIGN.search(e)] == []
