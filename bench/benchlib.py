"""Shared set-up of the benchmarks: a dedicated database (never the dev one), Django, schema and systems.

Imported by the scripts in this folder before anything from Django: `configure()` sets the environment
(DATABASE_URL for PostgreSQL, CHANYE_VAR_DIR for SQLite) and only then calls django.setup().
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build" / "bench"
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
# CHANYE_BENCH_DB names another database, so that two scripts can run side by side without one
# dropping the other's (every script uses this one database on PostgreSQL).
PG_DB = os.environ.get("CHANYE_BENCH_DB", "chanye_bench")
if not re.fullmatch(r"[a-z_][a-z0-9_]*", PG_DB):
    raise SystemExit(f"CHANYE_BENCH_DB: not a plain database name: {PG_DB!r}")
PG_URL = f"postgres://postgres@127.0.0.1:5432/{PG_DB}"
SYSTEMS = ("systems/gz-12218.yaml", "systems/tianhe-12126.yaml")  # parent first


def say(text: str = "") -> None:
    print(text, flush=True)


def sqlite_dir(name: str) -> Path:
    return BUILD / f"sqlite-{name}"


def _pg_admin():
    import psycopg

    return psycopg.connect(PG_ADMIN, autocommit=True)


def pg_database_exists() -> bool:
    with _pg_admin() as admin:
        return admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [PG_DB]).fetchone() is not None


def pg_drop() -> None:
    with _pg_admin() as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")


def configure(backend: str, *, name: str, fresh: bool, child: bool = False) -> None:
    """Point Django at the bench database and set it up. `fresh` drops it first; a child only connects."""
    if backend not in ("postgresql", "sqlite"):
        raise SystemExit(f"unknown backend {backend}")
    os.chdir(ROOT)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    BUILD.mkdir(parents=True, exist_ok=True)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.pop("SQLITE_PATH", None)
    os.environ.pop("DEBUG", None)
    if backend == "postgresql":
        os.environ["DATABASE_URL"] = PG_URL
        os.environ["CHANYE_VAR_DIR"] = str(BUILD / "pg-var")  # the secret key file, not the dev var/
        if not child:
            if fresh:
                pg_drop()
            if not pg_database_exists():
                with _pg_admin() as admin:
                    admin.execute(f"CREATE DATABASE {PG_DB}")
    else:
        os.environ.pop("DATABASE_URL", None)
        folder = sqlite_dir(name)
        if fresh and not child and folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True, exist_ok=True)
        os.environ["CHANYE_VAR_DIR"] = str(folder)
    import django

    django.setup()
    from django.conf import settings

    database = settings.DATABASES["default"]
    assert database["NAME"] != str(ROOT / "var" / "chanye.sqlite3"), "refusing to touch the dev database"
    if not child:
        migrate()


def migrate() -> None:
    """The schema, then the shipped systems (gz-12218 first, then tianhe-12126), as `make demo` loads them."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    for path in SYSTEMS:
        call_command("system", "load", path, verbosity=0)


def recreate(backend: str, name: str) -> None:
    """A new, freshly migrated bench database in place of the current one (Django already set up)."""
    from django.db import connections

    connections.close_all()
    if backend == "postgresql":
        pg_drop()
        with _pg_admin() as admin:
            admin.execute(f"CREATE DATABASE {PG_DB}")
    else:
        for path in sqlite_dir(name).glob("chanye.sqlite3*"):
            path.unlink()
    migrate()


def database_label() -> str:
    from django.conf import settings
    from django.db import connection

    database = settings.DATABASES["default"]
    return f"{connection.vendor} {database['NAME']}"


def checkpoint() -> None:
    """Flush dirty pages before a timed section so one measurement does not pay for the previous one."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("CHECKPOINT")
        else:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def csv_input(rows: int) -> Path:
    """The synthetic sheet of `rows` rows (demo.write_csv), cached under build/bench/."""
    from chanye.enterprises import demo

    path = BUILD / f"enterprises-{rows}.csv"
    if not path.exists():
        say(f"generating {path.name} …")
        started = time.perf_counter()
        partial = path.with_suffix(".partial")
        demo.write_csv(partial, rows)
        partial.rename(path)
        say(f"  {rows:,} rows, {path.stat().st_size / 2**20:.0f} MB in {time.perf_counter() - started:.0f} s")
    return path


@contextmanager
def timer() -> Iterator[list[float]]:
    box: list[float] = []
    started = time.perf_counter()
    try:
        yield box
    finally:
        box.append(time.perf_counter() - started)


def percentiles(samples: list[float]) -> dict[str, float]:
    """p50 / p95 / max in milliseconds."""
    ordered = sorted(samples)
    if not ordered:
        return {"n": 0, "p50": float("nan"), "p95": float("nan"), "max": float("nan")}
    p95 = ordered[min(len(ordered) - 1, max(0, int(round(0.95 * len(ordered))) - 1))]
    return {
        "n": len(ordered),
        "p50": statistics.median(ordered) * 1000,
        "p95": p95 * 1000,
        "max": ordered[-1] * 1000,
    }


def machine() -> str:
    """nproc, RAM, PostgreSQL and SQLite versions, date: what the figures were measured on."""
    import sqlite3

    memory = ""
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            memory = f"{int(re.findall(r'\d+', line)[0]) / 2**20:.1f} GiB RAM"
    import psycopg

    try:
        with _pg_admin() as admin:
            pg = admin.execute("SHOW server_version").fetchone()[0]
    except Exception:  # noqa: BLE001 - only a label
        pg = "unreachable"
    cpu = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    return (
        f"{dt.datetime.now():%Y-%m-%d %H:%M}, {cpu} CPU, {memory}, PostgreSQL {pg}, "
        f"SQLite {sqlite3.sqlite_version}, Python {platform.python_version()}, psycopg {psycopg.__version__}"
    )


def code_version() -> str:
    """The application code measured: HEAD, and whether chanye/ or config/ differ from it (the code may
    change while a benchmark runs; compare the value printed at the start and at the end)."""
    head = subprocess.run(
        ["git", "log", "-1", "--format=%h %cd %s", "--date=format:%H:%M"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "chanye", "config"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    return f"{head[:90]}{' + UNCOMMITTED CHANGES in chanye/ or config/' if dirty else ''}"


def check_code(started_with: str) -> None:
    now = code_version()
    if now != started_with:
        say(
            f"WARNING: the application code changed during this run: started at [{started_with}], now [{now}]"
        )


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else "n/a"


def bench_user(username: str, role, *, totp: bool = False, **scope):
    """A signed-in persona for in-process requests (no usable password; `scope`: department, leader, street…),
    with a confirmed TOTP device when asked."""
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from chanye.accounts.models import User

    user = User.objects.filter(username=username).first() or User(username=username)
    user.role, user.display_name, user.password_changed_at = role.value, username, timezone.now()
    for key, value in scope.items():
        setattr(user, key, value)
    user.set_unusable_password()
    user.save()
    if totp:
        TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
    return user
