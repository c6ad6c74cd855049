"""Write a synthetic data folder in the ProxyLens contract, for scale tests and benchmarks.

    python -m bench.generate --events 100000 --out /tmp/proxylens-100k [--seed 1] [--csv]

Structure meant to look like conflict data, not like noise: a few hundred to a few thousand
actors whose activity follows a long-tailed (Zipf) law, a long tail of places in and around
Iraq, dates clustered in bursts over 2003-2008 with some known only to the month or the year,
and relations with periods. Parquet is always written (fast to load); --csv adds the CSV files.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from components import contract

START, END = pd.Timestamp("2003-01-01"), pd.Timestamp("2008-12-31")


def zipf_choice(rng: np.random.Generator, n_items: int, size: int, exponent: float = 1.1):
    weights = 1.0 / np.arange(1, n_items + 1) ** exponent
    return rng.choice(n_items, size=size, p=weights / weights.sum())


def make_actors(rng, n: int) -> pd.DataFrame:
    types = list(contract.VOCABULARIES["actor_type"])
    sides = list(contract.VOCABULARIES["side"])
    ids = [f"a{i:05d}" for i in range(n)]
    return pd.DataFrame({
        "actor_id": ids,
        "name": [f"Group {i:05d}" for i in range(n)],
        "aliases": [f"G{i}" for i in range(n)],
        "actor_type": rng.choice(types, n),
        "country": rng.choice(["Iraq", "Iran", "Lebanon", "United States"], n, p=[.7, .15, .05, .1]),
        "side": rng.choice(sides, n),
        "active_from": "", "active_to": "",
        "description": [f"Synthetic actor {i}" for i in range(n)],
        "source_ids": "s00", "source_locator": "",
    })


def make_locations(rng, n: int) -> pd.DataFrame:
    kinds = rng.choice(["city", "province", "region", "facility"], n, p=[.7, .1, .1, .1])
    provinces = [f"Province {i:02d}" for i in range(18)]
    return pd.DataFrame({
        "location_id": [f"p{i:06d}" for i in range(n)],
        "name": [f"Place {i:06d}" for i in range(n)],
        "aliases": "",
        "latitude": np.round(rng.uniform(29.2, 37.3, n), 4),
        "longitude": np.round(rng.uniform(38.9, 48.5, n), 4),
        "admin1": rng.choice(provinces, n),
        "country": "Iraq",
        "kind": kinds,
    })


def make_dates(rng, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Dates in bursts, as ISO text at day (80%), month (15%) or year (5%) precision."""
    span = (END - START).days
    centres = rng.uniform(0, span, 12)
    burst = rng.random(n) < 0.7
    days = np.where(burst, rng.normal(centres[rng.integers(0, 12, n)], 40), rng.uniform(0, span, n))
    stamps = START + pd.to_timedelta(np.clip(days, 0, span).astype(int), unit="D")
    precision = rng.choice(["day", "month", "year"], n, p=[.8, .15, .05])
    text = np.where(precision == "day", stamps.strftime("%Y-%m-%d"),
                    np.where(precision == "month", stamps.strftime("%Y-%m"), stamps.strftime("%Y")))
    return text, precision


def make_events(rng, n: int, actors: pd.DataFrame, places: pd.DataFrame) -> pd.DataFrame:
    event_types = list(contract.VOCABULARIES["event_type"])
    dates, precision = make_dates(rng, n)
    a1 = actors["actor_id"].to_numpy()[zipf_choice(rng, len(actors), n)]
    a2 = actors["actor_id"].to_numpy()[zipf_choice(rng, len(actors), n)]
    a2 = np.where(rng.random(n) < 0.3, "", a2)
    assoc = np.where(rng.random(n) < 0.1,
                     actors["actor_id"].to_numpy()[zipf_choice(rng, len(actors), n)], "")
    place = places["location_id"].to_numpy()[zipf_choice(rng, len(places), n, 1.05)]
    return pd.DataFrame({
        "event_id": [f"e{i:07d}" for i in range(n)],
        "event_date": dates, "time_precision": precision, "date_end": "",
        "event_type": rng.choice(event_types, n),
        "actor1": a1, "actor2": a2, "assoc_actors": assoc,
        "location": place, "origin_location": "", "latitude": "", "longitude": "",
        "geo_precision": "",
        "claim_status": rng.choice(["confirmed", "reported", "alleged", "disputed"], n,
                                   p=[.3, .5, .15, .05]),
        "fatalities": rng.poisson(0.8, n).astype(str),
        "description": [f"Synthetic event {i}" for i in range(n)],
        "source_ids": rng.choice([f"s{i:02d}" for i in range(20)], n),
        "source_locator": "synthetic",
    })


def make_relations(rng, actors: pd.DataFrame, n: int) -> pd.DataFrame:
    relations = list(contract.VOCABULARIES["relation"])
    ids = actors["actor_id"].to_numpy()
    source = ids[zipf_choice(rng, len(ids), n)]
    target = ids[rng.integers(0, len(ids), n)]
    start = START + pd.to_timedelta(rng.integers(0, 1800, n), unit="D")
    end = start + pd.to_timedelta(rng.integers(30, 900, n), unit="D")
    dated = rng.random(n) < 0.7
    return pd.DataFrame({
        "relation_id": [f"r{i:06d}" for i in range(n)],
        "source": source, "target": target, "relation": rng.choice(relations, n),
        "start_date": np.where(dated, start.strftime("%Y-%m"), ""),
        "end_date": np.where(dated, end.strftime("%Y-%m"), ""),
        "claim_status": rng.choice(["confirmed", "reported", "alleged", "disputed"], n),
        "description": "Synthetic relation", "source_ids": "s00", "source_locator": "",
    }).query("source != target")


def make_sources() -> pd.DataFrame:
    return pd.DataFrame({
        "source_id": [f"s{i:02d}" for i in range(20)],
        "title": [f"Synthetic source {i}" for i in range(20)],
        "publisher": "ProxyLens generator", "published": "2009", "url": "",
        "reliability": "F", "notes": "Generated for scale tests",
    })


def generate(n_events: int, out: Path, seed: int = 1, csv: bool = False) -> dict[str, int]:
    rng = np.random.default_rng(seed)
    n_actors = int(min(3000, max(300, n_events / 300)))
    n_places = int(min(20000, max(500, n_events / 50)))
    actors = make_actors(rng, n_actors)
    places = make_locations(rng, n_places)
    tables = {
        "sources": make_sources(),
        "locations": places,
        "actors": actors,
        "events": make_events(rng, n_events, actors, places),
        "relations": make_relations(rng, actors, n_actors * 2),
    }
    out.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        frame = frame.astype(str)
        frame.to_parquet(out / f"{name}.parquet", index=False)
        if csv:
            frame.to_csv(out / f"{name}.csv", index=False)
    return {name: len(frame) for name, frame in tables.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--csv", action="store_true", help="also write CSV files")
    args = parser.parse_args()
    counts = generate(args.events, args.out, args.seed, args.csv)
    print(", ".join(f"{n:,} {name}" for name, n in counts.items()), "->", args.out)


if __name__ == "__main__":
    main()
