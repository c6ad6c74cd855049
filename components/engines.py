"""Which engine runs the event store's queries, and the SQL each engine is given.

No Streamlit import. Every query over the events is written once, in DuckDB's dialect, in
components.eventstore and components.filterdefs. DuckDB runs it as written (the embedded
default, in memory or prepared on disk). With PROXYLENS_ENGINE=spark the same text is parsed
by SQLGlot, its parameters become literals, its table names become the Spark views that hold
the events, and it is generated in Spark SQL: local mode (`local[*]`) by default, a cluster
when PROXYLENS_SPARK_REMOTE names a Spark Connect address (sc://host:15002).

The few DuckDB functions that Spark spells differently, or lacks, are translated here, in
`SparkSQL`, and nowhere else: a query never has a Spark twin.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import os
import threading
import warnings

import numpy as np
import pandas as pd
import pyarrow as pa

ENGINE_ENV = "PROXYLENS_ENGINE"
SPARK_REMOTE_ENV = "PROXYLENS_SPARK_REMOTE"
SPARK_MASTER_ENV = "PROXYLENS_SPARK_MASTER"
ENGINES = ("duckdb", "spark")


class EngineUnavailable(RuntimeError):
    """The engine asked for cannot be started here; the message says why and what to do."""


def engine_name() -> str:
    """The engine PROXYLENS_ENGINE asks for: "duckdb" (the default) or "spark"."""
    chosen = os.environ.get(ENGINE_ENV, "").strip().lower() or "duckdb"
    if chosen not in ENGINES:
        raise EngineUnavailable(
            f"{ENGINE_ENV}={chosen!r} is not an engine ProxyLens knows; use one of "
            f"{', '.join(ENGINES)}.")
    return chosen


# --------------------------------------------------------------------------------------------
# DuckDB's SQL in Spark's dialect


@functools.cache
def _dialects():
    """SQLGlot's Spark dialect with the translations ProxyLens's queries need (imported on first
    use: DuckDB alone never loads SQLGlot)."""
    from sqlglot import exp
    from sqlglot.dialects.spark import Spark

    def smallest(gen, node):
        count = node.args.get("count")
        if count is None:
            return gen.func("MIN", node.this)
        # DuckDB's min(x, n), the n smallest values: sorted and cut in Spark
        return f"SLICE(ARRAY_SORT(COLLECT_LIST({gen.sql(node.this)})), 1, {gen.sql(count)})"

    class SparkSQL(Spark):
        class Generator(Spark.Generator):
            TRANSFORMS = {
                **Spark.Generator.TRANSFORMS,
                exp.ArrayOverlaps: lambda gen, node: gen.func("ARRAYS_OVERLAP", node.this,
                                                              node.expression),
                exp.Min: smallest,
            }

    return exp, SparkSQL


@functools.lru_cache(maxsize=512)
def _parsed(sql: str):
    """The query parsed once, its `?` placeholders numbered $1, $2... in the order written (a
    tree's own order is not the text's: LIMIT can come before WHERE)."""
    import sqlglot
    from sqlglot.tokens import TokenType

    dialect = sqlglot.Dialect.get_or_raise("duckdb")
    marks = [t.start for t in dialect.tokenize(sql) if t.token_type == TokenType.PLACEHOLDER]
    numbered, last = [], 0
    for index, start in enumerate(marks):
        numbered += [sql[last:start], f"${index + 1}"]
        last = start + 1
    numbered.append(sql[last:])
    return sqlglot.parse_one("".join(numbered), read=dialect), len(marks)


def literal(value):
    """A query parameter as a SQL literal expression."""
    exp, _ = _dialects()
    if isinstance(value, (list, tuple, np.ndarray)):
        return exp.Array(expressions=[literal(v) for v in value])
    if value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return exp.null()
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        stamp = pd.Timestamp(value)
        if stamp.tzinfo is not None:  # the session's zone is UTC, and stored times are naive
            stamp = stamp.tz_convert("UTC").tz_localize(None)
        return exp.cast(exp.Literal.string(stamp.strftime("%Y-%m-%d %H:%M:%S.%f")), "TIMESTAMP")
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, float) and not np.isfinite(value):
        raise ValueError(f"{value} cannot be a query parameter")
    return exp.convert(value)


def to_spark(sql: str, params=(), tables: dict[str, str] | None = None) -> str:
    """A query written for DuckDB, with its `?` parameters, as Spark SQL with literals, its
    tables renamed by `tables`."""
    exp, dialect = _dialects()
    parsed, count = _parsed(sql)
    if count != len(params):
        raise ValueError(f"the query has {count} placeholders for {len(params)} parameters: "
                         f"{sql}")
    tree = parsed.copy()
    for node in list(tree.find_all(exp.Placeholder)):
        node.replace(literal(params[int(node.name) - 1]))
    for node in list(tree.find_all(exp.Anonymous)):
        if node.name.lower() == "round_even":  # half to even: Spark's bround
            node.set("this", "BROUND")
    for node in tree.find_all(exp.Table):
        if tables and node.name in tables:
            node.set("this", exp.to_identifier(tables[node.name]))
    return tree.sql(dialect=dialect)



# --------------------------------------------------------------------------------------------
# Spark


class SparkEngine:
    """One Spark session for the process (local mode, or a Spark Connect cluster), started on
    first use; events registered with it as temporary views."""

    _lock = threading.Lock()
    _session = None
    _names = itertools.count(1)

    @classmethod
    def session(cls):
        with cls._lock:
            if cls._session is None:
                cls._session = _start_spark()
            return cls._session

    @classmethod
    def where(cls) -> str:
        """Where Spark runs: "local mode, local[*]" or the cluster's Spark Connect address."""
        remote = os.environ.get(SPARK_REMOTE_ENV, "").strip()
        if remote:
            return f"Spark Connect at {remote}"
        return f"local mode, {os.environ.get(SPARK_MASTER_ENV, 'local[*]')}"

    @classmethod
    def view_name(cls, stem: str) -> str:
        return f"proxylens_{stem}_{next(cls._names)}"

    @classmethod
    def register(cls, events: pa.Table | None = None, parquet: str | None = None,
                 stem: str = "events") -> str:
        """The events as a cached temporary view (read from a Parquet file in local mode, sent
        as Arrow to a remote cluster); returns the view's name."""
        spark = cls.session()
        if parquet is not None and not os.environ.get(SPARK_REMOTE_ENV):
            frame = spark.read.parquet(parquet)
        else:
            if events is None:
                import pyarrow.parquet as pq
                events = pq.read_table(parquet)
            frame = spark.createDataFrame(events)
        name = cls.view_name(stem)
        frame = frame.cache()
        frame.count()  # cached now, not on first use: the file it came from may be replaced
        frame.createOrReplaceTempView(name)
        return name

    @classmethod
    def view_of(cls, sql: str, stem: str) -> str:
        """A query's answer kept as a cached temporary view (a narrowed copy of the events)."""
        name = cls.view_name(stem)
        cls.session().sql(sql).cache().createOrReplaceTempView(name)
        return name

    @classmethod
    def drop(cls, name: str) -> None:
        spark = cls._session
        if spark is None:
            return
        try:
            spark.catalog.dropTempView(name)
        except Exception:  # noqa: BLE001 - a session already stopped has nothing to drop
            pass

    @classmethod
    def frame(cls, sql: str) -> pd.DataFrame:
        """A Spark SQL query's answer as a pandas frame (through Arrow)."""
        answer = cls.session().sql(sql).toArrow()
        return _naive_times(answer).to_pandas()


def _naive_times(table: pa.Table) -> pa.Table:
    """Spark hands timestamps back in the session's zone (UTC); DuckDB's are naive."""
    for index, field in enumerate(table.schema):
        if pa.types.is_timestamp(field.type) and field.type.tz is not None:
            table = table.set_column(index, field.name,
                                     table.column(index).cast(pa.timestamp(field.type.unit)))
    return table


def _start_spark():
    with warnings.catch_warnings():
        # PySpark warns about pandas 3 as it starts; ProxyLens hands it Arrow, never pandas
        warnings.simplefilter("ignore", FutureWarning)
        return _spark_session()


def _spark_session():
    try:
        from pyspark.sql import SparkSession
    except ImportError as missing:
        raise EngineUnavailable(
            f"{ENGINE_ENV}=spark needs PySpark: pip install -r requirements-spark.txt "
            f"({missing})") from missing
    remote = os.environ.get(SPARK_REMOTE_ENV, "").strip()
    builder = SparkSession.builder.appName("ProxyLens")
    if remote:
        session = builder.remote(remote).getOrCreate()
        # dates are truncated and compared in UTC, as stored, whatever the cluster's zone
        session.conf.set("spark.sql.session.timeZone", "UTC")
        return session
    try:
        return (builder.master(os.environ.get(SPARK_MASTER_ENV, "local[*]"))
                .config("spark.ui.enabled", "false")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.sql.session.timeZone", "UTC")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.sql.execution.arrow.pyspark.enabled", "true")
                .config("spark.driver.memory", "2g")
                .getOrCreate())
    except Exception as failed:  # noqa: BLE001 - most often: no Java
        raise EngineUnavailable(
            f"{ENGINE_ENV}=spark could not start Spark in local mode ({failed}). Spark needs "
            "Java 17 (Debian: apt-get install openjdk-17-jre-headless), or set "
            f"{SPARK_REMOTE_ENV}=sc://host:15002 to use a cluster.") from failed
