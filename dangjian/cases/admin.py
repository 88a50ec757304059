from django.contrib import admin

from dangjian.core.admin import ConfigAdmin

from .models import CalendarDay, CaseCategory, CasePolicy, CategoryAttribute


class CategoryAttributeInline(admin.TabularInline):
    model = CategoryAttribute
    extra = 0


@admin.register(CaseCategory)
class CaseCategoryAdmin(ConfigAdmin):
    list_display = ("code", "name", "group", "is_active", "sort")
    list_filter = ("group", "is_active")
    search_fields = ("code", "name", "keywords")
    inlines = [CategoryAttributeInline]


@admin.register(CasePolicy)
class CasePolicyAdmin(ConfigAdmin):
    list_display = ("district", "number_prefix", "default_limit_amount", "default_limit_unit", "warn_before_hours")
    list_select_related = ("district",)

    def area_path(self, obj):
        return obj.district.path


@admin.register(CalendarDay)
class CalendarDayAdmin(ConfigAdmin):
    list_display = ("date", "is_workday", "name")
    list_filter = ("is_workday",)
    date_hierarchy = "date"
    search_fields = ("name",)
