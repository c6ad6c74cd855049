"""The Data page's pieces: swapping files in (upload, validate, diff, apply), history, templates."""

from __future__ import annotations

import hashlib
import weakref
from pathlib import Path

import pandas as pd
import streamlit as st

from components import contract, datastore, eventstore, loader
from components.ui import data_access, writers

UPLOAD_TYPES = ["csv", "xlsx", "zip", "geojson"]


STAGED = "staged-upload"  # this session's last upload: (its key, the staged folder)


class _StagingHolder:
    """Held in a session's state: when the session ends and its state is dropped, the upload
    it staged goes too, unless the session chose to use it (its address reopens it)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        weakref.finalize(self, datastore.discard_unless_used, folder)


def _stage(current: str, current_fingerprint: str, uploads: tuple[tuple[str, str], ...],
           contents: tuple[bytes, ...], mode: str = "add",
           rejected: frozenset = frozenset()) -> datastore.Staged:
    """The upload checked in a staging folder of this session's own (two sessions uploading
    the same bytes never share one), staged once per upload: keyed on the files' names and
    digests, the current data's version, and how an export is taken (added, with the matches
    turned down, or replacing the data)."""
    key = (current, current_fingerprint, uploads, mode, rejected)
    kept = st.session_state.get(STAGED)
    if kept and kept[0] == key and kept[1].folder.is_dir():
        return kept[1]
    if kept:  # a new upload replaces the last one
        datastore.discard_unless_used(kept[1].folder)
    with st.spinner("Checking the uploaded files…"):
        staged = datastore.stage_upload(current, list(zip([n for n, _ in uploads], contents)),
                                        mode=mode, rejected=rejected)
    st.session_state[STAGED] = (key, staged)
    st.session_state[STAGED + "-holder"] = _StagingHolder(staged.folder)
    return staged


def session_banner() -> None:
    if data_access.using_session_data():
        hours = datastore.STAGING_KEPT_S // 3600
        st.info("This browser session is using uploaded data; other users still see the shared "
                "data folder. This page's address names the upload, so a reload (or anyone you "
                f"give the address) reopens it, for {hours} hours after it was last used.",
                icon=":material/person:")
        st.button("Go back to the shared data", on_click=data_access.back_to_shared,
                  icon=":material/undo:", key="back-to-shared")


def swap_in(result: loader.LoadResult) -> None:
    """Upload, check, compare, then use for this session or save to the data folder."""
    st.subheader("Swap in updated files")
    st.caption("Upload one or more tables (CSV or Excel .xlsx, named after the table: "
               "events.csv, actors.xlsx ...), a zip of a whole data folder, or an ACLED or UCDP "
               "export. Nothing changes until you choose below.")
    writing = writers.sign_in_panel("data-writer")
    files = st.file_uploader("Files", type=UPLOAD_TYPES, accept_multiple_files=True,
                             key=f"uploads-{st.session_state.get('upload-round', 0)}")
    if not files:
        return
    contents = tuple(f.getvalue() for f in files)  # the uploaded bytes themselves, not a copy
    digests = tuple((f.name, hashlib.sha256(c).hexdigest()) for f, c in zip(files, contents))
    current = data_access.active_folder()
    mode = "add"
    if any(f.name not in datastore.TABLE_FILES for f in files):  # an export, perhaps
        mode = st.radio("An ACLED or UCDP export is", list(IMPORT_MODES), key="import-mode",
                        format_func=IMPORT_MODES.get, horizontal=True)
    matches_key = "matches-" + hashlib.sha256(repr(digests).encode()).hexdigest()[:12]
    staged = _stage(str(current), loader.folder_fingerprint(current), digests, contents, mode,
                    _rejected(matches_key))
    for message in staged.messages:
        st.warning(message, icon=":material/warning:")
    if staged.matches:
        _match_editor(staged, matches_key)
    if not staged.files:
        st.info("No table was taken from these files.")
        return
    checked = eventstore.check_upload(staged.folder)
    problems = checked.problems_frame()
    problems = problems[problems["file"].isin(staged.files)]
    errors = problems[problems["severity"] == contract.ERROR]
    st.markdown(f"**Checked:** {', '.join(sorted(set(staged.files)))}")
    if problems.empty:
        st.success("The uploaded files passed every check.", icon=":material/check_circle:")
    else:
        st.dataframe(problems, hide_index=True, width="stretch")
    changes = datastore.diff(result.dataset, checked.dataset)
    summarise_changes(changes)
    removed = datastore.removed_rows(changes, staged.files)
    confirmed = True
    if removed:
        st.error("**Saving removes rows from the data folder:** " + "; ".join(
            f"{count:,} {table}" for table, count in removed.items())
            + ". They go to the history, from which they can be restored.",
            icon=":material/delete_forever:")
        confirmed = st.checkbox("I mean to remove these rows", key="confirm-removal",
                                help="Saving stays off until this is ticked.")
    left, right = st.columns(2)
    left.button("Use for my session", on_click=_use_for_session, args=(staged.folder,),
                icon=":material/person:", key="use-session",
                help="Only this browser session sees the uploaded data.")
    blocked = datastore.write_problem(data_access.shared_folder())
    if blocked is None and data_access.using_session_data():
        # the upload was checked and compared against this session's data, not the folder's
        blocked = ("This session is using uploaded data, so this upload was checked against "
                   "it, not against the data folder: go back to the shared data (above) to "
                   "save an upload to the folder.")
    right.button("Save to the data folder", type="primary",
                 disabled=not errors.empty or not writing or blocked is not None
                 or not confirmed,
                 on_click=_save_to_folder, args=(staged, data_access.shared_folder()),
                 icon=":material/save:", key="save-folder",
                 help="Saves the files as one (all land or none) and keeps the replaced "
                 "versions in the history, from which they can be restored.")
    if not errors.empty:
        right.caption("A file with errors cannot replace good data: fix the errors above first.")
    elif blocked:
        right.caption(blocked)
    elif not writing:
        right.caption("Saving needs a writer's sign-in (above); using the files for this "
                      "session does not.")


IMPORT_MODES = {"add": "added to the current data",
                "replace": "replacing the current data (its actors, relations, claims and "
                           "briefing go)"}
MATCH_COLUMNS = ["accept", "kind", "in the export", "in the current data", "why", "file"]


def _match_editor(staged: datastore.Staged, key: str) -> None:
    """The proposed matches, each to accept (the default) or reject: a rejected actor or place
    is added as a new one."""
    rows = [{"accept": (file, m.table, m.imported_id) not in staged.rejected,
             "kind": "actor" if m.table == "actors" else "place",
             "in the export": m.imported_name, "in the current data": m.existing_name,
             "why": m.why, "file": file} for file, m in staged.matches]
    st.markdown("**Matched to what the data already has** (untick a match to add the row as "
                "a new one instead):")
    st.data_editor(pd.DataFrame(rows, columns=MATCH_COLUMNS), key=key, hide_index=True,
                   width="stretch", disabled=MATCH_COLUMNS[1:],
                   column_config={"accept": st.column_config.CheckboxColumn("accept")})
    st.session_state[key + "-proposed"] = [(file, m.table, m.imported_id)
                                           for file, m in staged.matches]


def _rejected(key: str) -> frozenset:
    """The matches unticked in the editor (by row: the proposals come in the same order
    whatever is rejected)."""
    proposed = st.session_state.get(key + "-proposed", [])
    edits = (st.session_state.get(key) or {}).get("edited_rows", {})
    return frozenset(proposed[int(row)] for row, change in edits.items()
                     if change.get("accept") is False and int(row) < len(proposed))


def summarise_changes(changes: datastore.Changes) -> None:
    if changes.empty:
        st.info("Compared with the current data, nothing changes.")
        return
    by_table: dict[str, list[str]] = {}
    for (table, change), rows in changes.counts.items():
        by_table.setdefault(table, []).append(f"{rows:,} {change}")
    sentence = "; ".join(f"{table}: {', '.join(kinds)}" for table, kinds in by_table.items())
    st.markdown(f"**Compared with the current data:** {sentence}.")
    if changes.truncated:
        st.caption(f"Listed below: the first {datastore.DIFF_LISTED:,} of each kind of change "
                   "per table, by id; the counts above are of every row.")
    st.dataframe(changes.listed, hide_index=True, width="stretch",
                 column_config={"old": st.column_config.TextColumn("old value"),
                                "new": st.column_config.TextColumn("new value")})


def _use_for_session(folder: Path) -> None:
    data_access.use_for_session(folder)
    _next_upload_round()


def _save_to_folder(staged: datastore.Staged, folder: Path) -> None:
    if (not writers.can_write() or datastore.write_problem(folder)
            or data_access.using_session_data()):  # as the button says
        return
    saved = sorted(set(staged.files))  # one save: every file lands, or none does
    try:
        datastore.save_files(folder, {name: (staged.folder / name).read_bytes()
                                      for name in saved})
    except OSError as exc:  # nothing was changed: a save lands whole or not at all
        st.session_state["save-failed"] = (
            f"Nothing was saved: {exc.strerror or exc} ({exc.filename or folder}). The data "
            "folder is as it was.")
        return
    st.session_state["saved-files"] = saved
    _next_upload_round()


def _next_upload_round() -> None:
    st.session_state["upload-round"] = st.session_state.get("upload-round", 0) + 1


def saved_notice() -> None:
    failed = st.session_state.pop("save-failed", None)
    if failed:
        st.error(failed, icon=":material/error:")
    saved = st.session_state.pop("saved-files", None)
    if saved:
        st.success(f"Saved {', '.join(saved)} to the data folder; the replaced versions are in "
                   "the history below.", icon=":material/save:")


def history(folder: Path) -> None:
    st.subheader("History")
    versions = datastore.list_history(folder)
    if versions.empty:
        st.caption("No file has been replaced yet. Every save keeps the version it replaces "
                   "here.")
        return
    st.dataframe(versions.drop(columns="path"), hide_index=True, width="stretch")
    labels = {row.path: f"{row.file}, saved {row.saved:%Y-%m-%d %H:%M:%S} UTC ({row.bytes:,} bytes)"
              + (" — damaged" if row.state == "damaged" else "")
              for row in versions.itertuples()}
    chosen = st.selectbox("Version to restore", list(labels), format_func=labels.get,
                          key="restore-choice")
    writing, blocked = writers.can_write(), datastore.write_problem(folder)
    st.button("Restore this version", on_click=_restore, args=(folder, chosen),
              icon=":material/history:", key="restore", disabled=not writing or bool(blocked),
              help="The current file goes to the history first, so nothing is lost.")
    if blocked:
        st.caption(blocked)
    elif not writing:
        st.caption("Restoring needs a writer's sign-in (under 'Swap in updated files').")
    restored = st.session_state.pop("restored", None)
    if restored:
        st.success(f"Restored {restored}.", icon=":material/history:")
    refused = st.session_state.pop("restore-refused", None)
    if refused:
        st.error(refused, icon=":material/block:")


def _restore(folder: Path, path: str) -> None:
    if not writers.can_write() or datastore.write_problem(folder):
        return
    try:
        restored = datastore.restore(folder, path)
    except datastore.RestoreRefused as refused:
        st.session_state["restore-refused"] = str(refused)
        return
    except OSError as exc:
        st.session_state["restore-refused"] = (
            f"The version was not restored: {exc.strerror or exc} ({exc.filename or path}).")
        return
    st.session_state["restored"] = restored.name


def templates() -> None:
    st.subheader("Templates and the contract")
    row = st.container(horizontal=True, gap="small")
    for table in contract.TABLES:
        header = ",".join(table.column_names) + "\n"
        row.download_button(table.filename, header.encode("utf-8"),
                            file_name=table.filename, mime="text/csv",
                            key=f"template-{table.name}", icon=":material/download:",
                            on_click="ignore", help=f"An empty {table.filename} with its header")
    readme = Path(loader.DEFAULT_DATA_DIR / "README.md")
    with st.expander("The data contract (data/README.md)", icon=":material/menu_book:"):
        st.markdown(readme.read_text(encoding="utf-8"))
