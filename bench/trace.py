"""Where a filter change's time goes in the browser: a Chromium performance trace.

    python -m bench.trace [--rounds N] [--data FOLDER] [--actor NAME]

Opens the Overview with one actor chosen (as `python -m bench` does), flips "Include directly
linked actors" a few times to fill the caches, then records a trace of N more flips and prints,
per flip: the time to the new state (as the benchmark measures it), the renderer's main thread
by kind of work (script, style and layout, paint, garbage collection) and the GPU process
(which, in a browser without a graphics card, draws WebGL and composites the page in software).
Figures vary with the machine's load: compare runs made one after the other.
"""

from __future__ import annotations

import argparse
import collections
import json
import statistics
from pathlib import Path

from playwright.sync_api import sync_playwright

from bench.__main__ import EVENTS_METRIC, IDLE, OVERVIEW_READY, time_toggle
from tests.browser.conftest import CHROMIUM, LAUNCH_ARGS, StreamlitServer, wait_for

CATEGORIES = ["devtools.timeline", "disabled-by-default-devtools.timeline", "v8.execute",
              "blink.user_timing", "gpu"]
KINDS = {  # trace event names on the renderer's main thread, by kind of work
    "script": ("FunctionCall", "EvaluateScript", "v8.callFunction", "RunMicrotasks",
               "TimerFire", "FireAnimationFrame", "EventDispatch", "HandlePostMessage"),
    "style and layout": ("UpdateLayoutTree", "Layout", "RecalculateStyles"),
    "paint and composite": ("Paint", "PrePaint", "Layerize", "Commit", "UpdateLayer"),
    "garbage collection": ("MinorGC", "MajorGC", "V8.GC_SCAVENGER", "V8.GC_MARK_COMPACTOR"),
}


def trace_flips(rounds: int, data: Path | None, actor: str) -> tuple[list[float], dict]:
    server = StreamlitServer(data_dir=data, chart_renderer="canvas")
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.goto(f"{server.url}/?actors={actor}")
            wait_for(page, OVERVIEW_READY, timeout=300_000)
            toggle = page.get_by_text("Include directly linked actors")
            time_toggle(page, toggle, EVENTS_METRIC, 4, OVERVIEW_READY)  # fills the caches
            browser.start_tracing(page=page, categories=CATEGORIES)
            timings = time_toggle(page, toggle, EVENTS_METRIC, rounds, OVERVIEW_READY)
            page.wait_for_function(f"() => {IDLE}", polling="raf")
            page.wait_for_timeout(500)  # the last flip's frames
            events = json.loads(browser.stop_tracing())["traceEvents"]
            browser.close()
    finally:
        server.stop()
    return timings, events


def breakdown(events: list[dict]) -> dict[str, float]:
    """Milliseconds of work by kind on the renderer's main thread, and in the GPU process.
    Nested events of one kind (a callback inside a task) are counted once: the union of their
    time spans."""
    names = {(e["pid"], e["tid"]): e["args"]["name"] for e in events
             if e.get("name") == "thread_name"}
    spans: dict[str, list[tuple[float, float]]] = collections.defaultdict(list)
    for event in events:
        if event.get("ph") != "X" or "dur" not in event:
            continue
        thread = names.get((event.get("pid"), event.get("tid")))
        start, end = event["ts"] / 1000, (event["ts"] + event["dur"]) / 1000
        if thread == "CrRendererMain":
            if event["name"] in ("RunTask", "ThreadControllerImpl::RunTask"):
                spans["main thread, all tasks"].append((start, end))
            for kind, kind_names in KINDS.items():
                if event["name"] in kind_names:
                    spans[kind].append((start, end))
        elif thread == "CrGpuMain" and event["name"] in ("RunTask",
                                                         "ThreadControllerImpl::RunTask"):
            spans["GPU process, all tasks"].append((start, end))
    return {kind: _union_ms(intervals) for kind, intervals in spans.items()}


def _union_ms(intervals: list[tuple[float, float]]) -> float:
    total, reached = 0.0, float("-inf")
    for start, end in sorted(intervals):
        if end > reached:
            total += end - max(start, reached)
            reached = end
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--data", type=Path, default=None, help="a data folder (default: shipped)")
    parser.add_argument("--actor", default="Special+Groups")
    args = parser.parse_args()
    timings, events = trace_flips(args.rounds, args.data, args.actor)
    print(f"filter change to the new state: median {1000 * statistics.median(timings):.0f} ms "
          f"over {len(timings)} flips (traced, so slower than `python -m bench`)")
    print("per flip, milliseconds of work:")
    for kind, total in sorted(breakdown(events).items(), key=lambda item: -item[1]):
        print(f"  {kind:26s} {total / len(timings):7.0f}")


if __name__ == "__main__":
    main()
