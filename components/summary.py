"""Headline figures and display-ready copies of the loaded tables. No Streamlit import."""

from __future__ import annotations

import pandas as pd

from components import loader

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


def event_coverage(events: pd.DataFrame) -> dict:
    """First and last day covered, dated events per precision, events without a place."""
    dated = events.dropna(subset=["span_start"])
    by_precision = dated["time_precision"].value_counts()
    return {"first": dated["span_start"].min() if len(dated) else None,
            "last": dated["span_end"].max() if len(dated) else None,
            **{p: int(by_precision.get(p, 0)) for p in ("day", "month", "year")},
            "unplaced": int((events["location"] == "").sum())}


def coverage_sentence(dataset: loader.Dataset) -> str:
    store = dataset.event_store
    facts = store.coverage() if store is not None else event_coverage(dataset.events)
    if facts["first"] is None:
        return "No dated events are loaded."
    parts = [f"{facts[p]:,} to the {p}" for p in ("day", "month", "year")]
    return (
        f"Events run from **{facts['first']:%B %Y}** to **{facts['last']:%B %Y}**; their dates "
        f"are known {', '.join(parts)}. {facts['unplaced']:,} event(s) have no place and are "
        "left off the map."
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
