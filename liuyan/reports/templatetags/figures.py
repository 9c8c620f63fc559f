from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

register = template.Library()


@register.filter
def figure(value, unit: str = "") -> str:
    """A figure as shown: a dash for "nothing to divide by", a % sign for rates."""
    if value is None:
        return "—"
    if isinstance(value, float):
        value = f"{value:g}"
    return f"{value}{unit}"


def _linked(text: object, href: str, title: str = "") -> str:
    shown = conditional_escape(str(text))
    if not href:
        return shown
    titled = f' title="{title}"' if title else ""
    return f'<a href="{conditional_escape(href)}"{titled}>{shown}</a>'


@register.filter
def figure_cell(cell) -> SafeString:
    """One figure with the link to its messages; a rate is followed by its two counts, each
    linking to its messages. Built here rather than by an included template: a statistics
    page has hundreds of cells, and an include per cell was most of the page's rendering."""
    html = _linked(figure(cell.value, cell.unit), cell.link)
    if cell.whole:
        counted = conditional_escape(gettext("The messages counted"))
        base = conditional_escape(gettext("The messages the rate is a share of"))
        html += (
            f' <span class="figure-parts">({_linked(cell.part, cell.link, counted)}'
            f"/{_linked(cell.whole, cell.whole_link, base)})</span>"
        )
    return mark_safe(html)  # noqa: S308  # every piece above is escaped
