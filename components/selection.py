"""The one query layer over the events: filters in, what each view draws out. No Streamlit import.

Every event question goes to the dataset's event store (components.eventstore: DuckDB, in
memory for a small folder, a prepared database for a large one), so every page, export,
briefing step and the Find box answer it the same way whatever the folder's size. The panels
ask a `Selection`, never a frame of events, for what they draw. Answers are kept on the
object, which the UI caches per data version and filter value.
"""

from __future__ import annotations

import dataclasses
from functools import cached_property

import pandas as pd

from components import eventstore, filters, frames, views
from components.loader import Dataset


LISTED_ROWS = 1_000  # matching events fetched as rows from an event store (a table's page)


class Selection:
    """The events matching the filters: every answer is a query bounded by what it returns.

    When the filters match at most NARROW_UP_TO events of a store of at least NARROW_FROM
    events, they are copied once into a narrowed store and every later question reads only them
    (see EventStore.narrowed)."""

    NARROW_UP_TO = 100_000  # copying more costs more than the queries it saves
    # below this, scanning the whole store for each question costs less than the copy: at a
    # million events the Overview's questions took 200 ms scanning, 250 ms after copying 59,000
    # (python -m bench.scale); at ten million the copy saves several times its cost
    NARROW_FROM = 2_000_000
    KEPT_PAGES = 8

    def __init__(self, store: eventstore.EventStore, dataset: Dataset,
                 where: eventstore.Where) -> None:
        self.dataset = dataset
        self.where = where
        self.store = store
        # the whole store and the condition: what a narrowed copy does not hold (ids, sources)
        self.full_store, self.full_where = store, where
        self._pages: dict[tuple[int, int], pd.DataFrame] = {}
        self._answers: dict[tuple, object] = {}  # see _kept
        counted = store.facts(self.where)
        self.places = counted.pop("places")
        self.facts = counted
        if (self.where.sql != eventstore.Where().sql and counted["events"] <= self.NARROW_UP_TO
                and store.count >= self.NARROW_FROM):
            self.store, self.where = store.narrowed(self.where), eventstore.Where()

    def rows(self, limit: int, offset: int = 0) -> pd.DataFrame:
        """Matching events offset..offset+limit-1 in date order, labelled (a list's page is
        kept: the page reruns on every click, the list mostly stays)."""
        if (limit, offset) not in self._pages:
            if len(self._pages) >= self.KEPT_PAGES:
                self._pages.pop(next(iter(self._pages)))
            page = self.store.rows(self.where, limit, offset)
            self._pages[limit, offset] = views.with_event_labels(page, self.dataset.actors,
                                                                 self.dataset.sources)
        return self._pages[limit, offset]

    def listed_events(self, limit: int) -> pd.DataFrame:
        """The events pages list and export: the first `limit`, in date order, with display
        labels (fetched on the first request only: most views never list events)."""
        return self.rows(limit)

    def _kept(self, question: tuple, answer):
        """An answer asked of the store once per selection (a copy each time: callers may add
        columns to what they get)."""
        if question not in self._answers:
            self._answers[question] = answer()
        found = self._answers[question]
        if isinstance(found, tuple):
            return tuple(x.copy() if isinstance(x, pd.DataFrame) else x for x in found)
        return found.copy()

    def map_places(self, colour_by: str = "event category") -> pd.DataFrame:
        def ask():
            counts, listed = self.store.place_counts(self.where, colour_by,
                                                     self.dataset.actor_names)
            return views.places_from_counts(counts, listed, self.dataset.place_names, colour_by)
        return self._kept(("places", colour_by), ask)

    def location_counts(self) -> pd.DataFrame:
        """Matching events per place, each place on its own (map_places merges places into
        grid cells past views.MAX_PLACES_DRAWN): location, name, lat, lon, precision, events."""
        def ask():
            counts = self.store.location_counts(self.where)
            counts.insert(1, "name", [self.dataset.place_names.get(p, "")
                                      for p in counts["location"].tolist()])
            return counts
        return self._kept(("locations",), ask)

    def map_arcs(self) -> pd.DataFrame:
        return self._kept(("arcs",), lambda: views.arcs_from_routes(self.store.routes(self.where)))

    def timeline_bins(self, lane_by: str = "event category") -> tuple[pd.DataFrame, str]:
        def ask():
            if self._binned_by_month:
                grid = self._month_grid(lane_by)
                return views.bins_with_ends(grid.groupby(
                    ["lane", "category", "start"], observed=True, as_index=False, sort=True
                )["events"].sum(), "month"), "month"
            return self.store.timeline_bins(self.where, lane_by, self.facts)
        return self._kept(("bins", lane_by), ask)

    def monthly_counts(self) -> tuple[pd.DataFrame, int]:
        def ask():
            if not self._binned_by_month:
                return self.store.monthly_counts(self.where, self.facts)
            # a snapshot: a selection is shared by sessions, whose threads may add answers
            asked = [q[1] for q in list(self._answers) if q[0] == "month grid"]
            grid = self._month_grid(asked[0] if asked else "event category")
            months = grid[grid["precise"]].groupby(["start", "category"], observed=True,
                                                   as_index=False, sort=True)["events"].sum()
            return (months.rename(columns={"start": "month"}).astype({"events": "int64"}),
                    self.facts["year_only"])
        return self._kept(("months",), ask)

    @property
    def _binned_by_month(self) -> bool:
        """Whether the timeline bins by month, so that it and the monthly counts are read from
        one query (see _month_grid)."""
        return bool(self.facts["dated"]) and views.bin_unit(
            pd.Timestamp(self.facts["first"]), pd.Timestamp(self.facts["last"])) == "month"

    def _month_grid(self, lane_by: str) -> pd.DataFrame:
        """Dated events per lane, category, month and whether the day or month is known: the
        timeline's bins and the monthly counts both sum it (one scan instead of two)."""
        if ("month grid", lane_by) not in self._answers:
            self._answers["month grid", lane_by] = self.store.month_grid(self.where, lane_by)
        return self._answers["month grid", lane_by]

    def year_counts(self) -> pd.Series:
        return self._year_counts

    @cached_property
    def _year_counts(self) -> pd.Series:
        return self.store.year_counts(self.where)

    def holding(self, event_ids) -> set[str]:
        """Which of these events match the filters."""
        return self.full_store.holding(self.full_where, event_ids)

    def citations(self) -> pd.DataFrame:
        """The sources the matching events cite, how often and in which sections."""
        return self._kept(("citations",), lambda: self.full_store.citations(self.full_where))

    def pair_counts(self, pairs=None) -> dict[frozenset, int]:
        """{frozenset({a, b}): matching events naming both actors (as actor1, actor2 or an
        associated actor)}; with `pairs` ((a, b), either order), only those (at ten million
        events every pair is some 200,000, which took longer to hold as a dict than to count)."""
        key = ("pairs", None if pairs is None else frozenset(frozenset(p) for p in pairs))

        def ask():
            counts = self.store.pair_counts(self.where, None if pairs is None else
                                            [tuple(sorted(p)) for p in key[1] if len(p) == 2])
            return {frozenset(pair): int(n) for *pair, n in
                    zip(counts["a"], counts["b"], counts["events"])}
        if key not in self._answers:
            self._answers[key] = ask()
        return dict(self._answers[key])

    def involved_actor_ids(self) -> set[str]:
        return self._involved

    @cached_property
    def _involved(self) -> set[str]:
        return self.store.involved_actor_ids(self.where)


def select(dataset: Dataset, chosen: filters.Filters) -> Selection:
    """The events matching the filters, asked of the dataset's event store."""
    return Selection(eventstore.store_of(dataset), dataset,
                     eventstore.where_clause(dataset, chosen))


def select_events(dataset: Dataset, event_ids) -> Selection:
    """The events with these ids (an event page's own map)."""
    return Selection(eventstore.store_of(dataset), dataset, eventstore.where_ids(event_ids))


def matching_events(dataset: Dataset, chosen: filters.Filters) -> pd.DataFrame:
    """Every matching event in date order, labelled: for small folders and tests (the pages
    list a bounded page, see listed_events)."""
    chosen_ = select(dataset, chosen)
    return chosen_.rows(chosen_.facts["events"])


def filter_options(dataset: Dataset) -> filters.FilterOptions:
    """The sidebar's options, the events' part read from the event store."""
    return filters.filter_options(dataset, eventstore.store_of(dataset).option_facts())


def actor_events(dataset: Dataset, actor_id: str, min_reliability: str = "",
                 min_credibility: str = "") -> Selection:
    """The events naming an actor, graded at least as asked."""
    return select(dataset, filters.Filters(actors=(actor_id,), min_reliability=min_reliability,
                                           min_credibility=min_credibility))


def event_pool(dataset: Dataset, listed: pd.DataFrame, wanted) -> Dataset:
    """The dataset a page picks events from: the listed events (the first page matching the
    filters) plus those asked for by id."""
    asked = dataset.event_rows(wanted)
    events = pd.concat([asked, listed[list(asked.columns)]], ignore_index=True)
    return dataclasses.replace(dataset, events=events.drop_duplicates("event_id"))


def filtered(dataset: Dataset, chosen: filters.Filters) -> tuple[pd.DataFrame, Selection]:
    """What a page works from: the relations under the filters, and the selection its views
    draw from (and its lists fetch events from, see listed_events)."""
    matching = select(dataset, chosen)
    return filtered_relations(dataset, chosen, matching), matching


def filtered_relations(dataset: Dataset, chosen: filters.Filters, matching: Selection
                       ) -> pd.DataFrame:
    """The relations under the filters, given the selection of the matching events (whose
    actors an event filter narrows the relations to)."""
    return filters.filter_relations(dataset, chosen, involved=matching.involved_actor_ids)


def claims_in_view(dataset: Dataset, matching: Selection, relations: pd.DataFrame,
                   narrowed: bool) -> tuple[pd.DataFrame, int]:
    """The claims about what the view shows: about a matching event or a relation the network
    draws. Claims about a statement (no single record) are kept only while nothing is
    narrowed; returns the claims and how many statement claims the filters hide."""
    claims = dataset.claims
    if claims.empty or not narrowed:
        return claims, 0
    kind, subject = claims["subject_type"], claims["subject_id"]
    held = matching.holding(subject[kind == "event"].unique())
    kept = ((kind == "event") & frames.is_in(subject, held)) | (
        (kind == "relation") & frames.is_in(subject, set(relations["relation_id"].tolist())))
    return claims[kept], int((kind == "statement").sum())


def view_counts(selection: Selection, relations: pd.DataFrame) -> dict[str, int]:
    """Headline figures for the filtered view (distinct values per column, not per row)."""
    named = selection.involved_actor_ids() | frames.relation_ends(relations)
    return {
        "Events": selection.facts["events"],
        "Actors involved": len(named - {""}),
        "Relations": len(relations),
        "Places": selection.places,
    }
