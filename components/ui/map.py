"""The map: places sized by their events, cross-border arcs, outlines, labels (pydeck).

Takes the frames from components.views; knows nothing of filters.
"""

from __future__ import annotations

import html
import json
import os

import pandas as pd
import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize

from components import palette

BASEMAPS = {
    "carto": "Carto light (needs internet)",
    "none": "None (offline: outlines and labels only)",
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
               height: int = 520, reference: pd.DataFrame | None = None) -> pdk.Deck:
    """`reference`: other known places (name, lat, lon), drawn small and grey for orientation."""
    layers = []
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
    for layer in layers:
        # draw in list order: arcs rise above the plane and would otherwise hide the labels
        layer.parameters = {"depthTest": False}
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
    return json.dumps(deck, sort_keys=True, default=default_serialize)


class PrebuiltDeck(pdk.Deck):
    """A deck whose JSON was made earlier (and cached): drawing it serialises nothing again."""

    def __init__(self, spec: str):
        super().__init__(layers=[], tooltip=TOOLTIP, map_provider=None)
        self._spec = spec

    def to_json(self) -> str:
        return self._spec
