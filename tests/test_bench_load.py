"""bench.load's sessions speak to a real server as a browser would: what they ask for is what
the server runs (no timing is asserted; bench.load reports times)."""

from __future__ import annotations


import pytest

from bench import load
from tests.browser.conftest import StreamlitServer
from tests.conftest import DATA, read_rows


@pytest.fixture(scope="module")
def server():
    app = StreamlitServer()
    yield app
    app.stop()


def test_a_session_opens_the_overview_and_its_filter_changes_apply(server):
    kidnappings = sum(1 for row in read_rows(DATA / "events.csv")[1:] if "kidnapping" in row)

    async def converse():
        session = load.Session(server.url)
        try:
            await session.open()
            opened = dict(session.metrics)
            await session.change("event_types=kidnapping")
            return opened, dict(session.metrics)
        finally:
            await session.close()

    opened, filtered = load.run(converse())
    assert opened["Events"] == str(len(read_rows(DATA / "events.csv")) - 1)
    assert filtered["Events"] == str(kidnappings)


def test_many_sessions_are_measured_together(server):
    row = load.run(load.many(server.url, 3, 2, (0, 0.05)))
    assert row["sessions"] == 3 and row["reruns"] == 6
    assert 0 < row["rerun_median"] <= row["rerun_p95"]
