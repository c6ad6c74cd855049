"""Kill multi-table saves at random moments and report what each kill left behind.

Run as `python -m tests.kill_saves FOLDER KILLS SEED` (tests/test_datastore.py does): a process
of its own, with no other threads, so forking a child to save is safe. Each child saves three
tables at a new version and is killed with SIGKILL after a random delay; the folder is then
read as ProxyLens reads it (a cut-short save is finished first) and each table is checked.
Prints one JSON line: how often the folder held the old or the new versions, and every mixed
or damaged outcome (none is allowed)."""

from __future__ import annotations

import json
import os
import random
import signal
import sys
import time
from pathlib import Path

from components import datastore, loader

NAMES = ("events.csv", "actors.csv", "relations.csv")
LINES = 20_000


def content(version: int, name: str) -> bytes:
    return "".join(f"{name},{version},{line}\n" for line in range(LINES)).encode()


def version_of(path: Path, name: str) -> int | None:
    """The version a table holds, or None when its bytes are not one whole version."""
    data = path.read_bytes()
    first = data.split(b"\n", 1)[0].decode(errors="replace").split(",")
    try:
        version = int(first[1])
    except (IndexError, ValueError):
        return None
    return version if data == content(version, name) else None


def save_time(folder: Path) -> float:
    """How long a whole save takes on this machine (the slowest of three, in a child as the
    killed saves run): kills are spread over one and a half times that, so they land both
    before and after the point of no return however fast the machine is (a fixed 40 ms
    window saw every kill land before it on a slow, shared day)."""
    taken = []
    for _ in range(3):
        start = time.perf_counter()
        child = os.fork()
        if child == 0:
            try:
                datastore.save_files(folder, {name: content(0, name) for name in NAMES})
            finally:
                os._exit(0)
        os.waitpid(child, 0)
        taken.append(time.perf_counter() - start)
    return max(taken)


def main(folder: Path, kills: int, seed: int) -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    datastore.save_files(folder, {name: content(0, name) for name in NAMES})
    rng = random.Random(seed)
    window = 1.5 * save_time(folder)
    current, outcomes, mixed, damaged = 0, {"old": 0, "new": 0}, [], []
    for attempt in range(1, kills + 1):
        child = os.fork()
        if child == 0:
            try:
                datastore.save_files(folder, {name: content(attempt, name) for name in NAMES})
            finally:
                os._exit(0)
        time.sleep(rng.uniform(0, window))
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
        loader.folder_fingerprint(folder)  # how every read begins
        held = {name: version_of(folder / name, name) for name in NAMES}
        if None in held.values():
            damaged.append({"attempt": attempt, "held": held})
        elif len(set(held.values())) > 1:
            mixed.append({"attempt": attempt, "held": held})
        else:
            version = next(iter(held.values()))
            outcomes["new" if version == attempt else "old"] += 1
            current = version
    datastore.save_files(folder, {name: content(kills + 1, name) for name in NAMES})
    strays = [str(p) for place in (folder, datastore.history_dir(folder))
              for p in place.glob(".*.tmp")]
    history = datastore.list_history(folder)
    return {"outcomes": outcomes, "mixed": mixed, "damaged": damaged, "strays": strays,
            "history_states": history["state"].value_counts().to_dict(), "last": current}


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))))
