"""Sessions kept apart: each session checks its uploads in a staging folder of its own, which
goes when the session ends or a day after it was last used; an upload a session uses is named
in its address, so a reload reopens it (issue 16)."""

from __future__ import annotations

import gc
import os
import time

import pytest

from components import datastore
from components.ui import data_ui
from tests.apptest_helpers import run_app


@pytest.fixture
def shared_folder(data_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("PROXYLENS_DATA_DIR", str(data_copy))
    monkeypatch.setenv(datastore.CACHE_ENV, str(tmp_path / "cache"))
    return data_copy


def upload(at, name: str, content: bytes):
    at.file_uploader[0].set_value([(name, content, "text/csv")]).run()
    return at


def staged_of(at) -> datastore.Staged:
    return at.session_state[data_ui.STAGED][1]


def test_two_sessions_uploading_the_same_bytes_stage_them_apart(shared_folder):
    content = (shared_folder / "actors.csv").read_bytes() + b"\n"
    first = upload(run_app("app_pages/data.py"), "actors.csv", content)
    second = upload(run_app("app_pages/data.py"), "actors.csv", content)
    assert staged_of(first).folder != staged_of(second).folder
    assert staged_of(first).folder.parent == datastore.staging_root()
    # the same upload again in one session is not staged again
    again = staged_of(first).folder
    first.run()
    assert staged_of(first).folder == again


def test_a_new_upload_clears_the_last_one_unless_the_session_uses_it(shared_folder):
    actors = (shared_folder / "actors.csv").read_bytes()
    at = upload(run_app("app_pages/data.py"), "actors.csv", actors + b"\n")
    replaced = staged_of(at).folder
    upload(at, "actors.csv", actors + b"\n\n")
    assert not replaced.exists()
    next(b for b in at.button if b.key == "use-session").click().run()
    used = staged_of(at).folder
    assert (used / datastore.IN_USE).exists()
    upload(at, "actors.csv", actors + b"\n\n\n")  # another upload in the same session
    assert staged_of(at).folder != used
    assert used.exists()  # the data the session uses stays
    assert any("using uploaded data" in i.body for i in at.info)


def test_a_reload_reopens_the_session_upload_by_its_address(shared_folder):
    edited = (shared_folder / "events.csv").read_bytes().replace("Iran–Iraq War".encode(),
                                                                 b"Gulf War I")
    at = upload(run_app("app_pages/data.py"), "events.csv", edited)
    next(b for b in at.button if b.key == "use-session").click().run()
    token = at.query_params["upload"]
    assert token == datastore.staging_token(staged_of(at).folder)
    reloaded = run_app("app_pages/data.py", params={"upload": token})
    assert any("using uploaded data" in i.body for i in reloaded.info)
    events = next(df.value for df in reloaded.dataframe if "event_id" in df.value.columns)
    assert events["description"].str.contains("Gulf War I").any()
    # another page keeps it too
    reloaded.switch_page("app_pages/overview.py")
    reloaded.run()
    assert reloaded.query_params["upload"] == token


def test_an_address_naming_an_upload_no_longer_kept_says_so(shared_folder):
    at = run_app(params={"upload": "gone-long-ago"})  # the Overview, opened from the address
    assert any("no longer kept" in w.body for w in at.warning)
    assert "upload" not in at.query_params
    at = run_app(params={"upload": "../../etc"})
    assert any("no longer kept" in w.body for w in at.warning)
    assert datastore.staged_folder("../../etc") is None


def test_unused_uploads_go_after_a_day_and_when_their_session_ends(shared_folder):
    old = datastore.stage_upload(shared_folder, [])
    used = datastore.stage_upload(shared_folder, [])
    (used.folder / datastore.IN_USE).touch()
    a_day_ago = time.time() - datastore.STAGING_KEPT_S - 60
    os.utime(old.folder, (a_day_ago, a_day_ago))
    fresh = datastore.stage_upload(shared_folder, [])  # each upload sweeps first
    assert not old.folder.exists() and used.folder.exists() and fresh.folder.exists()
    holder = data_ui._StagingHolder(fresh.folder)
    kept_holder = data_ui._StagingHolder(used.folder)
    del holder, kept_holder
    gc.collect()
    assert not fresh.folder.exists()  # the session ended without using it
    assert used.folder.exists()  # used: its address reopens it until it expires
