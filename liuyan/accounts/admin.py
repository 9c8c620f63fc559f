from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Citizen profile"), {"fields": ("phone", "nickname", "real_name")}),
    )
    list_display = ("username", "nickname", "phone", "is_staff", "is_active", "date_joined")
    search_fields = ("username", "nickname", "phone", "email")
