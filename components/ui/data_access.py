"""The cached bridge between the loader and the pages, and the session's choice of data folder.

The shared data folder is data/ or $PROXYLENS_DATA_DIR. A browser session may instead use
files it uploaded ("Use for my session"): only that session sees them.
"""

from __future__ import annotations

import gc
import os
import threading
import time
from pathlib import Path

import streamlit as st

from components import datastore, engines, eventstore, loader
from components.ui import caching

SESSION_FOLDER = "session_data_folder"


@caching.view_resource(8, spinner="Reading the data folder…")
def _load(folder: str, version: str) -> loader.LoadResult:
    # version is only a cache key (version_key): it changes whenever a file in the folder
    # changes, or the engine that answers
    last_good = datastore.last_good_dir(folder) if _keeps_history(folder) else None
    # millions of events are kept in DuckDB, prepared once per data version (eventstore)
    result = eventstore.load_folder(folder, fingerprint_of(version), last_good=last_good)
    # A million events hold millions of small tuples (their actor and source lists). Python's
    # cycle collector would walk them all on each full collection, a pause of a few hundred
    # ms at random reruns; they hold no cycles, so they are moved out of its sight. Reference
    # counting still frees them when this data version leaves the cache.
    gc.collect()
    gc.freeze()
    return result


def _keeps_history(folder: str) -> bool:
    """Session folders are throwaway copies; only shared folders keep history."""
    return not Path(folder).name.startswith("proxylens-staging-")


def shared_folder() -> Path:
    return loader.data_folder()


def active_folder() -> Path:
    """The folder this session reads: its own uploaded data, or the shared folder."""
    chosen = st.session_state.get(SESSION_FOLDER)
    if chosen and Path(chosen).is_dir():
        return Path(chosen)
    return shared_folder()


def using_session_data() -> bool:
    return active_folder() != shared_folder()


UPLOAD_PARAM = "upload"  # the address names the session's upload, so a reload reopens it


def use_for_session(folder: Path) -> None:
    st.session_state[SESSION_FOLDER] = str(folder)
    (Path(folder) / datastore.IN_USE).touch()  # kept past the session: its address reopens it
    st.query_params[UPLOAD_PARAM] = datastore.staging_token(folder)


def back_to_shared() -> None:
    st.session_state.pop(SESSION_FOLDER, None)
    if UPLOAD_PARAM in st.query_params:
        del st.query_params[UPLOAD_PARAM]


def follow_upload_link() -> None:
    """Keep the session's upload named in the address (pages drop parameters as they change),
    take one up from an address that names it (a reload, or a link shared), and say plainly
    when the upload an address names is no longer kept."""
    token = st.query_params.get(UPLOAD_PARAM)
    chosen = st.session_state.get(SESSION_FOLDER)
    if chosen and Path(chosen).is_dir():
        datastore.touch_staged(chosen)
        if token != datastore.staging_token(chosen):
            st.query_params[UPLOAD_PARAM] = datastore.staging_token(chosen)
        return
    st.session_state.pop(SESSION_FOLDER, None)
    if not token:
        return
    folder = datastore.staged_folder(token)
    if folder is not None:
        st.session_state[SESSION_FOLDER] = str(folder)
        datastore.touch_staged(folder)
        return
    del st.query_params[UPLOAD_PARAM]
    hours = datastore.STAGING_KEPT_S // 3600
    st.warning(f"The uploaded data this address named is no longer kept (an upload is kept "
               f"{hours} hours after it was last used), so the shared data folder is shown. "
               "Upload the files again on the Data page to use them.", icon=":material/history:")


def load(folder: str, fingerprint: str) -> loader.LoadResult:
    """The loaded folder for a cache key (folder, version_key)."""
    return _load(str(folder), fingerprint)


def fingerprint_of(version: str) -> str:
    """The folder's own fingerprint in a version_key, without the engine."""
    return version.split(" ", 1)[0]


def version_key(folder: Path) -> str:
    """What the data's caches are keyed on: the folder's fingerprint, and the engine and store
    when they are not the defaults (PROXYLENS_ENGINE, PROXYLENS_STORE: each answers from its
    own copy of the events, so one's cached answers are never served as another's)."""
    fingerprint = loader.folder_fingerprint(folder)
    engine = engines.engine_name()
    store = os.environ.get(eventstore.STORE_ENV, "").strip().lower()
    if engine == "duckdb" and not store:
        return fingerprint
    return f"{fingerprint} ({', '.join(x for x in (engine, store) if x)})"


_PREPARING: dict[tuple[str, str], dict] = {}  # (folder, fingerprint) -> its progress
_PREPARING_LOCK = threading.Lock()


def prepare_events() -> None:
    """Before anything reads the data: when the active folder's events are to be prepared on
    disk for the first time (millions of them, a minute or more), prepare them with a progress
    bar saying how far along it is; the cached load then opens the prepared database.

    The preparation runs in a thread of its own, shared by every session of this server: a
    click or a closed tab stops the page, not the preparation, and a session that comes while
    it runs watches the same bar."""
    folder = active_folder()
    fingerprint = loader.folder_fingerprint(folder)
    key = (str(folder), fingerprint)
    with _PREPARING_LOCK:
        state = _PREPARING.get(key)
        if state is None:
            total = eventstore.needs_preparing(folder, fingerprint)
            if not total:
                return
            state = {"done": 0, "total": total}
            last_good = datastore.last_good_dir(folder) if _keeps_history(folder) else None
            worker = threading.Thread(target=_prepare, daemon=True, name="proxylens-prepare",
                                      args=(key, state, folder, fingerprint, last_good))
            state["thread"] = worker
            _PREPARING[key] = state
            worker.start()
    bar = st.progress(0.0, text=_preparing_text(state["done"], state["total"]))
    while state["thread"].is_alive():
        bar.progress(min(state["done"] / state["total"], 1.0) if state["total"] else 1.0,
                     text=_preparing_text(state["done"], state["total"]))
        time.sleep(0.5)
    bar.empty()


def _prepare(key, state: dict, folder: Path, fingerprint: str, last_good) -> None:
    def told(done: int, total: int) -> None:
        state["done"], state["total"] = done, total
    try:
        eventstore.load_folder(folder, fingerprint, last_good=last_good, progress=told)
    except Exception:  # noqa: BLE001 - the cached load that follows meets it and reports it
        pass
    finally:
        with _PREPARING_LOCK:
            _PREPARING.pop(key, None)


def _preparing_text(done: int, total: int) -> str:
    return (f"Preparing the {total:,} events of this data version for DuckDB, once (later "
            f"starts open it at once): {done:,} checked and stored"
            + (f", {done / total:.0%}" if total else ""))


def current_result() -> loader.LoadResult:
    folder = active_folder()
    return load(str(folder), version_key(folder))
