"""Swapping data files safely: staging uploads, diffs by id, atomic saves with history, restores,
and the last good version of each table. No Streamlit import.

This is the one mechanism that keeps versions of the data, for every table (CSV or Parquet),
the briefing file and the events database alike (the database is derived from the events file,
so its last good version is the one prepared from the events file's last good copy). What it
keeps is the app's own state, so it lives in a state folder of its own, one per data folder
(PROXYLENS_STATE_DIR, by default under the cache folder), never in the data folder: reading a
folder writes nothing there, and a folder the app cannot write still loads.
    <state>/history/<UTC stamp>__<digest>__<file>   every version a save or restore replaced
    <state>/last-good/<file>       the newest version of each file that loaded without errors
                                   (keep_good, good_copy)
Copies kept in a data folder's own .history/ by earlier versions of ProxyLens are still listed
and can be restored.

Every copy is written aside and renamed, so a crash leaves the previous copy whole. A save of
several files is one transaction (save_files): the new files are written aside first, then a
journal naming them, then they are renamed into place; a save cut short after its journal is
finished by the next save or load, one cut short before it changed nothing. Saves take a lock,
so two processes never interleave theirs, and clear what a cut-short save left behind.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import io
import json
import os
import secrets
import shutil
import tempfile
import time
import zipfile
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

import duckdb
import pandas as pd
import pyarrow as pa

from components import contract
from components.wording import counted

STATE_ENV = "PROXYLENS_STATE_DIR"
CACHE_ENV = "PROXYLENS_CACHE_DIR"
LEGACY_HISTORY = ".history"  # where earlier versions kept history, inside the data folder
HISTORY = "history"
LAST_GOOD = "last-good"
MAX_UPLOAD_BYTES = contract.MAX_UPLOAD_BYTES
TABLE_FILES = {t.filename for t in contract.TABLES} | {contract.BOUNDARIES_FILENAME}


# --------------------------------------------------------------------------------------------
# Atomic writes and history


def cache_dir() -> Path:
    """Where ProxyLens keeps what it makes for itself ($PROXYLENS_CACHE_DIR, or
    ~/.cache/proxylens): prepared event databases, and the state folders."""
    configured = os.environ.get(CACHE_ENV)
    return Path(configured) if configured else Path.home() / ".cache" / "proxylens"


def state_dir(folder: str | os.PathLike) -> Path:
    """The state folder of a data folder: named after it, keyed by its full path."""
    resolved = os.path.realpath(folder)  # as Path.resolve, without pathlib's overhead
    root = os.environ.get(STATE_ENV)
    base = Path(root) if root else cache_dir() / "state"
    key = hashlib.sha256(resolved.encode("utf-8")).hexdigest()[:12]
    return base / f"{os.path.basename(resolved) or 'root'}-{key}"


def history_dir(folder: str | os.PathLike) -> Path:
    return state_dir(folder) / HISTORY


def last_good_dir(folder: str | os.PathLike) -> Path:
    return state_dir(folder) / LAST_GOOD


def write_problem(folder: str | os.PathLike) -> str | None:
    """Why saving to a folder would fail, in a sentence; None when it can be written."""
    folder = Path(folder)
    if not folder.is_dir():
        return f"The data folder {folder} does not exist, so nothing can be saved to it."
    if not os.access(folder, os.W_OK | os.X_OK):
        return (f"The data folder {folder} cannot be written by the server (it is read-only "
                "to it), so nothing can be saved or restored; every view and export works.")
    state = state_dir(folder)
    try:
        state.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return (f"The state folder {state} (where the replaced versions are kept) cannot be "
                f"made ({exc.strerror or exc}), so nothing can be saved: set "
                f"{STATE_ENV} or {CACHE_ENV} to a folder the server can write.")
    if not os.access(state, os.W_OK | os.X_OK):
        return (f"The state folder {state} (where the replaced versions are kept) cannot be "
                f"written, so nothing can be saved: set {STATE_ENV} or {CACHE_ENV} to a "
                "folder the server can write.")
    return None


def _stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")


SAVE_LOCK = ".save.lock"  # in the state folder, as is the journal
JOURNAL = ".save-journal.json"
STRAY_AGE_S = 3600  # a last good copy's temporary file this old was left by a crash


def atomic_write(path: Path, content: bytes) -> None:
    """Write to a temporary file beside the target, then rename: a crash leaves the old file."""
    temporary = _write_aside(path, content)
    try:
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _write_aside(path: Path, content: bytes) -> Path:
    """`content` in a temporary file beside `path`, flushed to disk, with the permissions
    `path` has (or the folder's files usually have): the file a rename will put in place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, _usual_mode(path))
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return Path(temporary)


def _usual_mode(path: Path) -> int:
    """The permissions a saved file should have: those of the file it replaces, or for a new
    file the folder's read and write bits (a 0755 folder gives 0644). mkstemp's own 0600 would
    leave a saved table unreadable to everyone else who reads the folder."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        return path.parent.stat().st_mode & 0o666


def atomic_copy(source: Path, target: Path) -> None:
    """Copy a file (with its modification time) aside, then rename it into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}-",
                                         suffix=".tmp")
    os.close(handle)
    try:
        shutil.copy2(source, temporary)
        with open(temporary, "rb+") as copied:
            os.fsync(copied.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def save_file(folder: str | os.PathLike, filename: str, content: bytes) -> Path | None:
    """Save one data file atomically; the version it replaces goes to the history first.
    Returns the history copy of the replaced file (None when there was none)."""
    return save_files(folder, {filename: content}).get(filename)


def save_files(folder: str | os.PathLike, contents: dict[str, bytes]) -> dict[str, Path]:
    """Save several data files as one: after a crash at any point the folder holds either
    every new file or none of them (see the module's docstring). The versions they replace go
    to the history; returns those history copies by file name."""
    folder = Path(folder)
    with _save_lock(folder):
        _finish_interrupted_save(folder)
        _clear_strays(folder)
        aside: dict[str, Path] = {}
        try:
            for name, content in contents.items():
                aside[name] = _write_aside(folder / name, content)
            kept = {}
            for name in contents:
                if (folder / name).exists():
                    kept[name] = _keep_in_history(folder, name)
            moves = [[temporary.name, name] for name, temporary in aside.items()]
            atomic_write(state_dir(folder) / JOURNAL, json.dumps(moves).encode("utf-8"))
        except BaseException:
            for temporary in aside.values():
                temporary.unlink(missing_ok=True)
            raise
        _finish_interrupted_save(folder)
    return kept


def _keep_in_history(folder: Path, name: str) -> Path:
    """Copy a file to the history, named with the time and the digest of its bytes, so a
    restore can tell a whole copy from a damaged one."""
    kept = history_dir(folder) / f"{_stamp()}__{file_digest(folder / name)}__{name}"
    atomic_copy(folder / name, kept)
    return kept


@contextmanager
def _save_lock(folder: Path):
    """One save at a time in a folder, across processes."""
    lock_path = _made(state_dir(folder)) / SAVE_LOCK
    with open(lock_path, "a+b") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


def finish_interrupted_save(folder: str | os.PathLike) -> None:
    """Complete a save that was cut short after its journal was written (called before a
    folder is read). A folder that cannot be written is left as it is."""
    if not os.path.isfile(os.path.join(state_dir(folder), JOURNAL)):
        return
    try:
        with _save_lock(Path(folder)):
            _finish_interrupted_save(Path(folder))
    except OSError:
        pass


def _finish_interrupted_save(folder: Path) -> None:
    journal = state_dir(folder) / JOURNAL
    if not journal.is_file():
        return
    for temporary, name in json.loads(journal.read_text(encoding="utf-8")):
        written = folder / temporary
        if written.exists():  # not yet renamed into place
            os.replace(written, folder / name)
    _sync_folder(folder)
    journal.unlink()


def _sync_folder(folder: Path) -> None:
    """Make the renames in a folder durable."""
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def _clear_strays(folder: Path) -> None:
    """Remove the temporary files a cut-short save or copy left (called under the save lock,
    so no other save is writing one; a last good copy's is removed only once it is old)."""
    now = time.time()
    for place, any_age in ((folder, True), (history_dir(folder), True),
                           (state_dir(folder), True), (last_good_dir(folder), False)):
        for stray in place.glob(".*-*.tmp") if place.is_dir() else ():
            try:
                if any_age or now - stray.stat().st_mtime > STRAY_AGE_S:
                    stray.unlink()
            except OSError:
                pass


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
    """Every kept version, newest first: its file, when it was replaced, its size and digest,
    and whether its bytes are still those that were kept ("whole"; copies kept before digests
    were recorded say "not recorded")."""
    columns = ["file", "saved", "bytes", "fingerprint", "state", "path"]
    rows = []
    kept = [p for base in _history_places(folder) if base.is_dir() for p in base.glob("*__*")]
    for path in sorted(kept, key=lambda p: p.name, reverse=True):
        named = _history_name(path)
        if named is None:
            continue
        saved, recorded, filename = named
        status = path.stat()
        digest = _kept_digest(path, status.st_size, status.st_mtime_ns)
        state = ("not recorded" if recorded is None
                 else "whole" if recorded == digest else "damaged")
        rows.append([filename, saved, path.stat().st_size, digest, state, str(path)])
    return pd.DataFrame(rows, columns=columns)


@functools.lru_cache(maxsize=1024)
def _kept_digest(path: Path, size: int, modified_ns: int) -> str:
    """A kept copy's digest, worked out once per version of the file (the Data page lists the
    history on every rerun; copies of a million events are a hundred MB each)."""
    return file_digest(path)


def _history_places(folder: str | os.PathLike) -> tuple[Path, Path]:
    """The state folder's history, and the data folder's own from earlier versions."""
    return history_dir(folder), Path(folder) / LEGACY_HISTORY


def _history_name(path: Path) -> tuple[pd.Timestamp, str | None, str] | None:
    """(when it was replaced, the digest recorded when it was kept or None, its file name)."""
    parts = path.name.split("__")
    if len(parts) not in (2, 3):
        return None
    try:
        saved = pd.Timestamp(datetime.strptime(parts[0], "%Y%m%dT%H%M%S%fZ"))
    except ValueError:
        return None
    return saved, (parts[1] if len(parts) == 3 else None), parts[-1]


class RestoreRefused(ValueError):
    """A kept version that cannot be put back; the message says why, in a sentence."""


def restore(folder: str | os.PathLike, history_path: str | os.PathLike) -> Path:
    """Put an earlier version back (the current one goes to the history, so nothing is lost),
    once it is known to be whole and to load: a damaged copy, or one the loader finds errors
    in, is refused with a sentence saying why."""
    source = Path(history_path)
    if source.parent.resolve() not in {p.resolve() for p in _history_places(folder)}:
        raise RestoreRefused(f"{source} is not in this folder's history")
    named = _history_name(source)
    if named is None or not source.is_file():
        raise RestoreRefused(f"{source.name} is not a kept version")
    _, recorded, filename = named
    if not _restorable(filename):
        raise RestoreRefused(f"{filename} is not a table or briefing of ProxyLens, so it is not "
                             "restored.")
    if recorded is not None and file_digest(source) != recorded:
        raise RestoreRefused(
            f"The kept copy of {filename} ({source.name}) is damaged: its bytes are no longer "
            "those kept when it was replaced, so it is not restored.")
    errors = _errors_if_restored(folder, filename, source.read_bytes())
    if errors:
        first = errors[0]
        where = f" row {first.row}" if first.row is not None else ""
        where += f", column '{first.column}'" if first.column else ""
        raise RestoreRefused(
            f"The kept copy of {filename} was not restored: it would not load ({first.file}"
            f"{where}: {first.problem}). {counted(len(errors), 'error')} in all.")
    save_file(folder, filename, source.read_bytes())
    return Path(folder) / filename


def _restorable(filename: str) -> bool:
    from components import loader

    named = PurePosixPath(filename).name == filename and filename.startswith("briefing-") \
        and filename.endswith(".csv")
    return (filename in TABLE_FILES or named
            or filename in {loader.parquet_name(t) for t in contract.TABLES})


def _errors_if_restored(folder, filename: str, content: bytes) -> list:
    """The loader's errors for the folder with `content` in place of `filename` (a named
    briefing checked as briefing.csv is)."""
    from components import loader

    staged = stage_upload(folder, [])  # a copy of the folder, to put the version in
    try:
        (staged.folder / filename).write_bytes(content)
        result = loader.load_dataset(staged.folder)
        if filename.startswith("briefing-"):
            _, problems = loader.load_briefing_file(staged.folder, filename, result.dataset)
            return [p for p in problems if p.severity == contract.ERROR]
        return [p for p in result.errors if p.file == filename]
    finally:
        discard(staged)


# --------------------------------------------------------------------------------------------
# Uploads


@dataclass
class Staged:
    """Uploaded files, checked and laid over a copy of the current folder, ready to validate."""

    folder: Path
    files: list[str] = field(default_factory=list)  # contract files the upload provides
    messages: list[str] = field(default_factory=list)  # one sentence per thing refused or noted
    # an ACLED or UCDP export is added to the current data ("add") unless replacing it is
    # chosen ("replace": the first export replaces it, any other in the same upload adds)
    mode: str = "add"
    rejected: frozenset = frozenset()  # (file, table, imported id) of matches turned down
    matches: list = field(default_factory=list)  # (file, merge.Match) proposed when adding
    replaced: bool = False


STAGING_PREFIX = "proxylens-staging-"
STAGING_KEPT_S = 24 * 3600  # an upload is kept this long after it was last used
IN_USE = ".in-use"  # in a staging folder a session chose to use: kept when that session ends


def staging_root() -> Path:
    """Where uploads are checked: the cache folder's staging/ (state, not data)."""
    return cache_dir() / "staging"


def staging_token(folder: str | os.PathLike) -> str | None:
    """The token naming a staging folder (in a session's address), None for other folders."""
    name = Path(folder).name
    return name[len(STAGING_PREFIX):] if name.startswith(STAGING_PREFIX) else None


def staged_folder(token: str) -> Path | None:
    """The staging folder a token names, while it is kept; None once it is gone (or for a
    token that is not one: it never names a path outside the staging folder)."""
    if not token or not all(ch.isalnum() or ch in "-_" for ch in token):
        return None
    folder = staging_root() / f"{STAGING_PREFIX}{token}"
    return folder if folder.is_dir() else None


def touch_staged(folder: str | os.PathLike) -> None:
    """Mark a staging folder as used now: it is kept STAGING_KEPT_S from its last use."""
    try:
        os.utime(folder)
    except OSError:
        pass


def sweep_staging(now: float | None = None) -> list[Path]:
    """Remove staging folders unused for STAGING_KEPT_S; returns those removed."""
    now = time.time() if now is None else now
    removed = []
    root = staging_root()
    for folder in root.glob(f"{STAGING_PREFIX}*") if root.is_dir() else ():
        try:
            if now - folder.stat().st_mtime > STAGING_KEPT_S:
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder)
        except OSError:
            pass
    return removed


def stage_upload(current: str | os.PathLike, uploads: list[tuple[str, bytes]],
                 max_bytes: int = MAX_UPLOAD_BYTES, mode: str = "add",
                 rejected: frozenset = frozenset()) -> Staged:
    """Copy the current folder to a new staging folder (named by a random token) and lay the
    uploads over it; staging folders unused for a day are cleared first."""
    sweep_staging()
    staging = _made(staging_root()) / f"{STAGING_PREFIX}{secrets.token_urlsafe(12)}"
    staging.mkdir(mode=0o700)
    current = Path(current)
    from components import loader

    kept = set(TABLE_FILES) | {loader.parquet_name(t) for t in contract.TABLES}
    kept |= {p.name for p in current.glob("briefing-*.csv")}  # the named briefings
    for name in sorted(kept):
        if (current / name).exists():
            shutil.copy2(current / name, staging / name)
    staged = Staged(staging, mode=mode, rejected=frozenset(rejected))
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


# an export this large is imported in a process of its own: the memory converting it leaves
# with the allocator (some 130 MB after a 200 MB export) goes when that process ends
IMPORT_APART_FROM_BYTES = 8 * 1024 * 1024


def _try_import(staged: Staged, base: str, content: bytes) -> bool:
    """An ACLED or UCDP export, added to the staged data or replacing it (Staged.mode)."""
    try:
        from components import importers
    except ImportError:  # pragma: no cover - the importers ship with the project
        return False
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / base
        path.write_bytes(content)
        if importers.detect_format(path) is None:
            return False
        if len(content) >= IMPORT_APART_FROM_BYTES:
            _import_apart(staged, base, path)
        else:
            _import_into(staged, base, path)
    return True


def _import_apart(staged: Staged, base: str, path: Path) -> None:
    """_import_into, run by a child Python process; its outcome laid over `staged`."""
    import pickle
    import subprocess
    import sys

    order, answer = path.with_name(".order.pickle"), path.with_name(".answer.pickle")
    order.write_bytes(pickle.dumps((staged, base, str(path))))
    project = str(Path(__file__).resolve().parent.parent)
    code = (f"import sys; sys.path.insert(0, {project!r}); from components import datastore; "
            f"datastore._import_child({str(order)!r}, {str(answer)!r})")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if done.returncode != 0 or not answer.exists():
        for partial in staged.folder.glob(".*.partial"):  # what it wrote aside, never put in place
            partial.unlink(missing_ok=True)
        why = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        staged.messages.append(f"{base} could not be imported ({why}); nothing was taken "
                               "from it.")
        return
    outcome = pickle.loads(answer.read_bytes())
    for name in ("files", "messages", "matches", "replaced"):
        setattr(staged, name, getattr(outcome, name))


def _import_child(order: str, answer: str) -> None:
    """In the child process: the import, and the staged upload as it leaves it."""
    import pickle

    staged, base, path = pickle.loads(Path(order).read_bytes())
    _import_into(staged, base, Path(path))
    Path(answer).write_bytes(pickle.dumps(staged))


def _import_into(staged: Staged, base: str, path: Path) -> None:
    from components import importers

    result = importers.import_export(path)  # events streamed: never held whole
    layout = {"acled": "current ACLED", "acled-old": "older upper-case ACLED",
              "ucdp-ged": "UCDP GED"}.get(result.source_format, result.source_format)
    if staged.mode == "replace" and not staged.replaced:
        importers.write_folder(result, staged.folder)
        for table in ("events", "actors", "relations", "locations", "sources"):
            staged.files.append(f"{table}.csv")
        for optional in (contract.PERIODS, contract.CLAIMS, contract.BRIEFING):
            # emptied, not left out: a save then empties them in the folder too (the removal
            # is listed in red first), rather than leave claims about what the export replaced
            if (staged.folder / optional.filename).exists():
                (staged.folder / optional.filename).write_text(
                    ",".join(optional.column_names) + "\n", encoding="utf-8")
                staged.files.append(optional.filename)
        staged.replaced = True
        staged.messages.append(f"{base} was imported from the {layout} layout and replaces the "
                               "current data: " + " ".join(result.notes))
        return
    _add_import(staged, base, result, layout)


def _add_import(staged: Staged, base: str, result, layout: str) -> None:
    from components import merge

    current = merge.current_tables(staged.folder, merge.SMALL_TABLES)
    proposed = merge.propose_matches(current, result.tables)
    accepted = [m for m in proposed if (base, m.table, m.imported_id) not in staged.rejected]
    added, already = merge.add_to_folder(staged.folder, result, accepted, current)
    staged.files += [contract.TABLES_BY_NAME[name].filename for name in merge.ADDED_TABLES
                     if contract.TABLES_BY_NAME[name].filename not in staged.files]
    staged.matches += [(base, m) for m in proposed]
    staged.messages.append(
        f"{base} was imported from the {layout} layout and added to the current data: "
        f"{added['events']:,} events, {added['actors']:,} new actors, {added['locations']:,} new "
        f"places and {added['sources']:,} new sources; {len(accepted)} of its actors and places "
        "are matched to ones the data already has (listed below, to accept or reject). "
        + (f"{already:,} of its events were left out: the data already has them (same "
           "source, same id). " if already else "")
        + " ".join(result.notes))


class _TooLarge(Exception):
    pass


def _unpacked(archive: zipfile.ZipFile, member: zipfile.ZipInfo, budget: list[int],
              out=None) -> None:
    """Inflate a member a block at a time into `out` (or nowhere, to measure it): past the
    budget left (budget[0], shared by the members of one file) it stops, whatever size the zip
    declares; a damaged member raises as it is read (a wrong CRC at its end)."""
    with archive.open(member) as stream:
        while block := stream.read(1 << 20):
            budget[0] -= len(block)
            if budget[0] < 0:
                raise _TooLarge
            if out is not None:
                out.write(block)


def _zip_refusal(base: str, exc: Exception, limit: int) -> str:
    if isinstance(exc, _TooLarge):
        return (f"{base} unpacks to more than {limit / 1e6:.0f} MB, the most an upload may "
                "unpack to; nothing was taken from it.")
    return (f"{base} is damaged and cannot be unpacked ({exc}); nothing was taken from it.")


_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError,
               ValueError, _TooLarge)


def _stage_workbook(staged: Staged, base: str, content: bytes) -> None:
    """The sheets of a workbook named after tables, as CSV. A workbook is a zip of XML: it is
    unpacked (to a limit) before it is read, since a small one can hold sheets of gigabytes."""
    limit = contract.MAX_WORKBOOK_UNPACKED_BYTES
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            budget = [limit]
            for member in archive.infolist():
                _unpacked(archive, member, budget)
    except _ZIP_ERRORS as exc:
        if isinstance(exc, _TooLarge):
            staged.messages.append(
                f"{base} unpacks to more than {limit / 1e6:.0f} MB, the most a workbook may; "
                "save its sheets as CSV files (a CSV may be up to "
                f"{contract.MAX_UPLOAD_BYTES / 1e6:.0f} MB) and upload those.")
        else:
            staged.messages.append(f"{base} could not be read as an Excel workbook ({exc}); "
                                   "nothing was taken from it.")
        return
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
        if frame.shape[1] > contract.MAX_COLUMNS:
            staged.messages.append(f"{base}, sheet '{sheet}': {frame.shape[1]:,} columns, more "
                                   f"than the {contract.MAX_COLUMNS} a table may have; the sheet "
                                   "was left out.")
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
        wanted = [m for m in members if PurePosixPath(m.filename).name in TABLE_FILES]
        if not wanted:
            staged.messages.append(f"{base} holds none of the ProxyLens tables.")
            return
        budget, unpacked = [max_bytes], {}
        try:  # every table unpacked (to the limit) beside its place before any is taken
            for member in wanted:
                name = PurePosixPath(member.filename).name
                unpacked[name] = staged.folder / f".{name}.unpacking"
                with unpacked[name].open("wb") as out:
                    _unpacked(archive, member, budget, out)
        except _ZIP_ERRORS as exc:
            for partial in unpacked.values():
                partial.unlink(missing_ok=True)
            staged.messages.append(_zip_refusal(base, exc, max_bytes))
            return
    for name, partial in unpacked.items():
        partial.replace(staged.folder / name)
        staged.files.append(name)


def _escapes(name: str) -> bool:
    path = PurePosixPath(name.replace("\\", "/"))
    return path.is_absolute() or ".." in path.parts or (len(name) > 1 and name[1] == ":")


def discard(staged: Staged) -> None:
    shutil.rmtree(staged.folder, ignore_errors=True)


def discard_unless_used(folder: str | os.PathLike) -> None:
    """Remove a staging folder no session chose to use (one that was, its address still
    reopens until it expires)."""
    if staging_token(folder) and not (Path(folder) / IN_USE).exists():
        shutil.rmtree(folder, ignore_errors=True)


# --------------------------------------------------------------------------------------------
# Diffs


DIFF_LISTED = 1_000  # changes listed per table and kind (added, removed, each column changed)
DIFF_CHUNK_ROWS = 50_000  # rows compared at a time: a million-row upload is never held whole


@dataclass
class Changes:
    """What a new version changes, by id: `listed`, one row per added or removed row and per
    changed field (at most DIFF_LISTED of each kind per table, first ids first), and `counts`,
    every changed row counted, by (table, change)."""
    listed: pd.DataFrame
    counts: dict[tuple[str, str], int]
    truncated: bool = False  # whether some change is counted but not listed

    @property
    def empty(self) -> bool:
        return not self.counts


def diff(old, new, listed: int | None = None) -> Changes:
    """Rows added, removed and changed field by field, by id, for every contract table.

    `old` and `new` are loader Datasets. Their ids are compared as sets in a DuckDB connection
    of its own with a small memory budget (DIFF_MEMORY_LIMIT; past it DuckDB works on disk):
    hashed in Arrow, a million ids cost some 200 MB. The rows both hold are read
    DIFF_CHUNK_ROWS at a time (the events from their store, when they have one), so comparing
    a million events never holds two whole tables."""
    listed = DIFF_LISTED if listed is None else listed
    columns = ["table", "id", "change", "column", "old", "new"]
    rows: list[list] = []
    counts: dict[tuple[str, str], int] = {}
    truncated = False
    for table in contract.TABLES:
        before, after = _id_array(old, table), _id_array(new, table)
        if before is None or after is None:
            continue
        with _IdComparison(before, after) as ids:
            for change, side in (("added", "new"), ("removed", "old")):
                count, first = ids.only_in(side, listed)
                if count:
                    counts[table.name, change] = count
                    truncated |= count > listed
                    rows += [[table.name, ident, change, "", "", ""] for ident in first]
            changed, changed_rows, cut = _changed_fields(old, new, table, ids.shared(), listed)
        truncated |= cut
        if changed_rows:
            counts[table.name, "changed"] = changed_rows
            rows += changed
    return Changes(pd.DataFrame(rows, columns=columns), counts, truncated)


DIFF_MEMORY_LIMIT = "64MB"


class _IdComparison:
    """Two versions' ids as sets (`old`, `new`), compared by DuckDB within DIFF_MEMORY_LIMIT,
    spilling to a temporary folder of its own."""

    def __init__(self, before: pa.Array, after: pa.Array) -> None:
        self._spill = tempfile.TemporaryDirectory(prefix="proxylens-diff-")
        self._con = duckdb.connect(config={"memory_limit": DIFF_MEMORY_LIMIT,
                                           "temp_directory": self._spill.name, "threads": 1})
        self._con.register("old_ids", pa.table({"id": before}))
        self._con.register("new_ids", pa.table({"id": after}))

    def __enter__(self) -> "_IdComparison":
        return self

    def __exit__(self, *exc) -> None:
        self._con.close()
        self._spill.cleanup()

    def only_in(self, side: str, listed: int) -> tuple[int, list[str]]:
        """How many distinct ids `side` ("old" or "new") holds that the other does not, and
        the first `listed` of them in id order."""
        other = "new" if side == "old" else "old"
        self._con.execute("CREATE OR REPLACE TEMP TABLE one_sided AS SELECT DISTINCT id"
                          f" FROM {side}_ids ANTI JOIN {other}_ids USING (id)")
        count = self._con.execute("SELECT count(*) FROM one_sided").fetchone()[0]
        first = self._con.execute("SELECT id FROM one_sided ORDER BY id LIMIT ?",
                                  [listed]).fetchall()
        return int(count), [row[0] for row in first]

    def shared(self):
        """The ids both versions hold, in id order, DIFF_CHUNK_ROWS at a time."""
        result = self._con.execute("SELECT DISTINCT id FROM new_ids SEMI JOIN old_ids"
                                   " USING (id) ORDER BY id")
        while chunk := result.fetchmany(DIFF_CHUNK_ROWS):
            yield [row[0] for row in chunk]


def _id_array(dataset, table: contract.Table):
    """A table's ids (as Arrow: a million ids in tens of MB, not hundreds), or None when it
    has no id column."""
    key = table.id_column
    if table.name == "events" and dataset.event_store is not None:
        return dataset.event_store.event_id_array()
    frame = dataset.table(table.name)
    if key not in frame:
        return None
    return pa.array(frame[key].astype(object).map(_as_text).tolist(), type=pa.string())


def _rows_with_ids(dataset, table: contract.Table, ids: list) -> pd.DataFrame:
    if table.name == "events":
        return dataset.event_rows(ids)
    frame = dataset.table(table.name)
    return frame[frame[table.id_column].astype(object).map(_as_text).isin(set(ids))]


def _changed_fields(old, new, table: contract.Table, shared, listed: int
                    ) -> tuple[list[list], int, bool]:
    """The fields changed in rows both versions hold (each id's first row in each), listed
    column by column, first ids first (at most `listed` per column); how many rows changed;
    and whether some change was left out of the listing. `shared` gives the ids both hold in
    id order, a chunk at a time; only their rows are read."""
    key = table.id_column
    found: dict[str, list[list]] = {}
    changed_rows, cut = 0, False
    for ids in shared:
        a, b = (_comparable(_rows_with_ids(version, table, ids), table) for version in (old, new))
        if key not in a or key not in b:
            return [], 0, False
        a = a.drop_duplicates(key).set_index(key, drop=False)
        b = b.drop_duplicates(key).set_index(key, drop=False)
        both = b.index.intersection(a.index)
        any_changed = pd.Series(False, index=both)
        for column in table.column_names:
            if column == key or column not in a or column not in b:
                continue
            old_values, new_values = a.loc[both, column], b.loc[both, column]
            differs = old_values != new_values
            any_changed |= differs
            kept = found.setdefault(column, [])
            for ident in sorted(old_values.index[differs]):
                if len(kept) >= listed:
                    cut = True
                    break
                kept.append([table.name, ident, "changed", column, old_values[ident],
                             new_values[ident]])
        changed_rows += int(any_changed.sum())
    ordered = [row for column in table.column_names
               for row in sorted(found.get(column, []), key=lambda r: r[1])]
    return ordered, changed_rows, cut


def removed_rows(changes: Changes, saved_files) -> dict[str, int]:
    """Rows a save of `saved_files` would remove, counted per table (in the contract's order):
    what the Data page asks to be confirmed before saving."""
    saved = {t.name for t in contract.TABLES if t.filename in set(saved_files)}
    return {t.name: changes.counts[t.name, "removed"] for t in contract.TABLES
            if t.name in saved and (t.name, "removed") in changes.counts}


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
