# ruff: noqa: S608 - SQL here is built from table names and constants only; values are parameters.
"""Server time of the cockpit and the indicator pages at a million enterprises with five years of monthly
revenue figures, beside the raw SQL aggregation each replaces (the live GROUP BY over enterprise figures ×
memberships), which the pages no longer run: they read the rollups (`chanye.indicators.rollups`).

    .venv/bin/python bench/cockpit.py [--enterprises 1000000] [--months 60] [--backend sqlite|postgres|both]
        [--requests 50] [--budget 60] [--raw-runs 3] [--timeout 900] [--keep] [--drop]

The register is loaded with our import (the cached `demo.write_csv` sheet, as enterprise_queries.py does;
memberships by the classification rules). The figures are generated in the database, one INSERT … SELECT per
month over the register (`revenue`, the enterprise's yearly revenue / 12 with a deterministic ±20% swing),
with the table's secondary indexes dropped during the load and rebuilt after; PostgreSQL is then VACUUM
ANALYZEd. The rollups are built (`rollups.rebuild`), and the refresh one month's write pays is timed.

Each endpoint goes through django.test.Client (whole stack in-process) as a 发改局 administrator or as the
district leader with the most industries; its wall time is the server time (p50 / p95 of the timed requests
after 2 warm-up ones). A cockpit widget that answers with its timeout message counts as failed. Endpoints not
(yet) present answer 404 and are skipped with a note. Beside each: the raw aggregation it replaces, run
`--raw-runs` times. Nothing asserts a timing; the p95 target (150 ms) is flagged.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib
from benchlib import BUILD, percentiles, say

TARGET_MS = 150.0
NAME = "cockpit"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--enterprises", type=int, default=1_000_000)
    parser.add_argument(
        "--months", type=int, default=60, help="monthly figures per enterprise, up to 2025-12"
    )
    parser.add_argument("--backend", choices=["sqlite", "postgres", "postgresql", "both"], default="both")
    parser.add_argument("--requests", type=int, default=50, help="timed requests per endpoint")
    parser.add_argument("--budget", type=float, default=60, help="seconds at most per endpoint")
    parser.add_argument("--raw-runs", type=int, default=3, help="runs of each raw aggregation")
    parser.add_argument(
        "--timeout", type=float, default=900, help="seconds before a raw aggregation is stopped"
    )
    parser.add_argument("--keep", action="store_true", help="reuse the bench database when it is loaded")
    parser.add_argument("--drop", action="store_true", help="drop the bench database / folder at the end")
    return parser.parse_args(argv)


# --- loading --------------------------------------------------------------------------------------


def load_register(rows: int, backend: str) -> float:
    from chanye.core.tabular import Limits, open_table
    from chanye.enterprises import loader, services
    from chanye.enterprises.models import Enterprise

    present = Enterprise.objects.count()
    if present == rows:
        say(f"register: {present:,} enterprises already loaded (reused)")
        return 0.0
    if present:
        say(f"register holds {present:,} ≠ {rows:,}: a new database")
        benchlib.recreate(backend, NAME)
    path = benchlib.csv_input(rows)
    say(f"loading {rows:,} enterprises with our import …")
    started = time.perf_counter()
    system = services.current_system()
    with open_table(str(path), path.name, Limits(max_bytes=4 * 2**30, max_rows=rows + 10)) as table:
        outcome = loader.import_table(
            table,
            lookups=services.lookups(),
            version_id=system.current_version_id if system else None,
            source="bench",
        )
    if outcome.created != rows or not outcome.written:
        raise SystemExit(f"load failed: created {outcome.created}, rejected {outcome.rejected}")
    seconds = time.perf_counter() - started
    say(f"  {seconds:.0f} s")
    return seconds


def month_list(months: int) -> list[date]:
    out = []
    year, month = 2025, 12
    for _ in range(months):
        out.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return sorted(out)


def _secondary_indexes(cursor, table: str) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the table's indexes other than its primary key."""
    from django.db import connection

    if connection.vendor == "postgresql":
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT LIKE %s",
            [table, "%pkey"],
        )
    else:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
            [table],
        )
    return list(cursor.fetchall())


def load_figures(indicator_id: int, enterprises: int, months: int) -> dict:
    """`months` monthly revenue figures for every enterprise, generated in the database."""
    from django.db import connection, transaction

    from chanye.indicators.models import Observation

    table = Observation._meta.db_table
    expected = enterprises * months
    present = Observation.objects.filter(level="enterprise").count()
    if present == expected:
        say(f"figures: {present:,} enterprise figures already loaded (reused)")
        return {"figures": present, "load_s": 0.0}
    pg = connection.vendor == "postgresql"
    say(f"generating {expected:,} monthly figures ({enterprises:,} enterprises × {months} months) …")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE level = 'enterprise'")
        indexes = _secondary_indexes(cursor, table)
        for name, _sql in indexes:
            cursor.execute(f"DROP INDEX {name}")
        value = "COALESCE(e.revenue, 50) / 12.0 * (0.8 + ((e.id * 7919 + %s * 104729) %% 400) / 1000.0)"
        value = f"round(({value})::numeric, 4)" if pg else f"round({value}, 4)"
        insert = (
            f"INSERT INTO {table} (indicator_id, level, industry_id, enterprise_id, period, frequency, value, "
            "status, basis, source_type, source_ref, note, synthetic, version, recorded_by_id, recorded_at) "
            f"SELECT %s, 'enterprise', NULL, e.id, %s, 'month', {value}, 'final', 'reported', 'demo', 'bench', "
            "'', %s, 1, NULL, %s FROM enterprises_enterprise e ORDER BY e.id"
        )
        now = "2026-01-01 00:00:00+00:00"
        for number, period in enumerate(month_list(months)):
            with transaction.atomic():
                cursor.execute(insert, [indicator_id, period, number, True, now])
            if (number + 1) % 12 == 0:
                say(f"  {number + 1} months, {time.perf_counter() - started:.0f} s")
        inserted = time.perf_counter() - started
        for _name, sql in indexes:
            cursor.execute(sql)
    total = time.perf_counter() - started
    say(f"  inserted in {inserted:.0f} s, indexes rebuilt in {total - inserted:.0f} s")
    return {"figures": expected, "insert_s": inserted, "load_s": total}


def settle() -> float:
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    seconds = time.perf_counter() - started
    say(f"VACUUM ANALYZE: {seconds:.0f} s")
    return seconds


def sizes() -> dict:
    from django.conf import settings
    from django.db import connection

    from chanye.indicators.models import Observation, Rollup

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_total_relation_size(%s), pg_total_relation_size(%s), pg_database_size(current_database())",
                [Observation._meta.db_table, Rollup._meta.db_table],
            )
            figures, rollup, database = cursor.fetchone()
        return {"figures_mb": figures / 2**20, "rollup_mb": rollup / 2**20, "database_mb": database / 2**20}
    path = Path(settings.DATABASES["default"]["NAME"])
    return {"database_mb": sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 2**20}


def build_rollups(indicator_id: int, last: date) -> dict:
    """The full build, then the refresh one month's write pays, then one marked industry's."""
    from django.db import transaction

    from chanye.indicators import rollups
    from chanye.indicators.models import Rollup, RollupMark
    from chanye.industries.models import Industry

    out = {}
    started = time.perf_counter()
    rows = rollups.rebuild()
    out["rebuild_s"] = time.perf_counter() - started
    say(f"rollups: {rows:,} rows rebuilt in {out['rebuild_s']:.1f} s")
    started = time.perf_counter()
    with transaction.atomic():
        rollups.slices_recompute(slices=[(indicator_id, "month", last)])
    out["month_refresh_s"] = time.perf_counter() - started
    say(f"  one month's slice (district + every industry) added up again: {out['month_refresh_s']:.2f} s")
    from decimal import Decimal

    from chanye.indicators.models import Observation

    firm = (
        Observation.objects.filter(indicator_id=indicator_id, level="enterprise", period=last)
        .values_list("enterprise_id", flat=True)
        .first()
    )
    started = time.perf_counter()
    with transaction.atomic():  # a corrected figure: the sums it belongs to moved, then rolled back
        rollups.observations_changed(
            changes=[rollups.Change(firm, indicator_id, "month", last, Decimal("1.00"), False)]
        )
        transaction.set_rollback(True)
    out["correction_ms"] = (time.perf_counter() - started) * 1000
    say(f"  one corrected figure (its district and industry sums moved): {out['correction_ms']:.1f} ms")
    largest = (
        Rollup.objects.filter(level="industry", indicator_id=indicator_id, period=last)
        .order_by("-firms")
        .values_list("industry_id", "firms")
        .first()
    )
    if largest:
        RollupMark.objects.create(industry_id=largest[0], reason="bench")
        started = time.perf_counter()
        rollups.marked_refresh()
        out["industry_refresh_s"] = time.perf_counter() - started
        name = Industry.objects.get(pk=largest[0]).name
        say(
            f"  the largest industry ({name}, {largest[1]:,} firms) marked and added up again, all months: "
            f"{out['industry_refresh_s']:.2f} s"
        )
    out["rows"] = rows
    return out


# --- users ----------------------------------------------------------------------------------------


def users():
    from django.db.models import Count

    from chanye.accounts.roles import Role
    from chanye.organizations.models import Department, Leader, Responsibility

    busiest = (
        Responsibility.objects.filter(valid_to__isnull=True, leader__isnull=False)
        .values("leader_id")
        .annotate(n=Count("id"))
        .order_by("-n", "leader_id")
        .first()
    )
    leader = Leader.objects.get(pk=busiest["leader_id"])

    def make(username, role, **scope):
        return benchlib.bench_user(username, role, totp=True, **scope)

    drc = make("bench_drc", Role.DRC_ADMIN, department=Department.objects.get(code="DRC"))
    led = make("bench_leader", Role.DISTRICT_LEADER, leader=leader)
    return drc, led, leader


# --- raw aggregations -----------------------------------------------------------------------------


def raw_sql(indicator_id: int, industries: list[int] | None) -> tuple[str, list]:
    """The live aggregation: by industry (through the memberships) when `industries` is given, else the
    district's."""
    from chanye.enterprises.models import Membership
    from chanye.indicators.models import Observation

    figures, members = Observation._meta.db_table, Membership._meta.db_table
    where = "o.indicator_id = %s AND o.level = 'enterprise' AND o.frequency = 'month'"
    if industries is None:
        return (
            f"SELECT o.period, SUM(o.value), COUNT(o.enterprise_id) FROM {figures} o WHERE {where} "
            "GROUP BY o.period ORDER BY o.period",
            [indicator_id],
        )
    marks = ", ".join(["%s"] * len(industries))
    return (
        f"SELECT m.industry_id, o.period, SUM(o.value), COUNT(o.enterprise_id) FROM {figures} o "
        f"JOIN {members} m ON m.enterprise_id = o.enterprise_id WHERE {where} AND m.industry_id IN ({marks}) "
        "GROUP BY m.industry_id, o.period ORDER BY m.industry_id, o.period",
        [indicator_id, *industries],
    )


def run_raw(statements: list[tuple[str, list]], runs: int, limit: float) -> dict:
    """Seconds of the statements together, `runs` times; stopped past `limit` seconds."""
    from django.db import connection

    connection.ensure_connection()
    raw = connection.connection
    samples: list[float] = []
    for _ in range(runs):
        fired = threading.Event()

        def stop(fired=fired) -> None:
            fired.set()
            raw.interrupt() if connection.vendor == "sqlite" else raw.cancel_safe()

        timer = threading.Timer(limit, stop)
        timer.start()
        started = time.perf_counter()
        try:
            with connection.cursor() as cursor:
                for sql, params in statements:
                    cursor.execute(sql, params)
                    cursor.fetchall()
        except Exception:
            if fired.is_set():
                return {**percentiles(samples), "stopped_after_s": limit}
            raise
        finally:
            timer.cancel()
        samples.append(time.perf_counter() - started)
    return percentiles(samples)


# --- measuring ------------------------------------------------------------------------------------


def measure(client, url: str, count: int, budget: float) -> dict:
    try:
        from chanye.cockpit.widgets import FAILED
    except ImportError:
        FAILED = "\0"  # noqa: N806 - no widgets, nothing to recognise

    samples, failed = [], 0
    deadline = time.perf_counter() + budget
    for number in range(count + 2):  # 2 warm-up requests, not counted
        started = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - started
        if response.status_code == 404:
            return {"skipped": "404"}
        if response.status_code != 200:
            return {"skipped": f"HTTP {response.status_code}"}
        if FAILED in response.content.decode("utf-8", "replace"):
            failed += 1
        if number >= 2:
            samples.append(elapsed)
        if time.perf_counter() > deadline and len(samples) >= 3:
            break
    return {**percentiles(samples), "widget_failed": failed}


def endpoints(drc, leader_user, leader, indicator_id: int):
    """(label, user, url, raw aggregation key) of every endpoint measured."""
    from chanye.enterprises.services import current_system
    from chanye.organizations.models import Responsibility
    from chanye.targets.models import Target

    system = current_system()
    industries = list(system.industries.filter(active=True).order_by("position").values_list("pk", "code"))
    everything = [pk for pk, _code in industries]
    led = list(
        Responsibility.objects.filter(valid_to__isnull=True, leader=leader, industry__system=system)
        .order_by("industry__position")
        .values_list("industry_id", "industry__code")
    )
    targeted = sorted(
        set(Target.objects.filter(active=True, industry__isnull=False).values_list("industry_id", flat=True))
    )
    first_pk, first_code = industries[0]
    raw = {
        "district": [raw_sql(indicator_id, None)],
        "all industries": [raw_sql(indicator_id, everything)],
        "one industry": [raw_sql(indicator_id, [first_pk])],
        "all industries + district": [raw_sql(indicator_id, everything), raw_sql(indicator_id, None)],
        "targets' industries": [raw_sql(indicator_id, targeted or everything)],
        "leader's industries": [raw_sql(indicator_id, [pk for pk, _c in led] or everything)],
    }
    rows = [
        ("indicator page, district", drc, "/indicators/revenue/", "all industries + district"),
        ("indicator page, industry", drc, f"/indicators/revenue/?level=industry&industry={first_code}", "all industries + district"),
        ("API aggregates by industry", drc, "/api/v1/indicator-aggregates/?indicator=revenue&by=industry", "all industries"),
        ("API aggregates district", drc, "/api/v1/indicator-aggregates/?indicator=revenue&by=district", "district"),
        ("targets", drc, "/targets/", "targets' industries"),
        ("cockpit overview", drc, "/cockpit/", "all industries + district"),
    ]  # fmt: skip
    try:
        from chanye.cockpit.widgets import WIDGETS

        rows += [
            (f"cockpit widget {n}", drc, f"/cockpit/widgets/{n}/", "all industries + district")
            for n in WIDGETS
        ]
    except ImportError:
        say("note: chanye.cockpit.widgets not importable, no widgets measured")
    rows += [
        ("leader scorecard", leader_user, f"/cockpit/leaders/{leader.pk}/", "leader's industries"),
        ("leader scorecard (drc)", drc, f"/cockpit/leaders/{leader.pk}/", "leader's industries"),
    ]
    if led:
        rows.append(
            (
                "indicator page, leader's industry",
                leader_user,
                f"/indicators/revenue/?level=industry&industry={led[0][1]}",
                "all industries + district",
            )
        )
    return rows, raw


def run(backend: str, args) -> None:
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.environ["DB_CONN_MAX_AGE"] = "3600"  # one connection throughout, so a timer can interrupt its query
    code = benchlib.code_version()
    benchlib.configure(backend, name=NAME, fresh=not args.keep)
    import logging

    from enterprise_queries import signed_in

    from chanye.indicators.models import Indicator, RollupMark
    from chanye.indicators.services import catalogue_load

    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    logging.getLogger("chanye").setLevel(logging.CRITICAL)
    results: dict = {"backend": backend, "machine": benchlib.machine(), "code": code}
    results["register_load_s"] = load_register(args.enterprises, backend)
    catalogue_load()
    revenue = Indicator.objects.get(code="revenue")
    results["figures"] = load_figures(revenue.pk, args.enterprises, args.months)
    results["vacuum_s"] = settle()
    results["rollups"] = build_rollups(revenue.pk, month_list(args.months)[-1])
    results["sizes"] = sizes()
    say(f"sizes: {', '.join(f'{k} {v:,.0f}' for k, v in results['sizes'].items())}")
    if RollupMark.objects.exists():
        say("WARNING: rollups marked stale; the pages add up live")
    drc, leader_user, leader = users()
    say(
        f"\n=== cockpit, {backend}, {args.enterprises:,} enterprises × {args.months} months — {benchlib.machine()}"
    )
    say(f"database: {benchlib.database_label()}; code: {code}")
    say(f"leader: {leader.title} ({leader.code}, pk {leader.pk})")
    rows, raw = endpoints(drc, leader_user, leader, revenue.pk)
    raw_times = {}
    clients = {}
    say(
        f"\n  {'endpoint':<36} {'n':>4} {'p50':>8} {'p95':>8} {'max':>8}   {'raw p50':>9} {'raw max':>9}  raw aggregation replaced"
    )
    measured = {}
    for label, user, url, raw_key in rows:
        client = clients.get(user.pk) or clients.setdefault(user.pk, signed_in(user))
        result = measure(client, url, args.requests, args.budget)
        if "skipped" in result:
            say(f"  {label:<36} skipped: {url} answered {result['skipped']}")
            measured[label] = {"url": url, **result}
            continue
        if raw_key not in raw_times:
            raw_times[raw_key] = run_raw(raw[raw_key], args.raw_runs, args.timeout)
        r = raw_times[raw_key]
        flag = "" if result["p95"] <= TARGET_MS else "  MISS"
        if result["widget_failed"]:
            flag += f"  ({result['widget_failed']} answered the widget's timeout message)"
        stopped = f" (stopped after {r['stopped_after_s']:.0f} s)" if r.get("stopped_after_s") else ""
        say(
            f"  {label:<36} {result['n']:>4} {result['p50']:7.1f}ms {result['p95']:7.1f}ms {result['max']:7.1f}ms"
            f"   {r['p50']:8.0f}ms {r['max']:8.0f}ms  {raw_key}{stopped}{flag}"
        )
        measured[label] = {"url": url, "server": result, "raw": r, "raw_key": raw_key}
    results["endpoints"] = measured
    benchlib.check_code(code)
    out = BUILD / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"cockpit-{backend}-{args.enterprises}x{args.months}.json").write_text(
        json.dumps(results, indent=1, ensure_ascii=False, default=str)
    )
    if args.drop:
        from django.db import connections

        connections.close_all()
        if backend == "postgresql":
            benchlib.pg_drop()
        else:
            import shutil

            shutil.rmtree(benchlib.sqlite_dir(NAME))


def main() -> None:
    args = parse_args()
    backend = {"postgres": "postgresql"}.get(args.backend, args.backend)
    if backend != "both":
        run(backend, args)
        return
    common = [
        f"--enterprises={args.enterprises}",
        f"--months={args.months}",
        f"--requests={args.requests}",
        f"--budget={args.budget}",
        f"--raw-runs={args.raw_runs}",
        f"--timeout={args.timeout}",
        *(["--keep"] if args.keep else []),
        *(["--drop"] if args.drop else []),
    ]
    for one in ("sqlite", "postgresql"):  # one process each: Django is set up once per process
        subprocess.run([sys.executable, __file__, f"--backend={one}", *common], check=False)


if __name__ == "__main__":
    main()
