"""Scripts take turns: one session's script runs at a time in this process, first come first
served, for as long as that keeps anyone waiting only briefly.

Streamlit runs each session's script in a thread of its own, and all share the interpreter's
lock. Twenty reruns started together shared it in 5 ms slices, every one finishing late, and
each was slowed further by the lock's hand-overs around the sixty-odd messages a rerun sends.
Taking turns, a rerun that arrives while another runs waits for it (a warm rerun takes 10-25
ms), so most finish sooner (docs/benchmarks-load.md: 20 eager sessions on one process, a
rerun's p95 a median of 111 ms over seven runs, against 183 ms side by side).

Nobody waits long: a script waits for its turn once, when it starts, at most WAIT_S, and not
at all when the turn under way has lasted that long already (new data being prepared, an
upload being checked); it then runs beside, as every script did before. While a turn waits on
the query engine (most queries run inside eventstore.engine_wait) it steps aside, and takes
the turn back afterwards only if it is free, else carries on beside: a thread that stepped
aside may hold a lock the next turn needs. PROXYLENS_TURNS=off runs every script side by side
(to compare, python -m bench.load --side-by-side).
"""

from __future__ import annotations

import collections
import contextlib
import os
import threading
import time

from components import eventstore

WAIT_S = 0.1  # longer waits measured worse: a queue of first pages then holds up every rerun
ENABLED = os.environ.get("PROXYLENS_TURNS", "on").lower() != "off"
_clock = time.monotonic

_mutex = threading.Lock()  # guards the two below
_waiting: collections.deque = collections.deque()  # an Event per waiting thread, in order
_turn = {"busy": False, "since": 0.0}  # since: when the current turn began (_clock)
_held = threading.local()  # .turn: this thread holds the turn


@contextlib.contextmanager
def turn():
    """Run the body in this process's turn, or beside it when the turn does not come soon."""
    if ENABLED:
        _take()
    try:
        yield
    finally:
        if getattr(_held, "turn", False):
            _give_back()


@contextlib.contextmanager
def step_aside():
    """While this thread waits on the query engine, another script may take the turn."""
    if not getattr(_held, "turn", False):
        yield
        return
    _give_back()
    try:
        yield
    finally:
        _take(wait=False)


def _take(wait: bool = True) -> bool:
    """The turn, now or in arrival order (first come, first served); False, and no wait, when
    the current turn has lasted WAIT_S already (or `wait` is False); False after waiting
    WAIT_S."""
    with _mutex:
        now = _clock()
        if not _turn["busy"]:
            _turn.update(busy=True, since=now)
            _held.turn = True
            return True
        if not wait or now - _turn["since"] >= WAIT_S:
            return False
        handed = threading.Event()
        _waiting.append(handed)
    if not handed.wait(WAIT_S):
        with _mutex:
            if not handed.is_set():  # not handed the turn in time: carry on beside it
                _waiting.remove(handed)
                return False
    _held.turn = True
    return True


def _give_back() -> None:
    """Hand the turn to the first thread waiting, or leave it free."""
    _held.turn = False
    with _mutex:
        if _waiting:
            _turn["since"] = _clock()
            _waiting.popleft().set()
        else:
            _turn["busy"] = False


eventstore.engine_wait = step_aside
