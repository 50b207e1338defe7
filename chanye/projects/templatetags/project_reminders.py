"""A filer's own reminders on the filing board (when each project was last reminded comes with the board's rows)."""

from django import template

from chanye.projects import reminders

register = template.Library()


@register.simple_tag
def reminder_inbox(user):
    """`{% reminder_inbox user as inbox %}`: an enterprise user's latest reminders, each with whether the
    month has been filed since; nothing for anyone else."""
    if not getattr(user, "is_authenticated", False) or user.role != "enterprise_user":
        return []
    return reminders.inbox(user=user)
