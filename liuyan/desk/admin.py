from django.contrib import admin
from django.utils import timezone

from .models import QualityPhrase, ReplyTemplate


@admin.register(QualityPhrase)
class QualityPhraseAdmin(admin.ModelAdmin):
    list_display = ("phrase", "advice", "is_active")
    list_editable = ("is_active",)
    search_fields = ("phrase",)


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(admin.ModelAdmin):
    list_display = ("title", "unit", "updated_at", "updated_by")
    search_fields = ("title", "unit__name")
    autocomplete_fields = ("unit",)
    readonly_fields = ("updated_by", "updated_at")

    def save_model(self, request, obj, form, change):
        obj.updated_by, obj.updated_at = request.user, timezone.now()
        super().save_model(request, obj, form, change)
