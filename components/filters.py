"""Filters in, the frames each view needs out. No Streamlit import.

One `Filters` value describes what the analyst narrowed the data to. Every view is computed from
the same value, so narrowing any view narrows all of them.

Date rules: by default ("possibly in the window") an event matches a date window when its span
(the day, the whole month or the whole year the source gives, extended to date_end for periods)
overlaps the window, and a relation when its active period overlaps it. Where the sources leave
a relation's start (or end) blank, it is taken as open, bounded only by the active periods of its
actors that are not persons (relation_spans): with no dates at all, a relation is kept in any
window where those actors existed, since nothing says when it held, but it cannot hold before a
group, state or force existed or after it ceased. "Certainly in the window" keeps only
records whose whole span lies inside the window: an event known only to 2006 is certainly in
2006-01-01..2006-12-31 but only possibly in 2006-06-01..2006-12-31, and a relation without a
start (or an end) is not certainly in a window that has a start (or an end). An event with no
date is kept only while the date window is unset.

Grade: "at least" a reliability letter and a credibility number keeps the events and relations
whose grade (components.grades) is as good or better in both.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date

import numpy as np
import pandas as pd

from components import frames, grades
from components.loader import Dataset, normalise_key, normalise_keys_vectorised

PROVINCE_PREFIX = "province:"
OVERLAPS = "overlaps"  # date rule: possibly in the window (the spans overlap)
WITHIN = "within"  # date rule: certainly in the window (the whole span inside)
DATE_RULES = {OVERLAPS: "possibly in the window", WITHIN: "certainly in the window"}


@dataclass(frozen=True)
class Filters:
    date_from: date | None = None
    date_to: date | None = None
    actors: tuple[str, ...] = ()
    include_linked: bool = False
    actor_types: tuple[str, ...] = ()
    event_types: tuple[str, ...] = ()
    claim_statuses: tuple[str, ...] = ()
    places: tuple[str, ...] = ()  # location ids, or "province:<admin1>"
    text: str = ""
    date_rule: str = OVERLAPS
    min_reliability: str = ""  # "A".."E": graded this letter or better; "" any
    min_credibility: str = ""  # "1".."5": graded this number or better; "" any

    def cache_key(self) -> tuple:
        """Every field as plain values (dates as ISO text): what the view caches hash, in a
        quarter of the time Streamlit takes to hash the dataclass itself."""
        return tuple(value.isoformat() if isinstance(value, date) else value
                     for value in (getattr(self, name) for name in FIELD_NAMES))

    @property
    def dated_window(self) -> bool:
        return self.date_from is not None or self.date_to is not None

    @property
    def certain_dates(self) -> bool:
        return self.date_rule == WITHIN and self.dated_window

    def active(self) -> list[tuple[str, str]]:
        """(name, value) of every active filter, one per removable chip (see filterdefs)."""
        from components import filterdefs

        return filterdefs.active(self)

    def without(self, name: str, value: str | None = None) -> "Filters":
        """These filters with one chip removed."""
        from components import filterdefs

        return filterdefs.without(self, name, value)


FIELD_NAMES = tuple(field.name for field in fields(Filters))


# --------------------------------------------------------------------------------------------
# Helpers over the dataset


def linked_actors(relations: pd.DataFrame, actors: tuple[str, ...]) -> set[str]:
    """The actors plus every actor one relation away from them."""
    chosen = set(actors)
    touching = frames.is_in(relations["source"], chosen) | frames.is_in(relations["target"], chosen)
    return chosen | set(relations.loc[touching, "source"]) | set(relations.loc[touching, "target"])


def expanded_actor_set(dataset: Dataset, filters: Filters) -> set[str]:
    if not filters.actors:
        return set()
    if filters.include_linked:
        return linked_actors(relations_in_scope(dataset, filters), filters.actors)
    return set(filters.actors)


def relation_spans(relations: pd.DataFrame, actors: pd.DataFrame
                   ) -> tuple[pd.Series, pd.Series]:
    """When each relation can have held: its own period, and where the sources leave its start
    (or end) blank, the later start (earlier end) of the active periods (actors.csv's
    active_from and active_to) of its actors that are not persons. A relation with no dates
    between the Qods Force and the Maliki government (active from May 2006) cannot have held
    in 2002. A person's dates mark a role in this story (Daqduq's as Hezbollah's man in Iraq,
    from May 2006), not when the person could first or last hold any relation: his undated
    membership of Hezbollah is not bounded by them. An actor's end before the relation's own
    start (a detention that begins when a group's capture ends its activity) bounds nothing,
    nor does a start after the relation's own end. NaT where nothing says."""
    known = actors.drop_duplicates("actor_id").set_index("actor_id")
    if "actor_type" in known:
        known = known[known["actor_type"].astype(str) != "person"]
    ends_of = {}
    for bound, column, pick in (("start", "active_start", "max"), ("end", "active_end", "min")):
        dates = known[column]
        both = pd.DataFrame({"source": dates.reindex(relations["source"]).to_numpy(),
                             "target": dates.reindex(relations["target"]).to_numpy()},
                            index=relations.index)
        ends_of[bound] = getattr(both, pick)(axis=1)  # NaT (an actor with no date) is skipped
    own_start, own_end = relations["period_start"], relations["period_end"]
    start_bound = ends_of["start"].where(own_end.isna() | (ends_of["start"] < own_end))
    end_bound = ends_of["end"].where(own_start.isna() | (ends_of["end"] > own_start))
    return own_start.fillna(start_bound), own_end.fillna(end_bound)


def relation_dates_mask(relations: pd.DataFrame, actors: pd.DataFrame, filters: Filters
                        ) -> pd.Series:
    """The date rule over relations' active periods (see the module docstring): a relation
    with a start but no end is still active; with an end but no start, it held before; either
    way, and with no dates at all, only while the groups, states or forces it names existed
    (relation_spans).
    "Certainly in the window" needs the relation's own dates at the ends a window has."""
    if filters.certain_dates:
        start, end = relations["period_start"], relations["period_end"]
        mask = pd.Series(True, index=relations.index)
        if filters.date_from is not None:
            mask &= start >= pd.Timestamp(filters.date_from)
        if filters.date_to is not None:
            mask &= end <= pd.Timestamp(filters.date_to)
        return mask
    start, end = relation_spans(relations, actors)
    mask = pd.Series(True, index=relations.index)
    if filters.date_to is not None:
        mask &= start.isna() | (start <= pd.Timestamp(filters.date_to))
    if filters.date_from is not None:
        mask &= end.isna() | (end >= pd.Timestamp(filters.date_from))
    return mask


RECORD_LEVEL = ("dates", "claim_statuses", "grade")  # filters on a relation's own fields


def relations_in_scope(dataset: Dataset, filters: Filters) -> pd.DataFrame:
    """The relations the record-level filters keep: the date window, the claim status and the
    grade. Links drawn through "include directly linked actors" follow the same relations the
    network draws, so a hidden relation never brings its actors back in."""
    from components import filterdefs

    relations = dataset.relations
    mask = pd.Series(True, index=relations.index)
    for name in RECORD_LEVEL:
        kept = filterdefs.BY_NAME[name].relations(dataset, filters, relations)
        if kept is not None:
            mask &= kept
    return relations[mask]


def places_within(locations: pd.DataFrame, chosen: tuple[str, ...]) -> set[str]:
    """The chosen place ids and every place within them: named in locations.csv's `within`
    (at any depth), in a chosen province place's province, or in a chosen country place's
    country."""
    ids = {p for p in chosen if not p.startswith(PROVINCE_PREFIX)}
    if locations.empty or not ids:
        return ids
    kinds = frames.lookup(locations, "location_id", "kind")
    for row in locations[locations["location_id"].isin(ids)].itertuples():
        if row.kind == "province" and row.admin1:
            ids |= set(locations.loc[(locations["admin1"] == row.admin1)
                                     & (locations["country"] == row.country), "location_id"])
        elif row.kind == "country":
            ids |= set(locations.loc[locations["country"] == row.country, "location_id"])
    if "within" in locations:
        parent = frames.lookup(locations, "location_id", "within")
        for place in kinds:
            seen, step = set(), parent.get(place, "")
            while step and step not in seen and place not in ids:
                seen.add(step)
                if step in ids:
                    ids.add(place)
                step = parent.get(step, "")
    return ids


def text_mask(frame: pd.DataFrame, columns: list[str], text: str) -> pd.Series:
    """Rows where any of the columns contains the text, compared case-, accent- and
    punctuation-insensitively (see normalise_key)."""
    needle = normalise_key(text)
    mask = pd.Series(not needle, index=frame.index)
    if not needle:
        return mask
    for column in columns:
        mask |= _column_contains(frame[column], needle)
    return mask


MANY_DISTINCT = 50_000  # above this, a column is matched with vectorised string functions


def _column_contains(values: pd.Series, needle: str) -> pd.Series:
    return searchable_words(values).str.contains(needle, regex=False).fillna(False).astype(bool)


def searchable_words(values: pd.Series) -> pd.Series:
    """Each value in the form the text filter searches (see normalise_key). Free text where
    nearly every row differs (descriptions at a million events) is lower-cased and stripped of
    punctuation in one vectorised pass, without folding accents."""
    codes, distinct = pd.factorize(values.astype(object), use_na_sentinel=False)
    if len(distinct) <= MANY_DISTINCT:
        words = np.array([normalise_key(_as_words(v)) for v in distinct], dtype=object)
        return pd.Series(words[codes] if len(codes) else [], index=values.index, dtype=object)
    return normalise_keys_vectorised(values.astype(object).map(_as_words))


def _as_words(value) -> str:
    if isinstance(value, tuple):
        return " ".join(value)
    return "" if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)) else str(value)


def actor_ids_matching_text(actors: pd.DataFrame, text: str) -> set[str]:
    mask = text_mask(actors, ["name", "aliases", "actor_id"], text)
    return set(actors.loc[mask, "actor_id"])


# --------------------------------------------------------------------------------------------
# The frames each view needs


def filter_relations(dataset: Dataset, filters: Filters, involved=None) -> pd.DataFrame:
    """Relations drawn in the network under the filters.

    `involved` is a function giving the actors the matching events name
    (selection.Selection.involved_actor_ids); when a filter applies only to events (event
    type, place), the network is narrowed to the actors those events name.
    """
    from components import filterdefs

    relations = dataset.relations
    return relations[filterdefs.relations_mask(dataset, filters, relations, involved)]


@dataclass(frozen=True)
class FilterOptions:
    """What the sidebar offers, read from the data."""

    date_min: date | None
    date_max: date | None
    actors: dict[str, str] = field(default_factory=dict)  # id -> name
    actor_types: tuple[str, ...] = ()
    event_types: tuple[str, ...] = ()
    claim_statuses: tuple[str, ...] = ()
    places: dict[str, str] = field(default_factory=dict)  # option value -> label
    # option values, busiest first: what a long list offers when it cannot offer everything
    ranked_actors: tuple[str, ...] = ()
    ranked_places: tuple[str, ...] = ()


@dataclass(frozen=True)
class EventFacts:
    """What the sidebar's options need from the events, however they are held."""

    first: pd.Timestamp | None
    last: pd.Timestamp | None
    event_types: tuple[str, ...]
    claim_statuses: tuple[str, ...]
    provinces: tuple[str, ...]
    actor_mentions: pd.Series  # events naming each actor first or second, by id
    place_mentions: pd.Series  # events at each location id and "province:<admin1>"


def filter_options(dataset: Dataset, facts: EventFacts) -> FilterOptions:
    """The sidebar's options; `facts` about the events from the event store."""
    actors, locations, relations = dataset.actors, dataset.locations, dataset.relations
    all_dates = pd.concat([pd.Series([facts.first, facts.last], dtype="datetime64[ns]"),
                           relations["period_start"], relations["period_end"]]).dropna()
    places = {row.location_id: f"{row.name} ({row.kind})"
              for row in locations.sort_values("name").itertuples()}
    places.update({PROVINCE_PREFIX + a: f"{a} province" for a in facts.provinces})
    relation_mentions = pd.concat([relations["source"].astype(object),
                                   relations["target"].astype(object)]).value_counts()
    return FilterOptions(
        date_min=all_dates.min().date() if len(all_dates) else None,
        date_max=all_dates.max().date() if len(all_dates) else None,
        actors=dict(sorted(zip(actors["actor_id"], actors["name"]), key=lambda kv: kv[1].lower())),
        actor_types=tuple(sorted(set(actors["actor_type"].tolist()) - {""})),
        event_types=facts.event_types,
        claim_statuses=tuple(sorted((set(facts.claim_statuses)
                                     | set(relations["claim_status"].tolist())) - {""})),
        places=places,
        ranked_actors=_busiest(facts.actor_mentions.add(relation_mentions, fill_value=0),
                               actors["actor_id"]),
        ranked_places=_busiest(facts.place_mentions, pd.Index(list(places))),
    )


def _busiest(counts: pd.Series, known) -> tuple[str, ...]:
    """The known values ordered by how often they are mentioned (counts by value), most first;
    ties by value."""
    counts = counts.groupby(level=0).sum().reindex(pd.Index(known), fill_value=0)
    ordered = counts.reset_index().set_axis(["value", "count"], axis=1).sort_values(
        ["count", "value"], ascending=[False, True])
    return tuple(ordered["value"])
