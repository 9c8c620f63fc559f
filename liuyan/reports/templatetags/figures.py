from django import template

register = template.Library()


@register.filter
def figure(value, unit: str = "") -> str:
    """A figure as shown: a dash for "nothing to divide by", a % sign for rates."""
    if value is None:
        return "—"
    if isinstance(value, float):
        value = f"{value:g}"
    return f"{value}{unit}"
