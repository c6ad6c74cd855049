"""The same queries on Spark (PROXYLENS_ENGINE=spark, local mode) answer as on DuckDB, over the
shipped data and a synthetic folder, and every page renders on Spark with the same content."""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from bench.generate import generate
from components import engines, eventstore, loader, network, search, selection, views
from components import filters as f
from tests.apptest_helpers import deck_layers, run_app, vega_charts, vega_datasets
from tests.conftest import DATA
from tests.test_eventstore import SOME_FILTERS, as_parquet


# --------------------------------------------------------------------------------------------
# The translation (SQLGlot only: no Spark needed)


def test_parameters_become_literals_in_the_order_written():
    # SQLGlot keeps LIMIT ahead of WHERE in its tree: the order must come from the text
    sql = engines.to_spark("SELECT a FROM events WHERE b = ? AND c <= ? ORDER BY a LIMIT ? OFFSET ?",
                           ("it's", pd.Timestamp("2007-03-01"), 10, 20))
    assert "b = 'it''s'" in sql or "b = 'it\\'s'" in sql
    assert "CAST('2007-03-01 00:00:00.000000' AS TIMESTAMP" in sql
    assert sql.endswith("LIMIT 10 OFFSET 20")


def test_literals_keep_what_the_parameter_says():
    sql = engines.to_spark("SELECT ?, a FROM events WHERE b = ? AND c = ? AND d = ?",
                           (True, None, pd.Timestamp("2007-03-01 12:30:05.250000"), 2.5))
    assert sql.startswith("SELECT TRUE, a")  # a parameter first in a select list parses
    assert "b = NULL" in sql and "12:30:05.250000" in sql and "d = 2.5" in sql


def test_a_question_mark_inside_a_string_is_not_a_parameter():
    sql = engines.to_spark("SELECT a FROM events WHERE b = '?' AND c = ?", ("x",))
    assert "b = '?'" in sql and "c = 'x'" in sql


def test_a_parameter_count_that_does_not_match_is_refused():
    with pytest.raises(ValueError, match="2 placeholders for 1 parameters"):
        engines.to_spark("SELECT a FROM events WHERE b = ? AND c = ?", ("x",))


def test_list_parameters_and_duckdb_functions_are_spelt_for_spark():
    sql = engines.to_spark(
        "SELECT min(order_key, 5) AS earliest, array_length(assoc_actors) AS n FROM events"
        " WHERE list_contains(?, actor1) OR list_has_any(assoc_actors, ?) GROUP BY location",
        (["iran", "irgc-qf"], ["hezbollah"]), {"events": "proxylens_events_7"})
    assert "SLICE(ARRAY_SORT(COLLECT_LIST(order_key)), 1, 5)" in sql
    assert "SIZE(assoc_actors)" in sql
    assert "ARRAY_CONTAINS(ARRAY('iran', 'irgc-qf'), actor1)" in sql
    assert "ARRAYS_OVERLAP(assoc_actors, ARRAY('hezbollah'))" in sql
    assert "FROM proxylens_events_7" in sql and "FROM events" not in sql


def test_an_unknown_engine_is_named_in_the_error(monkeypatch):
    monkeypatch.setenv(engines.ENGINE_ENV, "oracle")
    with pytest.raises(engines.EngineUnavailable, match="'oracle' is not an engine"):
        engines.engine_name()


# --------------------------------------------------------------------------------------------
# Spark itself


REQUIRE_SPARK = "PROXYLENS_REQUIRE_SPARK"


def _spark_or_skip():
    """Spark's session, or a skip saying what is missing. `make test` (and so CI) installs
    Java and PySpark and sets PROXYLENS_REQUIRE_SPARK=1: there a missing one is a failure."""
    try:
        return engines.SparkEngine.session()
    except engines.EngineUnavailable as missing:
        if os.environ.get(REQUIRE_SPARK) or os.environ.get("CI"):
            raise
        pytest.skip(str(missing))


def _load(folder: Path, engine: str, monkeypatch) -> loader.Dataset:
    monkeypatch.setenv(engines.ENGINE_ENV, engine)
    return eventstore.load_folder(folder, loader.folder_fingerprint(folder)).dataset


@pytest.fixture(scope="module")
def engines_over_shipped_data():
    _spark_or_skip()
    with pytest.MonkeyPatch.context() as patch:
        duck = _load(DATA, "duckdb", patch)
        spark = _load(DATA, "spark", patch)
    assert isinstance(spark.event_store, eventstore.SparkEventStore)
    assert not isinstance(duck.event_store, eventstore.SparkEventStore)
    return duck, spark


@pytest.fixture(scope="module")
def engines_over_synthetic_data(tmp_path_factory):
    _spark_or_skip()
    folder = tmp_path_factory.mktemp("synthetic")
    generate(3000, folder, seed=7)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(eventstore.CACHE_ENV, str(folder.parent / "cache"))
        patch.setenv(eventstore.STORE_ENV, "disk")  # Spark reads the prepared store's Parquet
        duck = _load(folder, "duckdb", patch)
        spark = _load(folder, "spark", patch)
    assert duck.event_store.prepared and spark.event_store.prepared
    return duck, spark


def _frames_equal(left: pd.DataFrame, right: pd.DataFrame, order: list[str] | None = None):
    if order:
        left, right = (x.sort_values(order, ignore_index=True) for x in (left, right))
    pd.testing.assert_frame_equal(left.reset_index(drop=True), right.reset_index(drop=True),
                                  check_dtype=False, check_categorical=False)


def assert_same_views(duck: loader.Dataset, spark: loader.Dataset, chosen: f.Filters):
    """Every question the views ask, answered alike by both engines."""
    on_duck, on_spark = selection.select(duck, chosen), selection.select(spark, chosen)
    assert on_duck.facts == on_spark.facts
    assert on_duck.places == on_spark.places
    for colour_by in views.COLOUR_BY:  # the places and their tooltips
        _frames_equal(on_duck.map_places(colour_by), on_spark.map_places(colour_by))
    _frames_equal(on_duck.map_arcs(), on_spark.map_arcs())
    _frames_equal(on_duck.location_counts(), on_spark.location_counts(),  # Compare's places
                  ["location", "lat", "lon", "precision"])
    pd.testing.assert_series_equal(on_duck.year_counts(), on_spark.year_counts(),
                                   check_dtype=False, check_index_type=False)
    for lane_by in views.LANE_BY:
        (duck_bins, duck_unit), (spark_bins, spark_unit) = (on_duck.timeline_bins(lane_by),
                                                            on_spark.timeline_bins(lane_by))
        assert duck_unit == spark_unit
        _frames_equal(duck_bins.astype({"lane": object, "category": object}),
                      spark_bins.astype({"lane": object, "category": object}),
                      ["lane", "category", "start"])
    (duck_months, duck_years), (spark_months, spark_years) = (on_duck.monthly_counts(),
                                                              on_spark.monthly_counts())
    assert duck_years == spark_years
    _frames_equal(duck_months.astype({"category": object}),
                  spark_months.astype({"category": object}), ["month", "category"])
    assert on_duck.involved_actor_ids() == on_spark.involved_actor_ids()
    assert on_duck.pair_counts() == on_spark.pair_counts()  # the support flows' widths
    some = [tuple(sorted(pair))[::-1] for pair in on_duck.pair_counts()][::2] + [("a", "b")]
    assert on_duck.pair_counts(some) == on_spark.pair_counts(some)  # the flows' links
    assert on_spark.pair_counts([]) == on_spark.pair_counts([("iran", "iran")]) == {}  # no link
    relations = f.filter_relations(duck, chosen, involved=on_duck.involved_actor_ids)
    spark_relations = f.filter_relations(spark, chosen, involved=on_spark.involved_actor_ids)
    positions = network.stable_layout(duck.actors, relations)
    for drawn_duck, drawn_spark in zip(network.network_frames(duck.actors, relations, positions),
                                       network.network_frames(spark.actors, spark_relations,
                                                              positions)):
        _frames_equal(drawn_duck, drawn_spark)  # the network's nodes and edges
    _frames_equal(on_duck.citations(), on_spark.citations())
    assert selection.view_counts(on_duck, relations) == selection.view_counts(on_spark, relations)
    _frames_equal(on_duck.listed_events(30), on_spark.listed_events(30))
    _frames_equal(on_duck.rows(7, offset=5), on_spark.rows(7, offset=5))


@pytest.mark.spark
@pytest.mark.parametrize("chosen", SOME_FILTERS, ids=lambda x: str(x.active()) or "unfiltered")
def test_spark_answers_as_duckdb_on_the_shipped_data(engines_over_shipped_data, chosen):
    assert_same_views(*engines_over_shipped_data, chosen)


@pytest.mark.spark
@pytest.mark.parametrize("chosen", [
    f.Filters(),
    f.Filters(event_types=("armed attack",)),
    f.Filters(date_from=date(2005, 1, 1), date_to=date(2006, 6, 30)),
    f.Filters(min_reliability="B"),
], ids=lambda x: str(x.active()) or "unfiltered")
def test_spark_answers_as_duckdb_on_a_synthetic_folder(engines_over_synthetic_data, chosen):
    duck, spark = engines_over_synthetic_data
    busiest_actor = duck.event_store.option_facts().actor_mentions.idxmax()
    assert_same_views(duck, spark, chosen)
    assert_same_views(duck, spark, f.Filters(actors=(busiest_actor,), include_linked=True))


@pytest.mark.spark
@pytest.mark.parametrize("chosen", [f.Filters(actors=("khazali",)),
                                    f.Filters(places=("basra", "province:Diyala")),
                                    f.Filters(text="Karbala"),
                                    f.Filters(event_types=("armed attack",), min_reliability="C")],
                         ids=lambda x: str(x.active()))
def test_a_narrowed_copy_answers_alike_on_spark(engines_over_shipped_data, chosen, monkeypatch):
    """A selective filter's events are copied once (a temporary table in DuckDB, a cached view
    in Spark); with the threshold lowered, the shipped data takes that path too."""
    duck, spark = engines_over_shipped_data
    whole = selection.select(duck, chosen)
    assert whole.store is whole.full_store  # the shipped data is never copied by default
    monkeypatch.setattr(selection.Selection, "NARROW_UP_TO", 20)
    monkeypatch.setattr(selection.Selection, "NARROW_FROM", 40)
    copied = selection.select(duck, chosen)
    assert copied.store is not copied.full_store
    _frames_equal(whole.map_places(), copied.map_places())
    _frames_equal(whole.rows(50), copied.rows(50))
    assert whole.involved_actor_ids() == copied.involved_actor_ids()
    on_spark = selection.select(spark, chosen)
    assert 0 < on_spark.facts["events"] <= 20
    assert on_spark.store is not on_spark.full_store and on_spark.store.table == "matching"
    assert_same_views(duck, spark, chosen)


@pytest.mark.spark
def test_spark_offers_the_same_sidebar_and_data_page_facts(engines_over_shipped_data):
    duck, spark = engines_over_shipped_data
    assert selection.filter_options(duck) == selection.filter_options(spark)
    assert duck.event_store.coverage() == spark.event_store.coverage()
    assert duck.event_store.countries() == spark.event_store.countries()
    _frames_equal(duck.event_store.file_rows(3, 40), spark.event_store.file_rows(3, 40))


@pytest.mark.spark
def test_the_actor_page_reads_the_same_on_spark(engines_over_shipped_data):
    """Relations, events and "Sources that mention it" of the IRGC-Qods Force."""
    duck, spark = engines_over_shipped_data
    on_duck, on_spark = (selection.actor_events(d, "irgc-qf") for d in (duck, spark))
    assert on_duck.facts["events"] >= 5
    _frames_equal(on_duck.rows(on_duck.facts["events"]), on_spark.rows(on_spark.facts["events"]))
    duck_sources, spark_sources = on_duck.citations(), on_spark.citations()
    _frames_equal(duck_sources, spark_sources)
    isw = duck_sources.set_index("source_id").loc["isw"]
    assert isw["rows"] > 0 and isw["sections"]  # the events' own citations are counted
    _frames_equal(f.filter_relations(duck, f.Filters(actors=("irgc-qf",))),
                  f.filter_relations(spark, f.Filters(actors=("irgc-qf",))))


@pytest.mark.spark
def test_the_event_page_and_find_read_the_same_on_spark(engines_over_shipped_data):
    duck, spark = engines_over_shipped_data
    some = list(duck.event_store.file_rows(10, 15)["event_id"])
    _frames_equal(duck.event_rows(some), spark.event_rows(some))
    for query in ("Karbala raid", "qods force", "EFP", "Basra"):
        found = search.search(search.build_index(duck), query)
        assert "event" in set(found["kind"])  # the events' words were searched
        _frames_equal(found, search.search(search.build_index(spark), query))


# --------------------------------------------------------------------------------------------
# Every page on Spark


PAGES = ["app_pages/overview.py", "app_pages/map.py", "app_pages/timeline.py",
         "app_pages/network.py", "app_pages/actor.py", "app_pages/event.py",
         "app_pages/claims.py", "app_pages/briefing.py", "app_pages/data.py",
         "app_pages/help.py", "app_pages/flows.py", "app_pages/compare.py"]


def _page_content(page: str, params: dict) -> dict:
    at = run_app(page, params=params, timeout=300)
    engine = run_app("app_pages/data.py")
    return {
        "engine": next(c.value.split("Queries run on ")[1] for c in engine.caption
                       if c.value.startswith("Queries run on")),
        "metrics": {m.label: m.value for m in at.metric},
        "subheaders": [h.value for h in at.subheader],
        "tables": [df.value.to_csv(index=False) for df in at.dataframe],
        "maps": [sorted(map(str, layer)) for layer in
                 (deck_layers(at, i) for i in range(len(at.get("deck_gl_json_chart"))))],
        "links": sorted(link.proto.label for link in at.get("page_link")),
        "charts": [frame.to_csv(index=False) for chart in vega_charts(at)
                   for frame in vega_datasets(chart)],
        # the network, flows and comparison charts (ECharts options, data included)
        "echarts": [chart.proto.spec for chart in at.get("echarts_chart")],
        "errors": [e.value for e in at.error],
    }


@pytest.mark.spark
@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_the_same_on_spark(page, tmp_path, monkeypatch):
    _spark_or_skip()
    folder = tmp_path / "data"
    shutil.copytree(DATA, folder, ignore=shutil.ignore_patterns("README.md", ".history"))
    monkeypatch.setenv("PROXYLENS_DATA_DIR", str(folder))
    params = {"actor": "irgc-qf"} if page.endswith("actor.py") else {}
    if page.endswith("event.py"):
        params = {"event": str(loader.load_dataset(folder).dataset.events["event_id"].iloc[0])}
    params["event_types"] = "armed attack" if page.endswith(("overview.py", "map.py")) else None
    params["flow_width"] = "events" if page.endswith("flows.py") else None  # pairs of actors
    params = {k: v for k, v in params.items() if v}
    monkeypatch.setenv(engines.ENGINE_ENV, "duckdb")
    on_duck = _page_content(page, params)
    monkeypatch.setenv(engines.ENGINE_ENV, "spark")
    on_spark = _page_content(page, params)
    assert {k: v for k, v in on_spark.items() if k != "engine"} == {
        k: v for k, v in on_duck.items() if k != "engine"}
    assert not on_spark["errors"]
    assert on_spark["engine"].startswith("Spark") and on_duck["engine"].startswith("DuckDB")
    if page.endswith("overview.py"):
        assert on_spark["metrics"]["Events"] != "0"
    if page.endswith("actor.py"):
        assert any("rows citing it" in table.splitlines()[0] for table in on_spark["tables"])
