"""Import ACLED and UCDP GED event files into the five contract tables. No Streamlit import.

    result = import_file("acled_2022_iraq.csv")   # detects the format from the header
    write_folder(result, "data/imported")          # events, actors, relations, locations, sources
    loader.load_dataset("data/imported")           # reads it without errors

Every table in `ImportResult.tables` is a frame of strings with exactly the contract's columns in
the contract's order. The importers never raise on bad input: a file that is not ACLED or UCDP,
an empty file or a malformed row gives plain-sentence notes (`ImportResult.notes`) naming the
spreadsheet rows (header = row 1). A row is skipped only when it has no usable date; otherwise it
is kept with what could be read, and the note says what was left out.

Formats (`detect_format`, from the header alone)
------------------------------------------------
- "acled": the current ACLED layout (event_id_cnty, event_date, ..., 31 columns).
- "acled-old": the old upper-case ACLED layout (GWNO, EVENT_ID_CNTY, ALLY_ACTOR_1, ...), with
  EVENT_DATE as dd/mm/YYYY and often Windows-1252 text; empty trailing header cells are ignored.
- "ucdp-ged": the UCDP Georeferenced Event Dataset (id, relid, ..., date_start, date_end, ...).
  Dates may be YYYY-MM-DD or the published CSV's 'YYYY-MM-DD 00:00:00.000'.
A header is ACLED when it has event_date and at least two columns only ACLED uses
(event_id_cnty, event_id_no_cnty, gwno, inter1, inter2, interaction, sub_event_type,
assoc_actor_1, ally_actor_1, disorder_type, source_scale); UCDP when it has date_start and at
least two columns only UCDP uses (relid, type_of_violence, side_a, side_b, dyad_name,
conflict_name, date_prec, where_prec, where_coordinates). A contract events.csv, which shares
event_date, event_type, actor1 and the precision columns with ACLED, is neither.

Claim status
------------
Every imported event is `reported`: ACLED and UCDP code what news and NGO reports say happened;
neither dataset marks an event as confirmed, alleged or disputed. Change it row by row where
another source settles the question.

Credibility (the Admiralty number, 1-6; the imported sources' reliability is F, not judged)
------------------------------------------------------------------------------------------
Counted from the sources the row names, then one step more doubtful when the report is vague
(an event that could not be pinned down to the day or the town is less sure in its details),
never worse than 4 by vagueness alone:

| dataset | sources named | credibility | one step worse when |
| --- | --- | --- | --- |
| ACLED | two or more in `source` (split on ';') | 2 probably true | time_precision 3 or geo_precision 3 |
| ACLED | one | 3 possibly true | as above |
| ACLED | none | 6 cannot be judged | - |
| UCDP | number_of_sources 2 or more | 2 probably true | event_clarity 2, date_prec 4-5 or where_prec 4-7 |
| UCDP | number_of_sources 1, or -1/missing (not recorded) | 3 possibly true | as above |

Events
------
event_id: ACLED event_id_cnty; UCDP "ged-" + id (a missing or repeated id gets a made-up one,
noted). source_locator: "ACLED event_id_cnty <id>" / "UCDP GED id <id> (relid <relid>)".

Time precision (event_date is written at that precision: YYYY-MM-DD, YYYY-MM or YYYY)

| dataset | code | meaning (codebook) | time_precision |
| --- | --- | --- | --- |
| ACLED time_precision | 1 | the day | day |
| ACLED time_precision | 2 | within a week of the date | day (one note; the description says so) |
| ACLED time_precision | 3 | within the month (coded mid-month) | month |
| UCDP date_prec | 1 | the day | day |
| UCDP date_prec | 2 | within 2-6 days | day, with date_end |
| UCDP date_prec | 3 | within a week | day, with date_end |
| UCDP date_prec | 4 | within the month | month |
| UCDP date_prec | 5 | within the year | year |
| either | missing or other | - | day (noted) |

UCDP date_end is written, at the same precision, when it differs from date_start there. A row
whose date cannot be read is dated by its `year` column at year precision when that is usable
(noted); with no usable date at all it is skipped (noted).

Event types (the original type text is kept in the description)

| dataset | original | event_type |
| --- | --- | --- |
| ACLED | Battles; old "Battle-..." types | armed attack |
| ACLED | Explosions/Remote violence; old Remote violence | armed attack |
| ACLED | Violence against civilians | armed attack |
| ACLED | sub-event Abduction/forced disappearance | kidnapping |
| ACLED | Protests; Riots; old Riots/Protests | statement |
| ACLED | Strategic developments; old Strategic development | organisational change |
| ACLED | old Non-violent transfer of territory | organisational change |
| ACLED | old Headquarters or base established | organisational change |
| ACLED | sub-event Arrests | capture or arrest |
| ACLED | anything else | by keyword (below), else armed attack (noted) |
| UCDP | type_of_violence 1 state-based, 2 non-state, 3 one-sided | armed attack |

Keywords for ACLED types not listed: battle, violence, attack, explosion -> armed attack;
protest, riot -> statement; strategic -> organisational change.

Place precision and place kinds (one place per distinct name and coordinates rounded to 4
decimals; name: ACLED location, UCDP where_coordinates, else adm_2, adm_1 or country)

| dataset | code | geo_precision | kind |
| --- | --- | --- | --- |
| ACLED geo_precision | 1 (the town) | exact | city |
| ACLED geo_precision | 2 (near the town) | near | region |
| ACLED geo_precision | 3 (a larger region) | region | region |
| UCDP where_prec | 1 (exact place) | exact | city |
| UCDP where_prec | 2 (within 25 km) | near | city |
| UCDP where_prec | 3, 4, 5 (admin 2, admin 1, linear feature) | region | region |
| UCDP where_prec | 6 (the country) | country | country |
| UCDP where_prec | 7 (water or air) | region (noted) | region |
| either | missing or other | empty: the loader derives it from the kind (noted) | region |

A place used by several events takes the finest kind among them. Rows without usable
coordinates keep no place (they stay in the timeline and tables, not on the map; noted).

Actors (one row per distinct name; ids are slugs of the names, a short hash added only when two
names give the same slug; type, country and sources come from the first event naming them)

| dataset | code or name | actor_type |
| --- | --- | --- |
| ACLED inter 1 | state forces | state force ("Government of ..." -> state institution) |
| ACLED inter 2 | rebel groups | armed group |
| ACLED inter 3 | political militias | militia |
| ACLED inter 4 | identity (communal, ethnic) militias | militia |
| ACLED inter 5 | rioters | political party (the closest term: a political movement) |
| ACLED inter 6 | protesters | political party (as rioters) |
| ACLED inter 7 | civilians | person (the closest term: private people, not an organisation) |
| ACLED inter 8 | external/other forces | international coalition (but see the name rules) |
| ACLED missing or other | - | by the name rules, else militia (noted) |
| UCDP side_a / side_b | "Government of ..." | state |
| UCDP side_a / side_b | "Civilians" | person |
| UCDP side_a / side_b | anything else | armed group |

Name rules, for ACLED codes 1, 8 and missing codes: "Military Forces ..." or "Police Forces ..."
-> state force; "Government of ..." -> state institution; with code 8, "Private Security Forces
..." -> militia.

ACLED assoc_actor_1 / assoc_actor_2 (split on ';') become assoc_actors. An actor named only as
an associated actor takes the name rules above ("Military/Police Forces of ..." -> state force,
"Government of ..." -> state institution), else the inter code of its side: associated actors of
civilians, often the victims' affiliation ("KDP: Kurdistan Democratic Party"), thus become person;
an actor that is a main actor anywhere in the file takes its main actor's type. An actor's
country is read from its name ("Military Forces of Turkey (2016-)", "Protesters (Iraq)",
"Government of Iraq"); it stays empty when the name does not say.

Sources: one row per distinct source text (ACLED `source`, UCDP `source_original`, else the
dataset name), publisher "ACLED" or "UCDP GED", reliability F (cannot be judged: the underlying
reports are of every kind), notes "Imported from <file name>".
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import itertools
import math
import os
import pickle
import re
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from components import contract as c

ACLED = "acled"
ACLED_OLD = "acled-old"
UCDP = "ucdp-ged"
UNKNOWN = "unknown"

OUTPUT_TABLES: dict[str, c.Table] = {
    "events": c.EVENTS,
    "actors": c.ACTORS,
    "relations": c.RELATIONS,
    "locations": c.LOCATIONS,
    "sources": c.SOURCES,
}
ROW = "_row"  # spreadsheet row number of each record (header = row 1)

ACLED_SIGNATURE = ("event_id_cnty", "event_id_no_cnty", "gwno", "inter1", "inter2",
                   "interaction", "sub_event_type", "assoc_actor_1", "ally_actor_1",
                   "disorder_type", "source_scale")
UCDP_SIGNATURE = ("relid", "type_of_violence", "side_a", "side_b", "dyad_name", "conflict_name",
                  "date_prec", "where_prec", "where_coordinates")
SIGNATURE_MINIMUM = 2
ACLED_OLD_ONLY = ("gwno", "ally_actor_1", "ally_actor_2", "event_id_no_cnty")
ACLED_OLD_RENAMES = {"ally_actor_1": "assoc_actor_1", "ally_actor_2": "assoc_actor_2"}
ACLED_COLUMNS = ("event_id_cnty", "event_date", "time_precision", "event_type", "actor1",
                 "inter1", "actor2", "inter2", "country", "admin1", "location", "latitude",
                 "longitude", "geo_precision", "source", "notes", "fatalities")
UCDP_COLUMNS = ("id", "type_of_violence", "side_a", "side_b", "source_headline",
                "number_of_sources", "event_clarity",
                "source_original", "where_prec", "where_coordinates", "adm_1", "latitude",
                "longitude", "country", "date_prec", "date_start", "date_end", "best")

MIN_YEAR, MAX_YEAR = 1678, 2261  # dates the loader (pandas nanosecond timestamps) can hold
MAX_FATALITIES = 10**9
MAX_LISTED_ROWS = 10
# an export is read, converted and written this many records at a time, and the converted
# events wait on disk until the actors, places and sources they name have their ids: a 200 MB
# export is never held whole
IMPORT_CHUNK_ROWS = 10_000
READ_BLOCK_BYTES = 1 << 20

# ---- mapping tables (documented in the module docstring) ----------------------------------

ACLED_EVENT_TYPES = {
    "battles": "armed attack",
    "explosions/remote violence": "armed attack",
    "remote violence": "armed attack",
    "violence against civilians": "armed attack",
    "protests": "statement",
    "riots": "statement",
    "riots/protests": "statement",
    "strategic developments": "organisational change",
    "strategic development": "organisational change",
    "non-violent transfer of territory": "organisational change",
    "headquarters or base established": "organisational change",
}
ACLED_SUB_EVENT_TYPES = {
    "abduction/forced disappearance": "kidnapping",
    "arrests": "capture or arrest",
}
EVENT_TYPE_KEYWORDS = (
    ("battle", "armed attack"),
    ("violence", "armed attack"),
    ("attack", "armed attack"),
    ("explosion", "armed attack"),
    ("protest", "statement"),
    ("riot", "statement"),
    ("strategic", "organisational change"),
)
DEFAULT_EVENT_TYPE = "armed attack"

ACLED_TIME_PRECISION = {1: "day", 2: "day", 3: "month"}
UCDP_TIME_PRECISION = {1: "day", 2: "day", 3: "day", 4: "month", 5: "year"}

ACLED_GEO_PRECISION = {1: ("exact", "city"), 2: ("near", "region"), 3: ("region", "region")}
UCDP_GEO_PRECISION = {
    1: ("exact", "city"),
    2: ("near", "city"),
    3: ("region", "region"),
    4: ("region", "region"),
    5: ("region", "region"),
    6: ("country", "country"),
    7: ("region", "region"),
}
KIND_RANK = {"city": 0, "region": 1, "country": 2}  # finer kinds win when events share a place

ACLED_INTER = {
    1: ("state forces", "state force"),
    2: ("rebel group", "armed group"),
    3: ("political militia", "militia"),
    4: ("identity militia", "militia"),
    5: ("rioters", "political party"),
    6: ("protesters", "political party"),
    7: ("civilians", "person"),
    8: ("external/other forces", "international coalition"),
}
DEFAULT_ACLED_ACTOR_TYPE = "militia"

UCDP_VIOLENCE = {1: "state-based conflict", 2: "non-state conflict", 3: "one-sided violence"}

DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d %B %Y", "%d-%B-%Y", "%d %b %Y", "%d-%b-%Y",
                "%B %d, %Y")
ISO_WITH_TIME = re.compile(
    r"^(\d{4}-\d{1,2}-\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?$"
)


# --------------------------------------------------------------------------------------------
# The result


@dataclass
class ImportResult:
    """The contract tables (frames of strings), notes in plain sentences, and the format.

    A streamed import (`import_export`) holds the small tables only: its events are read a
    chunk at a time from `event_chunks()`. `import_file` reads them whole into `tables`."""

    tables: dict[str, pd.DataFrame]
    notes: list[str]
    source_format: str
    rows_read: int = 0
    skipped_rows: list[int] = field(default_factory=list)
    streamed_events: "TableBuilder | None" = None
    event_count: int = 0

    @property
    def events(self) -> pd.DataFrame:
        return self.tables["events"]

    def event_chunks(self) -> Iterator[pd.DataFrame]:
        """The events, IMPORT_CHUNK_ROWS at a time (the whole frame, when it is held)."""
        if "events" in self.tables:
            yield self.tables["events"]
        elif self.streamed_events is not None:
            yield from self.streamed_events.event_frames()

    def read_whole(self) -> "ImportResult":
        """This result with its events in `tables` (for small files and tests)."""
        if "events" not in self.tables:
            frames = list(self.event_chunks())
            self.tables["events"] = (pd.concat(frames, ignore_index=True) if frames
                                     else _frame([], c.EVENTS))
            self.streamed_events = None
        return self


def empty_tables() -> dict[str, pd.DataFrame]:
    """Zero-row frames with the contract's columns for the five tables."""
    return {name: _frame([], table) for name, table in OUTPUT_TABLES.items()}


def _frame(records: list[dict], table: c.Table) -> pd.DataFrame:
    columns = table.column_names
    rows = [[str(record.get(col, "")) for col in columns] for record in records]
    return pd.DataFrame(rows, columns=columns, dtype=object)


class NoteLog:
    """Sentences, plus per-kind lists of spreadsheet rows rendered as one sentence each."""

    def __init__(self) -> None:
        self.sentences: list[str] = []
        self.flags: dict[str, tuple[list[int], str]] = {}

    def say(self, sentence: str) -> None:
        self.sentences.append(sentence)

    def flag(self, message: str, row: int, value: object = None) -> None:
        rows, example = self.flags.setdefault(message, ([], _clip(value)))
        rows.append(int(row))

    def render(self) -> list[str]:
        return self.sentences + [_row_sentence(m, rows, ex) for m, (rows, ex) in self.flags.items()]


def _row_sentence(message: str, rows: list[int], example: str) -> str:
    count = f"{len(rows):,} row" + ("" if len(rows) == 1 else "s")
    first = f"; first value '{example}'" if example else ""
    listed = ", ".join(str(r) for r in rows[:MAX_LISTED_ROWS])
    more = f" and {len(rows) - MAX_LISTED_ROWS:,} more" if len(rows) > MAX_LISTED_ROWS else ""
    label = "row" if len(rows) == 1 else "rows"
    return f"{message} ({count}{first}): {label} {listed}{more}."


def _clip(value: object, limit: int = 60) -> str:
    text = clean_text(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --------------------------------------------------------------------------------------------
# Values


def clean_text(value: object) -> str:
    """One line of text: line breaks, tabs and control characters become single spaces."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = str(value).replace("\ufeff", "")
    if any(unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp") for ch in text):
        text = "".join(" " if unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp") else ch
                       for ch in text)
    return " ".join(text.split())


def parse_float(value: object) -> float | None:
    text = clean_text(value)
    if not text:
        return None
    try:
        number = float(text)
    except (ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def parse_code(value: object) -> int | None:
    """A whole-number code ('1', '1.0'); None when empty or not a whole number."""
    number = parse_float(value)
    if number is None or not number.is_integer():
        return None
    return int(number)


def parse_count(value: object) -> tuple[int | None, bool]:
    """(count, ok): empty gives (None, True); a bad value (None, False)."""
    text = clean_text(value).replace(",", "")
    if not text:
        return None, True
    number = parse_float(text)
    if number is None or not number.is_integer() or not 0 <= number < MAX_FATALITIES:
        return None, False
    return int(number), True


def parse_date(value: object) -> date | None:
    """A date from YYYY-MM-DD (with or without a time), dd/mm/YYYY or '13 June 2022'."""
    text = clean_text(value)
    if not text:
        return None
    match = ISO_WITH_TIME.match(text)
    if match:
        text = match.group(1)
    for form in DATE_FORMATS:
        try:
            parsed = datetime.strptime(text, form).date()
        except (ValueError, OverflowError):
            continue
        return parsed if MIN_YEAR <= parsed.year <= MAX_YEAR else None
    return None


def format_date(day: date, precision: str) -> str:
    if precision == "year":
        return f"{day.year:04d}"
    if precision == "month":
        return f"{day.year:04d}-{day.month:02d}"
    return day.isoformat()


def parse_coordinates(lat_value: object, lon_value: object) -> tuple[float, float] | None:
    lat, lon = parse_float(lat_value), parse_float(lon_value)
    if lat is None or lon is None or not -90 <= lat <= 90 or not -180 <= lon <= 180:
        return None
    return lat, lon


def format_number(number: float) -> str:
    return repr(round(float(number), 6))


def slugify(text: str, limit: int = 60) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:limit].rstrip("-")


def short_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "replace")).hexdigest()[:6]


def stable_ids(keys: list, base_of, fallback: str) -> dict:
    """Unique ids for keys: the slug base, with a short hash of the key when bases collide."""
    groups: dict[str, list] = {}
    for key in keys:
        groups.setdefault(base_of(key) or fallback, []).append(key)
    ids, used = {}, set()
    for base, group in groups.items():
        for key in group:
            ident = base if len(group) == 1 else f"{base}-{short_hash(repr(key))}"
            ident = _unused(ident, used)
            ids[key] = ident
            used.add(ident)
    return ids


def _unused(ident: str, used: set) -> str:
    candidate, n = ident, 1
    while candidate in used:
        n += 1
        candidate = f"{ident}-{n}"
    return candidate


def country_in_name(name: str) -> str:
    """The country an actor name states: 'Forces of Turkey (2016-)', 'Protesters (Iraq)'."""
    match = re.search(r"(?:Forces|Government) of (?:the )?([A-Z][^()]*?)\s*(?:\(|$)", name)
    if match:
        return match.group(1).strip()
    match = re.search(r"\(([^()]+)\)\s*$", name)
    if match and not re.search(r"\d", match.group(1)) and match.group(1) != "International":
        return match.group(1).strip()
    return ""


# --------------------------------------------------------------------------------------------
# Reading a file into a frame of strings


def _display_name(path_or_frame) -> str:
    if isinstance(path_or_frame, pd.DataFrame):
        return "the table"
    try:
        return Path(path_or_frame).name or str(path_or_frame)
    except TypeError:
        return str(path_or_frame)


def normalise_header(name: object) -> str:
    return re.sub(r"[\s\-]+", "_", clean_text(name).strip('"').strip().lower())


@dataclass
class ExportRows:
    """An export's header and its records: frames of strings with a ROW column (the
    spreadsheet row), IMPORT_CHUNK_ROWS at a time from `chunks()`, read from the file as they
    are asked for (once). `columns`: the normalised names the frames have."""

    header: list[str]
    columns: list[str]
    chunks: "callable"


def read_rows(path_or_frame, notes: NoteLog, header_only: bool = False) -> ExportRows | None:
    """The export's rows, streamed from a path (or a frame's, at once); None, with a note,
    when it cannot be read as CSV. `header_only`: the encoding is judged from the file's
    first block (all that detecting a format needs), not checked to its end."""
    if isinstance(path_or_frame, pd.DataFrame):
        header = [str(col) for col in path_or_frame.columns]
        keep, names = _kept_columns(header, notes)
        records = [[_cell(v) for v in row] for row in path_or_frame.itertuples(index=False)]
        return ExportRows(header, names, lambda: iter(
            [_records_frame(keep, names, len(header), records, notes)]))
    name = _display_name(path_or_frame)
    opened = _text_form(path_or_frame, name, notes, 1 if header_only else None)
    if opened is None:
        return None
    encoding, has_nul = opened
    try:
        with _text_lines(path_or_frame, encoding, has_nul) as lines:
            delimiter = _sniff_delimiter(next(lines, ""))
        with _text_lines(path_or_frame, encoding, has_nul) as lines:
            # the first record, not line: a header cell may hold a line break
            header = next(csv.reader(lines, delimiter=delimiter), [])
    except csv.Error as exc:
        notes.say(f"{name} cannot be read as CSV ({exc}); nothing was imported.")
        return None
    except (OSError, ValueError) as exc:
        notes.say(f"{name} cannot be read ({exc}); nothing was imported.")
        return None
    if not any(cell.strip() for cell in header):
        notes.say(f"{name} has no header row; nothing was imported.")
        return None
    keep, names = _kept_columns(header, notes)

    def chunks() -> Iterator[pd.DataFrame]:
        with _text_lines(path_or_frame, encoding, has_nul) as lines:
            records = csv.reader(lines, delimiter=delimiter)
            next(records, None)  # the header
            number = 2
            while chunk := list(itertools.islice(records, IMPORT_CHUNK_ROWS)):
                yield _records_frame(keep, names, len(header), chunk, notes, number)
                number += len(chunk)

    return ExportRows(header, names, chunks)


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    return str(value)


def _text_form(path, name: str, notes: NoteLog, blocks: int | None = None
               ) -> tuple[str, bool] | None:
    """The encoding a file's text is read with, and whether it holds NUL characters, from one
    pass over its bytes a block at a time (or over the first `blocks`, enough for a header);
    None, with a note, for a file that is unreadable, empty or a workbook."""
    try:
        with Path(path).open("rb") as handle:
            first = handle.read(READ_BLOCK_BYTES)
            if first[:4] == b"PK\x03\x04":
                notes.say(f"{name} is an Excel workbook or a zip file, not CSV text; save it as "
                          "CSV and import that.")
                return None
            candidates = ([("utf-16", "UTF-16")] if first[:2] in (b"\xff\xfe", b"\xfe\xff")
                          else []) + [("utf-8-sig", "utf-8"), ("cp1252", "Windows-1252")]
            for encoding, label in candidates:
                handle.seek(0)
                found = _decodes(handle, encoding, blocks)
                if found is not None:
                    break
            else:
                handle.seek(0)
                encoding, label, found = "latin-1", "Latin-1", _decodes(handle, "latin-1",
                                                                        blocks)
    except (OSError, TypeError, ValueError) as exc:
        notes.say(f"{name} cannot be read ({getattr(exc, 'strerror', None) or exc}); nothing "
                  "was imported.")
        return None
    blank, has_nul = found
    if blank:
        notes.say(f"{name} is empty: it has no header and no rows, so nothing was imported.")
        return None
    if label != "utf-8":
        notes.say(f"{name} is not UTF-8 text; it was read as {label}, the encoding of older "
                  "ACLED exports.")
    if has_nul:
        notes.say(f"{name} holds NUL bytes; they were removed before reading.")
    return encoding, has_nul


def _decodes(handle, encoding: str, blocks: int | None = None) -> tuple[bool, bool] | None:
    """(whether the text is blank, whether it holds NUL) when the bytes decode as `encoding`
    to the end (or over the first `blocks` blocks); None when they do not."""
    decoder = codecs.getincrementaldecoder(encoding)()
    blank, has_nul = True, False
    try:
        for read in itertools.count(1):
            block = handle.read(READ_BLOCK_BYTES)
            text = decoder.decode(block, final=not block)
            blank = blank and not text.strip()
            has_nul = has_nul or "\x00" in text
            if not block or read == blocks:
                return blank, has_nul
    except UnicodeDecodeError:
        return None


class _text_lines:
    """A file's lines as text, for csv.reader, NUL characters removed when it has any: as
    bytes before the text is split into lines (in a single-byte or UTF-8 text a NUL byte is a
    NUL character, and "\\r\\x00\\n" must end one line, not two), or as characters in UTF-16."""

    def __init__(self, path, encoding: str, has_nul: bool) -> None:
        self._wide = encoding.startswith("utf-16")
        raw = open(path, "rb")
        if has_nul and not self._wide:
            raw = io.BufferedReader(_WithoutNul(raw), READ_BLOCK_BYTES)
        self._handle = io.TextIOWrapper(raw, encoding=encoding, newline="")
        self._has_nul = has_nul

    def __enter__(self) -> Iterator[str]:
        if self._has_nul and self._wide:
            return (line.replace("\x00", "") for line in self._handle)
        return iter(self._handle)

    def __exit__(self, *exc) -> None:
        self._handle.close()


class _WithoutNul(io.RawIOBase):
    """A binary file's bytes without its NUL bytes."""

    def __init__(self, raw) -> None:
        self._raw = raw

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while data := self._raw.read(len(buffer)):
            data = data.replace(b"\x00", b"")
            if data:
                buffer[:len(data)] = data
                return len(data)
        return 0

    def close(self) -> None:
        self._raw.close()
        super().close()


def _sniff_delimiter(text: str) -> str:
    first_line = text.split("\n", 1)[0]
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def _kept_columns(header: list[str], notes: NoteLog) -> tuple[list[int], list[str]]:
    """The header cells read (not blank, not repeated) and their normalised names."""
    names = [normalise_header(h) for h in header]
    keep, seen = [], set()
    for index, col in enumerate(names):
        if col and col not in seen and col != ROW:
            keep.append(index)
            seen.add(col)
        elif col in seen:
            notes.say(f"The header names column '{col}' twice; only the first is read.")
    return keep, [names[i] for i in keep]


def _records_frame(keep: list[int], names: list[str], width: int, records: list[list[str]],
                   notes: NoteLog, first_number: int = 2) -> pd.DataFrame:
    """Records padded or cut to the header's `width`; blank header cells and blank records
    dropped. `first_number`: the spreadsheet row of the first record."""
    kept = set(keep)
    data = []
    for number, record in enumerate(records, start=first_number):
        if not any(str(v).strip() for v in record):
            continue
        record = list(record) + [""] * (width - len(record))
        if any(str(v).strip() for v in record[width:]):
            notes.flag("Rows with more values than the header has columns; the extra values "
                       "were ignored", number)
        dropped = [record[i] for i in range(width) if i not in kept and str(record[i]).strip()]
        if dropped:
            notes.flag("Rows with values under a blank or repeated header cell; those values "
                       "were ignored", number, dropped[0])
        data.append([str(record[i]) for i in keep] + [number])
    return pd.DataFrame(data, columns=names + [ROW], dtype=object)


# --------------------------------------------------------------------------------------------
# Detecting the format


def detect_format(path_or_frame) -> str | None:
    """'acled', 'acled-old' or 'ucdp-ged' from the header; None for anything else."""
    try:
        header = _header_of(path_or_frame)
    except Exception:  # a detector answers None rather than raise on a strange input
        return None
    return format_from_header(header)


def _header_of(path_or_frame) -> list[str]:
    if isinstance(path_or_frame, pd.DataFrame):
        return [str(col) for col in path_or_frame.columns]
    rows = read_rows(path_or_frame, NoteLog(), header_only=True)
    return rows.header if rows is not None else []


def format_from_header(header: list[str]) -> str | None:
    names = {normalise_header(h) for h in header}
    if "date_start" in names and sum(col in names for col in UCDP_SIGNATURE) >= SIGNATURE_MINIMUM:
        return UCDP
    if "event_date" in names and sum(col in names for col in ACLED_SIGNATURE) >= SIGNATURE_MINIMUM:
        return ACLED_OLD if _looks_old(header) else ACLED
    return None


def _looks_old(header: list[str]) -> bool:
    names = {normalise_header(h) for h in header}
    if names & set(ACLED_OLD_ONLY):
        return True
    cells = [clean_text(h) for h in header if clean_text(h)]
    upper = sum(1 for h in cells if h.isupper())
    return bool(cells) and upper > len(cells) / 2


# --------------------------------------------------------------------------------------------
# Building the tables


class TableBuilder:
    """Collects events, and the actors, places and sources they name; assigns ids at the end.
    Events wait on disk a chunk at a time (a temporary file, gone with the builder) until
    `tables` has given the actors, places and sources their ids; `event_frames` then reads
    them back a chunk at a time."""

    def __init__(self, publisher: str, file_name: str, notes: NoteLog | None = None) -> None:
        self.publisher = publisher
        self.file_name = file_name
        self.notes = notes if notes is not None else NoteLog()
        self.actors: dict[str, dict] = {}
        self.locations: dict[tuple, dict] = {}
        self.sources: dict[str, dict] = {}
        self.event_count = 0
        self.credibility: Counter = Counter()
        self._used_ids: set[str] = set()
        self._pending: list[dict] = []
        self._spill = None  # chunks of pickled events, in a temporary file
        self._ids = None  # (actor, place, source) ids, once `tables` has made them

    def source(self, title: str) -> str:
        title = title or self.publisher
        self.sources.setdefault(title, {"title": title})
        return title

    def actor(self, name: str, actor_type: str, country: str, description: str,
              source: str, primary: bool = True) -> str:
        """Add an actor once; a main (primary) role later on replaces a type guessed from an
        associated role, the first source stays."""
        known = self.actors.get(name)
        if known is None:
            self.actors[name] = {"name": name, "actor_type": actor_type, "country": country,
                                 "description": description, "source": source,
                                 "primary": primary}
        elif primary and not known["primary"]:
            known.update(actor_type=actor_type, country=country, description=description,
                         primary=True)
        return name

    def place(self, name: str, lat: float, lon: float, admin1: str, country: str,
              kind: str) -> tuple:
        key = (name, round(lat, 4), round(lon, 4))
        known = self.locations.get(key)
        if known is None:
            self.locations[key] = {"name": name, "latitude": lat, "longitude": lon,
                                   "admin1": admin1, "country": country, "kind": kind}
        elif KIND_RANK.get(kind, 1) < KIND_RANK.get(known["kind"], 1):
            known["kind"] = kind
        return key

    def add_event(self, event: dict) -> None:
        ident = _unused(event["event_id"], self._used_ids)
        if ident != event["event_id"]:
            self.notes.flag("Rows whose event id was already used; a suffix was added to keep "
                            "ids unique", event["row"], event["event_id"])
        self._used_ids.add(ident)
        self._pending.append(dict(event, event_id=ident))
        self.event_count += 1
        self.credibility[event["credibility"]] += 1
        if len(self._pending) >= IMPORT_CHUNK_ROWS:
            if self._spill is None:
                self._spill = tempfile.TemporaryFile(prefix="proxylens-import-")
            pickle.dump(self._pending, self._spill, protocol=pickle.HIGHEST_PROTOCOL)
            self._pending = []

    def tables(self, notes: NoteLog) -> dict[str, pd.DataFrame]:
        """The actors, relations (none), places and sources, with their ids."""
        actor_ids = stable_ids(list(self.actors), slugify, "actor")
        place_ids = stable_ids(list(self.locations), lambda key: slugify(key[0]), "place")
        source_ids = stable_ids(list(self.sources),
                                lambda t: "src-" + (slugify(t, 40) or "untitled"), "src")
        self._ids = (actor_ids, place_ids, source_ids)
        return {
            "actors": _frame(self._actor_rows(actor_ids, source_ids), c.ACTORS),
            "relations": _frame([], c.RELATIONS),
            "locations": _frame(self._location_rows(place_ids), c.LOCATIONS),
            "sources": _frame(self._source_rows(source_ids), c.SOURCES),
        }

    def event_frames(self) -> Iterator[pd.DataFrame]:
        """The events as contract rows, IMPORT_CHUNK_ROWS at a time (after `tables`)."""
        if self._spill is not None:
            self._spill.seek(0)
            while True:
                try:
                    chunk = pickle.load(self._spill)
                except EOFError:
                    break
                yield _frame(self._event_rows(chunk), c.EVENTS)
        if self._pending:
            yield _frame(self._event_rows(self._pending), c.EVENTS)

    def _event_rows(self, events: list[dict]) -> list[dict]:
        actor_ids, place_ids, source_ids = self._ids
        rows = []
        for event in events:
            place = self.locations.get(event["place"]) if event["place"] else None
            row = dict(event)
            row["actor1"] = actor_ids[event["actor1"]]
            row["actor2"] = actor_ids[event["actor2"]] if event["actor2"] else ""
            row["assoc_actors"] = c.LIST_SEPARATOR.join(actor_ids[n] for n in event["assoc"])
            row["location"] = place_ids[event["place"]] if place else ""
            row["latitude"], row["longitude"] = _override_coordinates(event, place)
            row["source_ids"] = source_ids[event["source"]]
            rows.append(row)
        return rows

    def _actor_rows(self, actor_ids, source_ids) -> list[dict]:
        return [dict(actor, actor_id=actor_ids[name], source_ids=source_ids[actor["source"]])
                for name, actor in self.actors.items()]  # 'primary' is not a contract column

    def _location_rows(self, place_ids) -> list[dict]:
        return [dict(place, location_id=place_ids[key], latitude=format_number(place["latitude"]),
                     longitude=format_number(place["longitude"]))
                for key, place in self.locations.items()]

    def _source_rows(self, source_ids) -> list[dict]:
        return [{"source_id": source_ids[title], "title": title, "publisher": self.publisher,
                 "reliability": "F", "notes": f"Imported from {self.file_name}"}
                for title in self.sources]


def _override_coordinates(event: dict, place: dict | None) -> tuple[str, str]:
    """The event's own coordinates, written only when they differ from its place's."""
    coords = event.get("coords")
    if not coords or place is None:
        return "", ""
    if (coords[0], coords[1]) == (place["latitude"], place["longitude"]):
        return "", ""
    return format_number(coords[0]), format_number(coords[1])


def classify_event_type(type_text: str, sub_type_text: str = "") -> tuple[str, bool]:
    """(contract event_type, known) for an ACLED event type and sub-event type."""
    sub = clean_text(sub_type_text).lower()
    if sub in ACLED_SUB_EVENT_TYPES:
        return ACLED_SUB_EVENT_TYPES[sub], True
    key = clean_text(type_text).lower()
    if key in ACLED_EVENT_TYPES:
        return ACLED_EVENT_TYPES[key], True
    if key.startswith("battle"):
        return "armed attack", True
    for word, term in EVENT_TYPE_KEYWORDS:
        if word in key:
            return term, True
    return DEFAULT_EVENT_TYPE, False


def acled_actor_type(name: str, inter: int | None, by_name: bool = False) -> tuple[str, bool]:
    """(contract actor_type, known) from an ACLED inter code and, for codes 1 and 8 (or any
    code when by_name, as for associated actors), the name."""
    if by_name or inter in (1, 8, None) or inter not in ACLED_INTER:
        if re.search(r"\b(?:Military|Police) Forces\b", name) and "Private" not in name:
            return "state force", True
        if name.startswith("Government of"):
            return "state institution", True
        if inter == 8 and "Private Security" in name:
            return "militia", True
    if inter in ACLED_INTER:
        return ACLED_INTER[inter][1], True
    return DEFAULT_ACLED_ACTOR_TYPE, False


def ucdp_actor_type(name: str) -> str:
    if "Government of" in name:
        return "state"
    if name.strip().lower() == "civilians":
        return "person"
    return "armed group"


def _join_sentences(*parts: str) -> str:
    return " ".join(p for p in (clean_text(part) for part in parts) if p)


# --------------------------------------------------------------------------------------------
# ACLED


def import_acled(path) -> ImportResult:
    """Import an ACLED file (current or old layout; a path or a frame of its rows), whole."""
    notes = NoteLog()
    return _acled_from(read_rows(path, notes), notes, _display_name(path)).read_whole()


def _acled_from(rows: ExportRows | None, notes: NoteLog, name: str) -> ImportResult:
    layout = ACLED_OLD if rows is not None and _looks_old(rows.header) else ACLED
    if rows is None:
        return _empty_result(notes, layout)
    renamed = ExportRows(rows.header, [ACLED_OLD_RENAMES.get(col, col) for col in rows.columns],
                         lambda: (chunk.rename(columns=ACLED_OLD_RENAMES)
                                  for chunk in rows.chunks()))
    if format_from_header(rows.header) not in (ACLED, ACLED_OLD):
        notes.say(f"{name} does not look like an ACLED file; it was read with the ACLED rules "
                  "as far as its columns allow.")
    return _convert(renamed, name, layout, "ACLED", ACLED_COLUMNS, "event_date", _acled_row,
                    notes)


def _acled_row(row: dict, builder: TableBuilder, notes: NoteLog) -> bool:
    number = row[ROW]
    when = _acled_when(row, notes)
    if when is None:
        return False
    event_date, precision, date_sentence = when
    type_label = " / ".join(p for p in (clean_text(row.get("event_type")),
                                        clean_text(row.get("sub_event_type"))) if p)
    event_type, known = classify_event_type(row.get("event_type"), row.get("sub_event_type"))
    if not known:
        notes.flag(f"Rows with an ACLED event type that is not known; recorded as "
                   f"'{DEFAULT_EVENT_TYPE}'", number, type_label)
    source = builder.source(clean_text(row.get("source")))
    actor1, actor2, assoc = _acled_actors(row, builder, source, notes)
    place, coords, geo_precision = _acled_place(row, builder, notes)
    fatalities = _fatalities(row.get("fatalities"), "fatalities", number, notes)
    ident = clean_text(row.get("event_id_cnty"))
    if not ident:
        notes.flag("Rows with no event_id_cnty; an id was made from the row number", number)
    builder.add_event({
        "row": number,
        "event_id": ident or f"acled-row-{number}",
        "event_date": event_date,
        "time_precision": precision,
        "date_end": "",
        "event_type": event_type,
        "actor1": actor1, "actor2": actor2, "assoc": assoc,
        "place": place, "coords": coords,
        "origin_location": "",
        "geo_precision": geo_precision,
        "claim_status": "reported",
        "credibility": _acled_credibility(row),
        "fatalities": fatalities,
        "description": _acled_description(row, type_label, date_sentence),
        "source": source,
        "source_locator": f"ACLED event_id_cnty {ident}" if ident else f"ACLED file row {number}",
    })
    return True


# what the credibility of an imported row is read from (see the module docstring)
GRADING_COLUMNS = {"source", "time_precision", "geo_precision", "number_of_sources",
                   "event_clarity", "date_prec", "where_prec"}


def imported_credibility(sources: int | None, vague: bool) -> str:
    """The credibility an imported event starts with (see the module docstring)."""
    if sources is not None and sources <= 0:
        return "6"
    base = 2 if sources is not None and sources >= 2 else 3
    return str(base + 1 if vague else base)


def _acled_credibility(row: dict) -> str:
    named = [s for s in clean_text(row.get("source")).split(";") if s.strip()]
    vague = parse_code(row.get("time_precision")) == 3 or parse_code(row.get("geo_precision")) == 3
    return imported_credibility(len(named), vague)


def _ucdp_credibility(row: dict) -> str:
    count = parse_code(row.get("number_of_sources"))
    vague = (parse_code(row.get("event_clarity")) == 2
             or (parse_code(row.get("date_prec")) or 0) >= 4
             or (parse_code(row.get("where_prec")) or 0) >= 4)
    return imported_credibility(count if count is not None and count >= 1 else None, vague)


def _acled_when(row: dict, notes: NoteLog) -> tuple[str, str, str] | None:
    """(event_date, time_precision, a sentence for the description), or None: no date."""
    number = row[ROW]
    day = parse_date(row.get("event_date"))
    code = parse_code(row.get("time_precision"))
    if day is None:
        return _year_only(row, "event_date", notes)
    if code not in ACLED_TIME_PRECISION:
        if clean_text(row.get("time_precision")):
            notes.flag("Rows with a time_precision other than 1, 2 or 3; read as the day",
                       number, row.get("time_precision"))
        code = 1
    precision = ACLED_TIME_PRECISION[code]
    sentence = ""
    if code == 2:
        notes.flag("Rows with ACLED time_precision 2 (the event happened within a week of the "
                   "date); kept at day precision, and the description says so", number)
        sentence = "The date is known to within a week (ACLED time precision 2)."
    elif code == 3:
        sentence = "Only the month is known (ACLED time precision 3)."
    return format_date(day, precision), precision, sentence


def _year_only(row: dict, column: str, notes: NoteLog) -> tuple[str, str, str] | None:
    number = row[ROW]
    year = parse_code(row.get("year"))
    if year is not None and MIN_YEAR <= year <= MAX_YEAR:
        notes.flag(f"Rows whose {column} could not be read; dated by their year column only",
                   number, row.get(column))
        sentence = f"The source date '{_clip(row.get(column))}' could not be read."
        return f"{year:04d}", "year", sentence
    notes.flag(f"Rows with no usable {column} were skipped", number, row.get(column))
    return None


def _acled_actors(row: dict, builder: TableBuilder, source: str,
                  notes: NoteLog) -> tuple[str, str, list[str]]:
    number = row[ROW]
    names = {}
    for side in ("1", "2"):
        inter = parse_code(row.get(f"inter{side}"))
        name = clean_text(row.get(f"actor{side}"))
        if side == "1" and not name:
            notes.flag("Rows with no actor1; recorded as 'Unknown actor'", number)
            name = "Unknown actor"
        if name:
            names[side] = _acled_actor(name, inter, builder, source, notes, number)
        assoc = [clean_text(a) for a in str(row.get(f"assoc_actor_{side}", "")).split(";")]
        for other in assoc:
            if other:
                names.setdefault("assoc", []).append(
                    _acled_actor(other, inter, builder, source, notes, number, primary=False))
    assoc_names = list(dict.fromkeys(names.get("assoc", [])))
    return names["1"], names.get("2", ""), assoc_names


def _acled_actor(name: str, inter: int | None, builder: TableBuilder, source: str,
                 notes: NoteLog, number: int, primary: bool = True) -> str:
    known = builder.actors.get(name)
    if known is not None and (known["primary"] or not primary):
        return name
    actor_type, ok = acled_actor_type(name, inter, by_name=not primary)
    if not ok:
        notes.flag(f"Actors with no known ACLED inter code; recorded as "
                   f"'{DEFAULT_ACLED_ACTOR_TYPE}'", number, name)
    category = ""
    if inter in ACLED_INTER:
        label = f"category {inter} ({ACLED_INTER[inter][0]})"
        category = (f"; ACLED actor {label}" if primary
                    else f"; named as an associated actor beside an actor of {label}")
    return builder.actor(name, actor_type, country_in_name(name),
                         f"Imported from ACLED{category}.", source, primary)


def _acled_place(row: dict, builder: TableBuilder, notes: NoteLog):
    """(place key or None, (lat, lon) or None, geo_precision)."""
    number = row[ROW]
    coords = parse_coordinates(row.get("latitude"), row.get("longitude"))
    code = parse_code(row.get("geo_precision"))
    precision, kind = ACLED_GEO_PRECISION.get(code, ("", "region"))
    if code not in ACLED_GEO_PRECISION:
        notes.flag("Rows with a geo_precision other than 1, 2 or 3; left empty, so the place's "
                   "kind sets it", number, row.get("geo_precision"))
    if coords is None:
        notes.flag("Rows with no usable latitude and longitude; kept without a place (not on "
                   "the map)", number, _coordinate_text(row))
        return None, None, precision
    key = _place(builder, notes, number, coords, kind,
                 name=_first_text(row, "location", "admin3", "admin2", "admin1", "country"),
                 admin1=clean_text(row.get("admin1")), country=clean_text(row.get("country")))
    return key, coords, precision


def _coordinate_text(row: dict) -> str:
    return f"{_clip(row.get('latitude'))}, {_clip(row.get('longitude'))}"


def _place(builder: TableBuilder, notes: NoteLog, number: int, coords, kind: str, name: str,
           admin1: str, country: str) -> tuple:
    if not country:
        notes.flag("Rows with no country; their place's country is recorded as 'Unknown'",
                   number)
        country = "Unknown"
    name = name or f"{coords[0]:.4f}, {coords[1]:.4f}"
    return builder.place(name, coords[0], coords[1], admin1, country, kind)


def _first_text(row: dict, *columns: str) -> str:
    return next((clean_text(row.get(col)) for col in columns if clean_text(row.get(col))), "")


def _fatalities(value, column: str, number: int, notes: NoteLog) -> str:
    count, ok = parse_count(value)
    if not ok:
        notes.flag(f"Rows whose {column} is not a whole number of 0 or more; left empty",
                   number, value)
    return "" if count is None else str(count)


def _acled_description(row: dict, type_label: str, date_sentence: str) -> str:
    notes_text = clean_text(row.get("notes"))
    if not notes_text:
        sides = " and ".join(n for n in (clean_text(row.get("actor1")),
                                         clean_text(row.get("actor2"))) if n)
        notes_text = f"{type_label or 'Event'} involving {sides or 'unnamed actors'}."
    type_part = f"[ACLED event type: {type_label}]" if type_label else ""
    return _join_sentences(notes_text, date_sentence, type_part)


# --------------------------------------------------------------------------------------------
# UCDP GED


def import_ucdp(path) -> ImportResult:
    """Import a UCDP GED file (a path or a frame of its rows), whole."""
    notes = NoteLog()
    return _ucdp_from(read_rows(path, notes), notes, _display_name(path)).read_whole()


def _ucdp_from(rows: ExportRows | None, notes: NoteLog, name: str) -> ImportResult:
    if rows is None:
        return _empty_result(notes, UCDP)
    if format_from_header(rows.header) != UCDP:
        notes.say(f"{name} does not look like a UCDP GED file; it was read with the UCDP rules "
                  "as far as its columns allow.")
    return _convert(rows, name, UCDP, "UCDP GED", UCDP_COLUMNS, "date_start", _ucdp_row, notes)


def _ucdp_row(row: dict, builder: TableBuilder, notes: NoteLog) -> bool:
    number = row[ROW]
    when = _ucdp_when(row, notes)
    if when is None:
        return False
    event_date, precision, date_end = when
    violence = parse_code(row.get("type_of_violence"))
    if violence not in UCDP_VIOLENCE:
        notes.flag(f"Rows with a type_of_violence other than 1, 2 or 3; recorded as "
                   f"'{DEFAULT_EVENT_TYPE}'", number, row.get("type_of_violence"))
    source = builder.source(clean_text(row.get("source_original")))
    side_a, side_b = _ucdp_actors(row, builder, source, notes)
    place, coords, geo_precision = _ucdp_place(row, builder, notes)
    ident = clean_text(row.get("id"))
    relid = clean_text(row.get("relid"))
    if not ident:
        notes.flag("Rows with no id; an id was made from the row number", number)
    locator = f"UCDP GED id {ident}" if ident else f"UCDP GED file row {number}"
    builder.add_event({
        "row": number,
        "event_id": f"ged-{ident}" if ident else f"ged-row-{number}",
        "event_date": event_date,
        "time_precision": precision,
        "date_end": date_end,
        "event_type": DEFAULT_EVENT_TYPE,
        "actor1": side_a, "actor2": side_b, "assoc": [],
        "place": place, "coords": coords,
        "origin_location": "",
        "geo_precision": geo_precision,
        "claim_status": "reported",
        "credibility": _ucdp_credibility(row),
        "fatalities": _fatalities(row.get("best"), "best", number, notes),
        "description": _ucdp_description(row, violence),
        "source": source,
        "source_locator": locator + (f" (relid {relid})" if relid else ""),
    })
    return True


def _ucdp_when(row: dict, notes: NoteLog) -> tuple[str, str, str] | None:
    """(event_date, time_precision, date_end), or None when the row has no date."""
    number = row[ROW]
    start, end = parse_date(row.get("date_start")), parse_date(row.get("date_end"))
    if start is None and end is not None:
        notes.flag("Rows with no usable date_start; dated by their date_end", number,
                   row.get("date_start"))
        start = end
    if start is None:
        year_only = _year_only(row, "date_start", notes)
        return None if year_only is None else (year_only[0], "year", "")
    code = parse_code(row.get("date_prec"))
    if code not in UCDP_TIME_PRECISION:
        notes.flag("Rows with a date_prec other than 1 to 5; read as the day", number,
                   row.get("date_prec"))
        code = 1
    if code in (2, 3):
        notes.flag("Rows with date_prec 2 or 3 (the day is uncertain within a span of days or "
                   "a week); event_date is date_start at day precision and date_end the last "
                   "possible day", number)
    precision = UCDP_TIME_PRECISION[code]
    event_date = format_date(start, precision)
    if end is not None and end < start:
        notes.flag("Rows whose date_end is before date_start; date_end was left out", number,
                   row.get("date_end"))
        end = None
    date_end = format_date(end, precision) if end is not None else ""
    return event_date, precision, "" if date_end == event_date else date_end


def _ucdp_actors(row: dict, builder: TableBuilder, source: str,
                 notes: NoteLog) -> tuple[str, str]:
    names = []
    for column in ("side_a", "side_b"):
        name = clean_text(row.get(column))
        if column == "side_a" and not name:
            notes.flag("Rows with no side_a; recorded as 'Unknown actor'", row[ROW])
            name = "Unknown actor"
        if name:
            builder.actor(name, ucdp_actor_type(name), _ucdp_country(name),
                          "Imported from UCDP GED.", source)
        names.append(name)
    return names[0], names[1]


def _ucdp_country(name: str) -> str:
    match = re.search(r"Government of ([^,;()]+)", name)
    return match.group(1).strip() if match else ""


def _ucdp_place(row: dict, builder: TableBuilder, notes: NoteLog):
    number = row[ROW]
    coords = parse_coordinates(row.get("latitude"), row.get("longitude"))
    code = parse_code(row.get("where_prec"))
    precision, kind = UCDP_GEO_PRECISION.get(code, ("", "region"))
    if code == 7:
        notes.flag("Rows with where_prec 7 (at sea or in the air); recorded as 'region'", number)
    elif code not in UCDP_GEO_PRECISION:
        notes.flag("Rows with a where_prec other than 1 to 7; left empty, so the place's kind "
                   "sets it", number, row.get("where_prec"))
    if coords is None:
        notes.flag("Rows with no usable latitude and longitude; kept without a place (not on "
                   "the map)", number, _coordinate_text(row))
        return None, None, precision
    key = _place(builder, notes, number, coords, kind,
                 name=_first_text(row, "where_coordinates", "adm_2", "adm_1", "country"),
                 admin1=clean_text(row.get("adm_1")), country=clean_text(row.get("country")))
    return key, coords, precision


def _ucdp_description(row: dict, violence: int | None) -> str:
    label = UCDP_VIOLENCE.get(violence, f"type of violence '{_clip(row.get('type_of_violence'))}'")
    headline = clean_text(row.get("source_headline"))
    if not headline:
        sides = " and ".join(n for n in (clean_text(row.get("side_a")),
                                         clean_text(row.get("side_b"))) if n)
        headline = f"{label[0].upper() + label[1:]} involving {sides or 'unnamed sides'}."
    dyad = clean_text(row.get("dyad_name"))
    return _join_sentences(headline, f"[UCDP GED: {label}" + (f"; {dyad}]" if dyad else "]"))


# --------------------------------------------------------------------------------------------
# Shared flow


def import_file(path) -> ImportResult:
    """Detect the format from the header and import, the events read whole (import_export
    streams them); a file of no known format gives a note."""
    return import_export(path).read_whole()


def import_export(path) -> ImportResult:
    """Detect the format from the header and import, a chunk at a time: the result holds the
    actors, places and sources, and streams its events (ImportResult.event_chunks)."""
    notes = NoteLog()
    rows = read_rows(path, notes)
    name = _display_name(path)
    if rows is None:
        return _empty_result(notes, UNKNOWN)
    found = format_from_header(rows.header)
    if found == UCDP:
        return _ucdp_from(rows, notes, name)
    if found in (ACLED, ACLED_OLD):
        return _acled_from(rows, notes, name)
    shown = ", ".join(clean_text(h) for h in rows.header[:6] if clean_text(h)) or "nothing"
    notes.say(f"{name} is not an ACLED or UCDP GED file: its header (it starts with {shown}) "
              "has neither ACLED's event_date with event_id_cnty, inter1 or sub_event_type, nor "
              "UCDP's date_start with relid, type_of_violence or side_a; nothing was imported.")
    return _empty_result(notes, UNKNOWN)


def _empty_result(notes: NoteLog, source_format: str) -> ImportResult:
    return ImportResult(empty_tables(), notes.render(), source_format)


def _convert(rows: ExportRows, name: str, source_format: str, publisher: str,
             expected: tuple, date_column: str, convert_row, notes: NoteLog) -> ImportResult:
    missing = [col for col in expected if col not in rows.columns]
    try:
        if date_column in missing:
            notes.say(f"{name} has no {date_column} column, so no row can be dated; nothing was "
                      "imported.")
            numbers = [int(r) for chunk in rows.chunks() for r in chunk[ROW]]
            return ImportResult(empty_tables(), notes.render(), source_format, len(numbers),
                                numbers)
        if missing:
            notes.say(f"{name} lacks the columns {', '.join(missing)}; those values were left "
                      "empty" + (" (credibility is then set from the columns that are there)"
                                 if set(missing) & GRADING_COLUMNS else "") + ".")
        builder = TableBuilder(publisher, name, notes)
        skipped, read = [], 0
        for chunk in rows.chunks():
            read += len(chunk)
            for row in chunk.to_dict("records"):
                if not convert_row(row, builder, notes):
                    skipped.append(int(row[ROW]))
    except csv.Error as exc:  # found part way through the file: nothing is imported
        notes.flags.clear()  # about rows read before it, none of which is kept
        notes.say(f"{name} cannot be read as CSV ({exc}); nothing was imported.")
        return _empty_result(notes, source_format)
    tables = builder.tables(notes)
    summary = _summary(name, source_format, read, builder.event_count, len(skipped))
    details = _built_sentence(tables, builder)
    return ImportResult(tables, [summary] + notes.render() + [details], source_format,
                        read, skipped, streamed_events=builder, event_count=builder.event_count)


def _summary(name: str, source_format: str, read: int, imported: int, skipped: int) -> str:
    label = {ACLED: "ACLED, current layout", ACLED_OLD: "ACLED, old layout",
             UCDP: "UCDP GED"}[source_format]
    if read == 0:
        return f"{name} ({label}) has a header but no data rows; nothing was imported."
    return (f"Read {read:,} data rows from {name} ({label}): imported {imported:,} events, "
            f"skipped {skipped:,}.")


def _built_sentence(tables: dict[str, pd.DataFrame], builder: TableBuilder) -> str:
    counts = ", ".join(f"{builder.credibility[level]:,} at {level}"
                       for level in sorted(builder.credibility)) or "none"
    return (f"Built {len(tables['actors'])} actors, {len(tables['locations'])} places and "
            f"{len(tables['sources'])} sources; every event is marked 'reported'; relations.csv "
            "has no rows, since these datasets record no links between actors. Credibility "
            "(1-6) is set from how many sources each row names and how precise it is "
            f"({counts}; see data/README.md); the sources' reliability is F, not judged.")


# --------------------------------------------------------------------------------------------
# Writing


def write_folder(result: ImportResult, folder: str | os.PathLike) -> list[Path]:
    """Write the five tables as UTF-8 CSV into folder (created if needed); returns the paths.

    Only events, actors, relations, locations and sources are written: optional files already in
    the folder (periods, claims, briefing) are left as they are.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    partials = []
    for name, table in OUTPUT_TABLES.items():
        partial = partial_path(folder, table.filename)
        chunks = (result.event_chunks() if name == "events"
                  else [result.tables.get(name, _frame([], table))])
        with partial.open("w", encoding="utf-8", newline="") as handle:
            _frame([], table).to_csv(handle, index=False)  # the header, even with no rows
            for frame in chunks:
                frame.reindex(columns=table.column_names).fillna("").to_csv(
                    handle, index=False, header=False)
        partials.append(partial)
    # in place only once all are written: a write that fails part way changes nothing
    put_in_place(partials, drop_parquet=False)
    return [folder / table.filename for table in OUTPUT_TABLES.values()]


def partial_path(folder: Path, filename: str) -> Path:
    return folder / f".{filename}.partial"


def put_in_place(partials: list[Path], drop_parquet: bool = True) -> None:
    """Each `.<file>.partial` renamed to its file; with `drop_parquet`, a Parquet copy of that
    table beside it (the loader would read the newer) removed."""
    for partial in partials:
        target = partial.with_name(partial.name[1:-len(".partial")])
        partial.replace(target)
        if drop_parquet:
            (target.parent / (target.stem + ".parquet")).unlink(missing_ok=True)

