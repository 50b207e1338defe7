"""The SLA clock and the escalation ladder of a case, as plain date arithmetic (no Django)."""

from dataclasses import dataclass
from datetime import date

DUE_SOON_DAYS = 3
# (level, days past the deadline from which it applies): 1 the day after the deadline, then after two
# weeks and after a month. Each level is escalated to the responsible district leader once.
LEVELS: tuple[tuple[int, int], ...] = ((1, 1), (2, 15), (3, 30))


@dataclass(frozen=True)
class Clock:
    """Where a case stands against its deadline. `days` counts to the deadline from today (open cases)
    or from the closing day (closed ones): negative means past it."""

    deadline: date
    days: int
    closed: bool

    @property
    def state(self) -> str:
        if self.closed:
            return "on_time" if self.days >= 0 else "late"
        if self.days < 0:
            return "overdue"
        return "due_soon" if self.days <= DUE_SOON_DAYS else "running"

    @property
    def days_left(self) -> int:
        return max(self.days, 0)

    @property
    def days_overdue(self) -> int:
        return max(-self.days, 0)


def sla_clock(*, deadline: date, today: date, closed_on: date | None = None) -> Clock:
    """The clock of a case due on `deadline`, seen on `today` (or as it stopped on `closed_on`)."""
    end = closed_on if closed_on is not None else today
    return Clock(deadline, (deadline - end).days, closed_on is not None)


def escalation_level(days_overdue: int) -> int:
    """The highest escalation level reached after `days_overdue` days past the deadline (0: none)."""
    reached = 0
    for level, threshold in LEVELS:
        if days_overdue >= threshold:
            reached = level
    return reached
