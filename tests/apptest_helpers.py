"""Reading what the charts of an AppTest run received: map layer rows and Vega-Lite datasets."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow as pa
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from tests.conftest import PROJECT

APP = str(PROJECT / "app.py")


def _keep_media(at: AppTest) -> AppTest:
    """Keep each run's media files (the served outlines) for the test after the run ends."""
    from unittest import mock

    original_run = at._run

    class KeptStorage(MemoryMediaFileStorage):
        """The run's media files (served outlines), kept for the test after the run ends."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            at.media_storage = self

    def run(*args, **kwargs):
        with mock.patch("streamlit.testing.v1.app_test.MemoryMediaFileStorage", KeptStorage):
            return original_run(*args, **kwargs)

    at._run = run
    return at


WRITER_PASSWORD = "a writer's password for tests"


def run_app(page: str | None = None, params: dict | None = None, timeout: float = 60,
            writer_password: str | None = None) -> AppTest:
    """The app run (on `page`), with the query parameters given; `writer_password` is put in
    its secrets, as [proxylens] write_password (writing also needs PROXYLENS_WRITE=on)."""
    at = _keep_media(AppTest.from_file(APP, default_timeout=timeout))
    if writer_password is not None:
        at.secrets["proxylens"] = {"write_password": writer_password}
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def open_export_menu(at: AppTest) -> AppTest:
    """Open the toolbar's Export menu, as a click on it does: its content is drawn only while
    it is open (components.ui.panels.toolbar)."""
    from components.ui.panels import EXPORT_MENU

    at.session_state[EXPORT_MENU] = True
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def sign_in_as_writer(at: AppTest, panel: str = "data-writer",
                      password: str = WRITER_PASSWORD) -> AppTest:
    """Type the password into a page's writer sign-in and submit it."""
    at.text_input(key=f"{panel}-password").input(password)
    next(b for b in at.button if b.label == "Sign in to save or restore").click().run()
    return at


def served_file(at: AppTest, url: str) -> bytes:
    """The bytes behind an address the app served in its last run (Streamlit's media files),
    as a browser would fetch them."""
    return at.media_storage.get_file(url.rsplit("/", 1)[-1]).content


def deck_spec(at: AppTest, chart) -> dict:
    """A pydeck chart's spec; a layer whose picture is sent as an address (the shipped
    outlines) gets the served PNG's bytes as "picture"."""
    spec = json.loads(chart.proto.json)
    for layer in spec["layers"]:
        if isinstance(layer.get("image"), str) and "media/" in layer["image"]:
            layer["picture"] = served_file(at, layer["image"])
    return spec


def deck_specs(at: AppTest) -> list[dict]:
    return [deck_spec(at, chart) for chart in at.get("deck_gl_json_chart")]


def deck_layers(at: AppTest, index: int = 0) -> dict[str, list[dict]]:
    """Layer id -> the rows it draws, for one pydeck chart."""
    spec = deck_spec(at, at.get("deck_gl_json_chart")[index])
    return {layer["id"]: layer.get("data", []) for layer in spec["layers"]}


def vega_charts(at: AppTest) -> list:
    return list(at.get("arrow_vega_lite_chart")) + list(at.get("vega_lite_chart"))


def vega_datasets(chart) -> list[pd.DataFrame]:
    """The chart's data: Arrow datasets (st.altair_chart) or inline values (st.vega_lite_chart)."""
    frames = [pd.DataFrame(values) for values in vega_spec(chart).get("datasets", {}).values()]
    for named in chart.proto.datasets:
        frames.append(pa.ipc.open_stream(named.data.data).read_pandas())
    if chart.proto.HasField("data") and chart.proto.data.data:
        frames.append(pa.ipc.open_stream(chart.proto.data.data).read_pandas())
    return frames


def vega_spec(chart) -> dict:
    return json.loads(chart.proto.spec)


def chart_titled(at: AppTest, title: str):
    for chart in vega_charts(at):
        spec = vega_spec(chart)
        found = spec.get("title")
        text = found.get("text") if isinstance(found, dict) else found
        if text == title:
            return chart
    raise AssertionError(f"no chart titled {title!r}")


def all_rows(chart) -> pd.DataFrame:
    """Every row of every dataset of a chart, in one frame (columns differ across layers)."""
    frames = vega_datasets(chart)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


# --------------------------------------------------------------------------------------------
# ECharts charts (the actor network)


def echarts_charts(at: AppTest) -> list:
    return list(at.get("echarts_chart"))


def echarts_option(chart) -> dict:
    return json.loads(chart.proto.spec)


def echarts_titled(at: AppTest, title: str):
    """The ECharts chart whose option's title reads `title`."""
    for chart in echarts_charts(at):
        found = echarts_option(chart).get("title") or {}
        found = found[0] if isinstance(found, list) and found else found
        if isinstance(found, dict) and found.get("text") == title:
            return chart
    raise AssertionError(f"no ECharts chart titled {title!r}")


def graph_nodes(chart) -> pd.DataFrame:
    """The actors a network chart draws: one row per node (frame corners left out)."""
    data = echarts_option(chart)["series"][0]["data"]
    return pd.DataFrame([d for d in data if d.get("actor_id")])


def graph_links(chart) -> pd.DataFrame:
    """The lines a network chart draws: one row per pair of actors."""
    return pd.DataFrame(echarts_option(chart)["series"][0]["links"])


def graph_relations(chart) -> pd.DataFrame:
    """Every relation a network chart carries (each merged line lists its relations), one row
    per relation, with the colour key of the line it is drawn in."""
    rows = []
    for link in echarts_option(chart)["series"][0]["links"]:
        for relation in link["relations"]:
            rows.append({**relation, "line_colour_key": link["colour_key"],
                         "line_count": link["count"]})
    return pd.DataFrame(rows, columns=["relation_id", "source", "target", "relation",
                                       "claim_status", "grade", "period", "line_colour_key",
                                       "line_count"])


def click_graph_node(at: AppTest, chart, actor_id: str) -> AppTest:
    """What a click on an actor sends: the chart's selection state, the node's index in the
    series, as the browser reports it (data_type "node"); then the rerun it triggers."""
    index = [d.get("id") for d in echarts_option(chart)["series"][0]["data"]].index(actor_id)
    states = at._tree.get_widget_states()
    widget = states.widgets.add()
    widget.id = chart.proto.id
    widget.string_value = json.dumps({"selection": {"selected": [{
        "series_index": 0, "series_id": "network", "series_name": None, "data_type": "node",
        "data_indices": [index]}], "areas": []}})
    return at._run(states)
