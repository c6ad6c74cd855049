"""Briefings: steps kept as data, each a filter value plus words. No Streamlit import.

A step carries every filter the sidebar has (components.filterdefs declares which columns carry
each), so it narrows the data exactly as the sidebar would: a briefing step and a shared link
of the same view show the same thing.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
from pathlib import Path

import pandas as pd

from components import contract, filterdefs
from components.filters import Filters

ALL_VIEWS = tuple(contract.VOCABULARIES["view"])
# shown when a step names none: the three linked views ("compare" and "flows" are asked for
# by name)
VIEWS = tuple(v for v in ALL_VIEWS if v not in ("compare", "flows"))
COLUMNS = contract.BRIEFING.column_names


def steps(briefing: pd.DataFrame) -> list[dict]:
    """The steps in order, as plain dicts (lists as tuples)."""
    return [row._asdict() for row in briefing.itertuples(index=False)] if len(briefing) else []


def step_filters(step: dict) -> Filters:
    """The filters the step's columns carry."""
    return filterdefs.from_step(step)


def step_views(step: dict) -> tuple[str, ...]:
    chosen = tuple(v for v in (step.get("views") or ()) if v in ALL_VIEWS)
    return chosen or VIEWS


def step_map_view(step: dict) -> dict | None:
    """The step's own map centre and zoom, when all three are given."""
    values = [step.get(k) for k in ("map_latitude", "map_longitude", "map_zoom")]
    if any(v is None or pd.isna(v) for v in values):
        return None
    return {"latitude": float(values[0]), "longitude": float(values[1]), "zoom": float(values[2])}


STEP_MAP_HEIGHT_PX = 460  # the height a step's own map view (map_zoom) is chosen for


def view_for_height(view: dict | None, height_px: int) -> dict | None:
    """A step's own map view for a shorter map: zoomed out so that it shows as much, from
    north to south, as at the height it was chosen for (its places stay on the map)."""
    if view is None or height_px >= STEP_MAP_HEIGHT_PX:
        return view
    return {**view, "zoom": round(view["zoom"] - math.log2(STEP_MAP_HEIGHT_PX / height_px), 2)}


def step_from_filters(number: int, title: str, narrative: str, filters: Filters,
                      views: tuple[str, ...] = VIEWS) -> dict:
    """A new step that reproduces the current view: every filter, in its columns."""
    return {
        "step": str(number),
        "title": title,
        "narrative": narrative,
        **filterdefs.to_step(filters),
        "views": tuple(views),
        "map_latitude": None, "map_longitude": None, "map_zoom": None,
        "evidence": (),
    }


def renumber(step_list: list[dict]) -> list[dict]:
    return [{**s, "step": str(i + 1)} for i, s in enumerate(step_list)]


def move(step_list: list[dict], index: int, offset: int) -> list[dict]:
    target = index + offset
    if not 0 <= index < len(step_list) or not 0 <= target < len(step_list):
        return step_list
    moved = list(step_list)
    moved[index], moved[target] = moved[target], moved[index]
    return renumber(moved)


def _cell(value) -> str:
    """A step's value as briefing.csv holds it."""
    if isinstance(value, (tuple, list)):
        return contract.LIST_SEPARATOR.join(value)
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return value


def to_csv_text(step_list: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for step in step_list:
        writer.writerow({column: _cell(step.get(column)) for column in COLUMNS})
    return out.getvalue()


def _content(step: dict) -> tuple:
    """What a step says and shows: every column but its number and recorded data version."""
    return tuple(str(_cell(step.get(column))) for column in COLUMNS
                 if column not in ("step", "data_version"))


def stamped(step_list: list[dict], saved: list[dict], data_version: str,
            all_checked: bool = False) -> list[dict]:
    """The steps as they are to be saved: a step equal to one of the `saved` steps (in every
    column but its number and version) keeps the data version that step records, since nobody
    looked at it again against the current data; a step added or edited since, or one that
    records no version yet, gets `data_version` (evidence.data_version). `all_checked` (the
    person saving says every step was checked against the current data) gives every step
    `data_version`."""
    recorded: dict[tuple, list[str]] = {}
    for step in saved:
        value = step.get("data_version")
        recorded.setdefault(_content(step), []).append(
            value.strip() if isinstance(value, str) else "")
    out = []
    for step in step_list:
        versions = recorded.get(_content(step))
        kept = versions.pop(0) if versions and not all_checked else ""
        out.append({**step, "data_version": kept or data_version})
    return out


MAIN = contract.BRIEFING.filename  # the folder's own briefing; others are named
NAMED_PREFIX = "briefing-"


def named_briefings(folder: str | os.PathLike) -> dict[str, str]:
    """Every briefing of a folder, file name -> how it is listed: briefing.csv first (when it
    exists), then each briefing-<name>.csv by name."""
    folder = Path(folder)
    found = {MAIN: "Main briefing"} if (folder / MAIN).exists() else {}
    for path in sorted(folder.glob(f"{NAMED_PREFIX}*.csv")):
        found[path.name] = path.stem[len(NAMED_PREFIX):].replace("-", " ")
    return found


def file_for_name(name: str) -> str:
    """The file a new briefing called `name` is saved as ("Basra 2008" -> briefing-basra-2008.csv);
    an empty name is the main briefing."""
    slug = "-".join(re.findall(r"[a-z0-9]+", name.lower()))[:60]
    return f"{NAMED_PREFIX}{slug}.csv" if slug else MAIN


def save(step_list: list[dict], folder: str | os.PathLike, filename: str = MAIN,
         data_version: str | None = None) -> Path:
    """Write a briefing atomically; the replaced version goes to the folder's history, as
    every saved table's does (the Data page lists and restores it), so each named briefing
    keeps its own versions. Each step's `data_version` is written as the step holds it (see
    `stamped`: the Briefing page's save); a `data_version` given here is recorded on every
    step instead (components.basis keeps what the steps rest on)."""
    from components.datastore import save_file

    if filename != MAIN and not (filename.startswith(NAMED_PREFIX)
                                 and filename == file_for_name(filename[len(NAMED_PREFIX):-4])):
        raise ValueError(f"{filename} is not a briefing's file name")
    if data_version is not None:
        step_list = [{**step, "data_version": data_version} for step in step_list]
    save_file(folder, filename, to_csv_text(step_list).encode("utf-8"))
    return Path(folder) / filename
