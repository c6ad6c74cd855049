"""Several ProxyLens processes behind HAProxy (sticky sessions by cookie), on 127.0.0.1: for
bench.load and tests/test_two_processes.py. docs/scaling.md shows the same set-up by hand."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from bench import load
from tests.browser.conftest import ARTIFACTS, StreamlitServer

CONFIG = """global
    maxconn 1024
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
    cookie proxylens_process insert indirect nocache
{servers}
"""


def haproxy() -> str | None:
    found = shutil.which("haproxy")
    return found or ("/usr/sbin/haproxy" if os.path.exists("/usr/sbin/haproxy") else None)


class Balanced:
    """`processes` app processes on one data folder, and HAProxy in front; stop() ends all."""

    def __init__(self, processes: int, data_dir: Path | None = None, env: dict | None = None,
                 scratch: Path | None = None, extra_args: tuple[str, ...] = ()) -> None:
        self.apps: list[StreamlitServer] = []
        try:
            for _ in range(processes):
                self.apps.append(StreamlitServer(data_dir=data_dir, env=env,
                                                 extra_args=extra_args))
        except BaseException:
            for app in self.apps:  # those started are stopped, whatever failed
                app.stop()
            raise
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        servers = "\n".join(f"    server p{i} 127.0.0.1:{app.port} cookie p{i} check"
                            for i, app in enumerate(self.apps))
        ARTIFACTS.mkdir(exist_ok=True)
        self.config = (scratch or ARTIFACTS) / f"haproxy-{self.port}.cfg"
        self.config.write_text(CONFIG.format(port=self.port, servers=servers))
        self._log = (ARTIFACTS / f"haproxy-{self.port}.log").open("w")
        self.proxy = None
        try:
            self.proxy = subprocess.Popen([haproxy(), "-f", str(self.config), "-db"],
                                          stdout=self._log, stderr=subprocess.STDOUT)
            _wait_for(self.url + "/_stcore/health")
        except BaseException:
            self.stop()
            raise

    def cookie(self) -> str:
        """The cookie HAProxy hands a new browser: the process it stays with."""
        with urllib.request.urlopen(self.url + "/") as answer:
            return answer.headers.get("Set-Cookie", "").split(";", 1)[0]

    def stop(self) -> None:
        if self.proxy is not None:
            self.proxy.terminate()
            try:
                self.proxy.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proxy.kill()
        self._log.close()
        for app in self.apps:
            app.stop()


class StickySession(load.Session):
    """A session that presents HAProxy's cookie, so it stays with one process."""

    def __init__(self, url: str, cookie: str) -> None:
        super().__init__(url)
        self.headers = {"Cookie": cookie} if cookie else {}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer in {timeout} s")
