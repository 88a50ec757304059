from django.contrib import admin

from dangjian.core.admin import DistrictDefaultsAdmin, ScopedAdmin

from .models import (
    AdjunctMember,
    Alliance,
    AllianceMembership,
    CoverageRule,
    Department,
    ResidentUnit,
    UnitKindOption,
)


@admin.register(ResidentUnit)
class ResidentUnitAdmin(ScopedAdmin):
    list_display = ("name", "kind", "community", "credit_code", "member_count", "party_org")
    list_filter = ("kind",)
    search_fields = ("name", "credit_code")
    list_select_related = ("community", "party_org")
    raw_id_fields = ("party_org",)

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


@admin.register(CoverageRule)
class CoverageRuleAdmin(ScopedAdmin):
    list_display = ("district", "min_members_for_single", "min_staff_social_org")

    def area_path(self, obj):
        return obj.district.path


@admin.register(AdjunctMember)
class AdjunctMemberAdmin(ScopedAdmin):
    list_display = ("name", "unit", "department", "office", "committee", "is_active", "ended_on")
    raw_id_fields = ("committee", "unit", "department")

    def area_path(self, obj):
        return obj.committee.area.path


class AllianceMembershipInline(admin.TabularInline):
    model = AllianceMembership
    extra = 0
    raw_id_fields = ("unit",)


@admin.register(Alliance)
class AllianceAdmin(ScopedAdmin):
    list_display = ("name", "area", "lead_org")
    raw_id_fields = ("area", "lead_org")
    inlines = [AllianceMembershipInline]

    def area_path(self, obj):
        return obj.area.path


@admin.register(AllianceMembership)
class AllianceMembershipAdmin(ScopedAdmin):
    list_display = ("alliance", "unit", "joined_on")
    raw_id_fields = ("alliance", "unit")

    def area_path(self, obj):
        return obj.alliance.area.path


@admin.register(UnitKindOption)
class UnitKindOptionAdmin(DistrictDefaultsAdmin):
    list_display = ("name", "code", "district", "order", "is_active")
