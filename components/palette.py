"""One palette for every chart and legend. Colour-blind safe: Okabe-Ito and Paul Tol's muted set.

No chart picks its own colours; they all ask here. Vocabularies with many terms (17 event types,
23 relations) are coloured by family, because nobody can tell 17 hues apart; tooltips and tables
always give the exact term.
"""

from __future__ import annotations

OTHER = "#999999"

# Okabe-Ito
ORANGE, SKY, GREEN, YELLOW, BLUE, VERMILLION, PURPLE = (
    "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7")

EVENT_CATEGORY_OF_TYPE = {
    "armed attack": "violence",
    "kidnapping": "violence",
    "assassination": "violence",
    "cross-border shelling": "violence",
    "incursion": "violence",
    "invasion": "violence",
    "training": "support to armed groups",
    "recruitment": "support to armed groups",
    "arms supply": "support to armed groups",
    "funding": "support to armed groups",
    "organisational change": "organisation",
    "capture or arrest": "state response",
    "military operation": "state response",
    "sanctions": "state response",
    "diplomatic meeting": "diplomacy and statements",
    "statement": "diplomacy and statements",
    "cooperation": "diplomacy and statements",
}

EVENT_CATEGORY = {
    "violence": VERMILLION,
    "support to armed groups": ORANGE,
    "organisation": PURPLE,
    "state response": BLUE,
    "diplomacy and statements": GREEN,
    "other": OTHER,
}

CLAIM_STATUS = {
    "confirmed": BLUE,
    "reported": SKY,
    "alleged": ORANGE,
    "disputed": VERMILLION,
    "other": OTHER,
}

# Paul Tol's muted scheme
ACTOR_TYPE = {
    "state": "#332288",
    "state institution": "#88CCEE",
    "state force": "#117733",
    "intelligence or paramilitary unit": "#CC6677",
    "militia": "#882255",
    "armed group": "#AA4499",
    "political party": "#DDCC77",
    "international coalition": "#44AA99",
    "research organisation": "#999933",
    "person": "#BBBBBB",
    "other": "#555555",
}

RELATION_FAMILY_OF = {
    "funds": "support",
    "trains": "support",
    "arms": "support",
    "supports": "support",
    "advises": "support",
    "commands": "command and membership",
    "leads": "command and membership",
    "reports to": "command and membership",
    "founded": "command and membership",
    "member of": "command and membership",
    "part of": "command and membership",
    "splinter of": "command and membership",
    "proxy of": "command and membership",
    "allied with": "cooperation and talks",
    "cooperates with": "cooperation and talks",
    "negotiates with": "cooperation and talks",
    "liaises with": "cooperation and talks",
    "shelters": "cooperation and talks",
    "fights": "hostility",
    "targets": "hostility",
    "detains": "hostility",
    "sanctions": "hostility",
    "accuses": "hostility",
}

RELATION_FAMILY = {
    "support": ORANGE,
    "command and membership": PURPLE,
    "cooperation and talks": GREEN,
    "hostility": VERMILLION,
    "other": OTHER,
}

SIDE = {
    "Iran and its partners": ORANGE,
    "U.S., Coalition and Iraqi government": BLUE,
    "other or unclear": OTHER,
    "other": "#555555",
}

# grade bands, best first, in the order and with the names components.grades.GRADE_BANDS
# gives them
GRADE_BAND_COLOURS = (BLUE, SKY, VERMILLION, OTHER)

def _grade_band_scheme() -> dict[str, str]:
    from components.grades import GRADE_BANDS

    return {**dict(zip(GRADE_BANDS, GRADE_BAND_COLOURS)), "other": OTHER}


GRADE_BAND = _grade_band_scheme()

# The Compare page (components.compare): blue for what B has and A had not, vermillion and
# orange for what A had and B has not, light grey for what stayed
KEPT_GREY = "#BBBBBB"
RELATION_CHANGE = {
    "gained": BLUE,
    "lost": VERMILLION,
    "gained and lost": PURPLE,  # a pair of actors with relations of both kinds
    "kept": KEPT_GREY,
    "other": OTHER,
}
PLACE_CHANGE = {
    "new": BLUE,
    "more": SKY,
    "same": KEPT_GREY,
    "fewer": ORANGE,
    "gone": VERMILLION,
    "other": OTHER,
}
# the two windows' bands on the timeline (Paul Tol's light cyan and sand, under the marks)
COMPARE_WINDOW = {"A": "#88CCEE", "B": "#DDCC77", "other": OTHER}

SCHEMES = {
    "actor side": SIDE,
    "event category": EVENT_CATEGORY,
    "claim status": CLAIM_STATUS,
    "actor type": ACTOR_TYPE,
    "relation family": RELATION_FAMILY,
    "grade": GRADE_BAND,
    "relation change": RELATION_CHANGE,
    "place change": PLACE_CHANGE,
    "compare window": COMPARE_WINDOW,
}


def event_category(event_type: str) -> str:
    return EVENT_CATEGORY_OF_TYPE.get(event_type, "other")


def relation_family(relation: str) -> str:
    return RELATION_FAMILY_OF.get(relation, "other")


def colour(scheme: str, key: str) -> str:
    table = SCHEMES[scheme]
    return table.get(key, table["other"])


def rgb(hex_colour: str, alpha: int = 255) -> list[int]:
    """'#RRGGBB' -> [r, g, b, a] for pydeck."""
    value = hex_colour.lstrip("#")
    return [int(value[i : i + 2], 16) for i in (0, 2, 4)] + [alpha]


def altair_scale(scheme: str, present: list[str] | None = None) -> dict:
    """Domain and range for an Altair colour scale, limited to the keys present (legend order)."""
    table = SCHEMES[scheme]
    keys = [k for k in table if present is None or k in present]
    extra = [k for k in (present or []) if k not in table]
    domain = keys + extra
    return {"domain": domain, "range": [table.get(k, table["other"]) for k in domain]}
