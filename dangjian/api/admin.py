from django.contrib import admin

from dangjian.core.admin import SystemAdmin

from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(SystemAdmin):
    """Read-only to superusers: tokens are issued and revoked by their owners (api/tokens/)."""

    list_display = ("name", "prefix", "user", "role", "created_at", "last_used_at", "revoked_at")
    search_fields = ("name", "prefix", "user__username")
