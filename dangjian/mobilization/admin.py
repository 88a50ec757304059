from django.contrib import admin

from dangjian.core.admin import DistrictDefaultsAdmin

from .models import VulnerableTag


@admin.register(VulnerableTag)
class VulnerableTagAdmin(DistrictDefaultsAdmin):
    list_display = ("label", "code", "district", "is_active")
