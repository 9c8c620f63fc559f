"""What each desk action is called in the audit trail (accounts.audit_words), by view name."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "desk:screen": _("Screened message {object}"),
    "desk:reject": _("Rejected message {object} ({reason})"),
    "desk:duplicate": _("Marked message {object} as a duplicate"),
    "desk:dispatch": _("Dispatched message {object} to {units}"),
    "desk:reopen": _("Reopened message {object} for {units}"),
    "desk:close": _("Closed message {object}"),
    "desk:supervise": _("Ordered {level} on message {object}"),
    "desk:decide_extension": _("Decided the extension request for message {object}"),
    "desk:approve_reply": _("Approved and published the reply to message {object}"),
    "desk:return_reply": _("Sent back the reply to message {object}"),
    "desk:bulk_accept": _("Accepted several messages at once"),
    "desk:accept": _("Accepted message {object}"),
    "desk:return_assignment": _("Returned message {object} to the platform"),
    "desk:transfer": _("Transferred message {object} to {units}"),
    "desk:invite": _("Asked {units} to co-handle message {object}"),
    "desk:request_extension": _("Asked for more time on message {object}"),
    "desk:write_reply": _("Wrote the reply to message {object}"),
    "desk:contribute": _("Sent the unit's part for message {object}"),
    "desk:upload_attachment": _("Attached a file to the reply to message {object}"),
    "desk:sign_off": _("Signed off the reply to message {object}"),
    "desk:refuse_signoff": _("Refused to sign off the reply to message {object}"),
    "desk:remove_attachment": _("Removed an attachment"),
    "desk:create_template": _("Created a reply template"),
    "desk:edit_template": _("Edited a reply template"),
    "desk:delete_template": _("Deleted a reply template"),
    "desk:instruct": _("Wrote an instruction on message {object}"),
    "desk:leader_supervise": _("Ordered {level} on message {object}"),
    "desk:operator_new": _("Entered a hotline message"),
}
