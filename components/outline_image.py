"""The shipped outlines of a map region drawn into one picture (PNG, Web Mercator).

Drawn as vectors, the outlines (a few tens of thousands of points of land, coast, borders,
rivers and provinces) cost a browser without a graphics card (Chromium's software WebGL, as
in the benchmark and on many briefing-room laptops) hundreds of milliseconds per redraw of the
map, and the map is redrawn on every filter change. As one picture they are a single textured
square: deck.gl's BitmapLayer, drawn under the events. The picture is made once per region and
level (geography.outlines_in keeps the clipped outlines; this keeps the picture), and is sharp
at the zoom the map opens at: one picture pixel per screen pixel at the level it is drawn for.
Place, country and province names stay text layers, sharp at any zoom.
"""

from __future__ import annotations

import functools
import io
import math

from components import geography

MAX_SIDE = 4096  # pixels: textures larger than this are not drawn by every browser
MAX_PIXELS = 4_000_000  # about 0.2 s to draw and encode, a few MB of texture in the browser
SUPERSAMPLE = 2  # drawn this much larger, then shrunk: smooth edges without an antialiasing pass

Style = tuple  # (kind, fill RGBA or None, line RGBA or None, line width in pixels)


def _mercator_y(lat: float) -> float:
    lat = max(min(lat, geography.MAX_LAT), -geography.MAX_LAT)
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def picture_size(box: geography.Box, level: float) -> tuple[int, int, float]:
    """Width and height in pixels of the region's picture and its pixels per radian: one pixel
    per screen pixel at `level`, shrunk (evenly) to at most MAX_SIDE on the longer side and
    MAX_PIXELS in all (the small regions of the highest levels: drawn a little softer)."""
    west, south, east, north = box
    per_radian = geography.TILE_PX * 2 ** level / (2 * math.pi)
    width_rad = math.radians(east - west)
    height_rad = _mercator_y(north) - _mercator_y(south)
    per_radian = min(per_radian, MAX_SIDE / max(width_rad, height_rad),
                     math.sqrt(MAX_PIXELS / (width_rad * height_rad)))
    return (max(1, round(width_rad * per_radian)), max(1, round(height_rad * per_radian)),
            per_radian)


@functools.lru_cache(maxsize=16)
def region_picture(box: geography.Box, level: float, styles: tuple[Style, ...]) -> bytes:
    """The region's outlines (geography.outlines_in) as a PNG covering exactly `box`, in Web
    Mercator, each kind drawn in the order and colours of `styles`; "sea" fills the picture,
    and what no style names is transparent (over online tiles, only the lines are drawn)."""
    from PIL import Image, ImageDraw

    geo = geography.outlines_in(box, level)
    width, height, per_radian = picture_size(box, level)
    scale = per_radian * SUPERSAMPLE
    west, north = math.radians(box[0]), _mercator_y(box[3])

    def pixels(points) -> list[tuple[float, float]]:
        return [((math.radians(lon) - west) * scale, (north - _mercator_y(lat)) * scale)
                for lon, lat in points]

    # with a sea the picture is opaque: RGB is a quarter lighter to shrink and to encode than
    # RGBA (which Pillow shrinks through premultiplied alpha)
    sea = next((tuple(fill) for kind, fill, _, _ in styles if kind == "sea"), None)
    mode, background = ("RGB", sea[:3]) if sea else ("RGBA", (0, 0, 0, 0))
    image = Image.new(mode, (width * SUPERSAMPLE, height * SUPERSAMPLE), background)
    draw = ImageDraw.Draw(image)
    for kind, fill, line, line_width in styles:
        if kind == "sea":
            continue
        collection = geo.get("land" if kind == "land" else kind)
        if not collection:
            continue
        for feature in collection["features"]:
            geometry = feature["geometry"]
            if fill is not None and geometry["type"] == "MultiPolygon":
                for polygon in geometry["coordinates"]:
                    _fill_polygon(draw, image, polygon, pixels, tuple(fill))
            elif line is not None and geometry["type"] == "MultiLineString":
                width_px = max(1, round(line_width * SUPERSAMPLE))
                for part in geometry["coordinates"]:
                    if len(part) > 1:
                        draw.line(pixels(part), fill=tuple(line), width=width_px,
                                  joint="curve" if width_px > 2 else None)
    image = image.reduce(SUPERSAMPLE)
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=1)  # served on the spot: speed over size
    return out.getvalue()


def _fill_polygon(draw, image, polygon: list, pixels, colour: tuple) -> None:
    """A polygon with its holes (lakes in land, islands' own rings are separate polygons):
    the outer ring filled, each hole cut back to what was under it."""
    outer, holes = polygon[0], polygon[1:]
    if len(outer) < 3:
        return
    if not holes:
        draw.polygon(pixels(outer), fill=colour)
        return
    from PIL import Image, ImageDraw

    outer_px = pixels(outer)
    left = max(0, math.floor(min(x for x, _ in outer_px)))
    top = max(0, math.floor(min(y for _, y in outer_px)))
    right = min(image.width, math.ceil(max(x for x, _ in outer_px)) + 1)
    bottom = min(image.height, math.ceil(max(y for _, y in outer_px)) + 1)
    if right <= left or bottom <= top:
        return
    mask = Image.new("L", (right - left, bottom - top), 0)
    mask_draw = ImageDraw.Draw(mask)
    mask_draw.polygon([(x - left, y - top) for x, y in outer_px], fill=255)
    for hole in holes:
        if len(hole) >= 3:
            mask_draw.polygon([(x - left, y - top) for x, y in pixels(hole)], fill=0)
    image.paste(Image.new(image.mode, mask.size, colour[:len(image.mode)]), (left, top), mask)
