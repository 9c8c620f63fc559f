"""The channels' records in the admin: read-only (they are written by intake and import)."""

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from .models import ImportedMessage, MailMessage, QuarantinedMail


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(QuarantinedMail)
class QuarantinedMailAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "reason", "sender", "subject", "size", "kept_in")
    list_filter = ("reason", "mailbox")
    search_fields = ("sender", "subject", "message_id_header")
    exclude = ("raw",)
    actions = ["download_raw"]

    @admin.action(description=_("Download the raw e-mail"))
    def download_raw(self, request: HttpRequest, queryset) -> HttpResponse:
        mail = queryset.first()
        response = HttpResponse(bytes(mail.raw) if mail else b"", content_type="message/rfc822")
        response["Content-Disposition"] = (
            f'attachment; filename="quarantined-{mail.pk if mail else 0}.eml"'
        )
        return response


@admin.register(MailMessage)
class MailMessageAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "kind", "message", "mailbox")
    list_filter = ("kind",)
    raw_id_fields = ("message",)


@admin.register(ImportedMessage)
class ImportedMessageAdmin(ReadOnlyAdmin):
    list_display = ("source", "source_id", "message", "imported_at")
    list_filter = ("source",)
    search_fields = ("source_id",)
    raw_id_fields = ("message",)
