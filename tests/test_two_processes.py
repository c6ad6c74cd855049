"""Past one process: two ProxyLens processes serve one data folder behind HAProxy (sticky
sessions by cookie), and what is saved to the folder is seen by sessions of both (issue 16).
The app keeps no state of its own outside sessions and caches keyed on the folder's version;
saves lock and journal across processes (components.datastore)."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import time
import urllib.request

import pytest

from bench import load
from components import datastore
from tests.browser.conftest import ARTIFACTS, StreamlitServer
from tests.conftest import read_rows, write_rows

HAPROXY = shutil.which("haproxy") or (os.path.exists("/usr/sbin/haproxy") and "/usr/sbin/haproxy")
if not HAPROXY and os.environ.get("PROXYLENS_REQUIRE_HAPROXY") == "1":
    pytest.fail("HAProxy is required here (make test installs it from Debian's packages)",
                pytrace=False)
pytestmark = pytest.mark.skipif(not HAPROXY, reason="HAProxy is not installed "
                                "(make test installs it from Debian's packages)")

CONFIG = """global
    maxconn 256
defaults
    mode http
    timeout connect 5s
    timeout client 300s
    timeout server 300s
    timeout tunnel 1h
frontend proxylens
    bind 127.0.0.1:{port}
    default_backend apps
backend apps
    balance roundrobin
    cookie PROXYLENS_SERVER insert indirect nocache
    server a 127.0.0.1:{a} cookie a check
    server b 127.0.0.1:{b} cookie b check
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def balanced(data_copy, tmp_path):
    """Two app processes on one data folder, and HAProxy in front of them."""
    env = {"PROXYLENS_CACHE_DIR": str(tmp_path / "cache")}
    apps = [StreamlitServer(data_dir=data_copy, env=env) for _ in range(2)]
    port = _free_port()
    config = tmp_path / "haproxy.cfg"
    config.write_text(CONFIG.format(port=port, a=apps[0].port, b=apps[1].port))
    log = (ARTIFACTS / f"haproxy-{port}.log").open("w")
    proxy = subprocess.Popen([HAPROXY, "-f", str(config), "-db"], stdout=log,
                             stderr=subprocess.STDOUT)
    try:
        _wait_for(f"http://127.0.0.1:{port}/_stcore/health")
        yield f"http://127.0.0.1:{port}", data_copy
    finally:
        proxy.terminate()
        proxy.wait(timeout=10)
        log.close()
        for app in apps:
            app.stop()


def _wait_for(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer in {timeout} s")


def _sticky_cookie(url: str) -> str:
    """The cookie HAProxy hands a new browser: which process it stays with."""
    with urllib.request.urlopen(url + "/") as answer:
        cookie = answer.headers.get("Set-Cookie", "")
    return cookie.split(";", 1)[0]


class StickySession(load.Session):
    def __init__(self, url: str, cookie: str) -> None:
        super().__init__(url)
        self.cookie = cookie

    async def open(self) -> float:
        import websockets

        start = time.perf_counter()
        self.socket = await websockets.connect(
            self.url, subprotocols=["streamlit"], max_size=None, open_timeout=120,
            additional_headers={"Cookie": self.cookie})
        await self._run("")
        return time.perf_counter() - start


def test_two_processes_serve_one_folder_and_both_see_a_save(balanced):
    url, folder = balanced
    cookies = [_sticky_cookie(url) for _ in range(2)]
    assert sorted(cookies) == ["PROXYLENS_SERVER=a", "PROXYLENS_SERVER=b"]  # one each
    rows = read_rows(folder / "events.csv")

    async def both(query: str = "") -> list[str]:
        sessions = [StickySession(url, cookie) for cookie in cookies]
        try:
            for session in sessions:
                await session.open()
                if query:
                    await session.change(query)
            return [session.metrics["Events"] for session in sessions]
        finally:
            for session in sessions:
                await session.close()

    assert asyncio.run(both()) == [str(len(rows) - 1)] * 2
    # a save of the events, as the Data page's button makes it (datastore.save_files), from
    # a third process: each app process reads the new version on its next rerun
    fewer = folder.parent / "fewer.csv"
    write_rows(fewer, rows[:-5])
    datastore.save_files(folder, {"events.csv": fewer.read_bytes()})
    assert asyncio.run(both()) == [str(len(rows) - 6)] * 2
    assert asyncio.run(both("event_types=kidnapping")) == [
        str(sum(1 for row in rows[1:-5] if "kidnapping" in row))] * 2
