"""Background work of casework, run by `manage.py db_worker`: the daily escalation of overdue cases."""

from django.tasks import task


@task()
def cases_escalate() -> int:
    """Escalate overdue cases (idempotent: safe to run as often as wanted). Returns how many moved up."""
    from chanye.casework.services import cases_escalate_overdue

    return len(cases_escalate_overdue())
