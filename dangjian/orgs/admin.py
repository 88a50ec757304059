from django.contrib import admin

from dangjian.core.admin import TreeAdmin

from .models import PartyOrg


@admin.register(PartyOrg)
class PartyOrgAdmin(TreeAdmin):
    list_display = ("name", "org_type", "area", "path")
    list_filter = ("org_type",)
    search_fields = ("name", "pinyin")
    list_select_related = ("area",)

    def area_path(self, obj):
        return obj.area.path
