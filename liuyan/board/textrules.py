"""Rules for the text people write: lengths, whitespace, and personal data kept out of public."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from liuyan.insight.masking import CITIZEN, STAFF, mask_public

TITLE_MIN, TITLE_MAX = 5, 50
BODY_MIN, BODY_MAX = 20, 3000


def _clean(text: str) -> str:
    return "\n".join(line.rstrip() for line in (text or "").strip().splitlines())


def validate_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        raise ValidationError(
            {
                "title": _("The title needs %(min)d to %(max)d characters; it has %(n)d.")
                % {"min": TITLE_MIN, "max": TITLE_MAX, "n": len(title)}
            }
        )
    return title


def validate_body(body: str, *, minimum: int = BODY_MIN) -> str:
    body = _clean(body)
    if not minimum <= len(body) <= BODY_MAX:
        raise ValidationError(
            {
                "body": _("The text needs %(min)d to %(max)d characters; it has %(n)d.")
                % {"min": minimum, "max": BODY_MAX, "n": len(body)}
            }
        )
    return body


def mask_personal_data(text: str, author: str = CITIZEN) -> str:
    """The public version of `text`: phone, ID, bank card, passport and social-security
    numbers, e-mail, plates and the detail of a home address masked by their shape."""
    return mask_public(text, author=author)


def mask_staff_text(text: str) -> str:
    """The public version of what staff wrote (a reply, an instruction): the unit's own
    hotline and official numbers stay, the citizen's personal data is masked."""
    return mask_public(text, author=STAFF)
