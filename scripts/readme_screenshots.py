"""Take the README's screenshots: Overview, Map, Network and Timeline, offline.

    python scripts/readme_screenshots.py [--width 1600 --height 1000]

Starts ProxyLens on 127.0.0.1 with no basemap tiles (PROXYLENS_BASEMAP=none, as in a briefing
room without internet), opens each page in headless Debian Chromium and writes
docs/screenshot-<page>.png. The server is stopped by its own handle when done.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from tests.browser.conftest import CHROMIUM, LAUNCH_ARGS, StreamlitServer, wait_for  # noqa: E402

PAGES = {
    "overview": ("", "document.querySelector('[data-testid=\"stDeckGlJsonChart\"] canvas')"),
    "map": ("map", "document.querySelector('[data-testid=\"stDeckGlJsonChart\"] canvas')"),
    "network": ("network", "document.body.innerText.includes('relations')"),
    "timeline": ("timeline", "document.body.innerText.includes('The whole record')"),
}


def take(width: int, height: int, out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    server = StreamlitServer(chart_renderer="canvas")  # what users see
    written = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                 args=LAUNCH_ARGS)
            page = browser.new_page(viewport={"width": width, "height": height})
            for name, (path, ready) in PAGES.items():
                page.goto(f"{server.url}/{path}")
                wait_for(page, ready, timeout=60_000)
                page.wait_for_timeout(1500)  # deck.gl and Vega finish drawing
                target = out / f"screenshot-{name}.png"
                page.screenshot(path=str(target))
                written.append(target)
            browser.close()
    finally:
        server.stop()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--width", type=int, default=1600)
    parser.add_argument("--height", type=int, default=1000)
    args = parser.parse_args()
    for path in take(args.width, args.height, PROJECT / "docs"):
        print(path.relative_to(PROJECT))


if __name__ == "__main__":
    main()
