"""The timeline in Chromium: it opens on the dense years, the strip of the whole record spans
1979-2008, and brushing the strip sets the date range."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import open_page, wait_for
from tests.browser.test_dashboard import PAGES, real_errors

pytestmark = pytest.mark.browser

AXIS_YEARS = """(title) => { const c = [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
  .find(c => c.innerText.includes(title));
  if (!c) return [];
  return [...c.querySelectorAll('g.role-axis-label text')].map(t => t.textContent.trim())
    .filter(t => /^\\d{4}$/.test(t)).map(Number); }"""


def test_the_timeline_opens_on_the_story_over_the_whole_record(server, browser_page):
    page = browser_page.page
    open_page(browser_page, f"{server.url}/timeline",
              PAGES["timeline"] + " && document.body.innerText.includes('The whole record')")
    detail = page.evaluate(AXIS_YEARS, "Bars: dates known")
    whole = page.evaluate(AXIS_YEARS, "The whole record")
    assert detail and min(detail) >= 2002 and max(detail) <= 2009
    assert whole and min(whole) <= 1979 and max(whole) >= 2008
    strip = page.locator('[data-testid="stVegaLiteChart"]').filter(has_text="The whole record")
    box = strip.locator("svg").first.bounding_box()
    y = box["y"] + box["height"] * 0.6
    page.mouse.move(box["x"] + box["width"] * 0.15, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.35, y, steps=8)
    page.mouse.up()
    page.get_by_role("button", name=re.compile(r"Dates: 19\d\d-\d\d-\d\d to")).wait_for(
        timeout=30_000)
    wait_for(page, "document.body.innerText.includes('The whole record')")
    detail = page.evaluate(AXIS_YEARS, "Bars: dates known")
    assert detail and max(detail) < 2000  # the window is now the brushed years
    assert real_errors(browser_page) == []


PERIOD_LABELS = """(labels) => {
  const found = [];
  for (const svg of document.querySelectorAll('[data-testid="stVegaLiteChart"] svg')) {
    const frame = svg.getBoundingClientRect();
    for (const t of svg.querySelectorAll('g.role-mark text')) {
      const text = t.textContent.trim();
      const cut = text.endsWith('…') && labels.some(l => l.startsWith(text.slice(0, -1)));
      if (!labels.includes(text) && !cut) continue;
      const box = t.getBoundingClientRect();
      found.push({text, left: box.left - frame.left, right: box.right - frame.left,
                  width: frame.width});
    }
  }
  return found; }"""


@pytest.mark.parametrize("address", ["", "timeline", "timeline?lanes=actor", "briefing?step=5",
                                     "actor?actor=iran"],
                         ids=["overview", "timeline", "actor-lanes", "briefing-step", "actor"])
def test_no_period_label_is_cut_at_1280x720(server, playwright_browser, address):
    """On the screen the pages are laid out for (components.ui.screen), each period's label
    is drawn inside its chart, whole or cut with an ellipsis (components.views.periods_in_range):
    placed for the plot's width there, not a wider one."""
    from components import loader
    from components.ui import screen
    from tests.conftest import DATA

    labels = loader.load_dataset(DATA).dataset.periods["label"].astype(str).tolist()
    context = playwright_browser.new_context(
        viewport={"width": screen.REFERENCE[0], "height": screen.REFERENCE[1]})
    try:
        page = context.new_page()
        page.goto(f"{server.url}/{address}")
        wait_for(page, "document.querySelectorAll('[data-testid=\"stVegaLiteChart\"] svg "
                       "g.role-mark text').length > 0", timeout=60_000)
        page.wait_for_timeout(500)
        drawn = page.evaluate(PERIOD_LABELS, labels)
        # a narrow or short window leaves out labels with no room at their band (the band keeps
        # its name on hover)
        assert len(drawn) >= (2 if address in ("", "timeline", "timeline?lanes=actor") else 1), drawn
        cut = [d for d in drawn if d["left"] < -0.5 or d["right"] > d["width"] + 0.5]
        assert cut == []
    finally:
        context.close()
