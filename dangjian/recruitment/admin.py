"""The district's rules of member development, editable in the admin (audited like every admin write)."""

from django.contrib import admin

from dangjian.core.admin import ScopedAdmin
from dangjian.core.scoping import scope_for
from dangjian.core.tree import STEP

from .models import RecruitRules


@admin.register(RecruitRules)
class RecruitRulesAdmin(ScopedAdmin):
    list_display = ("district", "min_age", "activist_months", "training_hours", "notice_days", "probation_months")

    def get_queryset(self, request):
        qs = admin.ModelAdmin.get_queryset(self, request).select_related("district")
        scope = scope_for(request.user)
        if scope.everything:
            return qs
        return qs.filter(district__path=scope.area_path[:STEP]) if scope.area_path else qs.none()

    def area_path(self, obj):
        return obj.district.path
