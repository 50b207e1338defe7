"""Reminders on the filing board: when each late project was last reminded, and a filer's own reminders."""

from django import template

from chanye.projects import reminders

register = template.Library()


@register.simple_tag
def last_reminded(period, rows):
    """`{% last_reminded period rows as reminded %}`: {project id: the latest reminder's time} in one query."""
    return reminders.last_reminded(period=period, project_ids=[row.project.pk for row in rows])


@register.simple_tag
def reminder_inbox(user):
    """`{% reminder_inbox user as inbox %}`: an enterprise user's latest reminders, each with whether the
    month has been filed since; nothing for anyone else."""
    if not getattr(user, "is_authenticated", False) or user.role != "enterprise_user":
        return []
    return reminders.inbox(user=user)
