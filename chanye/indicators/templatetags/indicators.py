from decimal import Decimal

from django import template

from chanye.indicators import periods

register = template.Library()


@register.filter
def figure(value):
    """A figure with thousands separators and at most two decimals (6,551.3; 1,280.55; 356); — for none."""
    if value is None or value == "":
        return "—"
    number = Decimal(value).quantize(Decimal("0.01"))
    text = f"{number:,.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@register.filter
def period_label(value, frequency):
    """The period starting on `value` written as 2025-03, 2025Q1 or 2025."""
    if not value:
        return "—"
    return periods.label(value, frequency)
