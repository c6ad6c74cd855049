"""The events matching the filters, as the views ask for them. No Streamlit import.

Two kinds, one set of questions: `FrameSelection` answers them over a filtered pandas frame
(components.views), `StoreSelection` in SQL over an event store (components.eventstore). The
panels ask the selection, never the frame, for what they draw, so a view looks the same
whichever way the events are held. Answers are kept on the object, which the UI caches per
data version and filter value.
"""

from __future__ import annotations

import dataclasses
from functools import cached_property

import pandas as pd

from components import eventstore, filters, profiles, views
from components.loader import Dataset


LISTED_ROWS = 1_000  # matching events fetched as rows from an event store (a table's page)


class FrameSelection:
    """Matching events held in memory (labelled, see views.with_event_labels)."""

    def __init__(self, events: pd.DataFrame) -> None:
        self.events = events

    @cached_property
    def places(self) -> int:
        places = self.events["location"].unique() if len(self.events) else []
        return sum(1 for p in places if isinstance(p, str) and p)

    @cached_property
    def facts(self) -> dict:
        events = self.events
        dated = events["span_start"].notna()
        known = events["time_precision"].isin(["day", "month"]) & dated
        return {
            "events": len(events),
            "dated": int(dated.sum()),
            "placed": int((events["lat"].notna() & events["lon"].notna()).sum()),
            "year_only": int(dated.sum() - known.sum()),
            "first": events["span_start"].min() if dated.any() else None,
            "last": events["span_end"].max() if dated.any() else None,
        }

    def rows(self, limit: int, offset: int = 0) -> pd.DataFrame:
        return self.events.iloc[offset:offset + limit]

    def listed_events(self, limit: int) -> pd.DataFrame:
        """The events pages list and export: all of them, since they are in memory."""
        return self.events

    def map_places(self, colour_by: str = "event category") -> pd.DataFrame:
        return views.map_places(self.events, colour_by)

    def map_arcs(self) -> pd.DataFrame:
        return views.map_arcs(self.events)

    def timeline_bins(self, lane_by: str = "event category") -> tuple[pd.DataFrame, str]:
        return views.timeline_bins(self.events, lane_by)

    def monthly_counts(self) -> tuple[pd.DataFrame, int]:
        return views.monthly_counts(self.events)

    def year_counts(self) -> pd.Series:
        return self._year_counts

    @cached_property
    def _year_counts(self) -> pd.Series:
        return views.year_counts(self.events)

    def involved_actor_ids(self) -> set[str]:
        return self._involved

    @cached_property
    def _involved(self) -> set[str]:
        return filters.involved_actor_ids(self.events)


class StoreSelection:
    """Matching events in an event store: every answer is a query bounded by what it returns.

    When the filters match at most NARROW_UP_TO events, they are copied once into a narrowed
    store and every later question reads only them (see EventStore.narrowed)."""

    NARROW_UP_TO = 100_000  # copying more costs more than the queries it saves

    def __init__(self, store: eventstore.EventStore, dataset: Dataset,
                 filters_: filters.Filters) -> None:
        self.dataset = dataset
        self.where = eventstore.where_clause(dataset, filters_)
        self.store = store
        self._listed: dict[int, pd.DataFrame] = {}
        counted = store.facts(self.where)
        self.places = counted.pop("places")
        self.facts = counted
        if self.where.sql != eventstore.Where().sql and counted["events"] <= self.NARROW_UP_TO:
            self.store, self.where = store.narrowed(self.where), eventstore.Where()

    def rows(self, limit: int, offset: int = 0) -> pd.DataFrame:
        page = self.store.rows(self.where, limit, offset)
        return views.with_event_labels(page, self.dataset.actors, self.dataset.sources)

    def listed_events(self, limit: int) -> pd.DataFrame:
        """The events pages list and export: the first `limit`, in date order (fetched on
        the first request only: most views never list events)."""
        if limit not in self._listed:
            self._listed[limit] = self.rows(limit)
        return self._listed[limit]

    def map_places(self, colour_by: str = "event category") -> pd.DataFrame:
        counts, listed = self.store.place_counts(self.where, colour_by, self.dataset.actors)
        return views.places_from_counts(counts, listed, colour_by)

    def map_arcs(self) -> pd.DataFrame:
        return views.arcs_from_routes(self.store.routes(self.where))

    def timeline_bins(self, lane_by: str = "event category") -> tuple[pd.DataFrame, str]:
        return self.store.timeline_bins(self.where, lane_by, self.facts)

    def monthly_counts(self) -> tuple[pd.DataFrame, int]:
        return self.store.monthly_counts(self.where, self.facts)

    def year_counts(self) -> pd.Series:
        return self._year_counts

    @cached_property
    def _year_counts(self) -> pd.Series:
        return self.store.year_counts(self.where)

    def involved_actor_ids(self) -> set[str]:
        return self._involved

    @cached_property
    def _involved(self) -> set[str]:
        return self.store.involved_actor_ids(self.where)


Selection = FrameSelection | StoreSelection


def select(dataset: Dataset, chosen: filters.Filters) -> Selection:
    """The events matching the filters: queries on the event store when the dataset has one,
    else the filtered frame (the dataset's events carrying display labels, as
    views.with_event_labels adds them)."""
    if dataset.event_store is not None:
        return StoreSelection(dataset.event_store, dataset, chosen)
    return FrameSelection(filters.filter_events(dataset, chosen))


def filter_options(dataset: Dataset) -> filters.FilterOptions:
    """The sidebar's options, with the events' part read from the event store if there is one."""
    store = dataset.event_store
    return filters.filter_options(dataset, store.option_facts() if store is not None else None)


def actor_events(dataset: Dataset, actor_id: str, min_reliability: str = "",
                 min_credibility: str = "") -> tuple[pd.DataFrame, int]:
    """The events naming an actor, graded at least as asked (from an event store, the first
    LISTED_ROWS in date order), and how many there are."""
    if dataset.event_store is None:
        events = profiles.within_grade(profiles.actor_events(dataset, actor_id),
                                       min_reliability, min_credibility)
        return events, len(events)
    chosen = select(dataset, filters.Filters(actors=(actor_id,), min_reliability=min_reliability,
                                             min_credibility=min_credibility))
    return chosen.listed_events(LISTED_ROWS), chosen.facts["events"]


def event_pool(dataset: Dataset, listed: pd.DataFrame, wanted) -> Dataset:
    """The dataset a page picks events from: every event when they are in memory; with an
    event store, the listed events (the first page matching the filters) plus those asked for
    by id."""
    if dataset.event_store is None:
        return dataset
    asked = dataset.event_rows(wanted)
    events = pd.concat([asked, listed[list(asked.columns)]], ignore_index=True)
    return dataclasses.replace(dataset, events=events.drop_duplicates("event_id"))


def filtered(dataset: Dataset, chosen: filters.Filters) -> tuple[pd.DataFrame, Selection]:
    """What a page works from: the relations under the filters, and the selection its views
    draw from (and its lists fetch events from, see listed_events)."""
    matching = select(dataset, chosen)
    relations = filters.filter_relations(dataset, chosen, involved=matching.involved_actor_ids)
    return relations, matching


def view_counts(selection: Selection, relations: pd.DataFrame) -> dict[str, int]:
    """Headline figures for the filtered view (distinct values per column, not per row)."""
    named = selection.involved_actor_ids() | set(relations["source"]) | set(relations["target"])
    return {
        "Events": selection.facts["events"],
        "Actors involved": len(named - {""}),
        "Relations": len(relations),
        "Places": selection.places,
    }
