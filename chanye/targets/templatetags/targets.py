from django import template

register = template.Library()


@register.filter
def percent(value, places: int = 0):
    """0.432 → 43%; — for none."""
    if value is None:
        return "—"
    return f"{float(value) * 100:.{int(places)}f}%"


@register.filter
def growth(value, kind: str):
    """Per-year growth as the outlook reads it: a rate for amounts, points for shares; — for none."""
    if value is None:
        return "—"
    if kind == "share":
        return f"{float(value):+.2f} 个百分点"
    if kind == "rate":
        return f"{float(value):.1f}%"
    return f"{float(value) * 100:.1f}%"


@register.filter
def number(value):
    """6614.7 → 6,614.7; 5.6 → 5.6; — for none."""
    if value is None:
        return "—"
    value = float(value)
    if abs(value) >= 1000:
        return f"{value:,.0f}" if abs(value) >= 100000 else f"{value:,.1f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")
