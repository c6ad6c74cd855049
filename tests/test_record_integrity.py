"""Record integrity: rules the shipped tables keep so that they say no more than the documents.

Each rule is a function of the data folder that returns the rows breaking it (an empty list when
the rule holds), so it can be run by hand against any copy of the tables; each test applies one
rule to the shipped data/ folder. The CSVs are read as plain text, not through the loader, so the
rules see exactly what is written in the cells.
"""

from __future__ import annotations

import calendar
import re
import shutil
import unicodedata
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

DATA = Path(__file__).parent.parent / "data"
SOURCES = Path(__file__).parent.parent.parent / "shared" / "sources"
DOCUMENTS = ("000_501d27c9d5e420d1.txt", "004_3079d4b0435be9bf.txt")  # ISW report, encyclopedia

ALLEGED_SECTION = "Alleged Iranian support for the invasion"
SUPPORT_VERBS = ("trains", "arms", "funds", "supports")
UNCERTAIN = ("disputed", "alleged")

# Words by which a description says the row is not settled: the documents disagree, a party
# denies it, the source calls it alleged, someone is "examining" it or "suspects" it.
HEDGE = re.compile(
    r"\bdisputed\b|\bdisagree|\binstead\b|\balleged(?:ly)?\b|\bexamin|\bsuspect|\bsuspic",
    re.IGNORECASE,
)
DENIAL = re.compile(r"\bden(?:y|ies|ied|ying|ial|ials)\b", re.IGNORECASE)

# Ways a relation's description says the source gives no date (all, or no start, or no end).
NO_DATE = re.compile(r"\b(?:no date|no dates|not dated|undated)\b", re.IGNORECASE)
NO_START = re.compile(r"\bno start date\b", re.IGNORECASE)
NO_END = re.compile(r"\bno end date\b", re.IGNORECASE)

# A description that places a link with the government set up right after the 2003 invasion.
POST_INVASION_GOVERNMENT = re.compile(
    r"newly established government|new (?:Iraqi )?government|post-invasion government|"
    r"post-2003 government",
    re.IGNORECASE,
)


# ---------------------------------------------------------------------------------------------
# Helpers


def table(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False, encoding="utf-8")


def column(frame: pd.DataFrame, name: str) -> pd.Series:
    """A column, or empty strings when the file lacks it (an older copy of the tables)."""
    return frame[name] if name in frame.columns else pd.Series([""] * len(frame), index=frame.index)


def split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(";") if part.strip()]


def events_and_relations(folder: Path) -> list[tuple[str, dict[str, str]]]:
    """(id, row) for every event and relation, each row a dict with 'kind' set."""
    rows = []
    kinds = (("event", "events", "event_id"), ("relation", "relations", "relation_id"))
    for kind, name, key in kinds:
        for record in table(folder, name).to_dict("records"):
            rows.append((record[key], {**record, "kind": kind}))
    return rows


def span(value: str) -> tuple[date, date] | None:
    """The first and last day an ISO date (YYYY, YYYY-MM or YYYY-MM-DD) can mean."""
    if not value:
        return None
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 1:
        return date(parts[0], 1, 1), date(parts[0], 12, 31)
    if len(parts) == 2:
        last = calendar.monthrange(parts[0], parts[1])[1]
        return date(parts[0], parts[1], 1), date(parts[0], parts[1], last)
    day = date(*parts)
    return day, day


def period(start: str, end: str) -> tuple[date, date] | None:
    """The span from `start` to `end`; open sides reach to the far past or future."""
    first, last = span(start), span(end)
    if first is None and last is None:
        return None
    return (first[0] if first else date.min), (last[1] if last else date.max)


def normalise(text: str, punctuation: str) -> str:
    """Case, accents and punctuation ignored, as the loader's name matching does."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[^\w\s]", punctuation, text.casefold())
    return " " + re.sub(r"\s+", " ", text).strip() + " "


def documents_text() -> list[str]:
    paths = [SOURCES / name for name in DOCUMENTS]
    if not all(p.exists() for p in paths):
        pytest.skip(f"{SOURCES} is absent: ../shared is only beside the project in the workspace")
    text = " ".join(p.read_text(encoding="utf-8") for p in paths)
    return [normalise(text, ""), normalise(text, " ")]


def in_documents(alias: str, texts: list[str]) -> bool:
    return any(normalise(alias, sep) in text for sep in ("", " ") for text in texts)


# ---------------------------------------------------------------------------------------------
# Rules: each returns what breaks it in `folder`


def hedged_rows_marked_confirmed(folder: Path) -> list[str]:
    """Confirmed rows whose own description says the documents disagree, that a party denies it,
    or that it is alleged, being examined or suspected. A `statement` event may record a denial
    itself (the denial was made): only the denial words are allowed there."""
    bad = []
    for rid, row in events_and_relations(folder):
        if row["claim_status"] != "confirmed":
            continue
        text = row["description"]
        is_statement = row["kind"] == "event" and row["event_type"] == "statement"
        if HEDGE.search(text) or (DENIAL.search(text) and not is_statement):
            bad.append(rid)
    return bad


def competing_attributions_marked_confirmed(folder: Path) -> list[str]:
    """Where the claims set two rows against each other on one subject (two attributions of the
    same raid), neither is confirmed; nor is a relation restating a contested event (same actors,
    naming its place)."""
    claims = table(folder, "claims")
    rows = dict(events_and_relations(folder))
    contested: set[str] = set()
    for _, group in claims.groupby("subject"):
        subjects = {s for s in group["subject_id"] if s}
        if len(subjects) > 1:
            contested |= subjects
    bad = [s for s in sorted(contested) if s in rows and rows[s]["claim_status"] == "confirmed"]

    events = table(folder, "events")
    places = table(folder, "locations").set_index("location_id")
    relations = table(folder, "relations")
    for _, event in events.iterrows():
        if event["claim_status"] == "confirmed" and event["event_id"] not in contested:
            continue
        if not event["location"] or not event["actor2"] or event["location"] not in places.index:
            continue
        place = places.loc[event["location"]]
        names = [place["name"], *split(place["aliases"])]
        same = relations[
            (relations["source"] == event["actor1"])
            & (relations["target"] == event["actor2"])
            & (relations["claim_status"] == "confirmed")
        ]
        for _, relation in same.iterrows():
            if any(n.casefold() in relation["description"].casefold() for n in names):
                bad.append(f"{relation['relation_id']} restates {event['event_id']}")
    return bad


def dates_the_source_does_not_give(folder: Path) -> list[str]:
    """Relations whose description says the source gives no date (no start, no end) yet carry
    one; and the rows the documents leave undated: r-045 and r-046 have no end, r-038, r-039 and
    r-084 no start, ev-018 no date at all."""
    relations = table(folder, "relations").set_index("relation_id", drop=False)
    bad = []
    for rid, row in relations.iterrows():
        text = row["description"]
        if NO_DATE.search(text) and (row["start_date"] or row["end_date"]):
            bad.append(f"{rid}: says no date, has {row['start_date']}..{row['end_date']}")
        if NO_START.search(text) and row["start_date"]:
            bad.append(f"{rid}: says no start date, has {row['start_date']}")
        if NO_END.search(text) and row["end_date"]:
            bad.append(f"{rid}: says no end date, has {row['end_date']}")
    bad += [f"{r}: end {relations.loc[r, 'end_date']}" for r in ("r-045", "r-046")
            if relations.loc[r, "end_date"]]
    bad += [f"{r}: start {relations.loc[r, 'start_date']}" for r in ("r-038", "r-039", "r-084")
            if relations.loc[r, "start_date"]]
    events = table(folder, "events").set_index("event_id")
    if events.loc["ev-018", "event_date"] or events.loc["ev-018", "time_precision"]:
        bad.append(f"ev-018: dated {events.loc['ev-018', 'event_date']}")
    return bad


def alleged_section_rows_marked_confirmed(folder: Path) -> list[str]:
    """Rows citing the encyclopedia's section 'Alleged Iranian support for the invasion': the
    document does not vouch for that section, so none of them is confirmed."""
    return [
        rid
        for rid, row in events_and_relations(folder)
        if ALLEGED_SECTION.casefold() in row["source_locator"].casefold()
        and row["claim_status"] == "confirmed"
    ]


def hezbollah_unit_support_out_of_step(folder: Path) -> list[str]:
    """A unit Hezbollah founded (Unit 3800) carries Hezbollah's support: its training, arming and
    funding have the status of Hezbollah's own training, arming and funding of the Special Groups,
    and it is not confirmed toward a group whose Iranian or Hezbollah support is contested."""
    relations = table(folder, "relations")
    from_hezbollah = relations[relations["source"] == "hezbollah"]
    units = set(from_hezbollah[from_hezbollah["relation"] == "founded"]["target"])
    to_special_groups = from_hezbollah[from_hezbollah["target"] == "special-groups"]
    own = dict(zip(to_special_groups["relation"], to_special_groups["claim_status"]))
    contested_targets = set(
        relations[
            relations["source"].isin(["iran", "hezbollah"])
            & relations["relation"].isin(SUPPORT_VERBS)
            & relations["claim_status"].isin(UNCERTAIN)
        ]["target"]
    )
    bad = []
    unit_support = relations["source"].isin(units) & relations["relation"].isin(SUPPORT_VERBS)
    for _, r in relations[unit_support].iterrows():
        rid, status, verb = r["relation_id"], r["claim_status"], r["relation"]
        expected = own.get(verb)
        if expected and status != expected:
            bad.append(f"{rid} is {status}, Hezbollah {verb} Special Groups is {expected}")
        if r["target"] in contested_targets and status == "confirmed":
            bad.append(f"{rid} confirmed toward {r['target']}, whose support is contested")
    return bad


def links_outside_an_actors_time(folder: Path) -> list[str]:
    """A dated relation or event must fall within the active period of every actor it names
    (iraq-gov is the Maliki government, from 2006-05); and no relation ties the government set up
    after the 2003 invasion to iraq-gov."""
    actors = table(folder, "actors").set_index("actor_id")
    active = {
        a: period(row["active_from"], row["active_to"])
        for a, row in actors.iterrows()
        if row["active_from"] or row["active_to"]
    }

    def outside(when: tuple[date, date] | None, actor: str) -> bool:
        if when is None or actor not in active:
            return False
        return when[1] < active[actor][0] or when[0] > active[actor][1]

    bad = []
    for _, r in table(folder, "relations").iterrows():
        when = period(r["start_date"], r["end_date"])
        for actor in (r["source"], r["target"]):
            if outside(when, actor):
                dates = f"{r['start_date']}..{r['end_date']}"
                bad.append(f"{r['relation_id']}: {dates} outside {actor}")
        touches = "iraq-gov" in (r["source"], r["target"])
        if touches and POST_INVASION_GOVERNMENT.search(r["description"]):
            bad.append(f"{r['relation_id']}: the post-invasion government is not iraq-gov")
    for _, e in table(folder, "events").iterrows():
        when = period(e["event_date"], e["date_end"] or e["event_date"])
        for actor in [e["actor1"], e["actor2"], *split(e["assoc_actors"])]:
            if outside(when, actor):
                bad.append(f"{e['event_id']}: {e['event_date']} outside {actor}")
    return bad


def aliases_from_neither_document_uncited(folder: Path, texts: list[str]) -> list[str]:
    """Every alias found in neither document is a public-record name: its row cites public-record
    and names the alias in source_locator. (locations.csv has no source columns, so only tables
    that have them can be checked.)"""
    bad = []
    for name, key in (("actors", "actor_id"), ("locations", "location_id")):
        frame = table(folder, name)
        if "source_ids" not in frame.columns:
            continue
        for _, row in frame.iterrows():
            for alias in split(row["aliases"]):
                if in_documents(alias, texts):
                    continue
                cited = "public-record" in split(row["source_ids"])
                named = alias.casefold() in row["source_locator"].casefold()
                if not (cited and named):
                    bad.append(f"{row[key]}: '{alias}'")
    return bad


def public_record_events_without_date_note(folder: Path) -> list[str]:
    """An event that cites public-record says in date_note what the public record gave (or how
    its date differs from the document's)."""
    events = table(folder, "events")
    notes = column(events, "date_note")
    return [
        e["event_id"]
        for i, e in events.iterrows()
        if "public-record" in split(e["source_ids"]) and not notes[i].strip()
    ]


def document_dates_not_kept_beside_the_other(folder: Path) -> list[str]:
    """Where ISW and the public record differ on the day, ISW's date stays in event_date and the
    date_note names the other: ev-035 (ISW 15 November 2006, public record 14 November) and ev-040
    (ISW 29 May 2007, public record 28 May)."""
    events = table(folder, "events").set_index("event_id")
    notes = column(events, "date_note")
    bad = []
    for event_id, kept, other in (("ev-035", "2006-11-15", "14 November 2006"),
                                  ("ev-040", "2007-05-29", "28 May 2007")):
        if events.loc[event_id, "event_date"] != kept:
            bad.append(f"{event_id}: event_date is not ISW's {kept}")
        if other not in notes[event_id]:
            bad.append(f"{event_id}: date_note does not name {other}")
        if "public-record" not in split(events.loc[event_id, "source_ids"]):
            bad.append(f"{event_id}: does not cite public-record")
    return bad


def capture_without_its_place(folder: Path) -> list[str]:
    """ev-039 (the capture of Daqduq and the Khazali brothers) has the place the public record
    gives with its day: Basra, with a place precision."""
    event = table(folder, "events").set_index("event_id").loc["ev-039"]
    if event["location"] != "basra" or not event["geo_precision"]:
        return [f"ev-039: location '{event['location']}', precision '{event['geo_precision']}'"]
    return []


def credibility_missing_or_at_odds(folder: Path) -> list[str]:
    """Every event and relation has a credibility 1-6 that agrees with its claim_status: a
    disputed or alleged row is 4 or worse, a confirmed row 1 or 2."""
    bad = []
    for rid, row in events_and_relations(folder):
        grade = row.get("credibility", "")
        if grade not in {"1", "2", "3", "4", "5", "6"}:
            bad.append(f"{rid}: credibility '{grade}'")
        elif row["claim_status"] in UNCERTAIN and int(grade) < 4:
            bad.append(f"{rid}: {row['claim_status']} graded {grade}")
        elif row["claim_status"] == "confirmed" and int(grade) > 2:
            bad.append(f"{rid}: confirmed graded {grade}")
    return bad


def claims_filed_under_another_subject(folder: Path) -> list[str]:
    """A claim filed under the subject of Iran aiding the invasion is about the invasion; the
    officials' remarks on cooperation with the US in Iraq (c-017 to c-019) are not."""
    claims = table(folder, "claims").set_index("claim_id")
    bad = [
        cid
        for cid, c in claims.iterrows()
        if "invasion" in c["subject"].casefold() and "invasion" not in c["statement"].casefold()
    ]
    bad += [cid for cid in ("c-017", "c-018", "c-019")
            if "invasion" in claims.loc[cid, "subject"].casefold()]
    return sorted(set(bad))


def briefing_overstatements(folder: Path) -> list[str]:
    """The briefing says what Iran denies (funding, training and arming the Special Groups), not
    that it denies 'arming or training anyone'; and a step resting on disputed or alleged rows
    says that they are contested."""
    briefing = table(folder, "briefing")
    status = {rid: row["claim_status"] for rid, row in events_and_relations(folder)}
    contested_words = re.compile(r"disput|disagree|\bden(?:y|ies|ied)\b|alleg", re.IGNORECASE)
    bad = []
    for _, step in briefing.iterrows():
        text = step["narrative"]
        if "arming or training anyone" in text:
            bad.append(f"step {step['step']}: 'arming or training anyone'")
        uncertain = [e for e in split(step["evidence"]) if status.get(e) in UNCERTAIN]
        if uncertain and not contested_words.search(text):
            bad.append(f"step {step['step']}: rests on {uncertain}, not said to be contested")
    return bad


# ---------------------------------------------------------------------------------------------
# Tests on the shipped data


def test_no_hedged_row_is_confirmed():
    """Rule: no event or relation whose description says the documents disagree, a party denies
    it, or it is alleged, examined or suspected is `confirmed`."""
    assert hedged_rows_marked_confirmed(DATA) == []


def test_competing_attributions_are_not_confirmed():
    """Rule: rows the claims set against each other (the Karbala raid: Special Groups per ISW, the
    Quds Force per the encyclopedia), and relations restating them, are not `confirmed`."""
    assert competing_attributions_marked_confirmed(DATA) == []


def test_no_date_where_the_source_gives_none():
    """Rule: a relation whose description says the source gives no date has none (no start, no
    end); r-045 and r-046 have no end, r-038, r-039 and r-084 no start, ev-018 no date."""
    assert dates_the_source_does_not_give(DATA) == []


def test_alleged_section_is_never_confirmed():
    """Rule: rows citing the encyclopedia's section 'Alleged Iranian support for the invasion'
    are never `confirmed`."""
    assert alleged_section_rows_marked_confirmed(DATA) == []


def test_unit_3800_support_has_the_status_of_hezbollah_support():
    """Rule: Unit 3800's training, arming and funding have the same status as the equivalent
    Hezbollah and Iran support relations."""
    assert hezbollah_unit_support_out_of_step(DATA) == []


def test_links_fall_within_each_actors_time():
    """Rule: no relation or event names iraq-gov (the Maliki government, active from 2006-05)
    before 2006-05 or for the government set up after the 2003 invasion; more generally a dated
    row falls within the active period of each actor it names."""
    assert links_outside_an_actors_time(DATA) == []


def test_aliases_from_neither_document_cite_the_public_record():
    """Rule: every alias that appears in neither source document belongs to a row that cites
    public-record and names that alias in its source_locator."""
    assert aliases_from_neither_document_uncited(DATA, documents_text()) == []


def test_public_record_events_have_a_date_note():
    """Rule: every event citing public-record has a date_note."""
    assert public_record_events_without_date_note(DATA) == []


def test_isw_dates_are_kept_beside_the_public_records():
    """Rule: ev-035 and ev-040 keep ISW's date and have a date_note naming the other date."""
    assert document_dates_not_kept_beside_the_other(DATA) == []


def test_the_capture_has_its_place():
    """Rule: ev-039 has a place (Basra, from the public record that gives its day)."""
    assert capture_without_its_place(DATA) == []


def test_every_row_has_a_credibility_that_agrees_with_its_status():
    """Rule: every event and relation has a credibility 1-6; disputed or alleged -> 4 or worse;
    confirmed -> 1 or 2."""
    assert credibility_missing_or_at_odds(DATA) == []


def test_claims_are_filed_under_their_own_subject():
    """Rule: claims c-017 to c-019 (officials on cooperation with the US in Iraq) are not under
    the subject of Iran aiding the invasion; a claim under that subject speaks of the invasion."""
    assert claims_filed_under_another_subject(DATA) == []


def test_briefing_does_not_overstate():
    """Rule: the briefing does not say Iran denies 'arming or training anyone', and a step
    resting on disputed or alleged rows says they are contested."""
    assert briefing_overstatements(DATA) == []


# ---------------------------------------------------------------------------------------------
# Each rule catches a row that breaks it: a copy of data/ with one small edit


def rewrite(folder: Path, name: str, edit) -> str:
    """Read `name`.csv in `folder` as text, let `edit(frame)` change it in place and return the
    id it touched, write the table back, and return that id."""
    frame = table(folder, name)
    touched = edit(frame)
    frame.to_csv(folder / f"{name}.csv", index=False, encoding="utf-8")
    return touched


def first(frame: pd.DataFrame, mask: pd.Series, what: str) -> int:
    """Index of the first row matching `mask` (the test cannot be built without one)."""
    rows = frame.index[mask]
    assert len(rows), f"the shipped data has no {what} to break the rule with"
    return rows[0]


def set_cell(frame: pd.DataFrame, key: str, rid: str, col: str, value: str) -> str:
    rows = frame.index[frame[key] == rid]
    assert len(rows), f"{rid} is missing from the shipped data"
    frame.loc[rows[0], col] = value
    return rid


def confirm_hedged_ev037(folder: Path) -> str:
    """ev-037 (the Karbala raid, 'Disputed: the documents disagree') back to confirmed."""
    def edit(ev):
        assert HEDGE.search(ev.loc[ev["event_id"] == "ev-037", "description"].iloc[0])
        return set_cell(ev, "event_id", "ev-037", "claim_status", "confirmed")
    return rewrite(folder, "events", edit)


def confirm_a_competing_attribution(folder: Path) -> str:
    """One of two rows the claims set against each other on one subject marked confirmed."""
    claims = table(folder, "claims")
    contested = []
    for _, group in claims.groupby("subject", sort=False):
        subjects = [s for s in dict.fromkeys(group["subject_id"]) if s]
        if len(subjects) > 1:
            contested += subjects
    events = table(folder, "events")
    target = next(s for s in contested if s in set(events["event_id"]))
    return rewrite(folder, "events",
                   lambda ev: set_cell(ev, "event_id", target, "claim_status", "confirmed"))


def give_r045_an_end_date(folder: Path) -> str:
    """r-045 (the document gives it no end) gets an end_date of 2003."""
    return rewrite(folder, "relations",
                   lambda rel: set_cell(rel, "relation_id", "r-045", "end_date", "2003"))


def confirm_an_alleged_section_relation(folder: Path) -> str:
    """The first unconfirmed relation citing 'Alleged Iranian support for the invasion' set
    to confirmed."""
    def edit(rel):
        cites = rel["source_locator"].str.contains(ALLEGED_SECTION, case=False, regex=False)
        i = first(rel, cites & (rel["claim_status"] != "confirmed"), "Alleged-section relation")
        rel.loc[i, "claim_status"] = "confirmed"
        return rel.loc[i, "relation_id"]
    return rewrite(folder, "relations", edit)


def confirm_unit_support_hezbollah_disputes(folder: Path) -> str:
    """A Unit 3800 trains/arms/funds relation set to confirmed while Hezbollah's own
    relation with that verb toward the Special Groups is not confirmed."""
    def edit(rel):
        hez = rel[rel["source"] == "hezbollah"]
        units = set(hez[hez["relation"] == "founded"]["target"])
        to_sg = hez[hez["target"] == "special-groups"]
        own = dict(zip(to_sg["relation"], to_sg["claim_status"]))
        verbs = [v for v, s in own.items() if v in SUPPORT_VERBS and s != "confirmed"]
        mask = rel["source"].isin(units) & rel["relation"].isin(verbs)
        i = first(rel, mask, "unit support relation whose Hezbollah equivalent is unconfirmed")
        rel.loc[i, "claim_status"] = "confirmed"
        return rel.loc[i, "relation_id"]
    return rewrite(folder, "relations", edit)


def point_post_invasion_government_at_iraq_gov(folder: Path) -> str:
    """A relation whose description names the newly established (post-2003) government
    re-pointed at iraq-gov (the Maliki government)."""
    def edit(rel):
        mask = rel["description"].str.contains(POST_INVASION_GOVERNMENT) & (
            (rel["source"] != "iraq-gov") & (rel["target"] != "iraq-gov"))
        i = first(rel, mask, "relation naming the post-invasion government")
        # Re-point the side that names the post-invasion government (iraq-gov-2003).
        side = "source" if rel.loc[i, "source"].startswith("iraq-gov") else "target"
        rel.loc[i, side] = "iraq-gov"
        return rel.loc[i, "relation_id"]
    return rewrite(folder, "relations", edit)


def invent_an_uncited_alias(folder: Path) -> str:
    """'Totally Invented Name' added to the aliases of an actor that does not cite
    public-record."""
    def edit(actors):
        uncited = ~actors["source_ids"].apply(lambda c: "public-record" in split(c))
        i = first(actors, uncited, "actor without public-record")
        actors.loc[i, "aliases"] = ";".join([*split(actors.loc[i, "aliases"]),
                                             "Totally Invented Name"])
        return actors.loc[i, "actor_id"]
    return rewrite(folder, "actors", edit)


def drop_a_public_record_date_note(folder: Path) -> str:
    """The date_note of the first event citing public-record cleared."""
    def edit(ev):
        cites = ev["source_ids"].apply(lambda c: "public-record" in split(c))
        i = first(ev, cites, "event citing public-record")
        ev.loc[i, "date_note"] = ""
        return ev.loc[i, "event_id"]
    return rewrite(folder, "events", edit)


def date_ev035_by_the_public_record(folder: Path) -> str:
    """ev-035 dated 2006-11-14 (the public record's day) instead of ISW's 2006-11-15."""
    return rewrite(folder, "events",
                   lambda ev: set_cell(ev, "event_id", "ev-035", "event_date", "2006-11-14"))


def clear_ev035_date_note(folder: Path) -> str:
    """ev-035's date_note (naming the public record's 14 November 2006) cleared."""
    return rewrite(folder, "events",
                   lambda ev: set_cell(ev, "event_id", "ev-035", "date_note", ""))


def clear_ev039_location(folder: Path) -> str:
    """ev-039 (the capture in Basra) loses its location."""
    return rewrite(folder, "events",
                   lambda ev: set_cell(ev, "event_id", "ev-039", "location", ""))


def blank_a_credibility(folder: Path) -> str:
    """The first relation's credibility blanked."""
    def edit(rel):
        rel.loc[rel.index[0], "credibility"] = ""
        return rel.loc[rel.index[0], "relation_id"]
    return rewrite(folder, "relations", edit)


def grade_a_disputed_row_1(folder: Path) -> str:
    """The first disputed event graded credibility 1."""
    def edit(ev):
        i = first(ev, ev["claim_status"] == "disputed", "disputed event")
        ev.loc[i, "credibility"] = "1"
        return ev.loc[i, "event_id"]
    return rewrite(folder, "events", edit)


def file_c017_under_the_invasion(folder: Path) -> str:
    """c-017 (officials on cooperation with the US in Iraq) filed back under 'Iran aided the
    2003 US-led invasion'."""
    return rewrite(folder, "claims", lambda c: set_cell(
        c, "claim_id", "c-017", "subject", "Iran aided the 2003 US-led invasion"))


def briefing_says_iran_denies_arming_anyone(folder: Path) -> str:
    """'Iran denies arming or training anyone' appended to the first briefing step."""
    def edit(briefing):
        i = briefing.index[0]
        briefing.loc[i, "narrative"] += "\n\nIran denies arming or training anyone."
        return f"step {briefing.loc[i, 'step']}"
    return rewrite(folder, "briefing", edit)


def with_documents(folder: Path) -> list[str]:
    return aliases_from_neither_document_uncited(folder, documents_text())


BREAKS = [
    (hedged_rows_marked_confirmed, confirm_hedged_ev037),
    (competing_attributions_marked_confirmed, confirm_a_competing_attribution),
    (dates_the_source_does_not_give, give_r045_an_end_date),
    (alleged_section_rows_marked_confirmed, confirm_an_alleged_section_relation),
    (hezbollah_unit_support_out_of_step, confirm_unit_support_hezbollah_disputes),
    (links_outside_an_actors_time, point_post_invasion_government_at_iraq_gov),
    (with_documents, invent_an_uncited_alias),
    (public_record_events_without_date_note, drop_a_public_record_date_note),
    (document_dates_not_kept_beside_the_other, date_ev035_by_the_public_record),
    (document_dates_not_kept_beside_the_other, clear_ev035_date_note),
    (capture_without_its_place, clear_ev039_location),
    (credibility_missing_or_at_odds, blank_a_credibility),
    (credibility_missing_or_at_odds, grade_a_disputed_row_1),
    (claims_filed_under_another_subject, file_c017_under_the_invasion),
    (briefing_overstatements, briefing_says_iran_denies_arming_anyone),
]


@pytest.mark.parametrize(
    ("rule", "breaker"), BREAKS,
    ids=[f"{r.__name__}-{b.__name__}" for r, b in BREAKS],
)
def test_each_rule_catches_a_row_that_breaks_it(rule, breaker, tmp_path):
    """Rule check: on a copy of data/ the rule holds; after one edit that breaks it, the rule
    reports the edited row. data/ itself is never written."""
    copy = tmp_path / "data"
    shutil.copytree(DATA, copy, ignore=shutil.ignore_patterns("README.md"))
    assert rule(copy) == [], "the untouched copy should pass the rule"
    touched = breaker(copy)
    found = rule(copy)
    assert found, f"{rule.__name__} missed the edit ({breaker.__doc__.strip()})"
    assert any(touched in item for item in found), f"{touched} not named in {found}"
