"""The grade in Chromium: chosen in the sidebar with the keyboard, it narrows the overview's
counts, timeline and network, lands in the address and as a chip, and shows on the Event page."""

from __future__ import annotations

import re

import pytest

from components import grades, loader
from tests.browser.conftest import full_screenshot, open_page, wait_for
from tests.browser.test_dashboard import (
    PAGES,
    metric,
    network_nodes,
    real_errors,
    timeline_marks,
)

pytestmark = pytest.mark.browser


def test_choosing_a_grade_narrows_every_view(server, browser_page):
    events = loader.load_dataset().dataset.events
    expected = int(grades.meets(events["grade"].astype(object), "", "2").sum())
    page = browser_page.page
    open_page(browser_page, server.url, PAGES[""])
    events_before, nodes_before = metric(page, "Events"), len(network_nodes(page))
    marks_before = timeline_marks(page)
    box = page.get_by_role("combobox", name="Credibility")
    box.click()
    box.fill("2")  # keyboard only: type the level and take it
    # Enter takes the one option left, once the list shows it (on a busy machine, Enter
    # pressed before the list had narrowed chose nothing and the test waited in vain)
    page.get_by_role("option", name="2", exact=True).wait_for()
    page.keyboard.press("Enter")
    wait_for(page, f"""(() => {{ const m = [...document.querySelectorAll('[data-testid="stMetric"]')]
        .find(m => m.innerText.startsWith('Events'));
        return m && m.innerText.split('\\n').pop().trim() !== '{events_before}'; }})()""")
    page.wait_for_timeout(500)
    assert int(metric(page, "Events")) == expected < int(events_before)
    assert 0 < timeline_marks(page) < marks_before
    assert 0 < len(network_nodes(page)) <= nodes_before
    assert "min_cred=2" in page.url
    assert page.get_by_role("button", name=re.compile("Grade: credibility 2 or better")).count() == 1
    full_screenshot(page, "filtered-grade")
    assert real_errors(browser_page) == []


def test_the_event_page_names_the_grade(server, browser_page):
    event = loader.load_dataset().dataset.events.set_index("event_id").loc["ev-037"]
    open_page(browser_page, f"{server.url}/event?event=ev-037",
              f"document.body.innerText.includes('{event['grade']}: ')")
    text = browser_page.page.inner_text("body")
    assert grades.grade_words(event["grade"]) in text
    assert real_errors(browser_page) == []
