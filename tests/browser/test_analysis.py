"""Analysis pages in Chromium: they load clean, the Find box and a network click lead to an
actor's page, events link to their pages, and the network can be stepped through time."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import full_screenshot, open_page, wait_for
from tests.browser.test_dashboard import HAS_NETWORK, HAS_VEGA, real_errors
from tests.browser.test_dashboard import PAGES as DASHBOARD_PAGES
from tests.browser.test_network_chart import click_actor, find_actor, network_labels

pytestmark = pytest.mark.browser

PAGES = {
    "actor?actor=irgc-qf": f"{HAS_VEGA} >= 1 && {HAS_NETWORK} && document.querySelector('h1').innerText === 'IRGC-Qods Force'",
    "event?event=ev-037": "document.querySelector('[data-testid=\"stDeckGlJsonChart\"] canvas')",
    "claims": "document.body.innerText.includes('Denies or doubts')",
    "help": "document.body.innerText.includes('The network through time')",
}


@pytest.mark.parametrize("path", list(PAGES), ids=lambda p: p.split("?")[0])
def test_analysis_pages_load_without_errors(server, browser_page, path):
    open_page(browser_page, f"{server.url}/{path}", PAGES[path])
    page = browser_page.page
    assert page.locator('[data-testid="stException"]').count() == 0
    full_screenshot(page, f"page-{path.split('?')[0]}")
    assert real_errors(browser_page) == []


def test_find_box_leads_to_the_actor_page(server, browser_page):
    page = browser_page.page
    open_page(browser_page, server.url, DASHBOARD_PAGES[""])
    find = page.get_by_role("textbox", name="Find an actor, event or place")
    find.fill("Sulleimani")
    find.press("Enter")
    link = page.locator('[data-testid="stSidebar"] a').filter(has_text="Qassem Soleimani")
    link.first.wait_for(timeout=30_000)
    link.first.click()
    wait_for(page, "document.querySelector('h1') && document.querySelector('h1').innerText === 'Qassem Soleimani'")
    assert "actor=soleimani" in page.url
    assert page.locator('[data-testid="stDataFrame"]').count() >= 1
    assert real_errors(browser_page) == []


def test_network_click_then_profile_link(server, browser_page):
    page = browser_page.page
    open_page(browser_page, f"{server.url}/network", HAS_NETWORK)
    click_actor(page, "Qais Khazali")
    profile = page.get_by_role("link", name=re.compile("Open the profile of Qais Khazali"))
    profile.wait_for(timeout=30_000)
    profile.click()
    wait_for(page, "document.querySelector('h1') && document.querySelector('h1').innerText === 'Qais Khazali'")
    # from the actor to one of its events
    event_link = page.get_by_role("link", name=re.compile("organisational change"))
    event_link.first.click()
    wait_for(page, "location.pathname.endsWith('/event') && document.body.innerText.includes('date known to the month')")
    assert real_errors(browser_page) == []


def test_stepping_the_network_through_time(server, browser_page):
    page = browser_page.page
    open_page(browser_page, f"{server.url}/network?as_of_on=true&as_of=2006-07",
              f"{HAS_NETWORK} && document.body.innerText.includes('As of 01 July 2006')")
    page.wait_for_timeout(500)
    in_2006 = find_actor(page, "Ali Mussa Daqduq")["tooltip"]
    page.get_by_role("button", name="year ▶").click()
    wait_for(page, f"{HAS_NETWORK} && document.body.innerText.includes('As of 01 July 2007')")
    page.wait_for_timeout(500)
    full_screenshot(page, "network-as-of-2007-07")
    # Daqduq was captured in March 2007: a grey ring now, not an active actor with links
    assert "On this date" not in in_2006
    assert "Ali Mussa Daqduq" in {label["text"] for label in network_labels(page)}
    assert "On this date: no longer active" in find_actor(page, "Ali Mussa Daqduq")["tooltip"]
    assert "as_of=2007-07" in page.url
    assert real_errors(browser_page) == []
