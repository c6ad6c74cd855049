"""The Excel workbook of a view, for an analyst: names instead of ids, dates as dates with
their precision beside them, sized columns, a frozen header with filters, and sheets for the
filters and the sources. No Streamlit import.
"""

from __future__ import annotations

import io
from datetime import datetime, timezone

import pandas as pd
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from components import exports, grades
from components.network import period_text

MAX_WIDTH, MIN_WIDTH = 60, 8  # column widths, in characters
WRAPPED = {"what happened", "description", "says", "notes", "sources"}
DATE_FORMAT = "yyyy-mm-dd"


def events_sheet(events: pd.DataFrame, names: dict[str, str], sources: pd.DataFrame
                 ) -> pd.DataFrame:
    """Labelled events (views.with_event_labels) as a sheet: the first day the source allows as
    a real date, with the precision and the date as the source gives it beside it."""
    titles = _source_titles(sources)
    def actor(value) -> str:
        return names.get(value, value) if isinstance(value, str) else ""

    frame = pd.DataFrame({
        "date (first day)": pd.to_datetime(events["span_start"]).dt.tz_localize(None)
        if len(events) else pd.Series(dtype="datetime64[ns]"),
        "precision": events["time_precision"].astype(object).replace("", "undated"),
        "date as the source gives it": events["date_text"].astype(object),
        "type": events["event_type"].astype(object),
        "place": events["place_name"].astype(object),
        "province": events["admin1"].astype(object),
        "country": events["place_country"].astype(object),
        "first actor": events["actor1"].map(actor),
        "second actor": events["actor2"].map(actor),
        "others involved": events["assoc_actors"].map(
            lambda ids: "; ".join(actor(a) for a in ids) if isinstance(ids, tuple) else ""),
        "claim status": events["claim_status"].astype(object),
        "grade": events["grade"].astype(object).map(grades.grade_words),
        "fatalities": events["fatalities"],
        "what happened": events["description"].astype(object),
        "sources": events["source_ids"].map(lambda ids: titles_text(ids, titles)),
        "where in the sources": events["source_locator"].astype(object),
        "event id": events["event_id"].astype(object),
    })
    return frame.sort_values("date (first day)", na_position="last", kind="stable")


def relations_sheet(relations: pd.DataFrame, names: dict[str, str], sources: pd.DataFrame
                    ) -> pd.DataFrame:
    titles = _source_titles(sources)
    return pd.DataFrame({
        "from": relations["source"].map(lambda a: names.get(a, a)),
        "relation": relations["relation"],
        "to": relations["target"].map(lambda a: names.get(a, a)),
        "period": [period_text(s, e) for s, e in zip(relations["start_date"],
                                                      relations["end_date"])],
        "claim status": relations["claim_status"],
        "grade": relations["grade"].astype(object).map(grades.grade_words)
        if "grade" in relations else "",
        "says": relations["description"],
        "sources": relations["source_ids"].map(lambda ids: titles_text(ids, titles)),
        "where in the sources": relations["source_locator"],
        "relation id": relations["relation_id"],
    })


def actors_sheet(actors: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    titles = _source_titles(sources)
    return pd.DataFrame({
        "name": actors["name"],
        "type": actors["actor_type"],
        "country": actors["country"],
        "side": actors["side"],
        "also known as": actors["aliases"].map(
            lambda v: "; ".join(v) if isinstance(v, tuple) else v),
        "active": [period_text(s, e) for s, e in zip(actors["active_from"], actors["active_to"])],
        "description": actors["description"],
        "sources": actors["source_ids"].map(lambda ids: titles_text(ids, titles)),
        "actor id": actors["actor_id"],
    }).sort_values("name", key=lambda s: s.str.lower())


def about_sheet(view: str, filter_lines: list[str], fingerprint: str, title: str) -> pd.DataFrame:
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    rows = [("record", title), ("view", view), ("exported", when),
            ("data version", fingerprint)]
    rows += [("filter", line) for line in filter_lines] or [("filter", "none: everything")]
    return pd.DataFrame(rows, columns=["what", "value"])


def titles_text(ids, titles: dict[str, str]) -> str:
    return "; ".join(titles.get(s, s) for s in (ids or ()))


def _source_titles(sources: pd.DataFrame) -> dict[str, str]:
    return {row.source_id: f"{row.title} ({row.reliability})" for row in sources.itertuples()}


def workbook_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """The sheets (formula-like text neutralised) with a frozen, bold header, a filter on every
    column, dates shown as dates and columns sized to their content."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            exports.neutralise(frame).to_excel(writer, sheet_name=name[:31], index=False)
            sheet = writer.sheets[name[:31]]
            _format(sheet, frame)
    return buffer.getvalue()


def _format(sheet, frame: pd.DataFrame) -> None:
    sheet.freeze_panes = "A2"
    if len(frame.columns):
        sheet.auto_filter.ref = sheet.dimensions
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, column in enumerate(frame.columns, start=1):
        letter = get_column_letter(index)
        values = frame[column]
        is_date = pd.api.types.is_datetime64_any_dtype(values)
        lengths = values.astype(object).fillna("").astype(str).str.len()
        longest = 10 if is_date else int(lengths.max()) if len(lengths) else 0
        width = max(MIN_WIDTH, min(MAX_WIDTH, max(longest, len(str(column))) + 2))
        sheet.column_dimensions[letter].width = width
        if is_date or column in WRAPPED:
            for cell in sheet[letter][1:]:
                if is_date:
                    cell.number_format = DATE_FORMAT
                else:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")


def file_name(view: str, extension: str, today: datetime | None = None) -> str:
    """'proxylens-map-2026-11-30.xlsx': named after the view and the day."""
    day = (today or datetime.now(timezone.utc)).strftime("%Y-%m-%d")
    slug = "".join(ch if ch.isalnum() else "-" for ch in view.lower()).strip("-") or "view"
    return f"proxylens-{slug}-{day}.{extension}"
