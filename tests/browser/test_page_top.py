"""The top of every page at 1280x720, the screen the pages are laid out for
(components.ui.screen): the filters and Share/Export share one row near the top, so the page's
own title and first view come sooner, and no control's buttons run past their column."""

from __future__ import annotations

import pytest

from tests.browser.conftest import wait_for

pytestmark = pytest.mark.browser

ADDRESSES = {
    "overview": "",
    "map": "map",
    "network": "network",
    "network-filtered": "network?event_types=kidnapping&actors=irgc-qf",
    "flows": "flows",
    "timeline": "timeline",
    "compare": "compare",
    "actor": "actor?actor=irgc-qf",
    "event": "event?event=ev-022",
    "claims": "claims",
    "data": "data",
}

TOP = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const bar = document.querySelector('.st-key-page-bar');
  const share = [...main.querySelectorAll('button')].find(b => b.innerText.includes('Share this view'));
  const heading = main.querySelector('h1');
  const overrun = [];
  for (const group of main.querySelectorAll('[data-testid="stButtonGroup"]')) {
    const box = (group.closest('[data-testid="stColumn"]')
                 || group.closest('[data-testid="stVerticalBlock"]')).getBoundingClientRect();
    for (const button of group.querySelectorAll('button')) {
      const r = button.getBoundingClientRect();
      if (r.width > 0 && r.right > box.right + 1) overrun.push(button.innerText);
    }
  }
  // what the row starts with: the first filter's chip, or the line saying there is none
  const first = bar && [...bar.querySelectorAll('[data-testid="stCaptionContainer"], button')]
    .find(e => !/Share this view|Export/.test(e.innerText));
  return {bar: bar && bar.getBoundingClientRect().top,
          first: first ? first.getBoundingClientRect().top : null,
          share: share && share.getBoundingClientRect().top,
          heading: heading && heading.getBoundingClientRect().top, overrun};
}"""


@pytest.mark.parametrize("address", list(ADDRESSES.values()), ids=list(ADDRESSES))
def test_the_filters_and_share_take_one_row_at_the_top_and_controls_fit(
        server, playwright_browser, address):
    from components.ui import screen

    context = playwright_browser.new_context(
        viewport={"width": screen.REFERENCE[0], "height": screen.REFERENCE[1]})
    try:
        page = context.new_page()
        page.goto(f"{server.url}/{address}")
        wait_for(page, "document.querySelector('[data-testid=\"stMain\"] h1') !== null",
                 timeout=60_000)
        page.wait_for_timeout(500)
        top = page.evaluate(TOP)
        # below Streamlit's header (60 px, opaque), not under its own padding (96 px)
        assert top["bar"] is not None and top["first"] is not None, top
        assert 60 <= top["bar"] <= screen.TOP_PADDING_REM * 16 + 4, top
        # Share and Export sit on the first row of filters, not on a row of their own
        assert top["share"] is not None and abs(top["share"] - top["first"]) <= 4, top
        # the page's title follows that one row (two rows put it at 210 px on the Overview);
        # with chips, 'Clear all' may wrap to a second row of its own. The Actor and Event
        # pages put their chooser above the title.
        if not address.startswith(("actor", "event")):
            assert top["heading"] <= (190 if "event_types" not in address else 250), top
        assert top["overrun"] == []
    finally:
        context.close()
