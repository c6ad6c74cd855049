"""The network as it stood on a given date. No Streamlit import.

A relation is active on a date when its period covers it: started on or before the date (or no
start given but an end on or after it) and not ended before it. Relations the sources give no
dates for cannot be placed in time; they are counted apart and left out of the "as of" view.
An actor is "not yet active" before its active_from and "no longer active" after its active_to
(the Special Groups' leaders after their capture, for example).
"""

from __future__ import annotations

from datetime import date

import pandas as pd

ACTIVE, NOT_YET, ENDED, UNKNOWN = "active", "not yet active", "no longer active", "dates not given"


def relations_as_of(relations: pd.DataFrame, on: date) -> tuple[pd.DataFrame, int]:
    """Relations active on the date, and how many undated relations were left out."""
    when = pd.Timestamp(on)
    start, end = relations["period_start"], relations["period_end"]
    dated = start.notna() | end.notna()
    started = start.isna() | (start <= when)
    not_ended = end.isna() | (end >= when)
    return relations[dated & started & not_ended], int((~dated).sum())


def actor_status_as_of(actors: pd.DataFrame, on: date) -> pd.Series:
    """Status of every actor on the date, indexed by actor_id."""
    when = pd.Timestamp(on)
    status = pd.Series(UNKNOWN, index=actors["actor_id"].to_numpy(), dtype=object)
    start = actors["active_start"].to_numpy()
    end = actors["active_end"].to_numpy()
    for i, actor_id in enumerate(actors["actor_id"]):
        s, e = pd.Timestamp(start[i]), pd.Timestamp(end[i])
        if pd.notna(s) and s > when:
            status[actor_id] = NOT_YET
        elif pd.notna(e) and e < when:
            status[actor_id] = ENDED
        elif pd.notna(s) or pd.notna(e):
            status[actor_id] = ACTIVE
    return status


def month_steps(first: date, last: date) -> list[date]:
    """The first day of every month from first to last, for the 'as of' slider."""
    months = pd.date_range(pd.Timestamp(first).to_period("M").to_timestamp(),
                           pd.Timestamp(last), freq="MS")
    return [m.date() for m in months]
