"""Past one process: two ProxyLens processes serve one data folder behind HAProxy (sticky
sessions by cookie), and what is saved to the folder is seen by sessions of both (issue 16).
The app keeps no state of its own outside sessions and caches keyed on the folder's version;
saves lock and journal across processes (components.datastore)."""

from __future__ import annotations

import os

import pytest

from bench import load
from bench.balancer import Balanced, StickySession, haproxy
from components import datastore
from tests.conftest import read_rows, write_rows

HAPROXY = haproxy()
if not HAPROXY and os.environ.get("PROXYLENS_REQUIRE_HAPROXY") == "1":
    pytest.fail("HAProxy is required here (make test installs it from Debian's packages)",
                pytrace=False)
pytestmark = pytest.mark.skipif(not HAPROXY, reason="HAProxy is not installed "
                                "(make test installs it from Debian's packages)")


@pytest.fixture
def balanced(data_copy, tmp_path):
    """Two app processes on one data folder, and HAProxy in front of them."""
    both = Balanced(2, data_dir=data_copy, env={"PROXYLENS_CACHE_DIR": str(tmp_path / "cache")},
                    scratch=tmp_path)
    try:
        yield both, data_copy
    finally:
        both.stop()


def test_two_processes_serve_one_folder_and_both_see_a_save(balanced, tmp_path, monkeypatch):
    both, folder = balanced
    monkeypatch.setenv("PROXYLENS_CACHE_DIR", str(tmp_path / "cache"))  # the apps' state folder
    url = both.url
    cookies = [both.cookie() for _ in range(2)]
    assert sorted(cookies) == ["proxylens_process=p0", "proxylens_process=p1"]  # one each
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

    assert load.run(both()) == [str(len(rows) - 1)] * 2
    # a save of the events, as the Data page's button makes it (datastore.save_files), from
    # a third process: each app process reads the new version on its next rerun
    fewer = folder.parent / "fewer.csv"
    write_rows(fewer, rows[:-5])
    datastore.save_files(folder, {"events.csv": fewer.read_bytes()})
    assert load.run(both()) == [str(len(rows) - 6)] * 2
    assert load.run(both("event_types=kidnapping")) == [
        str(sum(1 for row in rows[1:-5] if "kidnapping" in row))] * 2
