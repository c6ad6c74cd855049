"""The readable link chart in Chromium: no two visible labels overlap (their text boxes, as
drawn in the page), the camps are apart, hovering an actor names it and fades what it is not
linked to, the wheel zooms, and the pages show no console error.

The chart is an ECharts graph drawn as SVG: each node is a circle path, each label a text
element (a two-line label is two), so the page itself says what is shown and where."""

from __future__ import annotations

import itertools

import pytest

from tests.browser.conftest import StreamlitServer, full_screenshot, open_page, wait_for
from tests.browser.test_dashboard import HAS_NETWORK, real_errors

pytestmark = pytest.mark.browser

CHART = '[data-testid="stEChartsChart"]'

LABELS_JS = """(i) => {
  const chart = document.querySelectorAll('[data-testid="stEChartsChart"]')[i];
  if (!chart) return null;
  return [...chart.querySelectorAll('svg text')].filter(t => {
      const s = getComputedStyle(t);
      return s.display !== 'none' && s.visibility !== 'hidden' && +(s.opacity || 1) > 0
        && +(t.getAttribute('opacity') ?? 1) > 0 && t.textContent.trim() !== '';
    }).map(t => { const r = t.getBoundingClientRect();
      return {text: t.textContent, x0: r.left, y0: r.top, x1: r.right, y1: r.bottom}; });
}"""

# a node is a circle: a path drawn with an arc ('M ... A ...'); lines are curves, arrow heads
# polygons
NODES_JS = """(i) => {
  const chart = document.querySelectorAll('[data-testid="stEChartsChart"]')[i];
  if (!chart) return [];
  return [...chart.querySelectorAll('svg path')].filter(p =>
      ((p.getAttribute('d') || '').match(/[A-Za-z]/g) || []).join('') === 'MA')
    .map(p => { const r = p.getBoundingClientRect();
      return {x: r.left + r.width / 2, y: r.top + r.height / 2, w: r.width,
              opacity: +(p.getAttribute('opacity') ?? 1) * +(p.getAttribute('fill-opacity') ?? 1)}; })
    .filter(n => n.w > 1);
}"""

TOOLTIP_JS = """() => [...document.querySelectorAll('[data-testid="stEChartsChart"] div')]
  .filter(d => getComputedStyle(d).position === 'absolute' && getComputedStyle(d).display !== 'none'
    && +getComputedStyle(d).opacity > 0 && d.innerText.trim())
  .map(d => d.innerText).join('\\n')"""


def network_labels(page, index: int = 0) -> list[dict]:
    return page.evaluate(LABELS_JS, index) or []


def network_nodes(page, index: int = 0) -> list[dict]:
    return page.evaluate(NODES_JS, index)


def overlapping_labels(labels: list[dict], tolerance: float = 1.0) -> list[tuple[str, str]]:
    """Pairs of labels whose boxes overlap by more than `tolerance` pixels both ways (the two
    lines of one label touch, they do not overlap)."""
    clashes = []
    for a, b in itertools.combinations(labels, 2):
        dx = min(a["x1"], b["x1"]) - max(a["x0"], b["x0"])
        dy = min(a["y1"], b["y1"]) - max(a["y0"], b["y0"])
        if dx > tolerance and dy > tolerance:
            clashes.append((a["text"], b["text"]))
    return clashes


def find_actor(page, name: str, index: int = 0) -> dict:
    """The node drawn for an actor: scroll its label into view, then hover the circles nearest
    to it until the tooltip names the actor."""
    page.locator(CHART).nth(index).locator("svg text", has_text=name).first.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    label = next(lab for lab in network_labels(page, index) if lab["text"] == name)
    cx, cy = (label["x0"] + label["x1"]) / 2, (label["y0"] + label["y1"]) / 2
    nodes = sorted(network_nodes(page, index),
                   key=lambda n: (n["x"] - cx) ** 2 + (n["y"] - cy) ** 2)
    shown = ""
    for node in nodes[:8]:
        _pointer_off_chart(page)
        page.mouse.move(node["x"], node["y"])
        shown = _settled_tooltip(page)
        if _first_line(shown) == name:
            return {**node, "tooltip": shown}
    raise AssertionError(f"no node of the chart is {name!r} (last tooltip: {shown!r})")


def _first_line(text: str) -> str:
    return text.split("\n")[0].strip()


def _pointer_off_chart(page, timeout_ms: int = 1500) -> None:
    """The pointer away from the chart and its tooltip gone, so the next tooltip read is the
    next node's: on a slow, shared machine the last one can still be fading out (CI once read
    Daqduq's while hovering the IRGC-Qods Force)."""
    page.mouse.move(5, 5)
    for _ in range(timeout_ms // 100):
        if not page.evaluate(TOOLTIP_JS).strip():
            return
        page.wait_for_timeout(100)


def _settled_tooltip(page, timeout_ms: int = 2500) -> str:
    """The tooltip once it shows and two looks 100 ms apart agree (it can trail the pointer by
    more than a frame)."""
    last = None
    for _ in range(timeout_ms // 100):
        page.wait_for_timeout(100)
        tip = page.evaluate(TOOLTIP_JS)
        if tip.strip() and tip == last:
            return tip
        last = tip
    return last or ""


def click_actor(page, name: str, index: int = 0) -> None:
    node = find_actor(page, name, index)
    page.mouse.click(node["x"], node["y"])


@pytest.mark.parametrize("path, least", [("network", 55), ("", 25)],
                         ids=["network", "overview"])
def test_no_two_visible_labels_overlap(server, browser_page, path, least):
    page = browser_page.page
    open_page(browser_page, f"{server.url}/{path}", HAS_NETWORK)
    page.wait_for_timeout(800)  # ECharts lays labels out on its first frames
    labels = network_labels(page)
    assert len(labels) >= least  # most actors are named
    assert overlapping_labels(labels) == []
    full_screenshot(page, f"network-labels-{path or 'overview'}")
    assert real_errors(browser_page) == []


def open_network(server, browser_page):
    """The Network page, its chart drawn and its labels laid out."""
    open_page(browser_page, f"{server.url}/network", HAS_NETWORK)
    browser_page.page.wait_for_timeout(500)
    return browser_page.page


def test_the_camps_are_apart_on_screen(server, browser_page):
    page = open_network(server, browser_page)
    qods = find_actor(page, "IRGC-Qods Force")
    sadr = find_actor(page, "Muqtada al-Sadr")
    bush = find_actor(page, "George W. Bush")
    coalition_x = find_actor(page, "U.S. forces")["x"]
    assert max(qods["x"], sadr["x"]) < min(coalition_x, bush["x"])
    header = page.locator('[data-testid="stMarkdown"]').filter(has_text="Iran and its partners")
    assert header.count() >= 1
    assert real_errors(browser_page) == []


def test_hover_names_the_actor_and_fades_the_rest_and_the_wheel_zooms(server, browser_page):
    page = open_network(server, browser_page)
    node = find_actor(page, "Ali Mussa Daqduq")
    assert "Click to filter every view to this actor" in node["tooltip"]
    page.wait_for_timeout(300)
    faded = [n for n in network_nodes(page) if n["opacity"] < 0.5]
    assert len(faded) > 30  # everything not linked to Daqduq steps back
    page.mouse.move(5, 5)  # off the chart
    page.wait_for_timeout(400)
    spread = _spread(network_nodes(page))
    # the wheel scrolls the page until the pointer rests on the chart, then zooms
    qods = find_actor(page, "IRGC-Qods Force")
    page.mouse.move(qods["x"] + 40, qods["y"] + 40)
    page.wait_for_timeout(1000)
    for _ in range(4):
        page.mouse.wheel(0, -150)
        page.wait_for_timeout(120)
    page.wait_for_timeout(600)
    after = network_nodes(page)
    assert _spread(after) > spread * 1.3  # zoomed in: the actors move apart
    assert overlapping_labels(network_labels(page)) == []  # labels still never overlap
    assert real_errors(browser_page) == []


def _spread(nodes: list[dict]) -> float:
    xs = [n["x"] for n in nodes]
    return max(xs) - min(xs)


def test_clicking_an_actor_narrows_the_network_to_it(server, browser_page):
    page = open_network(server, browser_page)
    before = len(network_nodes(page))
    click_actor(page, "Qais Khazali")
    page.get_by_role("button", name="Actor: Qais Khazali").wait_for(timeout=30_000)
    wait_for(page, f"{HAS_NETWORK} && document.body.innerText.includes('Open the profile of')")
    page.wait_for_timeout(500)
    names = {lab["text"] for lab in network_labels(page)}
    assert "Qais Khazali" in names
    assert 1 < len(network_nodes(page)) < before
    assert real_errors(browser_page) == []


# --------------------------------------------------------------------------------------------
# The app's default: the chart drawn on a canvas (the tests above read it as SVG)


@pytest.fixture(scope="module")
def canvas_server():
    app = StreamlitServer(chart_renderer="canvas")
    yield app
    app.stop()


HAS_CANVAS_CHART = "document.querySelector('[data-testid=\"stEChartsChart\"] canvas')"

# how many sampled pixels carry ink (not white, not transparent), and a checksum of them all
CANVAS_INK_JS = """() => {
  const c = document.querySelector('[data-testid="stEChartsChart"] canvas');
  if (!c) return null;
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let ink = 0, sum = 0;
  for (let i = 0; i < d.length; i += 4) {
    if (d[i + 3] > 0 && (d[i] < 200 || d[i + 1] < 200 || d[i + 2] < 200)) ink++;
    sum = (sum * 31 + d[i] + 7 * d[i + 1] + 13 * d[i + 2] + d[i + 3]) % 1000000007;
  }
  return {ink, sum};
}"""


def test_by_default_the_chart_is_a_canvas_redrawn_in_place_when_the_filters_change(
        canvas_server, browser_page):
    """The default renderer draws circles, lines and labels on one canvas; a filter change
    redraws that same canvas (the chart keeps its identity: no new chart is built)."""
    page = browser_page.page
    open_page(browser_page, f"{canvas_server.url}/network?actors=Special+Groups",
              HAS_CANVAS_CHART)
    page.wait_for_timeout(800)
    assert page.locator('[data-testid="stEChartsChart"] svg').count() == 0
    before = page.evaluate(CANVAS_INK_JS)
    assert before["ink"] > 3000  # circles, lines and labels
    page.evaluate(f"() => {{ window.chartCanvas = {HAS_CANVAS_CHART}; }}")
    page.get_by_text("Include directly linked actors").click()
    wait_for(page, f"{HAS_CANVAS_CHART} && document.body.innerText.includes('Linked actors')")
    page.wait_for_timeout(800)
    after = page.evaluate(CANVAS_INK_JS)
    assert after["sum"] != before["sum"] and after["ink"] > before["ink"]  # more actors drawn
    assert page.evaluate(f"() => window.chartCanvas === {HAS_CANVAS_CHART}")
    assert real_errors(browser_page) == []
