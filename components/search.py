"""Find actors, events and places by name, alias or words in a description, forgiving spelling
variants of transliterated names (Quds/Qods, Sulleimani/Soleimani, Irbil/Erbil). No Streamlit.

Scores: 1.0 an exact name or alias; 0.9 the query inside a name or alias; 0.8 every query word
sounds like a word of a name or alias (same consonants, or nearly the same spelling); 0.6 every
query word in the description; 0.5 every query word nearly matches a description word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

import pandas as pd

from components.loader import Dataset, normalise_key
from components import eventstore, views
from components.views import date_text

KIND_ORDER = {"actor": 0, "place": 1, "event": 2}


@dataclass(frozen=True)
class Entry:
    kind: str
    ident: str
    label: str
    detail: str
    names: tuple[str, ...]  # normalised names and aliases
    text: str  # normalised description and other words


def consonant_skeleton(word: str) -> str:
    """'sulleimani' -> 'slmn', 'quds' -> 'qds', 'erbil' -> 'rbl': vowels dropped, doubles merged."""
    consonants = re.sub(r"[aeiouy]", "", word)
    return re.sub(r"(.)\1+", r"\1", consonants)


def _similar(a: str, b: str) -> bool:
    if len(a) < 4 or len(b) < 4:
        return a == b
    if consonant_skeleton(a) == consonant_skeleton(b) and len(consonant_skeleton(a)) >= 2:
        return True
    return SequenceMatcher(None, a, b).ratio() >= 0.82


@dataclass(frozen=True)
class SearchIndex:
    entries: list[Entry]
    # events are asked of the query layer: every query word appearing (normalised, see
    # filters.searchable_words), without the spelling tolerance names get
    event_store: object | None = None  # components.eventstore.EventStore


def build_index(dataset: Dataset) -> SearchIndex:
    entries = []
    for row in dataset.actors.itertuples():
        names = (row.name, *row.aliases)
        entries.append(Entry("actor", row.actor_id, row.name, row.actor_type,
                             tuple(normalise_key(n) for n in names), normalise_key(row.description)))
    for row in dataset.locations.itertuples():
        names = (row.name, *row.aliases)
        entries.append(Entry("place", row.location_id, row.name, f"{row.kind}, {row.country}",
                             tuple(normalise_key(n) for n in names), normalise_key(row.admin1)))
    return SearchIndex(entries, event_store=eventstore.store_of(dataset))


def _event_label(row) -> str:
    when = date_text(row.event_date, row.time_precision, row.date_end,
                     getattr(row, "date_note", ""))
    graded = f" ({row.grade})" if getattr(row, "grade", "") else ""
    return f"{when}: {row.event_type}, {row.place_name or 'no place given'}{graded}"


def _event_word_hits(index: SearchIndex, words: list[str], limit: int) -> list[tuple]:
    if not words or index.event_store is None:
        return []
    rows = index.event_store.word_hits(words, limit)
    return [("event", row.event_id, _event_label(row), views.short_text(row.description, 120),
             0.6) for row in rows.itertuples()]


def _score(entry: Entry, query: str, words: list[str]) -> float:
    if query in entry.names:
        return 1.0
    if any(query in name for name in entry.names if name):
        return 0.9
    name_words = {w for name in entry.names for w in name.split()}
    if words and all(any(_similar(q, w) for w in name_words) for q in words):
        return 0.8
    text_words = set(entry.text.split())
    if words and all(q in text_words or q in entry.text for q in words):
        return 0.6
    if words and all(any(_similar(q, w) for w in text_words) for q in words):
        return 0.5
    return 0.0


def search(index: SearchIndex, query: str, limit: int = 12) -> pd.DataFrame:
    """Best matches first: kind, id, label, detail, score."""
    normalised = normalise_key(query)
    columns = ["kind", "id", "label", "detail", "score"]
    if len(normalised) < 2:
        return pd.DataFrame(columns=columns)
    words = [w for w in normalised.split() if len(w) >= 2]
    hits = []
    for entry in index.entries:
        score = _score(entry, normalised, words)
        if score:
            hits.append((entry.kind, entry.ident, entry.label, entry.detail, score))
    # the events' words are searched in their stored form (filterdefs.words_key), from the
    # words as typed: normalise_key would spell some otherwise (ß as ss)
    hits += _event_word_hits(index, [w for w in query.split() if len(w) >= 2], limit)
    frame = pd.DataFrame(hits, columns=columns)
    if frame.empty:
        return frame
    frame["order"] = frame["kind"].map(KIND_ORDER)
    frame = frame.sort_values(["score", "order", "label"], ascending=[False, True, True])
    return frame.drop(columns="order").head(limit).reset_index(drop=True)

