"""What the Briefing page says about the data a briefing was saved against (components.basis):
a warning on each step resting on rows that changed since, and one notice for the briefing."""

from __future__ import annotations

import re

import streamlit as st

from components import basis
from components.wording import agreeing, numbered
from components.ui import cards, data_access
from components.ui.context import PageContext


def data_check(ctx: PageContext, steps: list[dict]) -> basis.BriefingCheck:
    """Whether the data changed since the steps were saved, and what, for each step."""
    keys = tuple((basis.recorded_version(s), basis.signature(s)) for s in steps)
    return _data_check(str(data_access.active_folder()), ctx.fingerprint, ctx.data_version,
                       keys, ctx.dataset, steps)


@st.cache_data(max_entries=16, show_spinner="Comparing the data with what the briefing was "
               "saved against…")
def _data_check(folder: str, fingerprint: str, current: str, keys: tuple, _dataset, _steps
                ) -> basis.BriefingCheck:
    # keyed on the data (its fingerprint) and each step's recorded version and signature,
    # which are all a step's check depends on
    return basis.check(folder, _dataset, _steps, current)


def data_warning(check: basis.BriefingCheck, step: dict, index: int) -> None:
    """On a step resting on rows that changed since the briefing was saved: which, by id,
    with the fields."""
    if index in check.not_kept:
        st.warning(f"**The data changed since this step was saved** (data version "
                   f"{shown(basis.recorded_version(step))} then, `{check.current}` now), and "
                   "what it rested on is not kept on this server (the briefing was saved on "
                   "another server or for another data folder, or restored from an older "
                   "version), so which of its rows changed cannot be named.",
                   icon=":material/history:")
        return
    changes = check.changes.get(index)
    if not changes:
        unverified = check.unverified.get(index)
        if unverified is not None:  # kept as a number only, and the same number now
            st.caption(":material/help: " + " ".join(
                cards.escape(line) for line in basis.change_lines(unverified)))
        return
    lines = "\n".join(f"- {cards.escape(line)}" for line in basis.change_lines(changes))
    st.warning(f"**The data changed since this step was saved, and so did rows it rests on** "
               f"(data version {shown(basis.recorded_version(step))} then, "
               f"`{check.current}` now): what it shows may differ from what was said.\n\n"
               f"{lines}", icon=":material/difference:")


def data_check_notice(check: basis.BriefingCheck) -> None:
    """Once per briefing: no version recorded, the data changed (and which steps it touches),
    or a basis not kept here."""
    def numbers(indexes) -> list[int]:
        return [i + 1 for i in indexes]

    if check.nothing_recorded:
        st.caption(":material/info: This briefing records no data version (it was written by "
                   "hand, or saved before ProxyLens recorded one), so if the data changed "
                   "since, its steps cannot say what. Saving it from *Build or edit the "
                   f"briefing* records the current one (`{check.current}`).")
        return
    if check.unrecorded:
        n = len(check.unrecorded)
        st.caption(f":material/info: {numbered('Step', numbers(check.unrecorded))} "
                   f"{agreeing(n, 'records', 'record')} no data version (added since the "
                   f"briefing was saved): {agreeing(n, 'it is', 'they are')} not compared.")
    if not check.data_changed:
        return
    then = ", ".join(shown(v) for v in check.recorded if v != check.current)
    if check.not_kept:  # each of those steps says so too (data_warning)
        st.caption(f":material/history: This briefing was saved against data version {then}; "
                   f"the data is now `{check.current}`. What "
                   f"{numbered('step', numbers(check.not_kept))} rested on was not kept on "
                   "this server (it is kept in the state folder of the server and data folder where the briefing "
                   "was saved), so the rows that changed cannot be named.")
    unknown = sorted(set(check.unverified) - set(check.changes))
    if unknown:
        n = len(unknown)
        st.caption(f":material/help: {numbered('Step', numbers(unknown))} "
                   f"{agreeing(n, 'rests', 'rest')} on more rows than were kept one by one when "
                   f"{agreeing(n, 'it was', 'they were')} saved, and "
                   f"{agreeing(n, 'was', 'were')} saved before ProxyLens kept a digest of them "
                   "all: whether those rows changed cannot be said.")
    if check.changes:
        rest = ("the other steps' rows are as they were" if not (check.not_kept or unknown)
                else "of the others, the rows that could be compared are as they were")
        st.caption(f":material/difference: The data changed since this briefing was saved "
                   f"(version {then} then, `{check.current}` now): "
                   f"{numbered('step', numbers(sorted(check.changes)))} "
                   + agreeing(len(check.changes), "rests on rows that changed, and says",
                              "rest on rows that changed, and each says")
                   + f" which; {rest}.")
    elif not check.not_kept and not unknown:
        st.caption(f":material/check: The data changed since this briefing was saved (version "
                   f"{then} then, `{check.current}` now), but none of the rows its steps rest "
                   "on did.")


def shown(version: str) -> str:
    """A recorded data version in markdown: as code when it looks like one, else escaped (a
    hand-edited briefing.csv may hold anything)."""
    return f"`{version}`" if re.fullmatch(r"[0-9a-f]{1,64}", version) else cards.escape(version)
