"""Lifecycle refusals worded for people, in their language."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from liuyan.core.lifecycle import LifecycleError, PermissionRefused, StaleStep

from .models import ACTION_LABELS, ROLE_LABELS, STATE_LABELS


def describe_refusal(error: LifecycleError | ValidationError) -> str:
    """One sentence saying why a step was refused, for a page or an API response."""
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    unchanged = _("Nothing was changed.")
    if isinstance(error, StaleStep):
        stale = _("This was already done, or someone acted on the message meanwhile.")
        return f"{stale} {unchanged}"
    if error.action is None:
        return f"{error.message} {unchanged}"
    action = ACTION_LABELS[error.action]
    if isinstance(error, PermissionRefused):
        who = "、".join(str(ROLE_LABELS[role]) for role in sorted(error.allowed_roles))
        return _("Only %(who)s may do this (%(action)s).") % {"who": who, "action": action}
    state = STATE_LABELS.get(error.state, error.state) if error.state else ""
    refused = _("This cannot be done now (%(action)s): the message is %(state)s.") % {
        "action": action,
        "state": state,
    }
    return f"{refused} {unchanged}"
