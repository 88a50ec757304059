from django.contrib import admin

from dangjian.core.admin import ScopedAdmin

from .models import Department, ResidentUnit


@admin.register(ResidentUnit)
class ResidentUnitAdmin(ScopedAdmin):
    list_display = ("name", "kind", "community")
    list_filter = ("kind",)
    search_fields = ("name",)
    list_select_related = ("community",)

    def area_path(self, obj):
        return obj.community.path


@admin.register(Department)
class DepartmentAdmin(ScopedAdmin):
    list_display = ("name", "kind", "area")
    list_filter = ("kind",)
    search_fields = ("name",)
    list_select_related = ("area",)

    def area_path(self, obj):
        return obj.area.path
