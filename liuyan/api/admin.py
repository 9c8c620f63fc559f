"""API keys in the admin: made with a shown-once secret, revoked with an action."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import keys
from .models import ApiKey, Open311Request, Scope


class ApiKeyForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("scopes"),
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = ApiKey
        fields = ["name", "user", "scopes"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    form = ApiKeyForm
    list_display = ["name", "prefix", "user", "scopes", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "prefix"]
    raw_id_fields = ["user"]
    readonly_fields = ["prefix", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        return ["name", "user", "scopes"] if obj is None else super().get_fields(request, obj)

    def save_model(self, request, obj, form, change):
        if change:
            obj.scopes = keys.clean_scopes(form.cleaned_data["scopes"])
            obj.save()
            return
        key, secret = keys.create_key(
            name=form.cleaned_data["name"],
            scopes=form.cleaned_data["scopes"],
            user=form.cleaned_data["user"],
        )
        obj.pk = key.pk
        obj.refresh_from_db()
        messages.warning(
            request,
            _("The new key, shown only this once (copy it now): %(key)s") % {"key": secret},
        )

    @admin.action(description=gettext_lazy("Revoke the selected keys"))
    def revoke(self, request, queryset):
        now = timezone.now()
        for key in queryset:
            keys.revoke_key(key, now=now)
        messages.success(request, _("Revoked %(n)d keys.") % {"n": queryset.count()})


@admin.register(Open311Request)
class Open311RequestAdmin(admin.ModelAdmin):
    list_display = ["token", "message", "service_code", "api_key"]
    raw_id_fields = ["message", "api_key"]
    search_fields = ["token", "message__serial"]
