"""Exports: charts as PNG and SVG, a static map, tables as CSV and Excel, a self-contained HTML
report. No Streamlit import.

Everything that leaves the app is safe to open: spreadsheet cells that would start a formula are
neutralised, and every piece of data text in the HTML report is escaped.
"""

from __future__ import annotations

import copy
import html
import io
import math
import re
from datetime import datetime, timezone

import pandas as pd
import vl_convert as vlc

from components import contract, geography, palette

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# --------------------------------------------------------------------------------------------
# Tables


def flatten(frame: pd.DataFrame, drop: set[str] | None = None) -> pd.DataFrame:
    """Lists joined with '; ', helper columns dropped: the table as a spreadsheet should see it."""
    out = frame.drop(columns=[c for c in frame.columns if c in (drop or set()) or c.startswith("_")])
    for column in out.columns:
        if out[column].dtype == object and out[column].map(
                lambda v: isinstance(v, (tuple, list))).any():
            out[column] = out[column].map(lambda v: "; ".join(map(str, v))
                                          if isinstance(v, (tuple, list)) else v)
    return out


_CONTROL = re.compile(contract.CONTROL_CHARACTERS)


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that a spreadsheet would run as a formula with an apostrophe, and
    leave out the control characters no spreadsheet cell can hold (the loader reports them)."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(_safe_cell)
    return out


def _safe_cell(value):
    if not isinstance(value, str):
        return value
    value = _CONTROL.sub("", value)
    return "'" + value if value.startswith(FORMULA_START) else value


def csv_bytes(frame: pd.DataFrame) -> bytes:
    # utf-8-sig so that Excel opens accented names correctly
    return neutralise(frame).to_csv(index=False).encode("utf-8-sig")


def excel_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            safe = neutralise(frame)
            for column in safe.columns:
                if pd.api.types.is_datetime64_any_dtype(safe[column]):
                    safe[column] = safe[column].dt.tz_localize(None) if safe[column].dt.tz else safe[column]
            safe.to_excel(writer, sheet_name=name[:31], index=False)
    return buffer.getvalue()


# --------------------------------------------------------------------------------------------
# Charts


def fixed_width(spec: dict, width: int = 1100) -> dict:
    """A copy of a chart spec with a fixed width (container widths mean nothing off screen)."""
    out = copy.deepcopy(spec)
    out["width"] = width
    out.pop("autosize", None)
    return out


def chart_svg(spec: dict, width: int = 1100) -> str:
    return vlc.vegalite_to_svg(fixed_width(spec, width))


def chart_png(spec: dict, width: int = 1100, scale: float = 2) -> bytes:
    return vlc.vegalite_to_png(fixed_width(spec, width), scale=scale)


def static_map_spec(places: pd.DataFrame, arcs: pd.DataFrame, view: dict,
                    boundaries: dict | None, colour_by: str, width: int = 1000,
                    height: int = 640) -> dict:
    """The map as a Vega-Lite chart: the shipped outlines of the region (land, sea, lakes,
    rivers, provinces, borders, coast, country names), a data folder's own boundaries, arcs,
    circles (rings for region/country), labels.

    Uses the same Web Mercator centre and zoom as the interactive map.
    """
    scale = 512 * 2 ** view["zoom"] / (2 * math.pi)
    projection = {"type": "mercator", "scale": scale,
                  "center": [view["longitude"], view["latitude"]],
                  "translate": [width / 2, height / 2]}
    points = list(zip(places["lon"], places["lat"])) if not places.empty else []
    geo = geography.outlines(view, width, height, points)
    taken = geography.place_boxes(view, places) + geography.arc_end_boxes(view, arcs)
    layers: list[dict] = static_outline_layers(geo, view, (width, height), taken)
    if boundaries:
        features = boundaries.get("features", [boundaries])
        layers.append({"data": {"values": features, "format": {"type": "json"}},
                       "mark": {"type": "geoshape", "fill": "#f2f2ee", "fillOpacity": 0.35,
                                "stroke": "#8a8a8a", "strokeWidth": 0.7, "clip": True}})
    if not arcs.empty:
        layers.append({
            "data": {"values": arcs[["from_lat", "from_lon", "to_lat", "to_lon", "events"]].to_dict("records")},
            "mark": {"type": "rule", "color": palette.ORANGE, "strokeWidth": 2, "opacity": 0.8},
            "encoding": {"longitude": {"field": "from_lon", "type": "quantitative"},
                         "latitude": {"field": "from_lat", "type": "quantitative"},
                         "longitude2": {"field": "to_lon"}, "latitude2": {"field": "to_lat"}},
        })
    if not places.empty:
        scheme = palette.SCHEMES[colour_by]
        present = list(dict.fromkeys(places["key"]))
        present = [k for k in scheme if k in present] + [k for k in present if k not in scheme]
        rows = places[["name", "lat", "lon", "events", "key", "filled", "radius"]].copy()
        rows["area"] = (rows["radius"] ** 2 * math.pi).round(1)
        rows["filled"] = rows["filled"].astype(bool)
        colour = {"field": "key", "type": "nominal", "title": colour_by.capitalize(),
                  "scale": {"domain": present, "range": [scheme.get(k, scheme["other"]) for k in present]}}
        common = {"longitude": {"field": "lon", "type": "quantitative"},
                  "latitude": {"field": "lat", "type": "quantitative"},
                  "size": {"field": "area", "type": "quantitative", "scale": None}}
        filled = rows[rows["filled"]].to_dict("records")
        rings = rows[~rows["filled"]].to_dict("records")
        if filled:
            layers.append({"data": {"values": filled},
                           "mark": {"type": "circle", "opacity": 0.85, "stroke": "white"},
                           "encoding": {**common, "color": colour}})
        if rings:
            layers.append({"data": {"values": rings},
                           "mark": {"type": "point", "shape": "circle", "filled": False,
                                    "strokeWidth": 3},
                           "encoding": {**common, "color": colour}})
        labelled = places[places.get("label", places["name"]) != ""] if "label" in places else places
        layers.append({"data": {"values": labelled[["name", "lat", "lon", "radius"]].to_dict("records")},
                       "mark": {"type": "text", "fontSize": 12, "dy": -16, "color": "#222"},
                       "encoding": {"longitude": {"field": "lon", "type": "quantitative"},
                                    "latitude": {"field": "lat", "type": "quantitative"},
                                    "text": {"field": "name"}}})
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "width": width, "height": height, "projection": projection, "layer": layers,
        "title": {"text": "Map", "subtitle": "Filled: at the named place; ring: placed only to "
                  "a region or country; orange lines: cross-border movements the data states.",
                  "anchor": "start"},
        "config": {"view": {"stroke": "#ccc"}},
    }


SEA, LAND, LAKE = "#dfebf3", "#f6f5f0", "#dfebf3"
STATIC_OUTLINES = (  # kind, mark properties; drawn in this order, over the sea
    ("land", {"fill": LAND, "stroke": None}),
    ("lakes", {"fill": LAKE, "stroke": None}),
    ("rivers", {"filled": False, "stroke": "#96bede", "strokeWidth": 0.8}),
    ("provinces", {"filled": False, "stroke": "#bdbdb6", "strokeWidth": 0.6,
                   "strokeDash": [3, 2]}),
    ("borders", {"filled": False, "stroke": "#8c8c8c", "strokeWidth": 0.9}),
    ("coastline", {"filled": False, "stroke": "#84a8c4", "strokeWidth": 0.8}),
)


def static_outline_layers(geo: dict, view: dict, size: tuple[float, float],
                          taken: list = ()) -> list[dict]:
    """Vega-Lite geoshape layers of the shipped outlines (components.geography) over the sea,
    clipped to the plot, and the names of the countries large enough for the zoom that fall on
    no place or label (`taken`)."""
    layers = [{"data": {"sphere": True},
               "mark": {"type": "geoshape", "fill": SEA, "stroke": None, "clip": True}}]
    for kind, mark in STATIC_OUTLINES:
        features = geo[kind]["features"]
        if features:
            layers.append({"data": {"values": features, "format": {"type": "json"}},
                           "mark": {"type": "geoshape", "clip": True, **mark}})
    shown = geography.clear_names([n for n in geo["country_names"]
                                   if n["min_label"] <= view["zoom"] + 1], view, taken, size)
    names = [{"name": n["name"].upper(), "lon": n["lon"], "lat": n["lat"]} for n in shown]
    if names:
        layers.append({"data": {"values": names},
                       "mark": {"type": "text", "fontSize": 10, "fontWeight": 600,
                                "color": "#8a8a84", "clip": True},
                       "encoding": {"longitude": {"field": "lon", "type": "quantitative"},
                                    "latitude": {"field": "lat", "type": "quantitative"},
                                    "text": {"field": "name"}}})
    return layers


def map_png(spec: dict) -> bytes:
    return vlc.vegalite_to_png(spec, scale=2)


def map_svg(spec: dict) -> str:
    return vlc.vegalite_to_svg(spec)


def svg_png(svg: str, scale: float = 2) -> bytes:
    """A drawing made as SVG (the support flows), as a PNG."""
    return vlc.svg_to_png(svg, scale=scale)


# --------------------------------------------------------------------------------------------
# The HTML report


def markdown_to_html(text: str) -> str:
    """A small, safe subset of markdown: paragraphs, '- ' lists, **bold**, *italic*.
    The text is escaped first, so nothing in it can become markup of its own."""
    blocks = re.split(r"\n\s*\n", str(text).strip())
    out = []
    for block in blocks:
        lines = [html.escape(line) for line in block.splitlines()]
        lines = [re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", line) for line in lines]
        lines = [re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"<em>\1</em>", line)
                 for line in lines]
        if lines and all(line.lstrip().startswith(("- ", "* ")) for line in lines):
            items = "".join(f"<li>{line.lstrip()[2:]}</li>" for line in lines)
            out.append(f"<ul>{items}</ul>")
        elif lines:
            out.append(f"<p>{'<br>'.join(lines)}</p>")
    return "\n".join(out)


REPORT_CSS = """
body{font-family:'DejaVu Sans','Liberation Sans',Arial,sans-serif;margin:2rem auto;max-width:1150px;color:#222;line-height:1.45}
h1{font-size:1.9rem;margin-bottom:.2rem} h2{margin-top:2.2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}
.meta{color:#555;font-size:.9rem} .filters{background:#f6f6f3;padding:.6rem 1rem;border-radius:6px}
table{border-collapse:collapse;font-size:.82rem;margin:.6rem 0;width:100%}
th,td{border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top} th{background:#f0f0ec}
.chart{margin:1rem 0;overflow-x:auto} .narrative{font-size:1.05rem}
"""


def report_html(title: str, generated_for: str, filter_lines: list[str],
                sections: list[dict], sources: pd.DataFrame, data_version: str = "") -> str:
    """A self-contained page: no script, no external file, every data text escaped;
    `data_version` (evidence.data_version) is stated under the title.

    Each section: {"heading", "narrative" (markdown, optional), "charts" (SVG strings),
    "tables" ({caption: DataFrame})}.
    """
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">",
        f"<title>{html.escape(title)}</title><style>{REPORT_CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f'<p class="meta">ProxyLens report, {html.escape(generated_for)}, generated {when}'
        + (f", data version {html.escape(data_version)}" if data_version else "") + ".</p>",
        '<div class="filters"><strong>Filters:</strong> '
        + ("; ".join(html.escape(line) for line in filter_lines) or "none: everything is shown")
        + "</div>",
    ]
    for section in sections:
        parts.append(f"<h2>{html.escape(section['heading'])}</h2>")
        if section.get("narrative"):
            parts.append(f'<div class="narrative">{markdown_to_html(section["narrative"])}</div>')
        for svg in section.get("charts", []):
            parts.append(f'<div class="chart">{_strip_xml_header(svg)}</div>')
        for caption, frame in section.get("tables", {}).items():
            parts.append(f"<h3>{html.escape(caption)} ({len(frame)})</h3>")
            parts.append(frame.to_html(index=False, escape=True, na_rep="", border=0))
    parts.append("<h2>Sources</h2>")
    parts.append(sources.to_html(index=False, escape=True, na_rep="", border=0))
    parts.append("</body></html>")
    return "\n".join(parts)


def _strip_xml_header(svg: str) -> str:
    return re.sub(r"^<\?xml[^>]*>\s*", "", svg)
