from django.contrib import admin

from .models import Campaign, Decision, Suggestion, Theme


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["title", "organiser_board", "organiser_region", "starts_at", "ends_at"]
    search_fields = ["title"]
    filter_horizontal = ["topics"]
    raw_id_fields = ["organiser_board", "organiser_region", "created_by"]


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):
    list_display = ["title", "campaign", "status", "is_public", "support_count", "submitted_at"]
    list_filter = ["status", "is_public"]
    raw_id_fields = ["campaign", "author", "topic", "theme", "screened_by", "responded_by"]


admin.site.register(Theme)
admin.site.register(Decision, raw_id_fields=["suggestion", "unit", "sent_by", "decided_by"])
