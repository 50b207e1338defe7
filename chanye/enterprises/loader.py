# ruff: noqa: S608 - SQL here is built from model metadata and constant names only; values are parameters.
"""Importing an enterprise sheet: check every row while staging it, then merge all of it or nothing.

Phase 1 streams the file: each row is checked (`rows.RowChecker`), classified, and staged into temporary
tables with `COPY` (PostgreSQL) or `executemany` (SQLite), outside any transaction on the register so
nobody waits. Phase 2 runs only when no row was rejected: one transaction compares the staged rows with
the register in SQL (created / updated / unchanged), writes the history of what changed, updates, inserts,
replaces tags and rule-based industry memberships of the touched enterprises. A dry run does all of it
and rolls back, so its counts are exact. Nothing is ever half-written; the same file twice changes nothing.
"""

import functools
import gc
import json
import queue
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

import polars as pl
from django.db import connection, transaction
from django.utils import timezone
from psycopg import sql as psycopg_sql

from chanye.core.tabular import Table, TabularError, column_letter, find_header
from chanye.enterprises.columnar import Batch, ColumnarChecker
from chanye.enterprises.models import (
    Enterprise,
    EnterpriseChange,
    EnterpriseTag,
    FormerName,
    Membership,
    MembershipOverride,
    RuleKind,
)
from chanye.enterprises.rows import COLUMN_BY_FIELD, REQUIRED, SYNONYMS, Lookups, RowChecker, RowError
from chanye.indicators import rollups

STAGE, STAGE_TAG, STAGE_MEMBER, STAGE_FORMER = (
    "chanye_stage",
    "chanye_stage_tag",
    "chanye_stage_member",
    "chanye_stage_former",
)
BATCH = 5000
CHECK_BATCH = 50_000
# A first load writes each batch while the next is checked: smaller batches leave less to write at the end.
FIRST_LOAD_BATCH = 20_000
# …and it starts small, the batches growing threefold up to FIRST_LOAD_BATCH: the server has its first rows
# to write a tenth of a second after the file is open instead of after a whole batch was read and checked.
FIRST_LOAD_START = 2_000
MAX_STORED_ERRORS = 100_000
# Fields compared and written; the scale follows from the figures and the GB/T code.
DATA_FIELDS = [
    f.name
    for f in Enterprise._meta.concrete_fields
    if f.name in COLUMN_BY_FIELD or f.name in ("scale", "street")
]


class Rejected(Exception):
    """The file as a whole cannot be read: no header, a required column missing, over a limit."""

    def __init__(self, errors: list[RowError]):
        super().__init__(errors[0].reason if errors else "")
        self.errors = errors


@dataclass
class Outcome:
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    duplicates: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    columns: dict[str, str] = field(default_factory=dict)  # field → header in the file
    unknown: list[str] = field(default_factory=list)
    written: bool = False


def _column(name: str) -> str:
    return Enterprise._meta.get_field(name).column


def _db_type(name: str) -> str:
    return Enterprise._meta.get_field(name).db_type(connection) or "text"


def _plain(value: Any) -> Any:
    if connection.vendor == "sqlite" and isinstance(value, date | Decimal):
        return str(value)
    return value


def _stage(cursor, table: str, frame: pl.DataFrame) -> None:
    """A polars frame of staging text into a table (a stage, or in a first load the register and its side
    tables): COPY … (FORMAT csv) on PostgreSQL, where an unquoted empty field is NULL and a quoted one is '';
    executemany on SQLite."""
    if frame.height == 0:
        return
    names = ", ".join(frame.columns)
    if connection.vendor == "postgresql":
        data = frame.write_csv(include_header=False, quote_style="non_numeric")
        with cursor.copy(f"COPY {table} ({names}) FROM STDIN WITH (FORMAT csv)") as copy:
            copy.write(data)
    else:
        marks = ", ".join(["%s"] * frame.width)
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", frame.iter_rows())


class _Stager:
    """Staging writes. On PostgreSQL a second thread sends them, on a cursor of its own, so the server loads
    one batch while Python checks the next (the connection is not used by anything else meanwhile)."""

    def __init__(self, cursor):
        self.cursor = cursor
        self.queue: queue.Queue = queue.Queue(maxsize=2)
        self.failure: BaseException | None = None
        self.thread: threading.Thread | None = None
        self.raw = connection.connection  # the session that holds the temporary tables
        if connection.vendor == "postgresql":
            self.thread = threading.Thread(target=self._send, name="chanye-stage", daemon=True)
            self.thread.start()

    def add(self, table: str, frame: pl.DataFrame) -> None:
        if self.thread is None:
            _stage(self.cursor, table, frame)
            return
        self._raise()
        self.queue.put((table, frame))

    def run(self, work: Callable[[Any], None]) -> None:
        """`work(cursor)` after the writes added so far, on the same thread."""
        if self.thread is None:
            work(self.cursor)
            return
        self._raise()
        self.queue.put((None, work))

    def close(self) -> None:
        if self.thread is not None:
            self.queue.put(None)
            self.thread.join()
            self.thread = None
        self._raise()

    def _send(self) -> None:
        with self.raw.cursor() as cursor:
            while (item := self.queue.get()) is not None:
                if self.failure is None:
                    try:
                        if item[0] is None:
                            item[1](cursor)
                        else:
                            _stage(cursor, *item)
                    except BaseException as error:  # noqa: BLE001 - handed to the checking thread
                        self.failure = error

    def _raise(self) -> None:
        if self.failure is not None:
            failure, self.failure = self.failure, None
            raise failure


def _create_stage(cursor, fields: list[str]) -> None:
    for table in (STAGE, STAGE_TAG, STAGE_MEMBER, STAGE_FORMER):
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
    columns = ", ".join(f"{_column(name)} {_db_type(name)}" for name in fields if name != "uscc")
    cursor.execute(
        # SQLite joins by index, so its stage is keyed by code; PostgreSQL hashes (no index to maintain).
        f"CREATE TEMPORARY TABLE {STAGE} (row_no integer, "
        f"uscc varchar(18){' PRIMARY KEY' if connection.vendor == 'sqlite' else ''}{', ' if columns else ''}{columns})"
    )
    cursor.execute(f"CREATE TEMPORARY TABLE {STAGE_TAG} (uscc varchar(18), tag_id bigint)")
    cursor.execute(
        f"CREATE TEMPORARY TABLE {STAGE_MEMBER} (uscc varchar(18), industry_id bigint, kind varchar(10), rule varchar(200))"
    )
    cursor.execute(f"CREATE TEMPORARY TABLE {STAGE_FORMER} (uscc varchar(18), name varchar(200))")


def _drop_stage(cursor) -> None:
    for table in (STAGE, STAGE_TAG, STAGE_MEMBER, STAGE_FORMER, "chanye_stage_changed"):
        cursor.execute(f"DROP TABLE IF EXISTS {table}")


def import_table(
    table: Table,
    *,
    lookups: Lookups,
    version_id: int | None,
    source: str,
    by=None,
    dry_run: bool = False,
    mapping: dict[str, str] | None = None,
    progress: Callable[[str, int], None] | None = None,
    constants: dict[str, Any] | None = None,
) -> Outcome:
    """Check, stage and (unless rejected or a dry run) merge one table. `mapping` adds header → field pairs."""
    synonyms = {name: list(words) for name, words in SYNONYMS.items()}
    for header, name in (mapping or {}).items():
        if name in synonyms:
            synonyms[name].append(header)
    try:
        header = find_header(table.rows(), synonyms, REQUIRED)
    except TabularError as error:
        raise Rejected([RowError(0, "", "", error.message)]) from error
    if header.missing:
        labels = "、".join(COLUMN_BY_FIELD[name].label for name in header.missing)
        raise Rejected([RowError(header.row_number, "", "", f"缺少必需的列：{labels}")])
    headers = {
        index: f"{(header.cells[index] if index < len(header.cells) else '').strip() or COLUMN_BY_FIELD[name].label}"
        f"（{column_letter(index)} 列）"
        for index, name in header.columns.items()
    }
    checker = RowChecker(lookups, header.columns, headers, header.units)
    outcome = Outcome(columns={name: headers[index] for index, name in header.columns.items()})
    outcome.unknown = list(header.unknown)
    fields = [name for name in DATA_FIELDS if name in checker.fields or (name == "scale" and _sizes(checker))]
    classify = lookups.classifier is not None and bool({"gbt_code", "business_scope"} & checker.fields)

    with connection.cursor() as cursor:
        _create_stage(cursor, fields)
        try:
            if connection.vendor == "postgresql" and not Enterprise.objects.exists():
                first = _first_load(
                    header.rest,
                    checker,
                    cursor,
                    fields,
                    outcome,
                    progress,
                    classify,
                    version_id,
                    constants or {},
                    dry_run,
                )
                if first is not None:
                    return first
            with _collector_paused():
                seen = _phase_one(header.rest, checker, cursor, fields, outcome, progress)
            if outcome.error_count:
                _count(cursor, fields, checker, outcome)  # what the valid rows would do, for the message
                return outcome
            if progress:
                progress("writing", seen)
            with transaction.atomic():
                _roomy(cursor)
                _count(cursor, fields, checker, outcome)
                _merge(cursor, fields, checker, classify, version_id, source, by, constants or {})
                if dry_run:
                    transaction.set_rollback(True)
                else:
                    outcome.written = True
            return outcome
        finally:
            _drop_stage(cursor)


def _first_load(
    rows: Iterator,
    checker: RowChecker,
    cursor,
    fields: list[str],
    outcome: Outcome,
    progress,
    classify: bool,
    version_id: int | None,
    constants: dict[str, Any],
    dry_run: bool,
) -> Outcome | None:
    """PostgreSQL, into an empty register: one transaction from the first row, each checked batch written
    while the next is checked (the server writes on one core while Python checks on the other), instead of
    checking everything and then merging while Python idles. All or nothing as ever: a rejected row, or a dry
    run, rolls the whole load back. The register and the memberships are locked for the load's length (it
    drops their indexes and sets column defaults: readers of either wait; the register was empty);
    progress goes through another connection so it is seen while the load is open. Returns None when another
    load filled the register first (the caller takes the ordinary path)."""
    table = Enterprise._meta.db_table
    now = timezone.now()
    with transaction.atomic():
        cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
        if Enterprise.objects.exists():
            return None
        _roomy(cursor)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # a table with pending key checks cannot change
        rebuild = _drop_secondary_indexes(cursor)
        relink = _drop_foreign_keys(cursor)
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        link, former, members = (
            EnterpriseTag._meta.db_table,
            FormerName._meta.db_table,
            Membership._meta.db_table,
        )
        memberships = classify and version_id is not None
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        sequence = cursor.fetchone()[0]
        # What a staged row does not carry (the import's time, the model's defaults, the memberships' version)
        # is the same on every row: column defaults for the load's length, so that COPY fills it in.
        relink += _load_defaults(
            cursor,
            table,
            {
                model_field.column: _unstaged_value(model_field, constants, now)
                for model_field in Enterprise._meta.concrete_fields
                if not model_field.primary_key and model_field.name not in fields
            },
        )
        if memberships:
            relink += _load_defaults(cursor, members, {"version_id": version_id, "assigned_at": now})

        def write(batch_cursor, stage: pl.DataFrame, batch: Batch) -> None:
            """One checked batch, copied straight into the register and its side tables (COPY writes rows in
            bulk; INSERT … SELECT from a stage one by one): its enterprises numbered from the register's
            sequence here, so that their tags, former names and memberships need no join on the code."""
            batch_cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [sequence, stage.height])
            numbered = stage.select(
                "row_no",
                pl.Series("enterprise_id", [record[0] for record in batch_cursor.fetchall()], dtype=pl.Int64),
            )
            _stage(
                batch_cursor,
                table,
                stage.select(pl.exclude("row_no")).with_columns(id=numbered["enterprise_id"]),
            )

            def of_rows(part: pl.DataFrame, *names: str) -> pl.DataFrame:
                return numbered.join(part, on="row_no", maintain_order="right").select(
                    "enterprise_id", *names
                )

            if "tags" in checker.fields:
                _stage(batch_cursor, link, of_rows(batch.tags, "tag_id").unique(maintain_order=True))
            _stage(batch_cursor, former, of_rows(batch.formers, "name").unique(maintain_order=True))
            if memberships:
                _stage(batch_cursor, members, of_rows(batch.members, "industry_id", "kind", "rule"))

        with _collector_paused(), _apart(progress) as report:
            seen = _phase_one(
                rows, checker, cursor, fields, outcome, report, write, FIRST_LOAD_BATCH, FIRST_LOAD_START
            )
            if not outcome.error_count:
                if report:
                    report("writing", seen)
                for statement in [*rebuild, *relink]:
                    cursor.execute(statement)
        outcome.unchanged = outcome.duplicates
        outcome.written = not (outcome.error_count or dry_run)
        if not outcome.written:
            transaction.set_rollback(True)
    return outcome


@contextmanager
def _apart(progress: Callable[[str, int], None] | None) -> Iterator[Callable[[str, int], None] | None]:
    """`progress` run on a thread of its own, hence on a database connection of its own: outside the load's
    transaction, so the job's page sees it. Reports are best effort and never hold up the load."""
    if progress is None:
        yield None
        return
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chanye-progress")

    def report(phase: str, count: int) -> None:
        pool.submit(progress, phase, count)

    try:
        yield report
    finally:
        pool.submit(connection.close)  # the worker's own connection (Django's are per thread)
        pool.shutdown(wait=True)


def _sizes(checker: RowChecker) -> bool:
    return bool({"employees", "revenue", "assets", "gbt_code"} & checker.fields)


def _phase_one(
    rows: Iterator,
    checker: RowChecker,
    cursor,
    fields,
    outcome: Outcome,
    progress,
    write: Callable[[Any, pl.DataFrame, Batch], None] | None = None,
    batch_rows: int = CHECK_BATCH,
    first_rows: int | None = None,
) -> int:
    """Check the rows a batch at a time (`columnar`), drop repeated rows, stage the rest. With `write` (a
    first load), each clean batch is handed to it instead (`write(cursor, rows, batch)`, on the staging
    thread); after the first error nothing more is written — the transaction will be rolled back."""
    names = ["uscc", *[name for name in fields if name != "uscc"]]
    columnar = ColumnarChecker(checker, names, postgres=connection.vendor == "postgresql")
    columns = {"row_no": "row_no", **{name: _column(name) for name in names}}
    uscc_header = outcome.columns.get("uscc", COLUMN_BY_FIELD["uscc"].label)
    seen = pl.DataFrame(schema={"uscc": pl.String, "first_row": pl.Int64, "first_print": pl.UInt64})
    count = rejected = 0
    stager = _Stager(cursor)
    try:
        chunks = _chunks(rows, batch_rows, first_rows)
        # A first load waits on its writes, not on reading: a reading thread would only take the interpreter
        # from the checks and the writing thread.
        for chunk in chunks if write is not None else _ahead(chunks):
            numbers = [number for number, _cells in chunk]
            cells = [row for _number, row in chunk]
            count += len(chunk)
            batch = columnar.check(numbers, cells)
            errors: list[RowError] = []
            for position in batch.bad:
                checked, row_errors = checker.check(numbers[position], cells[position])
                if checked is not None:  # pragma: no cover - the columns were read by the same parsers
                    raise AssertionError(
                        f"row {numbers[position]}: the batch check and the row check disagree"
                    )
                errors.extend(row_errors)
            prints = batch.stage.select("row_no", "uscc").with_columns(print=batch.fingerprint)
            prints = prints.join(seen, on="uscc", how="left", maintain_order="left").with_columns(
                first_row=pl.coalesce("first_row", pl.col("row_no").first().over("uscc")),
                first_print=pl.coalesce("first_print", pl.col("print").first().over("uscc")),
            )
            keep = prints["row_no"] == prints["first_row"]
            repeated = prints.filter(~keep)
            same = int((repeated["print"] == repeated["first_print"]).sum())
            outcome.duplicates += same
            for row_no, uscc, earlier in (
                repeated.filter(pl.col("print") != pl.col("first_print"))
                .select("row_no", "uscc", "first_row")
                .iter_rows()
            ):
                errors.append(
                    RowError(row_no, uscc_header, uscc, f"与第 {earlier} 行代码相同但内容不同，请保留一行")
                )
            seen = pl.concat(
                [seen, prints.filter(keep).select("uscc", "first_row", pl.col("print").alias("first_print"))],
                rechunk=False,
            )
            rejected += len(batch.bad) + repeated.height - same
            if errors:
                errors.sort(key=lambda error: error.row)
                outcome.error_count += len(errors)
                room = MAX_STORED_ERRORS - len(outcome.errors)
                outcome.errors.extend(errors[: max(room, 0)])
            kept = batch.stage.filter(keep)
            outcome.created += kept.height
            if write is not None and outcome.error_count:
                if progress:
                    progress("checking", count)
                continue
            if write is not None:
                stager.run(functools.partial(write, stage=kept.rename(columns), batch=batch))
                if progress:
                    progress("checking", count)
                continue
            codes = kept.select("row_no", "uscc")
            stager.add(STAGE, kept.rename(columns))
            stager.add(STAGE_TAG, codes.join(batch.tags, on="row_no").select("uscc", "tag_id"))
            stager.add(
                STAGE_MEMBER,
                codes.join(batch.members, on="row_no").select("uscc", "industry_id", "kind", "rule"),
            )
            stager.add(STAGE_FORMER, codes.join(batch.formers, on="row_no").select("uscc", "name"))
            if progress:
                progress("checking", count)
    finally:
        stager.close()
    if write is None:
        if connection.vendor == "sqlite":
            for table in (STAGE_TAG, STAGE_MEMBER, STAGE_FORMER):
                cursor.execute(f"CREATE INDEX {table}_uscc ON {table} (uscc)")
        _analyse(cursor, STAGE, STAGE_TAG, STAGE_MEMBER, STAGE_FORMER)
    outcome.total = count
    outcome.rejected = rejected
    if progress:
        progress("checked", count)
    return count


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Phase 1 holds tens of thousands of row lists at a time and makes no reference cycles; Python's cycle
    collector would walk all of them again and again (half the reading time of a million rows)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _roomy(cursor) -> None:
    """PostgreSQL: memory for this transaction's hash joins, sorts and index builds over a whole file (the
    defaults, 4 MB and 64 MB, send a million rows to disk in batches)."""
    if connection.vendor == "postgresql":
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")


def _ahead(chunks: Iterator[list]) -> Iterator[list]:
    """Batches read on a thread of their own, one ahead of the caller: the next batch's cells are turned into
    text while this one is checked (polars lets go of the interpreter while it works). A failure while
    reading (a limit, a broken file) is raised to the caller in order."""
    handoff: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()
    end = object()

    def read() -> None:
        try:
            for chunk in chunks:
                if stop.is_set():
                    return
                handoff.put(chunk)
            handoff.put(end)
        except BaseException as error:  # noqa: BLE001 - raised again on the caller's thread
            handoff.put(error)

    reader = threading.Thread(target=read, name="chanye-read", daemon=True)
    reader.start()
    try:
        while (item := handoff.get()) is not end:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while reader.is_alive():  # let a reader blocked on a full hand-off see the stop
            with suppress(queue.Empty):
                handoff.get(timeout=0.05)
        reader.join()


def _chunks(rows: Iterator, size: int, first: int | None = None) -> Iterator[list]:
    """Lists of `size` rows; with `first`, the first list has that many and the next ones grow threefold."""
    chunk: list = []
    target = min(first or size, size)
    for row in rows:
        chunk.append(row)
        if len(chunk) >= target:
            yield chunk
            chunk = []
            target = min(target * 3, size)
    if chunk:
        yield chunk


def _distinct(fields: list[str]) -> str:
    return (
        " OR ".join(f"e.{_column(n)} IS DISTINCT FROM s.{_column(n)}" for n in fields if n != "uscc") or "1=0"
    )


def _count(cursor, fields: list[str], checker: RowChecker, outcome: Outcome) -> None:
    """Created / updated / unchanged of the staged rows against the register."""
    table = Enterprise._meta.db_table
    _changed_table(cursor, fields, checker)
    cursor.execute(
        f"SELECT count(*) FROM {STAGE} s WHERE NOT EXISTS (SELECT 1 FROM {table} e WHERE e.uscc = s.uscc)"
    )
    outcome.created = cursor.fetchone()[0]
    cursor.execute("SELECT count(*) FROM chanye_stage_changed")
    outcome.updated = cursor.fetchone()[0]
    cursor.execute(f"SELECT count(*) FROM {STAGE}")
    outcome.unchanged = cursor.fetchone()[0] - outcome.created - outcome.updated + outcome.duplicates


def _changed_table(cursor, fields: list[str], checker: RowChecker) -> None:
    """chanye_stage_changed (id, uscc): the registered enterprises the file changes — a field, a tag or a
    former name. Set operations (EXCEPT, UNION) rather than correlated subqueries, so a million rows are
    compared by hashing, not row by row."""
    table = Enterprise._meta.db_table
    link = EnterpriseTag._meta.db_table
    former = FormerName._meta.db_table
    staged = f"{STAGE} s JOIN {table} e ON e.uscc = s.uscc"
    parts = [f"SELECT e.id AS id, s.uscc AS uscc FROM {staged} WHERE {_distinct(fields)}"]
    if "tags" in checker.fields:
        current = f"SELECT s.uscc, et.tag_id FROM {staged} JOIN {link} et ON et.enterprise_id = e.id"
        parts.append(
            f"SELECT e.id, d.uscc FROM (SELECT uscc, tag_id FROM {STAGE_TAG} EXCEPT {current}) d "
            f"JOIN {table} e ON e.uscc = d.uscc"
        )
        parts.append(
            f"SELECT e.id, d.uscc FROM ({current} EXCEPT SELECT uscc, tag_id FROM {STAGE_TAG}) d "
            f"JOIN {table} e ON e.uscc = d.uscc"
        )
    if "former_names" in checker.fields:
        parts.append(
            f"SELECT e.id, d.uscc FROM (SELECT uscc, name FROM {STAGE_FORMER} EXCEPT "
            f"SELECT s.uscc, f.name FROM {staged} JOIN {former} f ON f.enterprise_id = e.id) d "
            f"JOIN {table} e ON e.uscc = d.uscc"
        )
    cursor.execute("DROP TABLE IF EXISTS chanye_stage_changed")
    cursor.execute(f"CREATE TEMPORARY TABLE chanye_stage_changed AS {' UNION '.join(parts)}")


def _merge(
    cursor, fields, checker: RowChecker, classify: bool, version_id, source: str, by, constants
) -> None:
    table = Enterprise._meta.db_table
    now = timezone.now()
    for temporary in ("chanye_stage_touched", "chanye_stage_new"):
        cursor.execute(f"DROP TABLE IF EXISTS {temporary}")
    cursor.execute(
        f"CREATE TEMPORARY TABLE chanye_stage_new AS SELECT s.uscc AS uscc FROM {STAGE} s "
        f"WHERE NOT EXISTS (SELECT 1 FROM {table} e WHERE e.uscc = s.uscc)"
    )
    cursor.execute(
        "CREATE TEMPORARY TABLE chanye_stage_touched AS SELECT id, uscc, false AS created FROM chanye_stage_changed"
    )
    _analyse(cursor, "chanye_stage_new", "chanye_stage_touched")
    _history(cursor, fields, source, by, now)
    data = [name for name in fields if name != "uscc"]
    if data:
        sets = ", ".join(f"{_column(n)} = s.{_column(n)}" for n in data)
        cursor.execute(
            f"UPDATE {table} SET {sets}, version = {table}.version + 1, updated_at = %s FROM {STAGE} s "
            f"WHERE {table}.uscc = s.uscc AND {table}.id IN (SELECT id FROM chanye_stage_touched)",
            [now],
        )
    cursor.execute(
        f"UPDATE {table} SET version = version + 1, updated_at = %s WHERE id IN (SELECT id FROM chanye_stage_touched) AND updated_at <> %s",
        [now, now],
    )
    cursor.execute("SELECT count(*) FROM chanye_stage_new")
    new = cursor.fetchone()[0]
    cursor.execute(f"SELECT count(*) FROM {table}")
    bulk = new >= BULK_MIN and new >= cursor.fetchone()[0] - new
    rebuild: list[str] = []
    relink: list[str] = []
    if bulk:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # a table with pending key checks cannot change
        rebuild = _drop_secondary_indexes(cursor)
        relink = _drop_foreign_keys(cursor)
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    insert, params = _new_rows_insert(fields, constants, now)
    if connection.vendor == "postgresql":
        cursor.execute(
            f"WITH created AS ({insert} RETURNING id, uscc) "
            f"INSERT INTO chanye_stage_touched (id, uscc, created) SELECT id, uscc, true FROM created",
            params,
        )
    else:
        cursor.execute(insert, params)
        cursor.execute(
            f"INSERT INTO chanye_stage_touched (id, uscc, created) SELECT e.id, e.uscc, true FROM {table} e "
            f"JOIN chanye_stage_new n ON n.uscc = e.uscc"
        )
    # The statements below join temporary tables, whose statistics are ours to keep; the register's own
    # are autovacuum's (it analyses a table that grew by a tenth within a minute), as after any COPY.
    _analyse(cursor, "chanye_stage_touched")
    if "tags" in checker.fields:
        link = EnterpriseTag._meta.db_table
        cursor.execute(
            f"DELETE FROM {link} WHERE enterprise_id IN (SELECT id FROM chanye_stage_touched) AND NOT EXISTS "
            f"(SELECT 1 FROM {STAGE_TAG} st JOIN chanye_stage_touched t ON t.uscc = st.uscc "
            f"WHERE t.id = {link}.enterprise_id AND st.tag_id = {link}.tag_id)"
        )
        cursor.execute(
            f"INSERT INTO {link} (enterprise_id, tag_id) SELECT t.id, st.tag_id FROM {STAGE_TAG} st "
            f"JOIN chanye_stage_touched t ON t.uscc = st.uscc WHERE true ON CONFLICT DO NOTHING"
        )
    former = FormerName._meta.db_table
    cursor.execute(
        f"INSERT INTO {former} (enterprise_id, name) SELECT DISTINCT t.id, sf.name FROM {STAGE_FORMER} sf "
        f"JOIN chanye_stage_touched t ON t.uscc = sf.uscc WHERE true ON CONFLICT DO NOTHING"
    )
    if classify and version_id is not None:
        _memberships(cursor, version_id, now)
    if rebuild and connection.vendor == "postgresql":
        cursor.execute(
            "SET CONSTRAINTS ALL IMMEDIATE"
        )  # deferred key checks now: an index cannot wait for them
    for statement in [*rebuild, *relink]:
        cursor.execute(statement)
    for temporary in ("chanye_stage_touched", "chanye_stage_new"):
        cursor.execute(f"DROP TABLE IF EXISTS {temporary}")


def _unstaged_value(model_field, constants: dict[str, Any], now) -> Any:
    """A new enterprise's value of a field the file does not give: the import's time, a constant of the
    import, or the model's default."""
    if model_field.name in ("created_at", "updated_at"):
        return now
    if model_field.name in constants:
        return constants[model_field.name]
    default = model_field.get_default()
    return None if default is None and model_field.null else default


def _load_defaults(cursor, table: str, values: dict[str, Any]) -> list[str]:
    """PostgreSQL: `values` (column → value) made the columns' defaults, returning the statements that put
    the defaults they had back (run before the load commits; a rollback undoes both)."""
    cursor.execute(
        "SELECT a.attname, pg_get_expr(d.adbin, d.adrelid) FROM pg_attribute a LEFT JOIN pg_attrdef d "
        "ON d.adrelid = a.attrelid AND d.adnum = a.attnum WHERE a.attrelid = %s::regclass AND a.attname = ANY(%s)",
        [table, list(values)],
    )
    before = dict(cursor.fetchall())
    restore = []
    for column, value in values.items():
        literal = psycopg_sql.Literal(value.value if isinstance(value, Enum) else value)
        cursor.execute(
            f'ALTER TABLE {table} ALTER COLUMN "{column}" SET DEFAULT {literal.as_string(connection.connection)}'
        )
        expression = before[column]
        restore.append(
            f'ALTER TABLE {table} ALTER COLUMN "{column}" '
            + (f"SET DEFAULT {expression}" if expression is not None else "DROP DEFAULT")
        )
    return restore


def _new_rows_insert(fields: list[str], constants: dict[str, Any], now) -> tuple[str, list[Any]]:
    """INSERT … SELECT of the staged new enterprises (those in chanye_stage_new): staged values, the model's
    defaults for the rest."""
    table = Enterprise._meta.db_table
    names, selects, params = [], [], []
    for model_field in Enterprise._meta.concrete_fields:
        if model_field.primary_key:
            continue
        names.append(model_field.column)
        if model_field.name in fields:
            selects.append(f"s.{model_field.column}")
            continue
        value = _unstaged_value(model_field, constants, now)
        # PostgreSQL types a bare parameter in a SELECT list as text: say what it is.
        selects.append(
            f"CAST(%s AS {model_field.db_type(connection)})" if connection.vendor == "postgresql" else "%s"
        )
        params.append(_plain(value))
    # The new rows were found before anything was written (chanye_stage_new): an insert that also read the
    # register would, on a register just emptied (statistics: no rows), scan it once per row, seeing its own
    # fresh rows each time — hours for a million.
    insert = (
        f"INSERT INTO {table} ({', '.join(names)}) SELECT {', '.join(selects)} FROM {STAGE} s "
        "JOIN chanye_stage_new n ON n.uscc = s.uscc"
    )
    return insert, params


BULK_MIN = 50_000
BULK_TABLES = (Enterprise, Membership, EnterpriseTag)


def _drop_secondary_indexes(cursor) -> list[str]:
    """For a load that at least doubles the register: drop the non-unique indexes (and SQLite's search
    triggers) of the tables it fills, returning the statements that rebuild them in the same transaction.
    Building an index once over a million rows is several times cheaper than maintaining it row by row."""
    tables = [model._meta.db_table for model in BULK_TABLES]
    rebuild: list[str] = []
    if connection.vendor == "postgresql":
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = ANY(%s) "
            "AND i.schemaname = current_schema() AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
            "WHERE c.conindid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass) "
            "AND i.indexdef NOT LIKE 'CREATE UNIQUE%%'",
            [tables],
        )
        for name, definition in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')
            rebuild.append(definition)
    else:
        marks = ", ".join(["%s"] * len(tables))
        cursor.execute(
            f"SELECT type, name, sql FROM sqlite_master WHERE tbl_name IN ({marks}) AND sql IS NOT NULL "
            "AND ((type = 'index' AND sql NOT LIKE 'CREATE UNIQUE%%') OR (type = 'trigger' AND name LIKE 'enterprises_name_fts_%%'))",
            tables,
        )
        for kind, name, sql in cursor.fetchall():
            cursor.execute(f'DROP {"INDEX" if kind == "index" else "TRIGGER"} "{name}"')
            rebuild.append(sql)
        if any("enterprises_name_fts" in sql for sql in rebuild):
            rebuild.append("INSERT INTO enterprises_name_fts(enterprises_name_fts) VALUES ('rebuild')")
    return rebuild


def _drop_foreign_keys(cursor) -> list[str]:
    """PostgreSQL: the foreign keys of the tables a bulk load fills, dropped, returning the statements that
    add them back. Adding a key checks every row in one join; keeping it queues a check per inserted row
    (about 15 s for a million enterprises and their memberships)."""
    if connection.vendor != "postgresql":
        return []
    cursor.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])",
        [[model._meta.db_table for model in BULK_TABLES]],
    )
    statements = []
    for table, name, definition in cursor.fetchall():
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        statements.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    return statements


def _analyse(cursor, *tables: str) -> None:
    """PostgreSQL plans by statistics: temporary tables never get them from autovacuum, and a table that
    just grew by a million rows has stale ones (a plan for an empty register then runs for hours)."""
    if connection.vendor == "postgresql":
        try:
            for table in tables:
                # A temporary table only needs its size and rough distributions: a small sample will do.
                target = 10 if table.startswith("chanye_") else 100
                cursor.execute(f"SET default_statistics_target = {target}")
                cursor.execute(f"ANALYZE {table}")
        finally:
            cursor.execute("RESET default_statistics_target")


def _history(cursor, fields: list[str], source: str, by, now) -> None:
    """One history entry per updated enterprise, field by field; a renamed enterprise keeps its old name."""
    table = Enterprise._meta.db_table
    data = [name for name in fields if name != "uscc"]
    if not data:
        return
    old = ", ".join(f"e.{_column(n)}" for n in data)
    new = ", ".join(f"s.{_column(n)}" for n in data)
    cursor.execute("SELECT id FROM chanye_stage_touched ORDER BY id")
    ids = [record[0] for record in cursor.fetchall()]
    for start in range(0, len(ids), BATCH):
        low, high = ids[start], ids[min(start + BATCH, len(ids)) - 1]
        cursor.execute(
            f"SELECT e.id, {old}, {new} FROM {table} e JOIN {STAGE} s ON s.uscc = e.uscc "
            f"WHERE e.id BETWEEN %s AND %s AND e.id IN (SELECT id FROM chanye_stage_touched)",
            [low, high],
        )
        chunk = cursor.fetchall()
        changes, formers = [], []
        for record in chunk:
            enterprise_id, before, after = record[0], record[1 : 1 + len(data)], record[1 + len(data) :]
            diff = {
                name: [_json(a), _json(b)]
                for name, a, b in zip(data, before, after, strict=True)
                if _json(a) != _json(b)
            }
            changes.append(EnterpriseChange(enterprise_id=enterprise_id, by=by, source=source, changes=diff))
            if "name" in diff and diff["name"][0]:
                formers.append(
                    FormerName(enterprise_id=enterprise_id, name=diff["name"][0], until=now.date())
                )
        EnterpriseChange.objects.bulk_create(changes, batch_size=1000)
        FormerName.objects.bulk_create(formers, batch_size=1000, ignore_conflicts=True)


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, float):
        return format(Decimal(str(value)).normalize(), "f")
    if isinstance(value, date):
        return value.isoformat()
    return json.loads(json.dumps(value, default=str))


def _memberships(cursor, version_id: int, now) -> None:
    """Rule-based memberships of the touched enterprises replaced by the staged ones; hand decisions win."""
    members = Membership._meta.db_table
    overrides = MembershipOverride._meta.db_table
    # Industries an existing enterprise with figures leaves or joins get their figures added up again.
    touched = {"enterprises": "SELECT id FROM chanye_stage_touched WHERE NOT created", "reason": "企业导入"}
    rollups.memberships_changed_sql(cursor, **touched)
    cursor.execute(
        f"DELETE FROM {members} WHERE kind <> %s AND enterprise_id IN (SELECT id FROM chanye_stage_touched)",
        [RuleKind.MANUAL],
    )
    insert = (
        f"INSERT INTO {members} (enterprise_id, industry_id, kind, rule, version_id, assigned_at) "
        f"SELECT t.id, sm.industry_id, sm.kind, sm.rule, %s, %s FROM {STAGE_MEMBER} sm "
        f"JOIN chanye_stage_touched t ON t.uscc = sm.uscc "
    )
    # A new enterprise has no membership and no hand decision yet: a plain insert.
    cursor.execute(f"{insert} WHERE t.created", [version_id, now])
    cursor.execute(
        f"{insert} WHERE NOT t.created AND NOT EXISTS (SELECT 1 FROM {overrides} o "
        f"WHERE o.enterprise_id = t.id AND o.industry_id = sm.industry_id) ON CONFLICT DO NOTHING",
        [version_id, now],
    )
    rollups.memberships_changed_sql(cursor, **touched)


def new_source() -> str:
    return f"import:{uuid.uuid4()}"


__all__ = ["Outcome", "Rejected", "column_letter", "import_table"]
