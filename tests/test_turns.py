"""Scripts take turns (components.ui.turns): first come, first served; nobody waits past
WAIT_S or behind a turn that has lasted that long; a turn steps aside while it waits on the
query engine. Ordered with events and a fake clock, never timed."""

from __future__ import annotations

import threading

import pyarrow as pa
import pytest

from components import eventstore
from components.ui import turns


@pytest.fixture
def fresh_turns(monkeypatch):
    """A free turn, no one waiting, and a clock the test moves."""
    monkeypatch.setitem(turns._turn, "busy", False)
    monkeypatch.setitem(turns._turn, "since", 0.0)
    monkeypatch.setattr(turns, "_waiting", __import__("collections").deque())
    clock = {"now": 1000.0}
    monkeypatch.setattr(turns, "_clock", lambda: clock["now"])
    monkeypatch.setattr(turns, "ENABLED", True)
    monkeypatch.setattr(turns, "WAIT_S", 60.0)  # only the tests that want a wait to end, end it
    return clock


def _in_thread(target, *args) -> threading.Thread:
    thread = threading.Thread(target=target, args=args, daemon=True)
    thread.start()
    return thread


def _hold_turn() -> tuple[threading.Thread, threading.Event]:
    """A script holding the turn until the event returned is set (its thread, the event)."""
    inside, release = threading.Event(), threading.Event()

    def holder():
        with turns.turn():
            inside.set()
            release.wait(30)

    thread = _in_thread(holder)
    inside.wait(30)
    return thread, release


def _until(condition, what: str):
    for _ in range(2000):
        if condition():
            return
        threading.Event().wait(0.005)
    raise AssertionError(f"never happened: {what}")


def test_turns_are_taken_first_come_first_served(fresh_turns):
    order, release_first = [], threading.Event()

    def first():
        with turns.turn():
            order.append("first")
            release_first.wait(30)

    def later(name):
        with turns.turn():
            order.append(name)

    holder = _in_thread(first)
    _until(lambda: order == ["first"], "the first script runs")
    second = _in_thread(later, "second")
    _until(lambda: len(turns._waiting) == 1, "the second script waits")
    third = _in_thread(later, "third")
    _until(lambda: len(turns._waiting) == 2, "the third script waits behind it")
    assert order == ["first"]  # nobody ran beside the turn
    release_first.set()
    for thread in (holder, second, third):
        thread.join(30)
    assert order == ["first", "second", "third"]
    assert not turns._turn["busy"] and not turns._waiting


def test_a_script_runs_beside_a_turn_that_does_not_come(fresh_turns, monkeypatch):
    monkeypatch.setattr(turns, "WAIT_S", 0.05)
    thread, release = _hold_turn()
    with turns.turn():  # waits WAIT_S, then carries on while the turn is still held
        assert turns._turn["busy"] and not getattr(turns._held, "turn", False)
    assert not turns._waiting  # it left the queue
    release.set()
    thread.join(30)
    assert not turns._turn["busy"]


def test_nobody_waits_behind_a_turn_that_has_lasted_wait_s(fresh_turns):
    thread, release = _hold_turn()  # new data being prepared, say
    fresh_turns["now"] += turns.WAIT_S  # the turn under way has lasted WAIT_S
    with turns.turn():
        assert not turns._waiting, "it did not queue"
        assert not getattr(turns._held, "turn", False)
    release.set()
    thread.join(30)


def test_a_turn_steps_aside_while_it_waits_on_the_engine(fresh_turns):
    order, querying, answer = [], threading.Event(), threading.Event()
    held_after = []

    def slow_query_page():
        with turns.turn():
            with eventstore.engine_wait():  # what EventStore._frame runs its query in
                querying.set()
                answer.wait(30)
            order.append("after the query")
            held_after.append(getattr(turns._held, "turn", False))

    thread = _in_thread(slow_query_page)
    querying.wait(30)
    with turns.turn():  # taken at once, not waited for
        assert getattr(turns._held, "turn", False)
        order.append("another page")
    answer.set()
    thread.join(30)
    assert order == ["another page", "after the query"]
    assert held_after == [True], "the turn was free again: it took it back"
    assert not turns._turn["busy"]


def test_after_the_engine_a_busy_turn_is_not_waited_for(fresh_turns):
    """A thread that stepped aside may hold a lock the new turn needs: it carries on beside."""
    querying, answer = threading.Event(), threading.Event()
    held_after, waiting_seen = [], []

    def page_with_query():
        with turns.turn():
            with eventstore.engine_wait():
                querying.set()
                answer.wait(30)
            waiting_seen.append(len(turns._waiting))
            held_after.append(getattr(turns._held, "turn", False))

    first = _in_thread(page_with_query)
    querying.wait(30)
    second, release_second = _hold_turn()  # the other page has the turn now
    answer.set()
    first.join(30)
    assert held_after == [False] and waiting_seen == [0], "it did not queue for the turn"
    release_second.set()
    second.join(30)
    assert not turns._turn["busy"]


def test_turns_off_runs_every_script_beside(fresh_turns, monkeypatch):
    monkeypatch.setattr(turns, "ENABLED", False)
    with turns.turn():
        assert not turns._turn["busy"] and not getattr(turns._held, "turn", False)
        with eventstore.engine_wait():
            assert not turns._turn["busy"]


def test_a_script_that_stops_early_gives_the_turn_back(fresh_turns):
    with pytest.raises(RuntimeError):
        with turns.turn():
            raise RuntimeError("st.stop() or a rerun request raises through the script")
    assert not turns._turn["busy"] and not getattr(turns._held, "turn", False)


def test_the_event_store_runs_its_queries_inside_engine_wait(monkeypatch):
    entered = []

    class Recording:
        def __enter__(self):
            entered.append(True)

        def __exit__(self, *exc):
            return False

    assert eventstore.engine_wait is turns.step_aside  # the app's hook is set on import
    monkeypatch.setattr(eventstore, "engine_wait", Recording)
    store = eventstore.EventStore.in_memory(pa.table({
        column: pa.array([], type=pa.string()) for column in eventstore.STORED_COLUMNS
    } | {"order_key": pa.array([], type=pa.int64())}))
    assert store._value("SELECT count(*) FROM events") == 0
    assert entered
