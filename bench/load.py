"""Many sessions at once: the server's own rerun times and a new session's first page.

    python -m bench.load [--sessions 1,5,20,50] [--changes 8] [--think 0.3,1.0]
                         [--processes 2] [--side-by-side] [--write docs/benchmarks-load.md]

Starts ProxyLens on the shipped data (127.0.0.1) and drives N sessions at once, each speaking
Streamlit's own websocket protocol as a browser does, but drawing nothing: so the figures are
the server's (its rerun, and the messages sent), apart from any browser's rendering. Each
session opens the Overview (the first page: from connecting to the script's end), then makes
`--changes` filter changes, as a link followed would (an event type in the address), each
after a pause drawn from `--think` (seconds, low and high); each change is timed from the
request to the script's end. Sessions run in the one app process, whose scripts share one
interpreter lock: past what one core serves, reruns queue.

Target (issue 16): at 20 sessions, the server's p95 rerun within 2x one session's, and a new
session's first page within 3 s.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import platform
import random
import statistics
import time
from datetime import datetime, timezone
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from tests.browser.conftest import StreamlitServer

PROJECT = Path(__file__).resolve().parent.parent
EVENT_TYPES = ("kidnapping", "armed attack", "arms transfer", "training", "funding",
               "statement", "arrest", "raid")
THINK_S = (0.3, 1.0)  # an eager reader's pause between changes (seconds)


class Session:
    """One browser's conversation with the server, without a browser."""

    def __init__(self, url: str) -> None:
        self.url = url.replace("http://", "ws://") + "/_stcore/stream"
        self.page_hash = ""
        self.socket = None
        self.metrics: dict[str, str] = {}  # the last run's headline figures, label -> value
        self.headers: dict[str, str] = {}  # sent when connecting (a load balancer's cookie)

    async def open(self) -> float:
        """Connect and run the first page; seconds until its script ended."""
        start = time.perf_counter()
        self.socket = await websockets.connect(self.url, subprotocols=["streamlit"],
                                               max_size=None, open_timeout=120,
                                               additional_headers=self.headers)
        await self._run("")
        return time.perf_counter() - start

    async def change(self, query: str) -> float:
        start = time.perf_counter()
        await self._run(query)
        return time.perf_counter() - start

    async def close(self) -> None:
        if self.socket is not None:
            await self.socket.close()

    async def _run(self, query: str) -> None:
        message = BackMsg()
        message.rerun_script.query_string = query
        message.rerun_script.page_script_hash = self.page_hash
        await self.socket.send(message.SerializeToString())
        self.metrics = {}
        while True:
            answer = ForwardMsg()
            answer.ParseFromString(await asyncio.wait_for(self.socket.recv(), timeout=300))
            kind = answer.WhichOneof("type")
            if kind == "new_session" and answer.new_session.page_script_hash:
                self.page_hash = answer.new_session.page_script_hash
            elif kind == "delta" and answer.delta.WhichOneof("type") == "new_element" \
                    and answer.delta.new_element.WhichOneof("type") == "metric":
                metric = answer.delta.new_element.metric
                self.metrics[metric.label] = metric.body
            elif kind == "script_finished":
                if answer.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    return


async def one_session(url: str, changes: int, seed: int, think=THINK_S, cookie: str = ""
                      ) -> tuple[float, list[float]]:
    rng = random.Random(seed)
    session = Session(url)
    session.headers = {"Cookie": cookie} if cookie else {}
    try:
        first = await session.open()
        times = []
        for _ in range(changes):
            await asyncio.sleep(rng.uniform(*think))
            kind = rng.choice(EVENT_TYPES)
            times.append(await session.change(f"event_types={kind.replace(' ', '+')}"))
        return first, times
    finally:
        await session.close()


async def many(url: str, sessions: int, changes: int, think=THINK_S, cookies=None) -> dict:
    """N sessions at once (`cookies`: one per session, from a load balancer)."""
    cookies = cookies or [""] * sessions
    results = await asyncio.gather(*(one_session(url, changes, seed, think, cookies[seed])
                                     for seed in range(sessions)))
    firsts = [first for first, _ in results]
    reruns = [t for _, times in results for t in times]
    return {"sessions": sessions, "first_median": statistics.median(firsts),
            "first_max": max(firsts), "rerun_median": statistics.median(reruns),
            "rerun_p95": _p95(reruns), "reruns": len(reruns)}


def run(coroutine):
    """asyncio.run, in a thread of its own when this thread already runs an event loop (as
    Playwright's synchronous API leaves one in a test session)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def measure(counts: list[int], changes: int, think=THINK_S, processes: int = 1,
            side_by_side: bool = False) -> list[dict]:
    """One app process, or several behind HAProxy (bench.balancer); `side_by_side`: scripts
    do not take turns (PROXYLENS_TURNS=off, components.ui.turns)."""
    env = {"PROXYLENS_TURNS": "off"} if side_by_side else None
    if processes == 1:
        server = StreamlitServer(env=env)
        url, cookies, apps = server.url, lambda n: None, [server]
    else:
        from bench.balancer import Balanced

        server = Balanced(processes, env=env)
        url, cookies, apps = server.url, lambda n: [server.cookie() for _ in range(n)], server.apps
    try:
        # the first load of the data, and every event type seen once in each process: caches
        # warm, as on a server that has run a while
        warm = cookies(processes) or [""]
        for cookie in warm:
            run(many(url, 1, 2 * len(EVENT_TYPES), (0, 0), [cookie]))
        rows = []
        for n in counts:
            rows.append(run(many(url, n, changes, think, cookies(n))))
            rows[-1].update(server_memory([app.process.pid for app in apps]))
        return rows
    finally:
        server.stop()


def server_memory(pids: list[int]) -> dict:
    """The app processes' resident memory now and at its peak (MB, summed over processes):
    Streamlit's collection after every rerun is off (.streamlit/config.toml), so this shows
    whether memory builds up without it."""
    now = peak = 0
    for pid in pids:
        status = Path(f"/proc/{pid}/status")
        if not status.exists():
            continue
        fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
        now += int(fields["VmRSS"].split()[0]) // 1024
        peak += int(fields["VmHWM"].split()[0]) // 1024
    return {"memory_mb": now, "peak_mb": peak}


def table(rows: list[dict]) -> str:
    one = rows[0]["rerun_p95"]
    lines = ["| sessions | first page, median (max) | rerun median | rerun p95 | p95 vs one "
             "session | reruns timed | server memory after (peak) |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for row in rows:
        memory = (f"{row['memory_mb']:,} MB ({row['peak_mb']:,})" if "memory_mb" in row
                  else "-")
        lines.append(
            f"| {row['sessions']} | {row['first_median'] * 1000:,.0f} ms "
            f"({row['first_max'] * 1000:,.0f}) | {row['rerun_median'] * 1000:,.0f} ms | "
            f"{row['rerun_p95'] * 1000:,.0f} ms | {row['rerun_p95'] / one:.1f}x | "
            f"{row['reruns']} | {memory} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", default="1,5,20")
    parser.add_argument("--changes", type=int, default=8)
    parser.add_argument("--think", default=",".join(map(str, THINK_S)))
    parser.add_argument("--processes", type=int, default=1,
                        help="app processes behind HAProxy (Debian's haproxy package)")
    parser.add_argument("--side-by-side", action="store_true",
                        help="scripts run side by side instead of taking turns (to compare)")
    parser.add_argument("--write", type=Path)
    args = parser.parse_args()
    counts = [int(n) for n in args.sessions.split(",")]
    think = tuple(float(v) for v in args.think.split(","))
    rows = measure(counts, args.changes, think, args.processes, args.side_by_side)
    text = table(rows)
    print(text)
    if args.write:
        when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        args.write.write_text(
            "# Many sessions at once (python -m bench.load)\n\n"
            f"Measured {when} on {platform.node()} ({_cores()} cores), shipped data, "
            f"{args.changes} filter changes per session a {think[0]}-{think[1]} s pause "
            "apart. Server-side figures: sessions speak Streamlit's websocket protocol and draw "
            "nothing, so no browser shares the cores.\n\n" + text + "\n", encoding="utf-8")


def _cores() -> int:
    import os

    return len(os.sched_getaffinity(0))


if __name__ == "__main__":
    main()
