# ruff: noqa: S608 - SQL here is built from catalogue names and constants only; values are parameters.
"""Server time of the register's pages and API at a million enterprises, against the raw SQL they need.

    .venv/bin/python bench/enterprise_queries.py --rows 1000000 --backend {postgresql,sqlite}
        [--requests 200] [--keep] [--drop] [--budget 90]

The register is loaded with our import unless the bench database already holds that many enterprises
(--keep reuses it; without --keep it is made anew). Two signed-in users, as the pages see them: a 发改局
administrator (all enterprises; TOTP step marked as passed, as conftest.verify_second_factor does) and a
street officer of TH01 (his street's enterprises only). Each request goes through django.test.Client,
i.e. the whole Django stack in-process (middleware, session save, view, ORM, template or DRF rendering);
its wall time is the server time. Beside each endpoint: the same answer's main SQL run raw, as baseline.
An endpoint over the 100 ms p95 target is profiled: its SQL statements with their times, the slowest one's
EXPLAIN, and the top of a cProfile of one request.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import logging
import os
import pstats
import random
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib
from benchlib import BUILD, percentiles, say

TARGET_MS = 100.0
LIST_COLUMNS = (
    "e.id, e.uscc, e.name, e.status, e.registered_on, e.capital, e.address, e.street_id, e.gbt_code, "
    "e.business_scope, e.revenue, e.employees, e.assets, e.scale, e.credit_rating, e.dishonest, "
    "e.dishonest_source, e.dishonest_on, e.contact_name, e.contact_phone, e.contact_email, e.uscc_exception, "
    "e.synthetic, e.version, e.created_at, e.updated_at, s.id, s.code, s.name"
)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--backend", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per endpoint and user")
    parser.add_argument("--budget", type=float, default=90, help="seconds at most per endpoint and user")
    parser.add_argument("--timeout", type=float, default=30, help="seconds before one request is interrupted")
    parser.add_argument("--keep", action="store_true", help="reuse the bench database when it is loaded")
    parser.add_argument("--drop", action="store_true", help="drop the bench database / folder at the end")
    parser.add_argument("--seed", type=int, default=12126)
    return parser.parse_args(argv)


# --- set-up ---------------------------------------------------------------------------------------


def load(rows: int, backend: str) -> None:

    from chanye.core.tabular import Limits, open_table
    from chanye.enterprises import loader, services
    from chanye.enterprises.models import Enterprise

    present = Enterprise.objects.count()
    if present >= rows:
        say(f"register: {present:,} enterprises already loaded (reused)")
        return
    if present:
        say(f"register holds {present:,} < {rows:,}: a new database")
        benchlib.recreate(backend, "queries")
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
    say(f"  {time.perf_counter() - started:.0f} s")


def settle() -> None:
    """PostgreSQL: VACUUM ANALYZE, the state autovacuum reaches within minutes of a load (statistics, visibility
    map). SQLite: nothing; the application never runs ANALYZE there, so the planner has no statistics."""
    from django.db import connection

    if connection.vendor == "postgresql":
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        say(f"VACUUM ANALYZE: {time.perf_counter() - started:.0f} s")


def users():
    from chanye.accounts.roles import Role
    from chanye.organizations.models import Department, Street

    drc = benchlib.bench_user(
        "bench_drc", Role.DRC_ADMIN, totp=True, department=Department.objects.get(code="DRC")
    )
    street = benchlib.bench_user("bench_street", Role.STREET_OFFICER, street=Street.objects.get(code="TH01"))
    return drc, street


def signed_in(user):
    """A test client signed in as `user`, with the second factor marked passed for administrators."""
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user)
    if user.needs_second_factor:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
    return client


# --- samples --------------------------------------------------------------------------------------


@dataclass
class Sample:
    usccs: list[str]
    names: list[str]
    street_id: int | None = None

    def fragment(self, rng: random.Random, size: int) -> str:
        """2 or 4 characters of a real name: the trade name (天越), or it and the trade word (天越软件)."""
        name = rng.choice(self.names)
        body = name.removeprefix("广州市").removeprefix("广州")
        return body[:size]


def sample(rng: random.Random, street_id: int | None, size: int = 400) -> Sample:
    from chanye.enterprises.models import Enterprise

    rows = Enterprise.objects.all()
    if street_id is not None:
        ids = list(rows.filter(street_id=street_id).values_list("id", flat=True))
        chosen = rng.sample(ids, min(size, len(ids)))
    else:
        low, high = (
            Enterprise.objects.order_by("id").values_list("id", flat=True)[:1][0],
            rows.order_by("-id").values_list("id", flat=True)[:1][0],
        )
        chosen = [rng.randint(low, high) for _ in range(size)]
    found = list(rows.filter(id__in=chosen).values_list("uscc", "name"))
    rng.shuffle(found)
    return Sample([u for u, _ in found], [n for _, n in found], street_id)


# --- endpoints and their raw SQL ------------------------------------------------------------------


@dataclass
class Endpoint:
    name: str
    url: Callable[[random.Random], tuple[str, tuple]]  # → (url, parameters for the raw SQL)
    raw: Callable[[object, tuple], None]  # runs the baseline SQL with a cursor
    raw_label: str
    results: dict = field(default_factory=dict)


def endpoints(sample_: Sample, vendor: str) -> list[Endpoint]:
    street = sample_.street_id
    where_street = "e.street_id = %s" if street is not None else "1 = 1"
    street_params: tuple = (street,) if street is not None else ()

    name_expression = "e.name"
    if vendor == "postgresql":  # the expression the trigram index is on (name, or UPPER(name) since 0004)
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE tablename = 'enterprises_enterprise' "
                "AND indexdef LIKE '%%gin_trgm_ops%%'"
            )
            if any("upper(" in row[0] for row in cursor.fetchall()):
                name_expression = "UPPER(e.name::text)"

    def run(cursor, sql: str, params) -> None:
        cursor.execute(sql, params)
        cursor.fetchall()

    def list_sql(extra: str = "") -> str:
        return (
            f"SELECT {LIST_COLUMNS} FROM enterprises_enterprise e LEFT JOIN organizations_street s "
            f"ON s.id = e.street_id WHERE {where_street}{extra} ORDER BY e.id DESC LIMIT 51 OFFSET %s"
        )

    def name_sql(fragment: str) -> tuple[str, tuple]:
        if vendor == "sqlite" and len(fragment) >= 3:
            return (
                list_sql(" AND e.id IN (SELECT rowid FROM enterprises_name_fts WHERE name MATCH %s)"),
                (*street_params, f'"{fragment}"', 0),
            )
        if len(fragment) >= 3:  # the ids from the trigram index first, then the page
            inner = name_expression.replace("e.name", "name")
            return (
                list_sql(f" AND e.id IN (SELECT id FROM enterprises_enterprise WHERE {inner} LIKE %s)"),
                (*street_params, f"%{fragment}%", 0),
            )
        return list_sql(f" AND {name_expression} LIKE %s"), (*street_params, f"%{fragment}%", 0)

    def prefix_sql(prefix: str) -> tuple[str, tuple]:
        # the index-friendly form of "starts with": a range on the unique code
        return list_sql(" AND e.uscc >= %s AND e.uscc < %s"), (*street_params, prefix, prefix + "\uffff", 0)

    profile_sql = [
        (
            f"SELECT {LIST_COLUMNS} FROM enterprises_enterprise e LEFT JOIN organizations_street s "
            f"ON s.id = e.street_id WHERE e.uscc = %s",
            "uscc",
        ),
        (
            "SELECT m.*, i.*, v.id, v.version FROM enterprises_membership m JOIN industries_industry i ON i.id = "
            "m.industry_id JOIN industries_systemversion v ON v.id = m.version_id WHERE m.enterprise_id = %s "
            "ORDER BY i.position",
            "id",
        ),
        ("SELECT * FROM enterprises_membershipoverride WHERE enterprise_id = %s", "id"),
        ("SELECT * FROM enterprises_liaison WHERE enterprise_id = %s", "id"),
        (
            "SELECT * FROM enterprises_visit WHERE enterprise_id = %s ORDER BY visited_on DESC, id DESC LIMIT 50",
            "id",
        ),
        (
            "SELECT * FROM enterprises_enterprisechange WHERE enterprise_id = %s ORDER BY at DESC, id DESC LIMIT 50",
            "id",
        ),
        ("SELECT * FROM enterprises_formername WHERE enterprise_id = %s", "id"),
        (
            "SELECT t.* FROM enterprises_tag t JOIN enterprises_enterprisetag et ON et.tag_id = t.id "
            "WHERE et.enterprise_id = %s",
            "id",
        ),
    ]

    def profile_raw(cursor, params, statements=profile_sql) -> None:
        cursor.execute("SELECT id FROM enterprises_enterprise WHERE uscc = %s", [params[0]])
        enterprise_id = cursor.fetchone()[0]
        for sql, key in statements:
            run(cursor, sql, [params[0] if key == "uscc" else enterprise_id])

    def api_list_raw(cursor, params) -> None:
        cursor.execute(list_sql(), (*street_params, 0))
        ids = [row[0] for row in cursor.fetchall()]
        marks = ", ".join(["%s"] * len(ids))
        run(
            cursor,
            "SELECT et.enterprise_id, t.* FROM enterprises_tag t JOIN enterprises_enterprisetag et "
            f"ON et.tag_id = t.id WHERE et.enterprise_id IN ({marks})",
            ids,
        )

    rng_uscc = sample_.usccs
    return [
        Endpoint(
            "list, page 1",
            lambda r: ("/enterprises/", (*street_params, 0)),
            lambda c, p: run(c, list_sql(), p),
            "SELECT … ORDER BY id DESC LIMIT 51",
        ),
        Endpoint(
            "list, page 50",
            lambda r: ("/enterprises/?page=50", (*street_params, 49 * 50)),
            lambda c, p: run(c, list_sql(), p),
            "… LIMIT 51 OFFSET 2450",
        ),
        Endpoint(
            "search name, 2 chars",
            lambda r: (lambda f: (f"/enterprises/?q={f}", name_sql(f)))(sample_.fragment(r, 2)),
            lambda c, p: run(c, *p),
            "name LIKE '%xx%' ORDER BY id DESC LIMIT 51",
        ),
        Endpoint(
            "search name, 4 chars",
            lambda r: (lambda f: (f"/enterprises/?q={f}", name_sql(f)))(sample_.fragment(r, 4)),
            lambda c, p: run(c, *p),
            "FTS5 MATCH" if vendor == "sqlite" else "id IN (trigram LIKE '%xxxx%') … LIMIT 51",
        ),
        Endpoint(
            "search USCC prefix (14)",
            lambda r: (lambda u: (f"/enterprises/?q={u[:14]}", prefix_sql(u[:14])))(r.choice(rng_uscc)),
            lambda c, p: run(c, *p),
            "uscc >= p AND uscc < p||'\\uffff' … LIMIT 51",
        ),
        Endpoint(
            "search full USCC",
            lambda r: (lambda u: (f"/enterprises/?q={u}", prefix_sql(u)))(r.choice(rng_uscc)),
            lambda c, p: run(c, *p),
            "uscc range (= one row)",
        ),
        Endpoint(
            "360 page",
            lambda r: (lambda u: (f"/enterprises/{u}/", (u,)))(r.choice(rng_uscc)),
            profile_raw,
            "9 statements: by uscc, memberships, overrides, liaison, visits, history, former names, tags",
        ),
        Endpoint(
            "API list",
            lambda r: ("/api/v1/enterprises/", ()),
            api_list_raw,
            "LIMIT 51 + tags IN (…)",
        ),
        Endpoint(
            "API detail",
            lambda r: (lambda u: (f"/api/v1/enterprises/{u}/", (u,)))(r.choice(rng_uscc)),
            lambda c, p: profile_raw(c, p, [profile_sql[0], profile_sql[1], profile_sql[-1]]),
            "by uscc + memberships + tags",
        ),
    ]


# --- measuring ------------------------------------------------------------------------------------


class Timeout(Exception):
    pass


def guarded_get(client, url: str, limit: float):
    """client.get, its SQL interrupted after `limit` seconds (sqlite3 interrupt / psycopg cancel)."""
    from django.db import connection

    connection.ensure_connection()
    raw = connection.connection
    fired = threading.Event()

    def stop() -> None:
        fired.set()
        if connection.vendor == "sqlite":
            raw.interrupt()
        else:
            raw.cancel_safe()

    timer = threading.Timer(limit, stop)
    timer.start()
    try:
        return client.get(url)
    except Exception as error:
        if fired.is_set():
            raise Timeout(url) from error
        raise
    finally:
        timer.cancel()


def measure(client, endpoint: Endpoint, rng: random.Random, count: int, budget: float, limit: float) -> None:
    from django.db import connection

    server, raw, params_used = [], [], []
    timed_out = ""
    deadline = time.perf_counter() + budget
    for number in range(count + 3):  # 3 warm-up requests, not counted
        url, params = endpoint.url(rng)
        started = time.perf_counter()
        try:
            response = guarded_get(client, url, limit)
        except Timeout:
            timed_out = url
            break
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise SystemExit(f"{endpoint.name}: {url} answered {response.status_code}")
        if number >= 3:
            server.append(elapsed)
            params_used.append((url, params))
        if time.perf_counter() > deadline:
            break
    with connection.cursor() as cursor:
        for _url, params in params_used or [endpoint.url(rng)]:
            started = time.perf_counter()
            endpoint.raw(cursor, params)
            raw.append(time.perf_counter() - started)
    endpoint.results = {
        "server": percentiles(server),
        "raw": percentiles(raw),
        "example": (params_used[0][0] if params_used else timed_out),
        "budget_hit": len(server) < count,
        "timeout": timed_out,
    }


def rerun(sql: str, limit: float) -> float | None:
    """Seconds to execute and fetch one captured statement again; None past `limit`."""
    from django.db import connection

    connection.ensure_connection()
    raw = connection.connection
    fired = threading.Event()

    def stop() -> None:
        fired.set()
        raw.interrupt() if connection.vendor == "sqlite" else raw.cancel_safe()

    timer = threading.Timer(limit, stop)
    timer.start()
    try:
        with connection.cursor() as cursor:
            started = time.perf_counter()
            cursor.execute(sql)  # no parameters: the captured text has its values inlined
            cursor.fetchall()
            return time.perf_counter() - started
    except Exception:
        if fired.is_set():
            return None
        raise
    finally:
        timer.cancel()


def diagnose(client, endpoint: Endpoint, rng: random.Random, limit: float) -> str:
    """Each SQL statement of one request re-run with its fetch and timed, EXPLAIN of the slowest, and the
    top of a cProfile of the request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = endpoint.results.get("timeout") or endpoint.url(rng)[0]
    out = [f"### {endpoint.name}: {url}"]
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        try:
            guarded_get(client, url, limit)
            out.append(f"wall {(time.perf_counter() - started) * 1000:.0f} ms")
        except Timeout:
            out.append(f"interrupted after {limit:.0f} s")
    timed = []
    for query in captured.captured_queries:
        sql = query["sql"]
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        seconds = rerun(sql, limit)
        timed.append((float("inf") if seconds is None else seconds, sql))
    timed.sort(key=lambda item: -item[0])
    out.append(
        f"{len(captured.captured_queries)} SQL statements; the slowest SELECTs, re-run with their fetch:"
    )
    for seconds, sql in timed[:5]:
        shown = f"> {limit:.0f} s" if seconds == float("inf") else f"{seconds * 1000:8.1f} ms"
        out.append(f"  {shown}  {sql[:900]}")
    if timed and timed[0][0] > 0.02:
        seconds, sql = timed[0]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                analyse = "ANALYZE, BUFFERS" if seconds < limit else "COSTS"
                cursor.execute(f"EXPLAIN ({analyse}) " + sql)
            else:
                cursor.execute("EXPLAIN QUERY PLAN " + sql)
            plan = cursor.fetchall()
        out.append("EXPLAIN of the slowest:")
        out += ["  " + " | ".join(str(c) for c in row) for row in plan]
    if endpoint.results.get("timeout"):
        return "\n".join(out)
    profiler = cProfile.Profile()
    profiler.runcall(client.get, url)
    stream = io.StringIO()
    stats = pstats.Stats(profiler, stream=stream)
    stats.sort_stats("cumulative").print_stats(
        r"chanye|django/(db/models/sql/compiler|template/base|db/backends/utils)|rest_framework", 18
    )
    profile_lines = [
        line
        for line in stream.getvalue().splitlines()
        if line.strip() and not line.startswith(("   Ordered", "   List"))
    ]
    out.append("cProfile (cumulative; our code, the SQL compiler and cursor, templates, DRF):")
    out += ["  " + line for line in profile_lines[:26]]
    return "\n".join(out)


def main() -> None:
    args = parse_args()
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"  # the test client's host
    os.environ["DB_CONN_MAX_AGE"] = "3600"  # one connection throughout, so a timer can interrupt its query
    code = benchlib.code_version()
    benchlib.configure(args.backend, name="queries", fresh=not args.keep)
    load(args.rows, args.backend)
    settle()
    from django.db import connection

    from chanye.enterprises.models import Enterprise

    total = Enterprise.objects.count()
    say(f"\n=== register queries, {args.backend}, {total:,} enterprises — {benchlib.machine()}")
    say(f"database: {benchlib.database_label()}; {args.requests} requests per endpoint and user (3 warm-up)")
    logging.getLogger("django.request").setLevel(logging.CRITICAL)  # interrupted requests are reported here
    drc, street_user = users()
    rng = random.Random(args.seed)
    say(f"code: {code}")
    results: dict = {
        "backend": args.backend,
        "rows": total,
        "machine": benchlib.machine(),
        "code": code,
        "users": {},
    }
    diagnoses: list[str] = []
    for label, user, street_id in (
        ("发改局 admin", drc, None),
        ("street officer TH01", street_user, street_user.street_id),
    ):
        client = signed_in(user)
        sample_ = sample(rng, street_id)
        say(f"\n--- as {label} ({len(sample_.usccs)} sampled enterprises)")
        say(
            f"  {'endpoint':<26} {'n':>4} {'p50':>8} {'p95':>8} {'max':>8}   {'raw p50':>8} {'raw p95':>8}  raw SQL"
        )
        rows = {}
        for endpoint in endpoints(sample_, connection.vendor):
            measure(client, endpoint, rng, args.requests, args.budget, args.timeout)
            s, r = endpoint.results["server"], endpoint.results["raw"]
            flag = "" if s["p95"] <= TARGET_MS else "  MISS"
            if endpoint.results["timeout"]:
                flag = f"  MISS: a request ran over {args.timeout:.0f} s and was interrupted"
            say(
                f"  {endpoint.name:<26} {s['n']:>4} {s['p50']:7.1f}ms {s['p95']:7.1f}ms {s['max']:7.1f}ms   "
                f"{r['p50']:7.1f}ms {r['p95']:7.1f}ms  {endpoint.raw_label}{flag}"
            )
            rows[endpoint.name] = endpoint.results
            if flag:
                diagnoses.append(f"[{label}] " + diagnose(client, endpoint, rng, args.timeout))
        results["users"][label] = rows
    if diagnoses:
        say("\n--- endpoints over the p95 target of 100 ms: where the time goes\n")
        say("\n\n".join(diagnoses))
    results["diagnoses"] = diagnoses
    benchlib.check_code(code)
    out = BUILD / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"queries-{args.backend}-{args.rows}.json").write_text(
        json.dumps(results, indent=1, ensure_ascii=False)
    )
    if args.drop:
        from django.db import connections

        connections.close_all()
        if args.backend == "postgresql":
            benchlib.pg_drop()
        else:
            import shutil

            shutil.rmtree(benchlib.sqlite_dir("queries"))


if __name__ == "__main__":
    main()
