"""The Compare page and the evidence pack on data swapped in: the held ACLED and UCDP samples
added through the Data page, then used for the session (the Flows page's own test of this is
in tests/test_flows.py)."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date

import pytest

from components import compare, evidence, loader
from components import filters as f
from tests.apptest_helpers import run_app
from tests.conftest import DATA
from tests.test_evidence_pack import click_download, csv_rows, kept_media  # noqa: F401
from tests.test_pages_compare import expected_counts, shown_counts
from tests.test_pages_data import button, upload


@pytest.fixture
def imported(data_copy, monkeypatch):
    """An app session using the shipped data with both samples added, and that data's folder."""
    from tests.conftest import shared_path

    acled = shared_path("realdata", "acled_2022_iraq.csv").read_bytes()
    ucdp = shared_path("realdata", "ucdp_ged_sample_iraq.csv").read_bytes()
    monkeypatch.setenv("PROXYLENS_DATA_DIR", str(data_copy))
    at = upload(run_app("app_pages/data.py"), ("acled_2022_iraq.csv", acled),
                ("ucdp_ged_sample_iraq.csv", ucdp))
    staged = at.session_state["staged-upload"][1].folder
    button(at, "use-session").click().run()
    assert not at.exception
    return at, staged


def test_the_comparison_counts_the_added_events(imported):
    at, staged = imported
    dataset = loader.load_dataset(staged).dataset
    ucdp_in_b = dataset.events[dataset.events["event_id"].str.startswith("ged-")
                               & dataset.events["event_date"].str[:4].isin(["2006", "2007"])]
    assert len(ucdp_in_b)  # the sample has events in window B
    # the periods named (the added 2022 events move the page's default windows)
    at.query_params["cmp_a"] = "networks-built"
    at.query_params["cmp_b"] = "special-groups-reorganised..surge-response"
    at.switch_page("app_pages/compare.py").run()
    assert not at.exception
    a = compare.Window(date(2003, 1, 1), date(2005, 12, 31))
    b = compare.Window(date(2006, 1, 1), date(2007, 12, 31))
    shown = shown_counts(at)
    assert shown == expected_counts(dataset, f.Filters(), a, b)
    curated = loader.load_dataset(DATA).dataset
    assert shown["Events"][1] > expected_counts(curated, f.Filters(), a, b)["Events"][1]
    # a window over the ACLED year holds its 221 events
    at.selectbox(key="cmp_b").set_value(compare.CUSTOM).run()
    last = date.fromisoformat(max(dataset.events["event_date"].dropna())[:10])
    at.date_input(key="cmp_b_dates").set_value((date(2022, 1, 1), last)).run()
    assert at.date_input(key="cmp_b_dates").value == (date(2022, 1, 1), last)
    in_2022 = dataset.events["event_date"].str[:4] == "2022"
    assert shown_counts(at)["Events"][1] == int(in_2022.sum()) >= 221


def test_the_evidence_pack_of_the_added_data_states_its_version(imported, kept_media):  # noqa: F811
    at, staged = imported
    result = loader.load_dataset(staged)
    at.switch_page("app_pages/data.py").run()
    shown = [m.value for m in at.markdown if m.value.startswith("**Data version:")]
    at.switch_page("app_pages/overview.py").run()
    assert not at.exception
    pack = zipfile.ZipFile(io.BytesIO(click_download(kept_media, at, "pack-view")))
    manifest = json.loads(pack.read("manifest.json"))
    assert manifest["data_version"] == evidence.data_version(result.files)
    assert shown == [f"**Data version: `{manifest['data_version']}`**"]
    # every event of the session's data, the added ones with them
    events = csv_rows(pack, "events.csv")
    assert sorted(e["event_id"] for e in events) == sorted(result.dataset.events["event_id"])
    assert len(events) == len(loader.load_dataset(DATA).dataset.events) + 240
