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

from components.loader import Dataset, normalise_key, normalise_keys_vectorised
from components import views
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


FUZZY_EVENT_LIMIT = 20_000  # up to this many events, each is an entry matched forgivingly


@dataclass(frozen=True)
class SearchIndex:
    entries: list[Entry]
    # past FUZZY_EVENT_LIMIT: the events, and their words normalised in one vectorised pass;
    # they are matched by every query word appearing, without the spelling tolerance
    events: pd.DataFrame | None = None
    event_words: pd.Series | None = None
    event_store: object | None = None  # components.eventstore.EventStore, searched in SQL


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
    events = dataset.events
    if dataset.event_store is not None:
        return SearchIndex(entries, event_store=dataset.event_store)
    if len(events) > FUZZY_EVENT_LIMIT:
        return SearchIndex(entries, events, _words_of(events))
    actor_names = dict(zip(dataset.actors["actor_id"], dataset.actors["name"]))
    for row in events.itertuples():
        words = " ".join([row.description, row.event_type, row.place_name,
                          actor_names.get(row.actor1, row.actor1),
                          actor_names.get(row.actor2, row.actor2)])
        entries.append(Entry("event", row.event_id, _event_label(row),
                             views.short_text(row.description, 120),
                             (normalise_key(row.event_id),), normalise_key(words)))
    return SearchIndex(entries)


def _event_label(row) -> str:
    when = date_text(row.event_date, row.time_precision, row.date_end,
                     getattr(row, "date_note", ""))
    graded = f" ({row.grade})" if getattr(row, "grade", "") else ""
    return f"{when}: {row.event_type}, {row.place_name or 'no place given'}{graded}"


def _words_of(events: pd.DataFrame) -> pd.Series:
    text = events["event_id"].astype(str)
    for column in ("description", "event_type", "place_name"):
        text = text + " " + events[column].astype(str)
    return normalise_keys_vectorised(text)


def _event_word_hits(index: SearchIndex, words: list[str], limit: int) -> list[tuple]:
    if not words or (index.event_words is None and index.event_store is None):
        return []
    if index.event_store is not None:
        rows = index.event_store.word_hits(words, limit)
    else:
        found = pd.Series(True, index=index.event_words.index)
        for word in words:
            found &= index.event_words.str.contains(word, regex=False)
        rows = index.events[found.to_numpy()].head(limit)
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
    hits += _event_word_hits(index, words, limit)
    frame = pd.DataFrame(hits, columns=columns)
    if frame.empty:
        return frame
    frame["order"] = frame["kind"].map(KIND_ORDER)
    frame = frame.sort_values(["score", "order", "label"], ascending=[False, True, True])
    return frame.drop(columns="order").head(limit).reset_index(drop=True)

