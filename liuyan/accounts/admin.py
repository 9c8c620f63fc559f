from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import audit, crypto, selectors, services
from .models import AuditEntry, KnownAddress, SignInFailure, TOTPDevice, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),  # always a tuple; typed as optional
        (_("Citizen profile"), {"fields": ("phone", "nickname", "real_name")}),
    )
    list_display = ("username", "nickname", "phone", "is_staff", "is_active", "date_joined")
    # Phone and e-mail are encrypted: a search term that is a number is matched by the keyed
    # hash of the phone.
    search_fields = ("username", "nickname")
    actions = ["reset_authenticator"]

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        digest = crypto.phone_hash(search_term) if search_term.strip().isdigit() else None
        if digest:
            results |= queryset.filter(phone_hash=digest)
        return results, may_have_duplicates

    @admin.action(
        description=_("Reset the authenticator (the user enrols again at sign-in)"),
        permissions=["reset_authenticator"],
    )
    def reset_authenticator(self, request, queryset):
        for user in queryset:
            services.reset_totp_device(user=user)
            audit.record(request, "reset_authenticator", obj=user)
        count = queryset.count()
        self.message_user(
            request,
            ngettext(
                "Reset the authenticator of %(count)d user.",
                "Reset the authenticators of %(count)d users.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    def has_reset_authenticator_permission(self, request) -> bool:
        # Like deleting a TOTPDevice: it strips a second factor, so administrators only (an
        # admin action without `permissions` is offered to anyone who may merely view users).
        return selectors.is_administrator(request.user)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Security records: administrators may read and delete them (unless a subclass says
    otherwise); nobody adds or changes them by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return selectors.is_administrator(request.user)

    def has_module_permission(self, request):
        return selectors.is_administrator(request.user)

    def has_delete_permission(self, request, obj=None):
        return selectors.is_administrator(request.user)


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """The audit trail: administrators may read it, nobody may change or delete it."""

    list_display = ("at", "username", "roles", "action", "method", "path", "ip_address")
    list_filter = ("action", "method")
    search_fields = ("username", "action", "path", "object_id")
    date_hierarchy = "at"
    show_full_result_count = False  # no COUNT over a table that grows forever

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(ReadOnlyAdmin):
    """Deleting a device is the recovery path: the user enrols a new one at the next sign-in."""

    list_display = ("user", "created_at", "confirmed_at")
    search_fields = ("user__username",)
    exclude = ("secret",)


@admin.register(SignInFailure)
class SignInFailureAdmin(ReadOnlyAdmin):
    """Failed sign-ins; deleting them lifts a lock-out early."""

    list_display = ("at", "scope", "key", "ip_address")
    list_filter = ("scope",)
    search_fields = ("key", "ip_address")


@admin.register(KnownAddress)
class KnownAddressAdmin(ReadOnlyAdmin):
    """Addresses accounts signed in from; deleting one makes it a stranger's address again."""

    list_display = ("last_seen", "scope", "ip_address", "first_seen")
    list_filter = ("scope",)
    search_fields = ("ip_address",)
