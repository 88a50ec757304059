"""The templates of messages on SMS and WeChat are data: a superuser edits the defaults for every
district, a district's admins their own district's rows (audited like any admin write)."""

from django.contrib import admin

from dangjian.core.admin import DistrictDefaultsAdmin

from .models import MessageTemplate


@admin.register(MessageTemplate)
class MessageTemplateAdmin(DistrictDefaultsAdmin):
    list_display = ("event", "channel", "district", "provider_template", "is_active")
    list_filter = ("channel", "is_active")
    search_fields = ("event", "title", "body")
