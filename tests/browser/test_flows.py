"""The Flows page in Chromium: the sankey draws Iran's flows (its labels are SVG text here),
a click on an actor filters every view to it, and the PNG download is a picture."""

from __future__ import annotations

import pytest

from tests.browser.conftest import full_screenshot, open_page, wait_for
from tests.browser.test_dashboard import real_errors

pytestmark = pytest.mark.browser

# an actor's name wraps onto lines of their own (ECharts draws each line as a text element with
# the label's transform): the labels, each with its lines joined and its box
LABELS = """() => {
  const groups = new Map();
  for (const t of document.querySelectorAll('[data-testid="stEChartsChart"] svg text')) {
    const key = t.getAttribute('transform');
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(t);
  }
  return [...groups.values()].map(lines => {
    const boxes = lines.map(t => t.getBoundingClientRect());
    return {text: lines.map(t => t.textContent.trim()).join(' ').replace(/\\s+/g, ' ').trim(),
            x0: Math.min(...boxes.map(b => b.left)), x1: Math.max(...boxes.map(b => b.right)),
            y: (Math.min(...boxes.map(b => b.top)) + Math.max(...boxes.map(b => b.bottom))) / 2,
            first: lines[0]};
  });
}"""
HAS_FLOWS = f"({LABELS})().some(label => label.text === 'Lebanese Hezbollah')"


def label_box(page, name: str) -> dict:
    return page.evaluate(f"""(name) => {{
      const label = ({LABELS})().find(label => label.text === name);
      if (!label) return null;
      label.first.scrollIntoView({{block: 'center'}});
      const again = ({LABELS})().find(l => l.text === name);
      return {{x0: again.x0, x1: again.x1, y: again.y}};
    }}""", name)


def test_the_flows_draw_and_a_click_filters_every_view(server, browser_page):
    page = browser_page.page
    open_page(browser_page, f"{server.url}/flows", HAS_FLOWS)
    page.wait_for_timeout(500)
    texts = [label["text"] for label in page.evaluate(LABELS)]
    # long names wrap within the room between two columns, whole (none cut with an ellipsis)
    assert {"Iran", "IRGC-Qods Force", "Special Groups", "Multi-National Force – Iraq",
            "Lebanese Hezbollah", "Hezbollah Unit 3800", "Iranian intelligence officers"} <= set(
        texts)
    assert not any(t.endswith("…") for t in texts)
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
