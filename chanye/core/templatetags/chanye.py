from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """`{{ mapping|get_item:key }}` for dict lookups by a variable key."""
    if not isinstance(mapping, dict):
        return None
    return mapping.get(key)


@register.filter
def can(user, permission):
    """`{% if user|can:"system.manage" %}`: whether the user's role grants a permission."""
    return bool(getattr(user, "is_authenticated", False) and user.can(permission))


@register.filter
def yi(value):
    """An amount in 万元 shown in 亿元 with two decimals; — for none."""
    if value is None or value == "":
        return "—"
    return f"{Decimal(value) / 10000:,.2f}"


@register.filter
def add_class(field, css: str):
    """A bound form field rendered with these CSS classes."""
    return field.as_widget(attrs={"class": css})
