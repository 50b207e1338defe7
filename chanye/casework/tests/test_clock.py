"""The SLA clock and the escalation ladder, table-driven and property-based (no database)."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chanye.casework.clock import LEVELS, escalation_level, sla_clock

DEADLINE = date(2025, 6, 30)


@pytest.mark.parametrize(
    ("today", "closed_on", "state", "days_left", "days_overdue"),
    [
        (date(2025, 6, 1), None, "running", 29, 0),
        (date(2025, 6, 27), None, "due_soon", 3, 0),
        (date(2025, 6, 30), None, "due_soon", 0, 0),  # due today is not yet overdue
        (date(2025, 7, 1), None, "overdue", 0, 1),
        (date(2025, 8, 1), None, "overdue", 0, 32),
        (date(2025, 9, 1), date(2025, 6, 30), "on_time", 0, 0),  # a closed clock stops
        (date(2025, 9, 1), date(2025, 7, 3), "late", 0, 3),
    ],
)
def test_the_clock_counts_to_the_deadline_and_stops_when_closed(
    today, closed_on, state, days_left, days_overdue
):
    clock = sla_clock(deadline=DEADLINE, today=today, closed_on=closed_on)
    assert (clock.state, clock.days_left, clock.days_overdue) == (state, days_left, days_overdue)


@pytest.mark.parametrize(
    ("days_overdue", "level"), [(-5, 0), (0, 0), (1, 1), (14, 1), (15, 2), (29, 2), (30, 3), (400, 3)]
)
def test_escalation_levels(days_overdue, level):
    assert escalation_level(days_overdue) == level


@given(st.integers(-1000, 1000), st.integers(0, 1000))
def test_levels_never_go_down_as_time_passes(days, more):
    assert escalation_level(days + more) >= escalation_level(days)
    assert 0 <= escalation_level(days) <= LEVELS[-1][0]


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)), st.integers(-400, 400))
def test_left_and_overdue_are_two_sides_of_one_count(deadline, offset):
    today = deadline + timedelta(days=offset)
    clock = sla_clock(deadline=deadline, today=today)
    assert clock.days_left - clock.days_overdue == -offset
    assert min(clock.days_left, clock.days_overdue) == 0
