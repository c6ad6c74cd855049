"""The map: places sized by their events, cross-border arcs, outlines, labels (pydeck).

Takes the frames from components.views; knows nothing of filters.
"""

from __future__ import annotations

import base64
import html
import json
import os

import pandas as pd
import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize

from components import geography, outline_image, palette

BASEMAPS = {
    "carto": "Carto light (needs internet)",
    "none": "None (offline: the shipped outlines and labels)",
}
BASEMAP_ENV = "PROXYLENS_BASEMAP"
ARC_COLOUR = palette.rgb(palette.ORANGE, 200)
OUTLINE_COLOUR = [110, 110, 110, 200]
# the app's own typeface (Streamlit serves it, so it draws offline too), not deck.gl's monospace
LABEL_FONT = "'\"Source Sans\", Helvetica, Arial, sans-serif'"


def default_basemap() -> str:
    value = os.environ.get(BASEMAP_ENV, "carto").strip().lower()
    return value if value in BASEMAPS else "carto"


def build_deck(places: pd.DataFrame, arcs: pd.DataFrame, view: dict,
               boundaries: dict | None = None, basemap: str = "carto",
               height: int = 520, reference: pd.DataFrame | None = None,
               width_px: int = 1000) -> pdk.Deck:
    """`reference`: other known places (name, lat, lon), drawn small and grey for orientation.
    The shipped outlines of the region (components.geography) are drawn under everything, and
    a data folder's own boundaries.geojson over them."""
    points = list(zip(places["lon"], places["lat"])) if not places.empty else []
    if not arcs.empty:
        points += list(zip(arcs["from_lon"], arcs["from_lat"]))
    geo = geography.outlines(view, width_px, height, points)
    taken = geography.place_boxes(view, places) + geography.arc_end_boxes(view, arcs)
    if reference is not None and not reference.empty:  # a grey dot with its name below it
        taken += [geography.reference_box(view, lon, lat, name) for lon, lat, name
                  in zip(reference["lon"], reference["lat"], reference["name"])]
    layers = outline_layers(geo, view, basemap, taken, (width_px, height))
    if boundaries:
        layers.append(pdk.Layer(
            "GeoJsonLayer", boundaries, id="boundaries", stroked=True, filled=True,
            get_fill_color=[235, 235, 230, 90], get_line_color=OUTLINE_COLOUR,
            line_width_min_pixels=1, pickable=False,
        ))
    if reference is not None and not reference.empty:
        layers.append(pdk.Layer(
            "ScatterplotLayer", reference, id="reference", get_position=["lon", "lat"],
            get_radius=3, radius_units="'pixels'", get_fill_color=[120, 120, 120, 200],
            pickable=False,
        ))
        layers.append(pdk.Layer(
            "TextLayer", reference, id="reference-labels", get_position=["lon", "lat"],
            get_text="name", get_size=11, get_color=[110, 110, 110, 255], font_family=LABEL_FONT,
            get_pixel_offset=[0, 10], pickable=False,
        ))
    if not arcs.empty:
        layers.append(pdk.Layer(
            "ArcLayer", arcs, id="arcs", get_source_position=["from_lon", "from_lat"],
            get_target_position=["to_lon", "to_lat"], get_source_color=ARC_COLOUR,
            get_target_color=ARC_COLOUR, get_width="1.5 + events", width_min_pixels=2,
            pickable=True, auto_highlight=True,
        ))
    filled = places[places["filled"]] if not places.empty else places
    rings = places[~places["filled"]] if not places.empty else places
    layers.append(pdk.Layer(
        "ScatterplotLayer", filled, id="places", get_position=["lon", "lat"],
        get_radius="radius", radius_units="'pixels'", get_fill_color="colour",
        get_line_color=[255, 255, 255, 255], line_width_min_pixels=1, stroked=True,
        pickable=True, auto_highlight=True,
    ))
    layers.append(pdk.Layer(
        "ScatterplotLayer", rings, id="regions", get_position=["lon", "lat"],
        get_radius="radius", radius_units="'pixels'", get_line_color="colour", filled=True,
        get_fill_color=[255, 255, 255, 40], stroked=True, line_width_min_pixels=3,
        pickable=True, auto_highlight=True,
    ))
    layers.append(pdk.Layer(
        "TextLayer", places[places["label"] != ""] if not places.empty else places, id="labels",
        get_position=["lon", "lat"], get_text="label",
        get_size=13, get_color=[30, 30, 30, 255], get_pixel_offset="[0, -radius - 4]",
        font_family=LABEL_FONT,
        get_alignment_baseline="'bottom'", background=True,
        get_background_color=[255, 255, 255, 200], background_padding=[3, 1],
        pickable=False,
    ))
    texts = [n["name"].upper() for n in geo["country_names"]]  # drawn in capitals
    texts += [n["name"] for n in geo["province_names"]]
    texts += list(places["label"]) if "label" in places else []
    texts += list(reference["name"]) if reference is not None and not reference.empty else []
    characters = geography.character_set(texts)
    for layer in layers:
        # draw in list order: arcs rise above the plane and would otherwise hide the labels
        layer.parameters = {"depthTest": False}
        if layer.type == "TextLayer":
            # deck.gl draws only the characters in its set (ASCII unless told): set after the
            # layer is made, so that pydeck sends it as a string, not as an expression
            layer.character_set = characters
    # map_provider=None alone (leaving map_style unset) makes the chart fetch nothing at all
    tiles = {"map_provider": "carto", "map_style": "light"} if basemap == "carto" else {
        "map_provider": None}
    return pdk.Deck(
        layers=layers,
        initial_view_state=pdk.ViewState(**view, pitch=0, bearing=0),
        tooltip=TOOLTIP,
        height=height,
        **tiles,
    )


# The shipped outlines (drawn offline; over Carto's tiles only the borders and provinces)
SEA_COLOUR = [223, 235, 243, 255]
LAND_COLOUR = [246, 245, 240, 255]
COAST_COLOUR = [132, 168, 196, 255]
RIVER_COLOUR = [150, 190, 222, 255]
BORDER_COLOUR = [140, 140, 140, 255]
PROVINCE_COLOUR = [196, 196, 190, 255]
COUNTRY_NAME_COLOUR = [128, 128, 122, 255]
PROVINCE_NAME_COLOUR = [165, 165, 158, 255]
PROVINCE_NAMES_FROM_ZOOM = 5.0  # when one country fills the map
OUTLINE_STYLES = (  # kind, fill, line, line width in pixels; drawn in this order
    ("sea", SEA_COLOUR, None, 0),
    ("land", LAND_COLOUR, None, 0),
    ("lakes", SEA_COLOUR, None, 0),
    ("rivers", None, RIVER_COLOUR, 1),
    ("provinces", None, PROVINCE_COLOUR, 1),
    ("borders", None, BORDER_COLOUR, 1.2),
    ("coastline", None, COAST_COLOUR, 1),
)
ONLINE_KINDS = ("provinces", "borders")  # Carto's tiles draw land, sea, coast, rivers, names


def outline_styles(basemap: str = "none") -> tuple:
    """The kinds of outline drawn and how (kind, fill, line, width): over Carto's tiles only
    the borders and provinces, which the tiles lack."""
    return tuple((kind, tuple(fill) if fill else None, tuple(line) if line else None, width)
                 for kind, fill, line, width in OUTLINE_STYLES
                 if basemap != "carto" or kind in ONLINE_KINDS)


def outline_mark(geo: dict, basemap: str) -> str:
    """What the outlines layer's picture is until it is served: the region, level and basemap
    it is drawn for (with_outlines draws it and swaps in its address)."""
    west, south, east, north = geo["box"]
    return f"{OUTLINES_MARK}:{west},{south},{east},{north}:{geo['level']}:{basemap}"


def outline_picture(mark: str) -> bytes:
    """The PNG an outline_mark stands for."""
    _, box, level, basemap = mark.split(":")
    return outline_image.region_picture(tuple(float(v) for v in box.split(",")), float(level),
                                        outline_styles(basemap))


def outline_layers(geo: dict, view: dict, basemap: str,
                   taken: list[tuple[float, float, float, float]] = (),
                   size: tuple[float, float] | None = None) -> list[pdk.Layer]:
    """The "outlines" layer (land, sea, lakes, rivers, provinces, borders, coast), and the
    names of countries large enough for the zoom (Natural Earth's MIN_LABEL counts 256-pixel
    tiles, one level above deck.gl's) and, zoomed in, of Iraq's provinces; a name that would
    fall on a place or its label at the first view (`taken`: their boxes in pixels from the
    centre) is left out, as the place's own label says where it is, and so is a name that would
    be cut at the edge of a canvas of `size` (width, height in pixels)."""
    west, south, east, north = geo["box"]
    outlines = pdk.Layer("BitmapLayer", None, id="outlines", bounds=[west, south, east, north],
                         pickable=False)
    # set after the layer is made: pydeck would send a string argument as an expression
    outlines.image = outline_mark(geo, basemap)
    layers = [outlines]
    if basemap == "carto":
        return layers
    zoom = view.get("zoom", 4)
    countries = geography.clear_names(
        [n for n in geo["country_names"] if n["min_label"] <= zoom + 1], view, taken, size)
    if countries:
        layers.append(pdk.Layer(
            "TextLayer", [{"name": n["name"].upper(), "lon": n["lon"], "lat": n["lat"]}
                          for n in countries], id="country-names",
            get_position=["lon", "lat"], get_text="name", get_size=12,
            get_color=COUNTRY_NAME_COLOUR, font_family=LABEL_FONT, font_weight=600,
            pickable=False,
        ))
    provinces = geography.clear_names(geo["province_names"], view, taken, size, char_px=6.5)
    if zoom >= PROVINCE_NAMES_FROM_ZOOM and provinces:
        layers.append(pdk.Layer(
            "TextLayer", provinces, id="province-names",
            get_position=["lon", "lat"], get_text="name", get_size=11,
            get_color=PROVINCE_NAME_COLOUR, font_family=LABEL_FONT, pickable=False,
        ))
    return layers


def legend_markdown(places: pd.DataFrame, colour_by: str, has_arcs: bool) -> str:
    """A legend in words and coloured squares, matching the layers drawn."""
    if places.empty:
        return ""
    scheme = palette.SCHEMES[colour_by]
    keys = list(dict.fromkeys(places.sort_values("events", ascending=False)["key"]))
    if colour_by == "grade":  # an ordered scale: best band first
        keys = [k for k in scheme if k in keys] + [k for k in keys if k not in scheme]
    swatches = " ".join(
        f"<span style='color:{scheme.get(k, scheme['other'])}'>●</span> {html.escape(str(k))}"
        for k in keys)
    parts = [f"**Colour: {colour_by}** {swatches}",
             "**Size:** number of events at the place",
             "**Filled circle:** at the named place · **ring:** placed only to a region or country"]
    if has_arcs:
        parts.append(f"<span style='color:{palette.ORANGE}'>**⌒ arc**</span>: a movement across a "
                     "border the data states (training, arms, fighters)")
    return "  \n".join(parts)


TOOLTIP = {"text": "{tooltip}"}


def deck_json(deck: pdk.Deck) -> str:
    """The deck as the JSON the chart element carries (layers' frames as lists of records,
    which is what pydeck can serialise under pandas 3)."""
    for layer in deck.layers:
        if isinstance(layer.data, pd.DataFrame):
            layer.data = layer.data.to_dict(orient="records")
    # pydeck's own to_json indents, which forces Python's slow pure-Python JSON encoder
    return json.dumps(deck, sort_keys=True, default=default_serialize, separators=(",", ":"))


# The outlines are drawn into one picture per region (components.outline_image) and served as
# a file: the deck carries only its address, which stays the same from one filter to the next
# within a region, so the browser fetches it and deck.gl uploads it once, and each rerun sends
# a few kilobytes.
OUTLINES_MARK = "proxylens-outlines"


def with_outlines(spec: str, key: str) -> str:
    """The deck's JSON with its outlines picture (still an outline_mark) as an address the
    server serves it at (Streamlit's media files, kept while the page shows them), or inline as
    a data address when no server runs (bare scripts). The picture itself is kept once per
    region by outline_image, not in each cached deck."""
    start = spec.find(f'"{OUTLINES_MARK}:')
    if start < 0:
        return spec
    end = spec.index('"', start + 1) + 1
    picture = outline_picture(json.loads(spec[start:end]))
    from streamlit import runtime

    if runtime.exists():
        from streamlit import config

        url = runtime.get_instance().media_file_mgr.add(
            picture, "image/png", f"proxylens-outlines-{key}")
        address = served_address(url, config.get_option("server.baseUrlPath") or "")
    else:
        address = "data:image/png;base64," + base64.b64encode(picture).decode()
    return spec[:start] + json.dumps(address) + spec[end:]


def served_address(url: str, base_path: str = "") -> str:
    """A media file's address from any page of the app: under the server's path prefix
    (server.baseUrlPath) when it has one, from the site's root (so a page reached with or
    without a trailing slash finds it)."""
    prefix = "/" + base_path.strip("/") if base_path.strip("/") else ""
    return prefix + "/" + url.lstrip("/")


def draw_deck(spec: str, key: str, height: int, **kwargs) -> None:
    import streamlit as st

    st.pydeck_chart(PrebuiltDeck(with_outlines(spec, key)), key=key, height=height, **kwargs)


class PrebuiltDeck(pdk.Deck):
    """A deck whose JSON was made earlier (and cached): drawing it serialises nothing again."""

    def __init__(self, spec: str):  # pylint: disable=super-init-not-called
        # pydeck's own __init__ looks for its Jupyter widget on every call, a failed import
        # searched for afresh each time: milliseconds per map per rerun, for nothing used here.
        # st.pydeck_chart reads only these attributes and to_json().
        self.layers = []
        self._tooltip = TOOLTIP
        self.deck_widget = None
        self.mapbox_key = None
        self._spec = spec

    def to_json(self) -> str:
        return self._spec
