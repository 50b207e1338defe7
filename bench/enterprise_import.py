# ruff: noqa: S608 - SQL here is built from catalogue names and constants only.
"""Import of the synthetic register (demo.write_csv) with our two-phase loader, against raw bulk loads.

    .venv/bin/python bench/enterprise_import.py --rows 1000000 --backend {postgresql,sqlite,both}
        [--naive-rows 20000] [--drop] [--profile N]

ours        open_table + loader.import_table into the empty, migrated enterprise table (check, classify,
            tags, memberships), in a child process whose peak RSS is read back; then the same file again.
PostgreSQL  A: raw COPY (FORMAT csv) of the same bytes into bench_bare = LIKE enterprises_enterprise
               INCLUDING DEFAULTS IDENTITY INDEXES CONSTRAINTS (+ street_name, tags_text text columns);
            A-noGIN: the same without the trigram index; B: COPY into 17 text columns, no index.
SQLite      S1: executemany of csv.reader rows into a copy of the enterprise table's DDL with its indexes
               and the FTS5 trigram name index + insert trigger; S2: the same without FTS; S3: text, no index.
naive       the first --naive-rows rows, per row: RowChecker, update_or_create + tags.set, one transaction each.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import io
import json
import os
import pstats
import resource
import signal
import subprocess
import sys
import threading
import time
from itertools import islice
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib
from benchlib import BUILD, ratio, say

CSV_FIELDS = [  # demo.HEADERS in order, as enterprise columns; street and tags have no such column
    "uscc",
    "name",
    "status",
    "registered_on",
    "capital",
    "address",
    "street_name",
    "gbt_code",
    "business_scope",
    "revenue",
    "employees",
    "assets",
    "tags_text",
    "credit_rating",
    "contact_name",
    "contact_phone",
    "contact_email",
]
TEXT_FIELDS = [
    name for name in CSV_FIELDS if name not in ("registered_on", "capital", "revenue", "employees", "assets")
]
RESULT = "RESULT "
MARK = "MARK "


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--backend", choices=["postgresql", "sqlite", "both"], default="both")
    parser.add_argument("--naive-rows", type=int, default=20_000)
    parser.add_argument("--drop", action="store_true", help="drop the bench database / folder at the end")
    parser.add_argument("--profile", type=int, default=0, help="also cProfile our import of this many rows")
    parser.add_argument("--skip-baselines", action="store_true", help="(debugging) only ours")
    parser.add_argument(
        "--second-timeout", type=float, default=1800, help="seconds before the re-import is killed"
    )
    parser.add_argument(
        "--emptied",
        type=int,
        default=0,
        help="before ours: import this many rows, empty the register again (DELETE + VACUUM ANALYZE) — the "
        "statistics a database has after its register was emptied",
    )
    parser.add_argument("--sql", action="store_true", help="print the slowest SQL statements of our import")
    parser.add_argument("--child", choices=["import", "profile"], help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


# --- our import, in a child process ---------------------------------------------------------------


def child(args) -> None:
    benchlib.configure(args.backend, name="import", fresh=False, child=True)
    from django.db import connection

    from chanye.core.tabular import Limits, open_table
    from chanye.enterprises import loader, services
    from chanye.enterprises.models import Enterprise, EnterpriseChange, EnterpriseTag, Membership

    path = Path(args.path)
    marks: dict[str, float] = {}

    def progress(phase: str, count: int) -> None:
        if phase not in marks:
            marks[phase] = time.perf_counter()
            print(f"{MARK}{phase} at {marks[phase] - marks['started']:.1f} s", flush=True)

    def run():
        started = marks["started"] = time.perf_counter()
        system = services.current_system()
        with open_table(str(path), path.name, Limits(max_bytes=4 * 2**30, max_rows=args.rows + 10)) as table:
            marks["opened"] = time.perf_counter()
            outcome = loader.import_table(
                table,
                lookups=services.lookups(),
                version_id=system.current_version_id if system else None,
                source="bench",
                progress=progress,
            )
        return started, outcome, time.perf_counter()

    if args.child == "profile":
        profiler = cProfile.Profile()
        started, outcome, ended = profiler.runcall(run)
        stream = io.StringIO()
        stats = pstats.Stats(profiler, stream=stream)
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(30)
        print(stream.getvalue())
    elif args.sql:
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            started, outcome, ended = run()
        slow = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[
            : int(os.environ.get("BENCH_SQL_TOP", 12))
        ]
        print(f"slowest statements of {len(captured.captured_queries)}:")
        for query in slow:
            print(f"  {float(query['time']):8.3f} s  {query['sql'][:600]}")
    else:
        started, outcome, ended = run()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")  # the connection is still usable after the import
    result = {
        "seconds": ended - started,
        "open": marks["opened"] - started,
        "phase1": marks.get("checked", ended) - marks["opened"],
        "merge": ended - marks.get("writing", ended),
        "total": outcome.total,
        "created": outcome.created,
        "updated": outcome.updated,
        "unchanged": outcome.unchanged,
        "rejected": outcome.rejected,
        "duplicates": outcome.duplicates,
        "error_count": outcome.error_count,
        "errors": [vars(e) for e in outcome.errors[:5]],
        "written": outcome.written,
        "enterprises": Enterprise.objects.count(),
        "memberships": Membership.objects.count(),
        "tag_links": EnterpriseTag.objects.count(),
        "changes": EnterpriseChange.objects.count(),
    }
    print(RESULT + json.dumps(result), flush=True)


def run_child(
    args, path: Path, mode: str = "import", timeout: float | None = None
) -> tuple[dict | None, int]:
    """Our import in a child process; returns its result (None if killed at `timeout` seconds) and its own
    peak RSS (KiB), from wait4. A killed child's phase marks are printed as they arrived."""
    command = [
        sys.executable,
        __file__,
        "--child",
        mode,
        "--backend",
        args.backend,
        "--rows",
        str(args.profile if mode == "profile" else args.rows),
        "--path",
        str(path),
        *(["--sql"] if args.sql else []),
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, start_new_session=True)
    killed = threading.Event()

    def kill() -> None:
        killed.set()
        os.killpg(process.pid, signal.SIGKILL)

    watchdog = threading.Timer(timeout, kill) if timeout else None
    if watchdog:
        watchdog.start()
    assert process.stdout is not None
    output = process.stdout.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if watchdog:
        watchdog.cancel()
    if killed.is_set():
        if args.backend == "postgresql":  # the server goes on with a dead client's statement otherwise
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            connection.close()
        marks = [line for line in output.splitlines() if line.startswith(MARK)]
        say(f"  (child killed after {timeout:.0f} s; its phase marks: {'; '.join(marks) or 'none'})")
        return None, usage.ru_maxrss
    if process.returncode:
        sys.stdout.write(output)
        raise SystemExit(f"our import failed in the child process (exit {process.returncode})")
    lines = [line for line in output.splitlines() if line.startswith(RESULT)]
    if mode == "profile" or args.sql:
        say("\n".join(line for line in output.splitlines() if not line.startswith((RESULT, MARK))))
    return json.loads(lines[-1][len(RESULT) :]), usage.ru_maxrss


# --- raw bulk loads -------------------------------------------------------------------------------


def read_only(path: Path) -> float:
    """csv.reader over the file, nothing else: the floor of any Python loader."""
    started = time.perf_counter()
    with open(path, encoding="utf-8-sig", newline="") as handle:
        count = sum(1 for _ in csv.reader(handle)) - 1
    assert count > 0
    return time.perf_counter() - started


def pg_baselines(path: Path, rows: int) -> dict[str, float]:
    import psycopg
    from psycopg import sql

    from chanye.enterprises.models import Enterprise

    results = {}
    conn = psycopg.connect(benchlib.PG_URL)
    try:
        copy_options = (
            "FORMAT csv, HEADER true, FORCE_NOT_NULL ("
            + ", ".join(TEXT_FIELDS)
            + ")"  # empty unquoted text cells are '' (the NOT NULL columns), not NULL
        )

        def bare(name: str, *, trigram: bool) -> None:
            conn.execute(f"DROP TABLE IF EXISTS {name}")
            conn.execute(
                f"CREATE TABLE {name} (LIKE enterprises_enterprise INCLUDING DEFAULTS INCLUDING IDENTITY "
                "INCLUDING INDEXES INCLUDING CONSTRAINTS)"
            )
            conn.execute(
                f"ALTER TABLE {name} ADD COLUMN street_name text NOT NULL, ADD COLUMN tags_text text NOT NULL"
            )
            for field in Enterprise._meta.concrete_fields:
                if field.primary_key or field.column in CSV_FIELDS:
                    continue
                default = field.get_default()
                if field.name in ("created_at", "updated_at"):
                    literal = sql.SQL("now()")
                elif default is None:
                    continue
                else:
                    literal = sql.Literal(default)
                conn.execute(
                    sql.SQL("ALTER TABLE {} ALTER COLUMN {} SET DEFAULT {}").format(
                        sql.Identifier(name), sql.Identifier(field.column), literal
                    )
                )
            if not trigram:
                for (index,) in conn.execute(
                    "SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexdef LIKE %s",
                    [name, "%gin_trgm_ops%"],
                ).fetchall():
                    conn.execute(f'DROP INDEX "{index}"')
            conn.commit()

        def copy(name: str) -> float:
            conn.execute("CHECKPOINT")
            conn.commit()
            started = time.perf_counter()
            with conn.cursor() as cursor:
                statement = f"COPY {name} ({', '.join(CSV_FIELDS)}) FROM STDIN WITH ({copy_options})"
                if name == "bench_text":
                    statement = f"COPY {name} FROM STDIN WITH (FORMAT csv, HEADER true)"
                with cursor.copy(statement) as stream, open(path, "rb") as handle:
                    while chunk := handle.read(1 << 20):
                        stream.write(chunk)
            conn.commit()
            elapsed = time.perf_counter() - started
            count = conn.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
            assert count == rows, (name, count)
            return elapsed

        bare("bench_bare", trigram=True)
        indexes = conn.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'bench_bare' ORDER BY indexname"
        ).fetchall()
        say("  bench_bare indexes (copied from enterprises_enterprise):")
        for (definition,) in indexes:
            say(f"    {definition}")
        results["A"] = copy("bench_bare")
        say(
            f"  A   COPY → bench_bare (same columns, constraints, {len(indexes)} indexes): {results['A']:.1f} s"
        )
        bare("bench_bare_nogin", trigram=False)
        results["A_nogin"] = copy("bench_bare_nogin")
        say(f"  A'  COPY → the same without the trigram GIN index: {results['A_nogin']:.1f} s")
        conn.execute("DROP TABLE IF EXISTS bench_text")
        conn.execute(f"CREATE TABLE bench_text ({', '.join(f'{c} text' for c in CSV_FIELDS)})")
        conn.commit()
        results["B"] = copy("bench_text")
        say(f"  B   COPY → 17 text columns, no index, no constraint: {results['B']:.1f} s")
        for name in ("bench_bare", "bench_bare_nogin", "bench_text"):
            conn.execute(f"DROP TABLE {name}")
        conn.commit()
    finally:
        conn.close()
    return results


def sqlite_bare_ddl(name: str, *, fts: bool) -> list[str]:
    """The enterprise table's own DDL and indexes, renamed; street and tags go to two extra text columns."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'enterprises_enterprise' "
            "AND sql IS NOT NULL AND type IN ('table', 'index') ORDER BY type DESC"
        )
        found = cursor.fetchall()
    statements = [f'DROP TABLE IF EXISTS "{name}_fts"', f'DROP TABLE IF EXISTS "{name}"']
    for kind, object_name, ddl in found:
        if kind == "table":
            ddl = ddl.replace('"enterprises_enterprise"', f'"{name}"', 1)
            ddl = ddl.rstrip().removesuffix(")") + ', "street_name" text NOT NULL, "tags_text" text NOT NULL)'
        else:
            ddl = ddl.replace(f'"{object_name}"', f'"{name}_{object_name}"', 1)
            ddl = ddl.replace('ON "enterprises_enterprise"', f'ON "{name}"')
        statements.append(ddl)
    if fts:
        statements += [
            f"CREATE VIRTUAL TABLE {name}_fts USING fts5(name, content='{name}', content_rowid='id', "
            "tokenize='trigram')",
            f"CREATE TRIGGER {name}_fts_ai AFTER INSERT ON {name} BEGIN "
            f"INSERT INTO {name}_fts(rowid, name) VALUES (new.id, new.name); END",
        ]
    return statements


def sqlite_baselines(path: Path, rows: int) -> dict[str, float]:
    from django.db import connection, transaction
    from django.utils import timezone

    from chanye.enterprises.models import Enterprise

    connection.ensure_connection()
    raw = connection.connection
    constants = {}
    for field in Enterprise._meta.concrete_fields:
        if field.primary_key or field.column in CSV_FIELDS:
            continue
        if field.name in ("created_at", "updated_at"):
            constants[field.column] = timezone.now().isoformat()
        else:
            constants[field.column] = field.get_default()
    results = {}

    def load(name: str, statements: list[str], columns: list[str], extra: dict) -> float:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
        benchlib.checkpoint()
        names = ", ".join([*columns, *extra])
        marks = ", ".join(
            ["?"] * len(columns) + [repr(v) if isinstance(v, str) else str(int(v)) for v in extra.values()]
        )
        started = time.perf_counter()
        with transaction.atomic(), open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            next(reader)
            raw.executemany(f"INSERT INTO {name} ({names}) VALUES ({marks})", reader)
        elapsed = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {name}")
            count = cursor.fetchone()[0]
        assert count == rows, (name, count)
        return elapsed

    extra = {column: value for column, value in constants.items() if value is not None}
    ddl = sqlite_bare_ddl("bench_bare", fts=True)
    say("  bench_bare DDL (from sqlite_master of enterprises_enterprise):")
    for statement in ddl[2:]:
        say(f"    {statement}")
    results["S1"] = load("bench_bare", ddl, CSV_FIELDS, extra)
    say(f"  S1  executemany → same table, indexes, FTS5 trigram + trigger: {results['S1']:.1f} s")
    results["S2"] = load("bench_bare", sqlite_bare_ddl("bench_bare", fts=False), CSV_FIELDS, extra)
    say(f"  S2  executemany → same table and indexes, no FTS: {results['S2']:.1f} s")
    text_table = [
        "DROP TABLE IF EXISTS bench_text",
        f"CREATE TABLE bench_text ({', '.join(f'{c} text' for c in CSV_FIELDS)})",
    ]
    results["S3"] = load("bench_text", text_table, CSV_FIELDS, {})
    say(f"  S3  executemany → 17 text columns, no index: {results['S3']:.1f} s")
    with connection.cursor() as cursor:
        for statement in (
            'DROP TABLE IF EXISTS "bench_bare_fts"',
            "DROP TABLE bench_bare",
            "DROP TABLE bench_text",
        ):
            cursor.execute(statement)
    return results


# --- the per-row ORM path (django-import-export style) --------------------------------------------


def naive(path: Path, count: int) -> float:
    from django.db import transaction

    from chanye.core.tabular import Limits, find_header, open_table
    from chanye.enterprises import services
    from chanye.enterprises.models import Enterprise
    from chanye.enterprises.rows import COLUMN_BY_FIELD, REQUIRED, SYNONYMS, RowChecker

    benchlib.checkpoint()
    started = time.perf_counter()
    done = 0
    with open_table(str(path), path.name, Limits(max_bytes=4 * 2**30, max_rows=10**9)) as table:
        lookups = services.lookups()
        header = find_header(table.rows(), SYNONYMS, REQUIRED)
        labels = {index: COLUMN_BY_FIELD[name].label for index, name in header.columns.items()}
        checker = RowChecker(lookups, header.columns, labels, header.units)
        for row_number, cells in islice(header.rest, count):
            checked, errors = checker.check(row_number, cells)
            if checked is None:
                raise SystemExit(f"naive: row {row_number} rejected: {errors}")
            values = dict(checked.values)
            uscc = values.pop("uscc")
            values["street_id"] = values.pop("street", None)
            with transaction.atomic():
                enterprise, _ = Enterprise.objects.update_or_create(uscc=uscc, defaults=values)
                enterprise.tags.set(checked.tag_ids or [])
            done += 1
    elapsed = time.perf_counter() - started
    assert Enterprise.objects.count() == done == count
    return elapsed


def empty_register() -> None:
    """Back to an empty register after the naive run (only the enterprise app's rows exist here)."""
    from django.db import connection

    from chanye.accounts.models import User

    assert not User.objects.filter(enterprise__isnull=False).exists()
    tables = [
        "enterprises_enterprisetag",
        "enterprises_membership",
        "enterprises_membershipoverride",
        "enterprises_enterprisechange",
        "enterprises_formername",
        "enterprises_visit",
        "enterprises_liaison",
        "enterprises_enterprise",
    ]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"DELETE FROM {table}")
        if connection.vendor == "postgresql":
            cursor.execute(f"VACUUM ANALYZE {', '.join(tables)}")
        else:
            cursor.execute("INSERT INTO enterprises_name_fts(enterprises_name_fts) VALUES ('rebuild')")


def emptied(args, path: Path) -> None:
    from django.db import connections

    small = benchlib.csv_input(args.emptied)
    say(f"  --emptied: importing {args.emptied:,} rows, then emptying the register (DELETE + VACUUM ANALYZE)")
    connections.close_all()
    result, _ = run_child(argparse.Namespace(**{**vars(args), "rows": args.emptied, "sql": False}), small)
    assert result is not None
    say(f"    that import: {result['seconds']:.1f} s")
    empty_register()


# --- one backend ----------------------------------------------------------------------------------


def bench(args) -> dict:
    code = benchlib.code_version()
    benchlib.configure(args.backend, name="import", fresh=True)
    path = benchlib.csv_input(args.rows)
    say(f"\n=== enterprise import, {args.backend}, {args.rows:,} rows — {benchlib.machine()}")
    say(f"database: {benchlib.database_label()}; input {path} ({path.stat().st_size / 2**20:.0f} MB)")
    say(f"code: {code}")
    results: dict = {"backend": args.backend, "rows": args.rows, "machine": benchlib.machine(), "code": code}
    results["read_only"] = read_only(path)
    say(f"  csv.reader over the file alone: {results['read_only']:.1f} s")
    if not args.skip_baselines:
        if args.backend == "postgresql":
            results.update(pg_baselines(path, args.rows))
        else:
            results.update(sqlite_baselines(path, args.rows))
        naive_rows = min(args.naive_rows, args.rows)
        results["naive"] = naive(path, naive_rows)
        results["naive_rows"] = naive_rows
        say(
            f"  naive per-row ORM, {naive_rows:,} rows: {results['naive']:.1f} s "
            f"({naive_rows / results['naive']:,.0f} rows/s)"
        )
        # A new database for ours: emptying the register (DELETE, then VACUUM ANALYZE or autovacuum) leaves
        # statistics that say "empty" and change the plans of the merge (see README).
        benchlib.recreate(args.backend, "import")
    if args.emptied:
        emptied(args, path)
    from chanye.enterprises.models import Enterprise

    assert not Enterprise.objects.exists()
    benchlib.checkpoint()
    from django.db import connections

    connections.close_all()  # the child writes; this process holds nothing open meanwhile
    first, _ = run_child(args, path)
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    check_first(first, args.rows)
    results["ours"] = first
    results["peak_mb"] = peak_kib / 1024
    say(
        f"  ours: {first['seconds']:.1f} s = {args.rows / first['seconds']:,.0f} rows/s "
        f"(open {first['open']:.1f} s, check+stage {first['phase1']:.1f} s, merge {first['merge']:.1f} s); "
        f"created {first['created']:,}, rejected {first['rejected']}, memberships {first['memberships']:,}, "
        f"tag links {first['tag_links']:,}; peak RSS {results['peak_mb']:,.0f} MB"
    )
    benchlib.checkpoint()
    connections.close_all()
    second, second_kib = run_child(args, path, timeout=args.second_timeout)
    if second is None:
        results["second"] = {"seconds": None, "timeout": args.second_timeout}
        say(f"  ours, same file again: NOT FINISHED within {args.second_timeout:.0f} s (killed; rolled back)")
    elif second["unchanged"] != args.rows or second["created"] or second["updated"] or second["rejected"]:
        raise SystemExit(f"second import changed something: {second}")
    else:
        results["second"] = second
        results["second_peak_mb"] = second_kib / 1024
        say(
            f"  ours, same file again: {second['seconds']:.1f} s (check+stage {second['phase1']:.1f} s, "
            f"compare {second['merge']:.1f} s); unchanged {second['unchanged']:,}; peak RSS {second_kib / 1024:,.0f} MB"
        )
    if args.profile:
        benchlib.recreate(args.backend, "import")
        connections.close_all()
        say(f"\n  cProfile of our import, first {args.profile:,} rows, into an empty register:")
        run_child(args, benchlib.csv_input(args.profile), mode="profile")
    summary(results)
    benchlib.check_code(code)
    return results


def check_first(result: dict, rows: int) -> None:
    if (
        result["created"] != rows
        or result["rejected"]
        or not result["written"]
        or result["enterprises"] != rows
    ):
        raise SystemExit(
            f"OUR IMPORT DID NOT CREATE EVERY ROW: created {result['created']}, rejected {result['rejected']}, "
            f"in the table {result['enterprises']}, errors {result['errors']}"
        )


def summary(results: dict) -> None:
    rows = results["rows"]
    ours = results["ours"]["seconds"]
    say(f"\n--- summary ({results['backend']}, {rows:,} rows)")
    say(f"  ours                 {ours:8.1f} s  {rows / ours:10,.0f} rows/s")
    names = {
        "A": "A  COPY, same indexes",
        "A_nogin": "A' COPY, no trigram",
        "B": "B  COPY, unconstrained",
        "S1": "S1 executemany + FTS",
        "S2": "S2 executemany, no FTS",
        "S3": "S3 unconstrained",
    }
    for key, label in names.items():
        if key in results:
            target = "  (target ≤ 2.0)" if key in ("A", "S1") else ""
            say(
                f"  {label:<22} {results[key]:6.1f} s  {rows / results[key]:10,.0f} rows/s  "
                f"ours/this = {ratio(ours, results[key])}{target}"
            )
    if "naive" in results:
        naive_rate = results["naive_rows"] / results["naive"]
        say(
            f"  naive per-row ORM    {naive_rate:10,.0f} rows/s on {results['naive_rows']:,} rows; "
            f"ours is {rows / ours / naive_rate:.0f}× faster"
        )
    say(f"  peak RSS of ours     {results['peak_mb']:8,.0f} MB (target ≤ 2,048)")
    if results["second"]["seconds"] is None:
        say(f"  second import        > {results['second']['timeout']:.0f} s: killed, did not finish")
    else:
        say(f"  second import        {results['second']['seconds']:8.1f} s (nothing changed)")
    out = BUILD / "results"
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"import-{results['backend']}-{rows}.json"
    target.write_text(json.dumps(results, indent=1, ensure_ascii=False))
    say(f"  (written to {target.relative_to(benchlib.ROOT)})")


def main() -> None:
    args = parse_args()
    if args.child:
        child(args)
        return
    if args.backend == "both":
        for backend in ("postgresql", "sqlite"):
            argv = [a for a in sys.argv[1:] if not a.startswith("--backend")]
            if "both" in argv:
                argv.remove("both")
            subprocess.run([sys.executable, __file__, *argv, f"--backend={backend}"], check=True)
        return
    bench(args)
    if args.drop:
        from django.db import connections

        connections.close_all()
        if args.backend == "postgresql":
            benchlib.pg_drop()
        else:
            import shutil

            shutil.rmtree(benchlib.sqlite_dir("import"))


if __name__ == "__main__":
    main()
