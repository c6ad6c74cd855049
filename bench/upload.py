"""Memory an upload costs the server: python -m bench.upload [--size 1000000] [--acled ROWS].

Does what the Data page does with an uploaded events.csv (stage it beside a copy of the
shipped data, check it, compare it with the current data), in a fresh process, and prints the
process's peak memory above its baseline (the app's code and the shipped data loaded), with
the uploaded bytes held throughout as Streamlit holds them. An export large enough to be
converted in a process of its own (datastore.IMPORT_APART_FROM_BYTES) is measured together
with that process: the server's growth plus the import's private memory, sampled together. The file is bench.generate's CSV of
`size` events (about 107 MB at a million), written to PROXYLENS_BENCH_DIR unless present.
With --acled, the upload is instead an ACLED export of ROWS rows (added to the current data, as
the Data page does by default): the real ACLED sample in ../shared/realdata repeated, each row
with an id of its own (about 52 MB per 100,000 rows).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.scale import PROJECT, WORK, ensure_folder


def _resident_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * 4096 / 2**20


def _children_private_mb() -> float:
    """The memory this process's children hold on their own: their private pages. Their
    shared pages (the libraries' code, mapped from the same files as this process's) are the
    same physical memory as this process's, already counted in its resident size."""
    import os

    total = 0.0
    for task in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{task}/children") as handle:
                children = handle.read().split()
        except OSError:
            continue
        for pid in children:
            try:
                with open(f"/proc/{pid}/smaps_rollup") as handle:
                    for line in handle:
                        if line.startswith(("Private_Clean:", "Private_Dirty:")):
                            total += int(line.split()[1]) / 1024
            except OSError:  # it ended meanwhile
                continue
    return total


def acled_export(rows: int) -> Path:
    """An ACLED export of `rows` rows (see the module docstring), made once."""
    import pandas as pd

    path = WORK / f"acled-{rows}.csv"
    if not path.exists():
        sample = PROJECT.parent / "shared" / "realdata" / "acled_2022_iraq.csv"
        if not sample.exists():
            raise SystemExit(f"--acled needs the ACLED sample at {sample}")
        real = pd.read_csv(sample, dtype=str, keep_default_na=False)
        export = pd.concat([real] * (rows // len(real) + 1), ignore_index=True).iloc[:rows]
        export["event_id_cnty"] = [f"IRQ{i:07d}" for i in range(rows)]
        WORK.mkdir(parents=True, exist_ok=True)
        export.to_csv(path, index=False)
    return path


def measure_in_this_process(events_csv: str) -> dict:
    """Runs in the child process."""
    import os

    os.environ["PROXYLENS_CACHE_DIR"] = tempfile.mkdtemp(prefix="proxylens-bench-upload-")
    sys.path.insert(0, str(PROJECT))
    from components import datastore, eventstore, loader

    data = str(PROJECT / "data")
    current = loader.load_dataset(data).dataset
    peak, together, stop = [0.0], [0.0, 0.0], threading.Event()

    def watch() -> None:
        while not stop.is_set():
            own = _resident_mb()
            peak[0] = max(peak[0], own)
            children = _children_private_mb()
            if own - baseline + children > together[0]:
                together[:] = [own - baseline + children, children]
            time.sleep(0.02)

    baseline = _resident_mb()
    threading.Thread(target=watch, daemon=True).start()
    content = Path(events_csv).read_bytes()  # held throughout, as Streamlit holds an upload
    start = time.perf_counter()
    staged = datastore.stage_upload(data, [(Path(events_csv).name if "acled" in Path(
        events_csv).name else "events.csv", content)])
    try:
        checked = eventstore.check_upload(staged.folder)
        changes = datastore.diff(current, checked.dataset)
        seconds = time.perf_counter() - start
    finally:
        datastore.discard(staged)
        stop.set()
    import resource

    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # an export's import
    return {"upload_mb": len(content) / 2**20, "peak_above_baseline_mb": peak[0] - baseline,
            "child_peak_mb": child, "together_mb": together[0],
            "child_private_then_mb": together[1],
            "seconds": seconds, "problems": len(checked.problems),
            "changes": {f"{t} {c}": n for (t, c), n in changes.counts.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--acled", type=int, default=0, metavar="ROWS",
                        help="upload an ACLED export of ROWS rows instead")
    args = parser.parse_args()
    events = (acled_export(args.acled) if args.acled
              else ensure_folder(args.size, csv=True) / "events.csv")
    code = (f"import json, sys; sys.path.insert(0, {str(PROJECT)!r}); "
            f"from bench.upload import measure_in_this_process; "
            f"print('RESULT' + json.dumps(measure_in_this_process({str(events)!r})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=PROJECT, check=True).stdout
    result = json.loads(out.split("RESULT", 1)[1])
    what = (f"an ACLED export of {args.acled:,} rows" if args.acled
            else f"{args.size:,} events as events.csv")
    print(f"{what}, {result['upload_mb']:.0f} MB uploaded: staged, checked "
          f"and compared in {result['seconds']:.1f} s, peak {result['peak_above_baseline_mb']:.0f}"
          f" MB above the baseline (target: 500 MB)"
          + (f", the import's own process at most {result['child_peak_mb']:.0f} MB resident"
             f" (libraries shared with the server included); the server's growth and the "
             f"import's private memory at the same moment at most "
             f"{result['together_mb']:.0f} MB ({result['child_private_then_mb']:.0f} MB of it "
             "the import's)"
             if result["child_peak_mb"] else "")
          + f"; {result['problems']} problem line(s); "
          f"changes {result['changes']}")


if __name__ == "__main__":
    main()
