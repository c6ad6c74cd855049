"""The record's title: from about.csv when the folder has one, else from the data itself."""

from __future__ import annotations

import tomllib

from components import importers, loader, summary
from tests.apptest_helpers import run_app
from tests.conftest import PROJECT, shared_path


def test_the_shipped_record_is_titled_by_its_about_file():
    title, subtitle = summary.record_title(loader.load_dataset().dataset)
    assert title == "Iran's proxy war in Iraq, 2003-2008"
    assert "Qods Force" in subtitle


def test_a_folder_without_about_gets_a_title_from_its_data(tmp_path):
    result = importers.import_file(shared_path("realdata", "acled_2016_africa_oldlayout.csv"))
    importers.write_folder(result, tmp_path / "acled")
    dataset = loader.load_dataset(tmp_path / "acled").dataset
    title, subtitle = summary.record_title(dataset)
    busiest = dataset.events["place_country"].value_counts().index[0]
    first = dataset.events["span_start"].min().year
    assert title.startswith("Events in ") and busiest in title and str(first) in title
    assert "Iran" not in title
    assert subtitle.startswith(f"{len(dataset.events):,} events from ")


def test_an_unknown_about_field_is_a_warning_naming_the_row(data_copy):
    (data_copy / "about.csv").write_text("field,text\ntitel,A record\n", encoding="utf-8")
    result = loader.load_dataset(data_copy)
    hits = [p for p in result.problems if p.file == "about.csv" and p.row == 2
            and p.column == "field" and "did you mean" in p.problem]
    assert hits, [p.sentence() for p in result.problems]
    assert summary.record_title(result.dataset)[0].startswith("Events in Iraq")


def test_the_overview_shows_the_folders_title(tmp_path, monkeypatch):
    at = run_app()
    assert at.title[0].value == "Iran's proxy war in Iraq, 2003-2008"
    result = importers.import_file(shared_path("realdata", "ucdp_ged_sample_iraq.csv"))
    importers.write_folder(result, tmp_path / "ucdp")
    monkeypatch.setenv("PROXYLENS_DATA_DIR", str(tmp_path / "ucdp"))
    at = run_app()
    assert at.title[0].value.startswith("Events in Iraq")
    assert "proxy war" not in at.title[0].value


def test_the_header_shows_no_deploy_button():
    config = tomllib.loads((PROJECT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["toolbarMode"] == "viewer"
