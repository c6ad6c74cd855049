"""What every page works from: the loaded data, the filter options and values, the filtered frames.

Expensive steps are cached on the data folder's fingerprint and the filter values, never on
DataFrame hashing (Streamlit samples large frames when it hashes them). They are cached as
shared resources, not copied per call: a million-row frame would otherwise be pickled and
unpickled on every rerun. Nothing downstream modifies them; views work on copies.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from components import filters as f
from components import evidence, loader, network, search, selection
from components.ui import caching, data_access, sidebar


@dataclass
class PageContext:
    """The data a page works from. The filtered relations and the selection are asked of
    the query layer when the page first uses them, not before: a page that never does (the
    Help page; Compare, whose windows have their own) costs no query for them (at ten
    million events, 150-400 ms a rerun)."""
    result: loader.LoadResult
    fingerprint: str  # what caches are keyed on (data_access.version_key)
    options: f.FilterOptions
    filters: f.Filters
    folder: str

    @property
    def relations(self) -> pd.DataFrame:
        """The relations under the filters."""
        return _filtered(self.folder, self.fingerprint, self.filters)

    @property
    def selection(self) -> selection.Selection:
        """What the views draw from: counts, places, bins."""
        return _selected(self.folder, self.fingerprint, self.filters)

    @property
    def events(self) -> pd.DataFrame:
        """The matching events, with display labels (with an event store: the first
        LISTED_ROWS in date order)."""
        return self.selection.listed_events(selection.LISTED_ROWS)

    @property
    def data_version(self) -> str:
        """The data version exports, evidence packs and saved briefings state, as the Data
        page shows it (evidence.data_version: from the files' content, whatever engine
        answers; `fingerprint`, what caches are keyed on, also changes when a file is only
        touched)."""
        return evidence.data_version(self.result.files)

    @property
    def bounded(self) -> bool:
        """True when `events` holds only the first LISTED_ROWS of the matching events (known
        without fetching them)."""
        return self.selection.facts["events"] > selection.LISTED_ROWS

    @property
    def dataset(self) -> loader.Dataset:
        return self.result.dataset


def _fingerprint() -> tuple[str, str]:
    folder = data_access.active_folder()
    return str(folder), data_access.version_key(folder)


@caching.view_resource(8)
def _options(folder: str, fingerprint: str) -> f.FilterOptions:
    return selection.filter_options(data_access.load(folder, fingerprint).dataset)


@caching.view_resource(32)
def _selected(folder: str, fingerprint: str, filters: f.Filters) -> selection.Selection:
    return selection.select(data_access.load(folder, fingerprint).dataset, filters)


@caching.view_resource(32)
def _filtered(folder: str, fingerprint: str, filters: f.Filters) -> pd.DataFrame:
    return selection.filtered_relations(data_access.load(folder, fingerprint).dataset, filters,
                                        _selected(folder, fingerprint, filters))


@st.cache_resource(show_spinner="Laying out the network…", max_entries=8)
def layout_positions(folder: str, fingerprint: str) -> dict:
    dataset = data_access.load(folder, fingerprint).dataset
    return network.stable_layout(dataset.actors, dataset.relations)


@st.cache_resource(show_spinner="Indexing names and descriptions…", max_entries=8)
def _search_index(folder: str, fingerprint: str) -> search.SearchIndex:
    return search.build_index(data_access.load(folder, fingerprint).dataset)


@st.cache_data(show_spinner=False, max_entries=256)
def _find(folder: str, fingerprint: str, query: str, limit: int) -> pd.DataFrame:
    return search.search(_search_index(folder, fingerprint), query, limit=limit)


def find(query: str, limit: int = 8) -> pd.DataFrame:
    """Search hits for the Find box, kept per data version and query: the box's text stays
    in place while the analyst works, and the page reruns on every click."""
    return _find(*_fingerprint(), query.strip(), limit)


def filter_options() -> f.FilterOptions:
    return _options(*_fingerprint())


def page_context() -> PageContext:
    folder, fingerprint = _fingerprint()
    options = _options(folder, fingerprint)
    filters = sidebar.current_filters(options)
    return PageContext(data_access.load(folder, fingerprint), fingerprint, options, filters,
                       folder)


@caching.view_data(64)
def _view_counts(folder: str, fingerprint: str, filters: f.Filters) -> dict[str, int]:
    return selection.view_counts(_selected(folder, fingerprint, filters),
                                 _filtered(folder, fingerprint, filters))


def view_counts(ctx: PageContext) -> dict[str, int]:
    """The headline figures of the current view, worked out once per view."""
    return _view_counts(*context_key(ctx))


def context_key(ctx: PageContext) -> tuple[str, str, f.Filters]:
    """What a cached view is keyed on: the data folder, its fingerprint, the filter value.
    The context's own folder: an export built on click runs outside the session, where the
    active folder would be the shared one, not the session's upload."""
    return ctx.folder, ctx.fingerprint, ctx.filters


def context_for(folder: str, fingerprint: str, filters: f.Filters) -> PageContext:
    """The page context for a cache key (inside cached view builders)."""
    return PageContext(data_access.load(folder, fingerprint), fingerprint,
                       _options(folder, fingerprint), filters, folder)


def event_pool(ctx: PageContext, wanted) -> loader.Dataset:
    """The dataset the Event page picks from (see selection.event_pool)."""
    return selection.event_pool(ctx.dataset, ctx.events, wanted)


@st.cache_resource(show_spinner=False, max_entries=64)
def _actor_events(folder: str, fingerprint: str, actor_id: str, min_reliability: str,
                  min_credibility: str) -> selection.Selection:
    return selection.actor_events(data_access.load(folder, fingerprint).dataset, actor_id,
                                  min_reliability, min_credibility)


def actor_events(actor_id: str, min_reliability: str = "", min_credibility: str = ""
                 ) -> selection.Selection:
    """The events naming an actor, graded at least as asked."""
    return _actor_events(*_fingerprint(), actor_id, min_reliability, min_credibility)


@st.cache_resource(show_spinner=False, max_entries=64)
def _event_selection(folder: str, fingerprint: str, event_ids: tuple[str, ...]
                     ) -> selection.Selection:
    return selection.select_events(data_access.load(folder, fingerprint).dataset, event_ids)


def event_selection(event_ids: tuple[str, ...]) -> selection.Selection:
    """The events with these ids, as the query layer answers for them."""
    return _event_selection(*_fingerprint(), event_ids)


def claims_in_view(ctx: PageContext) -> tuple[pd.DataFrame, int]:
    """The claims about what the view shows (selection.claims_in_view)."""
    return selection.claims_in_view(ctx.dataset, ctx.selection, ctx.relations,
                                    bool(ctx.filters.active()))


def positions() -> dict:
    return layout_positions(*_fingerprint())
