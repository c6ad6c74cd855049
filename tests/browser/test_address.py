"""The address in Chromium: a Find link to a place opens the map filtered to it, and the
address (and so a shared link) carries ids and follows a click on a chart at once."""

from __future__ import annotations

import pytest

from components import filters, loader, selection
from tests.browser.conftest import open_page, wait_for
from tests.browser.test_dashboard import PAGES, metric, real_errors

pytestmark = pytest.mark.browser


def test_a_find_link_to_a_place_filters_the_map_to_it(server, browser_page):
    """Once, the link carried the place's label, which the address mangled: the map opened
    with no filter at all."""
    dataset = loader.load_dataset().dataset
    expected = selection.select(dataset, filters.Filters(places=("karbala",))).facts["events"]
    assert expected > 0  # at the Karbala PJCC, within the city
    page = browser_page.page
    open_page(browser_page, server.url, PAGES[""])
    box = page.get_by_role("textbox", name="Find an actor, event or place")
    box.fill("Karbala")
    box.press("Enter")
    wait_for(page, "document.body.innerText.includes('(place)')")
    link = page.get_by_role("link", name="Karbala (place)").first
    assert link.get_attribute("href").endswith("map?places=karbala")
    link.click()
    wait_for(page, "document.body.innerText.includes('Place: Karbala (city)')", 60_000)
    assert "places=karbala" in page.url
    assert "No filters: showing everything" not in page.inner_text("[data-testid=stMain]")
    assert real_errors(browser_page) == []


def test_the_address_holds_ids_after_a_sidebar_choice(server, browser_page):
    page = browser_page.page
    open_page(browser_page, server.url, PAGES[""])
    before = metric(page, "Events")
    box = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"] input').first
    box.click()
    box.fill("Kata")
    option = page.get_by_role("option", name="Kata'ib Hezbollah")
    option.wait_for()
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    wait_for(page, f"""(() => {{ const m = [...document.querySelectorAll('[data-testid="stMetric"]')]
        .find(m => m.innerText.startsWith('Events'));
        return m && m.innerText.split('\\n').pop().trim() !== '{before}'; }})()""")
    page.wait_for_function("() => location.search.includes('actors=kh')", timeout=30_000)
    assert real_errors(browser_page) == []
