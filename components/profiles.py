"""What the actor, event and claims pages show, as plain frames and sentences. No Streamlit import.

Every citation goes through `cite`, so a source always appears with its reliability.
"""

from __future__ import annotations

from collections import deque

import pandas as pd

from components import frames, grades
from components.contract import VOCABULARIES
from components.loader import Dataset
from components.network import period_text
from components.views import date_text, presentable

PRECISION_SENTENCE = {
    "day": "date known to the day",
    "month": "date known to the month",
    "year": "date known to the year",
}
PLACE_SENTENCE = {
    "exact": "at the named place",
    "near": "near the named place",
    "region": "somewhere in the region; drawn at its centre",
    "country": "somewhere in the country; drawn at its centre",
}


# --------------------------------------------------------------------------------------------
# Sources


def reliability_text(letter: str) -> str:
    meaning = VOCABULARIES["reliability"].get(letter, "")
    return f"{letter}: {meaning.split(':')[0]}" if meaning else (letter or "not rated")


def cite(dataset: Dataset, source_ids, locator: str = "") -> str:
    """'ISW report title (reliability B: usually reliable), ISW, Topic 3' for each source."""
    sources = dataset.sources.set_index("source_id") if len(dataset.sources) else None
    parts = []
    for source_id in source_ids:
        if sources is not None and source_id in sources.index:
            row = sources.loc[source_id]
            parts.append(f"{row['title']} (reliability {reliability_text(row['reliability'])})")
        else:
            parts.append(f"{source_id} (not in sources.csv)")
    text = "; ".join(parts)
    return f"{text} — {locator}" if locator else text


def short_cite(dataset: Dataset, source_ids) -> str:
    """'isw (B); enc (C)': compact, for tooltips and table cells."""
    letters = frames.lookup(dataset.sources, "source_id", "reliability")
    return "; ".join(f"{s} ({letters.get(s, '?')})" for s in source_ids)


# --------------------------------------------------------------------------------------------
# Actors


def actor_profile(dataset: Dataset, actor_id: str) -> dict[str, str]:
    """The actor's fields in words; empty dict when the id is unknown."""
    actors = dataset.actors.set_index("actor_id")
    if actor_id not in actors.index:
        return {}
    row = actors.loc[actor_id]
    active = period_text(row["active_from"], row["active_to"])
    return {
        "Name": row["name"],
        "Type": row["actor_type"],
        "Also known as": "; ".join(row["aliases"]) or "no other names recorded",
        "Country": row["country"] or "not recorded",
        "Side": row.get("side", "") or "not recorded",
        "Active": active if active != "dates not given" else "the sources give no dates",
        "Description": row["description"] or "no description",
        "Sources": cite(dataset, row["source_ids"], row.get("source_locator", "")),
    }


def ego_actor_ids(relations: pd.DataFrame, actor_id: str, hops: int) -> set[str]:
    """Actors within `hops` relations of the actor, ignoring direction."""
    neighbours: dict[str, set[str]] = {}
    for source, target in zip(relations["source"], relations["target"]):
        neighbours.setdefault(source, set()).add(target)
        neighbours.setdefault(target, set()).add(source)
    seen, queue = {actor_id: 0}, deque([actor_id])
    while queue:
        node = queue.popleft()
        if seen[node] == hops:
            continue
        for other in neighbours.get(node, ()):
            if other not in seen:
                seen[other] = seen[node] + 1
                queue.append(other)
    return set(seen)


def ego_relations(relations: pd.DataFrame, actor_id: str, hops: int = 1) -> pd.DataFrame:
    """Relations of the ego network: both ends within reach, one end strictly inside it."""
    inner = ego_actor_ids(relations, actor_id, hops - 1) if hops > 1 else {actor_id}
    reach = ego_actor_ids(relations, actor_id, hops)
    mask = (frames.both_ends_in(relations, reach)
            & (frames.is_in(relations["source"], inner) | frames.is_in(relations["target"], inner)))
    return relations[mask]


def within_grade(frame: pd.DataFrame, min_reliability: str, min_credibility: str
                 ) -> pd.DataFrame:
    """The rows of an events or relations frame (or a table with a `grade` column) graded at
    least as asked; all of them when nothing is asked."""
    if frame.empty or not (min_reliability or min_credibility) or "grade" not in frame:
        return frame
    return frame[grades.meets(frame["grade"].astype(object), min_reliability, min_credibility)]


def actor_relations_table(dataset: Dataset, actor_id: str) -> pd.DataFrame:
    names = dataset.actor_names
    relations = dataset.relations
    rows = []
    for rel in relations[(relations["source"] == actor_id) | (relations["target"] == actor_id)].itertuples():
        outgoing = rel.source == actor_id
        other = rel.target if outgoing else rel.source
        rows.append({
            "direction": "outgoing" if outgoing else "incoming",
            "relation": f"{names.get(rel.source, rel.source)} {rel.relation} "
                        f"{names.get(rel.target, rel.target)}",
            "type": rel.relation,
            "other actor": names.get(other, other),
            "other_id": other,
            "period": period_text(rel.start_date, rel.end_date),
            "claim status": rel.claim_status,
            "grade": getattr(rel, "grade", ""),
            "sources": short_cite(dataset, rel.source_ids),
            "where": rel.source_locator,
            "says": rel.description,
            "relation_id": rel.relation_id,
        })
    columns = ["direction", "relation", "type", "other actor", "other_id", "period",
               "claim status", "grade", "sources", "where", "says", "relation_id"]
    return pd.DataFrame(rows, columns=columns)


def actor_sources(dataset: Dataset, actor_id: str, event_citations: pd.DataFrame
                  ) -> pd.DataFrame:
    """Every source that mentions the actor, with how often and where. `event_citations`:
    the sources cited by the events naming the actor (selection.Selection.citations)."""
    cited: dict[str, dict] = {}

    def note(source_ids, what: str, locator: str, rows: int = 1) -> None:
        for source_id in source_ids:
            entry = cited.setdefault(source_id, {"rows": 0, "where": set(), "as": set()})
            entry["rows"] += rows
            entry["as"].add(what)
            for part in str(locator).split(";"):
                if part.strip():
                    entry["where"].add(part.strip())

    actors = dataset.actors.set_index("actor_id")
    if actor_id in actors.index:
        note(actors.loc[actor_id, "source_ids"], "profile", actors.loc[actor_id, "source_locator"])
    rel = dataset.relations
    for r in rel[(rel["source"] == actor_id) | (rel["target"] == actor_id)].itertuples():
        note(r.source_ids, "relations", r.source_locator)
    for e in event_citations.itertuples():
        note((e.source_id,), "events", ";".join(e.sections), e.rows)
    claims = dataset.claims
    if len(claims):
        for c in claims[claims["claimant"] == actor_id].itertuples():
            note(c.source_ids, "claims", c.source_locator)
    sources = dataset.sources.set_index("source_id")
    rows = []
    for source_id, entry in sorted(cited.items()):
        known = source_id in sources.index
        rows.append({
            "source": source_id,
            "title": sources.loc[source_id, "title"] if known else "(not in sources.csv)",
            "reliability": reliability_text(sources.loc[source_id, "reliability"]) if known else "",
            "rows citing it": entry["rows"],
            "cited for": ", ".join(sorted(entry["as"])),
            "sections": "; ".join(sorted(entry["where"])),
        })
    return pd.DataFrame(rows, columns=["source", "title", "reliability", "rows citing it",
                                       "cited for", "sections"])


# --------------------------------------------------------------------------------------------
# Events


def event_label(row) -> str:
    """'20 Jan 2007 · kidnapping · Karbala PJCC · grade C4 [the date's note]': the note last,
    so a long one never hides the type, place and grade in a cut-off label."""
    place = row["place_name"] or "no place given"
    when = date_text(row['event_date'], row['time_precision'], row['date_end'])
    graded = f" · grade {row['grade']}" if row.get("grade") else ""
    note = row.get("date_note", "")
    noted = f" [{note.strip()}]" if isinstance(note, str) and note.strip() else ""
    return f"{when} · {row['event_type']} · {place}{graded}{noted}"


def event_summary(row) -> str:
    """'20 Jan 2007 · Gunmen disguised as U.S. soldiers …': the date (its note left to the
    event's page) and what happened, as an audience reads a step's evidence."""
    described = presentable(row["description"])
    if not described:  # the contract allows an event without words: its type and place
        return event_label({**dict(row), "date_note": ""})
    when = date_text(row["event_date"], row["time_precision"], row["date_end"])
    return f"{when} · {described}"


def event_heading(details: dict[str, str]) -> str:
    """'Kidnapping, 15 Nov 2006' from event_details; 'Cooperation, date not given'."""
    when = details.get("When", "")
    shown = when.split(": ", 1)[1] if when.startswith("date known") else "date not given"
    return f"{details.get('Type', 'Event').capitalize()}, {shown}"


def precision_sentence(event_date: str, precision: str, date_end: str = "") -> str:
    """'date known to the month: May 2006'."""
    words = PRECISION_SENTENCE.get(precision, "precision not recorded")
    shown = date_text(event_date, "", date_end)
    return f"{words}: {shown}"


def event_details(dataset: Dataset, event_id: str) -> dict[str, str]:
    """Every field of an event in plain words; empty dict when the id is unknown."""
    events = dataset.events.set_index("event_id")
    if event_id not in events.index:
        return {}
    row = events.loc[event_id]
    names = dataset.actor_names
    claim_meaning = VOCABULARIES["claim_status"].get(row["claim_status"], "")
    if row["place_name"]:
        place = f"{row['place_name']} ({row['admin1'] or 'no province'}, {row['place_country']})"
        place += f" — {PLACE_SENTENCE.get(row['geo_precision'], row['geo_precision'])}"
    else:
        place = "the sources give no place, so the event is not on the map"
    origin = ""
    if row["origin_location"]:
        origin = dataset.place_names.get(row["origin_location"], row["origin_location"])
    details = {
        "What happened": row["description"],
        "Type": row["event_type"],
        "When": precision_sentence(row["event_date"], row["time_precision"], row["date_end"])
        if row["event_date"] else "the sources give no date, so the event is not on the timeline",
        "Note on the date": row.get("date_note", "") or "",
        "Where": place,
        "Moving from": origin,
        "Main actor": names.get(row["actor1"], row["actor1"]),
        # actor2 is the other side, the target or a partner: "other side" misread a founding
        # or a cooperation as a clash
        "Second actor": names.get(row["actor2"], row["actor2"]) if row["actor2"] else "",
        "Also involved": ", ".join(names.get(a, a) for a in row["assoc_actors"]),
        "Claim status": f"{row['claim_status']}: {claim_meaning}" if claim_meaning else row["claim_status"],
        "Grade": grades.grade_words(str(row.get("grade", "") or "")),
        "Fatalities": "" if pd.isna(row["fatalities"]) else str(int(row["fatalities"])),
        "Sources": cite(dataset, row["source_ids"], row["source_locator"]),
    }
    return {k: v for k, v in details.items() if v}


def event_actor_links(dataset: Dataset, event_id: str) -> list[tuple[str, str, str]]:
    """(role, actor_id, name) for every actor of the event that is in actors.csv."""
    events = dataset.events.set_index("event_id")
    row = events.loc[event_id]
    names = dataset.actor_names
    out = [("main actor", row["actor1"])]
    if row["actor2"]:
        out.append(("second actor", row["actor2"]))
    out += [("also involved", a) for a in row["assoc_actors"]]
    return [(role, a, names[a]) for role, a in out if a in names]


# --------------------------------------------------------------------------------------------
# Claims


STANCE_COLUMNS = {  # the Claims page's columns, left to right
    "Asserts": ("asserts",),
    "Denies or doubts": ("denies", "doubts"),
    "Qualifies": ("qualifies",),
}


def stances_present(group: pd.DataFrame) -> list[str]:
    """The stance columns (STANCE_COLUMNS' titles) a subject's claims fill, in order."""
    return [title for title, stances in STANCE_COLUMNS.items()
            if group["stance"].isin(stances).any()]


def unopposed_sentence(present: list[str]) -> str:
    """'No claim in the record denies, doubts or qualifies it.' for the stances left empty."""
    verbs = [verb for title in STANCE_COLUMNS if title not in present
             for verb in title.lower().split(" or ")]
    if not verbs:
        return ""
    words = verbs[0] if len(verbs) == 1 else f"{', '.join(verbs[:-1])} or {verbs[-1]}"
    return f"No claim in the record {words} it."


def claims_by_subject(dataset: Dataset, text: str = "", claims: pd.DataFrame | None = None
                      ) -> list[tuple[str, pd.DataFrame]]:
    """Competing claims (the dataset's, or those given) grouped by subject, subjects with the
    most disagreement first."""
    claims = dataset.claims if claims is None else claims
    if claims.empty:
        return []
    names = dataset.actor_names
    titles = frames.lookup(dataset.sources, "source_id", "title")
    frame = claims.copy()
    frame["claimant_name"] = [
        names.get(c, c) if kind == "actor" else titles.get(c, c)
        for c, kind in zip(frame["claimant"], frame["claimant_kind"])]
    frame["when"] = [date_text(d, "") if d else "date not given" for d in frame["claim_date"]]
    frame["cited"] = [cite(dataset, ids, loc) for ids, loc in zip(frame["source_ids"],
                                                                  frame["source_locator"])]
    if text.strip():
        needle = text.strip().lower()
        hit = (frame["subject"].str.lower().str.contains(needle, regex=False)
               | frame["statement"].str.lower().str.contains(needle, regex=False)
               | frame["claimant_name"].str.lower().str.contains(needle, regex=False))
        frame = frame[frame["subject"].isin(set(frame.loc[hit, "subject"]))]
    groups = []
    for subject, group in frame.groupby("subject", sort=False):
        disagreement = group["stance"].isin(["denies", "doubts"]).any() and (
            group["stance"] == "asserts").any()
        groups.append((not disagreement, -len(group), subject, group.sort_values("claim_start")))
    groups.sort(key=lambda g: (g[0], g[1]))
    return [(subject, group) for _, _, subject, group in groups]


def claim_subject_grade(dataset: Dataset, subject_type: str, subject_id: str) -> str:
    """The grade of the event or relation a claim is about; "" for a statement."""
    if subject_type == "event":
        rows = dataset.event_rows([subject_id])
    elif subject_type == "relation":
        rows = dataset.relations[dataset.relations["relation_id"] == subject_id]
    else:
        return ""
    return str(rows.iloc[0]["grade"]) if len(rows) and "grade" in rows else ""


def claim_subject_link(dataset: Dataset, subject_type: str, subject_id: str
                       ) -> tuple[str, str, str] | None:
    """Where a claim's subject lives: ('event', event_id, label) for the event page, or
    ('actor', actor_id, sentence) for the page of the actor at the relation's source."""
    if subject_type == "event" and len(dataset.event_rows([subject_id])):
        return "event", subject_id, "Open the event"
    if subject_type == "relation":
        rel = dataset.relations[dataset.relations["relation_id"] == subject_id]
        if len(rel):
            sentence = relation_sentence(dataset, subject_id)
            return "actor", rel.iloc[0]["source"], f"In the data: {sentence}"
    return None


def relation_status(dataset: Dataset, relation_id: str) -> str:
    rel = dataset.relations[dataset.relations["relation_id"] == relation_id]
    return str(rel.iloc[0]["claim_status"]) if len(rel) else ""


def relation_sentence(dataset: Dataset, relation_id: str) -> str:
    rel = dataset.relations[dataset.relations["relation_id"] == relation_id]
    if rel.empty:
        return relation_id
    row = rel.iloc[0]
    names = dataset.actor_names
    return f"{names.get(row['source'], row['source'])} {row['relation']} {names.get(row['target'], row['target'])}"


def claims_by(dataset: Dataset, claimant: str) -> pd.DataFrame:
    claims = dataset.claims
    return claims[claims["claimant"] == claimant] if len(claims) else claims


def claims_about_event(dataset: Dataset, event_id: str) -> pd.DataFrame:
    claims = dataset.claims
    if claims.empty:
        return claims
    return claims[(claims["subject_type"] == "event") & (claims["subject_id"] == event_id)]


EVENT_LINKS = 100  # events an Actor page lists as links (the Timeline lists them all)


def event_choices(dataset: Dataset) -> dict[str, str]:
    """event_id -> 'ev-037 · 20 Jan 2007 · kidnapping · Karbala ...', in date order."""
    events = dataset.events.sort_values("span_start")
    return {row["event_id"]: f"{row['event_id']} · {event_label(row)}"
            for row in events.to_dict("records")}


def claimant_names(dataset: Dataset) -> dict[str, str]:
    """Names for claimants: actors by name, sources by title."""
    return {**frames.lookup(dataset.sources, "source_id", "title"),
            **dataset.actor_names}


def evidence_rows(dataset: Dataset, evidence) -> pd.DataFrame:
    """What a briefing step rests on, one row per event, relation or claim, in words: kind,
    what it says, claim status or stance, grade, sources. No ids: this is read by an audience."""
    events = dataset.event_rows(list(evidence)).set_index("event_id")
    relations = dataset.relations.set_index("relation_id")
    claims = dataset.claims.set_index("claim_id") if len(dataset.claims) else None
    names = claimant_names(dataset)
    rows = []
    for ident in evidence:
        if ident in events.index:
            row = events.loc[ident]
            rows.append(("event", f"{event_label(row)}: {presentable(row['description'])}",
                         row["claim_status"], str(row.get("grade", "")),
                         cite(dataset, row["source_ids"], row["source_locator"])))
        elif ident in relations.index:
            row = relations.loc[ident]
            rows.append(("relation", f"{relation_sentence(dataset, ident)}: "
                         f"{presentable(row['description'])}",
                         row["claim_status"], str(row.get("grade", "")),
                         cite(dataset, row["source_ids"], row["source_locator"])))
        elif claims is not None and ident in claims.index:
            row = claims.loc[ident]
            who = names.get(row["claimant"], row["claimant"])
            rows.append(("claim", f"{who} {row['stance']}: {presentable(row['statement'])}",
                         row["stance"], "",
                         cite(dataset, row["source_ids"], row["source_locator"])))
    return pd.DataFrame(rows, columns=["kind", "what it says", "claim status or stance", "grade",
                                       "sources"])
