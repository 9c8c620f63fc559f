"""The Django admin as a fallback back office.

States, deadlines and timelines are read-only here: they change only through the lifecycle
service, which the admin actions below call like any other page would.
"""

from typing import cast

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from liuyan.core.lifecycle import LifecycleError

from . import services
from .models import (
    Assignment,
    Contribution,
    Evaluation,
    Event,
    ExtensionRequest,
    FollowUp,
    Instruction,
    Message,
    MessageContact,
    Reply,
    Supervision,
    Thanks,
)

LIFECYCLE_FIELDS = (
    "state",
    "round",
    "duplicate_of",
    "reject_reason",
    "reject_note",
    "submitted_at",
    "screen_by",
    "screened_at",
    "dispatched_at",
    "replied_at",
    "rate_by",
    "closed_at",
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class EventInline(ReadOnlyInline):
    model = Event
    fields = ("seq", "at", "action", "from_state", "to_state", "actor", "actor_role", "unit")
    ordering = ("seq",)


class AssignmentInline(ReadOnlyInline):
    model = Assignment
    fields = ("unit", "kind", "round", "state", "accept_by", "reply_by", "parent")


class ReplyInline(ReadOnlyInline):
    model = Reply
    fields = ("unit", "round", "state", "submitted_at", "published_at")


class ContactInline(admin.StackedInline):
    model = MessageContact
    extra = 0
    can_delete = False


def _run_service(modeladmin, request, queryset, call, done_message):
    done = 0
    for message in queryset:
        try:
            call(message)
            done += 1
        except (LifecycleError, ValidationError) as refused:
            # A LifecycleError always has a message; only a ValidationError may lack one.
            text = getattr(refused, "message", None) or "; ".join(
                cast(ValidationError, refused).messages
            )
            modeladmin.message_user(request, f"{message.serial}: {text}", messages.WARNING)
    if done:
        modeladmin.message_user(request, done_message % {"n": done}, messages.SUCCESS)


@admin.action(description=_("Close the selected messages (replied or under look-back)"))
def close_messages(modeladmin, request, queryset):
    _run_service(
        modeladmin,
        request,
        queryset,
        lambda m: services.close_message(message_id=m.pk, actor=request.user, note="admin"),
        _("%(n)d messages closed."),
    )


@admin.action(description=_("Approve screening of the selected messages"))
def screen_messages(modeladmin, request, queryset):
    _run_service(
        modeladmin,
        request,
        queryset,
        lambda m: services.screen_message(message_id=m.pk, actor=request.user),
        _("%(n)d messages screened."),
    )


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("serial", "public_title", "board", "type", "state", "is_public", "submitted_at")
    list_filter = ("state", "type", "channel", "is_public", "is_urgent")
    search_fields = ("serial", "title", "public_title")
    date_hierarchy = "submitted_at"
    autocomplete_fields = ("board", "region", "domain")
    raw_id_fields = ("author", "entered_by")
    readonly_fields = LIFECYCLE_FIELDS
    inlines = (ContactInline, AssignmentInline, ReplyInline, EventInline)
    actions = (screen_messages, close_messages)
    show_full_result_count = False  # no COUNT over ten million rows on every page
    list_select_related = ("board",)

    def has_add_permission(self, request):
        return False  # messages are written through the portal, the hotline or imports


class LifecycleReadOnlyAdmin(admin.ModelAdmin):
    """Rows whose every field is part of the lifecycle: for reading only."""

    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Event)
class EventAdmin(LifecycleReadOnlyAdmin):
    list_display = ("message", "seq", "at", "action", "from_state", "to_state", "actor_role")
    list_filter = ("action", "actor_role")
    search_fields = ("message__serial",)
    list_select_related = ("message",)


@admin.register(Assignment)
class AssignmentAdmin(LifecycleReadOnlyAdmin):
    list_display = ("message", "unit", "kind", "round", "state", "accept_by", "reply_by")
    list_filter = ("state", "kind")
    search_fields = ("message__serial", "unit__name")
    list_select_related = ("message", "unit")


@admin.register(Reply)
class ReplyAdmin(LifecycleReadOnlyAdmin):
    list_display = ("message", "unit", "round", "state", "submitted_at", "published_at")
    list_filter = ("state",)
    search_fields = ("message__serial", "body")
    list_select_related = ("message", "unit")


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(LifecycleReadOnlyAdmin):
    list_display = ("assignment", "days", "status", "created_at", "decided_at")
    list_filter = ("status",)


@admin.register(Supervision)
class SupervisionAdmin(LifecycleReadOnlyAdmin):
    list_display = ("message", "level", "due_at", "created_at", "resolved_at")
    list_filter = ("level",)


@admin.register(Evaluation)
class EvaluationAdmin(LifecycleReadOnlyAdmin):
    list_display = ("message", "round", "solved", "attitude", "speed", "created_at")
    list_filter = ("solved",)


class PostAdmin(admin.ModelAdmin):
    """Follow-ups, thanks, instructions, contributions: moderators may correct the public text."""

    list_display = ("message", "author", "created_at")
    raw_id_fields = ("message", "author")
    readonly_fields = ("message", "author", "created_at")
    show_full_result_count = False

    def has_add_permission(self, request):
        return False


admin.site.register(FollowUp, PostAdmin)
admin.site.register(Thanks, PostAdmin)
admin.site.register(Instruction, PostAdmin)


@admin.register(Contribution)
class ContributionAdmin(PostAdmin):
    list_display = ("assignment", "author", "created_at")
    raw_id_fields = ("assignment", "author")
    readonly_fields = ("assignment", "author", "created_at")
