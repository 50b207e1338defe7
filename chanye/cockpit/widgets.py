"""The overview's widgets (each its own endpoint, loaded on its own by the page) and the time budget each
endpoint works within, so one slow widget answers "稍后重试" instead of holding the others' requests."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction

from chanye.cockpit import selectors

FAILED = "数据加载超时/失败，稍后重试"
DEFAULT_BUDGET = 8.0  # seconds; settings.COCKPIT_WIDGET_SECONDS overrides


@dataclass(frozen=True)
class Widget:
    name: str
    title: str
    read: Callable[..., dict]
    width: int = 4  # of the overview's 12 columns

    @property
    def template(self) -> str:
        return f"cockpit/_widget_{self.name}.html"


WIDGETS: dict[str, Widget] = {
    widget.name: widget
    for widget in (
        Widget("gdp", "地区生产总值与增速", selectors.gdp, 4),
        Widget("fai", "固定资产投资：累计完成与目标", selectors.fai, 8),
        Widget("structure", "产业体系结构（按规模）", selectors.structure, 7),
        Widget("gauges", "三项占 GDP 比重", selectors.share_gauges, 5),
        Widget("paths", "产业集群 2035 路径", selectors.cluster_paths, 12),
        Widget("lights", "重点项目红黄绿灯", selectors.project_light_counts, 4),
        Widget("alerts", "预警提醒", selectors.alerts, 8),
    )
}


class BudgetExceeded(Exception):
    """The widget used up its time budget before its next query."""


def warm() -> None:
    """Import the forecasting library before a widget's clock starts: its first import takes seconds, once
    per process, and says nothing about the widget's own speed."""
    import statsmodels.tsa.arima.model  # noqa: F401


def budget_seconds() -> float:
    return float(getattr(settings, "COCKPIT_WIDGET_SECONDS", DEFAULT_BUDGET))


@contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    """Run the block within `seconds`: no query starts after the deadline (BudgetExceeded), and a query running
    past it is cancelled by the database — PostgreSQL's statement timeout (in a read transaction, so it ends
    with the block), SQLite's progress handler — which raises a DatabaseError."""
    deadline = time.monotonic() + seconds

    def guard(execute, sql, params, many, context):
        if time.monotonic() > deadline:
            raise BudgetExceeded
        return execute(sql, params, many, context)

    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                # set_config(…, true) is SET LOCAL with a parameter the server can bind
                cursor.execute(
                    "SELECT set_config('statement_timeout', %s, true)", [str(max(1, int(seconds * 1000)))]
                )
            with connection.execute_wrapper(guard):
                yield
            with connection.cursor() as cursor:  # an enclosing transaction (tests) keeps its own limit
                cursor.execute("SET LOCAL statement_timeout TO DEFAULT")
        return
    raw = None
    # A connection shared between threads (the test server's in-memory database) is left alone.
    if connection.vendor == "sqlite" and not connection.allow_thread_sharing:
        connection.ensure_connection()
        raw = connection.connection
        raw.set_progress_handler(lambda: int(time.monotonic() > deadline), 20_000)
    try:
        with connection.execute_wrapper(guard):
            yield
    finally:
        if raw is not None:
            raw.set_progress_handler(None, 0)
