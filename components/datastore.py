"""Swapping data files safely: staging uploads, diffs by id, atomic saves with history, restores,
and the last good version of each table. No Streamlit import.

This is the one mechanism that keeps versions of the data, for every table (CSV or Parquet),
the briefing file and the events database alike (the database is derived from the events file,
so its last good version is the one prepared from the events file's last good copy):
    .history/<UTC stamp>__<file>    every version a save or restore replaced (save_file)
    .history/last-good/<file>       the newest version of each file that loaded without errors
                                    (keep_good, good_copy)
Every copy is written aside and renamed, so a crash leaves the previous copy whole.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

import pandas as pd

from components import contract

HISTORY = ".history"
LAST_GOOD = "last-good"
MAX_UPLOAD_BYTES = 200 * 1024 * 1024
TABLE_FILES = {t.filename for t in contract.TABLES} | {contract.BOUNDARIES_FILENAME}


# --------------------------------------------------------------------------------------------
# Atomic writes and history


def history_dir(folder: str | os.PathLike) -> Path:
    return Path(folder) / HISTORY


def last_good_dir(folder: str | os.PathLike) -> Path:
    return history_dir(folder) / LAST_GOOD


def _stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")


def atomic_write(path: Path, content: bytes) -> None:
    """Write to a temporary file beside the target, then rename: a crash leaves the old file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def atomic_copy(source: Path, target: Path) -> None:
    """Copy a file (with its modification time) aside, then rename it into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}-",
                                         suffix=".tmp")
    os.close(handle)
    try:
        shutil.copy2(source, temporary)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def save_file(folder: str | os.PathLike, filename: str, content: bytes) -> Path | None:
    """Save one data file atomically; the version it replaces goes to the history first.
    Returns the history copy of the replaced file (None when there was none)."""
    folder = Path(folder)
    target = folder / filename
    kept = None
    if target.exists():
        kept = history_dir(folder) / f"{_stamp()}__{filename}"
        atomic_copy(target, kept)
    atomic_write(target, content)
    return kept


def good_copy(last_good: Path, filename: str) -> Path | None:
    """The last good version of a file, when one is kept."""
    kept = Path(last_good) / filename
    return kept if kept.is_file() else None


def keep_good(last_good: Path, path: Path, fingerprint: str) -> None:
    """Remember a file that loaded without errors as its last good version: `fingerprint` is
    the digest of the bytes that were checked (the loader's), so a file replaced while it was
    being checked is not kept in its place. Skipped when the copy is already this version (same
    size and modification time: a copy keeps the time), so a million events are not copied on
    every start. A folder that cannot be written still loads; it only keeps no copy."""
    kept = Path(last_good) / path.name
    try:
        here, there = path.stat(), kept.stat() if kept.exists() else None
        if there is not None and (here.st_size, here.st_mtime_ns) == (there.st_size,
                                                                      there.st_mtime_ns):
            return
        handle, temporary = tempfile.mkstemp(dir=_made(kept.parent), prefix=f".{kept.name}-",
                                             suffix=".tmp")
        os.close(handle)
        try:
            shutil.copy2(path, temporary)
            if file_digest(Path(temporary)) == fingerprint:
                os.replace(temporary, kept)
        finally:
            Path(temporary).unlink(missing_ok=True)
    except OSError:
        pass


def _made(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def file_digest(path: Path) -> str:
    """The fingerprint the loader gives a file's bytes (twelve hex digits of SHA-256)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 24), b""):
            digest.update(block)
    return digest.hexdigest()[:12]


def list_history(folder: str | os.PathLike) -> pd.DataFrame:
    columns = ["file", "saved", "bytes", "fingerprint", "path"]
    rows = []
    base = history_dir(folder)
    if base.is_dir():
        for path in sorted(base.glob("*__*"), reverse=True):
            stamp, _, filename = path.name.partition("__")
            try:
                saved = pd.Timestamp(datetime.strptime(stamp, "%Y%m%dT%H%M%S%fZ"))
            except ValueError:
                continue
            raw = path.read_bytes()
            rows.append([filename, saved, len(raw), hashlib.sha256(raw).hexdigest()[:12],
                         str(path)])
    return pd.DataFrame(rows, columns=columns)


def restore(folder: str | os.PathLike, history_path: str | os.PathLike) -> Path:
    """Put an earlier version back (the current one goes to the history, so nothing is lost)."""
    source = Path(history_path)
    if source.parent.resolve() != history_dir(folder).resolve():
        raise ValueError(f"{source} is not in this folder's history")
    filename = source.name.partition("__")[2]
    save_file(folder, filename, source.read_bytes())
    return Path(folder) / filename


# --------------------------------------------------------------------------------------------
# Uploads


@dataclass
class Staged:
    """Uploaded files, checked and laid over a copy of the current folder, ready to validate."""

    folder: Path
    files: list[str] = field(default_factory=list)  # contract files the upload provides
    messages: list[str] = field(default_factory=list)  # one sentence per thing refused or noted


def stage_upload(current: str | os.PathLike, uploads: list[tuple[str, bytes]],
                 max_bytes: int = MAX_UPLOAD_BYTES) -> Staged:
    """Copy the current folder to a new staging folder and lay the uploads over it."""
    staging = Path(tempfile.mkdtemp(prefix="proxylens-staging-"))
    current = Path(current)
    for name in TABLE_FILES:
        if (current / name).exists():
            shutil.copy2(current / name, staging / name)
    staged = Staged(staging)
    for name, content in uploads:
        _stage_one(staged, name, content, max_bytes)
    return staged


def _stage_one(staged: Staged, name: str, content: bytes, max_bytes: int) -> None:
    base = Path(name).name
    lower = base.lower()
    if len(content) > max_bytes:
        staged.messages.append(f"{base} is {len(content) / 1e6:.0f} MB, more than the "
                               f"{max_bytes / 1e6:.0f} MB an upload may be; nothing was taken "
                               "from it.")
        return
    if lower.endswith(".zip"):
        _stage_zip(staged, base, content, max_bytes)
    elif lower.endswith(".xlsx"):
        _stage_workbook(staged, base, content)
    elif lower.endswith(".csv") or lower.endswith(".geojson"):
        _stage_table(staged, base, content)
    else:
        staged.messages.append(f"{base} is not a CSV file, an Excel workbook (.xlsx) or a zip of "
                               "a data folder; nothing was taken from it.")


def _stage_table(staged: Staged, base: str, content: bytes) -> None:
    if base in TABLE_FILES:
        (staged.folder / base).write_bytes(content)
        staged.files.append(base)
        return
    imported = _try_import(staged, base, content)
    if not imported:
        staged.messages.append(
            f"{base} is not one of the ProxyLens tables ({', '.join(sorted(TABLE_FILES))}) and "
            "not an ACLED or UCDP export; rename it to the table it holds.")


def _try_import(staged: Staged, base: str, content: bytes) -> bool:
    """An ACLED or UCDP export becomes a whole data folder of its own."""
    try:
        from components import importers
    except ImportError:  # pragma: no cover - the importers ship with the project
        return False
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / base
        path.write_bytes(content)
        if importers.detect_format(path) is None:
            return False
        result = importers.import_file(path)
        importers.write_folder(result, staged.folder)
    for table in ("events", "actors", "relations", "locations", "sources"):
        staged.files.append(f"{table}.csv")
    for optional in ("periods.csv", "claims.csv", "briefing.csv"):
        (staged.folder / optional).unlink(missing_ok=True)
    layout = {"acled": "current ACLED", "acled-old": "older upper-case ACLED",
              "ucdp-ged": "UCDP GED"}.get(result.source_format, result.source_format)
    staged.messages.append(f"{base} was imported from the {layout} layout into ProxyLens "
                           "tables: " + " ".join(result.notes))
    return True


def _stage_workbook(staged: Staged, base: str, content: bytes) -> None:
    try:
        sheets = pd.read_excel(io.BytesIO(content), sheet_name=None, dtype=str,
                               keep_default_na=False)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook gets the same sentence
        staged.messages.append(f"{base} could not be read as an Excel workbook ({exc}); "
                               "nothing was taken from it.")
        return
    stem = Path(base).stem.lower()
    tables = {t.name: t.filename for t in contract.TABLES}
    used = False
    for sheet, frame in sheets.items():
        name = sheet.strip().lower()
        target = tables.get(name) or (tables.get(stem) if len(sheets) == 1 else None)
        if target is None:
            staged.messages.append(f"{base}, sheet '{sheet}': not a ProxyLens table name "
                                   f"({', '.join(tables)}); the sheet was left out.")
            continue
        (staged.folder / target).write_bytes(frame.to_csv(index=False).encode("utf-8"))
        staged.files.append(target)
        used = True
    if not used:
        staged.messages.append(f"{base} held no sheet named after a ProxyLens table.")


def _stage_zip(staged: Staged, base: str, content: bytes, max_bytes: int) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        staged.messages.append(f"{base} is not a readable zip file; nothing was taken from it.")
        return
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        outside = [m.filename for m in members if _escapes(m.filename)]
        if outside:
            staged.messages.append(f"{base} holds paths outside itself ({', '.join(outside[:3])})"
                                   "; nothing was taken from it.")
            return
        total = sum(m.file_size for m in members)
        if total > max_bytes:
            staged.messages.append(f"{base} unpacks to {total / 1e6:.0f} MB, more than "
                                   f"{max_bytes / 1e6:.0f} MB; nothing was taken from it.")
            return
        taken = False
        for member in members:
            name = PurePosixPath(member.filename).name
            if name in TABLE_FILES:
                (staged.folder / name).write_bytes(archive.read(member))
                staged.files.append(name)
                taken = True
        if not taken:
            staged.messages.append(f"{base} holds none of the ProxyLens tables.")


def _escapes(name: str) -> bool:
    path = PurePosixPath(name.replace("\\", "/"))
    return path.is_absolute() or ".." in path.parts or (len(name) > 1 and name[1] == ":")


def discard(staged: Staged) -> None:
    shutil.rmtree(staged.folder, ignore_errors=True)


# --------------------------------------------------------------------------------------------
# Diffs


def diff(old, new) -> pd.DataFrame:
    """Rows added, removed and changed field by field, by id, for every contract table.

    `old` and `new` are loader Datasets."""
    columns = ["table", "id", "change", "column", "old", "new"]
    rows: list[list] = []
    for table in contract.TABLES:
        key = table.id_column
        before, after = old.whole_table(table.name), new.whole_table(table.name)
        if key not in before or key not in after:
            continue
        a = _comparable(before, table).set_index(key, drop=False)
        b = _comparable(after, table).set_index(key, drop=False)
        a = a[~a.index.duplicated()]
        b = b[~b.index.duplicated()]
        for ident in sorted(set(b.index) - set(a.index)):
            rows.append([table.name, ident, "added", "", "", ""])
        for ident in sorted(set(a.index) - set(b.index)):
            rows.append([table.name, ident, "removed", "", "", ""])
        shared = sorted(set(a.index) & set(b.index))
        for column in table.column_names:
            if column == key or column not in a or column not in b:
                continue
            old_values, new_values = a.loc[shared, column], b.loc[shared, column]
            changed = old_values != new_values
            for ident in old_values.index[changed]:
                rows.append([table.name, ident, "changed", column, old_values[ident],
                             new_values[ident]])
    return pd.DataFrame(rows, columns=columns)


def _comparable(frame: pd.DataFrame, table: contract.Table) -> pd.DataFrame:
    out = frame[[c for c in table.column_names if c in frame]].copy()
    for column in out.columns:
        out[column] = out[column].astype(object).map(_as_text)
    return out


def _as_text(value) -> str:
    if isinstance(value, (tuple, list)):
        return ";".join(map(str, value))
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
