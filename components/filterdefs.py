"""Each filter declared once. No Streamlit import.

A `FilterDef` says everything about one filter: the `Filters` fields it sets, its widget keys
(which are also its URL parameters), its chip's label and text, the widget the sidebar draws and
its help, how it narrows events (a SQL condition the event store runs) and relations, and the
briefing.csv columns a step carries it in. The sidebar, the active-filter chips with their
remove and clear actions, the address, the query and the briefing steps are all generated from
`FILTERS`; adding a filter is adding a declaration (and a field to `filters.Filters`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Callable

import threading

import duckdb
import pandas as pd
import pyarrow as pa

from components import filters as f
from components import frames, grades
from components.loader import Dataset

# how the sidebar draws a filter (components.ui.sidebar has one drawer per kind)
DATE_RANGE, RADIO, MULTISELECT, TOGGLE, GRADE, TEXT = (
    "date range", "radio", "multiselect", "toggle", "grade", "text")


@dataclass(frozen=True)
class Where:
    """A SQL condition over the events table and its parameters."""

    sql: str = "TRUE"
    params: tuple = ()


Condition = tuple[str, list]  # a SQL condition and its parameters


@dataclass(frozen=True)
class FilterDef:
    name: str  # the chip's name (Filters.active) and the declaration's
    fields: tuple[str, ...]  # the Filters fields it sets
    keys: tuple[str, ...]  # widget keys, which are also the URL parameters
    label: str  # the chip's label: "Actor: Badr Organization"
    widget: str  # DATE_RANGE, RADIO, MULTISELECT, TOGGLE, GRADE or TEXT
    title: str = ""  # the widget's label in the sidebar
    help: str = ""
    placeholder: str = ""
    options: str = ""  # the FilterOptions attribute a multiselect offers
    vocab: str = ""  # the contract vocabulary whose terms the help lists
    briefing: tuple[str, ...] = ()  # briefing.csv columns a step carries it in
    # (dataset, filters) -> SQL conditions over the events table, ANDed
    events: Callable[[Dataset, f.Filters], list[Condition]] = lambda dataset, chosen: []
    # (dataset, filters, relations, involved) -> a mask of the relations kept, or None;
    # involved() gives the actors the matching events name
    relations: Callable | None = None
    # when set, the network keeps only actors the matching events name
    narrows_network_to_events: bool = False
    # (filters) -> the chips' values; (value, options) -> a chip's text
    chip_values: Callable[[f.Filters], list[str]] | None = None
    chip_text: Callable = lambda value, options: value
    also_clears: tuple[str, ...] = ()  # declarations reset with this one (dates: the rule)

    def values(self, chosen: f.Filters) -> list[str]:
        if self.chip_values is not None:
            return self.chip_values(chosen)
        value = getattr(chosen, self.fields[0])
        if isinstance(value, tuple):
            return list(value)
        return [str(value)] if value else []

    def without(self, chosen: f.Filters, value: str | None = None) -> f.Filters:
        """The filters with this one's chip `value` removed (a list's value), or cleared."""
        current = getattr(chosen, self.fields[0])
        if isinstance(current, tuple) and value is not None:
            return replace(chosen, **{self.fields[0]: tuple(v for v in current if v != value)})
        cleared = replace(chosen, **{name: FIELD_DEFAULTS[name] for name in self.fields})
        for other in self.also_clears:
            cleared = BY_NAME[other].without(cleared)
        return cleared


FIELD_DEFAULTS = {name: spec.default for name, spec in f.Filters.__dataclass_fields__.items()}


# --------------------------------------------------------------------------------------------
# How each filter narrows the events (SQL over the event store) and the relations (pandas over
# the small relations table)


SHORT_LIST = 50  # up to this many values, a list is searched; beyond, hashed


def is_in(column: str, values) -> str:
    """`column` is one of a list parameter's values."""
    if len(values) <= SHORT_LIST:
        return f"list_contains(?, {column})"
    return f"{column} IN (SELECT unnest(?))"


def names_any(actor_ids) -> Condition:
    """The event names one of the actors: first, second or associated."""
    ids = sorted(actor_ids)
    return (f"({is_in('actor1', ids)} OR {is_in('actor2', ids)}"
            " OR (array_length(assoc_actors) > 0 AND list_has_any(assoc_actors, ?)))", [ids] * 3)


def _date_events(dataset: Dataset, chosen: f.Filters) -> list[Condition]:
    """Possibly in the window: the span overlaps it; certainly: the whole span lies inside.
    An undated event is left out of any window."""
    if not chosen.dated_window:
        return []
    first, last = ("span_start", "span_end") if chosen.certain_dates else ("span_end", "span_start")
    out: list[Condition] = [("span_start IS NOT NULL", [])]
    if chosen.date_to is not None:
        out.append((f"{last} <= ?", [pd.Timestamp(chosen.date_to).to_pydatetime()]))
    if chosen.date_from is not None:
        out.append((f"{first} >= ?", [pd.Timestamp(chosen.date_from).to_pydatetime()]))
    return out


def _date_relations(dataset: Dataset, chosen: f.Filters, relations: pd.DataFrame,
                    involved=None) -> pd.Series:
    return f.relation_dates_mask(relations, dataset.actors, chosen)


def _actor_events(dataset: Dataset, chosen: f.Filters) -> list[Condition]:
    named = f.expanded_actor_set(dataset, chosen)
    return [names_any(named)] if named else []


def _actor_relations(dataset: Dataset, chosen: f.Filters, relations: pd.DataFrame,
                     involved=None):
    named = f.expanded_actor_set(dataset, chosen)
    if not named:
        return None
    ends = frames.is_in(relations["source"], named), frames.is_in(relations["target"], named)
    # with linked actors, both ends among them (the neighbourhood); else either end chosen
    return ends[0] & ends[1] if chosen.include_linked else ends[0] | ends[1]


def _typed_actors(dataset: Dataset, chosen: f.Filters) -> set[str]:
    actors = dataset.actors
    return set(actors.loc[actors["actor_type"].isin(chosen.actor_types), "actor_id"])


def _actor_type_events(dataset: Dataset, chosen: f.Filters) -> list[Condition]:
    return [names_any(_typed_actors(dataset, chosen))] if chosen.actor_types else []


def _actor_type_relations(dataset: Dataset, chosen: f.Filters, relations: pd.DataFrame,
                          involved=None):
    if not chosen.actor_types:
        return None
    typed = _typed_actors(dataset, chosen)
    return frames.is_in(relations["source"], typed) | frames.is_in(relations["target"], typed)


def _column_in(column: str, field_name: str):
    def condition(dataset: Dataset, chosen: f.Filters) -> list[Condition]:
        values = list(getattr(chosen, field_name))
        return [(is_in(column, values), [values])] if values else []
    return condition


def _claim_relations(dataset: Dataset, chosen: f.Filters, relations: pd.DataFrame, involved=None):
    return relations["claim_status"].isin(chosen.claim_statuses) if chosen.claim_statuses else None


def _place_events(dataset: Dataset, chosen: f.Filters) -> list[Condition]:
    """A place keeps its own events and those of every place within it (locations.csv's
    `within`, its province for a province, its country for a country); a province
    ("province:<admin1>") keeps the events in it."""
    if not chosen.places:
        return []
    place_ids = sorted(f.places_within(dataset.locations, chosen.places))
    provinces = sorted(p[len(f.PROVINCE_PREFIX):] for p in chosen.places
                       if p.startswith(f.PROVINCE_PREFIX))
    return [(f"({is_in('location', place_ids)} OR {is_in('admin1', provinces)})",
             [place_ids, provinces])]


def _grade_events(dataset: Dataset, chosen: f.Filters) -> list[Condition]:
    sql, params = grades.sql_condition(chosen.min_reliability, chosen.min_credibility)
    return [(sql, list(params))] if sql else []


def _grade_relations(dataset: Dataset, chosen: f.Filters, relations: pd.DataFrame, involved=None):
    if not (chosen.min_reliability or chosen.min_credibility):
        return None
    return grades.meets(relations["grade"], chosen.min_reliability, chosen.min_credibility)


# The form the events' searched words are stored in (eventstore.WORDS_SQL) and the text filter
# and Find search for: accents stripped, lower case, every run of characters other than
# letters, digits and _ one space. One SQL expression for both sides, so they always agree.
# Text already in that form but for capitals (plain ASCII words, one space apart) is only
# lowered: matching it is a third of the cost of the replacement, which was half of storing
# ten million events' words.
WORD_FORM_IN_FULL = (
    "trim(regexp_replace(lower(strip_accents({0})), '[^\\p{{L}}\\p{{N}}_]+', ' ', 'g'))")
PLAIN_WORDS = "[A-Za-z0-9_]+( [A-Za-z0-9_]+)*"
WORD_FORM = (f"(CASE WHEN regexp_full_match({{0}}, '{PLAIN_WORDS}') THEN lower({{0}})"
             f" ELSE {WORD_FORM_IN_FULL} END)")
_WORDS_CON = None
_WORDS_LOCK = threading.Lock()


def words_key(text: str) -> str:
    """Text in the form the stored words have (WORD_FORM, run by DuckDB whatever the engine)."""
    global _WORDS_CON
    with _WORDS_LOCK:
        if _WORDS_CON is None:
            _WORDS_CON = duckdb.connect(":memory:")
        return _WORDS_CON.execute(f"SELECT {WORD_FORM.format('text')} FROM (SELECT ?::VARCHAR"
                                  " AS text)", [str(text)]).fetchall()[0][0]


def words_keys(texts: pa.Array) -> pa.Array:
    """words_key of each text, in one query (a column's distinct values, as the events store
    puts its categories' words by their rows)."""
    global _WORDS_CON
    with _WORDS_LOCK:
        if _WORDS_CON is None:
            _WORDS_CON = duckdb.connect(":memory:")
        _WORDS_CON.register("texts", pa.table({"text": texts,
                                                "position": pa.array(range(len(texts)))}))
        try:
            words = WORD_FORM.format("coalesce(text, '')")
            return _WORDS_CON.sql(
                f"SELECT {words} AS words FROM texts ORDER BY position"
            ).to_arrow_table()["words"].combine_chunks().cast(pa.string())
        finally:
            _WORDS_CON.unregister("texts")


def _text_events(dataset: Dataset, chosen: f.Filters) -> list[Condition]:
    needle = words_key(chosen.text) if chosen.text.strip() else ""
    if not needle:
        return []
    named, params = names_any(f.actor_ids_matching_text(dataset.actors, chosen.text))
    return [(f"(contains(words, ?) OR {named})", [needle, *params])]


def _text_relations(dataset: Dataset, chosen: f.Filters, relations: pd.DataFrame,
                    involved=None):
    """Relations whose words hold the text, or touching an actor named by it (or by the
    matching events)."""
    if not chosen.text.strip():
        return None
    named = f.actor_ids_matching_text(dataset.actors, chosen.text)
    if involved is not None:
        named |= involved()
    return (frames.is_in(relations["source"], named) | frames.is_in(relations["target"], named)
            | f.text_mask(relations, ["description", "relation"], chosen.text))


# --------------------------------------------------------------------------------------------
# Chips


def _dates_chip(chosen: f.Filters) -> list[str]:
    if not chosen.dated_window:
        return []
    return [f"{chosen.date_from or '…'} to {chosen.date_to or '…'}"]


def _date_rule_chip(chosen: f.Filters) -> list[str]:
    return [f.DATE_RULES[f.WITHIN]] if chosen.date_rule == f.WITHIN and chosen.dated_window else []


def _grade_chip(chosen: f.Filters) -> list[str]:
    if not (chosen.min_reliability or chosen.min_credibility):
        return []
    return [grades.at_least_text(chosen.min_reliability, chosen.min_credibility)]


def _linked_chip(chosen: f.Filters) -> list[str]:
    return ["with directly linked actors"] if chosen.include_linked and chosen.actors else []


def _text_chip(chosen: f.Filters) -> list[str]:
    return [chosen.text.strip()] if chosen.text.strip() else []


def _named(attribute: str):
    def text(value, options) -> str:
        return getattr(options, attribute).get(value, value) if options is not None else value
    return text


# --------------------------------------------------------------------------------------------
# The declarations, in the sidebar's order


FILTERS: tuple[FilterDef, ...] = (
    FilterDef(
        "dates", ("date_from", "date_to"), ("dates",), "Dates", DATE_RANGE, title="Date range",
        help="Which events and relations a range keeps depends on the date rule below.",
        briefing=("date_from", "date_to"), events=_date_events, relations=_date_relations,
        chip_values=_dates_chip, also_clears=("date_rule",)),
    FilterDef(
        "date_rule", ("date_rule",), ("date_rule",), "Date rule", RADIO, title="Date rule",
        help="**Possibly in the window**: the day, month or year the source gives overlaps "
        "the range, so an event known only to 2005 matches any range that touches 2005, and "
        "a relation's blank start or end is bounded by when the groups, states or forces it "
        "names existed (their active_from and active_to), so one with no dates is kept while "
        "they existed.\n\n**Certainly in the window**: the whole span "
        "lies inside the range, so an event known only to 2005 matches 2005-01-01 to "
        "2005-12-31 but not June to December 2005, and a relation without a start (or end) "
        "is left out of a range with a start (or end).\n\nEvents with no date are left out "
        "of any range under either rule.",
        briefing=("date_rule",), chip_values=_date_rule_chip),
    FilterDef(
        "actors", ("actors",), ("actors",), "Actor", MULTISELECT, title="Actors",
        help="Events naming any of these actors, and the relations that touch them.",
        placeholder="Any actor", options="actors", briefing=("actors",),
        events=_actor_events, relations=_actor_relations, chip_text=_named("actors")),
    FilterDef(
        "include_linked", ("include_linked",), ("linked",), "Linked actors", TOGGLE,
        title="Include directly linked actors",
        help="Also keep actors one relation away from the chosen actors.",
        briefing=("include_linked",), chip_values=_linked_chip),
    FilterDef(
        "actor_types", ("actor_types",), ("actor_types",), "Actor type", MULTISELECT,
        title="Actor types", placeholder="Any type", options="actor_types", vocab="actor_type",
        briefing=("actor_types",), events=_actor_type_events, relations=_actor_type_relations),
    FilterDef(
        "event_types", ("event_types",), ("event_types",), "Event type", MULTISELECT,
        title="Event types", placeholder="Any type", options="event_types", vocab="event_type",
        briefing=("event_types",), events=_column_in("event_type", "event_types"),
        narrows_network_to_events=True),
    FilterDef(
        "claim_statuses", ("claim_statuses",), ("claims",), "Claim", MULTISELECT,
        title="Claim status", placeholder="Any status", options="claim_statuses",
        vocab="claim_status", briefing=("claim_statuses",),
        events=_column_in("claim_status", "claim_statuses"), relations=_claim_relations),
    FilterDef(
        "places", ("places",), ("places",), "Place", MULTISELECT, title="Places or provinces",
        help="Events at these places or in these provinces, and at the places within them "
        "(a facility within a city, the places of a province or a country).",
        placeholder="Anywhere", options="places", briefing=("places", "provinces"),
        events=_place_events, narrows_network_to_events=True, chip_text=_named("places")),
    FilterDef(
        "grade", ("min_reliability", "min_credibility"), ("min_rel", "min_cred"), "Grade", GRADE,
        title="Grade at least",
        help="Keep only the events and relations graded as well or better in both halves of "
        "the grade (for example B2).",
        briefing=("min_reliability", "min_credibility"), events=_grade_events,
        relations=_grade_relations, chip_values=_grade_chip),
    FilterDef(
        "text", ("text",), ("q",), "Search", TEXT,
        title="Filter by words in names and descriptions", placeholder="e.g. Karbala, EFP, Quds",
        help="Matches actor names and aliases, event and relation descriptions, place names.",
        briefing=("text",), events=_text_events, relations=_text_relations,
        chip_values=_text_chip),
)
BY_NAME: dict[str, FilterDef] = {d.name: d for d in FILTERS}


# --------------------------------------------------------------------------------------------
# What the declarations generate


def active(chosen: f.Filters) -> list[tuple[str, str]]:
    """(name, value) of every active filter, one per chip."""
    return [(d.name, value) for d in FILTERS for value in d.values(chosen)]


def without(chosen: f.Filters, name: str, value: str | None = None) -> f.Filters:
    """The filters with one chip removed."""
    return BY_NAME[name].without(chosen, value)


def where_clause(dataset: Dataset, chosen: f.Filters) -> Where:
    """Every declaration's conditions on the events, as one SQL condition."""
    parts, params = [], []
    for declared in FILTERS:
        for sql, values in declared.events(dataset, chosen):
            parts.append(sql)
            params += values
    return Where(" AND ".join(parts) or "TRUE", tuple(params))


def narrows_network_to_events(chosen: f.Filters) -> bool:
    return any(d.narrows_network_to_events and d.values(chosen) for d in FILTERS)


def relations_mask(dataset: Dataset, chosen: f.Filters, relations: pd.DataFrame,
                   involved=None) -> pd.Series:
    """The relations every declaration keeps; then, when a declaration narrows the network to
    the matching events, only relations between actors those events name."""
    mask = pd.Series(True, index=relations.index)
    for declared in FILTERS:
        if declared.relations is None:
            continue
        kept = declared.relations(dataset, chosen, relations, involved)
        if kept is not None:
            mask &= kept
    if narrows_network_to_events(chosen) and involved is not None:
        named = involved()
        mask &= frames.both_ends_in(relations, named)
    return mask


# --------------------------------------------------------------------------------------------
# Briefing steps


def to_step(chosen: f.Filters) -> dict:
    """The briefing.csv columns that carry the filters."""
    out: dict = {}
    for declared in FILTERS:
        for column in declared.briefing:
            out[column] = _step_value(chosen, column)
    return out


def _step_value(chosen: f.Filters, column: str):
    if column in ("date_from", "date_to"):
        value = getattr(chosen, column)
        return value.isoformat() if value else ""
    if column == "places":
        return tuple(p for p in chosen.places if not p.startswith(f.PROVINCE_PREFIX))
    if column == "provinces":
        return tuple(p[len(f.PROVINCE_PREFIX):] for p in chosen.places
                     if p.startswith(f.PROVINCE_PREFIX))
    if column == "include_linked":
        return "yes" if chosen.include_linked else ""
    if column == "date_rule":
        return f.DATE_RULES[chosen.date_rule] if chosen.date_rule != f.OVERLAPS else ""
    value = getattr(chosen, column)
    return tuple(value) if isinstance(value, tuple) else value


def from_step(step: dict) -> f.Filters:
    """The filters a briefing step's columns carry (absent columns: not narrowed)."""
    def listed(column: str) -> tuple[str, ...]:
        value = step.get(column)
        return tuple(value) if isinstance(value, (tuple, list)) else ()

    def text(column: str) -> str:
        value = step.get(column)
        return value.strip() if isinstance(value, str) else ""

    rule_words = {words: rule for rule, words in f.DATE_RULES.items()}
    return f.Filters(
        date_from=_step_date(text("date_from")),
        date_to=_step_date(text("date_to"), end=True),
        date_rule=rule_words.get(text("date_rule"), text("date_rule")
                                 if text("date_rule") in f.DATE_RULES else f.OVERLAPS),
        actors=listed("actors"),
        include_linked=text("include_linked").lower() in ("yes", "true", "1"),
        actor_types=listed("actor_types"),
        event_types=listed("event_types"),
        claim_statuses=listed("claim_statuses"),
        places=listed("places") + tuple(f.PROVINCE_PREFIX + p for p in listed("provinces")),
        min_reliability=text("min_reliability").upper()[:1],
        min_credibility=text("min_credibility")[:1],
        text=text("text"),
    )


def _step_date(value: str, end: bool = False) -> date | None:
    """A step's date (YYYY, YYYY-MM or YYYY-MM-DD); an end date of a year or month is its
    last day."""
    if not value:
        return None
    stamp = pd.Timestamp(value + ("-01" * (2 - value.count("-"))))
    if end and value.count("-") == 0:
        stamp = stamp + pd.offsets.YearEnd(0)
    elif end and value.count("-") == 1:
        stamp = stamp + pd.offsets.MonthEnd(0)
    return stamp.date()


def briefing_columns() -> list[str]:
    return [column for d in FILTERS for column in d.briefing]

