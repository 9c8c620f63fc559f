"""Plain-word filters for portal templates."""

from django import template

from liuyan.board.textrules import mask_personal_data, mask_staff_text
from liuyan.portal import wording

register = template.Library()


@register.filter
def status_words(message) -> str:
    return wording.status_words(message)


@register.filter
def type_words(message) -> str:
    return wording.type_words(message)


@register.filter
def event_words(event) -> str:
    return wording.event_words(event)


@register.filter
def percent(value) -> str:
    return "—" if value is None else f"{value:g}%"


@register.filter
def masked(text) -> str:
    """A citizen's public text with no masked copy of its own (the place), masked as the
    message's public title and body are."""
    return mask_personal_data(text or "")


@register.filter
def masked_staff(text) -> str:
    """What staff wrote (a reply, an instruction): official numbers kept, the citizen's
    personal data masked."""
    return mask_staff_text(text or "")
