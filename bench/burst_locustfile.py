"""The locust side of `project_burst.py`: enterprise users at the monthly filing deadline.

Run by project_burst.py (`locust -f bench/burst_locustfile.py --headless …`), never on its own. The plan is a
JSON file named by BURST_PLAN; every request is appended to BURST_EVENTS as one CSV line
(phase, step, started, milliseconds, status, error), so the parent computes its figures from the raw
requests, not from locust's rounded summary.

Modes (BURST_MODE):
- `healthz`: the baseline — /healthz offered at the same rate, over as many connections, as the burst.
- `ceiling`: /healthz flat out from a few users: what this tool and server can do at all.
- `deadline`: each user signs in once through the form (GET + POST /accounts/login/), paced at the
  sign-in rate; when everyone has signed in, the burst: user i starts at i ÷ (rate ÷ steps) seconds and
  reads the filing board, opens the prefilled form, saves a draft, submits, and reads the board again.
"""

from __future__ import annotations

import csv
import json
import os
import random
import re
import time
from http.cookiejar import Cookie

import gevent
from gevent.lock import Semaphore
from locust import FastHttpUser, constant_pacing, events, task
from locust.exception import StopUser

PLAN = json.loads(open(os.environ["BURST_PLAN"], encoding="utf-8").read())  # noqa: SIM115
MODE = os.environ.get("BURST_MODE", "deadline")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _field(html: str, name: str) -> str:
    """The value a browser would send for an <input name=…> (or the text of a <textarea name=…>)."""
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    if tag:
        value = re.search(r'value="([^"]*)"', tag.group(0))
        return value.group(1) if value else ""
    area = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', html, re.S)
    return area.group(1).strip() if area else ""


_out = open(os.environ["BURST_EVENTS"], "w", newline="", encoding="utf-8")  # noqa: SIM115
_writer = csv.writer(_out)
_writer.writerow(["phase", "step", "started", "ms", "status", "error"])


@events.request.add_listener
def _record(request_type, name, response_time, response_length, response, exception, start_time=None, **kw):
    phase, _, step = name.partition(":")
    status = getattr(response, "status_code", 0) or 0
    error = "" if exception is None else str(exception).replace("\n", " ")[:200]
    _writer.writerow([phase, step, f"{start_time or time.time():.4f}", f"{response_time:.2f}", status, error])


@events.quitting.add_listener
def _close(environment, **kw):
    _out.flush()
    _out.close()


class Shared:
    """State of the whole run (one locust process, gevent): user numbering and the phase barrier."""

    next_index = 0
    signed_in = 0
    finished = 0
    burst_at: float | None = None
    signin_gate = Semaphore(int(PLAN["signin_concurrency"]))


def _cookie(name: str, value: str) -> Cookie:
    return Cookie(
        0, name, value, None, False, "127.0.0.1", False, False, "/", True, False, None, False, None, None, {}
    )


def _check(response, *, status: int, contains: str | None = None, location_not: str | None = None) -> None:
    if response.status_code != status:
        response.failure(f"HTTP {response.status_code}, expected {status}")
    elif contains is not None and contains not in response.text:
        response.failure(f"{contains!r} missing from the page")
    elif location_not is not None and location_not in (response.headers.get("Location") or ""):
        response.failure(f"redirected to {response.headers.get('Location')}")
    else:
        response.success()


class Filer(FastHttpUser):
    """One enterprise user: signs in once, then files this month's report for their project."""

    wait_time = constant_pacing(0)  # the schedule below sets the pace
    network_timeout = 60.0
    connection_timeout = 60.0

    def on_start(self) -> None:
        if MODE == "healthz":  # spread the users' first requests over one think time
            gevent.sleep(random.uniform(0, float(PLAN["think"])))
        if MODE != "deadline":
            return
        self.index = Shared.next_index
        Shared.next_index += 1
        self.username, self.code = PLAN["users"][self.index]

    def _think(self) -> None:
        """A user's pause between two steps: the planned think time ± 50 %, so users do not march in step."""
        gevent.sleep(float(PLAN["think"]) * random.uniform(0.5, 1.5))

    def _sleep_until(self, at: float) -> None:
        delay = at - time.time()
        if delay > 0:
            gevent.sleep(delay)

    def _sign_in(self) -> None:
        try:
            if self.index < int(PLAN["signins"]):
                self._sign_in_once()
            else:  # signed in earlier that day: the session cookie the login gave them
                self.client.cookiejar.set_cookie(_cookie("sessionid", PLAN["sessions"][self.username]))
        finally:  # the burst waits for every user, signed in or not
            Shared.signed_in += 1
            if Shared.signed_in == len(PLAN["users"]):
                Shared.burst_at = time.time() + 2.0

    def _sign_in_once(self) -> None:
        with Shared.signin_gate:
            with self.client.get("/accounts/login/", name="signin:GET login", catch_response=True) as page:
                _check(page, status=200, contains="csrfmiddlewaretoken")
                token = CSRF.search(page.text)
            with self.client.post(
                "/accounts/login/",
                data={
                    "csrfmiddlewaretoken": token.group(1) if token else "",
                    "username": self.username,
                    "password": PLAN["password"],
                    "next": "",
                },
                name="signin:POST login",
                allow_redirects=False,
                catch_response=True,
            ) as answer:
                _check(answer, status=302, location_not="/accounts/")

    def _file(self) -> None:
        month = PLAN["period"]
        board = f"/projects/filings/?month={month}"
        page_url = f"/projects/{self.code}/filings/{month}/"
        with self.client.get(board, name="burst:GET board", catch_response=True) as r:
            _check(r, status=200, contains=self.code)
        self._think()
        with self.client.get(page_url, name="burst:GET filing (prefilled)", catch_response=True) as r:
            _check(r, status=200, contains='data-testid="prefilled"')
            html = r.text
        form = {
            "csrfmiddlewaretoken": (CSRF.search(html) or [None, ""])[1],
            "investment": _field(html, "investment"),
            "cumulative": _field(html, "cumulative"),
            "narrative": "按计划推进，本月完成主体结构施工",
            "blockers": _field(html, "blockers"),
            "version": _field(html, "version"),
            "save": "",
        }
        self._think()
        with self.client.post(
            page_url, data=form, name="burst:POST save draft", allow_redirects=False, catch_response=True
        ) as r:
            _check(r, status=302)
        with self.client.get(page_url, name="burst:GET filing (draft)", catch_response=True) as r:
            _check(r, status=200, contains="草稿 · 截止")
            html = r.text
        form = {
            "csrfmiddlewaretoken": (CSRF.search(html) or [None, ""])[1],
            "investment": _field(html, "investment"),
            "cumulative": _field(html, "cumulative"),
            "narrative": _field(html, "narrative"),
            "blockers": _field(html, "blockers"),
            "version": _field(html, "version"),
            "submit": "",
        }
        self._think()
        with self.client.post(
            page_url, data=form, name="burst:POST submit", allow_redirects=False, catch_response=True
        ) as r:
            _check(r, status=302)
        with self.client.get(page_url, name="burst:GET filing (submitted)", catch_response=True) as r:
            _check(r, status=200, contains="已报送 · 截止")
        self._think()
        with self.client.get(board, name="burst:GET board", catch_response=True) as r:
            _check(r, status=200, contains=self.code)

    @task
    def act(self) -> None:
        if MODE == "healthz":
            self.client.get("/healthz", name="baseline:GET healthz")
            self._think()
            return
        if MODE == "ceiling":
            self.client.get("/healthz", name="ceiling:GET healthz")
            return
        phase = "signin"
        try:
            self._sign_in()
            while Shared.burst_at is None:
                gevent.sleep(0.2)
            # Users arrive one after another at the burst's pace: `steps` requests each, `rate` requests/s.
            self._sleep_until(Shared.burst_at + self.index / (float(PLAN["rate"]) / PLAN["steps"]))
            phase = "burst"
            self._file()
        except Exception as error:  # noqa: BLE001 - counted as an error of the run, never hidden
            _writer.writerow([phase, "exception", f"{time.time():.4f}", "0", 0, repr(error)[:200]])
        Shared.finished += 1
        if Shared.finished == len(PLAN["users"]):
            self.environment.runner.quit()
        raise StopUser()
