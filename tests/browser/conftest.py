"""Browser tests: a Streamlit server on 127.0.0.1 and headless Debian Chromium driven by Playwright.

Each test records console errors and page errors; screenshots go to test-artifacts/.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import PROJECT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = PROJECT / "test-artifacts"
LAUNCH_ARGS = [
    "--no-sandbox", "--enable-unsafe-swiftshader", "--use-angle=swiftshader",
    "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class StreamlitServer:
    """The app in a subprocess on a free loopback port; stopped by its own handle."""

    def __init__(self, data_dir: Path | None = None, app: Path = PROJECT / "app.py",
                 chart_renderer: str = "svg", extra_args: tuple[str, ...] = (),
                 env: dict | None = None):
        """chart_renderer: the tests read the link charts' labels and circles as SVG elements
        (the app's default is a canvas: the benchmark and the screenshots use that)."""
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "PROXYLENS_BASEMAP": "none",
               "PROXYLENS_CHART_RENDERER": chart_renderer, **(env or {})}
        if data_dir is not None:
            env["PROXYLENS_DATA_DIR"] = str(data_dir)
        self.log = ARTIFACTS / f"server-{self.port}.log"
        ARTIFACTS.mkdir(exist_ok=True)
        self._log_handle = self.log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(app),
             "--server.headless", "true", "--server.address", "127.0.0.1",
             "--server.port", str(self.port), "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none", *extra_args],
            cwd=PROJECT, env=env, stdout=self._log_handle, stderr=subprocess.STDOUT,
        )
        self._wait_healthy()

    def _wait_healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited early; see {self.log}")
            try:
                with urllib.request.urlopen(self.url + "/_stcore/health", timeout=2) as answer:
                    if answer.read().decode().strip() == "ok":
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"streamlit did not become healthy in {timeout}s; see {self.log}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log_handle.close()


@pytest.fixture(scope="session")
def playwright_browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed: run `make test`, which installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def server():
    app = StreamlitServer()
    yield app
    app.stop()


class PageWatch:
    """A page plus the console and page errors it produced."""

    def __init__(self, page):
        self.page = page
        self.errors: list[str] = []
        page.on("console", lambda m: self.errors.append(f"console: {m.text}")
                if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))


@pytest.fixture
def browser_page(playwright_browser, request):
    context = playwright_browser.new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    watch = PageWatch(page)
    yield watch
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-last.png"))
    except Exception:  # noqa: BLE001 - the page may already be gone; the screenshot is a bonus
        pass
    context.close()


# --------------------------------------------------------------------------------------------
# Waiting for Streamlit


IDLE_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return app && app.getAttribute('data-test-connection-state') === 'CONNECTED'
    && app.getAttribute('data-test-script-state') === 'notRunning'
    && !document.querySelector('[data-testid="stSkeleton"]');
}"""


def wait_idle(page, timeout: float = 30_000) -> None:
    page.wait_for_function(IDLE_JS, polling="raf", timeout=timeout)


def wait_for(page, js: str, timeout: float = 30_000) -> None:
    """Wait until the app is idle AND the expected content is there."""
    page.wait_for_function(f"() => ({IDLE_JS})() && ({js})", polling="raf", timeout=timeout)


def open_page(watch: PageWatch, url: str, ready_js: str = "true") -> None:
    watch.page.goto(url)
    wait_for(watch.page, ready_js, timeout=60_000)


def full_screenshot(page, name: str) -> Path:
    """Streamlit scrolls inside stMain: grow the viewport to its height for a whole-page shot."""
    height = page.evaluate(
        "() => document.querySelector('[data-testid=\"stMain\"]')?.scrollHeight || 1000")
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": min(int(height) + 40, 6000)})
    path = ARTIFACTS / f"{name}.png"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(size)
    return path


def mark_count(page, chart_index: int, selector: str) -> int:
    return page.evaluate(
        "([i, sel]) => { const c = document.querySelectorAll('[data-testid=\"stVegaLiteChart\"]')[i];"
        " return c ? c.querySelectorAll(sel).length : -1; }", [chart_index, selector])


def drawn_pixels(locator) -> int:
    """How many pixels of an element's screenshot differ from its most common colour."""
    from io import BytesIO

    from PIL import Image

    image = Image.open(BytesIO(locator.screenshot())).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 24)
    background = max(colours)[1]
    return sum(count for count, colour in colours if colour != background)
