from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def rate_percent(value):
    """0.5862 → 58.62%; — for none."""
    if value is None or value == "":
        return "—"
    text = f"{Decimal(value) * 100:.2f}".rstrip("0").rstrip(".")
    return f"{text}%"


@register.filter
def basis_class(value):
    """The badge colour of a figure's basis: official green, estimated amber."""
    return {"official": "success", "estimated": "warning", "reported": "info"}.get(value, "secondary")


@register.filter
def basis_label(value):
    return {"official": "官方统计", "estimated": "推算", "reported": "企业报送"}.get(value, value)
