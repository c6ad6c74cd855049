"""Browser-measured time from a filter change to every view settled, beside a hello-world floor.

    python -m bench [--rounds N]

Starts each app on 127.0.0.1, drives Debian's Chromium, clicks a toggle N times and times each
click until the page has rerun and shows the new state. Prints a table and writes
docs/benchmarks.md. Figures vary with the machine's load: read medians, not single runs.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from datetime import datetime, timezone
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.browser.conftest import CHROMIUM, LAUNCH_ARGS, StreamlitServer, wait_for

PROJECT = Path(__file__).resolve().parent.parent
REPORT = PROJECT / "docs" / "benchmarks.md"

IDLE = """(() => { const a = document.querySelector('[data-testid="stApp"]');
  return a && a.getAttribute('data-test-script-state') === 'notRunning'
    && !document.querySelector('[data-testid="stSkeleton"]'); })()"""

OVERVIEW_READY = """(() => document.querySelector('[data-testid="stDeckGlJsonChart"] canvas')
  && document.querySelector('[data-testid="stEChartsChart"] canvas')
  && document.querySelectorAll('[data-testid="stVegaLiteChart"] svg').length >= 1)()"""

EVENTS_METRIC = """(() => { const m = [...document.querySelectorAll('[data-testid="stMetric"]')]
  .find(m => m.innerText.startsWith('Events')); return m ? m.innerText.split('\\n').pop().trim() : ''; })()"""


def time_toggle(page, toggle, changed_js: str, rounds: int, ready_js: str = "true") -> list[float]:
    """Seconds from each click to the page showing the new state, idle and fully drawn."""
    timings = []
    for _ in range(rounds):
        before = page.evaluate(changed_js)
        start = time.perf_counter()
        toggle.click()
        page.wait_for_function(
            f"() => ({changed_js}) !== {json.dumps(before)} && {IDLE} && {ready_js}",
            polling="raf", timeout=60_000)
        timings.append(time.perf_counter() - start)
    return timings


def bench_hello(browser, rounds: int) -> list[float]:
    # the floor keeps Streamlit's own runner: ProxyLens's config turns off the collection after
    # every run, which made the floor itself cheaper (65 ms against 95, back to back) and so
    # hid what the app gained from it
    server = StreamlitServer(app=PROJECT / "bench" / "hello_app.py",
                             extra_args=("--runner.postScriptGC", "true"))
    page = None
    try:
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.goto(server.url)
        wait_for(page, "document.body.innerText.includes('The switch is')", timeout=60_000)
        text = "document.body.innerText.includes('The switch is on') ? 'on' : 'off'"
        toggle = page.get_by_text("Switch", exact=True)
        time_toggle(page, toggle, text, 2)  # warm-up
        return time_toggle(page, toggle, text, rounds)
    finally:
        if page is not None:  # an open page would keep reconnecting to a stopped server
            page.close()
        server.stop()


def bench_proxylens(browser, rounds: int, data_dir: Path | None = None,
                    actor: str = "Special+Groups") -> list[float]:
    server = StreamlitServer(data_dir=data_dir, chart_renderer="canvas")  # what users get
    page = None
    try:
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.goto(f"{server.url}/?actors={actor}")
        wait_for(page, OVERVIEW_READY, timeout=300_000)
        toggle = page.get_by_text("Include directly linked actors")
        time_toggle(page, toggle, EVENTS_METRIC, 2, OVERVIEW_READY)  # warm-up: fills the caches
        return time_toggle(page, toggle, EVENTS_METRIC, rounds, OVERVIEW_READY)
    finally:
        if page is not None:  # an open page would keep reconnecting to a stopped server
            page.close()
        server.stop()


def bench_fresh_filters(browser, rounds: int, data_dir: Path | None = None) -> list[float]:
    """Seconds from choosing one more event type in the sidebar to every view settled: each
    round is a filter value the server has never seen, so nothing comes from a cache."""
    from components import loader, selection

    types = selection.filter_options(loader.load_dataset(data_dir or PROJECT / "data").dataset
                                     ).event_types
    server = StreamlitServer(data_dir=data_dir, chart_renderer="canvas")  # what users get
    page = None
    try:
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.goto(server.url)
        wait_for(page, OVERVIEW_READY, timeout=300_000)
        box = page.locator('[data-testid="stMultiSelect"]').filter(
            has_text="Event types").locator("input")
        timings = []
        for name in types[:rounds]:
            before = page.evaluate(EVENTS_METRIC)
            box.click()
            box.fill(name)
            start = time.perf_counter()
            page.keyboard.press("Enter")
            page.wait_for_function(
                f"() => ({EVENTS_METRIC}) !== {json.dumps(before)} && {IDLE} && {OVERVIEW_READY}",
                polling="raf", timeout=60_000)
            timings.append(time.perf_counter() - start)
            page.keyboard.press("Escape")
        return timings
    finally:
        if page is not None:  # an open page would keep reconnecting to a stopped server
            page.close()
        server.stop()


def summary(timings: list[float]) -> dict[str, float]:
    ordered = sorted(timings)
    return {
        "median_ms": 1000 * statistics.median(ordered),
        "p90_ms": 1000 * ordered[max(0, int(round(0.9 * len(ordered))) - 1)],
        "min_ms": 1000 * ordered[0],
    }


def write_report(hello: dict, app: dict, rounds: int, scale: dict | None = None,
                 browser_by_size: dict | None = None, fresh: dict | None = None) -> str:
    ratio = app["median_ms"] / hello["median_ms"]
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Benchmarks",
        "",
        "Measured by `python -m bench` (or `make bench`): headless Chromium clicks a toggle and",
        "the clock stops when the page has rerun, is idle and shows the new state. ProxyLens is",
        "measured on the Overview (map, network, timeline and counts) with the shipped data, by",
        "switching \"Include directly linked actors\" with the Special Groups selected, so every",
        "view changes. The floor is a one-toggle hello-world Streamlit app on the same machine.",
        "",
        f"Run: {when}, {rounds} clicks each, {platform.machine()}, Python {platform.python_version()}.",
        "",
        "| app | median (ms) | p90 (ms) | fastest (ms) |",
        "| --- | ---: | ---: | ---: |",
        f"| hello-world floor | {hello['median_ms']:.0f} | {hello['p90_ms']:.0f} | {hello['min_ms']:.0f} |",
        f"| ProxyLens overview, filter change | {app['median_ms']:.0f} | {app['p90_ms']:.0f} | {app['min_ms']:.0f} |",
        "",
        f"Ratio of medians: **{ratio:.2f}x** the floor (target: at most 2x).",
        "",
        "Where that time goes in the browser (a Chromium performance trace, `python -m",
        "bench.trace`), what was done about it and why 2x is out of reach today:",
        "[browser-time.md](browser-time.md).",
        "",
        "Many sessions at once (the server's rerun times and a new session's first page, 1 to 50",
        "sessions, one process or two behind HAProxy; `python -m bench.load`):",
        "[benchmarks-load.md](benchmarks-load.md).",
        "",
    ]
    if scale:
        from bench.scale import table

        lines += [
            "## Synthetic data at scale",
            "",
            "`python -m bench.generate` folders (Parquet), measured by `python -m bench.scale` in a",
            "fresh process per size: load time; after an event-type filter change the page has not",
            "seen (median of 3), the filtering and aggregation behind the page (the core functions",
            "alone) and the whole server rerun (AppTest: widgets, chart specs, serialisation); the",
            "bytes the page's charts and tables send; and the process's peak memory (which includes",
            "AppTest itself). Spark runs in local mode on this machine's cores, its JVM apart from",
            "the Python process (so not in its peak memory). Ten million events:",
            "[benchmarks-10m.md](benchmarks-10m.md).",
            "",
            table(scale),
            "",
        ]
    if browser_by_size:
        lines += ["Browser-measured, Overview, filter change to every view settled (median ms),",
                  "toggling \"Include directly linked actors\" with one actor chosen (both states",
                  "seen once before, as when an analyst flips between two views):", ""]
        lines += [f"- {size:,} events: {figures['median_ms']:.0f} ms (p90 {figures['p90_ms']:.0f})"
                  for size, figures in browser_by_size.items()]
        lines.append("")
    if fresh:
        lines += ["Browser-measured, Overview, adding one more event type in the sidebar, eight",
                  "times in a row: every step is a filter value the server has never seen, so",
                  "nothing comes from a cache (median ms):", ""]
        lines += [f"- {size if isinstance(size, str) else f'{size:,} events'}: "
                  f"{figures['median_ms']:.0f} ms (p90 {figures['p90_ms']:.0f})"
                  for size, figures in fresh.items()]
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--sizes", default="10000,100000,1000000",
                        help="synthetic sizes to measure too; empty for the shipped data only")
    parser.add_argument("--spark-sizes", default="10000",
                        help="synthetic sizes measured on Spark (local mode) too; empty for none")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    scale = None
    if sizes:
        from bench.scale import ensure_folder, measure

        scale = {(size, "duckdb"): measure(size) for size in sizes}
        scale.update({(int(size), "spark"): measure(int(size), "spark")
                      for size in args.spark_sizes.split(",") if size.strip()})
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        hello = summary(bench_hello(browser, args.rounds))
        app = summary(bench_proxylens(browser, args.rounds))
        by_size = {size: summary(bench_proxylens(browser, 5, ensure_folder(size),
                                                 actor="Group+00001"))
                   for size in sizes}
        fresh = {"shipped": summary(bench_fresh_filters(browser, 8))}
        fresh.update({size: summary(bench_fresh_filters(browser, 8, ensure_folder(size)))
                      for size in sizes})
        browser.close()
    report = write_report(hello, app, args.rounds, scale, by_size, fresh)
    print(report)
    if not args.no_write:
        REPORT.parent.mkdir(exist_ok=True)
        REPORT.write_text(report, encoding="utf-8")
        print(f"written to {REPORT.relative_to(PROJECT)}")


if __name__ == "__main__":
    main()
