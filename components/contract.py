"""The data contract: which files a data folder holds, their columns, types and vocabularies.

This module is the single place the contract is written in code. `data/README.md` documents the
same contract for people; a test fails when a column or term here is missing from that README.
No Streamlit import here.
"""

from __future__ import annotations

from dataclasses import dataclass

# Column kinds the loader knows how to check and type.
ID = "id"  # unique, non-empty key of the table
TEXT = "text"  # free text
DATE = "date"  # ISO date: YYYY-MM-DD, YYYY-MM or YYYY
FLOAT = "float"
INT = "int"  # non-negative whole number
VOCAB = "vocab"  # one term of a controlled vocabulary
REF = "ref"  # an id (or an unambiguous name/alias) of a row in another table
REF_LIST = "ref_list"  # semicolon-separated REF values
TEXT_LIST = "text_list"  # semicolon-separated free text (aliases)

LIST_SEPARATOR = ";"


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    required: bool = False  # the column must be present in the header
    nonempty: bool = False  # every row must have a value
    vocab: str | None = None  # key into VOCABULARIES for VOCAB columns
    ref: str | None = None  # table name for REF / REF_LIST columns
    low: float | None = None  # range for FLOAT columns
    high: float | None = None


@dataclass(frozen=True)
class Table:
    name: str
    filename: str
    id_column: str | None
    columns: tuple[Column, ...]
    optional_file: bool = False  # the folder may lack this file

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]


VOCABULARIES: dict[str, dict[str, str]] = {
    "time_precision": {
        "day": "the source gives the day",
        "month": "the source gives only the month",
        "year": "the source gives only the year",
    },
    "geo_precision": {
        "exact": "at the named place itself (a city, a facility)",
        "near": "near the named place, or somewhere in its surroundings",
        "region": "somewhere in a province or region, placed at its centre",
        "country": "somewhere in a country, placed at its centre",
    },
    "claim_status": {
        "confirmed": "stated as fact by the source and not contested by the other source or a party",
        "reported": "attributed by the source to a report, an official or an unnamed account",
        "alleged": "an accusation or suspicion the source itself presents as unproven",
        "disputed": "contested: a party denies it or the two sources disagree",
    },
    "event_type": {
        "armed attack": "an attack with weapons on forces, officials or civilians",
        "kidnapping": "people seized and held",
        "assassination": "a targeted killing",
        "capture or arrest": "a person or group detained by a force",
        "training": "fighters trained",
        "recruitment": "fighters recruited",
        "arms supply": "weapons moved or handed over",
        "funding": "money given",
        "organisational change": "a group formed, reorganised, split or given a new leader",
        "military operation": "a campaign or operation by a state force",
        "invasion": "a state force crossing into another country to fight",
        "incursion": "a limited cross-border raid",
        "cross-border shelling": "artillery fired across a border",
        "diplomatic meeting": "talks between officials of states",
        "statement": "a public statement, accusation, denial or report",
        "sanctions": "economic or legal measures against a state or organisation",
        "cooperation": "states or forces working together",
    },
    "actor_type": {
        "state": "a country as a whole",
        "state institution": "a government, ministry, agency or council",
        "state force": "an army, guard corps, coalition force or security force",
        "intelligence or paramilitary unit": "a covert or special unit of a state or group",
        "militia": "a non-state armed group",
        "armed group": "a non-state armed organisation that is also a political movement or insurgency",
        "political party": "a party or political movement",
        "international coalition": "a multinational force",
        "research organisation": "a think tank or academic centre that reports on the conflict",
        "person": "an individual",
    },
    "relation": {
        "funds": "source gives money to target",
        "trains": "source trains target's fighters",
        "arms": "source supplies weapons to target",
        "supports": "source backs target in general terms",
        "commands": "source has command authority over target",
        "leads": "a person or body heads target",
        "advises": "source advises target",
        "member of": "source belongs to target",
        "part of": "source is a unit of target",
        "splinter of": "source broke away from or grew out of target",
        "proxy of": "source acts for target",
        "allied with": "source and target side together",
        "cooperates with": "source works with target on a shared aim",
        "fights": "source fights target",
        "targets": "source attacks or hunts target",
        "detains": "source captured or holds target",
        "negotiates with": "source holds talks with target",
        "liaises with": "source serves as a go-between with target",
        "reports to": "source answers to target",
        "founded": "source created target",
        "shelters": "source gives sanctuary to target",
        "sanctions": "source imposes sanctions on target",
        "accuses": "source publicly accuses target",
    },
    "side": {
        "Iran and its partners": "Iran, its forces and the groups the sources say it backs or leads",
        "U.S., Coalition and Iraqi government": "the United States, the Coalition and the post-2003 "
        "Iraqi government and forces",
        "other or unclear": "neither, both at different times, or the sources do not say",
    },
    "stance": {
        "asserts": "the claimant says it is so",
        "denies": "the claimant says it is not so",
        "doubts": "the claimant questions it or says it is unproven",
        "qualifies": "the claimant says it is partly so, or that it has changed",
    },
    "subject_type": {
        "event": "an event in events.csv (subject_id is its event_id)",
        "relation": "a relation in relations.csv (subject_id is its relation_id)",
        "statement": "a proposition with no single row (subject_id empty)",
    },
    "about": {
        "title": "the record's title, shown at the top of the Overview and in reports",
        "subtitle": "one line under the title: what the record covers and where it comes from",
    },
    "view": {
        "map": "the map of places",
        "network": "the actor network",
        "timeline": "the timeline",
        "compare": "two periods compared (the Compare page): counts, relations gained, lost "
        "and kept",
        "flows": "the support flows from the patron whose support reaches the most others (the "
        "Flows page's first choice)",
    },
    "location_kind": {
        "city": "a city or town",
        "province": "a province or governorate",
        "region": "a wider region",
        "facility": "a building, base or compound",
        "border area": "an area along a border",
        "country": "a country as a whole",
    },
    "credibility": {
        "1": "confirmed by other sources: both documents, or a document and the public record, "
        "state it and no party contests it",
        "2": "probably true: one source states it as fact, consistent with the rest of the record",
        "3": "possibly true: reported or attributed, not confirmed elsewhere",
        "4": "doubtful: alleged, or denied by a party, or the sources disagree",
        "5": "improbable: contradicted by the rest of the record",
        "6": "cannot be judged",
    },
    "reliability": {
        "A": "completely reliable: an official primary record",
        "B": "usually reliable: a careful secondary source with cited evidence",
        "C": "fairly reliable: a secondary source of mixed citation quality",
        "D": "not usually reliable",
        "E": "unreliable",
        "F": "reliability cannot be judged",
    },
}

EVENTS = Table(
    "events",
    "events.csv",
    "event_id",
    (
        Column("event_id", ID, required=True, nonempty=True),
        Column("event_date", DATE, required=True),  # empty: the source gives no date
        Column("time_precision", VOCAB, vocab="time_precision"),
        Column("date_end", DATE),
        Column("date_note", TEXT),  # where sources disagree on the date, or how it was filled
        Column("event_type", VOCAB, required=True, nonempty=True, vocab="event_type"),
        Column("actor1", REF, required=True, nonempty=True, ref="actors"),
        Column("actor2", REF, ref="actors"),
        Column("assoc_actors", REF_LIST, ref="actors"),
        Column("location", REF, required=True, ref="locations"),  # empty: the source gives no place
        Column("origin_location", REF, ref="locations"),
        Column("latitude", FLOAT, low=-90, high=90),
        Column("longitude", FLOAT, low=-180, high=180),
        Column("geo_precision", VOCAB, required=True, vocab="geo_precision"),
        Column("claim_status", VOCAB, required=True, nonempty=True, vocab="claim_status"),
        Column("fatalities", INT),
        Column("credibility", VOCAB, vocab="credibility"),
        Column("description", TEXT, required=True, nonempty=True),
        Column("source_ids", REF_LIST, required=True, nonempty=True, ref="sources"),
        Column("source_locator", TEXT, required=True),
    ),
)

ACTORS = Table(
    "actors",
    "actors.csv",
    "actor_id",
    (
        Column("actor_id", ID, required=True, nonempty=True),
        Column("name", TEXT, required=True, nonempty=True),
        Column("aliases", TEXT_LIST),
        Column("actor_type", VOCAB, required=True, nonempty=True, vocab="actor_type"),
        Column("country", TEXT),
        Column("side", VOCAB, vocab="side"),
        Column("active_from", DATE),
        Column("active_to", DATE),
        Column("description", TEXT, required=True),
        Column("source_ids", REF_LIST, required=True, nonempty=True, ref="sources"),
        Column("source_locator", TEXT),
    ),
)

RELATIONS = Table(
    "relations",
    "relations.csv",
    "relation_id",
    (
        Column("relation_id", ID),  # optional: derived from source|relation|target when absent
        Column("source", REF, required=True, nonempty=True, ref="actors"),
        Column("target", REF, required=True, nonempty=True, ref="actors"),
        Column("relation", VOCAB, required=True, nonempty=True, vocab="relation"),
        Column("start_date", DATE),
        Column("end_date", DATE),
        Column("claim_status", VOCAB, required=True, nonempty=True, vocab="claim_status"),
        Column("credibility", VOCAB, vocab="credibility"),
        Column("description", TEXT, required=True),
        Column("source_ids", REF_LIST, required=True, nonempty=True, ref="sources"),
        Column("source_locator", TEXT),
    ),
)

LOCATIONS = Table(
    "locations",
    "locations.csv",
    "location_id",
    (
        Column("location_id", ID, required=True, nonempty=True),
        Column("name", TEXT, required=True, nonempty=True),
        Column("aliases", TEXT_LIST),
        Column("within", TEXT),  # the location_id of the place it lies within
        Column("latitude", FLOAT, required=True, nonempty=True, low=-90, high=90),
        Column("longitude", FLOAT, required=True, nonempty=True, low=-180, high=180),
        Column("admin1", TEXT),
        Column("country", TEXT, required=True, nonempty=True),
        Column("kind", VOCAB, required=True, nonempty=True, vocab="location_kind"),
    ),
)

SOURCES = Table(
    "sources",
    "sources.csv",
    "source_id",
    (
        Column("source_id", ID, required=True, nonempty=True),
        Column("title", TEXT, required=True, nonempty=True),
        Column("publisher", TEXT),
        Column("published", DATE),
        Column("url", TEXT),
        Column("reliability", VOCAB, required=True, nonempty=True, vocab="reliability"),
        Column("notes", TEXT),
    ),
)

PERIODS = Table(
    "periods",
    "periods.csv",
    "period_id",
    (
        Column("period_id", ID, required=True, nonempty=True),
        Column("label", TEXT, required=True, nonempty=True),
        Column("start_date", DATE, required=True, nonempty=True),
        Column("end_date", DATE, required=True, nonempty=True),
        Column("description", TEXT),
    ),
    optional_file=True,
)

CLAIMS = Table(
    "claims",
    "claims.csv",
    "claim_id",
    (
        Column("claim_id", ID, required=True, nonempty=True),
        Column("subject", TEXT, required=True, nonempty=True),
        Column("subject_type", VOCAB, required=True, nonempty=True, vocab="subject_type"),
        Column("subject_id", TEXT),  # an event_id or relation_id, checked by the loader
        Column("claimant", TEXT, required=True, nonempty=True),  # an actor or a source
        Column("stance", VOCAB, required=True, nonempty=True, vocab="stance"),
        Column("claim_date", DATE),
        Column("statement", TEXT, required=True, nonempty=True),
        Column("source_ids", REF_LIST, required=True, nonempty=True, ref="sources"),
        Column("source_locator", TEXT),
    ),
    optional_file=True,
)

BRIEFING = Table(
    "briefing",
    "briefing.csv",
    "step",
    (
        Column("step", ID, required=True, nonempty=True),  # a number: steps run in its order
        Column("title", TEXT, required=True, nonempty=True),
        Column("narrative", TEXT, required=True),  # markdown
        Column("date_from", DATE),
        Column("date_to", DATE),
        Column("actors", REF_LIST, ref="actors"),
        Column("places", REF_LIST, ref="locations"),
        # the other filters a step carries (components.filterdefs), each as the sidebar sets it
        Column("provinces", TEXT_LIST),
        Column("include_linked", TEXT),  # "yes" to include directly linked actors
        Column("actor_types", TEXT_LIST),
        Column("event_types", TEXT_LIST),
        Column("claim_statuses", TEXT_LIST),
        Column("date_rule", TEXT),  # "certainly in the window"; empty: possibly in it
        Column("min_reliability", TEXT),  # A-E: graded this letter or better
        Column("min_credibility", TEXT),  # 1-5: graded this number or better
        Column("text", TEXT),  # words in names and descriptions
        Column("views", TEXT_LIST),  # terms of the "view" vocabulary, checked by the loader
        Column("map_latitude", FLOAT, low=-90, high=90),
        Column("map_longitude", FLOAT, low=-180, high=180),
        Column("map_zoom", FLOAT, low=0, high=20),
        # the two windows of the "compare" view (components.compare.step_windows)
        Column("compare_a_from", DATE),
        Column("compare_a_to", DATE),
        Column("compare_b_from", DATE),
        Column("compare_b_to", DATE),
        Column("evidence", TEXT_LIST),  # event, relation or claim ids the narrative rests on
        Column("data_version", TEXT),  # the data version the step was saved against
    ),
    optional_file=True,
)

ABOUT = Table(
    "about",
    "about.csv",
    "field",
    (
        Column("field", ID, required=True, nonempty=True),  # a term of the "about" vocabulary
        Column("text", TEXT, required=True),
    ),
    optional_file=True,
)

# Order matters: referenced tables are read before the tables that refer to them.
TABLES: tuple[Table, ...] = (SOURCES, LOCATIONS, ACTORS, EVENTS, RELATIONS, PERIODS, CLAIMS,
                             BRIEFING, ABOUT)
TABLES_BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}

BOUNDARIES_FILENAME = "boundaries.geojson"

# Limits on what a file may hold (data/README.md, "Limits"): each is checked while the file is
# read, and a file past one is refused in a sentence naming it, before it can use up memory.
MAX_UPLOAD_BYTES = 200 * 1024 * 1024  # one uploaded file, and what a zip unpacks to
MAX_WORKBOOK_UNPACKED_BYTES = 50 * 1024 * 1024  # the sheets of an uploaded .xlsx, unpacked
MAX_COLUMNS = 500  # columns in a table (the widest export known, UCDP GED, has 49)
MAX_CELL_CHARS = 131_072  # characters in one cell
# characters no spreadsheet cell can hold (XML 1.0 forbids them): reported, left out of exports
CONTROL_CHARACTERS = "[\x00-\x08\x0b\x0c\x0e-\x1f]"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a data file, in words a spreadsheet user can act on."""

    file: str
    row: int | None  # spreadsheet row: the header is row 1, the first record row 2
    column: str | None
    value: str | None
    problem: str
    severity: str  # ERROR: the file cannot be used; WARNING: shown, the data still loads

    def sentence(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column '{self.column}'"
        value = f" (value: '{self.value}')" if self.value not in (None, "") else ""
        return f"{where}: {self.problem}{value}"


ERROR = "error"
WARNING = "warning"

