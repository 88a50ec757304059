from django.contrib import admin

from dangjian.core.admin import ScopedAdmin, TreeAdmin

from .models import Area, Building, Estate


@admin.register(Area)
class AreaAdmin(TreeAdmin):
    list_display = ("name", "level", "code", "path")
    list_filter = ("level",)
    search_fields = ("name", "pinyin", "code")
    exclude = ("min_lat", "min_lng", "max_lat", "max_lng")
    # Boundaries change through the import page, which checks validity and overlaps.
    readonly_fields = (*TreeAdmin.readonly_fields, "level", "boundary")


@admin.register(Estate)
class EstateAdmin(ScopedAdmin):
    list_display = ("name", "community", "households")
    search_fields = ("name", "pinyin")
    list_select_related = ("community",)
    autocomplete_fields = ()

    def area_path(self, obj):
        return obj.community.path


@admin.register(Building)
class BuildingAdmin(ScopedAdmin):
    list_display = ("name", "estate", "community", "grid", "kind")
    list_filter = ("kind",)
    search_fields = ("name",)
    list_select_related = ("estate", "community", "grid")

    def area_path(self, obj):
        return obj.community.path
