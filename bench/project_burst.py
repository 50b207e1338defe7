"""The monthly filing deadline: 2,000 enterprise users sign in and file, against gunicorn on loopback.

    .venv/bin/python bench/project_burst.py --backend {sqlite,postgresql,both} [--users 2000] [--rate 180]
        [--think 1.5] [--signin-concurrency 6] [--keep] [--diagnose]

Set-up (not timed): a fresh bench database (SQLite in build/bench/sqlite-burst/, PostgreSQL
`chanye_burst` or CHANYE_BENCH_DB), migrated, the shipped systems and `chanye demo` (3,000 synthetic
enterprises, 208 projects with their filings), then per filer an enterprise of the register, a continuing
project of that enterprise with its 2025 plan and accepted filings January–October, and an enterprise user
(`filer0001` …; one password, hashed once with the production hasher so each sign-in costs what it costs).
The month filed is November 2025.

Then gunicorn (config/gunicorn.py, as scripts/serve.sh runs it; DEBUG off) on 127.0.0.1 at a free port,
and locust (bench/burst_locustfile.py, headless, FastHttpUser) against it, three times:

1. baseline: /healthz offered at the burst's rate over as many connections (latency of a trivial view);
2. ceiling: /healthz flat out from 16 users (what tool and server can do at all on this machine);
3. the deadline: each user signs in once through the form (at most --signin-concurrency at a time, as the
   policy's PBKDF2 allows), then the burst — users start one after another at rate ÷ 7 a second and each
   reads the filing board, opens the prefilled form, saves a draft (and sees it), submits (and sees it),
   reads the board again, with --think seconds between steps.

Figures: requests/s of the burst (whole window and the slowest 10-second window), p50 / p95 / p99 / max per
step and overall, errors, and afterwards the filings stored in the database against the saves and submits
the server acknowledged (302). Target (issue 4): ≥ 150 requests/s sustained, p99 ≤ 500 ms, 0 errors,
stored = acknowledged. --diagnose adds each step's queries and time in-process and a profile of the slowest.
Logs in build/bench/logs/, figures in build/bench/results/burst-<backend>.json.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

os.environ.setdefault("CHANYE_BENCH_DB", "chanye_burst")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib
from benchlib import BUILD, ROOT, say

NAME = "burst"
PERIOD = date(2025, 11, 1)
PREFIX = "TH2025-B"
PASSWORD = "Filer-2025-deadline"
STEPS = 7  # burst requests per user (see burst_locustfile.Filer._file)
TARGET_RPS, TARGET_P99_MS = 150.0, 500.0
LOGS = BUILD / "logs"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", choices=["postgresql", "sqlite", "both"], default="both")
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=180.0, help="requests/s offered during the burst")
    parser.add_argument("--think", type=float, default=1.5, help="seconds between a user's steps")
    parser.add_argument("--signin-concurrency", type=int, default=6, help="sign-ins in flight at most")
    parser.add_argument(
        "--signins",
        type=int,
        default=200,
        help="users who sign in through the form during the run; the others signed in earlier that day",
    )
    parser.add_argument("--keep", action="store_true", help="reuse a set-up bench database (filings reset)")
    parser.add_argument("--diagnose", action="store_true", help="queries and profile of each step")
    return parser.parse_args(argv)


# --- set-up -------------------------------------------------------------------------------------------


def set_up(users: int) -> None:
    """`chanye demo`, then `users` filers, each with a continuing project of their own enterprise."""
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from chanye.accounts.models import User
    from chanye.enterprises.models import Enterprise
    from chanye.enterprises.services import current_system
    from chanye.organizations.models import Responsibility, Street
    from chanye.projects import demo
    from chanye.projects.models import AnnualPlan, Filing, FilingStatus, Project
    from chanye.projects.services import due_on

    call_command("demo", enterprises=3000, stdout=io.StringIO())
    owners = set(Project.objects.values_list("owner_id", flat=True))
    firms = list(Enterprise.objects.filter(synthetic=True).exclude(pk__in=owners).order_by("id")[: users + 1])
    if len(firms) < users + 1:
        raise SystemExit(f"the demo register has only {len(firms)} enterprises without a project")
    industries = list(current_system().industries.filter(active=True).order_by("position", "code"))
    streets = list(Street.objects.order_by("code"))
    duty = {r.industry_id: r for r in Responsibility.objects.filter(valid_to__isnull=True)}
    curve = demo.curve(1)
    password = make_password(PASSWORD)  # once: every filer has this password, each sign-in checks it in full
    now = timezone.now()
    with transaction.atomic():
        projects = []
        for number, firm in enumerate(firms, start=1):
            industry = industries[number % len(industries)]
            responsibility = duty.get(industry.pk)
            projects.append(
                Project(
                    code=f"{PREFIX}{number:04d}",
                    name=f"{firm.name[:40]}扩建项目",
                    owner=firm,
                    industry=industry,
                    street=firm.street or streets[number % len(streets)],
                    stage="continuing",
                    total_investment=Decimal(20000 + number * 7 % 90000),
                    planned_start=date(2024, 3, 1),
                    actual_start=date(2024, 3, 1),
                    planned_end=date(2027, 6, 1),
                    leader=responsibility.leader if responsibility else None,
                    department=responsibility.lead_department if responsibility else None,
                    funding="企业自筹",
                    synthetic=True,
                )
            )
        Project.objects.bulk_create(projects, batch_size=500)
        projects = list(Project.objects.filter(code__startswith=PREFIX).order_by("code"))
        plans, filings = [], []
        for project in projects:
            planned = Decimal(3000 + project.pk * 13 % 9000)
            plans.append(AnnualPlan(project=project, year=2025, planned_investment=planned, curve=curve))
            cumulative, share = Decimal(0), Decimal(0)
            for month in range(1, PERIOD.month):
                amount = (planned * (Decimal(curve[month - 1]) - share)).quantize(Decimal("0.01"))
                share = Decimal(curve[month - 1])
                cumulative += amount
                period = date(2025, month, 1)
                due = due_on(period)
                filings.append(
                    Filing(
                        project=project,
                        period=period,
                        investment=amount,
                        cumulative=cumulative,
                        narrative="按计划推进",
                        status=FilingStatus.ACCEPTED,
                        due_on=due,
                        submitted_at=timezone.make_aware(datetime(due.year, due.month, due.day - 2, 10)),
                    )
                )
        AnnualPlan.objects.bulk_create(plans, batch_size=1000)
        Filing.objects.bulk_create(filings, batch_size=2000)
        User.objects.bulk_create(
            [
                User(
                    username=f"filer{number:04d}",
                    role="enterprise_user",
                    display_name=f"{firm.name[:20]}填报员",
                    enterprise=firm,
                    password=password,
                    password_changed_at=now,
                )
                for number, firm in enumerate(firms, start=1)
            ],
            batch_size=1000,
        )


def earlier_sessions(usernames: list[str]) -> dict[str, str]:
    """Sessions of users who signed in before the burst, as `login()` leaves them (auth user id, backend,
    session hash): username → session key."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from chanye.accounts.models import User

    keys = {}
    for user in User.objects.filter(username__in=usernames):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        keys[user.username] = session.session_key
    return keys


def reset_month() -> None:
    """--keep: forget what an earlier run filed for the month (and its sessions); the filers' password hashed
    again by the hasher in force, so a sign-in costs what it costs today (no rehash on the way)."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.models import Session

    from chanye.accounts.models import User
    from chanye.projects.models import Filing

    Filing.objects.filter(period=PERIOD, project__code__startswith=PREFIX).delete()
    Session.objects.all().delete()
    User.objects.filter(username__startswith="filer").update(password=make_password(PASSWORD))


def prepared(users: int) -> bool:
    from chanye.accounts.models import User

    return User.objects.filter(username__startswith="filer").count() >= users + 1


# --- server and load -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(backend: str, port: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SQLITE_PATH")}
    env["GUNICORN_ACCESS_LOG"] = str(LOGS / f"burst-{backend}-access.log")
    log = open(LOGS / f"burst-{backend}-server.log", "w")  # noqa: SIM115 - lives as long as the server
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "config.wsgi", "--config", "config/gunicorn.py"]
        + ["--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit(f"gunicorn did not answer on port {port}; see {log.name}")


def locust(mode: str, *, port: int, plan: dict, users: int, seconds: float, backend: str) -> Path:
    """Run the locustfile headless in `mode`; the per-request CSV it wrote."""
    events = LOGS / f"burst-{backend}-{mode}.csv"
    plan_file = LOGS / f"burst-{backend}-plan.json"
    plan_file.write_text(json.dumps(plan), encoding="utf-8")
    env = os.environ | {"BURST_PLAN": str(plan_file), "BURST_EVENTS": str(events), "BURST_MODE": mode}
    command = [str(ROOT / ".venv/bin/locust"), "-f", "bench/burst_locustfile.py", "--headless"]
    command += ["--host", f"http://127.0.0.1:{port}", "-u", str(users), "-r", str(min(users, 1000))]
    command += ["-t", f"{int(seconds)}s", "--stop-timeout", "10", "--only-summary", "--loglevel", "WARNING"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(LOGS / f"burst-{backend}-{mode}-locust.log", "w") as log:
        subprocess.run(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    TOOL_CPU[mode] = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return events


TOOL_CPU: dict[str, float] = {}  # mode → CPU seconds locust used


class CpuSampler:
    """CPU seconds used by the server (gunicorn workers, and on PostgreSQL the bench database's backends)
    and by the whole machine, sampled twice a second: the cost per request whatever else runs beside."""

    TICK = os.sysconf("SC_CLK_TCK")

    def __init__(self, server_pid: int, database: str | None):
        self.server_pid, self.database = server_pid, database
        self.samples: list[tuple[float, float, float]] = []  # time, server CPU s, machine busy CPU s
        self._done = threading.Event()
        self._seen: dict[int, float] = {}  # pid → last CPU seen (exited processes keep their last value)
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _process_cpu(self, pid: int) -> float:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / self.TICK

    def _server(self) -> float:
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                parent = int(stat.rsplit(")", 1)[1].split()[1])
                mine = int(entry.name) == self.server_pid or parent == self.server_pid
                if not mine and self.database:
                    command = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
                    mine = command.startswith(b"postgres: ") and f" {self.database} ".encode() in command
                if mine:
                    self._seen[int(entry.name)] = self._process_cpu(int(entry.name))
            except (OSError, ValueError, IndexError):
                continue
        return sum(self._seen.values())

    @staticmethod
    def _machine() -> float:
        values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        return (sum(values) - values[3] - values[4]) / CpuSampler.TICK  # all but idle and iowait

    def _run(self) -> None:
        while not self._done.is_set():
            self.samples.append((time.time(), self._server(), self._machine()))
            self._done.wait(0.5)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._done.set()
        self._thread.join()

    def between(self, start: float, end: float) -> dict[str, float]:
        """Server and machine CPU seconds between two instants (nearest samples)."""
        inside = [s for s in self.samples if start <= s[0] <= end]
        if len(inside) < 2:
            return {"seconds": 0.0, "server": 0.0, "machine": 0.0}
        first, last = inside[0], inside[-1]
        return {"seconds": last[0] - first[0], "server": last[1] - first[1], "machine": last[2] - first[2]}


def cpu_per_request(sampler: CpuSampler, rows: list[dict], tool_seconds: float | None = None) -> dict:
    """Server CPU ms per request over the rows' window, the cores it and the machine kept busy."""
    if not rows:
        return {}
    start = min(r["started"] for r in rows)
    end = max(r["started"] + r["ms"] / 1000 for r in rows)
    used = sampler.between(start, end)
    if not used["seconds"]:
        return {}
    figures = {
        "server_ms": used["server"] * 1000 / len(rows),
        "server_cores": used["server"] / used["seconds"],
        "machine_cores": used["machine"] / used["seconds"],
    }
    if tool_seconds is not None:
        figures["tool_ms"] = tool_seconds * 1000 / len(rows)
    return figures


# --- figures -------------------------------------------------------------------------------------------


def read_events(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as source:
        return [
            {**row, "started": float(row["started"]), "ms": float(row["ms"]), "status": int(row["status"])}
            for row in csv.DictReader(source)
        ]


def quantiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    if not ordered:
        return {"n": 0, "p50": float("nan"), "p95": float("nan"), "p99": float("nan"), "max": float("nan")}

    def at(q: float) -> float:  # nearest rank
        return ordered[min(len(ordered) - 1, max(0, int(round(q * len(ordered))) - 1))]

    return {
        "n": len(ordered),
        "p50": statistics.median(ordered),
        "p95": at(0.95),
        "p99": at(0.99),
        "max": ordered[-1],
    }


def window(rows: list[dict]) -> dict[str, float]:
    """Requests/s over the whole window and over its slowest full 10-second stretch (ramp ends excluded)."""
    if not rows:
        return {"seconds": 0.0, "rps": 0.0, "rps_min10": 0.0, "rps_median10": 0.0}
    start = min(r["started"] for r in rows)
    end = max(r["started"] + r["ms"] / 1000 for r in rows)
    buckets: dict[int, int] = {}
    for row in rows:
        key = int((row["started"] - start) // 10)
        buckets[key] = buckets.get(key, 0) + 1
    full = [buckets.get(key, 0) / 10 for key in range(1, int((end - start) // 10) - 1)]
    return {
        "seconds": end - start,
        "rps": len(rows) / (end - start),
        "rps_min10": min(full) if full else len(rows) / (end - start),
        "rps_median10": statistics.median(full) if full else len(rows) / (end - start),
    }


def summary(rows: list[dict]) -> dict:
    failed = [r for r in rows if r["error"]]
    steps: dict[str, dict] = {}
    for name in dict.fromkeys(r["step"] for r in rows):
        mine = [r for r in rows if r["step"] == name]
        steps[name] = quantiles([r["ms"] for r in mine]) | {"errors": sum(1 for r in mine if r["error"])}
    return {
        "all": quantiles([r["ms"] for r in rows]) | {"errors": len(failed)},
        "window": window(rows),
        "steps": steps,
        "error_samples": sorted({f"{r['step']}: {r['error']}" for r in failed})[:10],
    }


def stored() -> dict[str, int]:
    from chanye.projects.models import Filing, FilingRevision, FilingStatus

    mine = Filing.objects.filter(period=PERIOD, project__code__startswith=PREFIX)
    revisions = FilingRevision.objects.filter(filing__in=mine)
    return {
        "filings": mine.count(),
        "submitted": mine.filter(status=FilingStatus.SUBMITTED).count(),
        "save_revisions": revisions.filter(action="save").count(),
        "submit_revisions": revisions.filter(action="submit").count(),
    }


def line(label: str, q: dict) -> str:
    return (
        f"  {label:<28} {q['n']:>6}  p50 {q['p50']:7.1f}  p95 {q['p95']:7.1f}  p99 {q['p99']:7.1f}  "
        f"max {q['max']:8.1f} ms" + (f"  errors {q['errors']}" if q.get("errors") else "")
    )


# --- diagnosis ------------------------------------------------------------------------------------------


def diagnose(users: int) -> dict:
    """Each burst step in-process (django.test.Client, the spare filer): wall ms and queries; a profile
    of the slowest step."""
    import cProfile
    import pstats

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from chanye.accounts.models import User
    from chanye.projects.models import Project

    user = User.objects.get(username=f"filer{users + 1:04d}")
    project = Project.objects.get(owner=user.enterprise_id, code__startswith=PREFIX)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    client.get("/healthz")  # imports and first connection, not measured
    month = f"{PERIOD:%Y-%m}"
    page = f"/projects/{project.code}/filings/{month}/"
    board = f"/projects/filings/?month={month}"
    prefill = {"investment": "", "cumulative": "", "narrative": "按计划推进", "blockers": ""}
    steps = [
        ("GET board", lambda: client.get(board)),
        ("GET filing (prefilled)", lambda: client.get(page)),
        ("POST save draft", lambda: client.post(page, prefill | {"save": ""})),
        ("GET filing (draft)", lambda: client.get(page)),
        ("POST submit", lambda: client.post(page, prefill | {"submit": ""})),
        ("GET filing (submitted)", lambda: client.get(page)),
    ]
    from chanye.projects import services

    values = services.filing_prefill(project=project, period=PERIOD)
    prefill.update(investment=str(values["investment"]), cumulative=str(values["cumulative"]))
    found = {}
    slowest = (0.0, "", None)
    for name, call in steps:
        profile = cProfile.Profile()
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            profile.enable()
            response = call()
            profile.disable()
            elapsed = (time.perf_counter() - started) * 1000
        found[name] = {"ms": round(elapsed, 1), "queries": len(queries), "status": response.status_code}
        say(f"  {name:<24} {response.status_code}  {elapsed:6.1f} ms  {len(queries):3d} queries")
        if elapsed > slowest[0]:
            slowest = (elapsed, name, profile)
    if slowest[2] is not None:
        text = io.StringIO()
        pstats.Stats(slowest[2], stream=text).sort_stats("cumulative").print_stats(18)
        say(f"  profile of {slowest[1]}:")
        say("\n".join("    " + row for row in text.getvalue().splitlines()[6:32]))
    return found


# --- one backend -----------------------------------------------------------------------------------------


def run(backend: str, args) -> dict:
    LOGS.mkdir(parents=True, exist_ok=True)
    started_with = benchlib.code_version()
    keep = args.keep and (backend != "postgresql" or benchlib.pg_database_exists())
    benchlib.configure(backend, name=NAME, fresh=not keep)
    say(f"deadline burst, {backend}: {benchlib.database_label()}")
    say(f"  code: {started_with}")
    say(f"  machine: {benchlib.machine()}")
    with benchlib.timer() as took:
        if keep and prepared(args.users):
            reset_month()
        else:
            if keep:  # set up for fewer users: start again
                benchlib.recreate(backend, NAME)
            set_up(args.users)
    say(f"  set-up: {args.users:,} filers with a project each, in {took[0]:.0f} s")
    if args.diagnose:
        say("  in-process, one filer (django.test.Client):")
        diagnosis = diagnose(args.users)
        reset_month()
    benchlib.checkpoint()
    from django.db import connections

    connections.close_all()
    port = free_port()
    server = start_server(backend, port)
    figures: dict = {
        "backend": backend,
        "code": started_with,
        "users": args.users,
        "signins": min(args.signins, args.users),
        "rate": args.rate,
        "think": args.think,
    }
    try:
        from chanye.accounts.models import User

        filers = list(
            User.objects.filter(username__startswith="filer")
            .order_by("username")
            .values_list("username", "enterprise__projects__code")[: args.users]
        )
        connections.close_all()
        signins = min(args.signins, len(filers))
        sessions = earlier_sessions([username for username, _code in filers[signins:]])
        connections.close_all()
        concurrency = max(1, round(args.rate * args.think))
        plan = {
            "users": filers,
            "signins": signins,
            "sessions": sessions,
            "password": PASSWORD,
            "period": f"{PERIOD:%Y-%m}",
            "rate": args.rate,
            "think": args.think,
            "steps": STEPS,
            "signin_concurrency": args.signin_concurrency,
        }
        import runpy

        layout = runpy.run_path(str(ROOT / "config/gunicorn.py"))  # what the server read, same environment
        say(
            f"  gunicorn on 127.0.0.1:{port} (config/gunicorn.py: {layout['workers']} workers × "
            f"{layout['threads']} threads); locust FastHttpUser, headless"
        )
        from django.conf import settings

        database = settings.DATABASES["default"]["NAME"] if backend == "postgresql" else None
        with CpuSampler(server.pid, database) as sampler:
            healthz_rows = read_events(
                locust("healthz", port=port, plan=plan, users=concurrency, seconds=20, backend=backend)
            )
            ceiling_rows = read_events(
                locust("ceiling", port=port, plan=plan, users=16, seconds=15, backend=backend)
            )
            deadline_started = time.time()
            events = read_events(
                locust("deadline", port=port, plan=plan, users=args.users, seconds=1800, backend=backend)
            )
            deadline_seconds = time.time() - deadline_started
    finally:
        server.terminate()
        server.wait(timeout=30)
    healthz = summary(healthz_rows) | {"cpu": cpu_per_request(sampler, healthz_rows, TOOL_CPU["healthz"])}
    ceiling = summary(ceiling_rows) | {"cpu": cpu_per_request(sampler, ceiling_rows, TOOL_CPU["ceiling"])}
    signin_rows = [r for r in events if r["phase"] == "signin"]
    burst_rows = [r for r in events if r["phase"] == "burst"]
    burst_share = len(burst_rows) / max(1, len(events))  # locust's CPU of the deadline run, by requests
    signin = summary(signin_rows) | {"cpu": cpu_per_request(sampler, signin_rows)}
    burst = summary(burst_rows) | {
        "cpu": cpu_per_request(sampler, burst_rows, TOOL_CPU["deadline"] * burst_share)
    }
    acknowledged = {
        step: sum(1 for r in events if r["step"] == step and r["status"] == 302 and not r["error"])
        for step in ("POST save draft", "POST submit")
    }
    counted = stored()
    figures |= {
        "healthz": healthz,
        "ceiling": ceiling,
        "signin": signin,
        "burst": burst,
        "deadline_seconds": deadline_seconds,
        "acknowledged": acknowledged,
        "stored": counted,
    }
    if args.diagnose:
        figures["diagnosis"] = diagnosis
    report(figures)
    benchlib.check_code(started_with)
    out = BUILD / "results" / f"burst-{backend}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=1, ensure_ascii=False), encoding="utf-8")
    return figures


def report(f: dict) -> None:
    hz, ceil, sign, burst = f["healthz"], f["ceiling"], f["signin"], f["burst"]
    say(f"\n  baseline /healthz at the burst's rate ({f['rate']:.0f}/s offered):")
    say(line("GET healthz", hz["all"]) + f"  ({hz['window']['rps']:.0f} req/s)")
    say(
        f"  ceiling /healthz, 16 users flat out: {ceil['window']['rps']:.0f} req/s, p99 {ceil['all']['p99']:.1f} ms"
    )
    say(
        f"\n  sign-in through the form, {f['signins']:,} of the {f['users']:,} users (the others signed in "
        f"earlier): {sign['window']['seconds']:.0f} s = {sign['window']['rps'] / 2:.1f} sign-ins/s"
    )
    for step, q in sign["steps"].items():
        say(line(step, q))
    w = burst["window"]
    say(f"\n  burst: {burst['all']['n']:,} requests in {w['seconds']:.0f} s")
    for step, q in burst["steps"].items():
        say(line(step, q))
    say(line("all burst requests", burst["all"]))
    ack, st = f["acknowledged"], f["stored"]
    say(
        f"  requests/s: {w['rps']:.1f} over the window, slowest 10 s {w['rps_min10']:.1f}, median 10 s "
        f"{w['rps_median10']:.1f}; ceiling ratio {benchlib.ratio(w['rps'], ceil['window']['rps'])}"
    )
    say(
        f"  p50 / p99 against /healthz at the same rate: {burst['all']['p50']:.1f} / {burst['all']['p99']:.1f} ms "
        f"vs {hz['all']['p50']:.1f} / {hz['all']['p99']:.1f} → "
        f"{benchlib.ratio(burst['all']['p50'], hz['all']['p50'])} / {benchlib.ratio(burst['all']['p99'], hz['all']['p99'])}"
    )
    cores = os.cpu_count() or 2
    for label, part in (("/healthz (baseline)", hz), ("sign-in", sign), ("burst", burst)):
        cpu = part.get("cpu") or {}
        if cpu:
            say(
                f"  CPU, {label}: server {cpu['server_ms']:.1f} ms a request"
                + (f", locust {cpu['tool_ms']:.1f} ms" if "tool_ms" in cpu else "")
                + f"; the server kept {cpu['server_cores']:.2f} cores busy, the whole machine "
                f"{cpu['machine_cores']:.2f} of {cores}"
            )
    cpu = burst.get("cpu") or {}
    if cpu.get("server_ms") and hz.get("cpu", {}).get("server_ms"):
        capacity = cores * 1000 / (cpu["server_ms"] + cpu.get("tool_ms", 0))
        say(
            f"  burst server CPU a request / /healthz's: {cpu['server_ms'] / hz['cpu']['server_ms']:.1f}; "
            f"with the {cores} cores to itself and locust, the burst would run at ≈ {capacity:.0f} req/s"
        )
        f["capacity_rps"] = capacity
    errors = sign["all"]["errors"] + burst["all"]["errors"] + hz["all"]["errors"]
    say(
        f"  acknowledged: {ack['POST save draft']} drafts, {ack['POST submit']} submits; stored: "
        f"{st['filings']} filings, {st['submitted']} submitted ({st['save_revisions']} save and "
        f"{st['submit_revisions']} submit revisions)"
    )
    lost = ack["POST submit"] - st["submitted"]
    say(
        f"  acknowledged but not stored: {max(0, lost)}; stored but not acknowledged (the client gave up "
        f"waiting): {max(0, -lost)}"
    )
    for sample in sign["error_samples"] + burst["error_samples"]:
        say(f"  error: {sample}")
    per_second = sign["window"]["rps"] / 2 or float("nan")
    total = f["users"] / per_second + burst["window"]["seconds"]  # every user signing in during the window
    checks = [
        (
            f"≥ {TARGET_RPS:.0f} req/s sustained (slowest 10 s)",
            w["rps_min10"] >= TARGET_RPS,
            f"{w['rps_min10']:.1f}",
        ),
        (
            f"p99 ≤ {TARGET_P99_MS:.0f} ms",
            burst["all"]["p99"] <= TARGET_P99_MS,
            f"{burst['all']['p99']:.1f} ms",
        ),
        ("0 errors", errors == 0, str(errors)),
        (
            "stored = acknowledged",
            st["submitted"] == ack["POST submit"] == st["submit_revisions"]
            and st["filings"] == ack["POST save draft"] == st["save_revisions"],
            f"{st['submitted']} = {ack['POST submit']}",
        ),
        (
            f"all {f['users']:,} sign in and file within 10 minutes (sign-ins at the measured rate + burst)",
            total <= 600,
            f"{total:.0f} s",
        ),
    ]
    say("\n  target:")
    for label, ok, value in checks:
        say(f"    {'✓' if ok else '✗'} {label}: {value}")


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.backend == "both":
        forwarded = [a for a in (argv if argv is not None else sys.argv[1:]) if not a.startswith("--backend")]
        forwarded = [a for a in forwarded if a not in ("both", "sqlite", "postgresql")]
        for backend in ("sqlite", "postgresql"):
            subprocess.run([sys.executable, __file__, "--backend", backend, *forwarded], check=False)
        return
    run(args.backend, args)


if __name__ == "__main__":
    main()
