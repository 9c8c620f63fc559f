from django.contrib import admin

from .models import Delivery, Follow, Notification, ReminderLog


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "recipient", "kind", "title", "read_at")
    list_filter = ("kind",)
    search_fields = ("recipient__username", "title")
    raw_id_fields = ("recipient", "message", "event")
    show_full_result_count = False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = (
        "notification",
        "channel",
        "status",
        "attempts",
        "lease_until",
        "sent_at",
        "error",
    )
    list_filter = ("channel", "status")
    raw_id_fields = ("notification",)
    show_full_result_count = False


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ("user", "message", "board", "created_at")
    raw_id_fields = ("user", "message", "board")


@admin.register(ReminderLog)
class ReminderLogAdmin(admin.ModelAdmin):
    list_display = ("assignment", "kind", "deadline", "sent_at")
    list_filter = ("kind",)
    raw_id_fields = ("assignment",)
