"""Read a data folder into typed pandas frames and a list of problems. Never raises on bad data.

The flow for each table: read bytes -> decode -> parse CSV -> check the header -> type and check
each column -> resolve references to other tables. A problem that makes a file unusable is an
ERROR and the table is served empty; anything else is a WARNING and the row is kept as written.
No Streamlit import here.
"""

from __future__ import annotations

import contextlib
import csv
import difflib
import functools
import hashlib
import io
import itertools
import json
import os
import re
import unicodedata
import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pyarrow.compute as pc

from components import contract as c
from components import frames as frames_ops
from components import grades
from components.contract import ERROR, WARNING, Problem

DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DATA_DIR_ENV = "PROXYLENS_DATA_DIR"
ROW = "_row"  # spreadsheet row number kept on every frame (header = row 1)
csv.field_size_limit(c.MAX_CELL_CHARS)  # the csv module's own limit, made the contract's
MAX_PROBLEMS_PER_KIND = 20  # beyond this, one summary line per (file, column, problem)


@dataclass
class FileReport:
    table: str
    filename: str
    status: str  # "ok", "warnings", "unusable", "missing", "absent (optional)"
    rows: int
    fingerprint: str  # sha256 of the file's bytes, first 12 hex digits; "" when missing
    modified: pd.Timestamp | None


@dataclass
class Dataset:
    folder: str
    events: pd.DataFrame
    actors: pd.DataFrame
    relations: pd.DataFrame
    locations: pd.DataFrame
    sources: pd.DataFrame
    periods: pd.DataFrame
    claims: pd.DataFrame
    briefing: pd.DataFrame
    about: pd.DataFrame
    boundaries: dict | None = None
    # components.eventstore.EventStore when the events are kept in DuckDB (events is then empty)
    event_store: object | None = None

    def table(self, name: str) -> pd.DataFrame:
        return getattr(self, name)

    # Worked out once per loaded data version (the tables are not changed after loading; a
    # changed record is a new Dataset): each map asked for them, 12 ms at ten million events.
    @functools.cached_property
    def actor_names(self) -> dict[str, str]:
        """Actor id -> name."""
        return frames_ops.lookup(self.actors, "actor_id", "name")

    @functools.cached_property
    def place_names(self) -> dict[str, str]:
        """Place id -> name."""
        if not len(self.locations):
            return {}
        return frames_ops.lookup(self.locations, "location_id", "name")

    def rows_in(self, name: str) -> int:
        if name == "events" and self.event_store is not None:
            return self.event_store.count
        return len(self.table(name))

    def whole_table(self, name: str) -> pd.DataFrame:
        """Every row of a table in file order (the events read back from their store)."""
        if name == "events" and self.event_store is not None:
            return self.event_store.file_rows(0, self.event_store.count)
        return self.table(name)

    def file_rows(self, name: str, start: int, stop: int) -> pd.DataFrame:
        """Rows start..stop-1 of a table, in file order."""
        if name == "events" and self.event_store is not None:
            return self.event_store.file_rows(start, stop)
        return self.table(name).iloc[start:stop]

    def event_rows(self, ids) -> pd.DataFrame:
        """The events with these ids, from memory or from the event store."""
        ids = [i for i in ids if i]
        if self.event_store is not None:
            return self.event_store.events_by_id(ids)
        return self.events[self.events["event_id"].isin(ids)]


@dataclass
class LoadResult:
    dataset: Dataset
    problems: list[Problem]
    files: list[FileReport] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]

    def problems_frame(self) -> pd.DataFrame:
        return problems_to_frame(self.problems)


def problems_to_frame(problems: list[Problem]) -> pd.DataFrame:
    columns = ["file", "row", "column", "value", "problem", "severity"]
    frame = pd.DataFrame([[getattr(p, k) for k in columns] for p in problems], columns=columns)
    frame["row"] = frame["row"].astype("Int64")
    return frame


# --------------------------------------------------------------------------------------------
# Folder and fingerprints


def data_folder() -> Path:
    """The active data folder: $PROXYLENS_DATA_DIR when set, else the shipped data/."""
    configured = os.environ.get(DATA_DIR_ENV, "").strip()
    return Path(configured).expanduser() if configured else DEFAULT_DATA_DIR


def folder_fingerprint(folder: str | os.PathLike) -> str:
    """A cheap key that changes whenever a contract file in the folder is edited or replaced.
    A save cut short is finished first, so a crashed save is never read half done (a read in
    the moment another process renames a save's files into place can still see some of them:
    its next rerun sees them all)."""
    from components import datastore

    datastore.finish_interrupted_save(folder)
    # plain os calls: pathlib's took two thirds of this, asked a few times on every rerun
    folder = os.fspath(folder)
    parts = [os.path.realpath(folder)]
    for name in _fingerprinted_names():
        try:
            stat = os.stat(os.path.join(folder, name))
            parts.append(f"{name}:{stat.st_size}:{stat.st_mtime_ns}")
        except OSError:
            parts.append(f"{name}:absent")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


@functools.cache
def _fingerprinted_names() -> tuple[str, ...]:
    return tuple([t.filename for t in c.TABLES] + [parquet_name(t) for t in c.TABLES]
                 + [c.BOUNDARIES_FILENAME])


# --------------------------------------------------------------------------------------------
# Problems


class ProblemLog:
    """Collects problems, capping repeats of the same kind so a million bad rows stay readable."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self._counts: dict[tuple, int] = {}

    def add(self, file, row, column, value, problem, severity=WARNING, kind=None) -> None:
        key = (file, column, kind or problem, severity)
        seen = self._counts.get(key, 0)
        self._counts[key] = seen + 1
        if seen < MAX_PROBLEMS_PER_KIND:
            self.problems.append(Problem(file, row, column, _clip(value), problem, severity))

    def add_rows(self, file, frame, mask, column, message, severity=WARNING, kind=None) -> None:
        """One problem per flagged row; `message` may be a callable of the value."""
        if not mask.any():
            return
        for row, value in zip(frame.loc[mask, ROW], frame.loc[mask, column]):
            text = message(value) if callable(message) else message
            self.add(file, int(row), column, value, text, severity, kind or column + ":" + str(message))

    def summarise(self) -> list[Problem]:
        out = list(self.problems)
        for (file, column, _kind, severity), count in self._counts.items():
            if count > MAX_PROBLEMS_PER_KIND:
                first = next(p for p in self.problems if p.file == file and p.column == column)
                out.append(
                    Problem(
                        file, None, column, None,
                        f"{count - MAX_PROBLEMS_PER_KIND:,} more rows have the same problem as row "
                        f"{first.row} ({first.problem})",
                        severity,
                    )
                )
        return out


def _clip(value, limit: int = 80):
    if value is None:
        return None
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def did_you_mean(value: str, choices) -> str:
    match = difflib.get_close_matches(str(value).strip().lower(), list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{match[0]}'?" if match else ""


# --------------------------------------------------------------------------------------------
# Reading one file into strings


def read_csv_text(path: Path, table: c.Table, log: ProblemLog) -> tuple[pd.DataFrame | None, str]:
    """Parse a CSV file into a frame of strings with a ROW column; None when it cannot be used."""
    text, delimiter, fingerprint = _csv_text(path, table, log)
    if text is None:
        return None, fingerprint
    errors_before = _error_count(log, table)
    records = _csv_records(text, delimiter, table, log)
    header = next(records)
    frame = _records_frame(header, list(records))
    if _error_count(log, table) > errors_before:  # past a limit: the file cannot be used
        return None, fingerprint
    return frame, fingerprint


def _error_count(log: ProblemLog, table: c.Table) -> int:
    return sum(p.severity == ERROR and p.file == table.filename for p in log.problems)


STREAM_FROM_BYTES = 32 * 1024 * 1024  # a CSV this large is read block by block (csv_slices)
STREAM_BLOCK_BYTES = 4 * 1024 * 1024  # read and checked at a time
# parsed by Arrow at a time (a record must fit in one, else the file is read whole). Arrow's
# reader reads some fifty blocks ahead of the one in use: at 4 MB that held 200 MB of a 200 MB
# upload; at 1 MB it holds about 75 MB, at the same speed
ARROW_BLOCK_BYTES = 1024 * 1024
HEADER_MAX_CHARS = 1024 * 1024


def csv_slices(path: Path, table: c.Table, log: ProblemLog, rows: int, lean: bool = False):
    """read_csv_text in slices of `rows` records, for files too large to hold as one frame of
    strings: the same checks, sentences and row numbers. Yields nothing when the file cannot
    be used (the log says why). `lean` (an upload's check): a large regular file (as exports
    are) is read block by block, never whole: its text checked in one pass, then parsed by
    Arrow a block at a time (a few seconds slower at a million rows than reading it whole)."""
    streamed = _streamed_csv(path, table, log, rows) if lean else None
    if streamed is not None:
        yield from streamed
        return
    text, delimiter, _ = _csv_text(path, table, log)
    if text is None:
        return
    regular = _arrow_csv(text, delimiter)
    if regular is not None:  # parsed in C++: the same values, rows and numbers, five times faster
        done = 0
        for batch in regular.to_batches(max_chunksize=rows):
            yield parquet_as_text(batch.to_pandas(), table, first_record=done)
            done += batch.num_rows
        return
    records = _csv_records(text, delimiter, table, log)
    header = next(records)
    while True:
        chunk = list(itertools.islice(records, rows))
        if not chunk:
            return
        yield _records_frame(header, chunk)


_BLANK_LINE = re.compile(r"(?m)^[ \t,;]*\r?$")
_BLANK_LINE_BYTES = re.compile(rb"(?m)^[ \t,;]*\r?$")


def _streamed_csv(path: Path, table: c.Table, log: ProblemLog, rows: int):
    """csv_slices' slices for a large file that passes the checks _csv_text and _arrow_csv make
    on a whole text, made here block by block; None for any other file (read whole, with the
    reasons and notes the whole-text reader gives)."""
    try:
        if path.stat().st_size < STREAM_FROM_BYTES:
            return None
    except OSError:
        return None
    scanned = _scan_csv(path, table)
    if scanned is None:
        return None
    delimiter, names = scanned
    import pyarrow.csv as pv

    def batches():
        reader = pv.open_csv(
            path, read_options=pv.ReadOptions(column_names=names, skip_rows=1,
                                              block_size=ARROW_BLOCK_BYTES),
            parse_options=pv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
            convert_options=pv.ConvertOptions(
                column_types={name: pa.string() for name in names},
                strings_can_be_null=False, quoted_strings_can_be_null=False))
        for batch in reader:
            yield batch

    def regular(batch) -> bool:
        blank = None
        for column in batch.columns:
            empty = pc.equal(pc.utf8_trim_whitespace(column), "")
            blank = empty if blank is None else pc.and_(blank, empty)
        if blank is not None and pc.any(blank).as_py():
            return False
        return not any((pc.max(pc.utf8_length(column)).as_py() or 0) > c.MAX_CELL_CHARS
                       for column in batch.columns)

    # a first pass checks every block before any is handed on: a file that turns out irregular
    # half way is read whole instead, with the whole-text reader's notes
    try:
        if not all(regular(batch) for batch in batches()):
            return None
    except (pa.ArrowInvalid, ValueError):
        return None
    if delimiter != ",":
        label = {";": "semicolons", "\t": "tabs"}[delimiter]
        log.add(table.filename, 1, None, None,
                f"separates columns with {label}, not commas; read it anyway")

    def slices():
        done, waiting, held = 0, [], 0
        for batch in itertools.chain(batches(), [None]):
            if batch is not None:
                waiting.append(batch)
                held += batch.num_rows
            if waiting and (held >= rows or batch is None):  # slices of `rows`, as before
                whole = pa.Table.from_batches(waiting).combine_chunks()
                waiting, held = [], 0
                for part in whole.to_batches(max_chunksize=rows):
                    if part.num_rows < rows and batch is not None:
                        waiting.append(part)  # the rest waits for the next blocks
                        held += part.num_rows
                        continue
                    yield parquet_as_text(part.to_pandas(), table, first_record=done)
                    done += part.num_rows
    return slices()


def _scan_csv(path: Path, table: c.Table) -> tuple[str, list[str]] | None:
    """One pass over a CSV file's bytes, a block at a time, making _csv_text's and
    _arrow_csv's checks (not a workbook or zip, UTF-8, no blank line, no lone carriage
    return, a usable header): its delimiter and stripped header names; None when the file
    needs the whole-text reader (which then says why)."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    carry, returns, crlfs, previous_last = b"", 0, 0, b""
    first_text = None
    try:
        handle = path.open("rb")
    except OSError:
        return None  # the whole-text reader says it cannot be read
    with handle:
        while True:
            block = handle.read(STREAM_BLOCK_BYTES)
            if first_text is None:  # the file's first block
                if not block.strip() or block[:4] == b"PK\x03\x04" or _other_encoding(
                        block[:4096]) or block[:4096].count(0) > len(block[:4096]) // 20:
                    return None  # the whole-text reader names these
            try:
                text = decoder.decode(block, final=not block)
            except UnicodeDecodeError:
                return None  # the whole-text reader says where
            if first_text is None or "\n" not in first_text:  # up to the header's end
                first_text = (first_text or "") + text
                if len(first_text) > HEADER_MAX_CHARS and "\n" not in first_text:
                    return None
            returns += block.count(b"\r")
            crlfs += block.count(b"\r\n") + (previous_last == b"\r" and block[:1] == b"\n")
            previous_last = block[-1:]
            piece = carry + block
            if block:
                cut = piece.rfind(b"\n")
                carry, piece = (piece[cut + 1:], piece[:cut]) if cut >= 0 else (piece, b"")
                piece, carry = _hold_trailing_blank_lines(piece, carry) if cut >= 0 else (
                    piece, carry)
            else:
                piece, carry = piece.rstrip(b"\r\n"), b""  # blank lines at the end are fine
            # a blank line inside the file needs the whole-text reader's notes
            if piece and _BLANK_LINE_BYTES.search(piece):
                return None
            if not block:
                break
    if returns != crlfs:
        return None
    delimiter = _sniff_delimiter(first_text, table)
    header = first_text[: first_text.find("\n") + 1 or len(first_text)]
    names = next(csv.reader(io.StringIO(header, newline=""), delimiter=delimiter), [])
    stripped = [n.strip() for n in names]
    if not names or len(set(stripped)) != len(stripped) or len(stripped) > c.MAX_COLUMNS:
        return None
    return delimiter, stripped


def _hold_trailing_blank_lines(piece: bytes, carry: bytes) -> tuple[bytes, bytes]:
    """Complete lines (`piece`, without its last line end) and what follows them: empty lines
    at the piece's end wait with `carry` until a line with content follows them (they are then
    a blank line inside the file) or the file ends (they are then allowed, as the whole-text
    reader allows them)."""
    kept = piece.rstrip(b"\r\n")
    moved = piece[len(kept):]
    if not kept:  # every line of the piece is empty
        return b"", piece + b"\n" + carry
    if b"\n" not in moved:  # only the last line's own carriage return
        return piece, carry
    split = len(kept) + moved.index(b"\n")
    return piece[:split], piece[split + 1:] + b"\n" + carry


def _arrow_csv(text: str, delimiter: str):
    """A CSV text whose every record has the header's width and none is blank (as exports
    are), parsed whole by Arrow into string columns named as the header, stripped; None for
    any other file, which _csv_records reads with its notes on extra and blank values."""
    import pyarrow.csv as pv

    names = next(csv.reader(io.StringIO(text[: text.find("\n") + 1 or len(text)], newline=""),
                            delimiter=delimiter), [])
    stripped = [name.strip() for name in names]
    lone_cr = "\r" in text and text.count("\r") != text.count("\r\n")
    if (not names or len(set(stripped)) != len(stripped) or lone_cr
            or len(stripped) > c.MAX_COLUMNS or _BLANK_LINE.search(text.rstrip("\r\n"))):
        return None
    try:
        table = pv.read_csv(
            pa.py_buffer(text.encode("utf-8")),
            read_options=pv.ReadOptions(column_names=stripped, skip_rows=1,
                                        block_size=1 << 26),
            parse_options=pv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
            convert_options=pv.ConvertOptions(
                column_types={name: pa.string() for name in stripped},
                strings_can_be_null=False, quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, ValueError):
        return None

    blank = None  # a record blank after stripping ("", " ", a no-break space) is skipped there
    for column in table.columns:
        empty = pc.equal(pc.utf8_trim_whitespace(column), "")
        blank = empty if blank is None else pc.and_(blank, empty)
    if blank is not None and pc.any(blank).as_py():
        return None
    if any((pc.max(pc.utf8_length(column)).as_py() or 0) > c.MAX_CELL_CHARS
           for column in table.columns):
        return None  # the record reader names the row
    return table


def _csv_text(path: Path, table: c.Table, log: ProblemLog
              ) -> tuple[str | None, str, str]:
    """A CSV file's text and delimiter, or None (and the reason logged); and its fingerprint."""
    name = table.filename
    try:
        raw = path.read_bytes()
    except OSError as exc:
        log.add(name, None, None, None, f"cannot be read: {exc.strerror or exc}", ERROR)
        return None, ",", ""
    fingerprint = hashlib.sha256(raw).hexdigest()[:12]
    if not raw.strip():
        log.add(name, None, None, None, "is empty: it needs at least a header row", ERROR)
        return None, ",", fingerprint
    if raw[:4] == b"PK\x03\x04":
        log.add(name, None, None, None,
                "is an Excel workbook or a zip, not a CSV file; in your spreadsheet use "
                "'Save as' > 'CSV UTF-8'", ERROR)
        return None, ",", fingerprint
    encoding = _other_encoding(raw[:4096])
    if encoding:
        log.add(name, None, None, None,
                f"is {encoding} text, not UTF-8; in your spreadsheet use 'Save as' > 'CSV UTF-8'",
                ERROR)
        return None, ",", fingerprint
    start = raw[:4096]
    if start.count(0) > len(start) // 20:  # a stray NUL in text is reported as a control character
        log.add(name, None, None, None, "is a binary file, not CSV text", ERROR)
        return None, ",", fingerprint
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        bad = raw[exc.start : exc.start + 1].hex()
        log.add(name, line, None, f"byte 0x{bad}",
                "is not UTF-8 text; save it as 'CSV UTF-8' from your spreadsheet", ERROR)
        return None, ",", fingerprint
    del raw
    delimiter = _sniff_delimiter(text, table)
    if delimiter != ",":
        label = {";": "semicolons", "\t": "tabs"}[delimiter]
        log.add(name, 1, None, None, f"separates columns with {label}, not commas; read it anyway")
    return text, delimiter, fingerprint


_BYTE_ORDER_MARKS = ((b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"),
                     (b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16"))


def _other_encoding(start: bytes) -> str | None:
    """The encoding a file's first bytes show it is in, when it is not UTF-8: a byte-order
    mark, or UTF-16 without one (a zero byte beside every other character)."""
    for mark, encoding in _BYTE_ORDER_MARKS:
        if start.startswith(mark):
            return encoding
    def mostly_zero(every: int, offsets) -> bool:
        usable = start[: len(start) // every * every]
        return len(usable) >= 4 * every and all(
            usable[o::every].count(0) > 0.8 * (len(usable) // every) for o in offsets)

    if mostly_zero(4, (1, 2, 3)) or mostly_zero(4, (0, 1, 2)):  # no mark: zeros beside text
        return "UTF-32"
    if mostly_zero(2, (1,)) or mostly_zero(2, (0,)):
        return "UTF-16"
    return None


def _too_wide(header: list[str], table: c.Table, log: ProblemLog) -> bool:
    if len(header) <= c.MAX_COLUMNS:
        return False
    log.add(table.filename, 1, None, None,
            f"has {len(header):,} columns, more than the {c.MAX_COLUMNS} a table may have; the "
            "file cannot be used", ERROR)
    return True


def _control_in(value: str) -> str:
    found = re.search(c.CONTROL_CHARACTERS, value)
    return f"U+{ord(found.group()):04X}" if found else "none"


def _cell_too_long(table: c.Table, row: int, log: ProblemLog) -> None:
    log.add(table.filename, row, None, None,
            f"has a cell longer than {c.MAX_CELL_CHARS:,} characters, the most one cell may "
            "hold; the file cannot be used", ERROR)


def _csv_records(text: str, delimiter: str, table: c.Table, log: ProblemLog):
    """The header (stripped), then each record padded or cut to the header's width, an
    'extra_values' column and its row number (record + 1, as a spreadsheet numbers it)."""
    name = table.filename
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip() for h in next(rows)]
    except csv.Error:
        header = []
        _cell_too_long(table, 1, log)
    yield header
    if not header or _too_wide(header, table, log):
        return
    width = len(header)
    row_number = 1
    while True:
        row_number += 1  # record + 1, as a spreadsheet numbers it
        try:
            record = next(rows)
        except StopIteration:
            return
        except csv.Error:  # the one error a reader of text raises: a cell past the limit
            _cell_too_long(table, row_number, log)
            return
        if not any(v.strip() for v in record):
            continue  # a blank line, as spreadsheets sometimes leave at the end
        if len(record) > width:
            extra = record[width:]
            if any(v.strip() for v in extra):
                log.add(name, row_number, None, ";".join(extra),
                        f"has {len(record)} values but the header has {width} columns; the extra "
                        "values are kept in column 'extra_values'", kind="extra values")
            record = record[:width] + [";".join(v for v in extra if v.strip())]
        else:
            record = record + [""] * (width - len(record)) + [""]
        yield record + [row_number]


def _records_frame(header: list[str], records: list[list]) -> pd.DataFrame:
    frame = pd.DataFrame(records, columns=header + ["extra_values", ROW])
    if not (frame["extra_values"] != "").any():
        frame = frame.drop(columns="extra_values")
    return frame


def parquet_name(table: c.Table) -> str:
    return table.filename.removesuffix(".csv") + ".parquet"


def read_parquet_text(path: Path, table: c.Table, log: ProblemLog
                      ) -> tuple[pd.DataFrame | None, str]:
    """A Parquet table as strings, like a CSV read, with the same ROW numbers (record + 1)."""
    try:
        raw = path.read_bytes()
        dictionaries = dictionary_columns(pq.read_schema(io.BytesIO(raw)), table)
        frame = pq.read_table(io.BytesIO(raw), read_dictionary=dictionaries).to_pandas()
    except Exception as exc:  # noqa: BLE001 - any unreadable file gets the same sentence
        log.add(path.name, None, None, None, f"cannot be read as Parquet ({exc})", ERROR)
        return None, ""
    return parquet_as_text(frame, table), hashlib.sha256(raw).hexdigest()[:12]


def parquet_as_text(frame: pd.DataFrame, table: c.Table, first_record: int = 0) -> pd.DataFrame:
    """Parquet columns as the loader's text (numbers of number columns kept), with ROW numbers
    as a CSV read would give them (record + 2, the header being row 1)."""
    numeric_columns = {col.name for col in table.columns if col.kind in (c.FLOAT, c.INT)}
    repeating = _repeating_columns(table)
    text = pd.DataFrame(index=frame.index)
    for column in frame.columns:
        values = frame[column]
        if _is_categorical(values) and _normalise_header(str(column)) in repeating:
            text[str(column)] = _categorical_text_column(values)  # checked per category
        elif _is_categorical(values):  # written as one by pandas: plain text, as before
            text[str(column)] = values.astype(object).where(values.notna(), "").astype(str)
        elif pd.api.types.is_string_dtype(values):
            text[str(column)] = values.fillna("")
        elif (pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
              and _normalise_header(str(column)) in numeric_columns):
            text[str(column)] = values  # kept as numbers; type_table checks them as such
        elif pd.api.types.is_float_dtype(values):
            text[str(column)] = _float_text(values)
        else:
            text[str(column)] = values.astype(object).where(values.notna(), "").astype(str)
    text[ROW] = np.arange(first_record + 2, first_record + len(text) + 2)
    return text.reset_index(drop=True)


def _categorical_text_column(values: pd.Series) -> pd.Series:
    """A categorical read from a Parquet dictionary as the loader's text: only the values the
    rows use (a batch shares its row group's dictionary), a missing value ""."""
    values = _only_used_categories(values)
    if not pd.api.types.is_string_dtype(values.cat.categories):
        values = values.cat.rename_categories(values.cat.categories.astype(str))
    if values.isna().any():
        if "" not in values.cat.categories:
            values = values.cat.add_categories([""])
        values = values.fillna("")
    return values


def _only_used_categories(values: pd.Series) -> pd.Series:
    """remove_unused_categories by counting codes rather than sorting them."""
    codes = values.cat.codes.to_numpy()
    categories = values.cat.categories
    used = np.bincount(codes[codes >= 0], minlength=len(categories)) > 0
    if used.all():
        return values
    renumbered = np.cumsum(used) - 1
    kept = np.where(codes >= 0, renumbered[np.maximum(codes, 0)], -1)
    return pd.Series(pd.Categorical.from_codes(kept, categories=categories[used],
                                               validate=False), index=values.index)


# Events columns whose values repeat (terms, references, dates, numbers written as text): read
# from Parquet as dictionaries, each distinct value is cleaned and checked once and no text is
# copied per row. Ids and free text (descriptions, notes) are read as they are.
_REPEATING_KINDS = (c.VOCAB, c.REF, c.REF_LIST, c.DATE, c.INT, c.FLOAT, c.TEXT_LIST)


def _repeating_columns(table: c.Table) -> set[str]:
    """The columns of `table` read and checked as categoricals (events only)."""
    if table.name != "events":
        return set()
    return {col.name for col in table.columns if col.kind in _REPEATING_KINDS} | set(
        EVENT_CATEGORY_COLUMNS)


def dictionary_columns(schema: pa.Schema, table: c.Table) -> list[str]:
    """The file's text columns to read as dictionaries (by their names in the file)."""
    repeating = _repeating_columns(table)
    return [field.name for field in schema
            if (pa.types.is_string(field.type) or pa.types.is_large_string(field.type))
            and _normalise_header(field.name) in repeating]


def _float_text(values: pd.Series) -> pd.Series:
    """A float column of a text or term column as text: whole numbers without ".0" (a Parquet
    writer stores whole numbers with a gap as floats, so credibility 2 arrives as 2.0)."""
    present = values.notna()
    whole = present & (values == values.round())
    text = values.astype(object).where(present, "").astype(str)
    text[whole] = values[whole].astype("int64").astype(str)
    return text


def _sniff_delimiter(text: str, table: c.Table) -> str:
    first_line = text.split("\n", 1)[0]
    known = set(table.column_names)
    best, best_hits = ",", -1
    for delimiter in (",", ";", "\t"):
        cells = {_normalise_header(h) for h in first_line.split(delimiter)}
        hits = len(cells & known)
        if hits > best_hits:
            best, best_hits = delimiter, hits
    return best


def _normalise_header(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().strip('"').strip().lower())


def check_header(frame: pd.DataFrame, table: c.Table, log: ProblemLog) -> pd.DataFrame | None:
    """Match header names to the contract (forgiving case and spaces); None if unusable."""
    name = table.filename
    renamed, seen = {}, {}
    for column in frame.columns:
        if column == ROW:
            continue
        key = _normalise_header(column)
        target = key if key in table.column_names else column
        if target in seen:
            log.add(name, 1, column, column,
                    f"the header names column '{target}' twice", ERROR)
            return None
        seen[target] = column
        renamed[column] = target
    frame = frame.rename(columns=renamed)
    missing = [col for col in table.required_columns if col not in frame.columns]
    if len(missing) == len(table.required_columns):
        log.add(name, 1, None, ",".join(list(seen)[:6]),
                "does not look like this table: none of the required columns is in the header "
                f"(expected {', '.join(table.required_columns)})", ERROR)
        return None
    for col in missing:
        hint = did_you_mean(col, [k for k in seen if k not in table.column_names])
        log.add(name, 1, col, None, f"required column '{col}' is missing from the header{hint}",
                ERROR)
    if missing:
        return None
    repeating = _repeating_columns(table)
    for col in table.column_names:
        if col not in frame.columns:  # as empty cells; a categorical where it would be read as one
            frame[col] = (pd.Categorical.from_codes(np.zeros(len(frame), dtype=np.int8), [""])
                          if col in repeating else "")
    extras = [col for col in frame.columns if col not in table.column_names and col != ROW]
    return frame[table.column_names + extras + [ROW]]


# --------------------------------------------------------------------------------------------
# Values


_DATE_FORMS = (
    ("day", re.compile(r"^\d{4}-\d{2}-\d{2}$"), "%Y-%m-%d"),
    ("month", re.compile(r"^\d{4}-\d{2}$"), "%Y-%m"),
    ("year", re.compile(r"^\d{4}$"), "%Y"),
)


def distinct_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each row's position among the distinct values, and those values (a missing value among
    them as NaN): a categorical's own codes and categories, or else a factorisation."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return frames_ops.category_codes(values)
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    return codes, np.asarray(uniques, dtype=object)


def per_distinct(values: pd.Series, derive, text_as_categories: bool = False
                 ) -> pd.Series | pd.DataFrame:
    """`derive` applied to the distinct values only, spread back over the rows.

    A million events hold a few thousand dates, places and actors: parsing, checking and
    looking up those once is what keeps loading fast. With `text_as_categories`, derived
    columns of text are spread as categoricals (no text copied per row)."""
    codes, uniques = distinct_codes(values)
    derived = derive(pd.Series(uniques, dtype=object))
    if text_as_categories and isinstance(derived, pd.DataFrame):
        return pd.DataFrame({column: _spread(codes, derived[column], values.index)
                             for column in derived.columns}, index=values.index)
    spread = derived.infer_objects().take(codes)  # text as str columns: taking those is cheap
    spread.index = values.index
    return spread


def _spread(codes: np.ndarray, derived: pd.Series, index: pd.Index) -> pd.Series:
    """One derived value per distinct value, spread over the rows: text as a categorical."""
    if derived.dtype == object or pd.api.types.is_string_dtype(derived):
        derived_codes, categories = pd.factorize(derived.astype(object))
        spread = pd.Categorical.from_codes(derived_codes[codes] if len(codes) else codes,
                                           categories=categories.astype(object), validate=False)
        return pd.Series(spread, index=index)
    return pd.Series(derived.to_numpy()[codes], index=index)


def _common_codes(left: pd.Series, right: pd.Series) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    """Both columns' codes over one set of categories (their union), and those categories."""
    left, right = left.astype("category"), right.astype("category")
    categories = left.cat.categories.astype(object).union(right.cat.categories.astype(object))
    return (left.cat.set_categories(categories).cat.codes.to_numpy(),
            right.cat.set_categories(categories).cat.codes.to_numpy(), categories)


def where_categorical(condition: pd.Series, chosen: pd.Series, otherwise: pd.Series
                      ) -> pd.Series:
    """`chosen` where `condition` holds, else `otherwise`: two categoricals combined on their
    codes (Series.where would copy their text per row)."""
    chosen_codes, otherwise_codes, categories = _common_codes(chosen, otherwise)
    codes = np.where(condition.to_numpy(dtype=bool), chosen_codes, otherwise_codes)
    return pd.Series(pd.Categorical.from_codes(codes, categories=categories, validate=False),
                     index=chosen.index)


def differs(left: pd.Series, right: pd.Series) -> pd.Series:
    """Row by row, whether two text columns differ (categoricals compared on their codes)."""
    if _is_categorical(left) or _is_categorical(right):
        left_codes, right_codes, _ = _common_codes(left, right)
        return pd.Series(left_codes != right_codes, index=left.index)
    return left != right


def per_distinct_text(values: pd.Series, derive) -> pd.Series:
    """Like per_distinct for a `derive` that gives text, kept as a categorical: no text is
    copied per row (a Parquet column read as a dictionary stays one)."""
    codes, uniques = distinct_codes(values)
    return _spread(codes, derive(pd.Series(uniques, dtype=object)).astype(object), values.index)


def _is_categorical(values: pd.Series) -> bool:
    return isinstance(values.dtype, pd.CategoricalDtype)


def repeated(values: pd.Series) -> pd.Series:
    """Whether each value occurs more than once. An id column's values nearly always all
    differ, and finding that out from Arrow's distinct values takes a third of the time of
    marking each row (a quarter of a million ids: 33 ms against 90)."""
    if isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow":
        if len(pc.unique(pa.array(values.array))) == len(values):
            return pd.Series(False, index=values.index)
    return values.duplicated(keep=False)


def clean_text(values: pd.Series) -> pd.Series:
    """Cells as stripped text, a missing one "" (per distinct value for a categorical)."""
    if _is_categorical(values):
        return per_distinct_text(values, lambda distinct: distinct.fillna("").astype(str)
                                 .str.strip())
    return values.fillna("").astype(str).str.strip()


_CONTROL_BYTES = np.zeros(256, dtype=bool)
_CONTROL_BYTES[[*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)]] = True  # CONTROL_CHARACTERS


def holds_control_character(values: pd.Series) -> pd.Series:
    """holds_pattern(values, CONTROL_CHARACTERS), with a look at the raw bytes first: in UTF-8
    these bytes stand for nothing else, so text without any (nearly all) needs no pattern."""
    column = None
    if _is_categorical(values):  # the distinct values are enough
        with contextlib.suppress(pa.ArrowException):
            column = pa.array(values.cat.categories.to_numpy(dtype=object), type=pa.string())
    elif isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow":
        column = pa.array(values.array)
    if column is not None:
        chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
        if not any(_CONTROL_BYTES[np.frombuffer(chunk.buffers()[2], dtype=np.uint8)].any()
                   for chunk in chunks if chunk.buffers()[2] is not None):
            return pd.Series(False, index=values.index)
    return holds_pattern(values, c.CONTROL_CHARACTERS)


def holds_pattern(values: pd.Series, pattern: str) -> pd.Series:
    """Whether each text cell matches the regular expression somewhere."""
    if _is_categorical(values):
        return per_distinct(values, lambda distinct: distinct.str.contains(
            pattern, regex=True, na=False)).astype(bool)
    return values.str.contains(pattern, regex=True, na=False)


def parse_partial_dates(values: pd.Series) -> pd.DataFrame:
    """ISO dates at day, month or year precision -> start, end (last day covered), precision.

    Empty values give NaT and an empty precision; malformed values give NaT and precision 'bad'.
    """
    return per_distinct(values, lambda distinct: _parse_distinct_dates(
        distinct.fillna("").astype(str)), text_as_categories=True)


def _parse_distinct_dates(values: pd.Series) -> pd.DataFrame:
    text = values.str.strip()
    start = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    end = start.copy()
    precision = pd.Series("", index=text.index, dtype=object)
    precision[text != ""] = "bad"
    for label, pattern, fmt in _DATE_FORMS:
        mask = text.str.match(pattern)
        if not mask.any():
            continue
        parsed = pd.to_datetime(text[mask], format=fmt, errors="coerce")
        ok = parsed.notna()
        idx = parsed.index[ok]
        start[idx] = parsed[ok].astype("datetime64[ns]")
        precision[idx] = label
        if label == "day":
            end[idx] = start[idx]
        elif label == "month":
            end[idx] = start[idx] + pd.offsets.MonthEnd(0)
        else:
            end[idx] = start[idx] + pd.offsets.YearEnd(0)
    return pd.DataFrame({"start": start, "end": end, "precision": precision})


def date_hint(value: str) -> str:
    value = str(value).strip()
    if re.match(r"^\d{1,2}[/.]\d{1,2}[/.]\d{4}$", value):
        return "; write it as YYYY-MM-DD (for example 2007-01-20)"
    if re.match(r"^\d{4}[/.]\d{1,2}([/.]\d{1,2})?$", value):
        return "; use hyphens: YYYY-MM-DD, YYYY-MM or YYYY"
    return "; write YYYY-MM-DD, or YYYY-MM / YYYY when only the month or year is known"


def normalise_key(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form of a name, for matching names to ids."""
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("’", "'").replace("‘", "'").replace("–", "-").replace("—", "-")
    text = re.sub(r"[^\w]+", " ", text.casefold())
    return " ".join(text.split())


def normalise_keys_vectorised(values: pd.Series) -> pd.Series:
    """normalise_key for a whole column of free text in one vectorised pass (lower case,
    punctuation to spaces); accents are not folded. For columns where nearly every row differs,
    such as descriptions at a million events."""
    return values.astype("str").str.lower().str.replace(r"[^\w]+", " ", regex=True)


def split_list(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in str(value).split(c.LIST_SEPARATOR) if part.strip())


class NameIndex:
    """Resolves an id, a name or an alias of a table's rows to the row's id.

    The normalised names are indexed on first need only: large files hold ids, and building
    the index for twenty thousand places would cost more than the lookups it serves."""

    def __init__(self, frame: pd.DataFrame, id_column: str, name_column: str | None = None):
        self.ids = set(frame[id_column]) if len(frame) else set()
        self._frame, self._id_column, self._name_column = frame, id_column, name_column

    @functools.cached_property
    def by_key(self) -> dict[str, set[str]]:
        by_key: dict[str, set[str]] = {}
        frame, id_column = self._frame, self._id_column
        if not len(frame):
            return by_key

        def add(value, ident) -> None:
            key = normalise_key(value)
            if key:
                by_key.setdefault(key, set()).add(ident)

        for key_source in [id_column] + ([self._name_column] if self._name_column else []):
            for ident, value in zip(frame[id_column], frame[key_source]):
                add(value, ident)
        if "aliases" in frame.columns:
            for ident, aliases in zip(frame[id_column], frame["aliases"]):
                for alias in aliases:
                    add(alias, ident)
        return by_key

    def resolve(self, value: str, hint: bool = True) -> tuple[str | None, str]:
        """(id, "") when found; (None, reason) when not, with a "did you mean" unless `hint`
        is False (it compares the value with every name: too slow for thousands)."""
        if value in self.ids:
            return value, ""
        matches = self.by_key.get(normalise_key(value), set())
        if len(matches) == 1:
            return next(iter(matches)), ""
        if len(matches) > 1:
            return None, "matches more than one row (" + ", ".join(sorted(matches)) + "); use the id"
        close = difflib.get_close_matches(normalise_key(value), list(self.by_key), n=1,
                                          cutoff=0.75) if hint else []
        suggestion = ""
        if close:
            suggestion = f"; did you mean '{sorted(self.by_key[close[0]])[0]}'?"
        return None, "is not an id, name or alias in {table}" + suggestion


# --------------------------------------------------------------------------------------------
# Typing and checking a table


def type_table(frame: pd.DataFrame, table: c.Table, log: ProblemLog) -> pd.DataFrame | None:
    """Check values column by column; returns the typed frame, or None if it cannot be used."""
    name = table.filename
    # columns are replaced one by one in this frame, so each raw column is released as soon as
    # its typed one exists (callers hand over the frame; see _load_table)
    for column in table.columns:
        col = column.name
        if column.kind in (c.FLOAT, c.INT) and pd.api.types.is_numeric_dtype(frame[col]):
            if column.nonempty:
                log.add_rows(name, frame, frame[col].isna(), col,
                             f"'{col}' is empty but every row needs one", WARNING)
            frame[col] = _check_number(frame, column, name, log, integer=column.kind == c.INT)
            continue
        text = clean_text(frame[col])
        frame[col] = text
        empty = text == ""
        if column.kind in (c.ID, c.TEXT, c.TEXT_LIST):
            log.add_rows(name, frame, holds_control_character(text), col,
                         lambda v: f"holds a control character ({_control_in(v)}) that no "
                         "spreadsheet can show; exports leave it out", kind="control character")
        if column.nonempty:
            severity = ERROR if column.kind == c.ID else WARNING
            log.add_rows(name, frame, empty, col,
                         f"'{col}' is empty but every row needs one", severity)
        if column.kind == c.ID:
            dupes = repeated(text) & ~empty
            log.add_rows(name, frame, dupes, col,
                         f"the id is used by more than one row; '{col}' must be unique", ERROR)
        elif column.kind == c.VOCAB:
            frame[col] = _check_vocab(frame, col, column.vocab, name, log)
        elif column.kind == c.FLOAT:
            frame[col] = _check_number(frame, column, name, log, integer=False)
        elif column.kind == c.INT:
            frame[col] = _check_number(frame, column, name, log, integer=True)
        elif column.kind in (c.REF_LIST, c.TEXT_LIST):
            frame[col] = per_distinct(text, lambda distinct: distinct.map(split_list))
        elif column.kind == c.DATE:
            dates = parse_partial_dates(text)
            bad = dates["precision"] == "bad"
            log.add_rows(name, frame, bad, col,
                         lambda v: f"'{v}' is not a date{date_hint(v)}", kind="bad date")
    if any(p.severity == ERROR and p.file == name for p in log.problems):
        return None
    return frame


def _check_vocab(frame, col, vocab_key, filename, log) -> pd.Series:
    terms = c.VOCABULARIES[vocab_key]
    lookup = {normalise_key(term): term for term in terms}
    known = set(terms)

    def canonical_and_unknown(distinct: pd.Series) -> pd.DataFrame:
        canonical = distinct.map(lambda v: lookup.get(normalise_key(v), v) if v else v)
        return pd.DataFrame({"term": canonical,
                             "unknown": canonical.map(lambda v: v != "" and v not in known)})

    categorical = _is_categorical(frame[col])
    checked = per_distinct(frame[col], canonical_and_unknown, text_as_categories=categorical)
    unknown = checked["unknown"].astype(bool)
    canonical = checked["term"] if categorical else checked["term"].astype(frame[col].dtype)
    log.add_rows(
        filename, frame, unknown, col,
        lambda v: f"'{v}' is not a {vocab_key.replace('_', ' ')} term{did_you_mean(v, terms)} "
        f"(terms: {', '.join(terms)}); the row is kept as written",
        kind="vocab",
    )
    return canonical


def _check_number(frame, column: c.Column, filename, log, integer: bool) -> pd.Series:
    col = column.name
    if pd.api.types.is_numeric_dtype(frame[col]):  # a typed Parquet column
        number = frame[col].astype(float)
    else:
        def as_number(distinct: pd.Series) -> pd.Series:
            text = distinct.str.replace(",", "", regex=False) if integer else distinct
            return pd.to_numeric(text, errors="coerce")

        number = per_distinct(frame[col], as_number)
        number = number.astype(float)
        not_number = number.isna() & (frame[col] != "")
        log.add_rows(filename, frame, not_number, col,
                     lambda v: f"'{v}' is not a number; the cell is ignored", kind="not a number")
    if integer:
        bad = number.notna() & ((number < 0) | (number % 1 != 0))
        log.add_rows(filename, frame, bad, col,
                     "must be a whole number, 0 or more; the cell is ignored", kind="bad int")
        number[bad] = np.nan
        return number.astype("Int64")
    if column.low is not None:
        out = number.notna() & ((number < column.low) | (number > column.high))
        log.add_rows(filename, frame, out, col,
                     f"is outside {column.low:g} to {column.high:g}; the cell is ignored",
                     kind="out of range")
        number[out] = np.nan
    return number.astype(float)


# --------------------------------------------------------------------------------------------
# Table-specific derivations and cross-table references


def resolve_refs(frame, col, index: NameIndex, target_table: str, filename, log, as_list=False):
    """Replace names and aliases by ids; unresolved values are kept as written and reported.

    Values that already are ids (nearly all, in large files) are left alone without a loop;
    the others are resolved once per distinct value and spread back over the rows (a file
    whose references are mostly unknown, such as an events file uploaded without its actors,
    took minutes when each row was resolved and written back on its own)."""
    if index is None:
        return frame[col]
    values = frame[col]
    ids = index.ids
    if as_list:
        unknown = per_distinct(values, lambda distinct: distinct.map(
            lambda refs: any(ref not in ids for ref in refs))).astype(bool)
    else:
        unknown = per_distinct(values, lambda distinct: distinct.map(
            lambda v: v != "" and v not in ids)).astype(bool)
    if not unknown.any():
        return values
    outcome: dict[str, tuple[str, str]] = {}  # value -> (id or the value itself, reason)

    hinted = [0]

    def resolved(value: str) -> str:
        if value not in outcome:
            # the log shows the first few problems of a kind: only those need a suggestion
            ident, reason = index.resolve(value, hint=hinted[0] < MAX_PROBLEMS_PER_KIND)
            hinted[0] += bool(reason)
            outcome[value] = (ident if ident is not None else value, reason)
        return outcome[value][0]

    if as_list:
        out = per_distinct(values, lambda distinct: distinct.map(
            lambda refs: tuple(resolved(r) for r in refs) if isinstance(refs, tuple) else refs))
    else:
        spread = per_distinct_text if _is_categorical(values) else per_distinct
        out = spread(values, lambda distinct: distinct.map(
            lambda v: resolved(v) if v != "" and v not in ids else v))
    _log_unresolved(frame, col, values, unknown, outcome, target_table, filename, log, as_list)
    return out


def _log_unresolved(frame, col, values, unknown, outcome, target_table, filename, log,
                    as_list) -> None:
    """One problem per unresolved reference, in row order (the log keeps the first few of a
    kind and counts the rest)."""
    rows = frame[ROW].to_numpy()
    cells = values.to_numpy(dtype=object)
    for position in np.flatnonzero(unknown.to_numpy()):
        for value in (cells[position] if as_list else (cells[position],)):
            reason = outcome.get(value, ("", ""))[1]
            if reason:
                log.add(filename, int(rows[position]), col, value,
                        f"'{value}' " + reason.format(table=f"{target_table}.csv"),
                        kind="unresolved reference")


def _resolve_table_refs(frame, table: c.Table, indexes: dict, log) -> pd.DataFrame:
    for column in table.columns:
        if column.kind in (c.REF, c.REF_LIST):
            frame[column.name] = resolve_refs(
                frame, column.name, indexes.get(column.ref), column.ref, table.filename, log,
                as_list=column.kind == c.REF_LIST,
            )
    return frame


def _span_columns(frame, start_col, end_col, filename, log):
    """Start, end (last day covered) and precision of records dated by start_col [to end_col]."""
    first = parse_partial_dates(frame[start_col])
    second = parse_partial_dates(frame[end_col])
    start, end = first["start"], first["end"]
    has_end = second["end"].notna()
    backwards = has_end & start.notna() & (second["end"] < start)
    log.add_rows(filename, frame, backwards, end_col,
                 f"ends before '{start_col}'; the end is ignored", kind="backwards")
    end = end.where(~has_end | backwards, second["end"])
    return start, end, first["precision"]


def derive_events(frame, locations: pd.DataFrame, filename, log) -> pd.DataFrame:
    start, end, form_precision = _span_columns(frame, "event_date", "date_end", filename, log)
    frame["span_start"], frame["span_end"] = start, end
    given = frame["time_precision"]
    valid_form = form_precision.isin(["day", "month", "year"])
    clash = valid_form & (given != "") & differs(given, form_precision) & given.isin(
        ["day", "month", "year"])
    log.add_rows(filename, frame, clash, "time_precision",
                 lambda v: f"'{v}' does not match the form of event_date; the date's own form "
                 "is used", kind="precision clash")
    frame["time_precision"] = where_categorical(valid_form, form_precision, given)

    place = _place_columns(locations, frame["location"])
    frame["place_name"], frame["admin1"], frame["place_country"] = (
        place["name"], place["admin1"], place["country"])
    place_lat, place_lon = place["latitude"], place["longitude"]
    needs_geo = (frame["geo_precision"] == "") & (place["kind"] != "")
    if needs_geo.any():
        frame["geo_precision"] = where_categorical(needs_geo, place["geo_precision"],
                                                   frame["geo_precision"])
    origin = _place_columns(locations, frame["origin_location"])
    origin_lat, origin_lon = origin["latitude"], origin["longitude"]

    half = frame["latitude"].notna() ^ frame["longitude"].notna()
    log.add_rows(filename, frame, half, "latitude",
                 "only one of latitude and longitude is given; the place's coordinates are used",
                 kind="half coordinate")
    override = frame["latitude"].notna() & frame["longitude"].notna()
    frame["lat"] = frame["latitude"].where(override, place_lat)
    frame["lon"] = frame["longitude"].where(override, place_lon)
    frame["origin_lat"], frame["origin_lon"] = origin_lat, origin_lon
    return compact_columns(frame, EVENT_CATEGORY_COLUMNS)


# Event columns with few distinct values (dates, terms, ids of actors and places): held as
# categoricals, a million events take a tenth of the memory and filter and slice much faster.
EVENT_CATEGORY_COLUMNS = (
    "event_date", "time_precision", "date_end", "event_type", "actor1", "actor2", "location",
    "origin_location", "geo_precision", "claim_status", "source_locator", "place_name", "admin1",
    "place_country",
)


def compact_columns(frame: pd.DataFrame, columns) -> pd.DataFrame:
    for column in columns:
        if column in frame.columns:
            frame[column] = frame[column].astype("category")
    return frame


def _place_columns(locations: pd.DataFrame, ids: pd.Series) -> pd.DataFrame:
    """The place fields for each id (empty text and NaN coordinates where it is unknown),
    looked up once per distinct id, which matters at a million rows."""
    def fields(distinct: pd.Series) -> pd.DataFrame:
        position = (pd.Index(locations["location_id"]).get_indexer(distinct)
                    if len(locations) else np.full(len(distinct), -1))
        found = position >= 0
        out = pd.DataFrame(index=distinct.index)
        for column in ("name", "admin1", "country", "kind"):
            values = np.full(len(distinct), "", dtype=object)
            if len(locations):
                values[found] = locations[column].to_numpy(dtype=object)[position[found]]
            out[column] = values
        out["geo_precision"] = out["kind"].map(GEO_PRECISION_BY_KIND).fillna("")
        for column in ("latitude", "longitude"):
            values = np.full(len(distinct), np.nan)
            if len(locations):
                values[found] = locations[column].to_numpy(dtype=float)[position[found]]
            out[column] = values
        return out

    return per_distinct(ids, fields, text_as_categories=True)


GEO_PRECISION_BY_KIND = {
    "city": "exact",
    "facility": "exact",
    "province": "region",
    "region": "region",
    "border area": "region",
    "country": "country",
}


def _period(frame, start_col: str, end_col: str, filename, log) -> tuple[pd.Series, pd.Series]:
    """First day of start_col and last day of end_col; an end before the start is reported
    and ignored."""
    start = parse_partial_dates(frame[start_col])["start"]
    end = parse_partial_dates(frame[end_col])["end"]
    backwards = start.notna() & end.notna() & (end < start)
    log.add_rows(filename, frame, backwards, end_col,
                 f"is before {start_col}; the end is ignored", kind="backwards")
    return start, end.where(~backwards)


def derive_relations(frame, filename, log) -> pd.DataFrame:
    frame["period_start"], frame["period_end"] = _period(frame, "start_date", "end_date",
                                                         filename, log)
    missing_id = frame["relation_id"] == ""
    if missing_id.any():
        derived = frame["source"] + "|" + frame["relation"] + "|" + frame["target"]
        counter = derived.groupby(derived).cumcount()
        derived = derived.where(counter == 0, derived + "#" + (counter + 1).astype(str))
        frame.loc[missing_id, "relation_id"] = derived[missing_id]
    return frame


def derive_actors(frame, filename, log) -> pd.DataFrame:
    frame["active_start"], frame["active_end"] = _period(frame, "active_from", "active_to",
                                                         filename, log)
    return frame


def check_within(frame, filename, log) -> pd.DataFrame:
    """A place's `within` names another place of the file (a place filter then keeps what lies
    within it); a value that does not, or that makes a loop, is reported and left empty."""
    ids = set(frame["location_id"].tolist())
    parent = dict(zip(frame["location_id"].tolist(), frame["within"].tolist()))
    kept = []
    for place, within, row in zip(frame["location_id"], frame["within"], frame[ROW]):
        if within and within not in ids:
            log.add(filename, int(row), "within", within,
                    f"'{within}' is not a location_id in this file, so '{place}' is not "
                    "counted as lying within it", kind="unknown place within")
            within = ""
        step, seen = within, {place}
        while step and step not in seen:
            seen.add(step)
            step = parent.get(step, "")
        if within and step:
            log.add(filename, int(row), "within", within,
                    f"'{place}' would lie within itself through 'within', so it is not "
                    "counted as lying within another place", kind="place within itself")
            within = ""
        kept.append(within)
    frame["within"] = kept
    return frame


def derive_periods(frame, filename, log) -> pd.DataFrame:
    frame["period_start"], frame["period_end"] = _period(frame, "start_date", "end_date",
                                                         filename, log)
    return frame


def derive_claims(frame, frames: dict, indexes: dict, filename, log) -> pd.DataFrame:
    """Resolve the claimant (an actor, else a source) and check the subject id by its type."""
    actors, sources = indexes.get("actors"), indexes.get("sources")
    kinds, resolved = [], []
    for value, row in zip(frame["claimant"], frame[ROW]):
        ident = actors.resolve(value)[0] if actors else None
        if ident is not None:
            kinds.append("actor"), resolved.append(ident)
            continue
        ident = sources.resolve(value)[0] if sources else None
        if ident is not None:
            kinds.append("source"), resolved.append(ident)
            continue
        if actors or sources:
            log.add(filename, int(row), "claimant", value,
                    f"'{value}' is neither an actor in actors.csv nor a source in sources.csv",
                    kind="unresolved claimant")
        kinds.append(""), resolved.append(value)
    frame["claimant"] = resolved
    frame["claimant_kind"] = kinds
    about_events = frame.loc[frame["subject_type"] == "event", "subject_id"]
    ids = {"event": event_ids(indexes, frames).known(about_events.tolist()),
           "relation": set(frames["relations"]["relation_id"])}
    for subject_type, subject_id, row in zip(frame["subject_type"], frame["subject_id"], frame[ROW]):
        if subject_type in ids and subject_id and subject_id not in ids[subject_type]:
            log.add(filename, int(row), "subject_id", subject_id,
                    f"'{subject_id}' is not an id in {subject_type}s.csv",
                    kind="unresolved subject")
        elif subject_type == "statement" and subject_id:
            log.add(filename, int(row), "subject_id", subject_id,
                    "a statement has no subject_id; the id is ignored", kind="statement id")
    frame["claim_start"] = parse_partial_dates(frame["claim_date"])["start"]
    return frame


def _check_about(frame, filename, log) -> None:
    known = set(c.VOCABULARIES["about"])
    unknown = ~frame["field"].isin(known)
    log.add_rows(filename, frame, unknown, "field",
                 lambda v: f"'{v}' is not a field of about.csv{did_you_mean(v, known)} "
                 f"(fields: {', '.join(sorted(known))}); the row is ignored", kind="bad about")


def derive_briefing(frame, frames: dict, indexes: dict, filename, log) -> pd.DataFrame:
    """Check the views and the evidence ids; order steps by their number."""
    views = set(c.VOCABULARIES["view"])
    for value, row in zip(frame["views"], frame[ROW]):
        for view in value:
            if view not in views:
                log.add(filename, int(row), "views", view,
                        f"'{view}' is not a view{did_you_mean(view, views)} (views: "
                        f"{', '.join(views)})", kind="bad view")
    cited = [ident for value in frame["evidence"] for ident in value]
    known = (event_ids(indexes, frames).known(cited) | set(frames["relations"]["relation_id"])
             | set(frames["claims"]["claim_id"]))
    for value, row in zip(frame["evidence"], frame[ROW]):
        for ident in value:
            if ident not in known:
                log.add(filename, int(row), "evidence", ident,
                        f"'{ident}' is not an event, relation or claim id", kind="bad evidence")
    order = pd.to_numeric(frame["step"], errors="coerce")
    log.add_rows(filename, frame, order.isna(), "step",
                 "should be a number, so the steps can be put in order", kind="step number")
    frame["step_order"] = order
    return frame.sort_values(["step_order", ROW], na_position="last")


DERIVED_COLUMNS = {
    "events": {"span_start": "datetime64[ns]", "span_end": "datetime64[ns]", "place_name": object,
               "admin1": object, "place_country": object, "lat": float, "lon": float,
               "origin_lat": float, "origin_lon": float, "grade": object},
    "relations": {"period_start": "datetime64[ns]", "period_end": "datetime64[ns]",
                  "grade": object},
    "actors": {"active_start": "datetime64[ns]", "active_end": "datetime64[ns]"},
    "periods": {"period_start": "datetime64[ns]", "period_end": "datetime64[ns]"},
    "claims": {"claimant_kind": object, "claim_start": "datetime64[ns]"},
    "briefing": {"step_order": float},
}


SHOWN_DERIVED = {"grade"}  # worked out by the loader, shown and exported like a column


def helper_columns(table: str) -> list[str]:
    """The derived columns tables and exports leave out (the grade is kept)."""
    return [col for col in DERIVED_COLUMNS.get(table, {}) if col not in SHOWN_DERIVED]


def empty_table(table: c.Table) -> pd.DataFrame:
    """A zero-row frame with the typed columns of a table, served when its file is unusable."""
    frame = pd.DataFrame({col: pd.Series(dtype=object) for col in table.column_names})
    for column in table.columns:
        if column.kind == c.FLOAT:
            frame[column.name] = frame[column.name].astype(float)
        elif column.kind == c.INT:
            frame[column.name] = frame[column.name].astype("Int64")
    for col, dtype in DERIVED_COLUMNS.get(table.name, {}).items():
        frame[col] = pd.Series(dtype=dtype)
    frame[ROW] = pd.Series(dtype="int64")
    return compact_columns(frame, EVENT_CATEGORY_COLUMNS) if table.name == "events" else frame


# --------------------------------------------------------------------------------------------
# The folder


def load_dataset(folder: str | os.PathLike | None = None,
                 last_good: str | os.PathLike | None = None, events_loader=None) -> LoadResult:
    """Read every contract file of a folder. Never raises on bad data; see LoadResult.problems.

    `last_good`: a folder holding the last version of each file that loaded without errors. A
    file that cannot be used is replaced by its last good version there (and said so), and a
    file that loads cleanly is copied there, so good data is never lost to a bad swap.

    `events_loader(folder, table, frames, indexes, log) -> (frame, report)`: loads the events in
    place of the loader (components.eventstore keeps millions of them in DuckDB).
    """
    from components import datastore

    folder = Path(folder) if folder is not None else data_folder()
    datastore.finish_interrupted_save(folder)
    last_good = Path(last_good) if last_good is not None else None
    log = ProblemLog()
    frames: dict[str, pd.DataFrame] = {}
    reports: list[FileReport] = []
    indexes: dict[str, NameIndex | None] = {}

    if not folder.is_dir():
        log.add(str(folder), None, None, None, "the data folder does not exist", ERROR)

    for table in c.TABLES:
        if table.name == "events" and events_loader is not None:
            frames[table.name], report = events_loader(folder, table, frames, indexes, log)
            reports.append(report)
            # the events frame is empty: ids are asked of the store
            indexes["events"] = EventIds(frames[table.name], getattr(events_loader, "store", None))
            continue
        frame, report = _load_table(folder, table, frames, indexes, log)
        if last_good is not None:
            frame, report = _with_last_good(folder, last_good, table, frame, report, frames,
                                            indexes, log)
        frames[table.name] = frame
        reports.append(report)
        if table.name in ("actors", "locations", "sources"):
            usable = report.status not in ("unusable", "missing")
            name_col = None if table.name == "sources" else "name"
            indexes[table.name] = NameIndex(frame, table.id_column, name_col) if usable else None

    dataset = Dataset(folder=str(folder), boundaries=_load_boundaries(folder, log), **frames)
    return LoadResult(dataset, log.summarise(), reports)


class EventIds:
    """Which ids are events': asked of the events frame, or of the event store when the events
    are kept in one (their frame is then empty, and holding every id would cost what the store
    saves)."""

    def __init__(self, events: pd.DataFrame, store=None) -> None:
        self.events, self.store = events, store

    def known(self, ids) -> set[str]:
        wanted = {i for i in ids if isinstance(i, str) and i}
        if not wanted:
            return set()
        if self.store is not None:
            return self.store.existing_ids(wanted)
        return wanted & set(self.events["event_id"].tolist())


def event_ids(indexes: dict, frames: dict) -> EventIds:
    return indexes.get("events") or EventIds(frames["events"])


def load_briefing_file(folder: str | os.PathLike, filename: str, dataset: Dataset
                       ) -> tuple[pd.DataFrame, list[Problem]]:
    """A named briefing (briefing-<name>.csv beside briefing.csv), checked like briefing.csv
    against the loaded dataset's actors, places, events, relations and claims."""
    table = dataclasses.replace(c.BRIEFING, filename=filename)
    frames = {name: getattr(dataset, name) for name in
              ("sources", "locations", "actors", "events", "relations", "periods", "claims")}
    indexes = {"actors": NameIndex(dataset.actors, "actor_id", "name"),
               "locations": NameIndex(dataset.locations, "location_id", "name"),
               "sources": NameIndex(dataset.sources, "source_id", None),
               "events": EventIds(dataset.events, dataset.event_store)}
    log = ProblemLog()
    frame, _ = _load_table(Path(folder), table, frames, indexes, log)
    return frame, log.summarise()


def table_path(folder: Path, table: c.Table) -> Path | None:
    """The file a table is read from: its CSV or its Parquet file, the newer when both exist."""
    candidates = [p for p in (folder / table.filename, folder / parquet_name(table)) if p.exists()]
    if not candidates:
        return None
    return max(candidates, key=lambda p: p.stat().st_mtime_ns)


def _load_table(folder: Path, table: c.Table, frames, indexes, log: ProblemLog):
    path = table_path(folder, table)
    if path is None:
        if table.optional_file:
            return empty_table(table), FileReport(table.name, table.filename,
                                                  "absent (optional)", 0, "", None)
        log.add(table.filename, None, None, None,
                f"file not found in the data folder (nor {parquet_name(table)})", ERROR)
        return empty_table(table), FileReport(table.name, table.filename, "missing", 0, "", None)

    modified = pd.Timestamp(path.stat().st_mtime, unit="s")
    before = len(log.problems)
    if path.suffix == ".parquet":
        table = dataclasses.replace(table, filename=path.name)  # problems name the file read
        raw, fingerprint = read_parquet_text(path, table, log)
    else:
        raw, fingerprint = read_csv_text(path, table, log)
    typed = None
    if raw is not None:
        raw = check_header(raw, table, log)
        if raw is not None:
            typed, raw = type_table(raw, table, log), None
    if typed is None:
        return empty_table(table), FileReport(table.name, table.filename, "unusable", 0,
                                              fingerprint, modified)

    typed = _resolve_table_refs(typed, table, indexes, log)
    if table.name == "events":
        typed = with_grades(derive_events(typed, frames["locations"], table.filename, log),
                            frames, table.filename, log)
    elif table.name == "relations":
        typed = with_grades(derive_relations(typed, table.filename, log), frames,
                            table.filename, log)
    elif table.name == "actors":
        typed = derive_actors(typed, table.filename, log)
    elif table.name == "locations":
        typed = check_within(typed, table.filename, log)
    elif table.name == "periods":
        typed = derive_periods(typed, table.filename, log)
    elif table.name == "claims":
        typed = derive_claims(typed, frames, indexes, table.filename, log)
    elif table.name == "briefing":
        typed = derive_briefing(typed, frames, indexes, table.filename, log)
    elif table.name == "about":
        _check_about(typed, table.filename, log)
    status = "warnings" if len(log.problems) > before else "ok"
    typed = typed.reset_index(drop=True)
    return typed, FileReport(table.name, path.name, status, len(typed), fingerprint, modified)


def type_events_chunk(raw: pd.DataFrame, table: c.Table, frames, indexes, log: ProblemLog
                      ) -> pd.DataFrame | None:
    """A slice of the events file, checked and typed like a whole file; None once the file has
    an error (in this slice or an earlier one)."""
    raw = check_header(raw, table, log)
    typed = type_table(raw, table, log) if raw is not None else None
    if typed is None:
        return None
    typed = _resolve_table_refs(typed, table, indexes, log)
    return with_grades(derive_events(typed, frames["locations"], table.filename, log), frames,
                       table.filename, log)


def with_grades(frame: pd.DataFrame, frames, filename: str, log: ProblemLog) -> pd.DataFrame:
    """Each record's Admiralty grade ("B2"), from its sources' reliability and its credibility
    (components.grades); a credibility at odds with the claim status is a warning."""
    frame["grade"] = grades.grade_columns(frame, frames["sources"])
    status, credibility = frame["claim_status"], frame["credibility"]
    uncertain = status.isin(["disputed", "alleged"]) & credibility.isin(["1", "2", "3"])
    log.add_rows(filename, frame, uncertain, "credibility",
                 lambda v: f"credibility {v} is more certain than the row's claim status allows "
                 "(a disputed or alleged row is 4 or worse; see data/README.md, Credibility)",
                 kind="credibility above status")
    confirmed = (status == "confirmed") & credibility.isin(["3", "4", "5", "6"])
    log.add_rows(filename, frame, confirmed, "credibility",
                 lambda v: f"credibility {v} is less certain than 'confirmed' (a confirmed row is "
                 "1 or 2; see data/README.md, Credibility)", kind="credibility below status")
    return frame


def _with_last_good(folder: Path, last_good: Path, table: c.Table, frame, report: FileReport,
                    frames, indexes, log: ProblemLog):
    """Serve the last good version of an unusable file; remember a good one (datastore keeps
    both, as it does for every kept version)."""
    from components import datastore

    path = table_path(folder, table)
    if report.status in ("ok", "warnings"):
        if path is not None:
            datastore.keep_good(last_good, path, report.fingerprint)
        return frame, report
    kept = datastore.good_copy(last_good, path.name) if path is not None else None
    if report.status == "unusable" and kept is not None:
        quiet = ProblemLog()
        old, old_report = _load_table(last_good, table, frames, indexes, quiet)
        if old_report.status in ("ok", "warnings"):
            when = pd.Timestamp(kept.stat().st_mtime, unit="s").strftime("%Y-%m-%d %H:%M")
            log.add(table.filename, None, None, None,
                    f"cannot be used, so the last good version (kept {when} UTC) is served "
                    "until the file is fixed", WARNING, kind="last good")
            return old, FileReport(table.name, table.filename, "unusable: last good version served",
                                   len(old), report.fingerprint, report.modified)
    return frame, report


def _load_boundaries(folder: Path, log: ProblemLog) -> dict | None:
    path = folder / c.BOUNDARIES_FILENAME
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        log.add(c.BOUNDARIES_FILENAME, None, None, None,
                f"is not valid GeoJSON ({exc}); the map is drawn without outlines", WARNING)
        return None
    if not isinstance(data, dict) or data.get("type") not in ("FeatureCollection", "Feature"):
        log.add(c.BOUNDARIES_FILENAME, None, None, None,
                "is JSON but not a GeoJSON FeatureCollection; the map is drawn without outlines",
                WARNING)
        return None
    return data
