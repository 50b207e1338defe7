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
