"""Who may write: reading is open, writing is off unless turned on and then needs a sign-in;
the server listens on this machine only unless told otherwise (issue 16)."""

from __future__ import annotations

import subprocess

import pytest

from components import access
from tests.apptest_helpers import WRITER_PASSWORD, open_export_menu, run_app, sign_in_as_writer
from tests.conftest import PROJECT


def test_writing_is_off_unless_turned_on_and_a_sign_in_is_configured():
    secrets = {"proxylens": {"write_password": "s3cret"}}
    off = access.write_policy(secrets, environ={})
    assert off.method is None and "PROXYLENS_WRITE=on" in off.reason
    assert access.write_policy(secrets, environ={"PROXYLENS_WRITE": "on"}).method == "password"
    oidc = {"auth": {"client_id": "x"}, "proxylens": {"writers": ["@example.org"]}}
    assert access.write_policy(oidc, environ={"PROXYLENS_WRITE": "on"}).method == "oidc"
    # an [auth] section with no writers list falls back to the password, if there is one
    both = {"auth": {"client_id": "x"}, **secrets}
    assert access.write_policy(both, environ={"PROXYLENS_WRITE": "on"}).method == "password"
    unconfigured = access.write_policy({}, environ={"PROXYLENS_WRITE": "on"})
    assert unconfigured.method is None and "no sign-in is configured" in unconfigured.reason
    blank = access.write_policy({"proxylens": {"write_password": "  "}},
                                environ={"PROXYLENS_WRITE": "on"})
    assert blank.method is None  # an empty password is no password


def test_the_password_is_compared_whole():
    secrets = {"proxylens": {"write_password": "s3cret"}}
    assert access.password_matches(secrets, "s3cret")
    assert not any(access.password_matches(secrets, attempt)
                   for attempt in ("", "s3cre", "s3cret ", "S3CRET"))
    assert not access.password_matches({}, "")


@pytest.fixture
def shared_folder(data_copy, monkeypatch):
    monkeypatch.setenv("PROXYLENS_DATA_DIR", str(data_copy))
    return data_copy


def upload_actors(at, folder):
    content = (folder / "actors.csv").read_bytes() + b"\n"
    at.file_uploader[0].set_value([("actors.csv", content, "text/csv")]).run()
    return at


def button(at, key):
    return next(b for b in at.button if b.key == key)


def test_a_reader_sees_and_exports_everything_but_cannot_save_or_restore(shared_folder,
                                                                          monkeypatch):
    monkeypatch.delenv("PROXYLENS_WRITE", raising=False)
    at = upload_actors(run_app("app_pages/data.py", writer_password=WRITER_PASSWORD),
                       shared_folder)
    assert button(at, "save-folder").disabled
    assert not button(at, "use-session").disabled  # a session of one's own needs no sign-in
    assert any("Writing is off on this server" in c.value for c in at.caption)
    assert not [e for e in at.text_input if e.key == "data-writer-password"]
    open_export_menu(at)
    assert {"Events CSV", "Excel workbook"} <= {b.proto.label
                                               for b in at.get("download_button")}


def test_a_writer_signs_in_saves_and_signs_out(shared_folder, monkeypatch):
    monkeypatch.setenv("PROXYLENS_WRITE", "on")
    at = upload_actors(run_app("app_pages/data.py", writer_password=WRITER_PASSWORD),
                       shared_folder)
    assert button(at, "save-folder").disabled
    assert any("Saving needs a writer's sign-in" in c.value for c in at.caption)
    sign_in_as_writer(at, password="not it")
    assert any("not the writer's password" in e.value for e in at.error)
    assert button(at, "save-folder").disabled
    assert at.text_input(key="data-writer-password").value == ""  # not kept once checked
    sign_in_as_writer(at)
    assert not button(at, "save-folder").disabled
    button(at, "save-folder").click().run()
    assert (shared_folder / "actors.csv").read_bytes().endswith(b"\n\n")
    assert not button(at, "restore").disabled
    button(at, "data-writer-sign-out").click().run()
    assert button(at, "restore").disabled


def test_writing_turned_on_without_a_sign_in_stays_off_and_says_what_to_add(shared_folder,
                                                                            monkeypatch):
    monkeypatch.setenv("PROXYLENS_WRITE", "on")
    at = upload_actors(run_app("app_pages/data.py"), shared_folder)
    assert button(at, "save-folder").disabled
    assert any("no sign-in is configured" in c.value for c in at.caption)


def test_make_run_listens_on_this_machine_unless_told_otherwise():
    def dry_run(*extra):
        done = subprocess.run(["make", "-n", "-o", "install", "run", *extra], cwd=PROJECT,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert "--server.address 127.0.0.1" in dry_run()
    assert "--server.address 0.0.0.0" in dry_run("ADDRESS=0.0.0.0")


def test_a_read_only_data_folder_still_shows_everything_and_says_why_nothing_saves(
        shared_folder, monkeypatch):
    from components import datastore

    monkeypatch.setenv("PROXYLENS_WRITE", "on")
    real_access = datastore.os.access
    monkeypatch.setattr(datastore.os, "access", lambda path, mode: (
        False if str(path) == str(shared_folder) else real_access(path, mode)))
    at = upload_actors(run_app("app_pages/data.py", writer_password=WRITER_PASSWORD),
                       shared_folder)
    sign_in_as_writer(at)
    assert button(at, "save-folder").disabled
    assert any("cannot be written by the server" in c.value for c in at.caption)
    assert not button(at, "use-session").disabled
    assert {m.label for m in at.metric} >= {"Events", "Actors"}


def test_with_openid_connect_only_the_listed_accounts_may_write():
    auth = {"auth": {"client_id": "x"}}
    unlisted = access.write_policy(auth, environ={"PROXYLENS_WRITE": "on"})
    assert unlisted.method is None and "writers list" in unlisted.reason
    secrets = {**auth, "proxylens": {"writers": ["Analyst@Example.org", "@team.example"]}}
    assert access.write_policy(secrets, environ={"PROXYLENS_WRITE": "on"}).method == "oidc"
    assert access.may_write(secrets, "analyst@example.org")
    assert access.may_write(secrets, "anyone@team.example")
    assert not any(access.may_write(secrets, who) for who in
                   (None, "", "someone@gmail.com", "analyst@example.org.evil", "team.example"))


def test_wrong_passwords_close_sign_in_for_a_while():
    attempts = access.Attempts()
    for second in range(access.MAX_FAILURES - 1):
        attempts.failed(1000.0 + second)
    assert not attempts.locked(1010.0)
    attempts.failed(1010.0)
    assert attempts.locked(1011.0) == pytest.approx(access.LOCKOUT_S - 1)
    assert not attempts.locked(1010.0 + access.LOCKOUT_S)
    # failures spread beyond the window never add up to a lockout
    spread = access.Attempts()
    for n in range(3 * access.MAX_FAILURES):
        spread.failed(n * access.FAILURE_WINDOW_S / 5)
    assert not spread.locked(3 * access.MAX_FAILURES * access.FAILURE_WINDOW_S / 5)


def test_a_locked_sign_in_says_so_and_refuses_even_the_right_password(shared_folder,
                                                                      monkeypatch):
    from components.ui import writers

    monkeypatch.setenv("PROXYLENS_WRITE", "on")
    monkeypatch.setattr(writers, "ATTEMPTS", access.Attempts())
    at = run_app("app_pages/data.py", writer_password=WRITER_PASSWORD)
    for _ in range(access.MAX_FAILURES):
        sign_in_as_writer(at, password="guess")
    assert any("Too many wrong passwords" in c.value for c in at.caption)
    assert not [e for e in at.text_input if e.key == "data-writer-password"]
    other = run_app("app_pages/data.py", writer_password=WRITER_PASSWORD)  # a new session
    assert any("Too many wrong passwords" in c.value for c in other.caption)
