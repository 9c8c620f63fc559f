"""Lifecycle refusals worded for people, in their language."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from liuyan.core.lifecycle import LifecycleError, PermissionRefused, StaleStep

from .models import ACTION_LABELS, ROLE_LABELS, STATE_LABELS


def describe_refusal(error: LifecycleError | ValidationError) -> str:
    """One sentence saying why a step was refused, for a page or an API response."""
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    if isinstance(error, StaleStep):
        return _unchanged(_("This was already done, or someone acted on the message meanwhile."))
    if error.action is None:
        return _unchanged(error.message)
    action = ACTION_LABELS[error.action]
    if isinstance(error, PermissionRefused):
        who = "、".join(str(ROLE_LABELS[role]) for role in sorted(error.allowed_roles))
        return _("Only %(who)s may do this (%(action)s).") % {"who": who, "action": action}
    state = STATE_LABELS.get(error.state, error.state) if error.state else ""
    refused = _("This cannot be done now (%(action)s): the message is %(state)s.") % {
        "action": action,
        "state": state,
    }
    return _unchanged(refused)


def _unchanged(refusal: str) -> str:
    """A refused step changes nothing; say so, so that a repeated click is not a mystery."""
    return _("%(refusal)s Nothing was changed.") % {"refusal": refusal}
