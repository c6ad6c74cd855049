"""Headline figures and display-ready copies of the loaded tables. No Streamlit import."""

from __future__ import annotations

import pandas as pd

from components import eventstore, frames, loader
from components.wording import agreeing, counted

TABLE_LABELS = {
    "events": "Events",
    "actors": "Actors",
    "relations": "Relations",
    "locations": "Places",
    "sources": "Sources",
    "periods": "Periods",
    "claims": "Claims",
    "briefing": "Briefing",
}


def table_counts(dataset: loader.Dataset) -> dict[str, int]:
    return {label: dataset.rows_in(name) for name, label in TABLE_LABELS.items()
            if name not in ("periods", "claims", "briefing")}


def coverage_sentence(dataset: loader.Dataset) -> str:
    facts = eventstore.store_of(dataset).coverage()
    if facts["first"] is None:
        return "No dated events are loaded."
    parts = [f"{facts[p]:,} to the {p}" for p in ("day", "month", "year")]
    return (
        f"Events run from **{facts['first']:%B %Y}** to **{facts['last']:%B %Y}**; their dates "
        f"are known {', '.join(parts)}. {counted(facts['unplaced'], 'event')} "
        f"{agreeing(facts['unplaced'], 'has', 'have')} no place and "
        f"{agreeing(facts['unplaced'], 'is', 'are')} left off the map."
    )


def display_table(dataset: loader.Dataset, name: str) -> pd.DataFrame:
    """The table as a person reads it: lists joined, helper columns dropped."""
    return display_rows(dataset.table(name), name)


def display_rows(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """display_table for some rows only (a page of a large table)."""
    frame = frame.copy()
    for column in frame.columns:
        if frame[column].dtype == object and frame[column].map(lambda v: isinstance(v, tuple)).any():
            frame[column] = frame[column].map(lambda v: "; ".join(v) if isinstance(v, tuple) else v)
    helper = set(loader.helper_columns(name)) | {loader.ROW}
    return frame[[c for c in frame.columns if c not in helper]]


def record_title(dataset: loader.Dataset) -> tuple[str, str]:
    """The title and subtitle of the record: about.csv's when the folder has them, else worked
    out from the data (the countries most events are in, the years they span, the sources), so
    a swapped-in export is never shown under the shipped record's title."""
    about = frames.lookup(dataset.about, "field", "text") if len(dataset.about) else {}
    title, subtitle = (about.get("title") or "").strip(), (about.get("subtitle") or "").strip()
    if title:
        return title, subtitle
    return _derived_title(dataset), subtitle or _derived_subtitle(dataset)


def _derived_title(dataset: loader.Dataset) -> str:
    facts = summary_facts(dataset)
    where = " and ".join(facts["countries"][:2]) if facts["countries"] else ""
    years = ""
    if facts["first"] is not None:
        first, last = facts["first"].year, facts["last"].year
        years = f", {first}" if first == last else f", {first}-{last}"
    return f"Events in {where}{years}" if where else f"Events{years}" if years else "ProxyLens"


def _derived_subtitle(dataset: loader.Dataset) -> str:
    facts = summary_facts(dataset)
    titles = list(dataset.sources["title"][:3]) if len(dataset.sources) else []
    more = len(dataset.sources) - len(titles)
    cited = "; ".join(titles) + (f" and {more:,} more" if more > 0 else "")
    return counted(facts["events"], "event") + (f" from {cited}" if cited else "")


def summary_facts(dataset: loader.Dataset) -> dict:
    """Events, first and last day, and countries by number of events."""
    store = eventstore.store_of(dataset)
    coverage = store.coverage()
    return {"events": store.count, "first": coverage.get("first"),
            "last": coverage.get("last"), "countries": store.countries()}
