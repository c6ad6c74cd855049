"""Past one process, through the app itself: a writer saves on the Data page of one ProxyLens
process behind HAProxy, and a session held by the other process sees the saved version on
its next rerun (tests/test_two_processes.py saves from outside the apps)."""

from __future__ import annotations

import pytest

from bench import load
from bench.balancer import Balanced, StickySession
from tests.apptest_helpers import WRITER_PASSWORD
from tests.browser.conftest import wait_for
from tests.conftest import read_rows, write_rows
from tests.test_two_processes import HAPROXY

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not HAPROXY, reason="HAProxy is not installed (make test "
                                 "installs it from Debian's packages)")]


@pytest.fixture
def balanced(data_copy, tmp_path):
    secrets_file = tmp_path / "secrets.toml"
    secrets_file.write_text(f'[proxylens]\nwrite_password = "{WRITER_PASSWORD}"\n',
                            encoding="utf-8")
    both = Balanced(2, data_dir=data_copy, scratch=tmp_path,
                    env={"PROXYLENS_CACHE_DIR": str(tmp_path / "cache"), "PROXYLENS_WRITE": "on"},
                    extra_args=("--secrets.files", str(secrets_file)))
    try:
        yield both, data_copy
    finally:
        both.stop()


def test_a_save_on_one_process_data_page_is_seen_by_a_session_of_the_other(
        balanced, tmp_path, playwright_browser):
    both, folder = balanced
    rows = read_rows(folder / "events.csv")
    fewer = tmp_path / "upload" / "events.csv"
    fewer.parent.mkdir()
    write_rows(fewer, rows[:-5])

    async def events_seen_by(cookie: str) -> str:
        session = StickySession(both.url, cookie)
        try:
            await session.open()
            return session.metrics["Events"]
        finally:
            await session.close()

    assert load.run(events_seen_by("proxylens_process=p1")) == str(len(rows) - 1)

    context = playwright_browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_cookies([{"name": "proxylens_process", "value": "p0", "url": both.url}])
    try:
        page = context.new_page()
        page.goto(f"{both.url}/data")
        wait_for(page, "document.body.innerText.includes('Swap in updated files')", 60_000)
        page.locator('input[aria-label="Writer\'s password"]').fill(WRITER_PASSWORD)
        page.get_by_role("button", name="Sign in to save or restore").click()
        wait_for(page, "document.body.innerText.includes('Signed in as a writer')")
        page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
            str(fewer))
        # the save removes five events: said in red, and held until confirmed
        page.get_by_text("I mean to remove these rows").wait_for(timeout=30_000)
        save = page.get_by_role("button", name="Save to the data folder")
        assert save.is_disabled()
        page.get_by_text("I mean to remove these rows").click()
        wait_for(page, "[...document.querySelectorAll('button')].some(b => "
                 "b.innerText.includes('Save to the data folder') && !b.disabled)")
        save.click()
        wait_for(page, "document.body.innerText.includes('Saved')", 60_000)
    finally:
        context.close()

    assert len(read_rows(folder / "events.csv")) == len(rows) - 5  # on disk, by process p0
    # the other process, which never saw the upload, reads the saved version
    assert load.run(events_seen_by("proxylens_process=p1")) == str(len(rows) - 6)
    assert load.run(events_seen_by("proxylens_process=p0")) == str(len(rows) - 6)
