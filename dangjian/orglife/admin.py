"""The district's meeting rules (rows without a district are the defaults; a district admin edits its
own rows) and the branches' founding dates. Audited like every admin write (core.admin)."""

from django.contrib import admin

from dangjian.core.admin import ScopedAdmin
from dangjian.core.scoping import scope_for
from dangjian.core.tree import STEP

from .models import BranchStart, MeetingRule


@admin.register(MeetingRule)
class MeetingRuleAdmin(ScopedAdmin):
    list_display = ("kind", "district", "attendees", "frequency", "times", "fixed_day", "is_active", "points_rule_code")
    list_filter = ("frequency", "is_active")

    def get_queryset(self, request):
        qs = admin.ModelAdmin.get_queryset(self, request).select_related("district")
        scope = scope_for(request.user)
        if scope.everything:
            return qs
        return qs.filter(district__path=scope.area_path[:STEP]) if scope.area_path else qs.none()

    def area_path(self, obj):
        return obj.district.path if obj.district_id else ""


@admin.register(BranchStart)
class BranchStartAdmin(ScopedAdmin):
    list_display = ("org", "founded_on")
    raw_id_fields = ("org",)

    def get_queryset(self, request):
        qs = admin.ModelAdmin.get_queryset(self, request).select_related("org__area")
        scope = scope_for(request.user)
        if scope.everything:
            return qs
        return qs.filter(org__area__path__startswith=scope.area_path) if scope.area_path else qs.none()

    def area_path(self, obj):
        return obj.org.area.path
