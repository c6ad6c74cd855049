"""AppTest: the Data page swaps files in: check, diff, use for the session, save, restore."""

from __future__ import annotations

import pytest

from components import loader
from tests.apptest_helpers import WRITER_PASSWORD, run_app, sign_in_as_writer
from tests.conftest import read_rows


@pytest.fixture
def app_on_copy(data_copy, monkeypatch):
    monkeypatch.setenv("PROXYLENS_DATA_DIR", str(data_copy))
    monkeypatch.setenv("PROXYLENS_WRITE", "on")
    return data_copy


def writer_app(page: str = "app_pages/data.py"):
    """The page, with writing on and this session signed in as a writer."""
    return sign_in_as_writer(run_app(page, writer_password=WRITER_PASSWORD))


def upload(at, *files):
    at.file_uploader[0].set_value([(name, content, "text/csv") for name, content in files]).run()
    return at


def button(at, key):
    return next(b for b in at.button if b.key == key)


def edited_events(folder) -> bytes:
    return (folder / "events.csv").read_bytes().replace("Iran–Iraq War".encode(), b"Gulf War I")


def test_upload_shows_checks_and_the_diff_before_anything_changes(app_on_copy):
    at = upload(run_app("app_pages/data.py"), ("events.csv", edited_events(app_on_copy)))
    rows = read_rows(app_on_copy / "events.csv")
    touched = [r for r in rows[1:] if any("Iran–Iraq War" in cell for cell in r)]
    columns = {rows[0][i] for r in touched for i, cell in enumerate(r) if "Iran–Iraq War" in cell}
    assert touched
    assert any(f"events: {len(touched)} changed" in m.value for m in at.markdown)
    diff = next(df.value for df in at.dataframe if "change" in df.value.columns)
    assert set(diff["column"]) == columns
    assert diff["new"].str.contains("Gulf War I").all()
    # nothing was written yet
    assert b"Gulf War I" not in (app_on_copy / "events.csv").read_bytes()


def test_save_then_restore_from_the_history(app_on_copy):
    original = (app_on_copy / "events.csv").read_bytes()
    at = upload(writer_app(), ("events.csv", edited_events(app_on_copy)))
    button(at, "save-folder").click().run()
    assert b"Gulf War I" in (app_on_copy / "events.csv").read_bytes()
    assert any("Saved events.csv" in s.value for s in at.success)
    history = next(df.value for df in at.dataframe if "fingerprint" in df.value.columns
                   and "saved" in df.value.columns)
    assert list(history["file"]) == ["events.csv"]
    button(at, "restore").click().run()
    assert (app_on_copy / "events.csv").read_bytes() == original
    assert any("Restored events.csv" in s.value for s in at.success)


def test_a_save_of_two_tables_lands_as_one_and_a_damaged_copy_is_not_restored(app_on_copy):
    from pathlib import Path

    from components import datastore

    events, actors = ((app_on_copy / name).read_bytes() for name in ("events.csv", "actors.csv"))
    at = upload(writer_app(), ("events.csv", edited_events(app_on_copy)),
                ("actors.csv", actors + b"\n"))
    button(at, "save-folder").click().run()
    assert any("Saved actors.csv, events.csv" in s.value for s in at.success)
    history = datastore.list_history(app_on_copy)
    assert sorted(history["file"]) == ["actors.csv", "events.csv"]
    assert set(history["state"]) == {"whole"}
    kept = Path(history.loc[history["file"] == "events.csv", "path"].iloc[0])
    kept.write_bytes(events[:1000])  # the copy is damaged after it was kept
    at = writer_app()
    at.selectbox(key="restore-choice").set_value(str(kept)).run()
    button(at, "restore").click().run()
    assert any("is damaged" in e.value and "not restored" in e.value for e in at.error)
    assert b"Gulf War I" in (app_on_copy / "events.csv").read_bytes()  # left as it was
    options = at.selectbox(key="restore-choice").options
    assert any(o.endswith("— damaged") for o in options)


def test_files_with_errors_cannot_be_saved(app_on_copy):
    rows = read_rows(app_on_copy / "actors.csv")
    broken = "\n".join(",".join(r) for r in [rows[0], rows[1], rows[1]]).encode()  # duplicate id
    at = upload(run_app("app_pages/data.py"), ("actors.csv", broken))
    assert button(at, "save-folder").disabled
    assert any("cannot replace good data" in c.value for c in at.caption)


def test_use_for_my_session_changes_only_this_session(app_on_copy):
    at = upload(run_app("app_pages/data.py"), ("events.csv", edited_events(app_on_copy)))
    button(at, "use-session").click().run()
    assert any("using uploaded data" in i.body for i in at.info)
    other = run_app("app_pages/data.py")  # another browser session
    assert not any("using uploaded data" in i.body for i in other.info)
    mine = next(df.value for df in at.dataframe if "event_id" in df.value.columns)
    theirs = next(df.value for df in other.dataframe if "event_id" in df.value.columns)
    assert mine["description"].str.contains("Gulf War I").any()
    assert not theirs["description"].str.contains("Gulf War I").any()
    button(at, "back-to-shared").click().run()
    assert not any("using uploaded data" in i.body for i in at.info)


def test_a_broken_file_on_disk_keeps_the_last_good_version_with_a_banner(app_on_copy):
    at = run_app("app_pages/overview.py")
    events = {m.label: m.value for m in at.metric}["Events"]
    (app_on_copy / "events.csv").write_bytes(b"\x00\x01 garbage")
    at.run()  # the next interaction picks the change up, no restart
    assert {m.label: m.value for m in at.metric}["Events"] == events
    assert any("last good version" in e.body and "events.csv" in e.body for e in at.error)


def test_an_edited_file_is_picked_up_on_the_next_interaction(app_on_copy):
    at = run_app("app_pages/overview.py")
    path = app_on_copy / "events.csv"
    rows = read_rows(path)
    import csv

    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows[:11])
    at.run()
    assert {m.label: m.value for m in at.metric}["Events"] == "10"
    assert len(loader.load_dataset(app_on_copy).dataset.events) == 10


def test_templates_and_contract_are_offered():
    at = run_app("app_pages/data.py")
    labels = {b.proto.label for b in at.get("download_button")}
    assert {"events.csv", "actors.csv", "relations.csv", "locations.csv", "sources.csv",
            "claims.csv", "briefing.csv"} <= labels
    assert any("The data contract" in e.label for e in at.expander)


def test_an_acled_export_is_added_to_the_curated_data_by_default(app_on_copy):
    """Added, not replacing: the curated record stays, the export's events join it, and its
    actors and places that the data already has are proposed as matches."""
    from tests.conftest import shared_path

    acled = shared_path("realdata", "acled_2022_iraq.csv").read_bytes()
    curated = len(read_rows(app_on_copy / "events.csv")) - 1
    at = upload(writer_app(), ("acled_2022_iraq.csv", acled))
    assert at.radio(key="import-mode").value == "add"
    assert any("added to the current data: 221 events" in w.body for w in at.warning)
    assert not [e for e in at.error if "Saving removes rows" in e.value]  # nothing removed
    matches = next(df.value for df in at.dataframe if "in the export" in df.value.columns)
    pairs = set(zip(matches["in the export"], matches["in the current data"]))
    assert {("Badr Organization", "Badr Corps"), ("Erbil", "Irbil"), ("Basrah", "Basra")} <= pairs
    assert not button(at, "save-folder").disabled
    button(at, "use-session").click().run()
    at.switch_page("app_pages/overview.py")
    at.run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Events"] == str(curated + 221)
    assert len(at.get("deck_gl_json_chart")) == 1


def test_acled_and_ucdp_exports_are_added_together(app_on_copy):
    from tests.conftest import shared_path

    acled = shared_path("realdata", "acled_2022_iraq.csv").read_bytes()
    ucdp = shared_path("realdata", "ucdp_ged_sample_iraq.csv").read_bytes()
    curated = len(read_rows(app_on_copy / "events.csv")) - 1
    at = upload(run_app("app_pages/data.py"), ("acled_2022_iraq.csv", acled),
                ("ucdp_ged_sample_iraq.csv", ucdp))
    assert any("events: 240 added" in m.value for m in at.markdown)
    button(at, "use-session").click().run()
    at.switch_page("app_pages/overview.py")
    at.run()
    assert {m.label: m.value for m in at.metric}["Events"] == str(curated + 240)


def test_a_rejected_match_is_added_as_a_new_actor(app_on_copy):
    from tests.conftest import shared_path

    ucdp = shared_path("realdata", "ucdp_ged_sample_iraq.csv").read_bytes()
    at = upload(run_app("app_pages/data.py"), ("ucdp_ged_sample_iraq.csv", ucdp))
    matches = next(df for df in at.dataframe if "in the export" in df.value.columns)
    row = list(matches.value["in the export"]).index("al-Mahdi Army")
    staged_before = at.session_state["staged-upload"][1]
    assert "4 new actors" in " ".join(w.body for w in at.warning)
    # unticking the match, as the editor's checkbox does
    at.session_state[matches.key] = {"edited_rows": {row: {"accept": False}},
                                     "added_rows": [], "deleted_rows": []}
    at.run()
    staged = at.session_state["staged-upload"][1]
    assert staged.folder != staged_before.folder
    assert "5 new actors" in " ".join(w.body for w in at.warning)
    actors = (staged.folder / "actors.csv").read_text(encoding="utf-8")
    assert "al-Mahdi Army" in actors  # added as its own actor


def test_replacing_the_data_with_an_export_is_a_choice_said_in_red(app_on_copy):
    from tests.conftest import shared_path

    ucdp = shared_path("realdata", "ucdp_ged_sample_iraq.csv").read_bytes()
    at = upload(writer_app(), ("ucdp_ged_sample_iraq.csv", ucdp))
    at.radio(key="import-mode").set_value("replace").run()
    assert any("replaces the current data" in w.body for w in at.warning)
    removal = next(e.value for e in at.error if "Saving removes rows" in e.value)
    for table in ("events", "actors", "relations", "claims", "briefing"):
        assert table in removal
    assert button(at, "save-folder").disabled
    at.checkbox(key="confirm-removal").check().run()
    assert not button(at, "save-folder").disabled
    button(at, "use-session").click().run()
    at.switch_page("app_pages/timeline.py")
    at.run()
    assert not at.exception
    from tests.apptest_helpers import all_rows, chart_titled

    marks = all_rows(chart_titled(at, "Timeline")).dropna(subset=["event_id"])
    assert len(marks) == 19
    # saved, it replaces the whole record: nothing left refers to what it replaced
    at = upload(writer_app(), ("ucdp_ged_sample_iraq.csv", ucdp))
    at.radio(key="import-mode").set_value("replace").run()
    at.checkbox(key="confirm-removal").check().run()
    button(at, "save-folder").click().run()
    saved = loader.load_dataset(app_on_copy)
    assert not saved.errors and len(saved.dataset.events) == 19
    assert len(saved.dataset.claims) == 0 and len(saved.dataset.briefing) == 0
    assert not [p for p in saved.warnings if p.file in ("claims.csv", "briefing.csv")]


def test_a_save_that_removes_rows_says_what_in_red_and_needs_a_confirmation(app_on_copy):
    rows = read_rows(app_on_copy / "events.csv")
    fewer = "".join(",".join(f'"{v}"' for v in row) + "\n" for row in rows[:-3]).encode()
    at = upload(writer_app(), ("events.csv", fewer))
    assert any("Saving removes rows from the data folder:** 3 events" in e.value for e in at.error)
    assert button(at, "save-folder").disabled
    at.checkbox(key="confirm-removal").check().run()
    assert not button(at, "save-folder").disabled
    button(at, "save-folder").click().run()
    assert (app_on_copy / "events.csv").read_bytes() == fewer


def test_a_save_that_only_adds_or_changes_needs_no_confirmation(app_on_copy):
    at = upload(writer_app(), ("events.csv", edited_events(app_on_copy)))
    assert not at.error and not [c for c in at.checkbox if c.key == "confirm-removal"]
    assert not button(at, "save-folder").disabled


def test_an_upload_checked_against_session_data_cannot_be_saved_to_the_folder(app_on_copy):
    """Checked and compared against the session's own uploaded data, an upload would have
    saved over the shared folder with no word of what it removes there."""
    rows = read_rows(app_on_copy / "events.csv")
    five = "".join(",".join(f'"{v}"' for v in row) + "\n" for row in rows[:6]).encode()
    at = upload(writer_app(), ("events.csv", five))
    at.checkbox(key="confirm-removal").check().run()
    button(at, "use-session").click().run()
    at = upload(at, ("events.csv", five))
    assert button(at, "save-folder").disabled
    assert any("go back to the shared data" in c.value for c in at.caption)
    assert len(read_rows(app_on_copy / "events.csv")) == len(rows)


def test_a_long_diff_is_counted_in_full_and_its_listing_says_it_is_cut(app_on_copy, monkeypatch):
    from components import datastore
    from tests.conftest import write_rows

    monkeypatch.setattr(datastore, "DIFF_LISTED", 2)
    rows = read_rows(app_on_copy / "events.csv")
    extra = []
    for number in range(5):
        row = list(rows[1])
        row[0] = f"ev-extra-{number}"
        extra.append(row)
    write_rows(app_on_copy.parent / "events.csv", rows[:-3] + extra)
    at = upload(run_app("app_pages/data.py"),
                ("events.csv", (app_on_copy.parent / "events.csv").read_bytes()))
    assert any("events: 5 added, 3 removed" in m.value for m in at.markdown)
    assert any("the first 2 of each kind of change" in c.value for c in at.caption)
    listed = next(df.value for df in at.dataframe if "change" in df.value.columns)
    assert listed["change"].value_counts().to_dict() == {"added": 2, "removed": 2}
    assert listed.loc[listed["change"] == "added", "id"].tolist() == ["ev-extra-0", "ev-extra-1"]
    # the confirmation counts every removed row, not the listed ones
    assert any("3 events" in e.value for e in at.error if "Saving removes rows" in e.value)
