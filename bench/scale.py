"""Server-side figures at each data size, measured in a fresh process per size.

    python -m bench.scale --sizes 10000,100000,1000000 [--engines duckdb,spark] [--csv]

For each size: generate a synthetic Parquet folder (bench.generate) unless present, then in a
child process: load time cold (first load in the process) and warm (again, files in the OS
cache), the server time of a page rerun after a filter change (AppTest, median of 3), the bytes
the page's charts and tables send, and the process's peak memory. Prints a table; `python -m
bench` includes it in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
WORK = Path(os.environ.get("PROXYLENS_BENCH_DIR", "/tmp/proxylens-bench"))
PAGES = ["app_pages/overview.py", "app_pages/map.py", "app_pages/network.py",
         "app_pages/timeline.py", "app_pages/actor.py", "app_pages/event.py",
         "app_pages/claims.py", "app_pages/briefing.py", "app_pages/data.py", "app_pages/help.py",
         "app_pages/flows.py", "app_pages/compare.py"]
CHART_TYPES = ["deck_gl_json_chart", "arrow_vega_lite_chart", "vega_lite_chart",
               "echarts_chart", "arrow_data_frame"]


def ensure_folder(size: int, csv: bool = False) -> Path:
    """The synthetic folder of `size` events: Parquet, or (`csv`) CSV only, as ACLED exports
    come."""
    folder = WORK / f"events-{size}{'-csv' if csv else ''}"
    wanted = folder / ("events.csv" if csv else "events.parquet")
    if not wanted.exists():
        from bench.generate import generate

        generate(size, folder, csv=csv)
        if csv:
            for parquet in folder.glob("*.parquet"):
                parquet.unlink()
    return folder


def payload_bytes(at) -> int:
    return sum(len(e.proto.SerializeToString()) for kind in CHART_TYPES for e in at.get(kind))


def measure_in_this_process(folder: str) -> dict:
    """Runs in the child process."""
    sys.path.insert(0, str(PROJECT))
    os.environ["PROXYLENS_DATA_DIR"] = folder
    os.environ["PROXYLENS_BASEMAP"] = "none"
    # a cache of its own, emptied: "cold" then includes preparing an event store
    cache = Path(folder) / ".bench-cache"
    shutil.rmtree(cache, ignore_errors=True)
    os.environ["PROXYLENS_CACHE_DIR"] = str(cache)
    from components import engines, eventstore, loader
    from tests.apptest_helpers import run_app

    fingerprint = loader.folder_fingerprint(folder)
    start = time.perf_counter()
    dataset = eventstore.load_folder(folder, fingerprint).dataset
    cold = time.perf_counter() - start
    start = time.perf_counter()
    eventstore.load_folder(folder, fingerprint)
    warm = time.perf_counter() - start
    params = {"actor.py": {"actor": str(dataset.event_store.option_facts()
                                        .actor_mentions.idxmax())},
              "event.py": {"event": str(dataset.event_store.file_rows(0, 1)["event_id"].iloc[0])},
              "flows.py": {"flow_width": "events"}}  # widths by events: a query per change

    pages = {}
    # each page gets three event-type choices never made before in this process (one type,
    # then pairs), so no cached answer (filtered events, map, network) is reused
    choices = iter([[t] for t in FRESH_EVENT_TYPES]
                   + [list(pair) for pair in itertools.combinations(FRESH_EVENT_TYPES, 2)])
    for page in PAGES:
        at = run_app(page, params=params.get(page.split("/")[-1]), timeout=600)
        times = []
        for event_type in (next(choices), next(choices), next(choices)):
            at.multiselect(key="event_types").set_value(event_type)
            start = time.perf_counter()
            at.run(timeout=600)
            times.append(time.perf_counter() - start)
        pages[page.split("/")[-1].removesuffix(".py")] = {
            "rerun_ms": 1000 * statistics.median(times),
            "bytes": payload_bytes(at),
            "errors": [e.message[:200] for e in at.exception],
        }
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    core = core_times(folder)
    for page, figures in pages.items():
        figures["core_ms"] = core.get(page)
    if engines.engine_name() == "spark":
        engine = f"Spark, {engines.SparkEngine.where()}"
    else:
        engine = "DuckDB on disk" if eventstore.wants_store(folder) else "DuckDB in memory"
    return {"load_cold_s": cold, "load_warm_s": warm, "pages": pages, "peak_mb": peak_mb,
            "engine": engine, "csv": not (Path(folder) / "events.parquet").exists()}


FRESH_EVENT_TYPES = ["armed attack", "kidnapping", "funding", "training", "recruitment",
                     "arms supply", "assassination", "capture or arrest", "incursion",
                     "military operation", "cooperation", "statement"]


def core_times(folder: str) -> dict[str, float]:
    """The filtering and aggregation behind each page, without Streamlit: the core functions
    a page's views call after a filter change (median of three event types, ms)."""
    from components import eventstore, filters, loader, network, selection, views

    dataset = eventstore.load_folder(folder, loader.folder_fingerprint(folder)).dataset
    positions = network.stable_layout(dataset.actors, dataset.relations)

    def filtered(event_type):
        return selection.filtered(dataset, filters.Filters(event_types=(event_type,)))

    def map_view(relations, matching):
        places = matching.map_places()
        if not places.empty:
            views.label_places(places, views.map_view_bounds(places, 1000, 520,
                                                             matching.map_arcs()))

    def network_view(relations, matching):
        network.network_frames(dataset.actors, relations, positions)

    def timeline_view(relations, matching):
        if matching.facts["dated"] > views.MAX_TIMELINE_MARKS:
            matching.timeline_bins()
        else:
            views.timeline_marks(matching.listed_events(selection.LISTED_ROWS))
        matching.monthly_counts()

    def overview(relations, matching):
        selection.view_counts(matching, relations)
        map_view(relations, matching), network_view(relations, matching)
        timeline_view(relations, matching)

    steps = {"overview": overview, "map": map_view, "network": network_view,
             "timeline": timeline_view}
    out = {}
    for page, step in steps.items():
        times = []
        for event_type in ("armed attack", "kidnapping", "funding"):
            start = time.perf_counter()
            step(*filtered(event_type))
            times.append(time.perf_counter() - start)
        out[page] = 1000 * statistics.median(times)
    return out


def measure(size: int, engine: str = "duckdb", csv: bool = False) -> dict:
    folder = ensure_folder(size, csv)
    code = (f"import json, sys; sys.path.insert(0, {str(PROJECT)!r}); "
            f"from bench.scale import measure_in_this_process; "
            f"print('RESULT' + json.dumps(measure_in_this_process({str(folder)!r})))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=PROJECT, timeout=3600,
                          env={**os.environ, "PROXYLENS_ENGINE": engine})
    line = next((l for l in done.stdout.splitlines() if l.startswith("RESULT")), None)
    if line is None:
        raise RuntimeError(f"measurement at {size} failed:\n{done.stderr[-2000:]}")
    return json.loads(line[len("RESULT"):])


def table(results: dict[tuple[int, str], dict]) -> str:
    """One line per (size, engine) and page."""
    lines = ["| events | engine | load cold (s) | load warm (s) | peak memory (MB) | page | filtering and aggregation (ms) | whole server rerun (ms) | bytes sent by charts and tables |",
             "| ---: | --- | ---: | ---: | ---: | --- | ---: | ---: | ---: |"]
    for (size, _), result in results.items():
        for i, (page, figures) in enumerate(result["pages"].items()):
            engine = result.get("engine", "pandas") + (", from CSV" if result.get("csv") else "")
            head = (f"| {size:,} | {engine} | {result['load_cold_s']:.1f} | "
                    f"{result['load_warm_s']:.1f} | {result['peak_mb']:.0f} |"
                    ) if i == 0 else "| | | | | |"
            core = "" if figures.get("core_ms") is None else f"{figures['core_ms']:.0f}"
            failed = (" (failed: " + figures["errors"][0].replace("|", "/") + ")"
                      if figures.get("errors") else "")
            lines.append(f"{head} {page}{failed} | {core} | {figures['rerun_ms']:.0f} | "
                         f"{figures['bytes']:,} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--engines", default="duckdb", help="duckdb, spark or both, comma-separated")
    parser.add_argument("--write", type=Path, help="also write the table to this Markdown file")
    parser.add_argument("--csv", action="store_true",
                        help="the events as CSV rather than Parquet (loads are then from CSV)")
    args = parser.parse_args()
    results = {(int(s), engine): measure(int(s), engine, args.csv) for s in args.sizes.split(",")
               for engine in args.engines.split(",")}
    print(table(results))
    if args.write:
        args.write.write_text(
            "# Benchmarks beyond a million events\n\n"
            f"`python -m bench.scale --sizes {args.sizes} --engines {args.engines} "
            f"--write {args.write}`, run "
            f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; columns as in "
            "[benchmarks.md](benchmarks.md), plus the engine holding the events: from half a "
            "million events in Parquet, a DuckDB database prepared on disk (docs/scaling.md). "
            "Its cold load prepares the database, once per data version; the warm load opens "
            "it.\n\n"
            + table(results) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
